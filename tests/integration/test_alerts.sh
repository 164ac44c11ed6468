#!/usr/bin/env bash
# test_alerts.sh - the alert rules of deploy/vmalert/alerts.yml: vmalert
# and promtool accept them, each one has a unit test (tests/rules/) that
# makes it fire on its condition and stay quiet on a healthy service, and
# a broken rule is refused; and the sensor alerts fire and resolve for real
# in a live stack (service, VictoriaMetrics, vmalert) on a fixture sysfs
# tree whose values the test writes. (test_stack.sh shows two of the
# service alerts firing live.)
source "$(dirname "$0")/lib/lib.sh"
source "$(dirname "$0")/lib/stack_lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RULES=$ROOT/deploy/vmalert/alerts.yml

echo "-- vmalert -dryRun"
command -v vmalert >/dev/null || { fail "vmalert is installed (scripts/install-deps.sh stack)"; finish; }
out=$(vmalert -dryRun -rule="$RULES" -rule.validateExpressions -rule.validateTemplates -loggerLevel=ERROR 2>&1); rc=$?
assert_eq "vmalert accepts the rules, expressions and templates" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -n 3
sed 's/expr: sensor_child_up == 0/expr: sensor_child_up == (0/' "$RULES" >"$TEST_TMP/broken.yml"
out=$(vmalert -dryRun -rule="$TEST_TMP/broken.yml" -loggerLevel=ERROR 2>&1); rc=$?
check "vmalert refuses a broken expression (exit $rc)" test "$rc" -ne 0
assert_match "... naming the rule" 'SensorChildDown' "$out"

echo "-- promtool"
command -v promtool >/dev/null || { fail "promtool is installed (scripts/install-deps.sh test)"; finish; }
out=$(promtool check rules "$RULES" 2>&1); rc=$?
assert_eq "promtool check rules" 0 "$rc"
out=$(cd "$ROOT/tests/rules" && promtool test rules alerts_test.yml 2>&1); rc=$?
assert_eq "promtool test rules tests/rules/alerts_test.yml ($(printf '%s' "$out" | tail -n1 | tr -s ' '))" 0 "$rc"

echo "-- every rule: labelled, documented, unit-tested"
python3 - "$RULES" "$ROOT/tests/rules/alerts_test.yml" >"$TEST_TMP/rules.out" 2>&1 <<'PY'
import sys, yaml
rules = [r for g in yaml.safe_load(open(sys.argv[1]))["groups"] for r in g["rules"]]
tests = yaml.safe_load(open(sys.argv[2]))["tests"]
fired = {a["alertname"] for t in tests for a in t.get("alert_rule_test", []) if a.get("exp_alerts")}
quiet = {a["alertname"] for t in tests if "healthy" in t["name"] for a in t.get("alert_rule_test", []) if not a.get("exp_alerts")}
names = [r["alert"] for r in rules]
for r in rules:
    n = r["alert"]
    print(("ok   " if r.get("labels", {}).get("severity") in ("warning", "critical") else "FAIL ") + n + " has a severity")
    print(("ok   " if r.get("annotations", {}).get("summary") and r["annotations"].get("description") else "FAIL ") + n + " has a summary and a description")
    print(("ok   " if n in fired and n in quiet else "FAIL ") + n + " is tested firing and quiet")
need = {"worker down": "SensorChildDown", "heartbeat stale": "SensorWorkerHeartbeatStale",
        "restarts rising": "SensorChildRestarted", "queue near capacity": "SensorQueueBacklog",
        "drops rising": "SensorReadingsDropped", "spike p99 too long": "SensorSpikeP99TooLong",
        "RSS near its cap": "SensorProcessMemoryNearCap", "service down": "SensorServiceDown"}
for what, n in need.items():
    print(("ok   " if n in names else "FAIL ") + "a rule for %s (%s)" % (what, n))
PY
while IFS= read -r line; do
	case $line in "ok   "*) pass "${line#ok   }" ;; "FAIL "*) fail "${line#FAIL }" ;; *) fail "rules check: $line" ;; esac
done <"$TEST_TMP/rules.out"

if command -v amtool >/dev/null; then
	check "amtool accepts deploy/alertmanager/alertmanager.yml" amtool check-config "$ROOT/deploy/alertmanager/alertmanager.yml"
fi

