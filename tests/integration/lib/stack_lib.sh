# stack_lib.sh - helpers of the tests that run VictoriaMetrics (test_stack.sh,
# test_dashboard.sh, test_fleet.sh, test_alerts.sh) on top of lib.sh;
# sourced, not run.
# Ports come from pick_port in lib.sh.

# vm_query URL QUERY: "labels value" lines of an instant query on the
# VictoriaMetrics at URL, labels as k=v,... sorted, without __name__.
vm_query() {
	curl -s --max-time 5 -G "$1/api/v1/query" --data-urlencode "query=$2" | python3 -c '
import json, sys
for r in json.load(sys.stdin)["data"]["result"]:
    m = r["metric"]; m.pop("__name__", None)
    print(",".join("%s=%s" % kv for kv in sorted(m.items())), r["value"][1])'
}

# start_stack LOG: scripts/run-stack.sh (at $ROOT) in the background, its
# pid in RUNNER, ready. A background job of a script starts with SIGINT
# ignored; undo that, as a terminal's Ctrl-C must reach it.
start_stack() {
	env --default-signal=INT "$ROOT/scripts/run-stack.sh" >"$1" 2>&1 &
	# shellcheck disable=SC2034 # the sourcing test stops it
	RUNNER=$!
	wait_for "stack ready" 40 grep -q "Ctrl-C" "$1"
}

# firing ALERTNAME [CHANNEL]: the alert (on that channel) is firing in the
# vmalert at $VMALERT; prints what it found.
firing() {
	curl -s --max-time 5 "$VMALERT/api/v1/alerts" | python3 -c '
import json, sys
alerts = json.load(sys.stdin)["data"]["alerts"] or []
hit = [a for a in alerts if a["name"] == sys.argv[1] and a["state"] == "firing"
       and (len(sys.argv) < 3 or a["labels"].get("channel") == sys.argv[2])]
for a in hit:
    print("%s %s value=%s since %s" % (a["name"], json.dumps(a["labels"], sort_keys=True), a["value"], a["activeAt"]))
sys.exit(0 if hit else 1)' "$@"
}
