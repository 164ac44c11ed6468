#!/usr/bin/env bash
# test_rss_check.sh - scripts/rss_check.sh measures a service however it
# was started: by the supervisor's pid, a stack's state directory, and
# says clearly (exit 2) when there is nothing to measure.
source "$(dirname "$0")/lib/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RSS_CHECK=$ROOT/scripts/rss_check.sh

echo "-- nothing running"
out=$(STACK_STATE_DIR=$TEST_TMP/none "$RSS_CHECK" 2>&1); rc=$?
assert_eq "an empty state directory exits 2" 2 "$rc"
assert_match "and says the service is not running" "sensor-service is not running" "$out"
assert_no_match "with no shell error" "unbound variable|syntax error|command not found" "$out"
out=$("$RSS_CHECK" --pid 999999999 2>&1); rc=$?
assert_eq "--pid of no process exits 2" 2 "$rc"
assert_match "and names the pid" "no process 999999999" "$out"
out=$("$RSS_CHECK" --bogus 2>&1); rc=$?
assert_eq "an unknown option exits 2" 2 "$rc"
assert_match "with the usage" "usage: rss_check.sh" "$out"
out=$("$RSS_CHECK" --pid 1 12x 2>&1); rc=$?
assert_eq "a budget that is not a number exits 2" 2 "$rc"

echo "-- a service run by hand, by the supervisor's pid"
start_service || { fail "service starts"; finish; }
wait_for "both children" 10 sh -c "[ -n \"\$(pgrep -P $SVC_PID -x sensor-worker)\" ] && [ -n \"\$(pgrep -P $SVC_PID -x sensor-exporter)\" ]"
out=$("$RSS_CHECK" --pid "$SVC_PID" 64 2>&1); rc=$?
printf '%s\n' "$out" | sed 's/^/       /'
assert_eq "--pid within a 64 MiB budget exits 0" 0 "$rc"
for p in supervisor worker exporter; do
	assert_match "lists the $p" "^$p +[0-9]+ +[0-9]+ +[0-9]+" "$(printf '%s\n' "$out" | grep "^$p ")"
done
"$RSS_CHECK" --pid "$SVC_PID" 1 1 >/dev/null 2>&1; rc=$?
assert_eq "over a 1 MiB budget exits 1" 1 "$rc"

echo "-- the same service through a state directory as run-stack.sh writes it"
mkdir -p "$TEST_TMP/state"
echo "$SVC_PID $(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$SVC_PID/stat")" >"$TEST_TMP/state/sensor-service.pid"
out=$("$RSS_CHECK" --state "$TEST_TMP/state" 64 2>&1); rc=$?
assert_eq "--state without VictoriaMetrics exits 2 (a stack process is missing)" 2 "$rc"
assert_match "and says which" "victoria-metrics is not running" "$out"
assert_match "still measuring the service" "^worker +[0-9]+" "$out"
echo "$SVC_PID 1" >"$TEST_TMP/state/sensor-service.pid"
out=$("$RSS_CHECK" --state "$TEST_TMP/state" 2>&1); rc=$?
assert_eq "a pid file naming a reused pid (other start time) exits 2" 2 "$rc"

if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
	skip "--unit: tested under a real systemd by make test-systemd"
else
	out=$("$RSS_CHECK" --unit sensor-service.service 2>&1); rc=$?
	assert_eq "--unit without a running systemd exits 2" 2 "$rc"
fi
stop_service
finish
