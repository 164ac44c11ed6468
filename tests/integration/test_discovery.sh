#!/usr/bin/env bash
# test_discovery.sh - sensors found without configuration, on fixture
# trees of real boards (tests/fixtures/boards): --list-sensors shows the
# channels the service then exports, under the same names and values; two
# chips of one name get distinct names; [discovery] patterns filter; a chip
# that goes away turns NaN and is counted, and is read again when it comes
# back; the kernel's limits, alarm flags and trip points are exported; a machine without sensors samples a simulated set and says so;
# channels=N and --simulate ask for the simulated set; a chip that appears
# after the start is sampled within the rescan interval.
source "$(dirname "$0")/lib.sh"

BOARDS=$(cd "$(dirname "$0")/../fixtures/boards" && pwd)
ROOT=$TEST_TMP/pc
mkdir -p "$ROOT" && cp -a "$BOARDS/pc/." "$ROOT/"
NVME=$ROOT/sys/class/hwmon/hwmon2

# names of the "channels sampled" section of --list-sensors
listed() { "$SENSOR_BIN" --list-sensors "$@" 2>/dev/null | sed -n '/^channels sampled/,$p' | awk 'NR > 1 { print $1 }'; }
# channel names of sensor_value in /metrics
exported() { http_body /metrics | sed -n 's/^sensor_value{channel="\([^"]*\)".*/\1/p'; }
# promtool_accepts "description" PAGE: the page passes promtool's lint.
promtool_accepts() {
	if ! command -v promtool >/dev/null; then
		skip "promtool not installed: page format not checked"
		return
	fi
	local out rc
	out=$(printf '%s\n' "$2" | promtool check metrics 2>&1); rc=$?
	assert_eq "$1 ($out)" 0 "$rc"
}

echo "-- a PC: coretemp, nvme, acpitz, two acpitz zones and x86_pkg_temp"
want="acpitz_temp1 acpitz_temp2 coretemp_package_id_0 coretemp_core_0 coretemp_core_4 nvme_composite thermal_acpitz_0 thermal_acpitz_1 thermal_x86_pkg_temp"
assert_eq "--list-sensors shows every sensor by chip and label" "$want" "$(listed --simulate=false --sysfs-root "$ROOT" | xargs)"
out=$("$SENSOR_BIN" --list-sensors --simulate=false --sysfs-root "$ROOT" 2>/dev/null)
assert_match "with its selector (pinned to its device) and value" 'nvme_composite +source=hwmon  chip=nvme  sensor=temp1  device-path=/sys/devices/pci0000:00/0000:00:1d.0/0000:05:00.0/nvme/nvme0  32.85 celsius' "$out"
assert_match "zones of one type are pinned to theirs" 'thermal_acpitz_1 +source=thermal  type=acpitz  zone=thermal_zone1  29.8 celsius' "$out"
start_service --simulate=false --sysfs-root "$ROOT" --limits-interval-ms 500 || { fail "service starts"; finish; }
wait_for "first reads" 10 metric_above 'sensor_channel_readings_total{channel="thermal_x86_pkg_temp"}' 0
assert_eq "/metrics exports exactly the listed channels" "$want" "$(exported | xargs)"
assert_eq "with their values" 32.85 "$(metric_value 'sensor_value{channel="nvme_composite",unit="celsius"}')"
assert_eq "each from its own zone" 29.8 "$(metric_value 'sensor_value{channel="thermal_acpitz_1",unit="celsius"}')"
assert_eq "and their source" 1 "$(metric_value 'sensor_channel_info{channel="coretemp_core_4",source="hwmon"}')"
assert_match "the log says what was found" "discovered 9 sensors under $ROOT" "$(cat "$SVC_LOG")"

echo "-- the kernel's limits, alarms and trip points"
m=$(http_body /metrics)
assert_match "hwmon limits, in the channel's unit" '^sensor_limit\{channel="nvme_composite",unit="celsius",limit="min"\} -40.15$' "$m"
assert_match "crit" '^sensor_limit\{channel="coretemp_core_4",unit="celsius",limit="crit"\} 100$' "$m"
assert_match "alarm files present, clear" '^sensor_alarm\{channel="coretemp_package_id_0",alarm="crit"\} 0$' "$m"
assert_match "thermal trip points with their type" '^sensor_trip_point\{channel="thermal_acpitz_1",unit="celsius",trip="0",type="critical"\} 105$' "$m"
assert_no_match "no limit the chip lacks" 'sensor_limit\{channel="acpitz_temp1",unit="celsius",limit="max"\}' "$m"
promtool_accepts "promtool accepts the page" "$m"
echo 1 >"$ROOT/sys/devices/platform/coretemp.0/hwmon/hwmon3/temp1_crit_alarm"
check "an alarm the chip raises shows" wait_for "alarm" 15 sh -c "curl -s $SVC_URL/metrics | grep -q '^sensor_alarm{channel=\"coretemp_package_id_0\",alarm=\"crit\"} 1'"
echo 0 >"$ROOT/sys/devices/platform/coretemp.0/hwmon/hwmon3/temp1_crit_alarm"
check "and clears" wait_for "clear" 15 sh -c "curl -s $SVC_URL/metrics | grep -q '^sensor_alarm{channel=\"coretemp_package_id_0\",alarm=\"crit\"} 0'"

