#!/usr/bin/env bash
# test_bad_http.sh - hostile HTTP input (tests/integration/lib/bad_http.py):
# each bad request gets the right status or a closed connection, the
# exporter stays up and within its memory cap, and a well-behaved client
# is served at the same time.
source "$(dirname "$0")/lib/faults_lib.sh"

# RSS read every 250 ms: rss0 and rss1 are read 0.6 s after what they measure.
start_stamped --debug-endpoint --exporter-memory-mb 32 --rss-interval-ms 250 || { fail "service starts"; finish; }
epid=$(child_pid exporter)
for _ in 1 2 3; do http_body /metrics >/dev/null; done
sleep 0.6
rss0=$(rss_of exporter)

echo "-- bad requests, slowloris, 500 idle connections, and a good client meanwhile"
out=$(python3 "$(dirname "$0")/lib/bad_http.py" "$SVC_PORT" --idle 500 --slow 30 --slow-seconds 8 2>&1); rc=$?
while IFS= read -r line; do
	case $line in
	"ok   "*) pass "${line#ok   }" ;;
	"FAIL "*) fail "${line#FAIL }" ;;
	"info "*) echo "  (${line#info })" ;;
	*) [ -n "$line" ] && echo "  $line" ;;
	esac
done <<<"$out"
assert_eq "bad_http.py ran to the end" 0 "$rc"

echo "-- the exporter afterwards"
sleep 0.6
rss1=$(rss_of exporter)
echo "  (exporter RSS $((rss0 / 1024)) KiB before, $((rss1 / 1024)) KiB after; cap 32 MiB)"
assert_eq "the exporter never crashed" "$epid" "$(child_pid exporter)"
assert_eq "no restart" 0 "$(metric 'sensor_child_restarts_total{child="exporter"}')"
assert_le "its RSS stayed within its cap (32 MiB)" "$rss1" $((32 * 1048576))
assert_le "and grew by 4 MiB at most" "$rss1" $((rss0 + 4 * 1048576 + RSS_SLACK))
assert_eq "/ is still 200" 200 "$(http_status /)"
assert_gt "the 404s were counted under path=other" "$(metric 'sensor_requests_total{path="other",code="404"}')" 50
stop_checked
finish
