#!/bin/sh
# embed.sh - print a file as a C initializer list of bytes ("0x3c,0x21,...")
# for #include inside an array, so the build can carry a file (the
# dashboard page) without xxd. Usage: embed.sh FILE > OUT.inc
set -eu
[ $# -eq 1 ] && [ -r "$1" ] || { echo "usage: embed.sh FILE" >&2; exit 2; }
[ -s "$1" ] || { echo "embed.sh: $1 is empty" >&2; exit 1; }
od -An -v -tx1 "$1" | awk '
	{ line = ""; for (i = 1; i <= NF; i++) line = line (n++ ? "," : "") "0x" $i; print line }'