echo "-- a chip that goes away, and comes back"
mv "$NVME" "$TEST_TMP/hwmon2.away"
check "its value turns NaN" wait_for "NaN" 10 sh -c "curl -s $SVC_URL/metrics | grep -q '^sensor_value{channel=\"nvme_composite\",unit=\"celsius\"} NaN'"
check "and the failed reads are counted" wait_for "missing" 10 metric_above 'sensor_read_errors_total{channel="nvme_composite",reason="missing"}' 0
assert_eq "the others go on" 27 "$(metric_value 'sensor_value{channel="coretemp_package_id_0",unit="celsius"}')"
mv "$TEST_TMP/hwmon2.away" "$ROOT/sys/class/hwmon/hwmon7" # back, under another number
check "back under another hwmonN: read again" wait_for "value" 10 sh -c "curl -s $SVC_URL/metrics | grep -q '^sensor_value{channel=\"nvme_composite\",unit=\"celsius\"} 32.85'"
check "stops cleanly" stop_service

echo "-- a chip that appears after the start (hot-plug, a module loaded late)"
start_service --simulate=false --sysfs-root "$ROOT" --discovery-rescan-ms 500 || { fail "service starts"; finish; }
wpid=$(child_pid worker)
LM=$ROOT/sys/devices/platform/soc/i2c-1/1-0048/hwmon/hwmon9
mkdir -p "$LM" && echo lm75 >"$LM/name" && echo 31500 >"$LM/temp1_input"
ln -s ../../devices/platform/soc/i2c-1/1-0048/hwmon/hwmon9 "$ROOT/sys/class/hwmon/hwmon9"
check "is sampled within the rescan interval" wait_for "lm75" 10 sh -c "curl -s $SVC_URL/metrics | grep -q '^sensor_value{channel=\"lm75_temp1\",unit=\"celsius\"} 31.5'"
assert_eq "its readings are counted" 1 "$(metric_above 'sensor_channel_readings_total{channel="lm75_temp1"}' 0 && echo 1)"
assert_eq "with its source" 1 "$(metric_value 'sensor_channel_info{channel="lm75_temp1",source="hwmon"}')"
assert_eq "the others keep their names" "$want lm75_temp1" "$(exported | xargs)"
assert_match "the log says so" 'channel lm75_temp1: a new sensor \(lm75\), sampling it' "$(cat "$SVC_LOG")"
assert_eq "without a restart" "$wpid" "$(child_pid worker)"
# Its name in the segment is the worker's, untrusted: bytes that are not
# UTF-8 there drop that channel's series, never the page (the worker is
# stopped meanwhile: it writes the name again at its next rescan).
kill -STOP "$wpid"
python3 - "/dev/shm$SVC_SHM" <<'PY'
import mmap, os, sys
m = mmap.mmap(os.open(sys.argv[1], os.O_RDWR), 0)
at = m.find(b"lm75_temp1\0")
assert at > 0 and m.find(b"lm75_temp1\0", at + 1) < 0, "late name not found exactly once"
m[at + 4] = 0xff
PY
m=$(http_body /metrics)
assert_eq "bad bytes in a late name drop that channel" "$want" "$(exported | xargs)"
promtool_accepts "promtool still accepts the page" "$m"
kill -CONT "$wpid"
check "the worker writes the name again at its next rescan" wait_for "lm75 described again" 10 \
	sh -c "curl -s $SVC_URL/metrics | grep -q '^sensor_value{channel=\"lm75_temp1\",unit=\"celsius\"} 31.5'"
