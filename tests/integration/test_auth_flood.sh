#!/usr/bin/env bash
# test_auth_flood.sh - basic auth against a client without credentials:
# a bcrypt cost above auth-max-bcrypt-cost refused at start naming the
# user; verified credentials answered from the cache (one bcrypt, then
# none); bcrypt off the event loop (a cached client is served while an
# expensive check runs); a full verify queue answered 429 with
# Retry-After; every user, known or not, costs the most expensive hash;
# a reload empties the cache.
source "$(dirname "$0")/lib/lib.sh"

for tool in curl python3; do
	command -v "$tool" >/dev/null || { skip "$tool is not installed"; finish; }
done
D=$TEST_TMP
# bcrypt hashes by libxcrypt, through Python's crypt module (Debian's python3)
bcrypt() { /usr/bin/python3 -W ignore -c 'import crypt, sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << int(sys.argv[2]))))' "$1" "$2"; }
CHEAP=$(bcrypt 'right horse' 4)
case $CHEAP in '$2b$04$'*) ;; *) fail "a bcrypt hash made for the test (got '$CHEAP')"; finish ;; esac

echo "-- a bcrypt cost above the bound: exit 2, one line naming the user and the cost"
cat >"$D/dear.yml" <<Y
basic_auth_users:
  prom: '$CHEAP'
  slowpoke: '\$2b\$17\$abcdefghijklmnopqrstuuQ2QzOgq6EwkRjHq0ZAdnU3Di3fxKXjS'
Y
rc=0
out=$(timeout 10 "$SENSOR_BIN" --port "$(free_port)" --shm-name "$(new_shm_name)" --web-config-file "$D/dear.yml" 2>&1) || rc=$?
assert_eq "cost 17: exit 2" 2 "$rc"
assert_eq "cost 17: one line" 1 "$(printf '%s\n' "$out" | wc -l)"
assert_match "cost 17: names the user and the cost" "'slowpoke' has bcrypt cost 17, above auth-max-bcrypt-cost 12" "$out"

echo "-- the cache: one bcrypt for a scraper, not one per scrape"
SLOW_COST=13
SLOW=$(bcrypt 'slow pass' $SLOW_COST)
cat >"$D/web.yml" <<Y
basic_auth_users:
  prom: '$CHEAP'
  slow: '$SLOW'
