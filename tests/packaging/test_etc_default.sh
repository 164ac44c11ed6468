#!/usr/bin/env bash
# test_etc_default.sh - deploy/sensor-service.default (installed as
# /etc/default/sensor-service, read by the unit through EnvironmentFile=):
# it is what scripts/etc-default.sh makes from the binary's option table
# (run `make etc-default` when it is not), every line is a comment, each
# variable is one the binary reads, and the file with every line
# uncommented gives the defaults.
source "$(dirname "$0")/../integration/lib/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FILE="$ROOT/deploy/sensor-service.default"

check_generated "$FILE" "$ROOT/scripts/etc-default.sh" etc-default || finish
assert_eq "every line is a comment or blank" "" "$(grep -v '^#' "$FILE" | grep .)"
mapfile -t vars < <(sed -nE 's/^#(SENSOR_[A-Z0-9_]+)=.*/\1/p' "$FILE")
settings=$(env -i PATH="$PATH" "$SENSOR_BIN" --print-config | sed -n '/^\[testing\]/,/^\[/!p' | grep -c '^[a-z0-9-]*=')
assert_eq "one variable per setting ($settings)" "$settings" "${#vars[@]}"
unknown=()
for v in "${vars[@]}"; do grep -qa "$v" "$SENSOR_BIN" || unknown+=("$v"); done
assert_eq "the binary reads each variable (unknown: ${unknown[*]:-none})" 0 "${#unknown[@]}"
check "ARGS, for extra flags, is there" grep -qx '#ARGS=' "$FILE"
# Uncommented as systemd would read it: the values are the defaults.
mapfile -t assigns < <(sed -nE 's/^#(SENSOR_[A-Z0-9_]+=.*)/\1/p' "$FILE")
env -i PATH="$PATH" "$SENSOR_BIN" --print-config >"$TEST_TMP/defaults"
out=$(env -i PATH="$PATH" "${assigns[@]}" "$SENSOR_BIN" --print-config 2>&1)
assert_eq "every line uncommented: accepted, and the defaults" "$(cat "$TEST_TMP/defaults")" "$out"
finish
