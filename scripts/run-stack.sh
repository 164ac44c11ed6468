#!/usr/bin/env bash
# run-stack.sh - the native monitoring stack: sensor-service, VictoriaMetrics
# single-node scraping its /metrics (deploy/victoriametrics/scrape.yml) and
# vmalert evaluating deploy/vmalert/alerts.yml against it.
#
#   scripts/run-stack.sh [start]  run all three in the foreground; Ctrl-C,
#                                 SIGTERM or `run-stack.sh stop` stops them
#   scripts/run-stack.sh stop     stop the stack started with the same
#                                 STACK_STATE_DIR (its pid files only)
#   scripts/run-stack.sh status   its processes, RSS/PSS and addresses
#   scripts/run-stack.sh vm-flags VictoriaMetrics' footprint flags, one a
#                                 line (the bench runs it with the same)
#   scripts/run-stack.sh vmalert-flags  the same for vmalert
#
# If one of the three exits, the others are stopped and the script exits 1.
# Settings (environment; SENSOR_* variables reach the service as usual):
#   STACK_STATE_DIR      pid files, logs, generated scrape config (.stack)
#   STACK_DATA_DIR       VictoriaMetrics data ($STACK_STATE_DIR/vm-data)
#   STACK_CONFIG         service config file (deploy/sensor-service.conf)
#   STACK_LISTEN         address of VictoriaMetrics and vmalert (127.0.0.1)
#   STACK_VM_PORT        VictoriaMetrics HTTP port (.env, which compose reads too)
#   STACK_VMALERT_PORT   vmalert HTTP port (.env); STACK_VMALERT=0: no vmalert
#   STACK_SCRAPE_INTERVAL   scrape interval (10s, as in scrape.yml)
#   STACK_EVAL_INTERVAL  vmalert evaluation interval
#   STACK_RETENTION      -retentionPeriod of VictoriaMetrics
#   STACK_VM_MEMORY      -memory.allowedBytes of VictoriaMetrics
#   STACK_LATENCY_OFFSET -search.latencyOffset of VictoriaMetrics
#                        (the defaults of these and of the other footprint
#                        flags: deploy/victoriametrics/flags.env and
#                        deploy/vmalert/flags.env, which compose reads too)
#   STACK_NOTIFIER_URL   Alertmanager vmalert sends to (http://127.0.0.1:PORT, .env's;
#                        firing alerts show on vmalert's /api/v1/alerts and
#                        in VictoriaMetrics' ALERTS series without one)
#   STACK_VM_FLAGS, STACK_VMALERT_FLAGS   extra flags, split on spaces
#   SENSOR_BIN           the service binary (build/sensor-service)
#
# Edge mode (STACK_MODE=edge; `make run-edge`): the service and vmagent
# instead of VictoriaMetrics and vmalert. vmagent scrapes the service
# (deploy/vmagent/scrape.yml) and remote-writes to a central store,
# buffering on disk while it is unreachable; the buffer survives restarts.
#   STACK_MODE           local (default) or edge
#   STACK_REMOTE_WRITE_URL  where to send (required in edge mode), e.g.
#                        http://central:8428/api/v1/write; comma-separated
#                        for several, each with its own buffer
#   STACK_DEVICE, STACK_SITE  labels device= and site= on every sample
#                        (this host's name, "default"); [A-Za-z0-9._:-]
#   STACK_VMAGENT_PORT   vmagent HTTP port (.env; /metrics, /targets)
#   STACK_BUFFER_DIR     -remoteWrite.tmpDataPath ($STACK_STATE_DIR/vmagent-buffer)
#   STACK_BUFFER_MAX     -remoteWrite.maxDiskUsagePerURL
#   STACK_VMAGENT_MEMORY -memory.allowedBytes of vmagent (the defaults of
#                        both: deploy/vmagent/flags.env)
#   STACK_VMAGENT_FLAGS  extra flags, split on spaces
# Authentication to the central store (e.g. vmauth in front of it; see
# docs/operations.md, "Edge mode and fleets"), files readable by vmagent:
#   STACK_REMOTE_WRITE_BEARER_TOKEN_FILE  a bearer token, or
#   STACK_REMOTE_WRITE_USERNAME and STACK_REMOTE_WRITE_PASSWORD_FILE
#                        basic auth
#   STACK_REMOTE_WRITE_TLS_CA_FILE  the CA that signed the store's https
#                        certificate (an https:// URL without it uses the
#                        system's CAs)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

