#!/usr/bin/env bash
# test_alerts.sh - the alert rules of deploy/vmalert/alerts.yml: vmalert
# and promtool accept them, each one has a unit test (tests/rules/) that
# makes it fire on its condition and stay quiet on a healthy service, and
# a broken rule is refused. (test_stack.sh shows two of them firing in a
# live stack.)
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RULES=$ROOT/deploy/vmalert/alerts.yml

echo "-- vmalert -dryRun"
command -v vmalert >/dev/null || { fail "vmalert is installed (scripts/install-deps.sh stack)"; finish; }
out=$(vmalert -dryRun -rule="$RULES" -rule.validateExpressions -rule.validateTemplates -loggerLevel=ERROR 2>&1); rc=$?
assert_eq "vmalert accepts the rules, expressions and templates" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -n 3
sed 's/expr: sensor_child_up == 0/expr: sensor_child_up == (0/' "$RULES" >"$TEST_TMP/broken.yml"
out=$(vmalert -dryRun -rule="$TEST_TMP/broken.yml" -loggerLevel=ERROR 2>&1); rc=$?
check "vmalert refuses a broken expression (exit $rc)" test "$rc" -ne 0
assert_match "... naming the rule" 'SensorChildDown' "$out"

echo "-- promtool"
command -v promtool >/dev/null || { fail "promtool is installed (scripts/install-deps.sh test)"; finish; }
out=$(promtool check rules "$RULES" 2>&1); rc=$?
assert_eq "promtool check rules" 0 "$rc"
out=$(cd "$ROOT/tests/rules" && promtool test rules alerts_test.yml 2>&1); rc=$?
assert_eq "promtool test rules tests/rules/alerts_test.yml ($(printf '%s' "$out" | tail -n1 | tr -s ' '))" 0 "$rc"

echo "-- every rule: labelled, documented, unit-tested"
python3 - "$RULES" "$ROOT/tests/rules/alerts_test.yml" >"$TEST_TMP/rules.out" 2>&1 <<'PY'
import sys, yaml
rules = [r for g in yaml.safe_load(open(sys.argv[1]))["groups"] for r in g["rules"]]
tests = yaml.safe_load(open(sys.argv[2]))["tests"]
fired = {a["alertname"] for t in tests for a in t.get("alert_rule_test", []) if a.get("exp_alerts")}
quiet = {a["alertname"] for t in tests if "healthy" in t["name"] for a in t.get("alert_rule_test", []) if not a.get("exp_alerts")}
names = [r["alert"] for r in rules]
for r in rules:
    n = r["alert"]
    print(("ok   " if r.get("labels", {}).get("severity") in ("warning", "critical") else "FAIL ") + n + " has a severity")
    print(("ok   " if r.get("annotations", {}).get("summary") and r["annotations"].get("description") else "FAIL ") + n + " has a summary and a description")
    print(("ok   " if n in fired and n in quiet else "FAIL ") + n + " is tested firing and quiet")
need = {"worker down": "SensorChildDown", "heartbeat stale": "SensorWorkerHeartbeatStale",
        "restarts rising": "SensorChildRestarted", "queue near capacity": "SensorQueueBacklog",
        "drops rising": "SensorReadingsDropped", "spike p99 too long": "SensorSpikeP99TooLong",
        "RSS near its cap": "SensorProcessMemoryNearCap", "service down": "SensorServiceDown"}
for what, n in need.items():
    print(("ok   " if n in names else "FAIL ") + "a rule for %s (%s)" % (what, n))
PY
while IFS= read -r line; do
	case $line in "ok   "*) pass "${line#ok   }" ;; "FAIL "*) fail "${line#FAIL }" ;; *) fail "rules check: $line" ;; esac
done <"$TEST_TMP/rules.out"

if command -v amtool >/dev/null; then
	check "amtool accepts deploy/alertmanager/alertmanager.yml" amtool check-config "$ROOT/deploy/alertmanager/alertmanager.yml"
fi

finish
