# podman_lib.sh - run containers with podman where the host allows it, for
# test_container.sh and test_compose_up.sh. Each workaround this kind of
# host needs is applied only when a probe shows it is needed:
#
#   - no registry reachable: the Debian base image the Dockerfiles start
#     FROM is bootstrapped with mmdebstrap and imported (cached: the tar in
#     $CT_CACHE, the image in podman's storage);
#   - crun refuses the host's cgroups (v1 + v2 hybrid): runc + cgroupfs;
#   - podman's default ulimits are refused (root without CAP_SYS_RESOURCE):
#     explicit, lower ones;
#   - a container on the default network cannot resolve the package
#     mirror: builds use --network=host.
#
#   source "$(dirname "$0")/podman_lib.sh"   (after lib.sh)
#   podman_setup || ct_setup_failed    sets PODMAN (with its global flags),
#                                      CT_RUN_FLAGS, CT_BUILD_FLAGS, CT_NOTES;
#                                      SKIPPED where podman cannot run, FAIL
#                                      where it runs but the setup breaks
#   ct_cgroup_dir CONTAINER            the container's memory cgroup, as the host sees it

# shellcheck disable=SC2034 # the CT_* variables are read by the tests that source this file
source "$(dirname "${BASH_SOURCE[0]}")/cgroup_lib.sh"

CT_BASE=${CT_BASE:-docker.io/library/debian:bookworm-slim}
CT_CACHE=${CT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sensor-service}
PODMAN=(podman)
CT_RUN_FLAGS=()
CT_BUILD_FLAGS=()
CT_NOTES=()
CT_WHY=""

# ct_skip_all REASON: the whole test cannot run here (lib.sh's skip: counted
# as a skip, never as a pass), and ends it.
ct_skip_all() {
	skip "$*"
	finish
}

CT_BROKEN=0 # set when podman runs but a setup step failed: a FAIL, not a skip
ct_setup_failed() {
	if [ "$CT_BROKEN" = 1 ]; then
		fail "container setup: $CT_WHY"
		finish
	fi
	ct_skip_all "$CT_WHY"
}

# The image builds its own binary from the sources: under make asan/ubsan
# (a sanitizer SENSOR_BIN) running it again would test nothing new.
ct_skip_sanitized() {
	if ldd "${SENSOR_BIN:-/nonexistent}" 2>/dev/null | grep -qE 'lib(asan|ubsan)\.'; then
		ct_skip_all "a sanitizer build: the image builds its own plain binary (make test and make test-container run this)"
	fi
}

ct_probe() { # ct_probe [podman run flags...]: run `true` in the base image; stderr in $TEST_TMP/probe.err
	"${PODMAN[@]}" run --rm --pull=never "${CT_RUN_FLAGS[@]}" "$@" "$CT_BASE" true >/dev/null 2>"$TEST_TMP/probe.err"
}

ct_base_image() {
	"${PODMAN[@]}" image exists "$CT_BASE" && return 0
	if timeout 60 "${PODMAN[@]}" pull -q "$CT_BASE" >/dev/null 2>&1; then
		CT_NOTES+=("base image pulled")
		return 0
	fi
	command -v mmdebstrap >/dev/null || { CT_WHY="$CT_BASE cannot be pulled and mmdebstrap is missing"; return 1; }
	local tar="$CT_CACHE/debian-bookworm-minbase.tar"
	if [ ! -s "$tar" ]; then
		mkdir -p "$CT_CACHE"
		echo "  (no registry: bootstrapping $CT_BASE with mmdebstrap into $tar, about 30 s, once)"
		mmdebstrap --quiet --variant=minbase --format=tar bookworm "$tar.tmp" >"$TEST_TMP/mmdebstrap.log" 2>&1 ||
			{ tail -5 "$TEST_TMP/mmdebstrap.log"; rm -rf "$tar.tmp"; CT_WHY="mmdebstrap failed"; CT_BROKEN=1; return 1; }
		mv "$tar.tmp" "$tar"
	fi
	"${PODMAN[@]}" import -q "$tar" "$CT_BASE" >"$TEST_TMP/import.log" 2>&1 ||
		{ CT_WHY="podman import $tar failed: $(tail -1 "$TEST_TMP/import.log")"; CT_BROKEN=1; return 1; }
	CT_NOTES+=("base image bootstrapped with mmdebstrap and imported")
}