# The stack's ports: .env states them once for this script and compose; a
# STACK_*_PORT set in the environment wins. The shipped scrape configs name
# .env's (DOTENV_PORT), which write_scrape_config replaces.
declare -A DOTENV_PORT
while IFS='=' read -r name value; do
	DOTENV_PORT[$name]=$value
	[ -n "${!name:-}" ] || printf -v "$name" '%s' "$value"
done < <(grep -E '^STACK_[A-Z]+_PORT=[0-9]+$' "$ROOT/.env")
STATE=${STACK_STATE_DIR:-$ROOT/.stack}
DATA=${STACK_DATA_DIR:-$STATE/vm-data}
CONFIG=${STACK_CONFIG:-$ROOT/deploy/sensor-service.conf}
LISTEN=${STACK_LISTEN:-127.0.0.1}
VM_PORT=$STACK_VM_PORT
VMALERT_PORT=$STACK_VMALERT_PORT
WITH_VMALERT=${STACK_VMALERT:-1}
SCRAPE_INTERVAL=${STACK_SCRAPE_INTERVAL:-10s}
NOTIFIER_URL=${STACK_NOTIFIER_URL:-http://127.0.0.1:$STACK_ALERTMANAGER_PORT}
SENSOR_BIN=${SENSOR_BIN:-$ROOT/build/sensor-service}
MODE=${STACK_MODE:-local}
REMOTE_WRITE_URL=${STACK_REMOTE_WRITE_URL:-}
DEVICE=${STACK_DEVICE:-$(uname -n)}
SITE=${STACK_SITE:-default}
VMAGENT_PORT=$STACK_VMAGENT_PORT
BUFFER_DIR=${STACK_BUFFER_DIR:-$STATE/vmagent-buffer}
RW_TOKEN_FILE=${STACK_REMOTE_WRITE_BEARER_TOKEN_FILE:-}
RW_USERNAME=${STACK_REMOTE_WRITE_USERNAME:-}
RW_PASSWORD_FILE=${STACK_REMOTE_WRITE_PASSWORD_FILE:-}
RW_CA_FILE=${STACK_REMOTE_WRITE_TLS_CA_FILE:-}
ALL_COMPONENTS=(vmalert vmagent victoria-metrics sensor-service) # stop order
case $MODE in
local) COMPONENTS=(vmalert victoria-metrics sensor-service); SCRAPE_SRC=deploy/victoriametrics/scrape.yml ;;
edge) COMPONENTS=(vmagent sensor-service); SCRAPE_SRC=deploy/vmagent/scrape.yml ;;
*) echo "run-stack: STACK_MODE must be local or edge, not '$MODE'" >&2; exit 2 ;;
esac

say() { echo "run-stack: $*" >&2; }
die() { say "$*"; exit 1; }

# ---- pid files: "PID STARTTIME", so a recycled pid is never signalled ----
start_time() { # start time of PID in clock ticks since boot (field 22)
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	set -- $s
	echo "${20}"
}
running() { # running PID: exists and is not a zombie
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	[ "${s%% *}" != Z ]
}
write_pid() { echo "$2 $(start_time "$2")" >"$STATE/$1.pid"; }
read_pid() { # read_pid NAME: print the pid if it is still the process we started
	local f=$STATE/$1.pid pid st
	[ -r "$f" ] || return 1
	read -r pid st <"$f" || return 1
	[ -n "$pid" ] && [ "$(start_time "$pid" 2>/dev/null)" = "$st" ] && running "$pid" || return 1
	echo "$pid"
}

