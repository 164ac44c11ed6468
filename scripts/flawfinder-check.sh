#!/usr/bin/env bash
# flawfinder-check.sh - run flawfinder over the C sources and fail on any
# hit of level >= FLAWFINDER_LEVEL (default 3) that is not listed in
# .flawfinder-reviewed (path, function, count). Counting per file and
# function instead of per line keeps the list stable while code moves.
#
#   scripts/flawfinder-check.sh [files...]      (default: every .c/.h outside tests/)
#   FLAWFINDER_REPORT=build/lint/flawfinder.txt   full report (level >= 1)
set -euo pipefail
cd "$(dirname "$0")/.."
level=${FLAWFINDER_LEVEL:-3}
reviewed=.flawfinder-reviewed
report=${FLAWFINDER_REPORT:-build/lint/flawfinder.txt}

command -v flawfinder >/dev/null || { echo "flawfinder-check: flawfinder is not installed (scripts/install-deps.sh lint)" >&2; exit 2; }
if [ $# -gt 0 ]; then
	files=("$@")
else
	# Product code only: tests may call system() and friends on purpose.
	mapfile -t files < <( (git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null ||
		find . -path ./build -prune -o -name '*.[ch]' -print | sed 's|^\./||') | grep -vE '^(tests|build)/')
fi

mkdir -p "$(dirname "$report")"
flawfinder --quiet --falsepositive --minlevel=1 --columns --context "${files[@]}" >"$report" || true
hits=$(flawfinder --quiet --dataonly --singleline --falsepositive --minlevel="$level" "${files[@]}")

# Hits as "path function" lines, e.g. "common/log.c vsnprintf".
found=$(printf '%s\n' "$hits" | sed -nE 's|^(\./)?([^:]+):[0-9]+:[0-9:]*[[:space:]]+\[[0-9]\] \([a-z]+\) ([A-Za-z_0-9]+):.*|\2 \3|p' | sort | uniq -c)

status=0
while read -r count path fn; do
	[ -n "${count:-}" ] || continue
	allowed=$(awk -v p="$path" -v f="$fn" '!/^#/ && ($1 == p || $1 == "*") && $2 == f { print $3; exit }' "$reviewed")
	allowed=${allowed:-0}
	if [ "$allowed" != "*" ] && [ "$count" -gt "$allowed" ]; then
		echo "flawfinder: $path: $count '$fn' hit(s) of level >= $level, $allowed reviewed:"
		printf '%s\n' "$hits" | grep -E "^(\./)?$path:[0-9]+:.*\) $fn:" | sed 's/^/  /'
		status=1
	fi
done <<<"$found"

total=$(printf '%s\n' "$hits" | grep -cE '^\S+:[0-9]+:' || true)
echo "flawfinder: $total hit(s) of level >= $level in ${#files[@]} files, all reviewed: $([ $status = 0 ] && echo yes || echo NO); full report in $report"
[ $status = 0 ] || echo "flawfinder: read the hits above; fix them, or add a line with the reason to $reviewed" >&2
exit $status