echo "-- the sensor alerts, live: fixture values over the limits, an alarm, a chip gone"
command -v victoria-metrics >/dev/null || { fail "victoria-metrics is installed (scripts/install-deps.sh stack)"; finish; }
SYS=$TEST_TMP/pc
mkdir -p "$SYS" && cp -a "$ROOT/tests/fixtures/boards/pc/." "$SYS/"
NVME=$SYS/sys/devices/pci0000:00/0000:00:1d.0/0000:05:00.0/nvme/nvme0/hwmon2
# shellcheck disable=SC2034 # used in alert_cycle's eval'd commands
CORE=$SYS/sys/devices/platform/coretemp.0/hwmon/hwmon3
pick_port SENSOR_PORT && pick_port STACK_VM_PORT && pick_port STACK_VMALERT_PORT || { fail "free ports"; finish; }
SENSOR_SHM_NAME=$(new_shm_name)
# the discovered sensors of the fixture PC, not the simulated set, with
# thresholds of our own on the drive
printf '[threshold nvme_*]\nwarn-above=60\ncrit-above=80\nhysteresis=2\n' >"$TEST_TMP/sensors.conf"
export STACK_CONFIG=$TEST_TMP/sensors.conf
export SENSOR_SIMULATE=0 SENSOR_SYSFS_ROOT=$SYS SENSOR_LIMITS_INTERVAL_MS=500 SENSOR_DISCOVERY_RESCAN_MS=0
export SENSOR_BIN SENSOR_PORT SENSOR_SHM_NAME STACK_VM_PORT STACK_VMALERT_PORT
export STACK_STATE_DIR=$TEST_TMP/state STACK_SCRAPE_INTERVAL=1s STACK_EVAL_INTERVAL=1s STACK_LATENCY_OFFSET=1s
# shellcheck disable=SC2034 # firing (stack_lib.sh) asks it
VMALERT=http://127.0.0.1:$STACK_VMALERT_PORT
RUNNER=""
not_firing() { ! firing "$@" >/dev/null; }
trap '[ -n "$RUNNER" ] && "$ROOT/scripts/run-stack.sh" stop >/dev/null 2>&1; _cleanup' EXIT
start_stack "$TEST_TMP/stack.log" || { fail "the stack starts"; cat "$TEST_TMP/stack.log"; finish; }
sleep 5 # a few scrapes and evaluations of the healthy fixture
for a in SensorThresholdWarning SensorThresholdCritical SensorOverKernelCritical SensorKernelAlarm SensorChannelStale SensorReadsFailing; do
	check "$a is quiet on the healthy fixture" not_firing "$a"
done

# alert_cycle NAME CHANNEL SECONDS "provoke" "restore": fires, then resolves
alert_cycle() {
	local name=$1 channel=$2 secs=$3
	eval "$4"
	if wait_for "$name firing" "$secs" firing "$name" "$channel"; then
		pass "$name fires for $channel"; echo "       $(firing "$name" "$channel")"
	else
		fail "$name fires for $channel"
	fi
	eval "$5"
	check "$name resolves for $channel" wait_for "$name resolved" "$secs" not_firing "$name" "$channel"
}
alert_cycle SensorThresholdWarning nvme_composite 30 'echo 70000 >"$NVME/temp1_input"' 'echo 32850 >"$NVME/temp1_input"'
alert_cycle SensorThresholdCritical nvme_composite 30 'echo 90000 >"$NVME/temp1_input"' 'echo 32850 >"$NVME/temp1_input"'
alert_cycle SensorOverKernelCritical nvme_composite 30 'echo 120000 >"$NVME/temp1_input"' 'echo 32850 >"$NVME/temp1_input"'
alert_cycle SensorKernelAlarm coretemp_package_id_0 30 'echo 1 >"$CORE/temp1_crit_alarm"' 'echo 0 >"$CORE/temp1_crit_alarm"'
# the nvme drive goes away: reads fail at once, no reading for a minute
mv "$NVME" "$TEST_TMP/nvme.away"
if wait_for "SensorReadsFailing firing" 90 firing SensorReadsFailing nvme_composite; then
	pass "SensorReadsFailing fires for nvme_composite"; echo "       $(firing SensorReadsFailing nvme_composite)"
else
	fail "SensorReadsFailing fires for nvme_composite"
fi
if wait_for "SensorChannelStale firing" 120 firing SensorChannelStale nvme_composite; then
	pass "SensorChannelStale fires for nvme_composite"; echo "       $(firing SensorChannelStale nvme_composite)"
else
	fail "SensorChannelStale fires for nvme_composite"
fi
check "only for the channel that is gone" not_firing SensorChannelStale coretemp_core_0
mv "$TEST_TMP/nvme.away" "$NVME"
check "SensorChannelStale resolves once it reads again" wait_for "stale resolved" 60 not_firing SensorChannelStale nvme_composite
check "SensorReadsFailing resolves" wait_for "failing resolved" 120 not_firing SensorReadsFailing nvme_composite
"$ROOT/scripts/run-stack.sh" stop >/dev/null 2>&1
RUNNER=""
finish
