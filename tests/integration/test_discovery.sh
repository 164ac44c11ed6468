#!/usr/bin/env bash
# test_discovery.sh - sensors found without configuration, on fixture
# trees of real boards (tests/fixtures/boards): --list-sensors shows the
# channels the service then exports, under the same names and values; two
# chips of one name get distinct names; [discovery] patterns filter; a chip
# that goes away turns NaN and is counted, and is read again when it comes
# back; the kernel's limits, alarm flags and trip points are exported; a machine without sensors samples a simulated set and says so;
# channels=N and --simulate ask for the simulated set; a chip that appears
# after the start is sampled within the rescan interval; configured
# channels come first and discovery adds the rest (a file read by both
# once, names told apart, configured first at the 256-channel cap), and
# discovery=false in its three spellings leaves the configured only; a
# thermal zone and the hwmon device it registered (Raspberry Pi- and
# Rockchip-like trees) are one channel.
source "$(dirname "$0")/lib/lib.sh"

BOARDS=$(cd "$(dirname "$0")/../fixtures/boards" && pwd)
ROOT=$TEST_TMP/pc
mkdir -p "$ROOT" && cp -a "$BOARDS/pc/." "$ROOT/"
NVME=$ROOT/sys/class/hwmon/hwmon2

# names of the "channels sampled" section of --list-sensors
# (a twin's line, "NAME twin of CHANNEL: ...", is not a channel)
listed() { "$SENSOR_BIN" --list-sensors "$@" 2>/dev/null | sed -n '/^channels sampled/,$p' | awk 'NR > 1 && $2 != "twin" { print $1 }'; }
# channel names of sensor_value in /metrics
exported() { http_body /metrics | sed -n 's/^sensor_value{channel="\([^"]*\)".*/\1/p'; }
# promtool_accepts "description" PAGE: the page passes promtool's lint.
promtool_accepts() {
	if ! command -v promtool >/dev/null; then
		skip "promtool not installed: page format not checked"
		return
	fi
	local out rc
	out=$(printf '%s\n' "$2" | promtool_check 2>&1); rc=$?
	assert_eq "$1 ($out)" 0 "$rc"
}

echo "-- a PC: coretemp, nvme, acpitz, two acpitz zones and x86_pkg_temp"
# acpitz_temp1 and acpitz_temp2, the hwmon device the acpitz zones
# registered, are the zones' twins: one channel per sensor
want="coretemp_package_id_0 coretemp_core_0 coretemp_core_4 nvme_composite thermal_acpitz_0 thermal_acpitz_1 thermal_x86_pkg_temp"
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
assert_match "the log says what was found" "discovered 7 sensors under $ROOT" "$(cat "$SVC_LOG")"

echo "-- the kernel's limits, alarms and trip points"
m=$(http_body /metrics)
assert_match "hwmon limits, in the channel's unit" '^sensor_limit\{channel="nvme_composite",unit="celsius",limit="min"\} -40.15$' "$m"
assert_match "crit" '^sensor_limit\{channel="coretemp_core_4",unit="celsius",limit="crit"\} 100$' "$m"
assert_match "alarm files present, clear" '^sensor_alarm\{channel="coretemp_package_id_0",alarm="crit"\} 0$' "$m"
assert_match "thermal trip points with their type" '^sensor_trip_point\{channel="thermal_acpitz_1",unit="celsius",trip="0",type="critical"\} 105$' "$m"
assert_no_match "no limit the sensor lacks (a zone without an hwmon twin)" 'sensor_limit\{channel="thermal_x86_pkg_temp",unit="celsius",limit="crit"\}' "$m"
assert_match "a zone carries its hwmon twin's limits" '^sensor_limit\{channel="thermal_acpitz_1",unit="celsius",limit="crit"\} 105$' "$m"
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

# twin_board NAME ZONES... : each zone of the board and the hwmon sensor it
# registered are one channel, the zone's, which --list-sensors shows with
# its twin, and which carries the zone's trip points and the hwmon limits
twin_board() {
	local board=$1 zone name out m; shift
	out=$("$SENSOR_BIN" --list-sensors --simulate=false --sysfs-root "$BOARDS/$board" 2>/dev/null)
	start_service --simulate=false --sysfs-root "$BOARDS/$board" --limits-interval-ms 200 || { fail "service starts"; return; }
	wait_for "first reads" 10 metric_above "sensor_channel_readings_total{channel=\"thermal_$1\"}" 0
	sleep 0.5
	m=$(http_body /metrics)
	for zone in "$@"; do
		name=${zone}_temp1 # the hwmon name: the zone's type with '_' for '-'
		assert_match "$board: --list-sensors shows $name as the twin of thermal_$zone" \
			"  $name +twin of thermal_$zone: the hwmon sensor /sys/devices/virtual/thermal/thermal_zone[0-9]+/hwmon[0-9]+/temp1_input" "$out"
		assert_no_match "$board: $name is not sampled twice" "^sensor_value\\{channel=\"$name\"" "$m"
		assert_match "$board: thermal_$zone carries the hwmon crit limit" \
			"^sensor_limit\\{channel=\"thermal_$zone\",unit=\"celsius\",limit=\"crit\"\\} [0-9]+$" "$m"
		assert_match "$board: and the zone's trip points" \
			"^sensor_trip_point\\{channel=\"thermal_$zone\",unit=\"celsius\",trip=\"0\",type=\"[a-z]+\"\\} [0-9]+$" "$m"
	done
	check "$board: stops cleanly" stop_service
}

echo "-- a Raspberry Pi 4: the CPU zone and its hwmon twin"
assert_eq "one channel for the zone and the hwmon device it registered" "thermal_cpu_thermal" \
	"$(listed --simulate=false --sysfs-root "$BOARDS/rpi4" | xargs)"
