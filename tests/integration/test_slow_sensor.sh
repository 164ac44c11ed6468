#!/usr/bin/env bash
# test_slow_sensor.sh - a slow or stuck sensor cannot hang the worker.
# A FUSE file system (slowfs.py) serves sensor files whose reads take
# one second or never return, as sensors on a slow or hung bus do. With
# them configured beside a fast file and a simulated channel, the worker
# keeps its heartbeat, the other channels keep their intervals, the slow
# one reads with its duration shown, the stuck one is counted as timeouts
# with a NaN value, holding one reader thread and no more, and the
# supervisor restarts nothing. Skipped where FUSE cannot be mounted.
source "$(dirname "$0")/lib/lib.sh"
source "$(dirname "$0")/lib/slowfs_lib.sh"

ROOT=$TEST_TMP/root
MNT=$ROOT/bus

slowfs_usable "slow sensors"
if ! slowfs_start "$MNT"; then
	skip "FUSE cannot be mounted here ($(head -c 200 "$TEST_TMP/slowfs.log")): slow sensors not tested"
	finish
fi

cat >"$TEST_TMP/slow.conf" <<CONF
[worker]
sysfs-root=$ROOT
read-timeout-ms=1500
[supervisor]
heartbeat-timeout-ms=2000
[channel fast]
source=file
path=/bus/fast
interval-ms=100
[channel slow]
source=file
path=/bus/slow
interval-ms=200
[channel stuck]
source=file
path=/bus/stuck
interval-ms=200
[channel sim]
source=simulated
kind=temperature
interval-ms=100
CONF

echo "-- a 1 s read and a read that never returns, beside a fast file and a simulated channel"
start_service --config "$TEST_TMP/slow.conf" || { fail "service starts"; finish; }
wpid=$(child_pid worker)
# what is counted over the window (after the first reads were handed out)
sleep 1
readings() { metric_value "sensor_channel_readings_total{channel=\"$1\"}"; }
fast0=$(readings fast) sim0=$(readings sim) slow0=$(readings slow)
stuck0=$(metric_value 'sensor_read_errors_total{channel="stuck",reason="timeout"}')
max_age=0 window=6
end=$((SECONDS + window))
while [ $SECONDS -lt $end ]; do
	age=$(metric_value sensor_worker_heartbeat_age_seconds)
	max_age=$(awk -v a="$age" -v m="$max_age" 'BEGIN { print (a > m) ? a : m }')
	sleep 0.2
done
fast1=$(readings fast) sim1=$(readings sim) slow1=$(readings slow)
stuck1=$(metric_value 'sensor_read_errors_total{channel="stuck",reason="timeout"}')
echo "  (over ${window}s: fast $((fast1 - fast0)), sim $((sim1 - sim0)), slow $((slow1 - slow0)) readings;" \
	"stuck timeouts $stuck0 -> $stuck1; heartbeat age at most ${max_age}s)"

assert_gt "the heartbeat stays fresh (max age ${max_age}s < 1s)" 1 "$max_age"
# 100 ms intervals: 10 a second; allow a loaded machine a quarter less
assert_gt "the fast file keeps its 100 ms interval" "$((fast1 - fast0))" $((window * 10 * 3 / 4))
assert_gt "the simulated channel keeps its 100 ms interval" "$((sim1 - sim0))" $((window * 10 * 3 / 4))
assert_gt "the 1 s file is read about once a second" "$((slow1 - slow0))" $((window / 2))
assert_eq "the 1 s file is within its budget: no timeout" 0 \
	"$(metric_value 'sensor_read_errors_total{channel="slow",reason="timeout"}')"
assert_eq "the 1 s file reads its value" 42000 "$(metric_value 'sensor_value{channel="slow",unit=""}')"
d=$(metric_value 'sensor_read_duration_seconds{channel="slow"}')
check "the 1 s file's read duration is shown ($d s)" awk -v d="$d" 'BEGIN { exit !(d >= 0.9 && d < 1.5) }'
assert_gt "the fast file's read duration is short" 0.5 "$(metric_value 'sensor_read_duration_seconds{channel="fast"}')"
assert_gt "the stuck file is counted as timeouts, at its interval" "$((stuck1 - stuck0))" $((window * 5 / 2))
assert_eq "the stuck file's value is NaN" NaN "$(metric_value 'sensor_value{channel="stuck",unit=""}')"
assert_gt "the stuck file's duration grows past its budget" \
	"$(metric_value 'sensor_read_duration_seconds{channel="stuck"}')" 1.5
assert_eq "the stuck read's other reasons stay 0" 0 \
	"$(metric_value 'sensor_read_errors_total{channel="stuck",reason="io"}')"
