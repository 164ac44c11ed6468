#!/usr/bin/env bash
# test_sources.sh - real sensors end to end: --list-sensors on the fixture
# sysfs tree, channel config errors, one channel of each source kind in
# the running service, values following the fixture, a device that
# disappears (and comes back as another hwmonN), and good, malformed and
# flooding push input over the Unix socket and UDP.
source "$(dirname "$0")/lib/lib.sh"

FIXTURE=$(cd "$(dirname "$0")/../fixtures/sysfs" && pwd)
ROOT=$TEST_TMP/sysfs
mkdir -p "$ROOT" && cp -a "$FIXTURE/." "$ROOT/"
HW2=$ROOT/sys/devices/platform/coretemp.0/hwmon/hwmon2
ADC="$ROOT/sys/devices/platform/ads1015/iio:device0"
W1=$ROOT/sys/bus/w1/devices/28-000000000001/temperature
PUSH_SOCK=$TEST_TMP/push.sock

# push.py unix PATH TEXT | udp PORT TEXT | flood PATH SECONDS
cat >"$TEST_TMP/push.py" <<'PY'
import socket, sys, time
mode, where = sys.argv[1], sys.argv[2]
if mode == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(sys.argv[3].encode(), ("127.0.0.1", int(where)))
elif mode == "unix":
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.sendto(sys.argv[3].encode(), where)
else:  # flood: as fast as the socket takes it, never blocking
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.setblocking(False)
    msg, sent, end = b"outside 1\n" * 20, 0, time.time() + float(sys.argv[3])
    while time.time() < end:
        try:
            s.sendto(msg, where); sent += 1
        except BlockingIOError:
            time.sleep(0.0005)
    print(sent)
PY
push() { python3 "$TEST_TMP/push.py" "$@"; }

free_udp_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 30000))
		if ! ss -Huln "sport = :$p" 2>/dev/null | grep -q .; then echo "$p"; return 0; fi
	done
	return 1
}

value_is() { [ "$(metric_value "$1")" = "$2" ]; }

echo "-- --list-sensors"
out=$("$SENSOR_BIN" --list-sensors --sysfs-root "$ROOT"); rc=$?
assert_eq "--list-sensors exits 0" 0 "$rc"
assert_match "lists an hwmon sensor with its label" 'hwmon2 +chip=coretemp  sensor=temp1  label=Package id 0  45 celsius' "$out"
assert_match "lists an hwmon sensor without a label" 'hwmon3 +chip=nct6775  sensor=in0  1.104 volts' "$out"
assert_match "lists thermal zones by type" 'thermal_zone1 +type=x86_pkg_temp  46 celsius' "$out"
assert_match "lists iio channels, scaled" 'iio:device0 +device=ads1015  channel=in_temp  20 celsius' "$out"
out=$("$SENSOR_BIN" --list-sensors --sysfs-root "$TEST_TMP/nothing"); rc=$?
assert_eq "--list-sensors on an empty root exits 0" 0 "$rc"
assert_match "and says what it could not read" "cannot read $TEST_TMP/nothing/sys/class/hwmon" "$out"

echo "-- channel configuration errors"
bad_config() { # bad_config "description" regex config-text
	printf '%s\n' "$3" >"$TEST_TMP/bad.conf"
	local o r
	o=$("$SENSOR_BIN" --config "$TEST_TMP/bad.conf" --print-config 2>&1); r=$?
	assert_eq "$1: exit 2" 2 "$r"
	assert_match "$1: one clear line" "$2" "$o"
}
bad_config "unknown key" "unknown key 'chipp' in group \\[channel cpu\\]" $'[channel cpu]\nsource=hwmon\nchipp=coretemp\nsensor=temp1'
bad_config "key of another source" "\\[channel z\\]: key 'chip' does not apply to source 'thermal'" $'[channel z]\nsource=thermal\ntype=acpitz\nchip=x'
bad_config "reserved label" "label name 'channel' is reserved" $'[channel z]\nsource=thermal\ntype=acpitz\nlabels=channel=x'
bad_config "bad label name" "label name 'rack-3' must match" $'[channel z]\nsource=thermal\ntype=acpitz\nlabels=rack-3=x'
bad_config "push without an input" "channel 'p' has source=push, but neither 'push-socket' nor 'push-udp-port' is set" $'[channel p]\nsource=push'
many=$(for i in $(seq 0 256); do printf '[channel c%d]\nsource=simulated\n' "$i"; done)
bad_config "channel cap" "too many channels: at most 256" "$many"

