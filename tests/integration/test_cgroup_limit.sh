#!/usr/bin/env bash
# test_cgroup_limit.sh - the service inside a real memory cgroup smaller
# than its default caps (as in a container with --memory=48m): the
# supervisor finds the limit, lowers the children's caps to fit and says
# so in its log and /metrics, gives the worker the highest oom_score_adj,
# and a leak in the worker ends at the worker's own cap: a counted
# restart, the exporter and supervisor untouched, and no OOM kill in the
# enclosing group. Needs root and a writable memory cgroup (v1 here; v2
# where the memory controller is delegated); SKIPPED otherwise.
source "$(dirname "$0")/lib/faults_lib.sh"
source "$(dirname "$0")/lib/cgroup_lib.sh"
MiB=1048576
LIMIT_MB=48

# ---- a group of our own, under the one we run in ----
CG=""
make_group() { # make_group: sets CG and CG_KIND, or fails
	local own
	own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3; exit }' /proc/self/cgroup)
	if [ -n "$own" ] && [ -w "/sys/fs/cgroup/memory${own%/}" ]; then
		CG="/sys/fs/cgroup/memory${own%/}/sensor-limit-test.$$"
		mkdir "$CG" 2>/dev/null && echo $((LIMIT_MB * MiB)) >"$CG/memory.limit_in_bytes" 2>/dev/null &&
			CG_KIND=v1 && return 0
		rmdir "$CG" 2>/dev/null
	fi
	own=$(awk -F: '$1 == 0 { print $3; exit }' /proc/self/cgroup)
	if grep -qw memory "/sys/fs/cgroup${own%/}/cgroup.subtree_control" 2>/dev/null; then
		CG="/sys/fs/cgroup${own%/}/sensor-limit-test.$$"
		mkdir "$CG" 2>/dev/null && echo $((LIMIT_MB * MiB)) >"$CG/memory.max" 2>/dev/null &&
			echo 0 >"$CG/memory.swap.max" 2>/dev/null; CG_KIND=v2
		[ -e "$CG/memory.max" ] && return 0
		rmdir "$CG" 2>/dev/null
	fi
	CG=""
	return 1
}
remove_group() {
	[ -n "$CG" ] || return 0
	local d
	for d in "$CG"/sensor-service.*; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
	rmdir "$CG" 2>/dev/null
}
trap '_cleanup; remove_group' EXIT


echo "-- a memory cgroup of ${LIMIT_MB} MiB"
if [ "$(id -u)" -ne 0 ] || ! make_group; then
	skip "no writable memory cgroup here (needs root and cgroup v1 memory or a delegated v2 memory controller)"
	finish
fi
echo "  (cgroup $CG_KIND: $CG)"
# The service is started through a wrapper that moves itself into the group.
REAL_BIN=$SENSOR_BIN
SENSOR_BIN="$TEST_TMP/in-cgroup"
printf '#!/bin/sh\necho $$ >"%s/cgroup.procs" || exit 111\nexec "%s" "$@"\n' "$CG" "$REAL_BIN" >"$SENSOR_BIN"
chmod +x "$SENSOR_BIN"

echo "-- default caps (64 + 64 MiB) do not fit: lowered"
own_adj=$(cat /proc/self/oom_score_adj)
start_stamped --sample-interval-ms 50 --backoff-min-ms 200 --fault worker:leak:4M || { fail "service starts"; finish; }
sup=$SVC_PID
check "the service runs inside the group" grep -qx "$sup" "$CG/cgroup.procs"
# The reserve is memory-reserve-mb plus the segment, whose size the layout
# decides; the caps share what is left (supervisor/memfit.c).
fitlog=$(grep 'memory: cgroup limit' "$SVC_LOG" | sed 's/^[0-9.]* //; s/^.*info: //; s/^.*warn: //')
assert_match "the log names the limit and the lowered caps, once" \
	"^1 .*memory: cgroup limit ${LIMIT_MB} MiB \([^)]*memory\.(limit_in_bytes|max)\) is smaller than worker 64 \+ exporter 64 MiB \+ reserve [0-9]+ MiB: caps lowered to worker [0-9]+ MiB, exporter [0-9]+ MiB$" \
	"$(grep -c 'memory: cgroup limit' "$SVC_LOG") $fitlog"
read -r reserve_mb wlog elog < <(printf '%s\n' "$fitlog" |
	sed -n 's/.* reserve \([0-9]*\) MiB: caps lowered to worker \([0-9]*\) MiB, exporter \([0-9]*\) MiB$/\1 \2 \3/p')
