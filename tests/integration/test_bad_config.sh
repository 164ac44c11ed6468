#!/usr/bin/env bash
# test_bad_config.sh - every option, in each of its three spellings (flag,
# SENSOR_* variable, config-file key), with empty, wrong-type and
# out-of-range values: exit status 2 and one line of error that names the
# option. The options come from `sensor-service --print-config`, so a new
# option is covered the day it is added.
source "$(dirname "$0")/lib/faults_lib.sh"

SAFE=(--port "$(free_port)" --shm-name "$(new_shm_name)" --print-config)
"$SENSOR_BIN" --print-config >"$TEST_TMP/defaults" || { fail "--print-config works"; finish; }

# bad_values KEY DEFAULT : one bad value per line
bad_values() {
	local key=$1 def=$2
	case $def in
	true | false) printf '%s\n' "" maybe 2 "yes please" ;;
	*[!0-9-]* | "" | -) # a string
		[ -n "$def" ] && echo ""
		head -c 5000 /dev/zero | tr '\0' 'x'; echo ;;
	*) printf '%s\n' "" abc 12abc 1.5 0x10 -1 999999999999 99999999999999999999999 ;;
	esac
	[ "$key" = fault ] && printf '%s\n' bogus worker:crash worker:crash:x exporter:spike:10 worker:leak:0 worker:hang:1,worker:hang:2
	return 0
}

# expect_refused SPELLING KEY VALUE NAME_IN_ERROR cmd...
expect_refused() {
	local how=$1 key=$2 val=$3 name=$4; shift 4
	local out rc=0 shown=${val:0:24}
	out=$(timeout 5 "$@" 2>&1 >/dev/null) || rc=$?
	if [ "$rc" = 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && printf '%s' "$out" | grep -qF -- "$name"; then
		pass "$how $key='$shown': exit 2, one line naming $name"
	else
		fail "$how $key='$shown': exit $rc, error: $(printf '%s' "$out" | head -c 200)"
	fi
}

group=""
nkeys=0
while IFS= read -r line; do
	case $line in
	"[channel "*) group="" ;; # per-channel sections are checked by their own tests
	"["*"]") group=${line#[}; group=${group%]} ;;
	*=*)
		[ -n "$group" ] || continue
		key=${line%%=*} def=${line#*=}
		env=SENSOR_$(printf '%s' "$key" | tr 'a-z-' 'A-Z_')
		nkeys=$((nkeys + 1))
		echo "-- $key (default '${def:0:30}')"
		while IFS= read -r val; do
			expect_refused flag "$key" "$val" "$key" "$SENSOR_BIN" "${SAFE[@]}" "--$key=$val"
			expect_refused env "$key" "$val" "$env" env "$env=$val" "$SENSOR_BIN" "${SAFE[@]}"
			printf '[%s]\n%s=%s\n' "$group" "$key" "$val" >"$TEST_TMP/bad.conf"
			expect_refused file "$key" "$val" "'$key'" "$SENSOR_BIN" "${SAFE[@]}" --config "$TEST_TMP/bad.conf"
		done < <(bad_values "$key" "$def")
		;;
	esac
done <"$TEST_TMP/defaults"
assert_gt "options found in --print-config" "$nkeys" 15

echo "-- cross-field checks"
expect_refused flag backoff-min-ms 2000 "backoff-min-ms" "$SENSOR_BIN" "${SAFE[@]}" --backoff-min-ms 2000 --backoff-max-ms 1000
expect_refused flag heartbeat-timeout-ms 150 "heartbeat-timeout-ms" "$SENSOR_BIN" "${SAFE[@]}" --heartbeat-timeout-ms 150 --sample-interval-ms 100
expect_refused flag ring-capacity 1000 "ring-capacity" "$SENSOR_BIN" "${SAFE[@]}" --ring-capacity 1000
expect_refused flag window 65536 "options 'window' (65536) and 'ring-capacity' (65536) allow a processing step" \
	"$SENSOR_BIN" "${SAFE[@]}" --window 65536 --ring-capacity 65536
expect_refused flag shm-name noslash "shm-name" "$SENSOR_BIN" "${SAFE[@]}" --shm-name noslash
out=$("$SENSOR_BIN" --debug-endpoint=false --print-config | grep '^debug-endpoint=')
assert_eq "--debug-endpoint=false means false" "debug-endpoint=false" "$out"
out=$("$SENSOR_BIN" --debug-endpoint --print-config | grep '^debug-endpoint=')
assert_eq "--debug-endpoint alone means true" "debug-endpoint=true" "$out"
printf 'not a key file\x00\xff' >"$TEST_TMP/bad.conf"
expect_refused file "(garbage)" "" "bad.conf" "$SENSOR_BIN" "${SAFE[@]}" --config "$TEST_TMP/bad.conf"
printf '[service]\nport=1\n[service]\nport=2\nport=3\n' >"$TEST_TMP/dup.conf"
out=$("$SENSOR_BIN" --config "$TEST_TMP/dup.conf" --print-config 2>&1 | grep '^port=')
echo "  (a key given twice in a file: $out)"
finish