# stop_pid NAME PID SECONDS: SIGTERM, wait, then SIGKILL.
stop_pid() {
	local name=$1 pid=$2 secs=$3 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < secs * 10; i++)); do
		running "$pid" || return 0
		sleep 0.1
	done
	say "$name (pid $pid) ignored SIGTERM for ${secs}s: SIGKILL"
	kill -KILL "$pid" 2>/dev/null || true
}

# ---- addresses ----
hostport() { case $1 in *:*) echo "[$1]:$2" ;; *) echo "$1:$2" ;; esac; }
local_host() { # where to reach a listener bound to $1 from this machine
	case $1 in 0.0.0.0) echo 127.0.0.1 ;; ::|'[::]') echo ::1 ;; *) echo "$1" ;; esac
}
setting() { # setting KEY: its value in the --print-config on stdin
	awk -F= -v k="$1" '$1 == k { print substr($0, length(k) + 2); exit }'
}
config_value() { # effective service setting, config file + SENSOR_* applied
	"$SENSOR_BIN" --config "$CONFIG" --print-config | setting "$1"
}
default_value() { # a setting's built-in default (the option table's)
	env -i "$SENSOR_BIN" --print-config | setting "$1"
}

# The scrape config with this run's addresses and interval.
# (Edge mode: deploy/vmagent/scrape.yml, with vmagent's own address.)
# The shipped file's targets are 127.0.0.1 with the service's default port
# and .env's (tests/packaging/test_compose.sh checks).
write_scrape_config() {
	local svc=$1 vm=$2 vmalert=$3 vmagent=${4:-} out=$STATE/scrape.yml shipped
	shipped=$(default_value port)
	sed -e "s|\"127\.0\.0\.1:$shipped\"|\"$svc\"|" \
	    -e "s|\"127\.0\.0\.1:${DOTENV_PORT[STACK_VM_PORT]}\"|\"$vm\"|" \
	    -e "s|\"127\.0\.0\.1:${DOTENV_PORT[STACK_VMALERT_PORT]}\"|\"$vmalert\"|" \
	    -e "s|\"127\.0\.0\.1:${DOTENV_PORT[STACK_VMAGENT_PORT]}\"|\"$vmagent\"|" \
	    -e "s|^  scrape_interval: .*|  scrape_interval: $SCRAPE_INTERVAL|" \
	    "$SCRAPE_SRC" >"$out.tmp"
	grep -q "\"$svc\"" "$out.tmp" || die "$SCRAPE_SRC has no target 127.0.0.1:$shipped to rewrite"
	mv "$out.tmp" "$out"
}

# wait_ready NAME PID SECONDS URL: until URL answers (any HTTP status).
wait_ready() {
	local name=$1 pid=$2 secs=$3 url=$4 i
	for ((i = 0; i < secs * 10; i++)); do
		running "$pid" || { say "$name exited during start-up; its log:"; tail -n 20 "$STATE/logs/$name.log" >&2; return 1; }
		[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" 2>/dev/null)" != 000 ] && return 0
		sleep 0.1
	done
	say "$name did not answer on $url within ${secs}s; its log:"
	tail -n 20 "$STATE/logs/$name.log" >&2
	return 1
}

declare -A PIDS=()
spawn() { # spawn NAME COMMAND...: in the background, log to logs/NAME.log
	local name=$1; shift
	"$@" >"$STATE/logs/$name.log" 2>&1 &
	PIDS[$name]=$!
	write_pid "$name" "$!"
}

stop_all() {
	local name pid
	for name in "${COMPONENTS[@]}"; do
		pid=${PIDS[$name]:-}
		[ -n "$pid" ] || continue
		stop_pid "$name" "$pid" 20
		wait "$pid" 2>/dev/null || true
		rm -f "$STATE/$name.pid"
	done
	rm -f "$STATE/run-stack.pid"
}

on_signal() {
	trap - INT TERM HUP
	say "stopping"
	stop_all
	say "stopped"
	exit 0
}

