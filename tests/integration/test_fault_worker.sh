#!/usr/bin/env bash
# test_fault_worker.sh - faults provoked for real in the worker (leak,
# kill -9, segfault, hang, CPU spike): the supervisor restarts it, the
# exporter keeps answering without growing, and the counters in shared
# memory continue. Prints what it observed (restart times, requests
# served during the fault, RSS before/after, latency percentiles).
source "$(dirname "$0")/lib/faults_lib.sh"
ulimit -c 0 # the injected segfaults must not leave core files behind
# RSS read every 250 ms: the checks of growth read it 0.6 s after what they measure.
FAST=(--sample-interval-ms 50 --process-interval-ms 500 --rss-interval-ms 250)
MiB=1048576

echo "-- leak: the worker leaks 24 MiB/s under a 32 MiB cap"
start_stamped "${FAST[@]}" --worker-memory-mb 32 --backoff-min-ms 200 --fault worker:leak:24M ||
	{ fail "service starts"; finish; }
cap=$(grep -oE 'worker memory cap: 32 MiB via [a-z0-9 +-]+' "$SVC_LOG" | sed 's/.* via //')
echo "  (the worker's cap is enforced here by: ${cap:-unknown})"
if ! capped worker; then
	skip "nothing can cap the worker here (ASan build without a writable cgroup)"
	stop_checked
else
	check "the fault is announced as a testing aid" grep -q 'FAULT INJECTION (testing aid) armed: worker:leak:24M' "$SVC_LOG"
	epid=$(child_pid exporter)
	for _ in 1 2 3 4 5; do http_body /metrics >/dev/null; done # warm the exporter up
	sleep 0.6 # one supervisor tick: RSS sampled
	ex_rss0=$(rss_of exporter); sup_rss0=$(rss_of supervisor)
	probe_start 6 --watch 'sensor_process_resident_memory_bytes{process="worker"}'
	probe_wait
	echo "  (probe during the leak: $PROBE)"
	ex_rss1=$(rss_of exporter); sup_rss1=$(rss_of supervisor)
	w_max=$(probe_get 'max[sensor_process_resident_memory_bytes{process="worker"}]'); w_max=${w_max:-0}
	by_rlimit=$(grep -c 'fault: leak: malloc.*failed' "$SVC_LOG")
	by_oom=$(grep -c 'sensor-worker (pid [0-9]*) ended (signal 9)' "$SVC_LOG")
	echo "  (worker deaths: $by_rlimit by rlimit (malloc failed, exit 4), $by_oom by the cgroup OOM killer (signal 9);" \
		"worker RSS peak seen $((${w_max%.*} / MiB)) MiB; exporter RSS $((ex_rss0 / 1024)) -> $((ex_rss1 / 1024)) KiB;" \
		"supervisor RSS $((sup_rss0 / 1024)) -> $((sup_rss1 / 1024)) KiB)"
	assert_gt "the leaking worker died at its cap at least twice" "$((by_rlimit + by_oom))" 1
	assert_gt "its restarts are counted" "$(metric 'sensor_child_restarts_total{child="worker"}')" 1
	assert_gt "the worker's RSS really grew (peak > 12 MiB)" "${w_max%.*}" $((12 * MiB))
	assert_eq "/ and /metrics answered every request during the leak" 0 "$(probe_get failures)"
	assert_gt "requests served during the leak" "$(probe_get requests)" 50
	assert_le "the exporter's RSS did not grow (+$((RSS_SLACK / 1024)) KiB at most)" "$ex_rss1" $((ex_rss0 + RSS_SLACK))
	assert_le "the supervisor's RSS did not grow (+$((RSS_SLACK / 1024)) KiB at most)" "$sup_rss1" $((sup_rss0 + RSS_SLACK))
	assert_eq "the exporter was never restarted" "$epid" "$(child_pid exporter)"
	assert_eq "exporter restarts stay 0" 0 "$(metric 'sensor_child_restarts_total{child="exporter"}')"
	stop_checked
fi

