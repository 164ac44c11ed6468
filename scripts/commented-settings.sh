#!/usr/bin/env bash
# commented-settings.sh BINARY key|env - every setting of the option table
# but the testing aids, commented out with its default, in --print-config's
# order: --help's description as comment lines, then "#NAME=default", a
# blank line between settings. NAME is the configuration file's key (each
# group opened by its [group] header) or the SENSOR_* variable. The body of
# the example configuration (scripts/example-conf.sh) and of
# /etc/default/sensor-service (scripts/etc-default.sh).
set -euo pipefail
bin=${1:?usage: commented-settings.sh BINARY key|env}
form=${2:?usage: commented-settings.sh BINARY key|env}
case $form in key | env) ;; *) echo "commented-settings: key or env, not '$form'" >&2; exit 2 ;; esac
options=$("$(dirname "$0")/options.sh" "$bin")

# Fault injection is for the tests, not for a device.
last=
printf '%s\n' "$options" | while IFS=$'\t' read -r kind group key env _flag value desc; do
	[ "$kind" = setting ] && [ "$group" != testing ] || continue
	[ -z "$last" ] || printf '\n'
	if [ "$form" = key ] && [ "$group" != "$last" ]; then printf '[%s]\n\n' "$group"; fi
	last=$group
	printf '%s\n' "$desc" | fold -s -w 76 | sed -e 's/ *$//' -e 's/^/# /'
	if [ "$form" = key ]; then printf '#%s=%s\n' "$key" "$value"; else printf '#%s=%s\n' "$env" "$value"; fi
done
