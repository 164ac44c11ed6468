#!/usr/bin/env bash
# test_idle_wakeups.sh - an idle service wakes only for work that is due:
# on these boards each wakeup of a task costs more CPU than the work it
# does, so the count of wakeups (voluntary context switches of each task,
# /proc/PID/task/TID/status) is the idle cost. With no client:
#   - the exporter wakes for its heartbeat only (no deadline sweep while
#     no connection is open), and a connection that then says nothing is
#     still closed at request-timeout-ms, within a tenth of it;
#   - the supervisor wakes once per rss-interval-ms (set here through its
#     environment spelling), and the resident memory cells are filled;
#   - the worker's loop wakes once per sampling tick, the host's sample
#     (due off the ticks' grid here) riding on those ticks and still
#     refreshed;
#   - on a board without hwmon or thermal files the node_exporter families'
#     thread sleeps from rescan to rescan, and a chip that appears later is
#     found within discovery-rescan-ms;
#   - scraped more often than it heartbeats, the exporter wakes once per
#     request: each request stamps its heartbeat and puts the timer's off.
source "$(dirname "$0")/lib/lib.sh"
BOARDS=$(cd "$(dirname "$0")/../fixtures/boards" && pwd)
WINDOW=8 # seconds of counting

# switches PID [TID]: voluntary context switches of one task, or of every
# task of the process
switches() {
	if [ $# -eq 2 ]; then
		awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$1/task/$2/status"
	else
		cat /proc/"$1"/task/*/status | awk '/^voluntary_ctxt_switches/ { n += $2 } END { print n + 0 }'
	fi
}

mkdir -p "$TEST_TMP/board/sys"
SENSOR_RSS_INTERVAL_MS=2000 start_service --sysfs-root "$TEST_TMP/board" --sample-interval-ms 1000 \
	--host-interval-ms 1100 --collector-filesystem=false --process-interval-ms 3600000 \
	--node-families-interval-ms 100 --discovery-rescan-ms 3000 --request-timeout-ms 1000 ||
	{ fail "service starts"; finish; }
wk=$(child_pid worker)
ex=$(child_pid exporter)
sleep 2 # past the start and the first scrape's connection

echo "-- voluntary context switches over $WINDOW s with no client"
sup0=$(switches "$SVC_PID"); ex0=$(switches "$ex"); wk0=$(switches "$wk"); wkm0=$(switches "$wk" "$wk")
sleep "$WINDOW"
sup1=$(switches "$SVC_PID"); ex1=$(switches "$ex"); wk1=$(switches "$wk"); wkm1=$(switches "$wk" "$wk")
sup=$((sup1 - sup0)) ex_n=$((ex1 - ex0)) wkm=$((wkm1 - wkm0)) wko=$((wk1 - wk0 - (wkm1 - wkm0)))
echo "  (supervisor $sup, exporter $ex_n, worker loop $wkm, worker's other threads $wko)"
assert_le "the exporter wakes about once a second (its heartbeat; no sweep without a connection)" "$ex_n" \
	$((WINDOW + 3))
assert_le "the supervisor wakes about once per rss-interval-ms (2 s)" "$sup" $((WINDOW / 2 + 2))
assert_le "the worker's loop wakes once per sampling tick (1 s), the host's 1.1 s sample on those ticks" \
	"$wkm" $((WINDOW + 3))
assert_le "the worker's other threads sleep (nothing to read: node families from rescan to rescan, 3 s)" \
	"$wko" $((WINDOW / 3 + 3))

echo "-- what the fewer wakeups still do"
page=$(http_body /metrics)
for p in supervisor worker exporter; do
	v=$(printf '%s\n' "$page" | awk -v k="sensor_process_resident_memory_bytes{process=\"$p\"}" '$1 == k { print $2 }')
	assert_gt "the $p's resident memory is read" "${v:-0}" 0
done
ctx0=$(printf '%s\n' "$page" | awk '$1 == "node_context_switches_total" { print $2 }')
sleep 2.2
ctx1=$(metric_value node_context_switches_total)
if [ -n "$ctx0" ] && [ -n "$ctx1" ] && [ "$ctx0" != "$ctx1" ]; then
	pass "the host's sample is refreshed on the sampling ticks ($ctx0 -> $ctx1)"
else
	fail "the host's sample is refreshed on the sampling ticks ('$ctx0' -> '$ctx1')"
fi

held=$(python3 - "$SVC_PORT" <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
t0 = time.monotonic()
s.settimeout(5)
try:
    while s.recv(4096):
        pass
except OSError:
    pass
print(int((time.monotonic() - t0) * 1000))
EOF
)
assert_eq "a silent connection opened after the idle time is closed at request-timeout-ms 1000 + a tenth ($held ms)" \
	1 "$(awk -v l="$held" 'BEGIN { print (l >= 950 && l <= 1100 + 300) ? 1 : 0 }')"

cp -a "$BOARDS/rpi4/sys/." "$TEST_TMP/board/sys/"
t0=$SECONDS
if wait_for "node series" 8 sh -c "curl -s $SVC_URL/metrics | grep -q '^node_hwmon_chip_names'"; then
	pass "a chip that appears later is found by the next rescan (within $((SECONDS - t0 + 1)) s; rescan 3 s)"
else
	fail "a chip that appears later is found by the next rescan"
fi
stop_service

echo "-- a scraper faster than the heartbeat"
# heartbeat every 1 s (a quarter of the timeout); 4 requests a second on
# one keep-alive connection, each deadline far off (no sweep)
start_service --sysfs-root "$TEST_TMP/board" --heartbeat-timeout-ms 4000 --request-timeout-ms 60000 ||
	{ fail "service starts"; finish; }
ex=$(child_pid exporter)
read -r n woke < <(python3 - "$SVC_PORT" "$ex" <<'EOF'
import http.client, sys, time
def switches(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("voluntary_ctxt_switches"))
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
c.request("GET", "/metrics"); c.getresponse().read()
time.sleep(0.5)
n, s0 = 0, switches(sys.argv[2])
end = time.monotonic() + 6
while time.monotonic() < end:
    c.request("GET", "/metrics"); c.getresponse().read()
    n += 1
    time.sleep(0.25)
print(n, switches(sys.argv[2]) - s0)
EOF
)
echo "  ($n requests, the exporter woke $woke times)"
assert_le "the exporter wakes once per request, not also for its heartbeat (6 s at a beat a second)" "${woke:-999}" \
	$((${n:-0} + 2))
assert_gt "its heartbeat stays fresh: the supervisor keeps it" "$(metric_value 'sensor_child_up{child="exporter"}')" 0
stop_service
finish
