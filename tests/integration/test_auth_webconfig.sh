#!/usr/bin/env bash
# test_auth_webconfig.sh - the web config fails closed: an empty, comment
# only, directory, FIFO or half-written file refused at start (exit 2, one
# line); a reload to a bad (emptied) file keeps the configuration in
# force, logs an error, counts it and sets the last-reload gauge to 0; a
# change of the file is picked up without a signal; a key file readable by
# other users is warned about.
source "$(dirname "$0")/lib/lib.sh"

for tool in curl python3 openssl; do
	command -v "$tool" >/dev/null || { skip "$tool is not installed"; finish; }
done
D=$TEST_TMP
bcrypt() { /usr/bin/python3 -W ignore -c 'import crypt, sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 4)))' "$1"; }
H1=$(bcrypt 'first pass'); H2=$(bcrypt 'second pass')

echo "-- a web config that configures nothing, or is not a file, is refused at start"
refused() { # refused "what" "message regex" FILE
	local out rc=0
	out=$(timeout 10 "$SENSOR_BIN" --port "$(free_port)" --shm-name "$(new_shm_name)" --web-config-file "$3" 2>&1) || rc=$?
	assert_eq "$1: exit 2" 2 "$rc"
	assert_eq "$1: one line" 1 "$(printf '%s\n' "$out" | wc -l)"
	assert_match "$1: says so" "$2" "$out"
}
: >"$D/empty.yml"
refused "an empty file" "configures neither TLS nor basic auth" "$D/empty.yml"
printf -- '---\n# nothing yet\n' >"$D/comment.yml"
refused "a file of comments" "configures neither TLS nor basic auth" "$D/comment.yml"
printf 'basic_auth_users:\n' >"$D/nousers.yml"
refused "a users section without users" "configures neither TLS nor basic auth" "$D/nousers.yml"
mkdir "$D/dir.yml"
refused "a directory" "not a regular file" "$D/dir.yml"
mkfifo "$D/fifo.yml"
refused "a FIFO (no hang)" "not a regular file" "$D/fifo.yml"
printf 'basic_auth_users:\n  prom: %s\n' "${H1:0:30}" >"$D/cut.yml"
refused "a file cut in the middle of a hash" "not a bcrypt hash" "$D/cut.yml"
printf 'basic_auth_users:\n  prom: "%s' "$H1" >"$D/cut2.yml"
refused "a file cut in a quoted string" "not valid YAML" "$D/cut2.yml"
if [ "$(id -u)" = 0 ]; then
	skip "an unreadable file (root reads any file)"
else
	printf 'basic_auth_users:\n  prom: %s\n' "$H1" >"$D/secret.yml"; chmod 000 "$D/secret.yml"
	refused "an unreadable file" "cannot open: Permission denied" "$D/secret.yml"
fi

echo "-- a reload keeps the configuration in force when the file goes bad"
printf 'basic_auth_users:\n  prom: %s\n' "$H1" >"$D/web.yml"
start_auth() {
	SVC_PORT=$(free_port)
	SVC_SHM=$(new_shm_name)
	SVC_LOG="$D/service-$SVC_PORT.log"
	SVC_URL="http://127.0.0.1:$SVC_PORT"
	"$SENSOR_BIN" --port "$SVC_PORT" --shm-name "$SVC_SHM" --web-config-file "$D/web.yml" "$@" >"$SVC_LOG" 2>&1 &
	SVC_PID=$!
	SVC_PIDS+=("$SVC_PID")
	up() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$SVC_URL/")" = 401 ]; }
	wait_for "service on $SVC_PORT" 10 up || { cat "$SVC_LOG"; return 1; }
}
start_auth --web-config-poll-ms 300 || { fail "service starts with basic auth"; finish; }
code() { curl -s -o /dev/null --max-time 10 -w '%{http_code}' "$@"; }
value() { curl -s --max-time 10 -u "$1" "$SVC_URL/metrics" | awk -v k="$2" '$1 == k { print $2 }'; }
assert_eq "before: no credentials, 401" 401 "$(code "$SVC_URL/metrics")"
assert_eq "before: the last reload gauge is 1" 1 "$(value 'prom:first pass' sensor_web_config_last_reload_successful)"
: >"$D/web.yml"
kill -HUP "$SVC_PID"
wait_for "the reload error" 10 grep -q "SIGHUP: .*configures neither" "$SVC_LOG"
check "the refused reload is logged as an error" grep -q "exporter error: SIGHUP: .*keeping the previous" "$SVC_LOG"
assert_eq "after emptying the file: still 401 without credentials" 401 "$(code "$SVC_URL/metrics")"
assert_eq "and 200 with them" 200 "$(code -u 'prom:first pass' "$SVC_URL/metrics")"
assert_eq "the last reload gauge is 0" 0 "$(value 'prom:first pass' sensor_web_config_last_reload_successful)"
assert_gt "the failure is counted" "$(value 'prom:first pass' 'sensor_web_config_reloads_total{result="failure"}')" 0

echo "-- a change of the file is picked up without a signal"
printf 'basic_auth_users:\n  prom: %s\n  second: %s\n' "$H1" "$H2" >"$D/web.yml"
second_in() { [ "$(code -u 'second:second pass' "$SVC_URL/metrics")" = 200 ]; }
wait_for "the new user" 10 second_in
assert_eq "a user added to the file gets in, no SIGHUP" 200 "$(code -u 'second:second pass' "$SVC_URL/metrics")"
assert_eq "the last reload gauge is 1 again" 1 "$(value 'prom:first pass' sensor_web_config_last_reload_successful)"
assert_eq "the success is counted" 1 "$(value 'prom:first pass' 'sensor_web_config_reloads_total{result="success"}')"
check "logged as a change" grep -q "web config changed: re-read" "$SVC_LOG"
stop_service; assert_eq "service stops cleanly" 0 $?

echo "-- a key file readable by other users is warned about; users are never dropped by a reload"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/server.key" -out "$D/server.crt" -days 2 -subj /CN=127.0.0.1 >/dev/null 2>&1
chmod 0644 "$D/server.key"
printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  prom: %s\n' "$H1" >"$D/web.yml"
SVC_PORT=$(free_port); SVC_SHM=$(new_shm_name); SVC_LOG="$D/service-tls.log"
"$SENSOR_BIN" --port "$SVC_PORT" --shm-name "$SVC_SHM" --web-config-file "$D/web.yml" >"$SVC_LOG" 2>&1 &
SVC_PID=$!; SVC_PIDS+=("$SVC_PID")
tls_up() { curl -sk -o /dev/null --max-time 2 "https://127.0.0.1:$SVC_PORT/"; }
wait_for "https on $SVC_PORT" 10 tls_up
check "warned: the key is readable by others" grep -q "key_file .*server.key is readable by other users (mode 0644)" "$SVC_LOG"
# the file as a writer caught half-way leaves it: TLS's part only
printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n' >"$D/web.yml"
kill -HUP "$SVC_PID"
wait_for "the refused reload" 10 grep -q "basic_auth_users cannot be emptied by a reload" "$SVC_LOG"
check "a reload that would drop every user is refused" grep -q "basic_auth_users cannot be emptied by a reload" "$SVC_LOG"
assert_eq "still 401 without credentials" 401 "$(curl -sk -o /dev/null --max-time 10 -w '%{http_code}' "https://127.0.0.1:$SVC_PORT/metrics")"
stop_service; assert_eq "service stops cleanly" 0 $?
finish
