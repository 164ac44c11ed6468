#!/usr/bin/env bash
# test_service.sh - the real sensor-service end to end: endpoints, metric
# families, promtool, restarts after kill -9, clean stop, bad input.
source "$(dirname "$0")/lib/lib.sh"

echo "-- command line"
out=$("$SENSOR_BIN" --version); assert_match "--version prints the version" '^sensor-service [0-9]+\.[0-9]+\.[0-9]+$' "$out"
out=$("$SENSOR_BIN" --help); assert_match "--help lists --port" '--port' "$out"
out=$("$SENSOR_BIN" --bogus 2>&1); rc=$?
assert_eq "unknown flag exits 2" 2 "$rc"
assert_eq "unknown flag: one line of error" 1 "$(printf '%s\n' "$out" | wc -l)"
out=$("$SENSOR_BIN" --port 70000 2>&1); rc=$?
assert_eq "out-of-range port exits 2" 2 "$rc"; assert_match "error names the option" "option 'port'" "$out"
out=$("$SENSOR_BIN" --ring-capacity 1000 2>&1); assert_match "ring capacity must be a power of two" "ring-capacity.*power of two" "$out"
out=$("$SENSOR_BIN" --shm-name noslash 2>&1); rc=$?
assert_eq "bad shm name exits 2" 2 "$rc"; assert_match "error names shm-name" "shm-name" "$out"

echo "-- configuration precedence: defaults < file < environment < flags"
cat >"$TEST_TMP/a.conf" <<CONF
[service]
port=9101
listen=127.0.0.1
[worker]
channels=5
window=64
CONF
out=$("$SENSOR_BIN" --config "$TEST_TMP/a.conf" --print-config)
assert_match "file sets port" '^port=9101$' "$(printf '%s' "$out" | grep '^port=')"
assert_match "file sets channels" '^channels=5$' "$(printf '%s' "$out" | grep '^channels=')"
out=$(SENSOR_PORT=9102 "$SENSOR_BIN" --config "$TEST_TMP/a.conf" --print-config)
assert_match "environment beats file" '^port=9102$' "$(printf '%s' "$out" | grep '^port=')"
out=$(SENSOR_PORT=9102 "$SENSOR_BIN" --port 9103 --config "$TEST_TMP/a.conf" --print-config)
assert_match "flag beats environment" '^port=9103$' "$(printf '%s' "$out" | grep '^port=')"
printf '[service]\nprot=1\n' >"$TEST_TMP/typo.conf"
out=$("$SENSOR_BIN" --config "$TEST_TMP/typo.conf" 2>&1); rc=$?
assert_eq "unknown key in config exits 2" 2 "$rc"; assert_match "error names the key" "unknown key 'prot'" "$out"
printf '[worker]\nchannels=many\n' >"$TEST_TMP/bad.conf"
out=$("$SENSOR_BIN" --config "$TEST_TMP/bad.conf" 2>&1); assert_match "bad value names option and file" "bad.conf.*'channels'" "$out"
out=$(SENSOR_CHANNELS=2000 "$SENSOR_BIN" --print-config 2>&1); assert_match "bad env names the variable" "SENSOR_CHANNELS" "$out"
out=$("$SENSOR_BIN" --config "$TEST_TMP/missing.conf" 2>&1); rc=$?
assert_eq "missing config file exits 2" 2 "$rc"

echo "-- start"
start_service --sample-interval-ms 50 --process-interval-ms 500 || { fail "service starts"; finish; }
pass "service answers on $SVC_URL"
check "worker runs as its own process named sensor-worker" child_pid worker
check "exporter runs as its own process named sensor-exporter" child_pid exporter
check "segment exists under /dev/shm" test -e "/dev/shm${SVC_SHM}"

echo "-- GET /"
assert_eq "/ is 200 when healthy" 200 "$(http_status /)"
body=$(http_body /)
assert_match "/ says ok" '"status":"ok"' "$body"
assert_match "/ reports the worker's heartbeat age" '"worker":\{"up":true,"pid":[0-9]+,"heartbeat_age_seconds":[0-9.e-]+' "$body"
assert_match "/ reports uptime" '"uptime_seconds":[0-9.]+' "$body"
assert_eq "/?x=1 ignores the query" 200 "$(http_status '/?x=1')"

