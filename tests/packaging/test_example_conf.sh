#!/usr/bin/env bash
# test_example_conf.sh - deploy/sensor-service.conf (the example
# configuration, installed as /etc/sensor-service/sensor-service.conf): it
# is what scripts/example-conf.sh makes from the binary's option table (run
# `make example-conf` when it is not), it sets nothing (only group headers
# are not comments), it names every setting once in its group, and the file
# with every setting uncommented is accepted and gives the defaults.
source "$(dirname "$0")/../integration/lib/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FILE="$ROOT/deploy/sensor-service.conf"

check_generated "$FILE" "$ROOT/scripts/example-conf.sh" example-conf || finish
assert_eq "every line is a comment, a group header or blank" "" "$(grep -v -e '^#' -e '^\[[a-z]*\]$' "$FILE" | grep .)"
env -i PATH="$PATH" "$SENSOR_BIN" --print-config | sed '/^\[testing\]/,/^\[/{/^\[testing\]/d;/^[a-z0-9-]*=/d}' >"$TEST_TMP/defaults"
# Each setting in its group: "[group] key" pairs, the file's and the table's.
pairs() { awk '/^\[/ { g = $0; next } match($0, /^#?[a-z0-9-]+=/) { k = substr($0, 1, RLENGTH - 1); sub(/^#/, "", k); print g, k }' "$1"; }
assert_eq "every setting but the testing aids, once, in its group ($(grep -c '=' "$TEST_TMP/defaults"))" \
	"$(pairs "$TEST_TMP/defaults")" "$(pairs "$FILE")"
out=$(env -i PATH="$PATH" "$SENSOR_BIN" --config "$FILE" --print-config 2>&1)
assert_eq "as shipped: accepted, and the defaults" "$(env -i PATH="$PATH" "$SENSOR_BIN" --print-config)" "$out"
sed -E 's/^#([a-z0-9-]+=)/\1/' "$FILE" >"$TEST_TMP/uncommented.conf"
out=$(env -i PATH="$PATH" "$SENSOR_BIN" --config "$TEST_TMP/uncommented.conf" --print-config 2>&1)
assert_eq "every setting uncommented: accepted, and the defaults" "$(env -i PATH="$PATH" "$SENSOR_BIN" --print-config)" "$out"
finish