echo "-- kill -9 the worker (backoff 1.5 s, so the down window can be watched)"
start_stamped "${FAST[@]}" --backoff-min-ms 1500 || { fail "service starts"; finish; }
probe_start 2 --interval 0.02
probe_wait
echo "  (baseline latency, healthy worker: p50 $(probe_get p50_ms) ms, p99 $(probe_get p99_ms) ms)"
it0=$(metric sensor_loop_iterations_total); rd0=$(metric sensor_readings_total)
req0=$(metric 'sensor_requests_total{path="/metrics",code="200"}')
wpid=$(child_pid worker)
t0=$(now_s); kill -9 "$wpid"
sleep 0.4
assert_eq "/ is 503 while the worker is down" 503 "$(http_status /)"
assert_match "/ says why" '"reason":"worker down \(last exit: signal 9\), restart pending"' "$(http_body /)"
http_body /metrics >"$TEST_TMP/down1"; sleep 0.3; http_body /metrics >"$TEST_TMP/down2"
assert_eq "/metrics shows the worker down" 1 "$(grep -c '^sensor_child_up{child="worker"} 0$' "$TEST_TMP/down2")"
v1=$(grep '^sensor_value{' "$TEST_TMP/down1" | head -1); v2=$(grep '^sensor_value{' "$TEST_TMP/down2" | head -1)
check "/metrics still serves the last values ($v2)" test -n "$v2"
assert_eq "the last values stay put while the worker is down" "$v1" "$v2"
itd=$(awk '$1 == "sensor_loop_iterations_total" { print $2 }' "$TEST_TMP/down2")
assert_le "counters are not reset while the worker is down" "$it0" "$itd"
nw=$(wait_new_pid worker "$wpid" 5); t1=$(now_s)
check "a new worker runs" test -n "$nw"
restart_s=$(calc "$t1 - $t0")
echo "  (worker back $restart_s s after kill -9, backoff 1.5 s)"
assert_gt "the restart waited for the backoff" "$restart_s" 1.4
assert_le "and not much longer" "$restart_s" 2.6
wait_for "/ healthy again" 3 bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $SVC_URL/)\" = 200 ]"
assert_eq "/ is 200 again" 200 "$(http_status /)"
sleep 0.3
assert_gt "loop iterations continue from where they were" "$(metric sensor_loop_iterations_total)" "$itd"
assert_gt "readings continue from where they were" "$(metric sensor_readings_total)" "$rd0"
assert_le "request counters continue" "$req0" "$(metric 'sensor_requests_total{path="/metrics",code="200"}')"
assert_eq "the restart is counted" 1 "$(metric 'sensor_child_restarts_total{child="worker"}')"
assert_eq "the kill is counted as a signal exit" 1 "$(metric 'sensor_child_exits_total{child="worker",reason="signal"}')"
stop_checked

echo "-- injected segfault of the worker (worker:crash:1200, backoff 1.5 s)"
start_stamped "${FAST[@]}" --backoff-min-ms 1500 --fault worker:crash:1200 || { fail "service starts"; finish; }
wpid=$(child_pid worker)
wait_for "the worker crashes" 5 metric_above 'sensor_child_exits_total{child="worker",reason="signal"}' 0
t0=$(now_s)
itd=$(metric sensor_loop_iterations_total)
check "the worker logged its segfault" grep -q 'worker warn: fault: segfault now' "$SVC_LOG"
check "the supervisor saw signal 11" grep -q "sensor-worker (pid $wpid) ended (signal 11)" "$SVC_LOG"
assert_eq "/ is 503 while it is down" 503 "$(http_status /)"
assert_match "/ names the segfault" '"reason":"worker down \(last exit: signal 11\), restart pending"' "$(http_body /)"
assert_gt "/metrics keeps the counters" "$itd" 0
nw=$(wait_new_pid worker "$wpid" 5); t1=$(now_s)
check "a new worker runs after the segfault" test -n "$nw"
echo "  (worker back $(calc "$t1 - $t0") s after its segfault was seen)"
sleep 0.4
assert_gt "counters continue after the segfault" "$(metric sensor_loop_iterations_total)" "$itd"
assert_match "/ reports the last exit" '"last_exit":"signal","last_exit_detail":11' "$(http_body /)"
stop_checked

echo "-- hang: the worker spins without heartbeats (timeout 1 s)"
start_stamped "${FAST[@]}" --heartbeat-timeout-ms 1000 --backoff-min-ms 100 --fault worker:hang:1500 ||
	{ fail "service starts"; finish; }
