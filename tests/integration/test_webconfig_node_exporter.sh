#!/usr/bin/env bash
# test_webconfig_node_exporter.sh - the same web config files given to
# Debian's prometheus-node-exporter (1.5.0, exporter-toolkit 0.8) and to the
# service: one file per key of exporter-toolkit (cipher_suites,
# curve_preferences, prefer_server_cipher_suites, http_server_config.headers
# and http2) and combinations with TLS versions, basic auth and client
# certificates. Both refuse the same bad files; on the good ones a client
# sees the same status codes, the same configured headers (on 200 and 401),
# the same handshakes for each TLS version, cipher suite and curve, and
# the same answers with a right, wrong, missing or foreign client
# certificate. The deliberate differences (an empty file refused, a bcrypt
# cost bound, the WWW-Authenticate realm) are not compared here: test_tls.sh
# and test_auth_webconfig.sh check them.
source "$(dirname "$0")/lib/lib.sh"
source "$(dirname "$0")/lib/node_exporter.sh"
source "$(dirname "$0")/lib/certs.sh"

for tool in openssl curl python3 timeout; do
	command -v "$tool" >/dev/null || { skip "$tool is not installed"; finish; }
done
[ -x "$NODE_EXPORTER_BIN" ] || { skip "prometheus-node-exporter is not installed"; finish; }
D=$TEST_TMP
cd "$D" || exit 1

