#!/usr/bin/env bash
# test_gzip.sh - gzip responses: only to a client that accepts gzip,
# always with Vary: Accept-Encoding; the compressed page is the same page
# (promtool), and vmagent, which asks for gzip by default, gets it: seen in
# the response headers through a TCP relay (http_tap.py) and in the bytes
# vmagent read from the socket against the size of the pages it parsed.
source "$(dirname "$0")/lib/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

start_service --channels 256 || { fail "service starts"; finish; }
wait_for "window statistics on the page" 15 sh -c "curl -sf '$SVC_URL/metrics' | grep -q '^sensor_window_value'"

echo "-- a client that accepts gzip"
hdr=$(curl -s -D - -o "$TEST_TMP/page.gz" -H 'Accept-Encoding: gzip' "$SVC_URL/metrics" | tr -d '\r')
header() { printf '%s\n' "$hdr" | grep -i "^$1:"; } # header NAME: its line in $hdr
assert_eq "Content-Encoding: gzip" "Content-Encoding: gzip" "$(header Content-Encoding)"
assert_eq "Vary: Accept-Encoding" "Vary: Accept-Encoding" "$(header Vary)"
assert_eq "the body starts with gzip's magic bytes" "1f8b" "$(head -c 2 "$TEST_TMP/page.gz" | od -An -tx1 | tr -d ' \n')"
gunzip -c <"$TEST_TMP/page.gz" >"$TEST_TMP/page.txt" 2>/dev/null
check "the body is one valid gzip stream" gzip -t "$TEST_TMP/page.gz"
check "the decompressed page is the metrics page" grep -q "^sensor_value{" "$TEST_TMP/page.txt"
check "promtool accepts the decompressed page" promtool_check <"$TEST_TMP/page.txt"
zsize=$(stat -c %s "$TEST_TMP/page.gz"); psize=$(stat -c %s "$TEST_TMP/page.txt")
assert_gt "compressed to under a third ($zsize of $psize bytes)" $((psize / 3)) "$zsize"
check "curl --compressed gets the page" sh -c "curl -sf --compressed '$SVC_URL/metrics' >'$TEST_TMP/compressed.txt'"
check "... and promtool accepts it" promtool_check <"$TEST_TMP/compressed.txt"
hdr=$(curl -s -D - -o /dev/null -H 'Accept-Encoding: br;q=1.0, gzip;q=0.8, *;q=0.1' "$SVC_URL/metrics" | tr -d '\r')
assert_match "a list with q-values that includes gzip gets gzip" 'Content-Encoding: gzip' "$hdr"

echo "-- a client that does not"
hdr=$(curl -s -D - -o "$TEST_TMP/plain.txt" "$SVC_URL/metrics" | tr -d '\r')
assert_no_match "no Accept-Encoding: no Content-Encoding" 'Content-Encoding' "$hdr"
assert_match "no Accept-Encoding: Vary all the same" 'Vary: Accept-Encoding' "$hdr"
check "no Accept-Encoding: a plain page promtool accepts" promtool_check <"$TEST_TMP/plain.txt"
for ae in 'gzip;q=0' 'identity' 'deflate, br' '*;q=0'; do
	hdr=$(curl -s -D - -o "$TEST_TMP/plain.txt" -H "Accept-Encoding: $ae" "$SVC_URL/metrics" | tr -d '\r')
	assert_no_match "Accept-Encoding: $ae: sent plain" 'Content-Encoding' "$hdr"
done
hdr=$(curl -s -D - -o /dev/null -H 'Accept-Encoding: gzip' "$SVC_URL/nope" | tr -d '\r')
assert_no_match "a 404 is not compressed" 'Content-Encoding' "$hdr"

echo "-- vmagent scrapes compressed"
if ! command -v vmagent >/dev/null; then
	skip "vmagent is not installed (scripts/install-deps.sh stack)"
	finish
fi
pick_port TAP_PORT
pick_port AGENT_PORT
/usr/bin/python3 "$HERE/lib/http_tap.py" "$TAP_PORT" "$SVC_PORT" "$TEST_TMP/tap.log" &
TAP_PID=$!
SVC_PIDS+=("$TAP_PID")
cat >"$TEST_TMP/scrape.yml" <<YML
scrape_configs:
  - job_name: gzip
    scrape_interval: 1s
    static_configs:
      - targets: ["127.0.0.1:$TAP_PORT"]
YML
# Nothing receives the remote write: vmagent buffers it under TEST_TMP.
vmagent -promscrape.config="$TEST_TMP/scrape.yml" -httpListenAddr="127.0.0.1:$AGENT_PORT" \
	-remoteWrite.url="http://127.0.0.1:$SVC_PORT/nowhere" -remoteWrite.tmpDataPath="$TEST_TMP/vmagent" \
	-loggerLevel=ERROR >"$TEST_TMP/vmagent.log" 2>&1 &
AGENT_PID=$!
SVC_PIDS+=("$AGENT_PID")
agent() { curl -sf --max-time 5 "http://127.0.0.1:$AGENT_PORT/metrics" | awk -v k="$1" '$1 == k { print $2; exit }'; }
scraped_3() { [ "$(agent vm_promscrape_scrape_response_size_bytes_count)" -ge 3 ] 2>/dev/null; }
wait_for "three scrapes by vmagent" 30 scraped_3 || { cat "$TEST_TMP/vmagent.log"; }
tap=$(tr -d '\r' <"$TEST_TMP/tap.log" 2>/dev/null)
assert_match "vmagent asks for gzip" '^req Accept-Encoding: gzip' "$(printf '%s\n' "$tap" | grep -i '^req accept-encoding')"
assert_match "vmagent's scrape is answered with Content-Encoding: gzip" '^resp Content-Encoding: gzip$' \
	"$(printf '%s\n' "$tap" | grep '^resp Content-Encoding')"
wire=$(agent vm_promscrape_conn_bytes_read_total)
parsed=$(agent vm_promscrape_scrape_response_size_bytes_sum)
assert_gt "vmagent read under a third of the bytes it parsed ($wire on the wire, $parsed parsed)" \
	"$(awk -v p="$parsed" 'BEGIN { printf "%d", p / 3 }')" "${wire:-0}"
up=$(curl -sf "http://127.0.0.1:$AGENT_PORT/api/v1/targets")
assert_match "the target is up in vmagent" '"health":"up"' "$up"
assert_match "vmagent parsed every series (no scrape error)" '"lastError":""' "$up"
kill "$AGENT_PID" "$TAP_PID"; wait "$AGENT_PID" "$TAP_PID" 2>/dev/null
stop_service; assert_eq "service stops cleanly" 0 $?
finish