wpid=$(child_pid worker)
wait_for "the hung worker is killed" 6 metric_above 'sensor_child_exits_total{child="worker",reason="hang"}' 0
nw=$(wait_new_pid worker "$wpid" 3)
check "a new worker runs after the hang" test -n "$nw"
sleep 0.2
t_hang=$(log_times "\[$wpid\] worker warn: fault: hanging now" | head -1)
t_kill=$(log_times "sensor-worker \(pid $wpid\) heartbeat stale" | head -1)
t_back=$(log_times "started sensor-worker \(pid $nw\)" | head -1)
detect=$(calc "$t_kill - $t_hang"); back=$(calc "$t_back - $t_kill")
echo "  (hang detected after $detect s with a 1 s timeout; new worker $back s later)"
assert_gt "not killed before the timeout" "$detect" 0.9
assert_le "killed on time (timeout + 0.25 s)" "$detect" 1.25
assert_le "restarted promptly (backoff 0.1 s)" "$back" 0.6
assert_eq "reason hang is counted" 1 "$(metric 'sensor_child_exits_total{child="worker",reason="hang"}')"
assert_eq "a hang is not counted as a signal exit" 0 "$(metric 'sensor_child_exits_total{child="worker",reason="signal"}')"
stop_checked

echo "-- CPU spike: every processing step burns 2 s of CPU"
start_stamped "${FAST[@]}" --simulate --fault worker:spike:2000 || { fail "service starts"; finish; }
wpid=$(child_pid worker)
# The step's thread, and only it, runs at SCHED_IDLE (policy 5, field 41
# of a task's stat: the 39th after "pid (comm) ").
task_policies() { for f in /proc/"$1"/task/*/stat; do sed 's/.*) //' "$f" | awk '{ print $39 }'; done; }
policies=$(task_policies "$wpid")
echo "  (the worker's threads by scheduling policy, count and policy: $(sort <<<"$policies" | uniq -c | tr -s ' \n' ' '))"
if grep -q 'cannot run the processing step at SCHED_IDLE' "$SVC_LOG"; then
	skip "this environment refuses SCHED_IDLE: $(grep -o 'cannot run the processing step at SCHED_IDLE.*' "$SVC_LOG" | head -1)"
else
	assert_eq "one worker thread, the processing step's, runs at SCHED_IDLE" 1 "$(grep -c '^5$' <<<"$policies")"
fi
channels=$(http_body /metrics | grep -c '^sensor_channel_readings_total{')
r0=$(metric sensor_readings_total); t0=$(date +%s.%N)
# Seconds the worker's threads spent running or waiting for a core
# (schedstat: run and run-queue time). A spinning worker is one or the
# other all the time, however busy the machine; a sleeping one neither.
busy_s() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ ns += $1 + $2 } END { printf "%.3f", ns / 1e9 }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
b0=$(busy_s "$wpid"); c0=$(cpu_ticks "$wpid")
probe_start 6 --interval 0.02
probe_wait
b1=$(busy_s "$wpid"); c1=$(cpu_ticks "$wpid")
r1=$(metric sensor_readings_total); t1=$(date +%s.%N)
expected=$(calc "$channels * 1000 / 50 * ($t1 - $t0)")
echo "  (readings while the steps spun: $((r1 - r0)) of $expected at $channels channels every 50 ms)"
assert_gt "the sampling keeps its period while the steps spin (over 80% of its readings)" \
	"$(calc "($r1 - $r0) / ($expected + 1e-9)")" 0.8
busy=$(calc "$b1 - $b0")
cpu_s=$(calc "($c1 - $c0) / $(getconf CLK_TCK)")
echo "  (in 6 s the worker ran or waited for a core $busy s, of which it got $cpu_s s of CPU; / and /metrics meanwhile: $PROBE)"
echo "  spike p99: $(probe_get p99_ms) ms over $(probe_get requests) requests (p50 $(probe_get p50_ms) ms, max $(probe_get max_ms) ms)"
assert_gt "the worker really spun (runnable more than half the time)" "$busy" 3
assert_eq "every request was answered" 0 "$(probe_get failures)"
assert_match "and answered 200 (the worker stays healthy)" '^200:[0-9]+$' "$(probe_get codes)"
sum=$(metric sensor_cpu_spike_seconds_sum); cnt=$(metric sensor_cpu_spike_seconds_count)
assert_gt "the spikes show in the histogram (mean $(calc "$sum / ($cnt + 1e-9)") s)" "$(calc "$sum / ($cnt + 1e-9)")" 1.9
assert_eq "the worker was never restarted" "$wpid" "$(child_pid worker)"
stop_checked

echo "-- a processing step that spins on: more CPU than the 1 s timeout is a hang"
start_stamped "${FAST[@]}" --simulate --heartbeat-timeout-ms 1000 --backoff-min-ms 100 --fault worker:spike:5000 ||
	{ fail "service starts"; finish; }
wait_for "the worker whose step spins is killed as hung" 15 metric_above 'sensor_child_exits_total{child="worker",reason="hang"}' 0
check "the worker said why its heartbeats stopped" grep -q 'the processing step has used [0-9.]* s of CPU' "$SVC_LOG"
stop_checked

finish
