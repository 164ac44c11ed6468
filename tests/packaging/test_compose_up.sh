#!/usr/bin/env bash
# test_compose_up.sh - docker-compose.yml brought up for real with
# podman-compose, its VictoriaMetrics, vmalert and Alertmanager images
# built from Debian's packages (docker-compose.debian.yml) since the
# upstream ones cannot be pulled here: every container runs under its
# compose memory limit, VictoriaMetrics scrapes the service and holds
# samples of sensor_readings_total, vmalert evaluates the rules; the
# memory of each container is measured under load. Then the service is
# recreated with a worker leaking 4 MiB/s: the leak ends at the worker's
# own cap (a counted restart), the exporter and supervisor keep their
# pids, the container's limit is never reached, and VictoriaMetrics still
# scrapes. `podman-compose down` removes it all. The compose files are
# used as written except for the host ports (free ones, on a shared
# machine) and absolute paths. SKIPPED where podman cannot run.
source "$(dirname "$0")/../integration/lib/lib.sh"
source "$(dirname "$0")/../integration/lib/podman_lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PROJECT=sensorct$$
MiB=1048576
DEFAULT_SERVICES=(sensor-service victoriametrics vmalert alertmanager)

echo "-- podman-compose on this host"
ct_skip_sanitized
[ "$(id -u)" -eq 0 ] || ct_skip_all "needs root (rootless podman is not set up by the tests)"
command -v podman-compose >/dev/null || ct_skip_all "podman-compose is not installed (scripts/install-deps.sh container)"
podman_setup || ct_setup_failed
ct_containers_conf "$TEST_TMP/containers.conf"
export CONTAINERS_CONF="$TEST_TMP/containers.conf"
echo "  ($(podman --version), podman-compose $(podman-compose version 2>/dev/null | sed -n 's/^podman-composer* version *//p'))"
for n in "${CT_NOTES[@]}"; do echo "  (workaround: $n)"; done

# The compose files with free host ports and absolute paths.
declare -A PORT
for s in "${DEFAULT_SERVICES[@]}"; do pick_port "PORT[$s]"; done
python3 - "$ROOT" "$TEST_TMP" "${PORT[sensor-service]}" "${PORT[victoriametrics]}" "${PORT[vmalert]}" \
	"${PORT[alertmanager]}" <<'PY' || { fail "the compose files can be rewritten"; finish; }
import sys, yaml
root, tmp, *ports = sys.argv[1:]
port = dict(zip(["sensor-service", "victoriametrics", "vmalert", "alertmanager"], ports))
for name in ["docker-compose.yml", "docker-compose.debian.yml"]:
    doc = yaml.safe_load(open(root + "/" + name))
    for svc, s in doc["services"].items():
        if "build" in s:
            s["build"]["context"] = root + "/" + s["build"]["context"].lstrip("./") if s["build"]["context"] != "." else root
        s["volumes"] = [root + v[1:] if v.startswith("./") else v for v in s.get("volumes", [])]
        if "env_file" in s:  # relative to the compose file's directory: the tree's
            files = [s["env_file"]] if isinstance(s["env_file"], str) else s["env_file"]
            s["env_file"] = [f if f.startswith("/") else root + "/" + f.lstrip("./") for f in files]
        if not s["volumes"]:
            del s["volumes"]
        if svc in port and "ports" in s:
            s["ports"] = ["127.0.0.1:%s:%s" % (port[svc], p["target"] if isinstance(p, dict) else p.split(":")[-1])
                          for p in s["ports"]]
    yaml.safe_dump(doc, open(tmp + "/" + name, "w"), sort_keys=False)
PY
# compose reads the stack's ports from the .env beside the first file
cp "$ROOT/.env" "$TEST_TMP/.env"
COMPOSE=(podman-compose -p "$PROJECT" -f "$TEST_TMP/docker-compose.yml" -f "$TEST_TMP/docker-compose.debian.yml")
for b in "${CT_BUILD_FLAGS[@]}"; do
	case $b in --network=*) COMPOSE+=(--podman-build-args "$b") ;; esac
done
compose_down() {
	"${COMPOSE[@]}" down -v >>"$TEST_TMP/compose.log" 2>&1
	podman network rm -f "${PROJECT}_default" >/dev/null 2>&1
}
trap 'compose_down; _cleanup' EXIT
ctr() { echo "${PROJECT}_$1_1"; } # podman-compose 1.0's container names

echo "-- build and up (podman-compose 1.0 ignores profiles: the default services are named)"
t0=$SECONDS
if ! "${COMPOSE[@]}" build >"$TEST_TMP/build.log" 2>&1; then
	tail -20 "$TEST_TMP/build.log"; fail "podman-compose build"; finish
fi
pass "podman-compose build: the service from deploy/Dockerfile, the rest from Debian's packages ($((SECONDS - t0)) s)"
if ! "${COMPOSE[@]}" up -d "${DEFAULT_SERVICES[@]}" >"$TEST_TMP/up.log" 2>&1; then
	tail -20 "$TEST_TMP/up.log"; fail "podman-compose up -d"; finish
fi
SVC_URL="http://127.0.0.1:${PORT[sensor-service]}"
VM="http://127.0.0.1:${PORT[victoriametrics]}"
wait_for "the service" 30 curl -sf -o /dev/null "$SVC_URL/"
wait_for "VictoriaMetrics" 30 curl -sf -o /dev/null "$VM/health"
for s in "${DEFAULT_SERVICES[@]}"; do
	assert_eq "$s runs" true "$(podman inspect --format '{{.State.Running}}' "$(ctr "$s")" 2>/dev/null)"
