#!/usr/bin/env bash
# test_libmap.sh - the libraries each process maps: the binary names none
# of OpenSSL, libevent_openssl, libyaml, zlib or libcrypt; the supervisor
# and the worker never map them (with or without a web config); the
# exporter maps zlib only once a client asks for gzip, and OpenSSL, libyaml
# and libcrypt only with a web config, where TLS, basic auth and gzip
# still work. A library that cannot be loaded gives one clear line: the
# start refused (exit 2) for the web config's, responses sent uncompressed
# for zlib; never a crash.
source "$(dirname "$0")/lib/lib.sh"

for tool in curl openssl python3; do
	command -v "$tool" >/dev/null || { skip "$tool is not installed"; finish; }
done
OPT='/lib(ssl|crypto|yaml-0|z|crypt|event_openssl-[0-9.]+)\.so'
maps_of() { grep -oE "${OPT}[.0-9]*" "/proc/$1/maps" 2>/dev/null | sed 's|^/||' | sort -u | tr '\n' ' '; }
maps_none() { # maps_none "description" PID
	local m; m=$(maps_of "$2")
	if [ -z "$m" ]; then pass "$1"; else fail "$1 (maps $m)"; fi
}

echo "-- the binary"
if command -v readelf >/dev/null; then
	needed=$(readelf -d "$SENSOR_BIN" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')
	assert_no_match "no DT_NEEDED of the exporter's optional libraries ($needed)" "$OPT" "/$needed"
else
	skip "readelf is not installed (binutils)"
fi

echo "-- defaults, TLS off"
start_service || { fail "service starts"; finish; }
sup=$SVC_PID worker=$(child_pid worker) exporter=$(child_pid exporter)
curl -s -o /dev/null "$SVC_URL/metrics"
maps_none "the exporter maps none before a client asks for gzip" "$exporter"
hdr=$(curl -s -D - -o "$TEST_TMP/page.gz" -H 'Accept-Encoding: gzip' "$SVC_URL/metrics" | tr -d '\r')
assert_match "a gzip scrape is compressed" 'Content-Encoding: gzip' "$hdr"
check "the compressed page is a valid gzip stream" gzip -t "$TEST_TMP/page.gz"
assert_match "the exporter maps zlib after it" 'libz\.so' "$(maps_of "$exporter")"
assert_no_match "and nothing else of them" 'ssl|crypto|yaml|crypt\.' "$(maps_of "$exporter")"
maps_none "the supervisor maps none" "$sup"
maps_none "the worker maps none" "$worker"
stop_service; assert_eq "service stops cleanly" 0 $?

echo "-- with a web config: TLS and basic auth"
D=$TEST_TMP
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/server.key" -out "$D/server.crt" -days 2 -subj /CN=localhost \
	-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
H=$(/usr/bin/python3 -W ignore -c 'import crypt; print(crypt.crypt("pw", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 4)))')
cat >"$D/web.yml" <<Y
tls_server_config:
  cert_file: $D/server.crt
  key_file: $D/server.key
basic_auth_users:
  prom: '$H'
Y
SVC_PORT=$(free_port) SVC_SHM=$(new_shm_name) SVC_URL="https://127.0.0.1:$SVC_PORT"
SVC_LOG=$D/tls.log
"$SENSOR_BIN" --port "$SVC_PORT" --shm-name "$SVC_SHM" --web-config-file "$D/web.yml" >"$SVC_LOG" 2>&1 &
SVC_PID=$!
SVC_PIDS+=("$SVC_PID")
C=(curl -s --max-time 10 --cacert "$D/server.crt")
if wait_for "https on $SVC_PORT" 10 "${C[@]}" -o /dev/null "$SVC_URL/"; then
	assert_eq "https without credentials: 401" 401 "$("${C[@]}" -o /dev/null -w '%{http_code}' "$SVC_URL/metrics")"
	assert_eq "https with credentials: 200" 200 "$("${C[@]}" -u prom:pw -o /dev/null -w '%{http_code}' "$SVC_URL/metrics")"
	assert_eq "a wrong password: 401" 401 "$("${C[@]}" -u prom:no -o /dev/null -w '%{http_code}' "$SVC_URL/metrics")"
	check "gzip over TLS with credentials" sh -c "${C[*]} -u prom:pw -H 'Accept-Encoding: gzip' '$SVC_URL/metrics' | gzip -t"
	m=$(maps_of "$(child_pid exporter)")
	assert_match "the exporter maps OpenSSL ($m)" 'libssl\.so.*' "$m"
	assert_match "the exporter maps libyaml and libcrypt" 'libcrypt\.so.*libyaml|libyaml.*libcrypt\.so' "$m"
	maps_none "the supervisor maps none (the web config is checked in a child)" "$SVC_PID"
	maps_none "the worker maps none" "$(child_pid worker)"
else
	fail "the service starts with TLS and basic auth"
	cat "$SVC_LOG"
fi
stop_service; assert_eq "service stops cleanly" 0 $?

echo "-- a library that cannot be loaded"
# The library's file replaced by an empty one in a mount namespace of the
# service's own (root only).
lib_path() { readlink -f "$(ldconfig -p | awk -v n="$1" '$1 == n { print $NF; exit }')"; }
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null || ! unshare -m true 2>/dev/null; then
	skip "needs root and unshare -m to hide a library"
	finish
fi
: >"$D/empty.so"
hidden() { # hidden LIB ARGS...: the service with LIB's file empty (exec: the same pid)
	local lib; lib=$(lib_path "$1"); shift
	exec unshare -m sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh "$D/empty.so" "$lib" "$SENSOR_BIN" "$@"
}
out=$(hidden libyaml-0.so.2 --port "$(free_port)" --shm-name "$(new_shm_name)" --web-config-file "$D/web.yml" 2>&1)
rc=$?
assert_eq "libyaml missing, a web config given: exit 2" 2 "$rc"
assert_eq "in one line" 1 "$(printf '%s\n' "$out" | wc -l)"
assert_match "naming the library and its package" 'cannot load libyaml-0\.so\.2 \(Debian package libyaml-0-2\)' "$out"
cat >"$D/tls-only.yml" <<Y
tls_server_config:
  cert_file: $D/server.crt
  key_file: $D/server.key
Y
out=$(hidden libssl.so.3 --port "$(free_port)" --shm-name "$(new_shm_name)" --web-config-file "$D/tls-only.yml" 2>&1)
rc=$?
assert_eq "libssl missing, TLS configured: exit 2" 2 "$rc"
assert_match "naming it" 'TLS: cannot load libssl\.so\.3 \(Debian package libssl3\)' "$out"

SVC_PORT=$(free_port) SVC_SHM=$(new_shm_name) SVC_URL="http://127.0.0.1:$SVC_PORT" SVC_LOG=$D/nozlib.log
(hidden libz.so.1 --port "$SVC_PORT" --shm-name "$SVC_SHM") >"$SVC_LOG" 2>&1 &
SVC_PID=$!
SVC_PIDS+=("$SVC_PID")
if wait_for "service on $SVC_PORT" 10 curl -sf -o /dev/null "$SVC_URL/"; then
	for i in 1 2; do
		hdr=$(curl -s -D - -o "$D/plain.txt" -H 'Accept-Encoding: gzip' "$SVC_URL/metrics" | tr -d '\r')
		assert_match "zlib missing: gzip scrape $i answered 200" '^HTTP/1.1 200' "$hdr"
		assert_no_match "uncompressed" 'Content-Encoding' "$hdr"
	done
	check "the page is whole" grep -q '^sensor_up' "$D/plain.txt"
	assert_eq "said once in the log" 1 "$(grep -c 'gzip: cannot load libz\.so\.1 (Debian package zlib1g)' "$SVC_LOG")"
	assert_eq "the exporter was not restarted" 0 "$(grep -c 'exporter.*\(died\|exited\|restart\)' "$SVC_LOG")"
else
	fail "the service starts without zlib"
	cat "$SVC_LOG"
fi
stop_service; assert_eq "service stops cleanly" 0 $?
finish
