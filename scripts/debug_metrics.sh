#!/usr/bin/env bash
# debug_metrics.sh - what the exporter serves next to what VictoriaMetrics
# made of it: the raw /metrics scrape, VictoriaMetrics' scrape targets with
# their health and last error, and the newest sample of every series it
# holds for the service (job="sensor-service").
#
#   scripts/debug_metrics.sh [SERVICE_URL [VM_URL]]
#
# Defaults: the local service (scripts/service-url.sh) and
# http://127.0.0.1:$STACK_VM_PORT (.env's port unless set), the addresses
# of `make run`.
set -euo pipefail
SVC=${1:-$("$(dirname "$0")/service-url.sh")}
VM=${2:-http://127.0.0.1:${STACK_VM_PORT:-$(sed -n 's/^STACK_VM_PORT=//p' "$(dirname "$0")/../.env")}}
JOB=${DEBUG_JOB:-sensor-service}

echo "== raw scrape: $SVC/metrics"
curl -sS --max-time 5 "$SVC/metrics" || echo "(cannot scrape $SVC/metrics)"

echo
echo "== VictoriaMetrics scrape targets: $VM/api/v1/targets"
curl -sS --max-time 5 "$VM/api/v1/targets" | python3 -c '
import json, sys
for t in json.load(sys.stdin)["data"]["activeTargets"]:
    print("%-16s %-24s %-5s last scrape %s (%.3f s)%s" % (t["labels"].get("job"), t["labels"].get("instance"),
          t["health"], t["lastScrape"], t.get("lastScrapeDuration", 0),
          ("  error: " + t["lastError"]) if t.get("lastError") else ""))
' || echo "(cannot read the targets from $VM)"

echo
echo "== series VictoriaMetrics holds for job=\"$JOB\" (latest values)"
curl -sS --max-time 10 -G "$VM/api/v1/query" --data-urlencode "query={job=\"$JOB\"}" | python3 -c '
import json, sys
res = json.load(sys.stdin)["data"]["result"]
rows = []
for r in res:
    m = dict(r["metric"]); name = m.pop("__name__", "")
    labels = ",".join("%s=\"%s\"" % (k, v) for k, v in sorted(m.items()) if k not in ("job", "instance"))
    rows.append(("%s{%s}" % (name, labels), r["value"][1]))
for name, value in sorted(rows):
    print("%-78s %s" % (name, value))
print("%d series" % len(rows))
' || echo "(cannot query $VM)"