start_stack() {
	local name pid
	[ -x "$SENSOR_BIN" ] || die "$SENSOR_BIN is missing: run make first"
	if [ "$MODE" = edge ]; then
		command -v vmagent >/dev/null || die "vmagent is missing: scripts/install-deps.sh stack"
		[ -n "$REMOTE_WRITE_URL" ] || die "STACK_MODE=edge needs STACK_REMOTE_WRITE_URL (e.g. http://central:8428/api/v1/write)"
		# -remoteWrite.label splits on commas: keep label values plain.
		[[ $DEVICE =~ ^[A-Za-z0-9._:-]+$ ]] || die "STACK_DEVICE='$DEVICE': use letters, digits and . _ : - only"
		[[ $SITE =~ ^[A-Za-z0-9._:-]+$ ]] || die "STACK_SITE='$SITE': use letters, digits and . _ : - only"
		remote_write_auth_flags >/dev/null || exit 1
		mkdir -p "$STATE/logs" "$BUFFER_DIR"
	else
		command -v victoria-metrics >/dev/null || die "victoria-metrics is missing: scripts/install-deps.sh stack"
		[ "$WITH_VMALERT" = 0 ] || command -v vmalert >/dev/null || die "vmalert is missing: scripts/install-deps.sh stack"
		mkdir -p "$STATE/logs" "$DATA"
	fi
	for name in run-stack "${ALL_COMPONENTS[@]}"; do
		pid=$(read_pid "$name") && die "a stack is already running from $STATE ($name, pid $pid): scripts/run-stack.sh stop"
	done
	write_pid run-stack $$

	local listen port svc_host vm_host
	listen=$(config_value listen) && port=$(config_value port) || die "bad service configuration (see above)"
	svc_host=$(local_host "$listen")
	vm_host=$(local_host "$LISTEN")
	local svc vm vmalert vmagent
	svc=$(hostport "$svc_host" "$port")
	vm=$(hostport "$vm_host" "$VM_PORT")
	vmalert=$(hostport "$vm_host" "$VMALERT_PORT")
	vmagent=$(hostport "$vm_host" "$VMAGENT_PORT")
	write_scrape_config "$svc" "$vm" "$vmalert" "$vmagent"
	# The dashboard page queries VictoriaMetrics from the browser: point it
	# at ours unless the configuration says where to look.
	if [ "$MODE" = local ] && [ -z "${SENSOR_VM_URL:-}" ] && [ "$(config_value vm-url)" = "$(default_value vm-url)" ]; then
		export SENSOR_VM_URL="http://$vm"
	fi

	trap on_signal INT TERM HUP
	spawn sensor-service "$SENSOR_BIN" --config "$CONFIG"
	wait_ready sensor-service "${PIDS[sensor-service]}" 15 "http://$svc/" || { stop_all; exit 1; }

	if [ "$MODE" = edge ]; then
		start_vmagent "$svc" "$vmagent"
		return
	fi

	local footprint
	mapfile -t footprint < <(vm_footprint_flags)
	spawn victoria-metrics victoria-metrics -httpListenAddr="$(hostport "$LISTEN" "$VM_PORT")" \
		-storageDataPath="$DATA" -promscrape.config="$STATE/scrape.yml" \
		"${footprint[@]}" \
		${STACK_VM_FLAGS:-}
	wait_ready victoria-metrics "${PIDS[victoria-metrics]}" 30 "http://$vm/health" || { stop_all; exit 1; }

	if [ "$WITH_VMALERT" != 0 ]; then
		local vmalert_footprint
		mapfile -t vmalert_footprint < <(vmalert_footprint_flags)
		# -remoteWrite stores the ALERTS series in VictoriaMetrics (the
		# dashboard lists them); -remoteRead restores pending alerts' state.
		spawn vmalert vmalert -rule="$ROOT/deploy/vmalert/alerts.yml" \
			-datasource.url="http://$vm" -remoteWrite.url="http://$vm" -remoteRead.url="http://$vm" \
			-notifier.url="$NOTIFIER_URL" \
			-httpListenAddr="$(hostport "$LISTEN" "$VMALERT_PORT")" -external.url="http://$vmalert" \
			"${vmalert_footprint[@]}" ${STACK_VMALERT_FLAGS:-}
		wait_ready vmalert "${PIDS[vmalert]}" 15 "http://$vmalert/health" || { stop_all; exit 1; }
	fi

	say "sensor-service   http://$svc/  (/metrics, /dashboard)"
	say "VictoriaMetrics  http://$vm/   (/api/v1/query, /api/v1/query_range; data in $DATA)"
	[ "$WITH_VMALERT" = 0 ] || say "vmalert          http://$vmalert/   (/api/v1/alerts)"
	say "logs in $STATE/logs/; Ctrl-C or 'make stop' stops the stack"
	supervise_loop
}

