#!/usr/bin/env bash
# test_config_doc.sh - docs/configuration.md is what scripts/config-doc.sh
# writes from the binary's --help and --print-config (so it cannot drift
# from the option table), and every environment variable it names is the
# one the binary reads.
source "$(dirname "$0")/../integration/lib/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DOC="$ROOT/docs/configuration.md"

echo "-- docs/configuration.md"
check "the reference exists" test -s "$DOC"
if "$ROOT/scripts/config-doc.sh" "$SENSOR_BIN" >"$TEST_TMP/generated" 2>"$TEST_TMP/err"; then
	pass "scripts/config-doc.sh generates it"
else
	fail "scripts/config-doc.sh generates it ($(cat "$TEST_TMP/err"))"
fi
diffs=$(diff -u "$DOC" "$TEST_TMP/generated" | head -20)
assert_eq "it is the generator's output (run make config-doc; diff: $diffs)" "" "$diffs"

echo "-- each setting's environment variable is read by the binary"
# A probe value set through the documented variable alone must either show
# in --print-config or be refused naming the option; a variable the binary
# does not read would leave the default in force.
mapfile -t rows < <(sed -nE 's/^\| `([a-z0-9-]+)` \| `(SENSOR_[A-Z0-9_]+)` \|.*/\1 \2/p' "$DOC")
settings=$(env -i LC_ALL=C "$SENSOR_BIN" --print-config | grep -cE '^[a-z0-9-]+=')
assert_eq "the reference lists every setting of --print-config" "$settings" "${#rows[@]}"
unread=()
for row in "${rows[@]}"; do
	key=${row% *} env=${row#* }
	out=$(env -i LC_ALL=C "$env=zz-probe" "$SENSOR_BIN" --print-config 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -qxF "$key=zz-probe"; then
		continue
	elif [ "$rc" -eq 2 ] && printf '%s\n' "$out" | grep -qF "'$key'"; then
		continue
	fi
	unread+=("$env")
done
assert_eq "every documented variable sets its option (not read: ${unread[*]:-none})" 0 "${#unread[@]}"
finish