assert_eq "sensor_cgroup_memory_limit_bytes is the group's limit" $((LIMIT_MB * MiB)) \
	"$(metric sensor_cgroup_memory_limit_bytes)"
wcap=$(metric 'sensor_process_memory_limit_bytes{process="worker"}')
ecap=$(metric 'sensor_process_memory_limit_bytes{process="exporter"}')
assert_eq "sensor_process_memory_limit_bytes shows the worker's cap in force (${wlog:-?} MiB, logged)" \
	$((${wlog:-0} * MiB)) "$wcap"
assert_eq "and the exporter's (${elog:-?} MiB)" $((${elog:-0} * MiB)) "$ecap"
assert_le "worker cap + exporter cap + the ${reserve_mb:-?} MiB reserve fit in the limit" \
	$((wcap + ecap + ${reserve_mb:-99} * MiB)) $((LIMIT_MB * MiB))
assert_le "the caps share what is left, in whole MiB (at most 1 MiB each unused)" \
	$((LIMIT_MB - ${reserve_mb:-0} - 2)) $(((wcap + ecap) / MiB))
wpid=$(child_pid worker); epid=$(child_pid exporter)
assert_eq "the worker's oom_score_adj is the highest" 1000 "$(cat "/proc/$wpid/oom_score_adj" 2>/dev/null)"
assert_eq "the exporter's is halfway" $((own_adj + (1000 - own_adj) / 2)) "$(cat "/proc/$epid/oom_score_adj" 2>/dev/null)"
assert_eq "the supervisor keeps its own" "$own_adj" "$(cat "/proc/$sup/oom_score_adj" 2>/dev/null)"

if ! capped worker; then
	skip "the leak under the limit: nothing caps the worker (ASan build without a writable child cgroup)"
else
	echo "-- the worker leaks 4 MiB/s under its lowered cap"
	wait_for "a worker restart" 40 metric_above 'sensor_child_restarts_total{child="worker"}' 0
	assert_gt "the worker was restarted" "$(metric 'sensor_child_restarts_total{child="worker"}')" 0
	by_rlimit=$(grep -c 'fault: leak: malloc.*failed' "$SVC_LOG")
	by_own_group=$(grep -c 'sensor-worker (pid [0-9]*) ended (signal 9)' "$SVC_LOG")
	echo "  (worker deaths: $by_rlimit at its RLIMIT_DATA (exit 4), $by_own_group by SIGKILL (its own cgroup cap))"
	assert_gt "each death was at the worker's own cap" "$((by_rlimit + by_own_group))" 0
	assert_eq "the group's own limit was never reached: the OOM killer had nothing to do" 0 "$(cg_limit_hits "$CG")"
	assert_eq "the exporter kept its pid" "$epid" "$(child_pid exporter)"
	assert_eq "exporter restarts stay 0" 0 "$(metric 'sensor_child_restarts_total{child="exporter"}')"
	check "the supervisor is alive" kill -0 "$sup"
	assert_eq "/ answers again after the restart" 200 "$(wait_for "/ healthy" 10 bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $SVC_URL/)\" = 200 ]"; http_status /)"
	peak=$(cg_peak "$CG")
	[ -n "$peak" ] && echo "  (the group's peak memory use: $((peak / 1024)) KiB of $((LIMIT_MB * 1024)) KiB)"
fi
stop_checked

echo "-- caps that fit are kept"
start_stamped --worker-memory-mb 16 --exporter-memory-mb 16 || { fail "service starts"; finish; }
check "the log says they fit" grep -Eq "memory: cgroup limit ${LIMIT_MB} MiB .* worker 16 \+ exporter 16 MiB \+ reserve [0-9]+ MiB fit" "$SVC_LOG"
assert_eq "the worker's cap is as configured" $((16 * MiB)) "$(metric 'sensor_process_memory_limit_bytes{process="worker"}')"
stop_checked

echo "-- outside any limit the gauge is 0 and the caps are as configured"
SENSOR_BIN=$REAL_BIN
start_stamped || { fail "service starts"; finish; }
if grep -q 'no cgroup memory limit above us' "$SVC_LOG"; then
	assert_eq "sensor_cgroup_memory_limit_bytes is 0" 0 "$(metric sensor_cgroup_memory_limit_bytes)"
	assert_eq "the worker's cap is the default" $((64 * MiB)) "$(metric 'sensor_process_memory_limit_bytes{process="worker"}')"
else
	echo "  (this test itself runs under a memory limit: $(grep -o 'memory: cgroup limit [0-9]* MiB' "$SVC_LOG"))"
fi
stop_checked
finish
