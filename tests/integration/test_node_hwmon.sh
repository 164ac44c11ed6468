#!/usr/bin/env bash
# test_node_hwmon.sh - node_exporter's hwmon and thermal_zone series, side by
# side with Debian's prometheus-node-exporter on every board fixture: the
# same node_hwmon_* and node_thermal_zone_temp series with the same values
# in both directions (alarm flags 0/1 against node_exporter's scaled ones),
# node_exporter itself writing at least what the fixture holds; values
# follow the files; node-families=false (flag and environment) turns them
# off and leaves sensor_* as it was.
source "$(dirname "$0")/lib/lib.sh"
source "$(dirname "$0")/lib/node_exporter.sh"

BOARDS=$(cd "$(dirname "$0")/../fixtures/boards" && pwd)
FAMILIES=(--prefix node_hwmon_ --prefix node_thermal_zone_temp)
# node_exporter 1.5 scales an alarm flag as the reading of its type
ALARMS=(--alarm-scale '_alarm_(celsius|volts|amps)$=1000' --alarm-scale '_alarm_watt$=1000000'
	--alarm-scale '^node_hwmon_humidity_.*_alarm$=1000000')

if [ ! -x "$NODE_EXPORTER_BIN" ]; then
	skip "prometheus-node-exporter is not installed (scripts/install-deps.sh, test group)"
	finish
fi

# samples NAME_PREFIX FILE: how many samples of names starting so
samples() { grep -c "^$1" "$2" || true; }

# What the fixture holds, counted from its files: each *_input file of a
# chip is at least one series, each zone one node_thermal_zone_temp.
fixture_inputs() { find -L "$1/sys/class/hwmon/" -mindepth 2 -maxdepth 2 -name '*_input' 2>/dev/null | wc -l; }
fixture_zones() { find "$1/sys/class/thermal/" -maxdepth 1 -name 'thermal_zone[0-9]*' 2>/dev/null | wc -l; }

# side_by_side ROOT LABEL: both programs on ROOT, pages compared
side_by_side() {
	local root=$1 what=$2 ours="$TEST_TMP/$2.ours" theirs="$TEST_TMP/$2.theirs"
	start_node_exporter --path.sysfs="$root/sys" --collector.disable-defaults --collector.hwmon \
		--collector.thermal_zone || { fail "$what: node_exporter starts"; return; }
	start_service --simulate=false --sysfs-root "$root" --node-families-interval-ms 200 ||
		{ fail "$what: service starts"; stop_node_exporter; return; }
	wait_for "$what: node series" 10 sh -c "curl -s $SVC_URL/metrics | grep -q '^node_hwmon_chip_names'"
	sleep 0.5 # a read of every file after the description
	curl -s --max-time 5 "$NE_URL/metrics" >"$theirs"
	http_body /metrics >"$ours"
	local zones inputs ne_zones ne_values
	zones=$(fixture_zones "$root")
	inputs=$(fixture_inputs "$root")
	ne_zones=$(samples node_thermal_zone_temp "$theirs")
	ne_values=$(($(samples node_hwmon_ "$theirs") - $(samples node_hwmon_chip_names "$theirs") -
		$(samples node_hwmon_sensor_label "$theirs")))
	assert_eq "$what: node_exporter writes every zone of the fixture" "$zones" "$ne_zones"
	if [ "$ne_values" -ge "$inputs" ]; then
		pass "$what: node_exporter writes at least the $inputs readings the fixture holds ($ne_values)"
	else
		fail "$what: node_exporter writes $ne_values readings, fewer than the $inputs the fixture holds"
	fi
	local out
	if out=$(series_compare "$ours" "$theirs" "${FAMILIES[@]}" --values "${ALARMS[@]}"); then
		pass "$what: the same series and values as node_exporter ($(echo "$out" | tail -1))"
	else
		fail "$what: differs from node_exporter:"
		echo "$out" | head -40
	fi
	check "$what: stops cleanly" stop_service
	stop_node_exporter
}

