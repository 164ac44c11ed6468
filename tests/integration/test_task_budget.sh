#!/usr/bin/env bash
# test_task_budget.sh - the service at the scale of a large board, inside
# a pids cgroup of exactly its task budget (the TasksMax= of the systemd
# unit, which the unit tests hold equal to the defaults' budget):
# 256 file channels, 8 of them stuck (FIFOs without a writer: an open that
# never returns, as a hung bus; unlike a stuck FUSE read, it ends when the
# worker is killed). The reader pool grows to its bound (one thread in
# place of each stuck read), every healthy channel is read at its interval,
# no thread start fails, and every child killed in turn is restarted with
# the same result. A pids.max one below the budget is refused at start
# with a line that says why. Needs root and a pids cgroup (v1 here, v2 where
# the pids controller is delegated); SKIPPED otherwise.
source "$(dirname "$0")/lib/lib.sh"

# the TasksMax= `make install` writes into the unit
BUDGET=$(make -s --no-print-directory -C "$(dirname "$0")/../.." tasks-max)
HEALTHY=248 STUCK=8 INTERVAL_MS=250

CG=""
make_group() { # sets CG, or fails
	local own
	own=$(awk -F: '$2 ~ /(^|,)pids(,|$)/ { print $3; exit }' /proc/self/cgroup)
	if [ -n "$own" ] && [ -w "/sys/fs/cgroup/pids${own%/}" ]; then
		CG="/sys/fs/cgroup/pids${own%/}/sensor-tasks-test.$$"
		mkdir "$CG" 2>/dev/null && [ -e "$CG/pids.max" ] && return 0
		rmdir "$CG" 2>/dev/null
	fi
	own=$(awk -F: '$1 == 0 { print $3; exit }' /proc/self/cgroup)
	if grep -qw pids "/sys/fs/cgroup${own%/}/cgroup.subtree_control" 2>/dev/null; then
		CG="/sys/fs/cgroup${own%/}/sensor-tasks-test.$$"
		mkdir "$CG" 2>/dev/null && [ -e "$CG/pids.max" ] && return 0
		rmdir "$CG" 2>/dev/null
	fi
	CG=""
	return 1
}
remove_group() {
	[ -n "$CG" ] || return 0
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do rmdir "$CG" 2>/dev/null && return 0; sleep 0.2; done
}
trap '_cleanup; remove_group' EXIT

echo "-- a pids cgroup of the unit's TasksMax=$BUDGET"
if [ -z "$BUDGET" ]; then
	fail "make tasks-max gives the unit's TasksMax="
	finish
fi
if [ "$(id -u)" -ne 0 ] || ! make_group; then
	skip "no writable pids cgroup here (needs root and cgroup v1 pids or a delegated v2 pids controller)"
	finish
fi
echo "  (cgroup: $CG)"
REAL_BIN=$SENSOR_BIN
SENSOR_BIN="$TEST_TMP/in-cgroup"
printf '#!/bin/sh\necho $$ >"%s/cgroup.procs" || exit 111\nexec "%s" "$@"\n' "$CG" "$REAL_BIN" >"$SENSOR_BIN"
chmod +x "$SENSOR_BIN"

