#!/usr/bin/env bash
# install-deps.sh - install the Debian packages sensor-service needs, only
# those that are missing. Groups: build, test, stack, browser (headless
# Chromium for the dashboard test), bench, lint (default: build test). The
# test group has gdb (test_worker_stop.sh holds the worker at its sleep) and
# util-linux (prlimit, test_starvation.sh).
# Package services (prometheus, victoria-metrics) are not started by the
# installation: the stack starts its own on its own ports.
set -euo pipefail

declare -A GROUP=(
	[build]="gcc make pkg-config libevent-dev libglib2.0-dev"
	[test]="libcmocka-dev lcov curl prometheus procps iproute2 python3 python3-yaml gdb util-linux"
	[stack]="victoria-metrics curl"
	[browser]="chromium fonts-dejavu-core"
	[bench]="wrk hey python3 python3-matplotlib python3-flask python3-prometheus-client python3-psutil prometheus-node-exporter"
	[lint]="cppcheck clang-tidy clang-format flawfinder graphviz clang shellcheck help2man groff-base"
	[profile]="linux-perf python3"
	[fuzz]="clang libclang-rt-14-dev valgrind" # make fuzz (libFuzzer), make valgrind
)

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build test)

want=()
for g in "${groups[@]}"; do
	[ -n "${GROUP[$g]+x}" ] || { echo "install-deps: unknown group '$g' (${!GROUP[*]})" >&2; exit 2; }
	# shellcheck disable=SC2206 # the package lists are split on spaces on purpose
	want+=(${GROUP[$g]})
done

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
	sudo="sudo"
fi

# Keep package maintainer scripts from starting services during install.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
	$sudo chmod 755 "$policy"
	own_policy=1
fi
cleanup() { [ "$own_policy" = 1 ] && $sudo rm -f "$policy"; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
