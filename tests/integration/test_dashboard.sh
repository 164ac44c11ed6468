#!/usr/bin/env bash
# test_dashboard.sh - the /dashboard page: served by the exporter (GET and
# HEAD only, counted under path="/dashboard"), self-contained, its service
# panels taken from the Grafana dashboard; and, in headless Chromium against the
# real stack (the service on a fixture sysfs tree, VictoriaMetrics,
# vmalert), a panel per group of sensors the fixture has and none for
# the others, each with points, the threshold and chip limit lines of the
# channels that have them, the channels past a threshold marked so, and
# the sensor alerts, firing and pending, in the alert list
# (tests/integration/lib/dashboard_dom.py reads what the page drew).
source "$(dirname "$0")/lib/lib.sh"
source "$(dirname "$0")/lib/stack_lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

echo "-- the Grafana dashboard, which the page takes its service panels from"
# the sensor panels, one per unit, are a panel repeated by unit in Grafana
# (the page draws its own); every query goes to the chosen datasource
out=$(python3 - "$ROOT/deploy/grafana/sensor-service.json" <<'PY' 2>&1
import json, sys
graf = json.load(open(sys.argv[1]))
gpanels = [p for p in graf["panels"] if p.get("type") == "timeseries" and "repeat" not in p]
repeated = [p for p in graf["panels"] if p.get("repeat") == "unit"]
if len(repeated) != 1 or not all('unit=~"$unit"' in t["expr"] for t in repeated[0]["targets"]):
    print("grafana: no single sensor panel repeated by unit"); sys.exit(1)
for p in gpanels + repeated:
    assert p["datasource"]["uid"] == "${datasource}", p["title"]
    for t in p["targets"]:
        assert t["datasource"]["uid"] == "${datasource}", p["title"]
print(len(gpanels), "service panels")
PY
)
assert_match "one sensor panel repeated by unit, every query on the chosen datasource ($out)" '^[0-9]+ service panels$' "$out"
check "no external resource in the page" bash -c "! grep -Eq '<(script|link|img)[^>]+(src|href)=' '$ROOT/exporter/dashboard.html'"
for tool in victoria-metrics vmalert python3; do
	command -v "$tool" >/dev/null || { fail "$tool is installed (scripts/install-deps.sh stack test)"; finish; }
done
BROWSER=$(command -v chromium || command -v chromium-browser || true)
[ -n "$BROWSER" ] || { fail "chromium is installed (scripts/install-deps.sh browser)"; finish; }

# The source tests' fixture tree: temperatures, a fan, a voltage and a
# power input (no current, no humidity...), with the chip's max and crit
# added to the package sensor. The fan is over its warning threshold from
# the start; the package is pushed past its critical one below.
SYS=$TEST_TMP/sysfs
mkdir -p "$SYS" && cp -a "$ROOT/tests/fixtures/sysfs/." "$SYS/"
CORE=$SYS/sys/devices/platform/coretemp.0/hwmon/hwmon2
echo 80000 >"$CORE/temp1_max"
echo 85000 >"$CORE/temp1_crit"
printf '%s\n' '[threshold nct6775_fan1]' 'warn-above=1000' 'crit-above=3000' \
	'[threshold coretemp_package_id_0]' 'warn-above=60' 'crit-above=80' 'hysteresis=2' >"$TEST_TMP/sensors.conf"
# A rule of the test's own beside the shipped ones, to show a pending
# alert: true from the start, it never waits out its "for".
printf '%s\n' 'groups:' '  - name: dashboard-test' '    rules:' '      - alert: DashboardTestPending' \
	'        expr: sensor_state{channel="nct6775_fan1"} == 1' '        for: 1h' '        labels: {severity: warning}' \
	>"$TEST_TMP/pending.yml"
export STACK_VMALERT_FLAGS="-rule=$TEST_TMP/pending.yml"
pick_port SENSOR_PORT && pick_port STACK_VM_PORT && pick_port STACK_VMALERT_PORT && pick_port OTHER_PORT ||
	{ fail "free ports"; finish; }
SENSOR_SHM_NAME=$(new_shm_name)
export STACK_CONFIG=$TEST_TMP/sensors.conf
export SENSOR_SIMULATE=0 SENSOR_SYSFS_ROOT=$SYS SENSOR_LIMITS_INTERVAL_MS=500 SENSOR_DISCOVERY_RESCAN_MS=0
export SENSOR_BIN SENSOR_PORT SENSOR_SHM_NAME STACK_VM_PORT STACK_VMALERT_PORT SENSOR_PROCESS_INTERVAL_MS=300
export STACK_STATE_DIR=$TEST_TMP/state STACK_SCRAPE_INTERVAL=1s STACK_EVAL_INTERVAL=1s STACK_LATENCY_OFFSET=1s
SVC_URL=http://127.0.0.1:$SENSOR_PORT
VM=http://127.0.0.1:$STACK_VM_PORT
RUNNER=""
trap '[ -n "$RUNNER" ] && "$ROOT/scripts/run-stack.sh" stop >/dev/null 2>&1; _cleanup' EXIT