podman_setup() {
	command -v podman >/dev/null || { CT_WHY="podman is not installed (scripts/install-deps.sh container)"; return 1; }
	podman info >/dev/null 2>&1 || { CT_WHY="podman info fails: $(podman info 2>&1 | tail -1)"; return 1; }
	ct_base_image || return 1
	# Runtime and ulimits: probe with a memory limit, as the tests run.
	local _
	for _ in 1 2 3; do
		ct_probe --memory=32m --network=none && break
		if grep -qiE 'hybrid|cgroup' "$TEST_TMP/probe.err" && [ "${PODMAN[*]}" = podman ] && command -v runc >/dev/null; then
			PODMAN=(podman --runtime runc --cgroup-manager cgroupfs)
			CT_NOTES+=("runc + cgroupfs ($(head -c 120 "$TEST_TMP/probe.err" | tr '\n' ' '))")
		elif grep -qiE 'rlimit' "$TEST_TMP/probe.err" && [ ${#CT_RUN_FLAGS[@]} -eq 0 ]; then
			CT_RUN_FLAGS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
			CT_NOTES+=("ulimits nofile=1024, nproc=1024 (podman's defaults refused)")
		else
			CT_WHY="a container cannot run here: $(tail -1 "$TEST_TMP/probe.err")"
			return 1
		fi
	done
	ct_probe --memory=32m --network=none || { CT_WHY="a container cannot run: $(tail -1 "$TEST_TMP/probe.err")"; return 1; }
	CT_BUILD_FLAGS=("${CT_RUN_FLAGS[@]}")
	# Builds install Debian packages: can a container on the default network
	# resolve the base image's mirror?
	if ! "${PODMAN[@]}" run --rm --pull=never "${CT_RUN_FLAGS[@]}" "$CT_BASE" sh -c \
		'h=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | grep -om1 "https\?://[^/ ]*" | cut -d/ -f3); getent hosts "${h:-deb.debian.org}"' \
		>/dev/null 2>&1; then
		CT_BUILD_FLAGS+=(--network=host)
		CT_NOTES+=("builds with --network=host (the default network cannot resolve the mirror)")
	fi
	return 0
}

# The container's memory cgroup directory on the host (v1 memory
# hierarchy, else v2), from its main process's /proc/PID/cgroup.
ct_cgroup_dir() {
	local pid path
	pid=$("${PODMAN[@]}" inspect --format '{{.State.Pid}}' "$1" 2>/dev/null) || return 1
	path=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' "/proc/$pid/cgroup")
	if [ -n "$path" ] && [ -d "/sys/fs/cgroup/memory$path" ]; then
		echo "/sys/fs/cgroup/memory$path"
		return 0
	fi
	path=$(awk -F: '$1 == 0 { print $3 }' "/proc/$pid/cgroup")
	[ -d "/sys/fs/cgroup$path" ] && echo "/sys/fs/cgroup$path"
}

# ct_containers_conf FILE: the detected workarounds as a containers.conf,
# for tools that run podman themselves (podman-compose): point
# CONTAINERS_CONF at it.
ct_containers_conf() {
	{
		echo "[containers]"
		[ ${#CT_RUN_FLAGS[@]} -eq 0 ] || echo 'default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]'
		echo "[engine]"
		[ "${PODMAN[*]}" = podman ] || printf 'runtime = "runc"\ncgroup_manager = "cgroupfs"\n'
	} >"$1"
}

# ct_host_pid CGDIR COMM: the host pid of the container's process named COMM.
ct_host_pid() {
	local p
	for p in $(cat "$1/cgroup.procs"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && echo "$p" && return 0
	done
}

# ct_leak_contained CONTAINER CGDIR SUPERVISOR_PID EXPORTER_PID OOM_KILLS_BEFORE:
# after a worker leak in a container: the worker died at its own cap
# (malloc failed, exit 4) and never by SIGKILL, the container's limit was
# never reached, no OOM kill, the exporter and supervisor kept their pids.
ct_leak_contained() {
	local name=$1 cg=$2 sup=$3 epid=$4 oom0=$5 logs by_cap killed peak
	logs=$("${PODMAN[@]}" logs "$name" 2>&1)
	by_cap=$(grep -c 'fault: leak: malloc.*failed' <<<"$logs")
	killed=$(grep -c 'sensor-worker (pid [0-9]*) ended (signal 9)' <<<"$logs")
	peak=$(cg_peak "$cg")
	echo "  (worker deaths: $by_cap at its own cap (malloc failed, exit 4), $killed by SIGKILL;" \
		"the container's peak ${peak:+$((peak / 1024)) KiB of }$(($(cg_limit "$cg") / 1024)) KiB)"
	assert_gt "the worker was stopped by its own cap" "$by_cap" 0
	assert_eq "no worker was SIGKILLed" 0 "$killed"
	assert_eq "the container's limit was never reached" 0 "$(cg_limit_hits "$cg")"
	assert_eq "the OOM killer killed nothing in the container" "${oom0:-0}" "$(cg_oom_kills "$cg")"
	assert_eq "the exporter kept its pid" "$epid" "$(ct_host_pid "$cg" sensor-exporter)"
	assert_eq "the supervisor kept its pid" "$sup" "$(ct_host_pid "$cg" sensor-service)"
}

# ct_load URL SECONDS [OUT]: load URL in the background for SECONDS (wrk
# with 16 connections where installed, else a curl loop); sets CT_LOAD_PID.
# wrk's summary goes to OUT.
ct_load() {
	local url=$1 secs=$2 out=${3:-/dev/null}
	if command -v wrk >/dev/null; then
		wrk -t1 -c16 -d"${secs}s" "$url" >"$out" 2>&1 &
	else
		(end=$((SECONDS + secs)); while [ $SECONDS -lt $end ]; do curl -s -o /dev/null "$url"; done) &
	fi
	CT_LOAD_PID=$!
}
