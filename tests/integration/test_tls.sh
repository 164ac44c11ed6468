#!/usr/bin/env bash
# test_tls.sh - TLS and basic auth from a web config file (exporter-toolkit
# format): every kind of bad file refused at start in one line with exit
# status 2; curl, openssl s_client and vmagent against the TLS port; 401
# without or with wrong credentials, counted, an unknown user at the cost
# of a known one (the flood, the cache and the cost bound: test_auth_flood.sh); client certificates required and refused; certificates
# re-read on SIGHUP without dropping the listener; the exporter's memory
# with TLS; connections that send nothing closed at the deadline, and
# closed first at the connection cap, so a burst of them does not close a
# client in its handshake.
source "$(dirname "$0")/lib/lib.sh"
source "$(dirname "$0")/lib/certs.sh"

for tool in openssl curl promtool python3; do
	command -v "$tool" >/dev/null || { skip "$tool is not installed"; finish; }
done
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
D=$TEST_TMP
cd "$D" || exit 1

# A CA, a server certificate for 127.0.0.1, a second server certificate
# (for the reload), a key of no certificate, a client certificate from the
# CA and a self-signed one; bcrypt hashes.
quiet() { "$@" >/dev/null 2>&1; }
make_certs server server2 || { fail "test certificates made with openssl"; finish; }
quiet openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other.key
H1=$(bcrypt 's3cret pass'); H2=$(bcrypt other)
case $H1 in '$2b$10$'*) ;; *) fail "a bcrypt hash made for the test (got '$H1')"; finish ;; esac

echo "-- a bad web config file: exit 2, one line naming the problem"
bad_case() { # bad_case "what" "expected message regex" <<yaml
	cat >"$D/bad.yml"
	local out rc=0
	out=$("$SENSOR_BIN" --port "$(free_port)" --shm-name "$(new_shm_name)" --web-config-file "$D/bad.yml" 2>&1) || rc=$?
	assert_eq "$1: exit 2" 2 "$rc"
	assert_eq "$1: one line" 1 "$(printf '%s\n' "$out" | wc -l)"
	assert_match "$1: says so" "$2" "$out"
}
bad_case "no key_file" "needs 'key_file'" <<Y
tls_server_config:
  cert_file: server.crt
Y
bad_case "a hash that is not bcrypt" "password of 'prom' is not a bcrypt hash" <<Y
basic_auth_users:
  prom: '\$6\$salt\$notbcrypt'
Y
bad_case "a plain-text password" "not a bcrypt hash" <<Y
basic_auth_users:
  prom: s3cret
Y
bad_case "a certificate that does not match its key" "server.crt does not match key_file .*other.key" <<Y
tls_server_config:
  cert_file: server.crt
  key_file: other.key
Y
bad_case "an unknown key in tls_server_config" "unknown key 'tls_server_config.cert_fle'" <<Y
tls_server_config:
  cert_fle: server.crt
  key_file: server.key
Y
bad_case "an unknown top-level key" "unknown key 'basic_auth_user'" <<Y
basic_auth_user:
  prom: '$H1'
Y
bad_case "a key exporter-toolkit does not have either" "unknown key 'tls_server_config.session_tickets'" <<Y
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  session_tickets: false
Y
bad_case "a missing certificate file" "cannot load cert_file .*nowhere.crt" <<Y
tls_server_config:
  cert_file: nowhere.crt
  key_file: server.key
Y
bad_case "client certificates verified without a CA" "needs 'client_ca_file'" <<Y
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_auth_type: RequireAndVerifyClientCert
Y
bad_case "an unknown client_auth_type" "'client_auth_type' must be" <<Y
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_auth_type: Always
Y
bad_case "an unknown TLS version" "'min_version' must be TLS10, TLS11, TLS12 or TLS13, got 'TLS14'" <<Y
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  min_version: TLS14
Y
bad_case "max_version older than min_version" "'max_version' is older than 'min_version'" <<Y
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  min_version: TLS13
  max_version: TLS12
Y
bad_case "not YAML" "not valid YAML" <<Y
tls_server_config:
  cert_file: "server.crt
Y
bad_case "a user listed twice" "listed twice|not valid YAML" <<Y
basic_auth_users:
  prom: '$H1'
  prom: '$H2'
Y
out=$("$SENSOR_BIN" --web-config-file "$D/missing.yml" --port "$(free_port)" 2>&1); rc=$?
assert_eq "a missing web config file: exit 2" 2 "$rc"
assert_match "a missing web config file: says so" "missing.yml: cannot open" "$out"

