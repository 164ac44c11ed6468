#!/usr/bin/env bash
# cross-sysroot.sh ARCH DIR - the target's libraries and headers for a
# cross build, unpacked from Debian's packages into DIR without installing
# anything on the host (mmdebstrap --variant=extract: no maintainer script
# runs, no foreign code executes, the host's own -dev packages stay as they
# are; bookworm's libevent-dev cannot be installed for two architectures).
# Kept until the package list below changes.
set -euo pipefail

arch=${1:?usage: cross-sysroot.sh ARCH DIR}
dir=${2:?usage: cross-sysroot.sh ARCH DIR}
suite=${CROSS_SUITE:-bookworm}
mirror=${CROSS_MIRROR:-http://deb.debian.org/debian}
packages="libevent-dev,libglib2.0-dev,libcmocka-dev,zlib1g-dev,libssl-dev,libyaml-dev,libcrypt-dev"
want="$suite $arch $packages"

if [ -f "$dir/.sysroot-for" ] && [ "$(cat "$dir/.sysroot-for")" = "$want" ]; then
	exit 0
fi
command -v mmdebstrap >/dev/null || { echo "cross-sysroot: mmdebstrap is missing (make cross installs it)" >&2; exit 1; }

mkdir -p "$(dirname "$dir")"
dir=$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir")
rm -rf "$dir.tmp"
echo "cross-sysroot: unpacking $packages for $arch into $dir"
# With the security archive first; a mirror caught mid-sync (an index of
# the wrong size) is no reason to fail a build: then without it.
if ! mmdebstrap --quiet --variant=extract --architectures="$arch" --include="$packages" "$suite" "$dir.tmp" \
	"deb $mirror $suite main" "deb $mirror $suite-updates main" \
	"deb ${mirror%/debian}/debian-security $suite-security main"; then
	echo "cross-sysroot: retrying without the security archive" >&2
	rm -rf "$dir.tmp"
	mmdebstrap --quiet --variant=extract --architectures="$arch" --include="$packages" "$suite" "$dir.tmp" \
		"deb $mirror $suite main" "deb $mirror $suite-updates main"
fi
echo "$want" >"$dir.tmp/.sysroot-for"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
