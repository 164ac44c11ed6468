#!/usr/bin/env bash
# test_node_hwmon_stack.sh - what node_exporter users run against our
# /metrics: the hwmon queries of the hardware row of the public "Node
# Exporter Full" Grafana dashboard return data in VictoriaMetrics, and the
# host hwmon rules of awesome-prometheus-alerts stay quiet on a healthy
# x86 gateway fixture and fire in vmalert when the test heats a sensor and
# raises a chip's critical alarm. The expressions are written here as those
# projects publish them, $node/$job filled in; the rules' `for` is shortened
# and their join on node_uname_info (another collector's series) left out.
source "$(dirname "$0")/lib/lib.sh"
source "$(dirname "$0")/lib/stack_lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

command -v victoria-metrics >/dev/null && command -v vmalert >/dev/null ||
	{ fail "victoria-metrics and vmalert are installed (scripts/install-deps.sh stack)"; finish; }
SYS=$TEST_TMP/gateway
mkdir -p "$SYS" && cp -a "$ROOT/tests/fixtures/boards/gateway/." "$SYS/"
NCT=$SYS/sys/devices/platform/nct6775.656/hwmon/hwmon2
CORE=$SYS/sys/devices/platform/coretemp.0/hwmon/hwmon3
echo 0 >"$CORE/temp3_crit_alarm" # a healthy machine to start with

cat >"$TEST_TMP/hwmon_rules.yml" <<'Y'
groups:
  - name: awesome-prometheus-alerts-host-hwmon
    rules:
      - alert: HostPhysicalComponentTooHot
        expr: node_hwmon_temp_celsius * ignoring(label) group_left(instance, job, node, sensor) node_hwmon_sensor_label{label!="tctl"} > 75
        for: 0s
        labels: {severity: warning}
        annotations: {summary: "Host physical component too hot (instance {{ $labels.instance }})"}
      - alert: HostNodeOvertemperatureAlarm
        expr: (node_hwmon_temp_crit_alarm_celsius == 1) or (node_hwmon_temp_alarm == 1)
        for: 0s
        labels: {severity: critical}
        annotations: {summary: "Host node overtemperature alarm (instance {{ $labels.instance }})"}
Y
check "vmalert accepts the rules" vmalert -dryRun -rule="$TEST_TMP/hwmon_rules.yml" -loggerLevel=ERROR

pick_port SENSOR_PORT && pick_port STACK_VM_PORT && pick_port STACK_VMALERT_PORT || { fail "free ports"; finish; }
SENSOR_SHM_NAME=$(new_shm_name)
export SENSOR_SIMULATE=0 SENSOR_SYSFS_ROOT=$SYS SENSOR_NODE_FAMILIES_INTERVAL_MS=200 SENSOR_DISCOVERY_RESCAN_MS=0
export SENSOR_BIN SENSOR_PORT SENSOR_SHM_NAME STACK_VM_PORT STACK_VMALERT_PORT
export STACK_STATE_DIR=$TEST_TMP/state STACK_SCRAPE_INTERVAL=1s STACK_EVAL_INTERVAL=1s STACK_LATENCY_OFFSET=1s
export STACK_VMALERT_FLAGS="-rule=$TEST_TMP/hwmon_rules.yml"
VM=http://127.0.0.1:$STACK_VM_PORT
# shellcheck disable=SC2034 # firing (stack_lib.sh) asks it
VMALERT=http://127.0.0.1:$STACK_VMALERT_PORT
RUNNER=""
not_firing() { ! firing "$@" >/dev/null; }
trap '[ -n "$RUNNER" ] && "$ROOT/scripts/run-stack.sh" stop >/dev/null 2>&1; _cleanup' EXIT
start_stack "$TEST_TMP/stack.log" || { fail "the stack starts"; cat "$TEST_TMP/stack.log"; finish; }
wait_for "node_hwmon_temp_celsius in VictoriaMetrics" 30 sh -c \
	"[ -n \"\$(curl -s -G '$VM/api/v1/query' --data-urlencode 'query=node_hwmon_temp_celsius' | grep -o chip)\" ]"