echo "-- GET /metrics"
ctype=$(curl -s -o /dev/null -w '%{content_type}' "$SVC_URL/metrics")
assert_match "content type is text format 0.0.4" '^text/plain; version=0\.0\.4' "$ctype"
http_body /metrics >"$TEST_TMP/m1"
for fam in sensor_cpu_spike_seconds:histogram sensor_queue_depth:gauge sensor_loop_iterations_total:counter \
	sensor_readings_total:counter sensor_readings_dropped_total:counter sensor_requests_total:counter \
	sensor_child_restarts_total:counter sensor_process_resident_memory_bytes:gauge \
	sensor_worker_heartbeat_age_seconds:gauge; do
	name=${fam%%:*}; type=${fam##*:}
	check "family $name has HELP" grep -q "^# HELP $name " "$TEST_TMP/m1"
	check "family $name is a $type" grep -qx "# TYPE $name $type" "$TEST_TMP/m1"
done
check "histogram has a +Inf bucket" grep -q '^sensor_cpu_spike_seconds_bucket{le="+Inf"} ' "$TEST_TMP/m1"
inf=$(awk '$1 == "sensor_cpu_spike_seconds_bucket{le=\"+Inf\"}" { print $2 }' "$TEST_TMP/m1")
cnt=$(awk '$1 == "sensor_cpu_spike_seconds_count" { print $2 }' "$TEST_TMP/m1")
assert_eq "+Inf bucket equals _count" "$cnt" "$inf"
for p in supervisor worker exporter; do
	wait_for "RSS of $p sampled" 3 metric_above "sensor_process_resident_memory_bytes{process=\"$p\"}" 0
	assert_gt "RSS of $p is reported" "$(metric_value "sensor_process_resident_memory_bytes{process=\"$p\"}")" 100000
done
if command -v promtool >/dev/null; then
	out=$(promtool_check <"$TEST_TMP/m1" 2>&1); rc=$?
	assert_eq "promtool check metrics accepts the output ($out)" 0 "$rc"
else
	fail "promtool is installed (scripts/install-deps.sh test)"
fi
it1=$(awk '$1 == "sensor_loop_iterations_total" { print $2 }' "$TEST_TMP/m1")
rd1=$(awk '$1 == "sensor_readings_total" { print $2 }' "$TEST_TMP/m1")
sleep 1.2
it2=$(metric_value sensor_loop_iterations_total); rd2=$(metric_value sensor_readings_total)
assert_gt "loop iterations move" "$it2" "$it1"
assert_gt "readings move" "$rd2" "$rd1"
assert_gt "processing ran (spike histogram count)" "$(metric_value sensor_cpu_spike_seconds_count)" 0
req=$(metric_value 'sensor_requests_total{path="/metrics",code="200"}')
assert_gt "requests are counted" "${req:-0}" 1

echo "-- other paths and methods"
assert_eq "/debug is 404 unless enabled" 404 "$(http_status /debug)"
assert_eq "unknown path is 404" 404 "$(http_status /nope)"
assert_eq "trailing slash is not /metrics" 404 "$(http_status /metrics/)"
assert_eq "path traversal is 404" 404 "$(http_status '/../metrics' --path-as-is)"
assert_eq "POST /metrics is 405" 405 "$(http_status /metrics -X POST)"
allow=$(curl -s -D - -o /dev/null -X DELETE "$SVC_URL/" | tr -d '\r' | awk -F': ' 'tolower($1) == "allow" { print $2 }')
assert_eq "405 carries Allow" "GET, HEAD" "$allow"
assert_eq "HEAD / is 200" 200 "$(http_status / -I)"
big=$(head -c 20000 /dev/zero | tr '\0' 'a')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $big" "$SVC_URL/metrics")
check "oversized headers are rejected (got $code)" test "$code" != 200
n404=$(metric_value 'sensor_requests_total{path="other",code="404"}')
assert_gt "404s are counted under path=other" "${n404:-0}" 0
http_status /dashboard >/dev/null
http_status /dashboard >/dev/null
assert_eq "/dashboard is counted under its own path" 2 \
	"$(metric_value 'sensor_requests_total{path="/dashboard",code="200"}')"
assert_eq "... not under path=other" "" "$(metric_value 'sensor_requests_total{path="other",code="200"}')"

echo "-- kill -9 the worker"
wpid=$(child_pid worker)
kill -9 "$wpid"
wait_for "worker restarted" 10 bash -c "p=\$(pgrep -P $SVC_PID -x sensor-worker) && [ \"\$p\" != $wpid ]"
check "a new worker runs" test -n "$(child_pid worker)"
check "worker pid changed" test "$(child_pid worker)" != "$wpid"
assert_eq "/ keeps answering" 200 "$(http_status /)"
assert_eq "restart is counted" 1 "$(metric_value 'sensor_child_restarts_total{child="worker"}')"
assert_eq "exit by signal is counted" 1 "$(metric_value 'sensor_child_exits_total{child="worker",reason="signal"}')"
it3=$(metric_value sensor_loop_iterations_total)
assert_gt "counters continue after the restart (not reset)" "$it3" "$it2"
assert_match "/ reports the last exit" '"last_exit":"signal","last_exit_detail":9' "$(http_body /)"

echo "-- kill -9 the exporter"
epid=$(child_pid exporter)
kill -9 "$epid"
wait_for "exporter back" 10 curl -sf -o /dev/null "$SVC_URL/"
assert_eq "exporter restart is counted" 1 "$(metric_value 'sensor_child_restarts_total{child="exporter"}')"

echo "-- a second instance on the same port"
out=$("$SENSOR_BIN" --port "$SVC_PORT" --shm-name "$(new_shm_name)" 2>&1); rc=$?
assert_eq "port in use exits 1" 1 "$rc"
assert_match "port in use says so" "cannot listen on 127.0.0.1:$SVC_PORT: Address already in use" "$out"
out=$("$SENSOR_BIN" --port "$(free_port)" --shm-name "$SVC_SHM" 2>&1); rc=$?
assert_eq "segment in use by a live service exits 1" 1 "$rc"
assert_match "names the owner" "in use by a running sensor-service \\(pid $SVC_PID\\)" "$out"

echo "-- listen address"
out=$("$SENSOR_BIN" --listen 999.1.1.1 --port "$(free_port)" --shm-name "$(new_shm_name)" 2>&1); rc=$?
assert_eq "a listen value that is no address exits 1" 1 "$rc"
assert_match "and names the option" "option 'listen': '999.1.1.1' is not an IPv4 or IPv6 address" "$out"
if [ -e /proc/net/if_inet6 ] && ip -6 addr show lo 2>/dev/null | grep -q '::1'; then
	v6port=$(free_port); v6shm="/sensor-test-$$-v6"
	"$SENSOR_BIN" --listen ::1 --port "$v6port" --shm-name "$v6shm" >"$TEST_TMP/v6.log" 2>&1 &
	v6pid=$!; SVC_PIDS+=("$v6pid")
	wait_for "IPv6 service" 10 curl -sf -o /dev/null "http://[::1]:$v6port/" || cat "$TEST_TMP/v6.log"
	assert_eq "serves on IPv6 loopback" 200 "$(curl -s -o /dev/null -w '%{http_code}' "http://[::1]:$v6port/")"
	kill -TERM "$v6pid"; wait "$v6pid"; assert_eq "IPv6 instance stops with 0" 0 "$?"
else
	echo "  (no IPv6 loopback here: IPv6 listen not exercised)"
fi

echo "-- SIGTERM"
stop_service; rc=$?
assert_eq "SIGTERM: exit status 0" 0 "$rc"
check "segment removed" test ! -e "/dev/shm${SVC_SHM}"
check "no child left" bash -c "! pgrep -P $SVC_PID"
check "log says stopped" grep -q "supervisor info: stopped" "$SVC_LOG"

echo "-- /debug when enabled"
start_service --debug-endpoint || { fail "service starts with --debug-endpoint"; finish; }
assert_eq "/debug is 200" 200 "$(http_status /debug)"
# DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1
assert_eq "/debug is 403 to Host: evil.example, even from loopback" 403 \
	"$(http_status /debug -H 'Host: evil.example')"
assert_eq "and to Host: 127.0.0.1.nip.io:PORT" 403 "$(http_status /debug -H "Host: 127.0.0.1.nip.io:$SVC_PORT")"
assert_eq "/debug is 200 to Host: localhost:PORT" 200 "$(http_status /debug -H "Host: localhost:$SVC_PORT")"
assert_eq "/metrics still answers any Host" 200 "$(http_status /metrics -H 'Host: evil.example')"
body=$(http_body /debug)
assert_match "/debug shows the header" '"header":\{"magic":"0x314d48534e534553","version":'"$SHM_LAYOUT" "$body"
assert_match "/debug shows recent readings" '"recent":\[\{"index":[0-9]+' "$body"
if command -v python3 >/dev/null; then
	check "/debug is valid JSON" python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$body"
	check "/ is valid JSON" python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$(http_body /)"
fi

echo "-- stale and foreign segments"
stale_shm=$SVC_SHM
kill -9 "$SVC_PID"; wait "$SVC_PID" 2>/dev/null
wait_for "children follow the supervisor" 5 bash -c "! pgrep -x sensor-worker -P 1 | grep -q . && ! pgrep -P $SVC_PID"
check "the crashed run left its segment" test -e "/dev/shm${stale_shm}"
start_service --shm-name "$stale_shm" || fail "restart over a stale segment"
check "stale segment was replaced" grep -q "replacing stale segment" "$SVC_LOG"
stop_service
foreign=$(new_shm_name)
head -c 4096 /dev/urandom >"/dev/shm${foreign}"
out=$("$SENSOR_BIN" --port "$(free_port)" --shm-name "$foreign" 2>&1); rc=$?
assert_eq "foreign segment: exit 1" 1 "$rc"
assert_match "foreign segment: refused" "not a sensor-service segment; refusing" "$out"
check "foreign segment left untouched" test -s "/dev/shm${foreign}"
rm -f "/dev/shm${foreign}"

finish
