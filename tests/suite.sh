#!/usr/bin/env bash
# suite.sh - runs test programs and scripts one after another, records each
# one's outcome, and prints the suite's total.
#
#   tests/suite.sh run RESULTS PROGRAM [ARGS...]
#       runs PROGRAM (its output passes through) and appends one line to
#       RESULTS: "NAME STATUS PASSED FAILED SKIPPED SECONDS". The counts come from
#       the program's own summary: cmocka's "[  PASSED  ] N test(s)" lines
#       or lib.sh's "NAME: P/C checks passed, S skipped". Exits with the
#       program's status.
#   tests/suite.sh skip RESULTS NAME WHY
#       records NAME as skipped without running it.
#   tests/suite.sh total RESULTS
#       prints one line: programs run, checks passed, failed and skipped,
#       and which programs failed or skipped, and the slowest programs (where
#       a suite's time goes); exits 1 if any failed.
set -uo pipefail

record() { # record RESULTS NAME STATUS PASSED FAILED SKIPPED [SECONDS]
	printf '%s %s %s %s %s %s\n' "$2" "$3" "$4" "$5" "$6" "${7:-0}" >>"$1"
}

run() {
	local results=$1 name out rc passed failed skipped start seconds
	shift
	name=$(basename "$1" .sh)
	out=$(mktemp)
	start=$SECONDS
	case $1 in
	*.sh) bash "$@" 2>&1 | tee "$out" ;;
	*) "$@" 2>&1 | tee "$out" ;;
	esac
	rc=${PIPESTATUS[0]}
	seconds=$((SECONDS - start))
	# lib.sh's summary line, else cmocka's group summaries
	if summary=$(grep -E "^$name: [0-9]+/[0-9]+ checks passed, [0-9]+ skipped$" "$out" | tail -n 1) &&
		[ -n "$summary" ]; then
		read -r passed total skipped < <(printf '%s\n' "$summary" | sed -E 's|.*: ([0-9]+)/([0-9]+) checks passed, ([0-9]+) skipped|\1 \2 \3|')
		failed=$((total - passed))
	else
		passed=$(awk '/^\[  PASSED  \] [0-9]+ test/ { n += $4 } END { print n + 0 }' "$out")
		failed=$(awk '/^\[  FAILED  \] [0-9]+ test/ { n += $4 } END { print n + 0 }' "$out")
		skipped=$(awk '/^\[  SKIPPED \] [0-9]+ test/ { n += $4 } END { print n + 0 }' "$out")
	fi
	rm -f "$out"
	# A program that failed without counting a failed check still failed.
	[ "$rc" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
	if [ "$rc" -ne 0 ]; then
		record "$results" "$name" failed "$passed" "$failed" "$skipped" "$seconds"
	elif [ "$passed" -eq 0 ] && [ "$skipped" -gt 0 ]; then
		record "$results" "$name" skipped 0 0 "$skipped" "$seconds"
	else
		record "$results" "$name" ok "$passed" 0 "$skipped" "$seconds"
	fi
	return "$rc"
}

skip() {
	local results=$1 name=$2 why=$3
	echo "== $name"
	echo "  SKIP $why"
	record "$results" "$name" skipped 0 0 1
}

total() {
	local results=$1
	[ -s "$results" ] || { echo "tests: nothing ran"; return 1; }
	sort -k6,6nr "$results" | awk -v n=5 '
		NR == 1 { printf "tests: slowest:" }
		NR <= n { printf " %s %d s", $1, $6 }
		END { if (NR) printf "\n" }'
	awk '
		{ programs++; passed += $3; failed += $4; skipped += $5
		  if ($2 == "failed") bad = bad " " $1
		  else if ($2 == "skipped") gone = gone " " $1
		  else if ($5 > 0) some = some " " $1 "(" $5 ")" }
		END {
			printf "tests: %d programs, %d checks passed, %d failed, %d skipped", programs, passed, failed, skipped
			if (bad != "") printf "; failed:%s", bad
			if (gone != "") printf "; skipped whole:%s", gone
			if (some != "") printf "; with skipped checks:%s", some
			printf "\n"
			exit bad != ""
		}' "$results"
}

cmd=${1:-}
shift || true
case $cmd in
run | skip | total) "$cmd" "$@" ;;
*)
	echo "usage: suite.sh run RESULTS PROGRAM [ARGS...] | skip RESULTS NAME WHY | total RESULTS" >&2
	exit 2
	;;
esac