make_certs || { fail "test certificates made with openssl"; finish; }
chmod 600 ./*.key
PW='s3cret pass'
HASH=$(bcrypt "$PW")
case $HASH in '$2b$10$'*) ;; *) fail "a bcrypt hash made for the test (got '$HASH')"; finish ;; esac

TLS="tls_server_config:
  cert_file: server.crt
  key_file: server.key"
USERS="basic_auth_users:
  prom: '$HASH'"
HEADERS=(Strict-Transport-Security X-Content-Type-Options X-Frame-Options X-XSS-Protection Content-Security-Policy)
# OpenSSL's names of the TLS 1.2 suites exporter-toolkit knows, and curves
SUITES=(AES128-SHA AES256-SHA AES128-GCM-SHA256 AES256-GCM-SHA384 ECDHE-RSA-AES128-SHA ECDHE-RSA-AES256-SHA
	ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 ECDHE-RSA-CHACHA20-POLY1305)
GROUPS_=(P-256 P-384 P-521 X25519)

# handshake HOSTPORT ARGS... : "ok" when a TLS session is agreed
handshake() {
	local hp=$1; shift
	if echo | timeout 5 openssl s_client -connect "$hp" "$@" 2>/dev/null | grep -q 'Cipher is [A-Z]'; then
		echo ok
	else
		echo fail
	fi
}

# probe HOSTPORT SCHEME USERS(0|1) CERTS(0|1) DEEP(0|1): what a client sees,
# one line per question; the same file from both programs must give the
# same lines
probe() {
	local hp=$1 scheme=$2 users=$3 certs=$4 deep=$5 cred cert st h v
	local creds=(none) certlist=(client)
	[ "$users" = 1 ] && creds=(none wrong right)
	[ "$certs" = 1 ] && certlist=(client none rogue)
	for cred in "${creds[@]}"; do
		for cert in "${certlist[@]}"; do
			local args=(-sk --max-time 5 --http1.1 -o /dev/null -D "$D/hdr" -w '%{http_code}')
			case $cred in wrong) args+=(-u "prom:nope") ;; right) args+=(-u "prom:$PW") ;; esac
			case $cert in client) args+=(--cert client.crt --key client.key) ;; rogue) args+=(--cert rogue.crt --key rogue.key) ;; esac
			: >"$D/hdr"
			st=$(curl "${args[@]}" "$scheme://$hp/metrics")
			echo "creds=$cred cert=$cert status $st"
			for h in "${HEADERS[@]}"; do
				v=$(grep -i "^$h:" "$D/hdr" | head -1 | cut -d: -f2- | tr -d '\r' | sed 's/^ //')
				echo "creds=$cred cert=$cert $h: $v"
			done
		done
	done
	[ "$scheme" = https ] || return 0
	local mine=(-cert client.crt -key client.key)
	echo "TLS 1.0: $(handshake "$hp" -tls1 -cipher 'DEFAULT@SECLEVEL=0' "${mine[@]}")"
	echo "TLS 1.1: $(handshake "$hp" -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' "${mine[@]}")"
	echo "TLS 1.2: $(handshake "$hp" -tls1_2 "${mine[@]}")"
	echo "TLS 1.3: $(handshake "$hp" -tls1_3 "${mine[@]}")"
	[ "$deep" = 1 ] || return 0
	local s g
	for s in "${SUITES[@]}"; do
		echo "TLS 1.2 $s: $(handshake "$hp" -tls1_2 -cipher "$s" "${mine[@]}")"
	done
	for g in "${GROUPS_[@]}"; do
		echo "TLS 1.2 ECDHE over $g: $(handshake "$hp" -tls1_2 -cipher ECDHE -groups "$g" "${mine[@]}")"
		echo "TLS 1.3 over $g: $(handshake "$hp" -tls1_3 -groups "$g" "${mine[@]}")"
	done
}

# start_ours FILE: the service with FILE, not waiting; refused: return 2
start_ours() {
	SVC_PORT=$(free_port)
	SVC_SHM=$(new_shm_name)
	SVC_LOG="$D/service-$SVC_PORT.log"
	"$SENSOR_BIN" --port "$SVC_PORT" --shm-name "$SVC_SHM" --web-config-file "$1" >"$SVC_LOG" 2>&1 &
	SVC_PID=$!
	SVC_PIDS+=("$SVC_PID")
	for _ in $(seq 1 100); do
		kill -0 "$SVC_PID" 2>/dev/null || return 2
		curl -sk -o /dev/null --max-time 2 "http://127.0.0.1:$SVC_PORT/" && return 0
		sleep 0.1
	done
	return 1
}

# same NAME SCHEME USERS CERTS DEEP <<yaml : both programs serve it alike
same() {
	local name=$1 scheme=$2 users=$3 certs=$4 deep=$5 f="$D/$1.yml"
	cat >"$f"
	start_node_exporter --web.config.file="$f" --collector.disable-defaults ||
		{ fail "$name: node_exporter serves it"; stop_node_exporter; return; }
	start_ours "$f" || { fail "$name: the service serves it"; cat "$SVC_LOG"; stop_node_exporter; return; }
	probe "${NE_URL#http://}" "$scheme" "$users" "$certs" "$deep" >"$D/$name.theirs"
	probe "127.0.0.1:$SVC_PORT" "$scheme" "$users" "$certs" "$deep" >"$D/$name.ours"
	local d
	if d=$(diff "$D/$name.theirs" "$D/$name.ours"); then
		pass "$name: the same answers as node_exporter ($(wc -l <"$D/$name.ours") checked: statuses" \
			"$(grep -o 'status [0-9]*' "$D/$name.ours" | sort | uniq -c | xargs), handshakes" \
			"$(grep -c ': ok$' "$D/$name.ours") made $(grep -c ': fail$' "$D/$name.ours") refused)"
	else
		fail "$name: differs from node_exporter (< theirs, > ours):"
		echo "$d" | head -20
	fi
	stop_service
	stop_node_exporter
}

# refused NAME <<yaml : both programs refuse the file at start
refused() {
	local name=$1 f="$D/$1.yml" port rc=0
	cat >"$f"
	pick_port port
	timeout 5 "$NODE_EXPORTER_BIN" --web.listen-address="127.0.0.1:$port" --web.config.file="$f" \
		--collector.disable-defaults >"$D/$name.ne.log" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; then
		pass "$name: node_exporter refuses it"
	else
		fail "$name: node_exporter refuses it (exit $rc)"
	fi
	rc=0
	"$SENSOR_BIN" --port "$(free_port)" --shm-name "$(new_shm_name)" --web-config-file "$f" >"$D/$name.log" 2>&1 ||
		rc=$?
	assert_eq "$name: the service refuses it at start (exit 2)" 2 "$rc"
}

echo "-- one key at a time"
same tls https 0 0 1 <<Y
$TLS
Y
same cipher_suites https 0 0 1 <<Y
$TLS
  cipher_suites:
    - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    - TLS_RSA_WITH_AES_256_CBC_SHA
Y
same cipher_suites_cbc https 0 0 1 <<Y
$TLS
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256]
http_server_config:
  http2: false
Y
same cipher_suites_tls13_named https 0 0 1 <<Y
$TLS
  cipher_suites: [TLS_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA]
http_server_config:
  http2: false
Y
same curve_preferences https 0 0 1 <<Y
$TLS
  curve_preferences: [CurveP384]
Y
same curve_preferences_x25519 https 0 0 1 <<Y
$TLS
  curve_preferences: [X25519, CurveP521]
Y
same prefer_server_cipher_suites https 0 0 0 <<Y
$TLS
  prefer_server_cipher_suites: false
Y
same headers_over_tls https 0 0 0 <<Y
$TLS
http_server_config:
  headers:
    Strict-Transport-Security: max-age=31536000; includeSubDomains
    X-Content-Type-Options: nosniff
    X-Frame-Options: deny
    X-XSS-Protection: 1; mode=block
    Content-Security-Policy: default-src 'none'
Y
same headers_plain_with_users http 1 0 0 <<Y
$USERS
http_server_config:
  headers:
    X-Frame-Options: sameorigin
    Content-Security-Policy: "frame-ancestors 'none'"
Y
same http2_on https 0 0 0 <<Y
$TLS
http_server_config:
  http2: true
Y
same http2_off https 0 0 0 <<Y
$TLS
http_server_config:
  http2: false
Y

echo "-- combinations"
same tls10_to_12_suites https 1 0 1 <<Y
$TLS
  min_version: TLS10
  max_version: TLS12
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]
  curve_preferences: [CurveP256]
$USERS
http_server_config:
  http2: false
  headers:
    X-Content-Type-Options: nosniff
Y
same tls13_only https 1 0 1 <<Y
$TLS
  min_version: TLS13
  curve_preferences: [X25519]
$USERS
Y
same client_certs_required https 1 1 0 <<Y
$TLS
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
$USERS
http_server_config:
  http2: false
  headers:
    X-Frame-Options: deny
    Strict-Transport-Security: max-age=600
Y
same client_certs_if_given https 0 1 0 <<Y
$TLS
  client_auth_type: VerifyClientCertIfGiven
  client_ca_file: ca.crt
  curve_preferences: [CurveP256, X25519]
http_server_config:
  headers:
    X-XSS-Protection: "0"
Y

echo "-- refused by both"
refused unknown_cipher <<Y
$TLS
  cipher_suites: [TLS_FAKE_WITH_NOTHING]
Y
refused insecure_cipher <<Y
$TLS
  cipher_suites: [TLS_RSA_WITH_3DES_EDE_CBC_SHA]
Y
refused openssl_cipher_name <<Y
$TLS
  cipher_suites: [ECDHE-RSA-AES128-GCM-SHA256]
Y
refused suites_http2_cannot_use <<Y
$TLS
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA]
Y
refused cipher_not_a_list <<Y
$TLS
  cipher_suites: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
Y
refused unknown_curve <<Y
$TLS
  curve_preferences: [P-256]
Y
refused prefer_not_a_bool <<Y
$TLS
  prefer_server_cipher_suites: sometimes
Y
refused header_not_allowed <<Y
$TLS
http_server_config:
  headers:
    Server: sensor
Y
refused header_value_not_allowed <<Y
$TLS
http_server_config:
  headers:
    X-Frame-Options: DENY
Y
refused nosniff_only <<Y
$TLS
http_server_config:
  headers:
    X-Content-Type-Options: sniff
Y
refused http2_not_a_bool <<Y
$TLS
http_server_config:
  http2: maybe
Y
refused unknown_http_key <<Y
$TLS
http_server_config:
  http3: true
Y
finish
