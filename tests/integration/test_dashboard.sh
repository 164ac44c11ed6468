#!/usr/bin/env bash
# test_dashboard.sh - the /dashboard page: served by the exporter (GET and
# HEAD only, counted under path="/dashboard"), self-contained, the same panels
# as the Grafana dashboard, and, in headless Chromium against a real
# VictoriaMetrics scraping the service, it queries and draws every chart.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/stack_lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

echo "-- the page and the Grafana dashboard have the same panels"
out=$(python3 - "$ROOT/exporter/dashboard.html" "$ROOT/deploy/grafana/sensor-service.json" <<'PY' 2>&1
import json, re, sys
html = open(sys.argv[1]).read()
page = json.loads(re.search(r'<script type="application/json" id="panels">(.*?)</script>', html, re.S).group(1))
graf = json.load(open(sys.argv[2]))
gpanels = [p for p in graf["panels"] if p.get("type") == "timeseries"]
def exprs(panels, key):
    return [(p["title"], [t["expr"] for t in p["targets"]]) for p in panels]
a, b = exprs(page, "targets"), exprs(gpanels, "targets")
if a != b:
    print("page:   ", a); print("grafana:", b); sys.exit(1)
for p in gpanels:
    assert p["datasource"]["uid"] == "${datasource}", p["title"]
    for t in p["targets"]:
        assert t["datasource"]["uid"] == "${datasource}", p["title"]
print(len(a), "panels")
PY
)
assert_match "same titles and queries in the same order ($out)" '^[0-9]+ panels$' "$out"
check "no external resource in the page" bash -c "! grep -Eq '<(script|link|img)[^>]+(src|href)=' '$ROOT/exporter/dashboard.html'"
for tool in victoria-metrics python3; do
	command -v "$tool" >/dev/null || { fail "$tool is installed (scripts/install-deps.sh stack test)"; finish; }
done
pick_port SENSOR_PORT && pick_port STACK_VM_PORT && pick_port OTHER_PORT || { fail "free ports"; finish; }
SENSOR_SHM_NAME=$(new_shm_name)
export SENSOR_BIN SENSOR_PORT STACK_VM_PORT SENSOR_SHM_NAME
export STACK_STATE_DIR=$TEST_TMP/state STACK_VMALERT=0
export STACK_SCRAPE_INTERVAL=1s STACK_LATENCY_OFFSET=1s SENSOR_PROCESS_INTERVAL_MS=300
SVC_URL=http://127.0.0.1:$SENSOR_PORT
VM=http://127.0.0.1:$STACK_VM_PORT
trap '"$ROOT/scripts/run-stack.sh" stop >/dev/null 2>&1; _cleanup' EXIT

echo "-- the exporter serves /dashboard"
"$ROOT/scripts/run-stack.sh" >"$TEST_TMP/run.log" 2>&1 &
wait_for "stack ready" 40 grep -q "Ctrl-C" "$TEST_TMP/run.log" || { fail "stack starts"; cat "$TEST_TMP/run.log"; finish; }
assert_eq "GET /dashboard is 200" 200 "$(http_status /dashboard)"
assert_eq "HEAD /dashboard is 200" 200 "$(http_status /dashboard -I)"
assert_eq "POST /dashboard is 405" 405 "$(http_status /dashboard -X POST)"
assert_eq "/dashboard/ is 404" 404 "$(http_status /dashboard/)"
headers=$(curl -s -D - -o /dev/null "$SVC_URL/dashboard" | tr -d '\r')
assert_match "served as HTML" '^Content-Type: text/html; charset=utf-8$' "$(grep -i '^content-type' <<<"$headers")"
assert_match "with a Content-Security-Policy" "^Content-Security-Policy: default-src 'none'" "$(grep -i '^content-security-policy' <<<"$headers")"
body=$(http_body /dashboard)
assert_match "the page names this stack's VictoriaMetrics" "<meta name=\"vm-url\" content=\"$VM\">" "$body"
assert_eq "the page is the embedded file with the URL filled in" \
	"$(sed "s|@VM_URL@|$VM|g" "$ROOT/exporter/dashboard.html" | md5sum)" "$(printf '%s\n' "$body" | md5sum)"
assert_gt "dashboard requests are counted under path=/dashboard" \
	"$(metric_value 'sensor_requests_total{path="/dashboard",code="200"}')" 1
out=$("$SENSOR_BIN" --vm-url 'http://x/"><script>' --print-config 2>&1); rc=$?
assert_eq "a vm-url that is not a plain URL is refused" 2 "$rc"
assert_match "... naming the option" "option 'vm-url'" "$out"

echo "-- headless Chromium draws the charts"
BROWSER=$(command -v chromium || command -v chromium-browser || true)
[ -n "$BROWSER" ] || { fail "chromium is installed (scripts/install-deps.sh browser)"; finish; }
vm_points() { # samples VictoriaMetrics holds for the service's histogram count
	curl -s -G "$VM/api/v1/query" --data-urlencode 'query=count_over_time(sensor_cpu_spike_seconds_count[1m])' |
		python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)'
}
enough_points() { [ "$(vm_points)" -ge 5 ]; }
wait_for "5 scrapes in VictoriaMetrics" 20 enough_points
out=$("$ROOT/scripts/dashboard_shot.sh" "$TEST_TMP/dashboard.png" "$SVC_URL/dashboard" 2>&1); rc=$?
printf '%s\n' "$out" | sed 's/^/       /'
assert_eq "dashboard_shot.sh: the page drew charts and no query failed" 0 "$rc"
marker=$(printf '%s\n' "$out" | grep -o '<body[^>]*>')
panels=$(sed -n 's/.*data-panels="\([0-9]*\)".*/\1/p' <<<"$marker")
assert_gt "the page has panels" "${panels:-0}" 5
assert_eq "every panel has points" "${panels:-none}" "$(sed -n 's/.*data-drawn="\([0-9]*\)".*/\1/p' <<<"$marker")"
assert_eq "no query failed" 0 "$(sed -n 's/.*data-errors="\([0-9]*\)".*/\1/p' <<<"$marker")"
assert_gt "points were drawn" "$(sed -n 's/.*data-points="\([0-9]*\)".*/\1/p' <<<"$marker")" 20
check "the screenshot is a PNG" bash -c "head -c 8 '$TEST_TMP/dashboard.png' | od -An -tx1 | grep -q '89 50 4e 47'"
assert_gt "the screenshot is not blank (size)" "$(wc -c <"$TEST_TMP/dashboard.png")" 30000
check "docs/dashboard.png is in the tree" test -s "$ROOT/docs/dashboard.png"

echo "-- VictoriaMetrics down: the page says so"
"$ROOT/scripts/run-stack.sh" stop >/dev/null 2>&1
SVC_URL=http://127.0.0.1:$OTHER_PORT
"$SENSOR_BIN" --port "$OTHER_PORT" --shm-name "$(new_shm_name)" --vm-url "http://127.0.0.1:$STACK_VM_PORT" >"$TEST_TMP/svc.log" 2>&1 &
SVC_PID=$!
SVC_PIDS+=("$SVC_PID")
wait_for "service alone" 10 curl -sf -o /dev/null "$SVC_URL/"
out=$("$ROOT/scripts/dashboard_shot.sh" "$TEST_TMP/down.png" "$SVC_URL/dashboard" 2>&1); rc=$?
assert_eq "dashboard_shot.sh fails without VictoriaMetrics" 1 "$rc"
assert_match "the page counts the failed queries" 'data-drawn="0"[^>]*data-errors="[1-9]' "$out"
stop_service
assert_eq "the service stops cleanly" 0 "$?"

finish
