#!/usr/bin/env bash
# service-url.sh - the URL of the local service the developer scripts talk
# to: $SENSOR_URL, else http://127.0.0.1:PORT with PORT from $SENSOR_PORT,
# else the port the service defaults to, as its option table states it
# (the binary's --print-config): the default is decided once, in the service.
set -euo pipefail
[ -z "${SENSOR_URL:-}" ] || { echo "$SENSOR_URL"; exit 0; }
port=${SENSOR_PORT:-}
if [ -z "$port" ]; then
	bin=${SENSOR_BIN:-$(dirname "$0")/../build/sensor-service}
	[ -x "$bin" ] || bin=$(command -v sensor-service || true)
	[ -n "$bin" ] || { echo "service-url: no sensor-service binary (make, or set SENSOR_URL)" >&2; exit 2; }
	port=$("$bin" --print-config | sed -n 's/^port=//p')
fi
echo "http://127.0.0.1:$port"