Y
start_auth() { # start_auth [flags]: the service with web.yml, up when it answers 401
	SVC_PORT=$(free_port)
	SVC_SHM=$(new_shm_name)
	SVC_LOG="$D/service-$SVC_PORT.log"
	SVC_URL="http://127.0.0.1:$SVC_PORT"
	"$SENSOR_BIN" --port "$SVC_PORT" --shm-name "$SVC_SHM" --web-config-file "$D/web.yml" \
		--auth-max-bcrypt-cost $SLOW_COST --auth-busy-percent 100 "$@" >"$SVC_LOG" 2>&1 &
	SVC_PID=$!
	SVC_PIDS+=("$SVC_PID")
	up() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$SVC_URL/")" = 401 ]; }
	wait_for "service on $SVC_PORT" 10 up || { cat "$SVC_LOG"; return 1; }
}
start_auth || { fail "service starts with basic auth"; finish; }
PROM=(-u 'prom:right horse')
code() { curl -s -o /dev/null --max-time 30 -w '%{http_code}' "$@"; }
counter() { curl -s --max-time 30 "${PROM[@]}" "$SVC_URL/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }
assert_eq "the right password: 200" 200 "$(code "${PROM[@]}" "$SVC_URL/metrics")"
b0=$(counter sensor_http_auth_bcrypt_total); h0=$(counter sensor_http_auth_cache_hits_total)
for _ in 1 2 3 4 5; do code "${PROM[@]}" "$SVC_URL/metrics" >/dev/null; done
b1=$(counter sensor_http_auth_bcrypt_total); h1=$(counter sensor_http_auth_cache_hits_total)
assert_eq "five more scrapes: no bcrypt ($b0 then $b1)" "$b0" "$b1"
assert_eq "five scrapes and two readings: seven cache hits" $((h0 + 7)) "$h1"
assert_eq "a wrong password is never taken from the cache: 401" 401 "$(code -u 'prom:right horsE' "$SVC_URL/metrics")"
assert_eq "and costs a bcrypt" $((b1 + 1)) "$(counter sensor_http_auth_bcrypt_total)"

echo "-- bcrypt off the event loop, at the most expensive hash's cost for everyone"
# the quickest of three answers: a busy machine only ever adds time
quickest() { # quickest USER:PASS
	for _ in 1 2 3; do curl -s -o /dev/null --max-time 30 -w '%{time_total}\n' -u "$1" "$SVC_URL/metrics"; done | sort -n | head -1
}
t_slow=$(quickest 'slow:wrong'); t_cheap=$(quickest 'prom:wrong'); t_unknown=$(quickest 'nobody:wrong')
echo "  (a wrong password takes at best ${t_slow}s for the cost-$SLOW_COST user, ${t_cheap}s for the cost-4 one, ${t_unknown}s for an unknown user)"
check "the cost-4 user's wrong password takes as long as the cost-$SLOW_COST user's (${t_cheap}s vs ${t_slow}s)" \
	awk -v a="$t_cheap" -v b="$t_slow" 'BEGIN { exit !(b > 0.05 && a * 2 >= b && b * 2 >= a) }'
check "an unknown user's too (${t_unknown}s vs ${t_slow}s)" \
	awk -v a="$t_unknown" -v b="$t_slow" 'BEGIN { exit !(b > 0.05 && a * 2 >= b && b * 2 >= a) }'
curl -s -o /dev/null --max-time 30 -u 'slow:wrong again' "$SVC_URL/metrics" &
bg=$!
sleep 0.05
t_cached=$(curl -s -o /dev/null --max-time 30 -w '%{time_total}' "${PROM[@]}" "$SVC_URL/metrics")
wait "$bg"
check "a cached scraper is served while a check runs (${t_cached}s against ${t_slow}s a check)" \
	awk -v a="$t_cached" -v b="$t_slow" 'BEGIN { exit !(a * 4 < b) }'
stop_service; assert_eq "service stops cleanly" 0 $?

echo "-- a full verify queue: 429 with Retry-After, unhashed"
start_auth --auth-queue 1 || { fail "service starts with auth-queue 1"; finish; }
code "${PROM[@]}" "$SVC_URL/metrics" >/dev/null # into the cache
b0=$(counter sensor_http_auth_bcrypt_total)
guesses=()
for i in 1 2 3 4 5 6; do
	curl -s -o /dev/null -D "$D/h$i" --max-time 30 -w '%{http_code}\n' -u "slow:guess$i" "$SVC_URL/metrics" >"$D/c$i" &
	guesses+=($!)
done
wait "${guesses[@]}"
codes=$(cat "$D"/c? | sort | uniq -c | tr -s ' \n' ' ')
echo "  (six guesses at once: $codes)"
n429=$(cat "$D"/c? | grep -c 429)
n401=$(cat "$D"/c? | grep -c 401)
assert_gt "some are refused 429" "$n429" 0
assert_eq "the rest are 401" 6 $((n429 + n401))
assert_match "429 says when to retry" '^Retry-After: [0-9]+' "$(cat "$D"/h? | tr -d '\r' | grep Retry-After | head -1)"
assert_eq "only the queued ones were hashed" $((b0 + n401)) "$(counter sensor_http_auth_bcrypt_total)"
assert_eq "the refusals are counted" "$n429" "$(counter 'sensor_http_auth_failures_total{reason="busy"}')"

echo "-- a reload empties the cache"
b0=$(counter sensor_http_auth_bcrypt_total)
kill -HUP "$SVC_PID"
wait_for "the reload" 10 grep -q "SIGHUP: re-read" "$SVC_LOG"
assert_eq "after the reload: 200" 200 "$(code "${PROM[@]}" "$SVC_URL/metrics")"
assert_eq "verified again (one bcrypt)" $((b0 + 1)) "$(counter sensor_http_auth_bcrypt_total)"
stop_service; assert_eq "service stops cleanly" 0 $?
finish
