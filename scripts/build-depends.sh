#!/usr/bin/env bash
# build-depends.sh - the Debian packages the build needs, as debian/control's
# Build-Depends states them (its one statement): names only, without
# version constraints or architecture qualifiers, and without debhelper,
# which only the Debian package's own build needs. Pure bash: install-deps.sh
# runs it before anything else is known to be installed.
#
#   scripts/build-depends.sh [debian/control]
set -euo pipefail
control=${1:-${BASH_SOURCE[0]%/*}/../debian/control}
field="" on=0
while IFS= read -r line || [ -n "$line" ]; do
	case $line in
	Build-Depends:*) on=1 field+=${line#Build-Depends:} ;;
	[[:space:]]*) [ "$on" = 0 ] || field+=" $line" ;;
	*) on=0 ;;
	esac
done <"$control"
IFS=',' read -ra deps <<<"$field"
for dep in "${deps[@]}"; do
	dep=${dep%%[(\[]*}                     # version, architectures
	read -r dep _ <<<"$dep"                # surrounding blanks
	dep=${dep%%:*}                         # :any, :native
	case $dep in '' | debhelper* | dh-*) continue ;; esac
	printf '%s\n' "$dep"
done