# remote_write_auth_flags: vmagent's flags for authenticating to the central
# store, one per line; dies on a setting that cannot work.
remote_write_auth_flags() {
	local f
	for f in "$RW_TOKEN_FILE" "$RW_PASSWORD_FILE" "$RW_CA_FILE"; do
		[ -z "$f" ] || [ -r "$f" ] || die "cannot read $f (STACK_REMOTE_WRITE_*_FILE)"
	done
	[ -z "$RW_TOKEN_FILE" ] || [ -z "$RW_USERNAME" ] ||
		die "STACK_REMOTE_WRITE_BEARER_TOKEN_FILE and STACK_REMOTE_WRITE_USERNAME: choose one"
	[ -z "$RW_USERNAME" ] || [ -n "$RW_PASSWORD_FILE" ] ||
		die "STACK_REMOTE_WRITE_USERNAME needs STACK_REMOTE_WRITE_PASSWORD_FILE"
	[ -z "$RW_TOKEN_FILE" ] || echo "-remoteWrite.bearerTokenFile=$RW_TOKEN_FILE"
	[ -z "$RW_USERNAME" ] || printf '%s\n' "-remoteWrite.basicAuth.username=$RW_USERNAME" \
		"-remoteWrite.basicAuth.passwordFile=$RW_PASSWORD_FILE"
	[ -z "$RW_CA_FILE" ] || echo "-remoteWrite.tlsCAFile=$RW_CA_FILE"
}

# Edge mode, after the service: vmagent scrapes it and remote-writes to
# the central store. Every sample goes through the on-disk queue in
# $BUFFER_DIR first, so an unreachable store (or a vmagent restart) loses
# nothing until the queue reaches -remoteWrite.maxDiskUsagePerURL; then the
# oldest goes (deploy/vmagent/flags.env says the footprint and why).
start_vmagent() {
	local svc=$1 vmagent=$2 name auth=() footprint=()
	mapfile -t auth < <(remote_write_auth_flags)
	mapfile -t footprint < <(vmagent_footprint_flags)
	spawn vmagent vmagent "${auth[@]}" -httpListenAddr="$(hostport "$LISTEN" "$VMAGENT_PORT")" \
		-promscrape.config="$STATE/scrape.yml" -remoteWrite.url="$REMOTE_WRITE_URL" \
		-remoteWrite.tmpDataPath="$BUFFER_DIR" "${footprint[@]}" \
		-remoteWrite.label="device=$DEVICE" -remoteWrite.label="site=$SITE" \
		${STACK_VMAGENT_FLAGS:-}
	wait_ready vmagent "${PIDS[vmagent]}" 15 "http://$vmagent/health" || { stop_all; exit 1; }

	say "sensor-service   http://$svc/  (/metrics)"
	say "vmagent          http://$vmagent/   (/targets, /metrics; buffer in $BUFFER_DIR, at most $(flag_value remoteWrite.maxDiskUsagePerURL "${footprint[@]}"))"
	say "remote write to  $(printf '%s' "$REMOTE_WRITE_URL" | sed 's|//[^/@]*@|//***@|g') as device=$DEVICE site=$SITE$(
		[ -n "$RW_TOKEN_FILE" ] && printf ', bearer token'; [ -n "$RW_USERNAME" ] && printf ', basic auth as %s' "$RW_USERNAME"
		[ -n "$RW_CA_FILE" ] && printf ', CA %s' "$RW_CA_FILE")"
	say "logs in $STATE/logs/; Ctrl-C or 'make stop' stops the stack"
	supervise_loop
}

