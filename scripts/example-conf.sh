#!/usr/bin/env bash
# example-conf.sh BINARY - write deploy/sensor-service.conf, the example
# configuration `make run` uses and the packages install as
# /etc/sensor-service/sensor-service.conf: every setting of the option
# table in its group, commented out with its default and --help's
# description, in --print-config's order, then commented examples of
# [channel] and [threshold] groups. The file sets nothing, so the service
# it configures runs with the option table's defaults. Generated from the
# binary (`make example-conf`) and checked in: a cross build cannot run the
# binary it builds. tests/packaging/test_example_conf.sh fails when it is
# out of step with the option table.
set -euo pipefail
bin=${1:?usage: example-conf.sh BINARY}

cat <<'HEAD'
# sensor-service configuration (GKeyFile), generated from the option table
# (`make example-conf`). Every setting is here with its built-in default,
# commented out: the service runs with the defaults shown. Uncomment a line
# and change its value to set it; `sensor-service --config FILE
# --print-config` shows the result. Unknown keys are an error, so typos
# cannot hide.
#
# Every key is also a flag (--KEY=VALUE) and an environment variable
# (SENSOR_KEY=VALUE, upper case with '_' for '-'). Precedence, weakest
# first: built-in defaults < this file < SENSOR_* environment < flags.

HEAD
"$(dirname "$0")/commented-settings.sh" "$bin" key

cat <<'TAIL'

# Sensors of your own: one [channel NAME] group per channel, sampled beside
# the discovered ones (discovery=false: these only). Run `sensor-service
# --list-sensors` to see what this machine has, in these keys. Every
# channel also takes interval-ms (default sample-interval-ms), scale and
# offset (value = reading * scale + offset), unit (default: the source's,
# e.g. celsius for temp*) and labels (constant Prometheus labels).
#
# [channel cpu]
# source=hwmon
# chip=coretemp
# label=Package id 0
# labels=room=lab,rack=3
#
# [channel board]
# source=hwmon
# chip=nct6775
# sensor=temp1
#
# Thresholds of your own (any channel): warn-above, crit-above, warn-below,
# crit-below, hysteresis (default 2 % of the limit). sensor_state says
# 0 ok, 1 warning, 2 critical. A [threshold PATTERN] group gives them to
# every channel whose name matches (discovered ones too):
#
# [threshold nvme_*]
# warn-above=60
# crit-above=75
#
# [channel soc]
# source=thermal
# type=cpu-thermal
# interval-ms=1000
#
# [channel supply]
# source=iio
# device=ads1015
# channel=in_voltage0
#
# [channel tank]
# source=file
# path=/sys/bus/w1/devices/28-000000000001/temperature
# scale=0.001
# unit=celsius
#
# [channel outside]
# source=push
# unit=celsius
#
# [channel shaker]
# source=simulated
# kind=vibration
TAIL
