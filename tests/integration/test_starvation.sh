#!/usr/bin/env bash
# test_starvation.sh - connection starvation (tests/integration/lib/starve_http.py):
# the service runs under a descriptor limit of 1024 (systemd's default soft
# limit) while twice that many connections trickle one header byte every
# 3 s, as a slowloris does, reconnecting whenever they are closed. A
# well-behaved client fetching /metrics meanwhile must get at least 99 % of
# its answers, each within 1 s; the exporter must not spin (under 10 % of a
# core) nor flood its log (under 100 KB). First, below the cap, the
# whole-request deadline alone: a trickle of bytes does not extend it.
source "$(dirname "$0")/lib/lib.sh"

get() { printf '%s\n' "$out" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }

SENSOR_REQUEST_TIMEOUT_MS=2000 start_service || { fail "service starts"; finish; }
for kind in headers body; do
	echo "-- 5 connections trickling a $kind byte every 0.5 s; request-timeout-ms 2000"
	out=$(python3 "$(dirname "$0")/lib/starve_http.py" "$SVC_PORT" --conns 5 --seconds 6 --kind $kind --round 0.5)
	echo "  ($out)"
	assert_gt "the server closed them ($kind)" "$(get reconnects)" 4
	assert_eq "each within 2 s + 0.25 s of sweep + 0.5 s of polling (longest $(get lifetime_max_ms) ms)" 1 \
		"$(awk -v l="$(get lifetime_max_ms)" 'BEGIN { print (l > 1500 && l <= 2750) ? 1 : 0 }')"
	assert_eq "the good client was served meanwhile" "$(get requests)" "$(get ok)"
done
stop_service

NOFILE=1024
ATTACK_S=${STARVE_SECONDS:-12}
REAL_BIN=$SENSOR_BIN
cat >"$TEST_TMP/limited" <<EOF
#!/bin/sh
exec prlimit --nofile=$NOFILE:$NOFILE "$REAL_BIN" "\$@"
EOF
chmod +x "$TEST_TMP/limited"
SENSOR_BIN="$TEST_TMP/limited"

start_service || { fail "service starts under prlimit --nofile=$NOFILE"; finish; }
epid=$(child_pid exporter)
assert_eq "the exporter runs with a limit of $NOFILE descriptors" "$NOFILE" \
	"$(awk '/^Max open files/ { print $4 }' "/proc/$epid/limits")"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)
log0=$(stat -c %s "$SVC_LOG")
t0=$EPOCHREALTIME
c0=$(cpu_ticks "$epid")

echo "-- $((2 * NOFILE)) connections trickling a header byte every 3 s for $ATTACK_S s; /metrics every 0.1 s"
out=$(python3 "$(dirname "$0")/lib/starve_http.py" "$SVC_PORT" --conns $((2 * NOFILE)) --seconds "$ATTACK_S" \
	--kind headers --round 3 --interval 0.1 --timeout 1)
c1=$(cpu_ticks "$epid" 2>/dev/null || echo "$c0")
t1=$EPOCHREALTIME
log1=$(stat -c %s "$SVC_LOG")
echo "  ($out)"
case $out in
skip*)
	skip "${out#skip }"
	stop_service
	finish
	;;
esac
requests=$(get requests)
ok=$(get ok)
cpu_pct=$(awk -v c=$((c1 - c0)) -v t="$tck" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", 100 * c / t / (b - a) }')
log_bytes=$((log1 - log0))
echo "  (exporter CPU ${cpu_pct}% of a core over the attack, log grew by $log_bytes bytes)"
assert_gt "the good client made its requests" "$requests" 50
assert_eq "at least 99% of them were 200 within 1 s ($ok of $requests)" 1 \
	"$(awk -v o="$ok" -v r="$requests" 'BEGIN { print (r > 0 && o >= 0.99 * r) ? 1 : 0 }')"
assert_eq "the exporter used under 10% of a core ($cpu_pct%)" 1 "$(awk -v p="$cpu_pct" 'BEGIN { print (p < 10) ? 1 : 0 }')"
assert_eq "its log grew by under 100 KB ($log_bytes bytes)" 1 "$([ "$log_bytes" -lt 100000 ] && echo 1 || echo 0)"
assert_eq "the exporter never restarted" "$epid" "$(child_pid exporter)"
assert_eq "it said once why it closed connections" 1 \
	"$(grep -c 'connections open (max-connections): closing the one waiting longest' "$SVC_LOG")"

echo "-- after the attack"
assert_eq "/metrics is 200" 200 "$(http_status /metrics)"

# Out of descriptors all the same (the limit lowered under a running
# exporter, above its cap): accept() must rest, not spin and log each try.
echo "-- the exporter's limit lowered to 200 under it; 600 idle connections for 6 s"
prlimit --pid "$epid" --nofile=200:200
log0=$(stat -c %s "$SVC_LOG")
t0=$EPOCHREALTIME
c0=$(cpu_ticks "$epid")
out=$(python3 "$(dirname "$0")/lib/starve_http.py" "$SVC_PORT" --conns 600 --seconds 6 --kind idle --round 1)
c1=$(cpu_ticks "$epid" 2>/dev/null || echo "$c0")
t1=$EPOCHREALTIME
log_bytes=$(($(stat -c %s "$SVC_LOG") - log0))
cpu_pct=$(awk -v c=$((c1 - c0)) -v t="$tck" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", 100 * c / t / (b - a) }')
echo "  ($out)"
echo "  (exporter CPU ${cpu_pct}%, log grew by $log_bytes bytes)"
assert_eq "accept() failed for want of descriptors, said once" 1 \
	"$(grep -c 'accept: Too many open files.*pausing accepts' "$SVC_LOG")"
assert_eq "and did not spin (${cpu_pct}% of a core)" 1 "$(awk -v p="$cpu_pct" 'BEGIN { print (p < 10) ? 1 : 0 }')"
assert_eq "nor flood the log ($log_bytes bytes)" 1 "$([ "$log_bytes" -lt 100000 ] && echo 1 || echo 0)"
assert_eq "/metrics is 200 afterwards" 200 "$(http_status /metrics)"
assert_eq "the exporter never restarted" "$epid" "$(child_pid exporter)"
stop_service
assert_eq "the service stopped cleanly" 0 $?
finish
