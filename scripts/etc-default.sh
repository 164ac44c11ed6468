#!/usr/bin/env bash
# etc-default.sh BINARY - write deploy/sensor-service.default, installed as
# /etc/default/sensor-service (a conffile, read by the unit through
# EnvironmentFile=-): every setting of the option table as its SENSOR_*
# variable with its default, commented out, in --print-config's order and
# with --help's description, and ARGS for extra flags. Generated from the
# binary (`make etc-default`) and checked in: a cross build cannot run the
# binary it builds. tests/packaging/test_etc_default.sh fails when it is
# out of step with the option table.
set -euo pipefail
bin=${1:?usage: etc-default.sh BINARY}
help=$(env -i PATH="$PATH" "$bin" --help)

cat <<'HEAD'
# /etc/default/sensor-service - settings of sensor-service.service, read
# through EnvironmentFile= (generated from the option table: `make
# etc-default`). Every line is commented: the service runs with the
# defaults shown, or with /etc/sensor-service/sensor-service.conf's.
#
# A SENSOR_* variable set here overrides the configuration file; a flag in
# ARGS overrides both. Apply a change with `systemctl restart sensor-service`.
# One NAME=value a line, as systemd reads it (quotes are optional).

# Extra command-line flags, after --config (sensor-service --help).
#ARGS=

HEAD
section=""
env -i PATH="$PATH" "$bin" --print-config | while IFS= read -r line; do
	case $line in
	\[*\])
		section=${line#[}
		section=${section%]}
		continue
		;;
	*=*) ;;
	*) continue ;;
	esac
	# Fault injection is for the tests, not for a device.
	[ "$section" != testing ] || continue
	key=${line%%=*}
	value=${line#*=}
	desc=$(printf '%s\n' "$help" | sed -nE "s/^ +--$key(=[^ ]+)? {2,}(.*) \(default [^)]*\)$/\2/p" | head -1)
	[ -n "$desc" ] || { echo "etc-default: --$key has no description in --help" >&2; exit 1; }
	printf '%s\n' "$desc" | fold -s -w 76 | sed -e 's/ *$//' -e 's/^/# /'
	printf '#SENSOR_%s=%s\n\n' "$(printf '%s' "$key" | tr 'a-z-' 'A-Z_')" "$value"
done | sed '$d'