# the reader pool: 2 threads (reader-threads) plus one in place of each
# read that holds one longer than a tick: the stuck read, and the 1 s read
# while it is out; beside them the sampling and processing threads
held=$(metric_value sensor_reader_threads_held)
check "the stuck read (and the 1 s read while out) hold reader threads ($held)" test "$held" -ge 1 -a "$held" -le 2
tasks=$(ls "/proc/$wpid/task" | wc -l)
check "the worker runs its sampling and processing threads and at most 4 readers ($tasks tasks)" \
	test "$tasks" -le 6
assert_eq "the worker was never restarted" 0 "$(metric_value 'sensor_child_restarts_total{child="worker"}')"
assert_eq "same pid" "$wpid" "$(child_pid worker)"
assert_eq "health is ok" 200 "$(http_status /)"
assert_eq "the timeout is logged once" 1 \
	"$(grep -cE 'channel stuck: read still not returned after [0-9]+ ms \(budget 1500 ms\) \(timeout\)' "$SVC_LOG")"

stop_fuse
check "the service stops cleanly once the bus lets go" stop_service

echo "-- a large board: 248 sensor files and 8 stuck on the bus, the reader pool at its defaults"
slowfs_start "$MNT" || { fail "slowfs mounts again"; finish; }
mkdir -p "$ROOT/files"
{
	printf '[worker]\nsysfs-root=%s\nsample-interval-ms=250\nread-timeout-ms=500\n' "$ROOT"
	for i in 0 1 2 3 4 5 6 7; do printf '[channel stuck%s]\nsource=file\npath=/bus/stuck%s\n' "$i" "$i"; done
	for i in $(seq -w 0 247); do
		echo $((20000 + 10#$i)) >"$ROOT/files/h$i"
		printf '[channel h%s]\nsource=file\npath=/files/h%s\n' "$i" "$i"
	done
} >"$TEST_TMP/board.conf"
# node_exporter's families off: their thread, which lives only where the
# machine has hwmon chips or thermal zones, is not what this counts
start_service --config "$TEST_TMP/board.conf" --node-families=false || { fail "service starts"; finish; }
wpid=$(child_pid worker)
# 2 reader threads and one in place of each of the 8 held: 10, the default
# reader-threads-max; with the sampling and processing threads, 12 tasks
worker_tasks() { ls "/proc/$wpid/task" | wc -l; }
pool_full() { [ "$(worker_tasks)" -ge 12 ]; }
check "the pool grows to its bound, one thread per stuck read and the two of its size" \
	wait_for "12 worker tasks" 30 pool_full
sleep 1
healthy_readings() {
	http_body /metrics | awk '$1 ~ /^sensor_channel_readings_total\{channel="h[0-9]+"\}$/ {
		n = $1; sub(/.*channel="/, "", n); sub(/".*/, "", n); print n, $2 }' | sort
}
healthy_readings >"$TEST_TMP/r0"
stuck0=$(metric_value 'sensor_read_errors_total{channel="stuck3",reason="timeout"}')
max_age=0
end=$((SECONDS + 4))
while [ $SECONDS -lt $end ]; do
	age=$(metric_value sensor_worker_heartbeat_age_seconds)
	max_age=$(awk -v a="$age" -v m="$max_age" 'BEGIN { print (a > m) ? a : m }')
	sleep 0.2
done
healthy_readings >"$TEST_TMP/r1"
stuck1=$(metric_value 'sensor_read_errors_total{channel="stuck3",reason="timeout"}')
assert_eq "248 healthy channels on /metrics" 248 "$(wc -l <"$TEST_TMP/r1")"
# 4 s at 250 ms: 16 readings each; a loaded machine gets 3/4 of them
slow=$(join "$TEST_TMP/r0" "$TEST_TMP/r1" |
	awk '$3 - $2 < 12 { n++; if (!w) w = $1 " " ($3 - $2) } END { print n + 0, w }')
assert_eq "every healthy channel read at its 250 ms interval while 8 hang (slow ones, first: $slow)" 0 "${slow%% *}"
assert_gt "a stuck channel counts a timeout each interval it misses" "$((stuck1 - stuck0))" 11
assert_eq "the 8 stuck reads hold 8 reader threads" 8 "$(metric_value sensor_reader_threads_held)"
assert_eq "the worker's tasks: sampling, processing, 10 readers" 12 "$(worker_tasks)"
assert_eq "no reads wait for a thread" 0 "$(metric_value sensor_reader_reads_waiting)"
assert_gt "the heartbeat stays fresh (max age ${max_age}s < 1s)" 1 "$max_age"
assert_eq "the worker was never restarted" 0 "$(metric_value 'sensor_child_restarts_total{child="worker"}')"
stop_fuse
check "the service stops cleanly once the bus lets go" stop_service
finish
