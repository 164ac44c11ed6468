#!/usr/bin/env bash
# test_fault_lifecycle.sh - a worker that dies at once on every start
# (capped exponential backoff measured from the log, never a busy loop,
# SIGTERM still prompt during a backoff), and the supervisor's own death
# (children follow it, the port is free, the stale segment is replaced),
# even a worker hung in a busy loop.
source "$(dirname "$0")/lib/faults_lib.sh"
# RSS read every 250 ms: the checks of growth read it 0.6 s after what they measure.
FAST=(--sample-interval-ms 50 --process-interval-ms 500 --rss-interval-ms 250)

echo "-- crash loop: worker:exit:0, backoff 100 ms doubling to 800 ms"
start_stamped "${FAST[@]}" --backoff-min-ms 100 --backoff-max-ms 800 --fault worker:exit:0 ||
	{ fail "service starts"; finish; }
sleep 5
assert_eq "/ answers 503 during the crash loop" 503 "$(http_status /)"
assert_match "/ names the exit status" '"reason":"worker (down \(last exit: exit 3\), restart pending|has not reported since it started)"' "$(http_body /)"
# Pair each death ("... ended (exit 3) after X ms; restarting in D ms")
# with the next start ("started sensor-worker (pid N), G ms after it
# ended"): G is the real delay, measured on the supervisor's own monotonic
# clock (the log's wall-clock stamps are taken by a reader that can itself
# be descheduled for milliseconds).
awk '
	/sensor-worker \(pid [0-9]+\) ended/ { d = $(NF - 1); pending = 1; next }
	/started sensor-worker .* ms after it ended/ && pending { printf "%d %d\n", d, $(NF - 4); pending = 0 }
' "$SVC_LOG" >"$TEST_TMP/delays"
starts=$(grep -c 'started sensor-worker' "$SVC_LOG")
planned=$(awk '{ printf "%s ", $1 }' "$TEST_TMP/delays")
actual=$(awk '{ printf "%s ", $2 }' "$TEST_TMP/delays")
echo "  (in 5 s: $starts starts; planned delays ms: $planned; measured: $actual)"
assert_match "delays double from the minimum to the cap" '^100 200 400 800 800 ' "$planned"
assert_eq "no delay exceeds the cap" 0 "$(awk '$1 > 800' "$TEST_TMP/delays" | wc -l)"
assert_eq "no restart came early (measured >= planned)" 0 "$(awk '$2 < $1' "$TEST_TMP/delays" | wc -l)"
assert_eq "no restart came late (measured <= planned + 100 ms)" 0 "$(awk '$2 > $1 + 100' "$TEST_TMP/delays" | wc -l)"
assert_le "never a busy loop (at most 12 starts in 5 s)" "$starts" 12
assert_gt "it kept trying" "$starts" 5
ex=$(metric 'sensor_child_exits_total{child="worker",reason="exit"}')
assert_gt "exits are counted" "$ex" 4
assert_eq "the exporter was never restarted" 0 "$(metric 'sensor_child_restarts_total{child="exporter"}')"
echo "-- SIGTERM during a backoff"
wait_for "worker in its backoff" 2 bash -c "! pgrep -P $SVC_PID -x sensor-worker"
t0=$(now_s); rc=0
stop_service || rc=$?
took=$(calc "$(now_s) - $t0")
echo "  (supervisor stopped $took s after SIGTERM)"
assert_eq "exit status 0" 0 "$rc"
assert_le "stopped promptly (< 1 s) although a restart was pending" "$took" 1
check_no_sanitizer_reports
check "segment removed" test ! -e "/dev/shm$SVC_SHM"

echo "-- supervisor death: kill -9 the supervisor"
start_stamped "${FAST[@]}" || { fail "service starts"; finish; }
port=$SVC_PORT; shm=$SVC_SHM
wpid=$(child_pid worker); epid=$(child_pid exporter)
gone() { # a pid that no longer runs (a zombie waiting for its new parent counts as gone)
	local st; st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
	[ -z "$st" ] || [ "$st" = Z ]
}
# kill_supervisor WHO : kill -9 the supervisor, wait up to 3 s for $wpid and $epid to be gone
kill_supervisor() {
	local t0; t0=$(now_s)
	kill -9 "$SVC_PID"; wait "$SVC_PID" 2>/dev/null
	wait_for "children follow" 3 bash -c "$(declare -f gone); gone $wpid && gone $epid"
	echo "  ($1 gone $(calc "$(now_s) - $t0") s after the supervisor)"
}
kill_supervisor "worker and exporter"
check "the worker exited (PR_SET_PDEATHSIG)" gone "$wpid"
check "the exporter exited (PR_SET_PDEATHSIG)" gone "$epid"
check "the port is free" bash -c "! ss -Htln 'sport = :$port' | grep -q ."
check "the segment is left behind, stale" test -e "/dev/shm$shm"
"$SENSOR_BIN" --port "$port" --shm-name "$shm" "${FAST[@]}" > >(stamp_lines >"$TEST_TMP/restart.log") 2>&1 &
SVC_PID=$!; SVC_PIDS+=("$SVC_PID"); SVC_LOG="$TEST_TMP/restart.log"; SVC_URL="http://127.0.0.1:$port"; SVC_SHM=$shm
wait_for "a new service on the same port" 10 curl -sf -o /dev/null "$SVC_URL/"
assert_eq "a new service starts on the same port and segment" 200 "$(http_status /)"
check "it replaced the stale segment" grep -q "replacing stale segment $shm (layout v$SHM_LAYOUT, owner pid [0-9]* is gone)" "$SVC_LOG"
assert_eq "counters start afresh in the new segment" 0 "$(metric 'sensor_child_restarts_total{child="worker"}')"
stop_checked

echo "-- supervisor death while the worker is hung in a busy loop"
# The heartbeat timeout is long, so only the supervisor's death can end it.
start_stamped "${FAST[@]}" --heartbeat-timeout-ms 60000 --fault worker:hang:300 || { fail "service starts"; finish; }
wpid=$(child_pid worker); epid=$(child_pid exporter)
wait_for "the worker hangs" 10 grep -q "fault: hanging now" "$SVC_LOG"
kill_supervisor "hung worker and exporter"
check "the hung worker did not outlive the supervisor by 3 s" gone "$wpid"
check "the exporter did not outlive the supervisor by 3 s" gone "$epid"
gone "$wpid" || kill -9 "$wpid" 2>/dev/null # a worker that outlived its supervisor (the failure above): never leave it spinning
rm -f "/dev/shm$SVC_SHM"

finish