# Wait for the components; if one exits, stop the others and exit 1.
supervise_loop() {
	local name
	while :; do
		wait -n || true
		for name in "${!PIDS[@]}"; do
			running "${PIDS[$name]}" && continue
			say "$name exited unexpectedly; stopping the stack (log: $STATE/logs/$name.log)"
			trap - INT TERM HUP
			stop_all
			exit 1
		done
	done
}

# From another shell: ask the runner to stop; if it is gone, stop what it
# left behind. Only processes recorded in this state directory's pid files.
stop_stack() {
	local pid name found=0 i
	if pid=$(read_pid run-stack); then
		found=1
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 600; i++)); do
			running "$pid" || break
			sleep 0.1
		done
	fi
	for name in "${ALL_COMPONENTS[@]}"; do # whichever mode started them
		if pid=$(read_pid "$name"); then
			found=1
			stop_pid "$name" "$pid" 20
		fi
		rm -f "$STATE/$name.pid"
	done
	rm -f "$STATE/run-stack.pid"
	if [ "$found" = 1 ]; then say "stopped the stack of $STATE"; else say "no stack running from $STATE"; fi
}

# flags_of FILE: a settings file of deploy/ (NAME=value lines, the flag's
# name with dots as underscores, as -envflag.enable reads them) as
# command-line flags, one a line; compose reads the same files.
flags_of() {
	local name value
	while IFS='=' read -r name value; do
		case $name in '' | \#*) continue ;; esac
		printf -- '-%s=%s\n' "${name//_/.}" "$value"
	done <"$1"
}
# flag_value NAME FLAGS...: the last value FLAGS give -NAME (the one in force).
flag_value() {
	local name=$1 f v=""
	shift
	for f in "$@"; do case $f in "-$name="*) v=${f#*=} ;; esac; done
	printf '%s' "$v"
}

# Footprint flags: deploy/*/flags.env, then the STACK_* settings given
# (later flags win).
vm_footprint_flags() {
	flags_of "$ROOT/deploy/victoriametrics/flags.env"
	[ -z "${STACK_RETENTION:-}" ] || echo "-retentionPeriod=$STACK_RETENTION"
	[ -z "${STACK_VM_MEMORY:-}" ] || echo "-memory.allowedBytes=$STACK_VM_MEMORY"
	[ -z "${STACK_LATENCY_OFFSET:-}" ] || echo "-search.latencyOffset=$STACK_LATENCY_OFFSET"
}
vmalert_footprint_flags() {
	flags_of "$ROOT/deploy/vmalert/flags.env"
	[ -z "${STACK_EVAL_INTERVAL:-}" ] || echo "-evaluationInterval=$STACK_EVAL_INTERVAL"
}
vmagent_footprint_flags() {
	flags_of "$ROOT/deploy/vmagent/flags.env"
	[ -z "${STACK_BUFFER_MAX:-}" ] || echo "-remoteWrite.maxDiskUsagePerURL=$STACK_BUFFER_MAX"
	[ -z "${STACK_VMAGENT_MEMORY:-}" ] || echo "-memory.allowedBytes=$STACK_VMAGENT_MEMORY"
}

status_stack() {
	local name pid any=0
	for name in run-stack "${ALL_COMPONENTS[@]}"; do
		if pid=$(read_pid "$name"); then
			any=1
			printf '%-17s pid %-7s %s\n' "$name" "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" | cut -c1-100)"
		elif [[ " run-stack ${COMPONENTS[*]} " == *" $name "* ]]; then
			printf '%-17s not running\n' "$name"
		fi
	done
	[ "$any" = 1 ] || return 1
	STACK_STATE_DIR=$STATE "$ROOT/scripts/rss_check.sh" || true
}

case ${1:-start} in
start) start_stack ;;
stop) stop_stack ;;
status) status_stack ;;
vm-flags) vm_footprint_flags ;;
vmalert-flags) vmalert_footprint_flags ;;
*) echo "usage: run-stack.sh [start|stop|status|vm-flags|vmalert-flags]" >&2; exit 2 ;;
esac
