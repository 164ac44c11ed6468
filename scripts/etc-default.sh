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
"$(dirname "$0")/commented-settings.sh" "$bin" env
