#!/usr/bin/env bash
# test_fault_exporter.sh - faults provoked for real in the exporter
# (kill -9, segfault, leak): the supervisor restarts it with backoff, the
# listening socket survives (clients queue instead of being refused), the
# worker never notices, and the request counters continue.
source "$(dirname "$0")/lib/faults_lib.sh"
ulimit -c 0
# RSS read every 250 ms: the checks of growth read it 0.6 s after what they measure.
FAST=(--sample-interval-ms 50 --process-interval-ms 500 --rss-interval-ms 250)
MiB=1048576

echo "-- kill -9 the exporter (backoff 1 s)"
start_stamped "${FAST[@]}" --backoff-min-ms 1000 || { fail "service starts"; finish; }
for _ in 1 2 3; do http_body /metrics >/dev/null; done
req0=$(metric 'sensor_requests_total{path="/metrics",code="200"}')
wpid=$(child_pid worker); epid=$(child_pid exporter)
it0=$(metric sensor_loop_iterations_total)
t0=$(now_s); kill -9 "$epid"
sleep 0.1
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$SVC_URL/"); t1=$(now_s)
waited=$(calc "$t1 - $t0")
echo "  (a request sent while the exporter was down was answered $code after $waited s: the socket queued it)"
assert_eq "a request made while the exporter is down is served once it is back" 200 "$code"
assert_gt "the restart waited for the backoff" "$waited" 0.9
ne=$(child_pid exporter)
check "a new exporter runs" test -n "$ne" -a "$ne" != "$epid"
assert_eq "the worker was not touched" "$wpid" "$(child_pid worker)"
assert_gt "the worker kept counting meanwhile" "$(metric sensor_loop_iterations_total)" "$it0"
assert_le "request counters continue (never reset)" "$req0" "$(metric 'sensor_requests_total{path="/metrics",code="200"}')"
assert_eq "the restart is counted" 1 "$(metric 'sensor_child_restarts_total{child="exporter"}')"
assert_match "/ reports the exporter's last exit" '"exporter":\{"up":true,"pid":[0-9]+,.*"restarts":1,"last_exit":"signal","last_exit_detail":9' "$(http_body /)"
stop_checked

echo "-- injected segfault of the exporter (exporter:crash:1000, backoff 0.5 s)"
start_stamped "${FAST[@]}" --backoff-min-ms 500 --fault exporter:crash:1000 || { fail "service starts"; finish; }
wpid=$(child_pid worker); epid=$(child_pid exporter)
it0=$(metric sensor_loop_iterations_total)
ne=$(wait_new_pid exporter "$epid" 5)
check "a new exporter runs after the segfault" test -n "$ne"
check "the exporter logged its segfault" grep -q 'exporter warn: fault: segfault now' "$SVC_LOG"
check "the supervisor saw signal 11" grep -q "sensor-exporter (pid $epid) ended (signal 11)" "$SVC_LOG"
t_end=$(log_times "sensor-exporter \(pid $epid\) ended" | head -1)
t_back=$(log_times "started sensor-exporter \(pid $ne\)" | head -1)
echo "  (exporter back $(calc "$t_back - $t_end") s after its segfault, backoff 0.5 s)"
wait_for "served again" 3 http_answers /
assert_gt "exits by signal are counted" "$(metric 'sensor_child_exits_total{child="exporter",reason="signal"}')" 0
assert_eq "the worker was not touched" "$wpid" "$(child_pid worker)"
assert_gt "the worker kept counting" "$(metric sensor_loop_iterations_total)" "$it0"
stop_checked

echo "-- hang: the exporter's event loop spins (exporter:hang:1000, heartbeat timeout 1 s)"
start_stamped "${FAST[@]}" --heartbeat-timeout-ms 1000 --backoff-min-ms 200 --fault exporter:hang:1000 ||
	{ fail "service starts"; finish; }
wpid=$(child_pid worker); epid=$(child_pid exporter)
ne=$(wait_new_pid exporter "$epid" 5)
check "the hung exporter was replaced" test -n "$ne"
t_hang=$(log_times "\[$epid\] exporter warn: fault: hanging now" | head -1)
t_kill=$(log_times "sensor-exporter \(pid $epid\) heartbeat stale" | head -1)
detect=$(calc "$t_kill - $t_hang")
echo "  (exporter hang detected after $detect s with a 1 s timeout)"
assert_le "killed on time (timeout + 0.25 s)" "$detect" 1.25
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$SVC_URL/")
assert_eq "requests are served again" 200 "$code"
assert_gt "reason hang is counted" "$(metric 'sensor_child_exits_total{child="exporter",reason="hang"}')" 0
assert_eq "the worker was not touched" "$wpid" "$(child_pid worker)"
stop_checked

echo "-- leak: the exporter leaks 24 MiB/s under a 32 MiB cap"
start_stamped "${FAST[@]}" --exporter-memory-mb 32 --backoff-min-ms 200 --fault exporter:leak:24M ||
	{ fail "service starts"; finish; }
if ! capped exporter; then
	skip "nothing can cap the exporter here (ASan build without a writable cgroup)"
	stop_checked
	finish
fi
wpid=$(child_pid worker)
sleep 0.6
w_rss0=$(rss_of worker); it0=$(metric sensor_loop_iterations_total)
probe_start 6 --timeout 5 --watch 'sensor_process_resident_memory_bytes{process="exporter"}'
probe_wait
w_rss1=$(rss_of worker); it1=$(metric sensor_loop_iterations_total)
e_max=$(probe_get 'max[sensor_process_resident_memory_bytes{process="exporter"}]'); e_max=${e_max:-0}
deaths=$(grep -cE 'sensor-exporter \(pid [0-9]+\) ended \((exit 4|signal 9)\)' "$SVC_LOG")
echo "  (probe during the leak: $PROBE)"
echo "  (exporter deaths at its cap: $deaths; exporter RSS peak seen $((${e_max%.*} / MiB)) MiB;" \
	"worker RSS $((w_rss0 / 1024)) -> $((w_rss1 / 1024)) KiB, iterations $it0 -> $it1)"
assert_gt "the leaking exporter died at its cap at least twice" "$deaths" 1
assert_gt "its restarts are counted" "$(metric 'sensor_child_restarts_total{child="exporter"}')" 1
assert_gt "the exporter's RSS really grew (peak > 12 MiB)" "${e_max%.*}" $((12 * MiB))
assert_gt "requests were served during the leak" "$(probe_get requests)" 30
# A request the dying exporter had already accepted is lost with it.
assert_le "at most one request lost per exporter death" "$(probe_get failures)" "$deaths"
assert_eq "the worker was not touched" "$wpid" "$(child_pid worker)"
assert_le "the worker's RSS did not grow (+$((RSS_SLACK / 1024)) KiB at most)" "$w_rss1" $((w_rss0 + RSS_SLACK))
assert_gt "the worker kept sampling (50 ms: >80 iterations in 6 s)" "$((it1 - it0))" 80
stop_checked

finish
