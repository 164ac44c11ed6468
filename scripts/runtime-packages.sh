#!/usr/bin/env bash
# runtime-packages.sh - the Debian packages that hold the shared libraries a
# binary links (ldd) and those the exporter opens at run time
# (scripts/opened-packages.sh), one per line, libc6 left out: what a
# runtime image or a board must install to run it. Derived from the binary
# and the source, so it follows the build's libraries without a list to
# keep in step.
#
#   scripts/runtime-packages.sh BINARY
set -euo pipefail
bin=${1:?usage: runtime-packages.sh BINARY}
{
	ldd "$bin" | awk '/=> \// { print $3 }' | while read -r lib; do
		# dpkg records a library under /usr/lib or /lib: match the file's name
		dpkg -S "*/$(basename "$(dirname "$lib")")/$(basename "$lib")" 2>/dev/null | cut -d: -f1 | head -n1
	done
	"$(dirname "$0")/opened-packages.sh"
} | tr ', ' '\n\n' | grep -v '^$' | grep -vx 'libc6' | sort -u