twin_board rpi4 cpu_thermal

echo "-- a Rockchip board: CPU and GPU zones with their hwmon twins, a fan"
assert_eq "one channel per sensor" "pwmfan_fan1 thermal_cpu_thermal thermal_gpu_thermal" \
	"$(listed --simulate=false --sysfs-root "$BOARDS/rockchip" | xargs)"
twin_board rockchip cpu_thermal gpu_thermal

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

echo "-- configured channels beside discovery"
PC=$TEST_TMP/pc-again # the PC as it was, before the hot-plug above
mkdir -p "$PC" && cp -a "$BOARDS/pc/." "$PC/"
cat >"$TEST_TMP/beside.conf" <<CONF
[worker]
sysfs-root=$PC
[channel outside]
source=simulated
kind=temperature
[channel coretemp_core_0]
source=simulated
kind=humidity
[channel ssd]
source=file
path=/sys/class/hwmon/hwmon2/temp1_input
scale=0.001
CONF
beside="outside coretemp_core_0 ssd coretemp_package_id_0 coretemp_core_0_2 coretemp_core_4 thermal_acpitz_0 thermal_acpitz_1 thermal_x86_pkg_temp"
assert_eq "configured first, then what discovery found: a name taken is told apart, the file a configured channel reads is not sampled twice" \
	"$beside" "$(listed --simulate=false --config "$TEST_TMP/beside.conf" | xargs)"
start_service --simulate=false --config "$TEST_TMP/beside.conf" || { fail "service starts"; finish; }
wait_for "first reads" 10 metric_above 'sensor_channel_readings_total{channel="thermal_x86_pkg_temp"}' 0
assert_eq "the service samples the same" "$beside" "$(exported | xargs)"
assert_eq "the configured channel reads the nvme sensor" 32.85 "$(metric_value 'sensor_value{channel="ssd",unit=""}')"
assert_match "the log says which discovered sensor a configured channel reads" \
	"sensor nvme_composite: read by the configured channel ssd" "$(cat "$SVC_LOG")"
assert_match "and what was found beside the configured" \
	"discovered 7 sensors under $PC \(include \*, exclude none\) beside 3 configured channels: 6 sampled, 1 read by a configured channel" \
	"$(cat "$SVC_LOG")"
check "stops cleanly" stop_service

configured_only="outside coretemp_core_0 ssd"
assert_eq "discovery=false in the file: the configured channels only" "$configured_only" \
	"$(printf '[discovery]\ndiscovery=false\n' | cat "$TEST_TMP/beside.conf" - >"$TEST_TMP/off.conf" &&
		listed --simulate=false --config "$TEST_TMP/off.conf" | xargs)"
assert_eq "--discovery=false" "$configured_only" \
	"$(listed --simulate=false --discovery=false --config "$TEST_TMP/beside.conf" | xargs)"
assert_eq "SENSOR_DISCOVERY=false" "$configured_only" \
	"$(SENSOR_DISCOVERY=false listed --simulate=false --config "$TEST_TMP/beside.conf" | xargs)"
assert_eq "--simulate with configured channels: those only, no discovery" "$configured_only" \
	"$(listed --simulate --config "$TEST_TMP/beside.conf" | xargs)"
assert_eq "discovery=false and nothing configured: the simulated set" "temperature humidity vibration" \
	"$(listed --simulate=false --discovery=false --sysfs-root "$PC" | xargs)"

printf '[worker]\nsysfs-root=%s\n[channel a]\nsource=hwmon\nchip=nvme\nsensor=temp1\n[channel b]\nsource=file\npath=/sys/class/hwmon/hwmon2/temp1_input\n' \
	"$PC" >"$TEST_TMP/twice.conf"
out=$("$SENSOR_BIN" --list-sensors --simulate=false --config "$TEST_TMP/twice.conf" 2>&1)
assert_match "two configured channels on one file: --list-sensors shows them as twins" \
	"  b +twin of a: the same file .*/hwmon2/temp1_input, configured twice, sampled twice" "$out"
assert_match "and the log says so" "warn: channels a and b read the same file .*/hwmon2/temp1_input: the same sensor, sampled twice" "$out"
assert_eq "nvme_composite is not a third" "a b coretemp_package_id_0 coretemp_core_0 coretemp_core_4 thermal_acpitz_0 thermal_acpitz_1 thermal_x86_pkg_temp" \
	"$(listed --simulate=false --config "$TEST_TMP/twice.conf" | xargs)"

echo "-- the 256-channel cap: configured channels first"
{
	printf '[worker]\nsysfs-root=%s\n' "$PC"
	for i in $(seq -w 1 254); do printf '[channel sim%s]\nsource=simulated\nkind=temperature\n' "$i"; done
} >"$TEST_TMP/cap.conf"
out=$("$SENSOR_BIN" --list-sensors --simulate=false --config "$TEST_TMP/cap.conf" 2>&1)
names=$(printf '%s\n' "$out" | sed -n '/^channels sampled/,$p' | awk 'NR > 1 { print $1 }')
assert_eq "256 channels" 256 "$(printf '%s\n' "$names" | wc -l)"
assert_eq "the 254 configured first, then the first two found" "sim001 sim254 coretemp_package_id_0 coretemp_core_0" \
	"$(printf '%s\n' "$names" | sed -n '1p; 254,256p' | xargs)"
assert_eq "the sensors left out counted, in one line" 1 \
	"$(printf '%s\n' "$out" | grep -c '5 discovered sensors left out: 256 channels at most, configured ones first')"

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