done

echo "-- the compose memory limits are in force"
declare -A LIMIT
while read -r s mib; do LIMIT[$s]=$mib; done < <(python3 -c '
import re, sys, yaml
for n, s in yaml.safe_load(open(sys.argv[1]))["services"].items():
    m = re.fullmatch(r"(\d+)m", str(s["mem_limit"]).lower())
    print(n, m.group(1))' "$ROOT/docker-compose.yml")
for s in "${DEFAULT_SERVICES[@]}"; do
	cg=$(ct_cgroup_dir "$(ctr "$s")")
	assert_eq "$s: its cgroup's limit is the compose file's ${LIMIT[$s]} MiB" $((LIMIT[$s] * MiB)) "$(cg_limit "$cg")"
done
assert_eq "the service sees its container's limit" $((LIMIT[sensor-service] * MiB)) \
	"$(curl -s "$SVC_URL/metrics" | awk '$1 == "sensor_cgroup_memory_limit_bytes" { print $2 }')"

echo "-- VictoriaMetrics scrapes the service"
# /api/v1/export returns raw samples, whatever -search.latencyOffset hides.
samples() { curl -s "$VM/api/v1/export" --data-urlencode 'match[]=sensor_readings_total{job="sensor-service"}' |
	python3 -c 'import json, sys; print(sum(len(json.loads(l)["values"]) for l in sys.stdin if l.strip()))' 2>/dev/null; }
export -f samples; export VM
wait_for "two scrapes of the service" 60 bash -c '[ "$(samples)" -gt 1 ]'
n=$(samples)
assert_gt "VictoriaMetrics holds samples of sensor_readings_total (${n:-0})" "${n:-0}" 1
# The service's port in its container: the option table's default, as the
# image's configuration leaves it.
ct_port=$(env -i "$SENSOR_BIN" --config "$ROOT/deploy/sensor-service.conf" --print-config | sed -n 's/^port=//p')
assert_match "the scrape target is the service by its compose name, up" "\"scrapeUrl\":\"http://sensor-service:$ct_port/metrics\".*?\"health\":\"up\"" \
	"$(curl -s "$VM/api/v1/targets" | tr -d '\n')"
rule=$(awk '$1 == "-" && $2 == "alert:" { print $3; exit }' "$ROOT/deploy/vmalert/alerts.yml")
assert_match "vmalert loaded deploy/vmalert/alerts.yml ($rule)" "\"name\":\"$rule\"" \
	"$(curl -s "http://127.0.0.1:${PORT[vmalert]}/api/v1/rules")"
check "Alertmanager is ready" curl -sf "http://127.0.0.1:${PORT[alertmanager]}/-/ready"

echo "-- memory of each container under load (5 s of /metrics and of queries to VictoriaMetrics)"
ct_load "$SVC_URL/metrics" 5
ct_load "$VM/api/v1/query?query=rate(sensor_readings_total%5B1m%5D)" 5
sleep 4
for s in "${DEFAULT_SERVICES[@]}"; do
	cg=$(ct_cgroup_dir "$(ctr "$s")")
	u=$(cg_usage "$cg")
	echo "  ($s: $((u / 1024)) KiB (peak $(($(cg_peak "$cg") / 1024)) KiB) of $((LIMIT[$s] * 1024)) KiB; podman stats: $(podman stats --no-stream --format '{{.MemUsage}}' "$(ctr "$s")" 2>/dev/null))"
	check "$s stays under its limit" test "$u" -lt $((LIMIT[$s] * MiB))
done
wait

echo "-- the service recreated with a worker leaking 4 MiB/s"
podman rm -f -t 5 "$(ctr sensor-service)" >/dev/null 2>&1
printf 'services:\n  sensor-service:\n    environment:\n      SENSOR_FAULT: worker:leak:4M\n      SENSOR_BACKOFF_MIN_MS: "200"\n' \
	>"$TEST_TMP/fault.yml"
"${COMPOSE[@]}" -f "$TEST_TMP/fault.yml" up -d sensor-service >>"$TEST_TMP/up.log" 2>&1 || { tail "$TEST_TMP/up.log"; fail "up with the fault"; finish; }
wait_for "the service" 30 curl -sf -o /dev/null "$SVC_URL/"
name=$(ctr sensor-service); cg=$(ct_cgroup_dir "$name")
sup=$(ct_host_pid "$cg" sensor-service); epid=$(ct_host_pid "$cg" sensor-exporter)
oom0=$(cg_oom_kills "$cg")
restarts() { curl -s "$SVC_URL/metrics" | awk '$1 == "sensor_child_restarts_total{child=\"worker\"}" { print $2 }'; }
export -f restarts; export SVC_URL
wait_for "a worker restart" 40 bash -c '[ "$(restarts)" -gt 0 ]'
assert_gt "the worker's restart is counted" "$(restarts)" 0
ct_leak_contained "$name" "$cg" "$sup" "$epid" "$oom0"
n0=$(samples)
wait_for "a new scrape" 30 bash -c "[ \"\$(samples)\" -gt ${n0:-0} ]"
assert_gt "VictoriaMetrics keeps scraping during the leak ($n0 -> $(samples) samples)" "$(samples)" "${n0:-0}"

echo "-- podman-compose down"
compose_down
assert_eq "no container of the project is left" "" "$(podman ps -a -q --filter "label=io.podman.compose.project=$PROJECT")"
assert_eq "nor a volume" "" "$(podman volume ls -q --filter "label=io.podman.compose.project=$PROJECT")"
finish
