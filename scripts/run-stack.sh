#!/usr/bin/env bash
# run-stack.sh - run sensor-service in the foreground with the example
# config (Ctrl-C stops it cleanly). `run-stack.sh stop` stops a running one.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = stop ]; then
	pkill -TERM -x sensor-service || true
	exit 0
fi
exec build/sensor-service --config deploy/sensor-service.conf "$@"