echo "-- TLS and basic auth"
cat >"$D/web.yml" <<Y
# as node_exporter's --web.config.file takes it
tls_server_config:
  cert_file: server.crt
  key_file: $D/server.key
basic_auth_users:
  prom: '$H1'
  other: "$H2"
Y
launch_https() { # launch_https [flags]: start the service with web.yml, not waiting
	SVC_PORT=$(free_port)
	SVC_SHM=$(new_shm_name)
	SVC_LOG="$D/service-$SVC_PORT.log"
	SVC_URL="https://127.0.0.1:$SVC_PORT"
	"$SENSOR_BIN" --port "$SVC_PORT" --shm-name "$SVC_SHM" --web-config-file "$D/web.yml" "$@" >"$SVC_LOG" 2>&1 &
	SVC_PID=$!
	SVC_PIDS+=("$SVC_PID")
}
start_https() { # start_https [flags]: like start_service, over TLS
	launch_https "$@"
	wait_for "https on $SVC_PORT" 10 curl -s -o /dev/null --cacert "$D/ca.crt" "$SVC_URL/" || { cat "$SVC_LOG"; return 1; }
}
start_https || { fail "service starts with TLS"; finish; }
C=(curl -s --max-time 10 --cacert "$D/ca.crt")
code() { "${C[@]}" -o /dev/null -w '%{http_code}' "$@"; }
check "curl --cacert -u user:pass https://.../metrics passes promtool" \
	sh -c "\"\$@\" | \"$PROMTOOL_CHECK\"" _ "${C[@]}" -u 'prom:s3cret pass' "$SVC_URL/metrics"
assert_eq "the second user gets in too" 200 "$(code -u other:other "$SVC_URL/metrics")"
assert_eq "no credentials: 401" 401 "$(code "$SVC_URL/metrics")"
hdr=$("${C[@]}" -D - -o /dev/null "$SVC_URL/metrics" | tr -d '\r')
assert_match "401 with WWW-Authenticate: Basic" '^WWW-Authenticate: Basic realm="sensor-service"' "$(printf '%s\n' "$hdr" | grep WWW-Authenticate)"
assert_eq "every endpoint needs credentials (/)" 401 "$(code "$SVC_URL/")"
assert_eq "every endpoint needs credentials (a 404 path)" 401 "$(code "$SVC_URL/nope")"
failures() { "${C[@]}" -u 'prom:s3cret pass' "$SVC_URL/metrics" | awk -v k="sensor_http_auth_failures_total{reason=\"$1\"}" '$1 == k { print $2 }'; }
w0=$(failures wrong)
assert_eq "wrong password: 401" 401 "$(code -u prom:wrong "$SVC_URL/metrics")"
assert_eq "unknown user: 401" 401 "$(code -u mallory:'s3cret pass' "$SVC_URL/metrics")"
assert_eq "a password for the other user: 401" 401 "$(code -u prom:other "$SVC_URL/metrics")"
assert_eq "wrong credentials are counted (3 more)" $((w0 + 3)) "$(failures wrong)"
assert_match "missing credentials are counted" '^[1-9][0-9]*$' "$(failures missing)"
check "the page with the failure counter passes promtool" \
	sh -c "\"\$@\" | \"$PROMTOOL_CHECK\"" _ "${C[@]}" -u 'prom:s3cret pass' "$SVC_URL/metrics"
hdr=$("${C[@]}" -D - -o /dev/null --compressed -u 'prom:s3cret pass' "$SVC_URL/metrics" | tr -d '\r')
assert_match "gzip over TLS" '^Content-Encoding: gzip' "$(printf '%s\n' "$hdr" | grep Content-Encoding)"
assert_eq "plain HTTP on the TLS port: 400, as Go's servers answer" 400 \
	"$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$SVC_PORT/metrics")"
assert_eq "plain HTTP on the TLS port: Go's words" "Client sent an HTTP request to an HTTPS server." \
	"$(curl -s --max-time 5 "http://127.0.0.1:$SVC_PORT/metrics")"
assert_eq "plain HTTP on the TLS port: nothing served" 401 "$(code "$SVC_URL/metrics")"

echo "-- an unknown user costs what a wrong password does; a verified one is remembered (exporter CPU per request)"
exporter=$(child_pid exporter)
cpu_per() { # cpu_per USER:PASS : exporter CPU ticks over 10 requests
	local t0 t1
	t0=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$exporter/stat")
	for _ in $(seq 1 10); do code -u "$1" "$SVC_URL/" >/dev/null; done
	t1=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$exporter/stat")
	echo $((t1 - t0))
}
right=$(cpu_per 'prom:s3cret pass'); wrong=$(cpu_per 'prom:nope'); unknown=$(cpu_per 'nobody:nope')
echo "  (exporter CPU ticks for 10 requests: right $right, wrong $wrong, unknown user $unknown)"
check "an unknown user costs the bcrypt of a wrong password ($unknown vs $wrong ticks)" \
	awk -v a="$unknown" -v b="$wrong" 'BEGIN { exit !(a * 2 >= b && b * 2 >= a && b > 0) }'
