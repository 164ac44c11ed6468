#!/usr/bin/env bash
# test_textfile.sh - the textfile collector end to end: a good *.prom file
# served, a malformed one, one defining a family of ours, two files
# inconsistent with each other and one with timestamps each left out whole
# and reported (node_textfile_scrape_error, a log line); the bounds on
# bytes per file, series and files; a file replaced (written elsewhere,
# renamed in) many times while the worker reads it, never served half, also
# with the worker killed meanwhile; the directory removed and created again. promtool accepts every page served.
source "$(dirname "$0")/lib/lib.sh"

DIR=$TEST_TMP/textfiles
mkdir -p "$DIR"
PAGES=$TEST_TMP/pages
mkdir -p "$PAGES"

# put NAME TEXT: the write-then-rename convention (docs/operations.md)
put() { printf '%b' "$2" >"$DIR/.$1.tmp" && mv -f "$DIR/.$1.tmp" "$DIR/$1"; }
clear_dir() { rm -f "$DIR"/*.prom; }
# page: one scrape, kept for promtool
page() {
	local f
	f=$(mktemp -p "$PAGES" --suffix=.prom page.XXXXXX)
	http_body /metrics >"$f"
	cat "$f"
}
served() { page | grep -q -- "$1"; }
logged() { grep -Eq -- "$1" "$SVC_LOG"; }

start_service --textfile-directory "$DIR" --textfile-interval-ms 100 --textfile-max-files 6 \
	--textfile-max-file-bytes 2048 --textfile-max-series 40 --textfile-max-bytes 16384 || { fail "service starts"; finish; }

echo "-- a good file"
put good.prom '# HELP robot_battery_volts Battery voltage.\n# TYPE robot_battery_volts gauge\nrobot_battery_volts{pack="a"} 24.1\nrobot_battery_volts{pack="b"} 23.9\n# TYPE backup_runs_total counter\nbackup_runs_total 3\n'
check "its series are served" wait_for "good.prom served" 10 served 'robot_battery_volts{pack="b"} 23.9'
p=$(page)
assert_match "with its help and type" '# HELP robot_battery_volts Battery voltage\.' "$p"
assert_match "a family without HELP gets node_exporter's" "# HELP backup_runs_total Metric read from $DIR/good.prom" "$p"
assert_match "its mtime, by path" "node_textfile_mtime_seconds\\{file=\"$DIR/good.prom\"\\} [0-9]+" "$p"
assert_match "no scrape error" '^node_textfile_scrape_error 0$' "$(printf '%s\n' "$p" | grep scrape_error)"

echo "-- a malformed file, one of our families, two inconsistent files, timestamps"
put malformed.prom 'robot_arm{joint="1" 1\n'
put clash.prom '# TYPE sensor_value gauge\nsensor_value{channel="fake"} 99\nclash_ok 1\n'
put shared_a.prom '# HELP robot_speed Speed.\n# TYPE robot_speed gauge\nrobot_speed{axis="x"} 1\n'
put shared_b.prom '# HELP robot_speed Another speed.\n# TYPE robot_speed gauge\nrobot_speed{axis="y"} 2\nshared_b_only 1\n'
put stamped.prom 'stamped_metric 1 1700000000000\n'
check "the scrape error is set" wait_for "scrape error" 10 served '^node_textfile_scrape_error 1$'
check "logged: the malformed file" wait_for "logged: the malformed file" 10 logged 'textfile collector: .*malformed\.prom: line 1'
check "logged: the clash" wait_for "logged: the clash" 10 logged 'clash\.prom: it defines sensor_value, a family of this service'
check "logged: the inconsistency" wait_for "logged: the inconsistency" 10 logged 'shared_b\.prom: its family robot_speed has another help'
check "logged: the timestamps" wait_for "logged: the timestamps" 10 logged 'stamped\.prom: .*timestamp'
sleep 0.3
p=$(page)
assert_match "the good file is still served" 'robot_battery_volts\{pack="a"\} 24.1' "$p"
assert_no_match "nothing of the malformed file" 'robot_arm' "$p"
assert_eq "sensor_value is still one family" 1 "$(printf '%s\n' "$p" | grep -c '^# TYPE sensor_value ')"
assert_no_match "nothing of the file defining one of ours" 'channel="fake"|clash_ok' "$p"
assert_match "the first of two inconsistent files is served" 'robot_speed\{axis="x"\} 1' "$p"
assert_no_match "the second is left out whole" 'axis="y"|shared_b_only' "$p"
assert_no_match "a file with timestamps is left out" 'stamped_metric' "$p"
assert_no_match "no mtime for files left out" 'file="[^"]*(malformed|clash|shared_b|stamped)\.prom"' "$p"
sleep 1
assert_eq "a problem is logged once, not at every pass" 1 "$(grep -c 'malformed\.prom' "$SVC_LOG")"

echo "-- bounds: bytes per file, series, files"
clear_dir
put good.prom 'robot_ok 1\n'
big=$(for i in $(seq 1 200); do printf 'big_metric{i="%d"} 1\\n' "$i"; done)
put big.prom "$big"
many=$(for i in $(seq 1 45); do printf 'many_metric{i="%d"} 1\\n' "$i"; done)
put many.prom "$many"
check "the page settles without them" wait_for "bounds" 10 served 'robot_ok 1'
check "logged: the size" wait_for "logged: the size" 10 logged 'big\.prom: [0-9]+ bytes, more than textfile-max-file-bytes \(2048\)'
check "logged: the series" wait_for "logged: the series" 10 logged 'many\.prom: .*(textfile-max-series|more than 40 samples)'
sleep 0.3
p=$(page)
assert_no_match "a file over textfile-max-file-bytes is left out" 'big_metric' "$p"
assert_no_match "a file over textfile-max-series is left out whole" 'many_metric' "$p"
clear_dir
for i in 1 2 3 4 5 6 7 8; do put "f$i.prom" "files_metric{f=\"$i\"} $i\n"; done
check "six files are read" wait_for "six files" 10 served 'files_metric{f="6"} 6'
p=$(page)
assert_no_match "the seventh and eighth in name order are not" 'files_metric\{f="[78]"\}' "$p"
check "and that is reported" wait_for "scrape error" 10 served '^node_textfile_scrape_error 1$'
check "logged: the files beyond the bound" wait_for "logged: the files beyond the bound" 10 logged '2 \*\.prom files beyond textfile-max-files \(6\): f7\.prom'

echo "-- a file replaced while it is read, many times"
clear_dir
version() { for i in $(seq 1 30); do printf 'replaced_metric{i="%d"} %d\\n' "$i" "$1"; done; }
# rename_over FIRST SECONDS PAUSE: replaced.prom written elsewhere and
# renamed in, version after version; the last one in $TEST_TMP/versions
rename_over() {
	local v=$1 end=$((SECONDS + $2))
	while [ $SECONDS -lt $end ]; do
		v=$((v + 1))
		put replaced.prom "$(version $v)"
		sleep "$3"
	done
	echo "$((v - $1))" >"$TEST_TMP/versions"
}
# scrape_whole SECONDS [ROUND...]: scrape for SECONDS (SIGKILL the worker at
# the given rounds); sets seen (pages with the file), torn (of those, pages
# without exactly 30 series of one version), scrapes and kills
scrape_whole() {
	local end=$((SECONDS + $1)) round=0 p n distinct w
	shift
	seen=0 torn=0 scrapes=0 kills=0
	while [ $SECONDS -lt $end ]; do
		round=$((round + 1))
		case " $* " in *" $round "*) w=$(child_pid worker) && kill -KILL "$w" && kills=$((kills + 1)) ;; esac
		p=$(page)
		scrapes=$((scrapes + 1))
		n=$(printf '%s\n' "$p" | grep -c '^replaced_metric{')
		[ "$n" -eq 0 ] && continue
		seen=$((seen + 1))
		distinct=$(printf '%s\n' "$p" | awk '/^replaced_metric\{/ { print $2 }' | sort -u | wc -l)
		if [ "$n" -ne 30 ] || [ "$distinct" -ne 1 ]; then torn=$((torn + 1)); fi
	done
}
rename_over 0 6 0 &
writer=$!
scrape_whole 5
wait "$writer"
versions=$(cat "$TEST_TMP/versions")
assert_gt "the file was replaced many times ($versions)" "$versions" 100
assert_gt "and served in many scrapes ($seen of $scrapes)" "$seen" 20
assert_eq "never half of one version or two versions mixed" 0 "$torn"

echo "-- the worker killed while it reads and publishes"
rename_over 1000 6 0.01 &
writer=$!
scrape_whole 5 3 12 24
wait "$writer"
assert_gt "the worker was killed ($kills times)" "$kills" 0
assert_eq "every page served meanwhile has the file whole ($seen pages)" 0 "$torn"
check "a new worker serves it again" wait_for "worker back" 20 served 'replaced_metric{i="30"}'

echo "-- the directory removed and created again"
rm -rf "$DIR"
check "its removal is reported" wait_for "dir gone" 10 served '^node_textfile_scrape_error 1$'
p=$(page)
assert_no_match "and nothing of its files is served" 'replaced_metric|node_textfile_mtime_seconds\{' "$p"
check "logged: the directory" wait_for "logged: the directory" 10 logged 'cannot read directory .*textfiles: No such file or directory'
mkdir -p "$DIR"
put back.prom 'robot_back 1\n'
check "back when it is back" wait_for "dir back" 10 served '^robot_back 1$'
check "with no scrape error" wait_for "no error" 10 served '^node_textfile_scrape_error 0$'
check "and the recovery logged" wait_for "recovery" 10 logged 'every file of .* read again'

echo "-- promtool on every page served"
bad=0 pages=0
for f in "$PAGES"/*.prom; do
	pages=$((pages + 1))
	if ! promtool_check <"$f" >"$f.out" 2>&1; then
		bad=$((bad + 1))
		[ "$bad" -eq 1 ] && { echo "  $f:"; head -5 "$f.out"; }
	fi
done
assert_eq "promtool check metrics accepts all $pages pages" 0 "$bad"

stop_service
assert_eq "the service stops cleanly" 0 $?
finish
