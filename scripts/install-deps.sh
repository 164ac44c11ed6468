#!/usr/bin/env bash
# install-deps.sh - install the Debian packages sensor-service needs, only
# those that are missing. Groups: build, test, stack, browser (headless
# Chromium for the dashboard test), bench, lint (default: build test). The
# test group has gdb (test_worker_stop.sh holds the worker at its sleep) and
# util-linux (prlimit, test_starvation.sh).
# Package services (prometheus, victoria-metrics, nginx) are not started by the
# installation: the stack starts its own on its own ports.
set -euo pipefail

declare -A GROUP=(
	# the build's libraries: debian/control's Build-Depends, stated there once
	[build]="gcc make $("${BASH_SOURCE[0]%/*}/build-depends.sh")"
	[test]="libcmocka-dev lcov curl prometheus prometheus-node-exporter procps iproute2 python3 python3-yaml python3-fusepy libfuse2 openssl gdb util-linux"
	[stack]="victoria-metrics curl"
	[browser]="chromium fonts-dejavu-core"
	[bench]="wrk hey python3 python3-matplotlib python3-flask python3-prometheus-client python3-psutil prometheus-node-exporter nginx-light prometheus openssl util-linux"
	[lint]="cppcheck clang-tidy clang-format flawfinder graphviz clang shellcheck help2man groff-base"
	[profile]="linux-perf python3"
	[fuzz]="clang libclang-rt-14-dev valgrind" # make fuzz (libFuzzer), make valgrind
	[cross-arm64]="make file mmdebstrap gcc-aarch64-linux-gnu" # make cross ARCH=arm64
	[cross-armhf]="make file mmdebstrap gcc-arm-linux-gnueabihf"
	[deb]="build-essential debhelper dpkg-dev lintian mmdebstrap help2man" # make deb, make test-deb
	[systemd-vm]="qemu-system-x86 mmdebstrap e2fsprogs" # make test-systemd
	[board]="qemu-system-arm mmdebstrap cpio python3 prometheus" # make test-board
	# make test-container: podman, its runtime and network plugins (dnsname:
	# compose services find each other by name), podman-compose, and
	# mmdebstrap for a local base image where no registry can be reached.
	[container]="podman podman-compose runc crun conmon containernetworking-plugins golang-github-containernetworking-plugin-dnsname slirp4netns uidmap catatonit mmdebstrap"
)

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build test)

want=()
for g in "${groups[@]}"; do
	[ -n "${GROUP[$g]+x}" ] || { echo "install-deps: unknown group '$g' (${!GROUP[*]})" >&2; exit 2; }
	# shellcheck disable=SC2206 # the package lists are split on spaces on purpose
	want+=(${GROUP[$g]})
done

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
for p in "${want[@]}"; do
	installed "$p" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
	sudo="sudo"
fi

# Keep package maintainer scripts from starting services during install.
# A policy file that is already there (many images ship one) is left alone;
# the one written here is removed again, whatever the outcome.
policy=${POLICY_RC_D:-/usr/sbin/policy-rc.d}
own_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
	$sudo chmod 755 "$policy"
	own_policy=1
fi
# An EXIT trap's own status must not replace the script's: a false test as
# its last command would turn a good install into exit 1 under set -e.
cleanup() { # shellcheck disable=SC2317 # called by the trap
	if [ "$own_policy" = 1 ]; then $sudo rm -f "$policy" || true; fi
}
trap cleanup EXIT

# Another apt (an unattended upgrade, a second make) may hold a lock: wait
# for it rather than fail.
apt_opts=(-o DPkg::Lock::Timeout=600)
export DEBIAN_FRONTEND=noninteractive
# The lock timeout covers dpkg's lock, not that of the package lists: an
# update that finds them locked is tried again.
rc=0
for attempt in 1 2 3 4 5; do
	rc=0
	$sudo apt-get "${apt_opts[@]}" update -qq || rc=$?
	[ "$rc" -ne 0 ] && [ "$attempt" -lt 5 ] || break
	echo "install-deps: apt-get update failed (exit $rc), trying again" >&2
	sleep "${INSTALL_DEPS_RETRY_S:-10}"
done
if [ "$rc" -eq 0 ]; then
	$sudo apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
fi
if [ "$rc" -ne 0 ]; then
	still=()
	for p in "${missing[@]}"; do installed "$p" || still+=("$p"); done
	echo "install-deps: apt-get failed (exit $rc); not installed: ${still[*]:-none}" >&2
	exit 1
fi
echo "install-deps: done"
exit 0