# The late channel lives in a slot the worker filled after the supervisor
# took its copy of the structure: the repair before a restart must leave it.
kill -KILL "$wpid"
worker_replaced() { local p; p=$(child_pid worker) && [ "$p" != "$wpid" ]; }
check "a killed worker is restarted" wait_for "new worker" 15 worker_replaced
check "the new worker samples the late channel again" wait_for "lm75 again" 15 sh -c "curl -s $SVC_URL/metrics | grep -q '^sensor_value{channel=\"lm75_temp1\",unit=\"celsius\"} 31.5'"
assert_eq "the supervisor repaired nothing of it" 0 "$(metric_value sensor_shm_repairs_total)"
assert_eq "the others keep their names after the restart" "$want lm75_temp1" "$(exported | xargs)"
LM2=$ROOT/sys/devices/platform/soc/i2c-1/1-0049/hwmon/hwmon10
mkdir -p "$LM2" && echo lm75 >"$LM2/name" && echo 29000 >"$LM2/temp1_input"
ln -s ../../devices/platform/soc/i2c-1/1-0049/hwmon/hwmon10 "$ROOT/sys/class/hwmon/hwmon10"
check "a second chip of the same name is another channel, named by its device" wait_for "lm75 1-0049" 10 \
	sh -c "curl -s $SVC_URL/metrics | grep -q '^sensor_value{channel=\"lm75_1_0049_temp1\",unit=\"celsius\"} 29'"
assert_eq "the first goes on reading its own chip" 31.5 "$(metric_value 'sensor_value{channel="lm75_temp1",unit="celsius"}')"
rm "$ROOT/sys/class/hwmon/hwmon9"
check "and when it goes again: NaN" wait_for "NaN" 10 sh -c "curl -s $SVC_URL/metrics | grep -q '^sensor_value{channel=\"lm75_temp1\",unit=\"celsius\"} NaN'"
check "counted as missing" wait_for "missing" 10 metric_above 'sensor_read_errors_total{channel="lm75_temp1",reason="missing"}' 0
check "stops cleanly" stop_service

echo "-- two chips of one name, sensors without labels"
want="ina219_curr1 ina219_in0 ina219_in1 ina219_power1 lm75_1_0048_temp1 lm75_1_0049_temp1"
assert_eq "named apart by their device" "$want" "$(listed --simulate=false --sysfs-root "$BOARDS/dup" | xargs)"
start_service --simulate=false --sysfs-root "$BOARDS/dup" || { fail "service starts"; finish; }
wait_for "first reads" 10 metric_above 'sensor_channel_readings_total{channel="lm75_1_0049_temp1"}' 0
assert_eq "each read from its own chip (1-0048)" 31.5 "$(metric_value 'sensor_value{channel="lm75_1_0048_temp1",unit="celsius"}')"
assert_eq "each read from its own chip (1-0049)" 29 "$(metric_value 'sensor_value{channel="lm75_1_0049_temp1",unit="celsius"}')"
assert_eq "units from the hwmon ABI (microwatts to watts)" 2.304 "$(metric_value 'sensor_value{channel="ina219_power1",unit="watts"}')"
check "stops cleanly" stop_service

echo "-- a Raspberry Pi 4"
assert_eq "its hwmon chip and thermal zone" "cpu_thermal_temp1 thermal_cpu_thermal" \
	"$(listed --simulate=false --sysfs-root "$BOARDS/rpi4" | xargs)"

echo "-- [discovery] patterns"
cat >"$TEST_TMP/filter.conf" <<CONF
[worker]
sysfs-root=$ROOT
[discovery]
discovery-include=coretemp_*,nvme_*
discovery-exclude=coretemp_core_*
CONF
assert_eq "include, then exclude" "coretemp_package_id_0 nvme_composite" \
	"$(listed --simulate=false --config "$TEST_TMP/filter.conf" | xargs)"
start_service --simulate=false --config "$TEST_TMP/filter.conf" || { fail "service starts"; finish; }
assert_eq "and the service samples the same" "coretemp_package_id_0 nvme_composite" "$(exported | xargs)"
check "stops cleanly" stop_service

echo "-- no sensor at all"
mkdir -p "$TEST_TMP/bare/sys"
assert_eq "--list-sensors shows the simulated set" "temperature humidity vibration" \
	"$(listed --simulate=false --sysfs-root "$TEST_TMP/bare" | xargs)"
start_service --simulate=false --sysfs-root "$TEST_TMP/bare" || { fail "service starts"; finish; }
assert_eq "the service samples it, marked simulated" 1 \
	"$(metric_value 'sensor_channel_info{channel="temperature",source="simulated"}')"
assert_eq "and says so in one line" 1 "$(grep -c "no hwmon sensor or thermal zone under $TEST_TMP/bare: sampling 3 simulated channels" "$SVC_LOG")"
check "stops cleanly" stop_service

echo "-- the simulated set when asked, sensors or not"
assert_match "channels=2: two simulated channels, no discovery" '^channels sampled  \(2 simulated' \
	"$(SENSOR_CHANNELS=2 "$SENSOR_BIN" --list-sensors --simulate=false --sysfs-root "$ROOT" 2>/dev/null | grep '^channels sampled')"
start_service --simulate --sysfs-root "$ROOT" || { fail "service starts"; finish; }
assert_eq "--simulate: the built-in set" "temperature humidity vibration" "$(exported | xargs)"
check "stops cleanly" stop_service
finish
