#!/usr/bin/env bash
# test_lib.sh - the test helpers themselves: a skip is printed and counted
# as a skip, never as a pass, and a failure makes finish exit non-zero.
source "$(dirname "$0")/lib/lib.sh"
LIB="$(cd "$(dirname "$0")" && pwd)/lib/lib.sh"

# run_snippet 'bash code using lib.sh': sets OUT and RC
run_snippet() {
	RC=0
	OUT=$(bash -c "source '$LIB'; $1" 2>&1) || RC=$?
}

run_snippet 'pass one; skip "no cgroup here"; finish'
assert_match "a skip is printed as a skip" '^  SKIP no cgroup here$' "$OUT"
assert_match "a skip is not counted as a passed check" ': 1/1 checks passed, 1 skipped$' "$OUT"
assert_eq "skips alone do not fail the test" 0 "$RC"

run_snippet 'skip "nothing could run"; finish'
assert_match "a run that checked nothing says so" ': 0/0 checks passed, 1 skipped$' "$OUT"

run_snippet 'pass one; fail two; finish'
assert_match "a failure is counted" ': 1/2 checks passed, 0 skipped$' "$OUT"
check "a failure makes finish exit non-zero" test "$RC" -ne 0

run_snippet 'assert_no_match "absent" "x+" "abc"; assert_no_match "present" "b" "abc"; finish'
assert_match "assert_no_match passes on no match" '^  ok   absent$' "$OUT"
assert_match "assert_no_match fails on a match" '^  FAIL present ' "$OUT"

# A child just forked still runs under the service's name: child_pid finds
# nothing then, running_child_pid waits until it is named.
cp "$(command -v sleep)" "$TEST_TMP/sensor-worker"
# shellcheck disable=SC2016 # $1 is the inner shell's
bash -c 'sleep 1; "$1" 30 & wait' _ "$TEST_TMP/sensor-worker" &
SVC_PID=$!
SVC_PIDS+=("$SVC_PID")
assert_eq "child_pid finds no child before it is named" "" "$(child_pid worker)"
p=$(running_child_pid worker 5)
assert_eq "running_child_pid waits for it" sensor-worker "$(ps -o comm= -p "${p:-0}")"
rc=0; running_child_pid exporter 1 >/dev/null || rc=$?
assert_eq "and fails when none comes within SECONDS" 1 "$rc"
if [ -n "$p" ]; then kill "$p" 2>/dev/null; fi
wait "$SVC_PID"

finish