echo "-- the exporter serves /dashboard"
start_stack "$TEST_TMP/run.log" || { fail "stack starts"; cat "$TEST_TMP/run.log"; finish; }
assert_eq "GET /dashboard is 200" 200 "$(http_status /dashboard)"
assert_eq "HEAD /dashboard is 200" 200 "$(http_status /dashboard -I)"
assert_eq "POST /dashboard is 405" 405 "$(http_status /dashboard -X POST)"
assert_eq "/dashboard/ is 404" 404 "$(http_status /dashboard/)"
headers=$(curl -s -D - -o /dev/null "$SVC_URL/dashboard" | tr -d '\r')
assert_match "served as HTML" '^Content-Type: text/html; charset=utf-8$' "$(grep -i '^content-type' <<<"$headers")"
assert_match "with a Content-Security-Policy" "^Content-Security-Policy: default-src 'none'" "$(grep -i '^content-security-policy' <<<"$headers")"
body=$(http_body /dashboard)
assert_match "the page names this stack's VictoriaMetrics" "<meta name=\"vm-url\" content=\"$VM\">" "$body"
# (the build's page: exporter/dashboard.html with the Grafana dashboard in it)
assert_eq "the page is the embedded file with the URL filled in" \
	"$(sed "s|@VM_URL@|$VM|g" "$(dirname "$SENSOR_BIN")/gen/dashboard.html" | md5sum)" "$(printf '%s\n' "$body" | md5sum)"
assert_gt "dashboard requests are counted under path=/dashboard" \
	"$(metric_value 'sensor_requests_total{path="/dashboard",code="200"}')" 1
out=$("$SENSOR_BIN" --vm-url 'http://x/"><script>' --print-config 2>&1); rc=$?
assert_eq "a vm-url that is not a plain URL is refused" 2 "$rc"
assert_match "... naming the option" "option 'vm-url'" "$out"

echo "-- the fixture's sensors in VictoriaMetrics, one pushed past its critical threshold"
echo 90000 >"$CORE/temp1_input"
vm_has() { # vm_has QUERY [N]: the instant query has at least N (1) results
	[ "$(vm_query "$VM" "$1" | wc -l)" -ge "${2:-1}" ]
}
want_ready() { # want_ready WHAT SECONDS QUERY [N]
	if wait_for "$1" "$2" vm_has "$3" "${4:-1}"; then pass "$1"; else fail "$1"; fi
}
want_ready "VictoriaMetrics holds 5 scrapes of all 9 channels" 60 'count_over_time(sensor_value[1m]) >= 5' 9
want_ready "nct6775_fan1 is in warning" 30 'sensor_state{channel="nct6775_fan1"} == 1'
want_ready "coretemp_package_id_0 is critical" 30 'sensor_state{channel="coretemp_package_id_0"} == 2'
want_ready "the chip's crit of coretemp_package_id_0 is scraped" 30 \
	'sensor_limit{channel="coretemp_package_id_0",limit="crit"}'
for a in SensorThresholdWarning:nct6775_fan1 SensorThresholdCritical:coretemp_package_id_0 \
	SensorOverKernelCritical:coretemp_package_id_0; do
	want_ready "vmalert wrote ${a%:*} firing for ${a#*:} into VictoriaMetrics" 60 \
		"ALERTS{alertname=\"${a%:*}\",channel=\"${a#*:}\",alertstate=\"firing\"}"
done
want_ready "vmalert wrote DashboardTestPending pending into VictoriaMetrics" 60 \
	'ALERTS{alertname="DashboardTestPending",alertstate="pending"}'
units=$(vm_query "$VM" 'count by (unit) (sensor_value)' | sed 's/^unit=//; s/ /=/' | sort | xargs)
# (acpitz_temp1, the hwmon device the acpitz zone registered, is the zone's
# twin: one channel, thermal_acpitz)
assert_eq "the fixture's channels by unit" "celsius=6 rpm=1 volts=1 watts=1" "$units"

echo "-- headless Chromium: a panel per sensor group, thresholds, states, the sensor alerts"
out=$(DASHBOARD_DOM=$TEST_TMP/dom.html "$ROOT/scripts/dashboard_shot.sh" "$TEST_TMP/dashboard.png" "$SVC_URL/dashboard" 2>&1); rc=$?
printf '%s\n' "$out" | sed 's/^/       /'
assert_eq "dashboard_shot.sh: the page drew charts and no query failed" 0 "$rc"
python3 "$ROOT/tests/integration/lib/dashboard_dom.py" "$TEST_TMP/dom.html" "$units" "$ROOT/deploy/grafana/sensor-service.json" >"$TEST_TMP/dom.out" 2>&1
while IFS= read -r line; do
	case $line in "ok   "*) pass "${line#ok   }" ;; "FAIL "*) fail "${line#FAIL }" ;; *) fail "page check: $line" ;; esac
done <"$TEST_TMP/dom.out"
check "the screenshot is a PNG" bash -c "head -c 8 '$TEST_TMP/dashboard.png' | od -An -tx1 | grep -q '89 50 4e 47'"
assert_gt "the screenshot is not blank (size)" "$(wc -c <"$TEST_TMP/dashboard.png")" 30000
check "docs/dashboard.png is in the tree" test -s "$ROOT/docs/dashboard.png"
# DASHBOARD_KEEP=DIR keeps the screenshot and the DOM to look at
[ -z "${DASHBOARD_KEEP:-}" ] || cp "$TEST_TMP/dashboard.png" "$TEST_TMP/dom.html" "$DASHBOARD_KEEP/"

echo "-- VictoriaMetrics down: the page says so"
"$ROOT/scripts/run-stack.sh" stop >/dev/null 2>&1
RUNNER=""
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