echo "-- one channel of each source"
UDP_PORT=$(free_udp_port)
cat >"$TEST_TMP/sources.conf" <<CONF
[worker]
push-socket=$PUSH_SOCK
push-udp-port=$UDP_PORT
push-rate=200
push-max-per-tick=32

[channel cpu]
source=hwmon
chip=coretemp
label=Package id 0
labels=room=lab,rack=3

[channel board]
source=hwmon
chip=nct6775
sensor=temp1

[channel zone]
source=thermal
type=x86_pkg_temp
interval-ms=100

[channel adc]
source=iio
device=ads1015
channel=in_voltage0

[channel w1]
source=file
path=/sys/bus/w1/devices/28-000000000001/temperature
scale=0.001
unit=celsius

[channel outside]
source=push
unit=celsius

[channel shaker]
source=simulated
kind=vibration

[channel ghost]
source=hwmon
chip=k10temp
sensor=temp1
CONF
start_service --config "$TEST_TMP/sources.conf" --sysfs-root "$ROOT" --sample-interval-ms 50 \
	--process-interval-ms 500 || { fail "service starts with real sources"; finish; }
pass "service starts with one channel of each source"
# Every channel's first reading, not just one: zone reads every 100 ms.
wait_for "first reading of w1" 5 value_is 'sensor_value{channel="w1",unit="celsius"}' 21.5
wait_for "first reading of cpu" 3 value_is 'sensor_value{channel="cpu",unit="celsius",room="lab",rack="3"}' 45
wait_for "first reading of board" 3 value_is 'sensor_value{channel="board",unit="celsius"}' 31
wait_for "first reading of zone" 3 value_is 'sensor_value{channel="zone",unit="celsius"}' 46
wait_for "first reading of adc" 3 value_is 'sensor_value{channel="adc",unit="volts"}' 1.65
wait_for "first reading of shaker" 3 metric_above 'sensor_channel_readings_total{channel="shaker"}' 0
assert_eq "hwmon by label, constant labels" 45 "$(metric_value 'sensor_value{channel="cpu",unit="celsius",room="lab",rack="3"}')"
assert_eq "hwmon by sensor" 31 "$(metric_value 'sensor_value{channel="board",unit="celsius"}')"
assert_eq "thermal by type" 46 "$(metric_value 'sensor_value{channel="zone",unit="celsius"}')"
assert_eq "iio scaled to volts" 1.65 "$(metric_value 'sensor_value{channel="adc",unit="volts"}')"
assert_eq "file with scale" 21.5 "$(metric_value 'sensor_value{channel="w1",unit="celsius"}')"
assert_eq "push channel has no reading yet" NaN "$(metric_value 'sensor_value{channel="outside",unit="celsius"}')"
check "simulated channel reads" metric_above 'sensor_channel_readings_total{channel="shaker"}' 0
assert_eq "source info" 1 "$(metric_value 'sensor_channel_info{channel="adc",source="iio"}')"
assert_eq "a device missing at start: / stays 200" 200 "$(http_status /)"
check "a device missing at start is a warning" grep -q "worker warn: channel ghost: no hwmon chip named 'k10temp'" "$SVC_LOG"
check "and its reads are counted as missing" metric_above 'sensor_read_errors_total{channel="ghost",reason="missing"}' 0
wait_for "window statistics" 5 metric_above 'sensor_window_value{channel="cpu",stat="max",room="lab",rack="3"}' 0
assert_eq "window p95 of a steady channel" 45 "$(metric_value 'sensor_window_value{channel="cpu",stat="p95",room="lab",rack="3"}')"
check "vibration spectrum of the simulated channel" metric_above 'sensor_vibration_dominant_frequency_hertz{channel="shaker"}' 0
http_body /metrics >"$TEST_TMP/m1"
for fam in sensor_read_errors_total:counter sensor_push_messages_total:counter sensor_channel_info:gauge; do
	name=${fam%%:*}; type=${fam##*:}
	check "family $name has HELP" grep -q "^# HELP $name " "$TEST_TMP/m1"
	check "family $name is a $type" grep -qx "# TYPE $name $type" "$TEST_TMP/m1"
done
out=$(promtool_check <"$TEST_TMP/m1" 2>&1); rc=$?
assert_eq "promtool check metrics accepts the output ($out)" 0 "$rc"
echo "   /metrics for the configured channels:"
grep -E '^sensor_(value|read_errors_total\{channel="(cpu|ghost)"|push_messages_total|window_value\{channel="(cpu|adc)")' "$TEST_TMP/m1" | sed 's/^/     /'

echo "-- values follow the fixture"
echo 52000 >"$HW2/temp1_input"
echo 3300 >"$ADC/in_voltage0_raw"
echo 30500 >"$ROOT/sys/class/thermal/thermal_zone1/temp"
echo 22750 >"$W1"
# The four files were written one after the other: a sampling tick may fall
# between two writes, so wait for every value, not just the first.
wait_for "hwmon follows" 3 value_is 'sensor_value{channel="cpu",unit="celsius",room="lab",rack="3"}' 52
wait_for "iio follows" 3 value_is 'sensor_value{channel="adc",unit="volts"}' 3.3
wait_for "thermal follows" 3 value_is 'sensor_value{channel="zone",unit="celsius"}' 30.5
wait_for "file follows" 3 value_is 'sensor_value{channel="w1",unit="celsius"}' 22.75
assert_eq "hwmon follows" 52 "$(metric_value 'sensor_value{channel="cpu",unit="celsius",room="lab",rack="3"}')"
assert_eq "iio follows" 3.3 "$(metric_value 'sensor_value{channel="adc",unit="volts"}')"
assert_eq "thermal follows" 30.5 "$(metric_value 'sensor_value{channel="zone",unit="celsius"}')"
assert_eq "file follows" 22.75 "$(metric_value 'sensor_value{channel="w1",unit="celsius"}')"

echo "-- a device disappears, then comes back as another hwmonN"
# The worker that sees the device go: taken now, not at start (a slow
# start may not have named it yet).
wpid=$(running_child_pid worker)
restarts=$(metric_value 'sensor_child_restarts_total{child="worker"}')
rm "$ROOT/sys/class/hwmon/hwmon3"
wait_for "missing reads counted" 3 metric_above 'sensor_read_errors_total{channel="board",reason="missing"}' 2
check "missing reads are counted" metric_above 'sensor_read_errors_total{channel="board",reason="missing"}' 2
assert_eq "the value is NaN while it is gone" NaN "$(metric_value 'sensor_value{channel="board",unit="celsius"}')"
assert_eq "/ stays 200" 200 "$(http_status /)"
assert_eq "the worker was not restarted" "$wpid" "$(running_child_pid worker)"
assert_eq "nor any worker" "$restarts" "$(metric_value 'sensor_child_restarts_total{child="worker"}')"
assert_eq "the failure is logged once, not per read" 1 "$(grep -c "^sensor-service\[$wpid\] worker warn: channel board:" "$SVC_LOG")"
echo garbage >"$W1"
wait_for "parse errors counted" 3 metric_above 'sensor_read_errors_total{channel="w1",reason="parse"}' 0
check "garbage is counted as parse errors" metric_above 'sensor_read_errors_total{channel="w1",reason="parse"}' 0
ln -s ../../devices/platform/nct6775.656/hwmon/hwmon3 "$ROOT/sys/class/hwmon/hwmon7"
echo 21000 >"$W1"
wait_for "board back" 3 value_is 'sensor_value{channel="board",unit="celsius"}' 31
assert_eq "found again by chip name under hwmon7" 31 "$(metric_value 'sensor_value{channel="board",unit="celsius"}')"
check "recovery is logged" grep -q "channel board: reading again from .*/hwmon7/temp1_input" "$SVC_LOG"
wait_for "the file reads again" 3 value_is 'sensor_value{channel="w1",unit="celsius"}' 21
assert_eq "the file reads again" 21 "$(metric_value 'sensor_value{channel="w1",unit="celsius"}')"

echo "-- push input"
check "push socket exists" test -S "$PUSH_SOCK"
assert_eq "its permissions are push-socket-mode's default (0660), not the umask's" 660 "$(stat -c %a "$PUSH_SOCK")"
push unix "$PUSH_SOCK" "outside 12.5"
wait_for "push over the Unix socket" 3 value_is 'sensor_value{channel="outside",unit="celsius"}' 12.5
assert_eq "push over the Unix socket" 12.5 "$(metric_value 'sensor_value{channel="outside",unit="celsius"}')"
push udp "$UDP_PORT" "outside 13.5 $(date +%s)"
wait_for "push over UDP" 3 value_is 'sensor_value{channel="outside",unit="celsius"}' 13.5
assert_eq "push over UDP with a timestamp" 13.5 "$(metric_value 'sensor_value{channel="outside",unit="celsius"}')"
push unix "$PUSH_SOCK" $'outside twelve\nnope 1\ncpu 99'
wait_for "bad lines counted" 3 value_is 'sensor_push_messages_total{result="unknown_channel"}' 2
assert_eq "malformed line counted" 1 "$(metric_value 'sensor_push_messages_total{result="malformed"}')"
assert_eq "unknown and non-push channels counted" 2 "$(metric_value 'sensor_push_messages_total{result="unknown_channel"}')"
assert_eq "accepted lines counted" 2 "$(metric_value 'sensor_push_messages_total{result="accepted"}')"
assert_eq "a pushed name never reaches a polled channel" 52 "$(metric_value 'sensor_value{channel="cpu",unit="celsius",room="lab",rack="3"}')"
fpid=$(running_child_pid worker)
rss1=$(metric_value 'sensor_process_resident_memory_bytes{process="worker"}')
sent=$(push flood "$PUSH_SOCK" 2)
echo "   flood: $sent datagrams of 20 lines in 2 s"
sleep 1 # the supervisor samples its children's RSS every 500 ms
over=$(metric_value 'sensor_push_messages_total{result="over_rate"}')
acc=$(metric_value 'sensor_push_messages_total{result="accepted"}')
assert_gt "flooding is counted as over_rate" "${over:-0}" 100
check "accepted lines stay within the rate (200/s, 1 s burst): $acc" awk -v a="$acc" 'BEGIN { exit !(a <= 2 + 200 * 4) }'
rss2=$(metric_value 'sensor_process_resident_memory_bytes{process="worker"}')
# both RSS figures are one worker's: the one that took the flood runs still
assert_eq "the worker that took the flood still runs" "$fpid" "$(running_child_pid worker)"
check "worker memory does not grow with the flood ($rss1 -> $rss2)" awk -v a="$rss1" -v b="$rss2" 'BEGIN { exit !(b < a + 1048576) }'
assert_eq "/ stays 200 after the flood" 200 "$(http_status /)"
assert_eq "the worker was never restarted" 0 "$(metric_value 'sensor_child_restarts_total{child="worker"}')"

echo "-- stop"
stop_service; rc=$?
assert_eq "SIGTERM: exit status 0" 0 "$rc"
check "push socket removed" test ! -e "$PUSH_SOCK"

finish
