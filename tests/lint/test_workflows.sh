#!/usr/bin/env bash
# test_workflows.sh - the GitHub workflows parse as YAML and every
# `make TARGET` they run exists (check_workflows.py), so they cannot rot
# while the Makefiles change.
source "$(dirname "$0")/../integration/lib/lib.sh"

echo "-- .github/workflows"
if ! python3 -c 'import yaml' 2>/dev/null; then
	fail "python3 with the yaml module (Debian python3-yaml) is installed"
	finish
fi
out=$(python3 "$(dirname "$0")/check_workflows.py" "$(cd "$(dirname "$0")/../.." && pwd)" 2>&1)
rc=$?
while IFS= read -r line; do
	case $line in
	"ok   "*) pass "${line#ok   }" ;;
	"FAIL "*) fail "${line#FAIL }" ;;
	*) [ -n "$line" ] && echo "  $line" ;;
	esac
done <<<"$out"
assert_eq "check_workflows.py exits 0" 0 "$rc"
finish