# ---- the board: 248 sensor files and 8 stuck ones ----
ROOT=$TEST_TMP/root
mkdir -p "$ROOT/bus"
CONF=$TEST_TMP/board.conf
{
	printf '[worker]\nsysfs-root=%s\nsample-interval-ms=%d\nread-timeout-ms=500\n' "$ROOT" "$INTERVAL_MS"
	printf '[supervisor]\nbackoff-min-ms=100\n'
	for i in $(seq -w 0 $((HEALTHY - 1))); do
		echo $((20000 + 10#$i)) >"$ROOT/bus/h$i"
		printf '[channel h%s]\nsource=file\npath=/bus/h%s\n' "$i" "$i"
	done
	for i in $(seq 0 $((STUCK - 1))); do
		mkfifo "$ROOT/bus/s$i"
		printf '[channel s%s]\nsource=file\npath=/bus/s%s\n' "$i" "$i"
	done
} >"$CONF"

echo "-- pids.max one below the budget: refused at start"
echo $((BUDGET - 1)) >"$CG/pids.max"
rc=0
# (a service that starts anyway is stopped after 10 s, and fails the check)
out=$(timeout 10 "$SENSOR_BIN" --config "$CONF" --port "$(free_port)" --shm-name "$(new_shm_name)" 2>&1) || rc=$?
assert_eq "exit status 2" 2 "$rc"
assert_match "a line naming the need, its parts and the limit" \
	"sensor-service: the service may use $BUDGET tasks \(supervisor 1, exporter 1, worker $((BUDGET - 3)) with reader-threads-max=[0-9]+, a restart 1\), more than the $((BUDGET - 1)) of .*pids.max: raise the limit" \
	"$out"

echo "-- pids.max at the budget: 256 channels, 8 stuck"
echo "$BUDGET" >"$CG/pids.max"
start_service --config "$CONF" || { fail "service starts"; finish; }

# readings of every healthy channel, one per line: "hNNN COUNT"
healthy_readings() {
	http_body /metrics | awk '$1 ~ /^sensor_channel_readings_total\{channel="h[0-9]+"\}$/ {
		n = $1; sub(/.*channel="/, "", n); sub(/".*/, "", n); print n, $2 }' | sort
}
held_is() { [ "$(metric_value sensor_reader_threads_held)" = "$1" ]; }
# the worker's own threads (a restarted worker's first tick has not yet
# replaced its predecessor's figures on /metrics)
worker_tasks_are() { [ "$(ls "/proc/$(child_pid worker)/task" | wc -l)" = "$1" ]; }

# every healthy channel read at its interval over a window, the pool at its bound
check_board() { # check_board LABEL
	local label=$1 window=4 wpid tasks slow
	check "$label: the pool grows to its bound" wait_for "the pool at its bound" 30 worker_tasks_are $((BUDGET - 3))
	sleep 1
	assert_eq "$label: the stuck reads hold $STUCK reader threads" $STUCK "$(metric_value sensor_reader_threads_held)"
	healthy_readings >"$TEST_TMP/r0"
	sleep $window
	healthy_readings >"$TEST_TMP/r1"
	assert_eq "$label: all $HEALTHY healthy channels are on /metrics" $HEALTHY "$(wc -l <"$TEST_TMP/r1")"
	# at least 3/4 of the readings the interval asks for (a loaded machine)
	slow=$(join "$TEST_TMP/r0" "$TEST_TMP/r1" |
		awk -v want=$((window * 1000 / INTERVAL_MS * 3 / 4)) '$3 - $2 < want { n++; if (!w) w = $1 " " ($3 - $2) } END { print n + 0, w }')
	assert_eq "$label: every healthy channel read at its interval (slow ones, first: $slow)" 0 "${slow%% *}"
	wpid=$(child_pid worker)
	tasks=$(ls "/proc/$wpid/task" | wc -l)
	assert_eq "$label: the worker runs its sampling and processing threads and the pool at its bound" \
		$((BUDGET - 3)) "$tasks"
	check "$label: the service's tasks fit the group ($(cat "$CG/pids.current") of $BUDGET)" \
		test "$(cat "$CG/pids.current")" -le "$BUDGET"
	assert_eq "$label: no reads wait for a thread" 0 "$(metric_value sensor_reader_reads_waiting)"
	assert_eq "$label: no reader thread failed to start" 0 "$(metric_value sensor_reader_thread_start_failures_total)"
}
check_board "at start"

restarts() { metric_value "sensor_child_restarts_total{child=\"$1\"}"; }
for child in exporter worker exporter worker; do
	before=$(restarts "$child")
	old=$(child_pid "$child")
	kill -9 "$old"
	check "$child killed: restarted" wait_for "$child restart" 20 \
		sh -c "[ \"\$(curl -s --max-time 2 $SVC_URL/metrics | awk '\$1 == \"sensor_child_restarts_total{child=\\\"$child\\\"}\" { print \$2 }')\" = $((before + 1)) ]"
	check "$child: a new process" wait_for "new $child" 10 sh -c "pgrep -P $SVC_PID -x sensor-$child | grep -vqx $old"
	[ "$child" = worker ] && check_board "worker restarted"
done
assert_eq "no fork failed" 0 "$(grep -c 'cannot fork' "$SVC_LOG")"
assert_eq "no thread failed to start" 0 "$(grep -c 'no reader thread' "$SVC_LOG")"
check "the service stops cleanly" stop_service
finish
