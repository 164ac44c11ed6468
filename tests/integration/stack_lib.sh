# stack_lib.sh - helpers of the tests that run VictoriaMetrics (test_stack.sh,
# test_dashboard.sh, test_fleet.sh) on top of lib.sh; sourced, not run.
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