# the dashboard's variables: the job and instance our series carry
labels=$(vm_query "$VM" 'count by (job, instance) (node_hwmon_chip_names)' | head -1)
job=$(printf '%s' "$labels" | sed -n 's/.*job=\([^, ]*\).*/\1/p')
node=$(printf '%s' "$labels" | sed -n 's/.*instance=\([^, ]*\).*/\1/p')
assert_match "the dashboard's \$job and \$node variables have values" '.+ .+' "$job $node"

echo "-- Node Exporter Full, hardware row: each query returns data"
sel="{instance=\"$node\",job=\"$job\"}"
while IFS='|' read -r panel query; do
	[ -n "$panel" ] || continue
	query=${query//\{SEL\}/$sel}
	n=$(vm_query "$VM" "$query" | wc -l)
	if [ "$n" -gt 0 ]; then pass "$panel: $n series"; else fail "$panel: no data for $query"; fi
done <<'Q'
Hardware temperature monitor: temp|node_hwmon_temp_celsius{SEL} * on(chip) group_left(chip_name) node_hwmon_chip_names{SEL}
Hardware temperature monitor: crit alarm|node_hwmon_temp_crit_alarm_celsius{SEL} * on(chip) group_left(chip_name) node_hwmon_chip_names{SEL}
Hardware temperature monitor: crit|node_hwmon_temp_crit_celsius{SEL} * on(chip) group_left(chip_name) node_hwmon_chip_names{SEL}
Hardware temperature monitor: max|node_hwmon_temp_max_celsius{SEL} * on(chip) group_left(chip_name) node_hwmon_chip_names{SEL}
Hardware temperature monitor: max hyst|node_hwmon_temp_max_hyst_celsius{SEL} * on(chip) group_left(chip_name) node_hwmon_chip_names{SEL}
Hardware temperature monitor: sensor labels|node_hwmon_sensor_label{SEL}
Q
v=$(vm_query "$VM" "node_hwmon_temp_celsius{chip=\"platform_nct6775_656\",sensor=\"temp1\"} * on(chip) group_left(chip_name) node_hwmon_chip_names" | awk '{print $2}')
assert_eq "the temperature panel shows the fixture's SYSTIN reading" 41.5 "$v"

echo "-- awesome-prometheus-alerts, host hwmon rules"
sleep 3 # a few evaluations of the healthy fixture
check "HostPhysicalComponentTooHot is quiet on the healthy fixture" not_firing HostPhysicalComponentTooHot
check "HostNodeOvertemperatureAlarm is quiet on the healthy fixture" not_firing HostNodeOvertemperatureAlarm
echo 81000 >"$NCT/temp1_input"
if wait_for "HostPhysicalComponentTooHot" 30 firing HostPhysicalComponentTooHot; then
	pass "HostPhysicalComponentTooHot fires when SYSTIN reads 81 C"; echo "       $(firing HostPhysicalComponentTooHot)"
else
	fail "HostPhysicalComponentTooHot fires when SYSTIN reads 81 C"
fi
echo 1 >"$CORE/temp1_crit_alarm"
if wait_for "HostNodeOvertemperatureAlarm" 30 firing HostNodeOvertemperatureAlarm; then
	pass "HostNodeOvertemperatureAlarm fires on the chip's crit alarm (written 1; node_exporter 1.5 writes 0.001)"
	echo "       $(firing HostNodeOvertemperatureAlarm)"
else
	fail "HostNodeOvertemperatureAlarm fires on the chip's crit alarm"
fi
echo 41500 >"$NCT/temp1_input"
echo 0 >"$CORE/temp1_crit_alarm"
check "HostPhysicalComponentTooHot resolves" wait_for "too hot resolved" 30 not_firing HostPhysicalComponentTooHot
check "HostNodeOvertemperatureAlarm resolves" wait_for "alarm resolved" 30 not_firing HostNodeOvertemperatureAlarm
"$ROOT/scripts/run-stack.sh" stop >/dev/null 2>&1
RUNNER=""
finish