check "a verified password costs less than a wrong one: the cache answers ($right vs $wrong ticks)" \
	awk -v a="$right" -v b="$wrong" 'BEGIN { exit !(a * 3 < b) }'

echo "-- openssl s_client"
sc=$(openssl s_client -connect "127.0.0.1:$SVC_PORT" -CAfile "$D/ca.crt" -verify_return_error </dev/null 2>&1)
assert_match "s_client: the chain verifies" 'Verify return code: 0 \(ok\)' "$sc"
assert_match "s_client: the server's certificate" 'subject=CN = server' "$sc"
assert_match "s_client: TLS 1.3 by default" 'TLSv1\.3' "$sc"
sc=$(openssl s_client -connect "127.0.0.1:$SVC_PORT" -CAfile "$D/ca.crt" -tls1_1 </dev/null 2>&1)
assert_match "s_client: TLS 1.1 is refused (min_version defaults to TLS12)" 'alert protocol version|no protocols available' "$sc"
sc=$(openssl s_client -connect "127.0.0.1:$SVC_PORT" -CAfile "$D/ca.crt" -tls1_2 </dev/null 2>&1)
assert_match "s_client: TLS 1.2 is accepted" 'Protocol *: TLSv1\.2' "$sc"

echo "-- the exporter's memory with TLS"
"${C[@]}" -o /dev/null -u 'prom:s3cret pass' "$SVC_URL/metrics"
rss_kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$exporter/status")
sup_kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$SVC_PID/status")
echo "  (exporter RSS with TLS: $rss_kb KiB; supervisor: $sup_kb KiB)"
assert_gt "the exporter with TLS stays under its memory cap (exporter-memory-mb, 64 MiB: RSS $rss_kb KiB)" 65536 "$rss_kb"
assert_eq "and it is the exporter that started (never restarted for memory)" 0 \
	"$("${C[@]}" -u 'prom:s3cret pass' "$SVC_URL/metrics" | awk '$1 == "sensor_child_restarts_total{child=\"exporter\"}" { print $2 }')"

echo "-- certificates re-read on SIGHUP, the listener kept"
serial() { openssl s_client -connect "127.0.0.1:$SVC_PORT" -CAfile "$D/ca.crt" </dev/null 2>/dev/null | openssl x509 -noout -subject 2>/dev/null; }
assert_match "before: the first certificate" 'CN = server$' "$(serial)"
cp server2.crt server.crt; cp server2.key server.key
kill -HUP "$SVC_PID"
new_cert() { serial | grep -q 'CN = server2'; }
wait_for "the new certificate" 10 new_cert
assert_match "after SIGHUP: the new certificate" 'CN = server2$' "$(serial)"
assert_eq "the same exporter process serves it (no restart)" "$exporter" "$(child_pid exporter)"
assert_eq "and answers with it" 200 "$(code -u 'prom:s3cret pass' "$SVC_URL/metrics")"
cp other.key server.key
kill -HUP "$SVC_PID"
wait_for "the reload error in the log" 10 grep -q "SIGHUP: .*does not match" "$SVC_LOG"
check "a bad file on SIGHUP: logged" grep -q "keeping the previous certificates" "$SVC_LOG"
assert_eq "a bad file on SIGHUP: still served with the previous certificate" 200 "$(code -u 'prom:s3cret pass' "$SVC_URL/metrics")"
assert_match "a bad file on SIGHUP: the previous certificate" 'CN = server2$' "$(serial)"
cp server2.key server.key
stop_service; assert_eq "service stops cleanly" 0 $?

echo "-- the example in deploy/ is a valid file"
cp "$ROOT/deploy/web-config.yml" "$D/web.yml"
cp server2.crt server.crt; cp server2.key server.key # the names it uses, in its directory
start_https || fail "the service starts with deploy/web-config.yml"
assert_eq "deploy/web-config.yml: TLS on, its user required (401)" 401 "$(code "$SVC_URL/metrics")"
stop_service; assert_eq "service stops cleanly" 0 $?

echo "-- client certificates"
cat >"$D/web.yml" <<Y
tls_server_config:
  cert_file: server2.crt
  key_file: server2.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
Y
launch_https
wait_for "https with client certs" 10 curl -s -o /dev/null --cacert "$D/ca.crt" --cert "$D/client.crt" --key "$D/client.key" "$SVC_URL/"
assert_eq "a client certificate from the CA: 200" 200 "$(code --cert "$D/client.crt" --key "$D/client.key" "$SVC_URL/metrics")"
assert_eq "no client certificate: refused in the handshake" 000 "$(code "$SVC_URL/metrics")"
assert_eq "a self-signed client certificate: refused" 000 "$(code --cert "$D/rogue.crt" --key "$D/rogue.key" "$SVC_URL/metrics")"
sc=$(openssl s_client -connect "127.0.0.1:$SVC_PORT" -CAfile "$D/ca.crt" </dev/null 2>&1)
assert_match "s_client without a certificate: the server asks for one from the CA" 'Acceptable client certificate CA names' "$sc"
stop_service; assert_eq "service stops cleanly" 0 $?

echo "-- vmagent scrapes with tls_config and basic_auth"
if ! command -v vmagent >/dev/null; then
	skip "vmagent is not installed (scripts/install-deps.sh stack)"
	finish
fi
cat >"$D/web.yml" <<Y
tls_server_config:
  cert_file: server2.crt
  key_file: server2.key
basic_auth_users:
  prom: '$H1'
Y
start_https || { fail "service starts with TLS"; finish; }
printf 's3cret pass' >"$D/password"
printf 'wrong' >"$D/wrong"
pick_port AGENT_PORT
job_yaml() { # job_yaml NAME PASSWORD_FILE: a scrape job over TLS with basic auth
	printf '  - job_name: %s\n    scheme: https\n    scrape_interval: 1s\n    tls_config:\n      ca_file: %s\n' "$1" "$D/ca.crt"
	printf '    basic_auth:\n      username: prom\n      password_file: %s\n' "$2"
	printf '    static_configs:\n      - targets: ["127.0.0.1:%s"]\n' "$SVC_PORT"
}
{ echo "scrape_configs:"; job_yaml tls "$D/password"; job_yaml tls-wrong "$D/wrong"; } >"$D/scrape.yml"
vmagent -promscrape.config="$D/scrape.yml" -httpListenAddr="127.0.0.1:$AGENT_PORT" \
	-remoteWrite.url="http://127.0.0.1:$AGENT_PORT/nowhere" -remoteWrite.tmpDataPath="$D/vmagent" \
	-loggerLevel=ERROR >"$D/vmagent.log" 2>&1 &
AGENT_PID=$!
SVC_PIDS+=("$AGENT_PID")
targets() { curl -sf --max-time 5 "http://127.0.0.1:$AGENT_PORT/api/v1/targets"; }
job() { targets | python3 -c 'import json, sys
for t in json.load(sys.stdin)["data"]["activeTargets"]:
    if t["labels"]["job"] == sys.argv[1]:
        print(t["health"], t["lastSamplesScraped"], t["lastError"])' "$1"; }
both_scraped() { job tls | grep -q '^up' && job tls-wrong | grep -q '401'; }
wait_for "vmagent's scrapes of both jobs" 30 both_scraped
assert_match "vmagent with the CA and the password: up, series scraped" '^up [1-9][0-9]* $' "$(job tls)"
assert_match "vmagent with a wrong password: down with 401" '^down 0 .*401' "$(job tls-wrong)"
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null

echo "-- vmagent with the shipped scrape file (/etc/sensor-service/vmagent-scrape.yml), edited as it says"
# The edits its comment documents: the "#" off the next 6 lines, the CA,
# the user and the password file; then the addresses of this run in place
# of the shipped ones (the service's default port, vmagent's from .env).
shipped_svc=$(env -i "$SENSOR_BIN" --print-config | sed -n 's/^port=//p')
shipped_agent=$(sed -n 's/^STACK_VMAGENT_PORT=//p' "$ROOT/.env")
awk '/remove the "#" of the next [0-9]+ lines/ { match($0, /next [0-9]+/); n = substr($0, RSTART + 5, RLENGTH - 5) + 0 }
	n > 0 && !on && /^ *#[^ ]/ { on = 1 }
	on { sub(/#/, ""); if (--n == 0) on = 0 }
	{ print }' "$ROOT/deploy/vmagent/scrape.yml" |
	sed -e "s|/etc/sensor-service/ca.crt|$D/ca.crt|" -e "s|/etc/sensor-service/vmagent-scrape.password|$D/password|" \
		-e 's|username: prometheus|username: prom|' -e "s|\"127.0.0.1:$shipped_svc\"|\"127.0.0.1:$SVC_PORT\"|" \
		-e "s|\"127.0.0.1:$shipped_agent\"|\"127.0.0.1:$AGENT_PORT\"|" -e 's|scrape_interval: .*|scrape_interval: 1s|' >"$D/shipped.yml"
assert_eq "the edit uncommented the 6 lines of the TLS variant" 6 \
	"$(($(grep -vc '^ *#' "$D/shipped.yml") - $(grep -vc '^ *#' "$ROOT/deploy/vmagent/scrape.yml")))"
vmagent -promscrape.config="$D/shipped.yml" -httpListenAddr="127.0.0.1:$AGENT_PORT" \
	-remoteWrite.url="http://127.0.0.1:$AGENT_PORT/nowhere" -remoteWrite.tmpDataPath="$D/vmagent2" \
	-loggerLevel=ERROR >"$D/vmagent2.log" 2>&1 &
AGENT_PID=$!
SVC_PIDS+=("$AGENT_PID")
shipped_up() { job sensor-service | grep -q '^up'; }
wait_for "vmagent's scrape of the service with the shipped file" 30 shipped_up
assert_match "the shipped file, edited: the TLS and password-protected service is up, series scraped" '^up [1-9][0-9]* $' \
	"$(job sensor-service)"
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null
stop_service; assert_eq "service stops cleanly" 0 $?

echo "-- min_version TLS10: TLS 1.0 and 1.1 work when the file asks, with a warning"
cp server2.crt server.crt; cp server2.key server.key
cat >"$D/web.yml" <<Y
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  min_version: TLS10
basic_auth_users:
  prom: '$H1'
Y
start_https --request-timeout-ms 1000 || { fail "service starts with min_version TLS10"; finish; }
for v in 1 1_1; do
	sc=$(openssl s_client -connect "127.0.0.1:$SVC_PORT" -CAfile "$D/ca.crt" -tls$v -cipher 'DEFAULT:@SECLEVEL=0' </dev/null 2>&1)
	assert_match "s_client -tls$v: handshake done" '^New, TLSv1[.0-9]*, Cipher is [A-Z]' "$(printf '%s\n' "$sc" | grep -m1 '^New, ')"
	want='TLSv1'; [ "$v" = 1_1 ] && want='TLSv1\.1'
	assert_match "s_client -tls$v: that version" "Protocol *: $want\$" "$(printf '%s\n' "$sc" | grep -m1 'Protocol *:')"
done
assert_eq "the warning is logged, once" 1 "$(grep -c 'min_version allows TLS 1.0, which is deprecated' "$SVC_LOG")"
idle_closed_after() { # seconds until the server closes a connection that never sends a ClientHello
	python3 -c 'import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(10)
t0 = time.monotonic()
try:
    s.recv(1)
except socket.timeout:
    pass
print("%.2f" % (time.monotonic() - t0))' "$SVC_PORT"
}
t=$(idle_closed_after)
check "a connection that sends nothing is closed at request-timeout-ms (1 s; after ${t}s)" \
	awk -v t="$t" 'BEGIN { exit !(t >= 0.9 && t < 3) }'
stop_service; assert_eq "service stops cleanly" 0 $?

echo "-- bursts of connections that send nothing: a client that has spoken is not the one closed"
# 1,024 silent connections against a cap of 64: each one past the cap
# closes one that has sent nothing, not the client that finished its TLS
# handshake before the burst (the longest-waiting connection).
cat >"$D/web.yml" <<Y
tls_server_config:
  cert_file: server.crt
  key_file: server.key
Y
start_https --max-connections 64 || { fail "service starts with max-connections 64"; finish; }
out=$(python3 "$ROOT/tests/integration/lib/tls_burst.py" "$SVC_PORT" --rounds 3 --burst 1024)
echo "  ($out)"
case $out in
skip*) skip "tls_burst.py: $out" ;;
*)
	ok=$(printf '%s\n' "$out" | sed -n 's/^ok=\([0-9]*\) .*/\1/p')
	closed=$(printf '%s\n' "$out" | sed -n 's/.* burst_closed=\([0-9]*\) .*/\1/p')
	check "the bursts' silent connections past the cap were closed ($closed of 3 x 1,024)" \
		awk -v c="$closed" 'BEGIN { exit !(c >= 3 * (1024 - 64 - 16)) }'
	assert_eq "the client that had spoken is served after each burst" 3 "$ok"
	;;
esac
stop_service; assert_eq "service stops cleanly" 0 $?
finish
