#!/usr/bin/env bash
# test_sdnotify.sh - the supervisor under a stand-in for systemd's notify
# socket (notify_listener.py), as a Type=notify unit with WatchdogSec=
# sees it: READY=1 once, only when the port answers and both children
# heartbeat; STATUS= lines that follow restarts; WATCHDOG=1 about twice
# per WatchdogSec, none while the supervisor's loop is stopped; STOPPING=1
# on SIGTERM; every message from the supervisor's pid, none from a child;
# a WATCHDOG_USEC out of range (2^63-1, whose nanoseconds overflow; 1,
# which asks for a ping every half microsecond) logged and ignored, with
# the supervisor idle; READY=1 soon after the first beats even with long
# rss-interval-ms and heartbeat-timeout-ms.
source "$(dirname "$0")/lib/lib.sh"

SOCK="$TEST_TMP/notify.sock"
NLOG="$TEST_TMP/notify.log"
pick_port PORT || { fail "free port"; finish; }
python3 "$(dirname "$0")/lib/notify_listener.py" "$SOCK" "$NLOG" "$PORT" &
LISTENER=$!
SVC_PIDS+=("$LISTENER")
wait_for "the notify listener" 5 grep -q listening "$NLOG"

count() { grep -c -- "$1" "$NLOG"; }
SHM=$(new_shm_name)
LOG="$TEST_TMP/service.log"
NOTIFY_SOCKET="$SOCK" WATCHDOG_USEC=1000000 "$SENSOR_BIN" --port "$PORT" --shm-name "$SHM" >"$LOG" 2>&1 &
SVC_PID=$!
SVC_PIDS+=("$SVC_PID")
SVC_URL="http://127.0.0.1:$PORT"

echo "-- READY=1"
wait_for "READY=1" 15 grep -q 'READY=1' "$NLOG" || { fail "READY=1 arrives"; cat "$LOG"; finish; }
pass "READY=1 arrives"
wait_for "the listener's request at READY" 5 grep -q 'http-at-ready=' "$NLOG"
assert_eq "at READY=1 the port answers / with 200" "http-at-ready=200" "$(grep -o 'http-at-ready=.*' "$NLOG" | head -1)"
assert_match "READY=1 comes with a STATUS= naming both children" 'READY=1\|STATUS=worker pid [0-9]+, 0 restarts; exporter pid [0-9]+' "$(grep 'READY=1' "$NLOG")"
sleep 1
assert_eq "READY=1 is sent once" 1 "$(count 'READY=1')"

echo "-- WATCHDOG=1 (WatchdogSec=1s)"
n0=$(count 'WATCHDOG=1')
sleep 3
n1=$(count 'WATCHDOG=1')
assert_gt "about two pings a second ($((n1 - n0)) in 3 s)" $((n1 - n0)) 4
kill -STOP "$SVC_PID"
sleep 0.3 # a ping already in flight may land
n2=$(count 'WATCHDOG=1')
sleep 3
n3=$(count 'WATCHDOG=1')
kill -CONT "$SVC_PID"
assert_eq "no ping while the supervisor's loop is stopped" "$n2" "$n3"
wait_for "pings again after SIGCONT" 5 bash -c "[ \$(grep -c WATCHDOG=1 '$NLOG') -gt $n3 ]"
assert_gt "pings resume after SIGCONT" "$(count 'WATCHDOG=1')" "$n3"

echo "-- STATUS= follows a restart"
wpid=$(pgrep -P "$SVC_PID" -x sensor-worker)
kill -9 "$wpid"
wait_for "a STATUS= with the worker's restart" 10 grep -q 'STATUS=worker pid [0-9]*, 1 restarts' "$NLOG"
assert_match "STATUS= counts the worker's restart" 'STATUS=worker pid [0-9]+, 1 restarts' "$(grep STATUS= "$NLOG" | tail -1)"
assert_eq "still READY=1 only once" 1 "$(count 'READY=1')"

