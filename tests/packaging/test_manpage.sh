#!/usr/bin/env bash
# test_manpage.sh - docs/sensor-service.1 matches `sensor-service --help`:
# every long option is documented with the same text, the page documents
# no option the binary lacks, it renders without groff warnings, and
# `make install` installs it.
source "$(dirname "$0")/../integration/lib/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PAGE="$ROOT/docs/sensor-service.1"

echo "-- docs/sensor-service.1"
check "the man page exists" test -s "$PAGE"
[ -s "$PAGE" ] || finish

# The page as plain text: roff escapes and fonts removed, whitespace folded.
plain=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\[,/&]//g' -e 's/\\(aq/'"'"'/g' "$PAGE" | tr -s ' \t\n' ' ')

"$SENSOR_BIN" --help >"$TEST_TMP/help"
mapfile -t opts < <(sed -nE 's/^ +(-[A-Za-z], )?--([a-z0-9][a-z0-9-]*).*/\2/p' "$TEST_TMP/help")
assert_gt "--help lists options" "${#opts[@]}" 10
missing=() differs=()
for o in "${opts[@]}"; do
	if ! printf '%s' "$plain" | grep -qF -- "--$o"; then
		missing+=("--$o")
		continue
	fi
	# The description text of --help appears in the page as written.
	desc=$(sed -nE "s/^ +(-[A-Za-z], )?--$o(=[^ ]+)? {2,}(.*)$/\3/p" "$TEST_TMP/help" | head -1 | tr -s ' ')
	if [ -n "$desc" ] && ! printf '%s' "$plain" | grep -qF -- "$desc"; then
		differs+=("--$o ('$desc')")
	fi
done
assert_eq "every --help option is in the man page (missing: ${missing[*]:-none}; run make man)" 0 "${#missing[@]}"
assert_eq "every option reads as in --help (differs: ${differs[*]:-none}; run make man)" 0 "${#differs[@]}"

# Options the page documents (its .TP entries) that the binary lacks.
mapfile -t documented < <(awk '/^\.SH "?OPTIONS/ { on = 1; next } /^\.SH/ { on = 0 } on && prev == ".TP" { print } { prev = $0 }' "$PAGE" |
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u)
stale=()
for d in "${documented[@]}"; do
	grep -qE -- "^ +(-[A-Za-z], )?$d([= ]|$)" "$TEST_TMP/help" || stale+=("$d")
done
assert_gt "the page's OPTIONS section lists options" "${#documented[@]}" 10
assert_eq "the page documents no option --help lacks (stale: ${stale[*]:-none}; run make man)" 0 "${#stale[@]}"

version=$("$SENSOR_BIN" --version | awk '{ print $2 }')
check "the page carries the binary's version ($version)" grep -q "sensor-service $version" "$PAGE"

if command -v groff >/dev/null; then
	out=$(groff -man -ww -z "$PAGE" 2>&1)
	assert_eq "groff renders it without warnings ($out)" "" "$out"
fi

echo "-- each option's default, as --help states it, is the one in force"
# One place decides a default (the option table); --help and the page print
# it, --print-config shows it applied.
# (env -i: the settings of this shell, SENSOR_* included, are not defaults)
env -i PATH="$PATH" "$SENSOR_BIN" --print-config | grep -E '^[a-z0-9-]+=' >"$TEST_TMP/defaults"
bad=()
for o in "${opts[@]}"; do
	want=$(sed -nE "s/^ +--$o(=[^ ]+)? .*\(default ([^)]*)\)$/\2/p" "$TEST_TMP/help" | head -1)
	[ -n "$want" ] || continue
	got=$(sed -n "s/^$o=//p" "$TEST_TMP/defaults")
	[ "$want" = "$got" ] || bad+=("--$o: --help says $want, in force $got")
done
assert_eq "--help's defaults are those in force ($(grep -c '(default ' "$TEST_TMP/help") stated)" "" "${bad[*]}"
assert_eq "every setting states its default" "$(wc -l <"$TEST_TMP/defaults")" "$(grep -c '(default ' "$TEST_TMP/help")"

echo "-- make install installs it"
out=$(make -s -C "$ROOT" -n install DESTDIR="$TEST_TMP/inst" PREFIX=/usr 2>&1)
assert_match "make install runs install-man" 'share/man/man1/sensor-service\.1' "$out"
make -s -C "$ROOT" install-man DESTDIR="$TEST_TMP/inst" PREFIX=/usr >/dev/null 2>&1
check "install-man puts it in PREFIX/share/man/man1" cmp -s "$PAGE" "$TEST_TMP/inst/usr/share/man/man1/sensor-service.1"
finish
