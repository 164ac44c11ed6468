#!/usr/bin/env bash
# test_process_metrics.sh - the exporter's standard process_* families:
# present once each, promtool-clean, beside the per-process
# sensor_process_* series, and telling the truth about the exporter
# process (compared with its own /proc entries), a restarted exporter
# included; and the exporter's record of the time it spends rendering.
source "$(dirname "$0")/lib/lib.sh"

start_service || { fail "service starts"; finish; }
page=$(http_body /metrics)
check "promtool accepts the page" promtool_check <<<"$page"
for f in process_cpu_seconds_total:counter process_open_fds:gauge process_max_fds:gauge \
	process_start_time_seconds:gauge process_resident_memory_bytes:gauge process_virtual_memory_bytes:gauge; do
	name=${f%%:*} type=${f#*:}
	assert_eq "$name: one TYPE line, $type" "# TYPE $name $type" "$(printf '%s\n' "$page" | grep "^# TYPE $name ")"
	assert_eq "$name: one sample, no labels" 1 "$(printf '%s\n' "$page" | grep -c "^$name [0-9]")"
done
assert_eq "the per-process sensor_process_resident_memory_bytes series stay (3)" 3 \
	"$(printf '%s\n' "$page" | grep -c '^sensor_process_resident_memory_bytes{process=')"

echo "-- the figures are the exporter's"
pid=$(child_pid exporter)
value() { printf '%s\n' "$page" | awk -v k="$1" '$1 == k { print $2; exit }'; }
# The exporter's own fds: the scrape's connection was open while it rendered.
fds=$(ls "/proc/$pid/fd" | wc -l)
v=$(value process_open_fds)
check "process_open_fds ($v) is the exporter's fd count ($fds) within 3" \
	awk -v a="$v" -v b="$fds" 'BEGIN { exit !(a - b <= 3 && b - a <= 3) }'
assert_eq "process_max_fds is the exporter's soft RLIMIT_NOFILE" \
	"$(awk '/^Max open files/ { print $4 }' "/proc/$pid/limits")" "$(value process_max_fds)"
rss=$(($(awk '{ print $2 }' "/proc/$pid/statm") * $(getconf PAGESIZE)))
v=$(value process_resident_memory_bytes)
check "process_resident_memory_bytes ($v) is within 25 % of the exporter's RSS ($rss)" \
	awk -v a="$v" -v b="$rss" 'BEGIN { exit !(a > b * 0.75 && a < b * 1.25) }'
vsz=$(($(awk '{ print $1 }' "/proc/$pid/statm") * $(getconf PAGESIZE)))
v=$(value process_virtual_memory_bytes)
check "process_virtual_memory_bytes ($v) is within 25 % of the exporter's size ($vsz)" \
	awk -v a="$v" -v b="$vsz" 'BEGIN { exit !(a > b * 0.75 && a < b * 1.25) }'
hz=$(getconf CLK_TCK)
btime=$(awk '/^btime/ { print $2 }' /proc/stat)
started=$(awk -v hz="$hz" -v bt="$btime" '{ sub(/.*\) /, ""); printf "%.2f", bt + $20 / hz }' "/proc/$pid/stat")
assert_eq "process_start_time_seconds is the exporter's start" "$started" "$(value process_start_time_seconds)"
now=$(date +%s)
check "and it is within the last minute" awk -v s="$started" -v n="$now" 'BEGIN { exit !(s <= n + 1 && s > n - 60) }'
cpu0=$(value process_cpu_seconds_total)
renders0=$(value sensor_metrics_render_seconds_count) rsum0=$(value sensor_metrics_render_seconds_sum)
for _ in $(seq 1 300); do curl -s -o /dev/null "$SVC_URL/metrics"; done
page=$(http_body /metrics)
assert_gt "process_cpu_seconds_total grows with work ($cpu0 -> $(value process_cpu_seconds_total))" \
	"$(value process_cpu_seconds_total)" "$cpu0"

echo "-- the time spent rendering /metrics"
assert_eq "sensor_metrics_render_seconds: one TYPE line, summary" "# TYPE sensor_metrics_render_seconds summary" \
	"$(printf '%s\n' "$page" | grep "^# TYPE sensor_metrics_render_seconds ")"
# this page shows the scrapes before it: the 300 and the one that read renders0
assert_eq "its count rose by the scrapes in between" $((renders0 + 301)) "$(value sensor_metrics_render_seconds_count)"
rsum=$(value sensor_metrics_render_seconds_sum)
check "its sum rose, by under 10 ms a scrape ($rsum0 -> $rsum s)" \
	awk -v a="$rsum0" -v b="$rsum" 'BEGIN { exit !(b > a && b - a < 301 * 0.01) }'

echo "-- a restarted exporter reports its own start"
old_start=$(value process_start_time_seconds)
sleep 1.1 # start times have 1/100 s resolution; make the new one differ surely
kill -9 "$pid"
new_pid() { local p; p=$(child_pid exporter) && [ "$p" != "$pid" ] && curl -sf -o /dev/null "$SVC_URL/"; }
wait_for "a new exporter" 15 new_pid
page=$(http_body /metrics)
assert_gt "process_start_time_seconds moved forward" "$(value process_start_time_seconds)" "$old_start"
stop_service; assert_eq "service stops cleanly" 0 $?
finish
