#!/usr/bin/env bash
# test_worker_stop.sh - a SIGTERM that reaches the worker just before it
# goes to sleep stops it at once, not after the sampling interval. gdb
# holds the worker at the entry of its sleep call (clock_nanosleep, ppoll
# or nanosleep, whichever it uses), the signal is sent there, and the
# worker must exit within a second although its interval is 4 s.
source "$(dirname "$0")/lib/faults_lib.sh"

if ! command -v gdb >/dev/null; then
	skip "gdb is not installed (scripts/install-deps.sh test)"
	finish
fi

# LeakSanitizer cannot run under ptrace: an ASan build's worker would exit 1.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
start_stamped --sample-interval-ms 4000 --process-interval-ms 3600000 --heartbeat-timeout-ms 60000 ||
	{ fail "service starts"; finish; }
wpid=$(child_pid worker)
echo "-- SIGTERM while the worker (pid $wpid) stands at the entry of its sleep"
cat >"$TEST_TMP/gdb.cmd" <<GDB
set pagination off
set breakpoint pending on
handle SIGTERM nostop noprint pass
break clock_nanosleep
break ppoll
break nanosleep
continue
delete
shell kill -TERM $wpid; date +%s.%N >"$TEST_TMP/t0"
continue
GDB
timeout 60 gdb -q -batch -nx -p "$wpid" -x "$TEST_TMP/gdb.cmd" >"$TEST_TMP/gdb.out" 2>&1
t1=$(date +%s.%N)
# "Breakpoint 2, ..." or, in a process with threads, "Thread 1 "name" hit
# Breakpoint 2, ..."
hit='^(Thread [0-9]+ "[^"]*" hit )?Breakpoint [123](\.[0-9]+)?,'
grep -E "$hit|exited" "$TEST_TMP/gdb.out" | sed 's/^/  (gdb: /; s/$/)/'
if ! grep -qE "$hit" "$TEST_TMP/gdb.out"; then
	skip "gdb could not stop the worker at its sleep (ptrace not permitted?)"
	sed "s/^/    /" "$TEST_TMP/gdb.out" | tail -15
	stop_checked
	finish
fi
took=$(awk -v a="$(cat "$TEST_TMP/t0")" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
check "the worker exited" grep -q "exited normally\|exited with code" "$TEST_TMP/gdb.out"
assert_eq "within 1 s of the signal, not the 4 s interval (took $took s)" 1 \
	"$(awk -v t="$took" 'BEGIN { print (t < 1) ? 1 : 0 }')"
assert_match "it logged its stop" "sensor-service\[$wpid\] worker info: stopping" "$(cat "$SVC_LOG")"
stop_checked
finish