senders=$(grep -o ' pid=[-0-9]*' "$NLOG" | sort -u | tr -d ' ' | tr '\n' ' ')
assert_eq "every message comes from the supervisor itself (NotifyAccess=main)" "pid=$SVC_PID " "$senders"

echo "-- STOPPING=1"
kill -TERM "$SVC_PID"
rc=0
wait "$SVC_PID" || rc=$?
assert_eq "SIGTERM: exit 0" 0 "$rc"
check "STOPPING=1 on the way out" grep -q 'STOPPING=1' "$NLOG"

echo "-- a NOTIFY_SOCKET that cannot work is logged, and the service runs"
SHM2=$(new_shm_name)
NOTIFY_SOCKET=relative/path "$SENSOR_BIN" --port "$PORT" --shm-name "$SHM2" >"$LOG" 2>&1 &
SVC_PID=$!
SVC_PIDS+=("$SVC_PID")
wait_for "the service" 10 curl -sf -o /dev/null "$SVC_URL/" && pass "it serves" || fail "it serves"
check "the warning names the socket" grep -q "systemd notification off: NOTIFY_SOCKET 'relative/path'" "$LOG"
stop_service
assert_eq "and stops cleanly" 0 $?
echo "-- WATCHDOG_USEC out of range: logged and ignored, the loop does not spin"
# cpu_ticks PID : user + system clock ticks the process has used
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
for usec in 9223372036854775807 1; do
	SHM3=$(new_shm_name)
	NOTIFY_SOCKET="$SOCK" WATCHDOG_USEC=$usec "$SENSOR_BIN" --port "$PORT" --shm-name "$SHM3" >"$LOG" 2>&1 &
	SVC_PID=$!
	SVC_PIDS+=("$SVC_PID")
	wait_for "the service" 10 curl -sf -o /dev/null "$SVC_URL/" || fail "WATCHDOG_USEC=$usec: it serves"
	t0=$(cpu_ticks "$SVC_PID" 2>/dev/null)
	sleep 2
	if t1=$(cpu_ticks "$SVC_PID" 2>/dev/null) && [ -n "$t0" ] && [ -n "$t1" ]; then
		hz=$(getconf CLK_TCK)
		echo "  (WATCHDOG_USEC=$usec: the supervisor used $((t1 - t0)) ticks of $((2 * hz)) in 2 s)"
		assert_gt "WATCHDOG_USEC=$usec: the supervisor stays under 5% of a CPU" $((2 * hz / 20)) $((t1 - t0))
	else
		fail "WATCHDOG_USEC=$usec: the supervisor still runs"
	fi
	check "WATCHDOG_USEC=$usec: logged as ignored" grep -q "WATCHDOG_USEC '$usec' is not a number of microseconds" "$LOG"
	assert_eq "WATCHDOG_USEC=$usec: no sanitizer report" "" "$(grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$LOG")"
	stop_service
	assert_eq "WATCHDOG_USEC=$usec: stops cleanly" 0 $?
done
echo "-- READY=1 soon after the children's first beats, whatever the supervisor's other periods"
SHM4=$(new_shm_name)
ready0=$(count 'READY=1')
t0=$(date +%s%N)
NOTIFY_SOCKET="$SOCK" "$SENSOR_BIN" --port "$PORT" --shm-name "$SHM4" --rss-interval-ms 3600000 \
	--heartbeat-timeout-ms 60000 >"$LOG" 2>&1 &
SVC_PID=$!
SVC_PIDS+=("$SVC_PID")
if wait_for "READY=1" 20 bash -c "[ \$(grep -c READY=1 '$NLOG') -gt $ready0 ]"; then
	ms=$((($(date +%s%N) - t0) / 1000000))
	echo "  (READY=1 after $ms ms)"
	assert_le "READY=1 within 5 s of the start (rss-interval-ms 3600000, heartbeat-timeout-ms 60000)" "$ms" 5000
else
	fail "READY=1 arrives with long rss-interval-ms and heartbeat-timeout-ms"
fi
stop_service
assert_eq "and stops cleanly" 0 $?
kill "$LISTENER" && wait "$LISTENER" 2>/dev/null
finish