for board in "$BOARDS"/*/; do
	board=${board%/}
	echo "-- $(basename "$board")"
	side_by_side "$board" "$(basename "$board")"
done

echo "-- values follow the files, read by the worker"
ROOT=$TEST_TMP/gateway
cp -a "$BOARDS/gateway/." "$ROOT/"
CHIP=$ROOT/sys/devices/platform/nct6775.656/hwmon/hwmon2
start_service --simulate=false --sysfs-root "$ROOT" --node-families-interval-ms 200 --sample-interval-ms 200 || { fail "service starts"; finish; }
series='node_hwmon_temp_celsius{chip="platform_nct6775_656",sensor="temp1"}'
wait_for "first value" 10 sh -c "curl -s $SVC_URL/metrics | grep -qF '$series 41.5'"
assert_eq "the reading" 41.5 "$(metric_value "$series")"
echo 57250 >"$CHIP/temp1_input"
echo 1 >"$CHIP/temp2_crit_alarm"
check "a new reading shows" wait_for "57.25" 5 sh -c "curl -s $SVC_URL/metrics | grep -qF '$series 57.25'"
check "an alarm set shows as 1" wait_for "alarm" 5 sh -c \
	"curl -s $SVC_URL/metrics | grep -qF 'node_hwmon_temp_crit_alarm_celsius{chip=\"platform_nct6775_656\",sensor=\"temp2\"} 1'"
echo garbage >"$CHIP/temp1_input"
check "a value that does not parse is left out, as node_exporter does" wait_for "gone" 5 sh -c \
	"! curl -s $SVC_URL/metrics | grep -qF '$series '"
assert_match "sensor_* goes on beside" '^sensor_value\{channel="nct6798_systin",unit="celsius"\} NaN' "$(http_body /metrics)"
check "stops cleanly" stop_service
echo 57250 >"$CHIP/temp1_input"
side_by_side "$ROOT" "gateway-changed"

echo "-- a chip that appears after the start, and goes"
ROOT2=$TEST_TMP/late
cp -a "$BOARDS/pc/." "$ROOT2/"
start_service --simulate=false --sysfs-root "$ROOT2" --node-families-interval-ms 200 --discovery-rescan-ms 500 ||
	{ fail "service starts"; finish; }
wait_for "node series" 10 sh -c "curl -s $SVC_URL/metrics | grep -q '^node_hwmon_chip_names'"
cp -a "$BOARDS/powermon/sys/devices/LNXSYSTM:00" "$ROOT2/sys/devices/"
ln -s "../../devices/LNXSYSTM:00/LNXSYBUS:00/ACPI000D:00/hwmon/hwmon1" "$ROOT2/sys/class/hwmon/hwmon7"
late='node_hwmon_power_average_watt{chip="lnxsybus:00_acpi000d:00",sensor="power1"} 185'
check "its series show within the rescan interval" wait_for "late chip" 10 sh -c "curl -s $SVC_URL/metrics | grep -qF '$late'"
rm "$ROOT2/sys/class/hwmon/hwmon7"
check "and go when it goes" wait_for "chip gone" 10 sh -c "! curl -s $SVC_URL/metrics | grep -q 'acpi000d'"
assert_match "the others stay" '^node_hwmon_temp_celsius\{chip="coretemp",sensor="temp1"\} 27$' "$(http_body /metrics)"
check "stops cleanly" stop_service

echo "-- node-families=false: no node_hwmon_* or node_thermal_zone_* series, sensor_* unchanged"
start_service --simulate=false --sysfs-root "$BOARDS/pc" --node-families=false || { fail "service starts"; finish; }
wait_for "first reads" 10 metric_above 'sensor_channel_readings_total{channel="coretemp_package_id_0"}' 0
m=$(http_body /metrics)
assert_no_match "the flag: no node_hwmon_ series" '^node_(hwmon|thermal_zone)_' "$m"
assert_match "sensor_value stays" '^sensor_value\{channel="coretemp_package_id_0",unit="celsius"\} 27$' "$m"
check "stops cleanly" stop_service
SENSOR_NODE_FAMILIES=0 start_service --simulate=false --sysfs-root "$BOARDS/pc" || { fail "service starts"; finish; }
wait_for "first reads" 10 metric_above 'sensor_channel_readings_total{channel="coretemp_package_id_0"}' 0
assert_no_match "the environment: no node_hwmon_ series" '^node_(hwmon|thermal_zone)_' "$(http_body /metrics)"
check "stops cleanly" stop_service
finish
