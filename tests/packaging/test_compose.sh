#!/usr/bin/env bash
# test_compose.sh - the container files, without a Docker engine: the
# compose file parses, every service has a memory limit and they add up
# to 300 MB at most, and its wiring (services, ports, mounted scrape config
# and rules, flags) agrees with the native stack of scripts/run-stack.sh;
# the same for the edge profile (service + vmagent, STACK_MODE=edge).
# deploy/Dockerfile: multi-stage, slim runtime with the libraries the
# binary links, non-root, and a HEALTHCHECK that works against a real
# service.
source "$(dirname "$0")/../integration/lib/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
python3 -c 'import yaml' 2>/dev/null || { fail "python3-yaml is installed (scripts/install-deps.sh test)"; finish; }

echo "-- docker-compose.yml"
python3 - "$ROOT" >"$TEST_TMP/compose.out" 2>&1 <<'PY'
import os, re, subprocess, sys, yaml
root = sys.argv[1]
# The stack's ports: .env, which compose reads for its ${STACK_*_PORT}
# (and run-stack.sh for its defaults).
dotenv = dict(l.split("=", 1) for l in open(root + "/.env").read().splitlines() if l and not l.startswith("#"))
def interpolate(v):  # compose's ${STACK_*_PORT} from .env, as compose does
    if isinstance(v, dict):
        return {k: interpolate(x) for k, x in v.items()}
    if isinstance(v, list):
        return [interpolate(x) for x in v]
    if isinstance(v, str):
        return re.sub(r"\$\{(STACK_[A-Z]+_PORT)\}", lambda m: dotenv[m.group(1)], v)
    return v
raw = open(root + "/docker-compose.yml").read()
compose = interpolate(yaml.safe_load(raw))
svcs = compose["services"]
def ok(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
def mib(v):
    m = re.fullmatch(r"(\d+)([bkmg]?)i?b?", str(v).strip().lower())
    n, u = int(m.group(1)), m.group(2)
    return n * {"": 1, "b": 1, "k": 1024, "m": 1 << 20, "g": 1 << 30}[u] / (1 << 20)
def flags(name):  # "-flag=value" items of a service's command
    out = {}
    for item in svcs[name].get("command", []):
        k, _, v = item.partition("=")
        out[k.lstrip("-")] = v
    return out
def mounts(name):  # container path -> host path
    out = {}
    for v in svcs[name].get("volumes", []):
        parts = v.split(":")
        out[parts[1]] = parts[0]
    return out
def footprint_file(name, path, run_stack_cmd):
    """The service's footprint flags come from one settings file of deploy/
    (-envflag.enable, env_file), as run-stack.sh's do, and none is given
    again on the command line, where it would win."""
    cmd = flags(name)
    ok("envflag.enable" in cmd and svcs[name].get("env_file") in (path, [path]),
       "%s reads its footprint flags from %s (-envflag.enable)" % (name, path))
    settings = [l.split("=", 1) for l in open(root + "/" + path).read().splitlines() if l and not l.startswith("#")]
    names = [k.replace("_", ".") for k, _ in settings]
    ok(len(names) >= 2 and not set(names) & set(cmd), "%s: none of %s's flags on its command line" % (name, path))
    if run_stack_cmd:
        native = subprocess.run([root + "/scripts/run-stack.sh", run_stack_cmd], check=True, capture_output=True, text=True,
                                env={k: v for k, v in os.environ.items() if not k.startswith("STACK_")}).stdout.split()
        ok(native == ["-%s=%s" % (k.replace("_", "."), v) for k, v in settings],
           "run-stack.sh %s gives the same flags, from the same file" % run_stack_cmd)
def port_pairs(name):  # (published, container port) of each mapping, short or long syntax
    out = []
    for p in svcs[name].get("ports", []):
        if isinstance(p, dict):
            out.append((int(p.get("published", p["target"])), int(p["target"])))
        else:
            parts = str(p).split(":")
            out.append((int(parts[-2] if len(parts) > 1 else parts[-1]), int(parts[-1])))
    return sorted(out)
def published(name):
    return [pub for pub, _ in port_pairs(name)]

ok(set(svcs) >= {"sensor-service", "victoriametrics", "vmalert"}, "services: %s" % " ".join(svcs))
total = 0
default = [n for n, s in svcs.items() if not s.get("profiles")]
edge = [n for n, s in svcs.items() if not s.get("profiles") or "edge" in s["profiles"]]
lims = {}
for name, s in svcs.items():
    lim = s.get("mem_limit")
    dlim = s.get("deploy", {}).get("resources", {}).get("limits", {}).get("memory")
    ok(lim is not None and dlim is not None, "%s has mem_limit and deploy.resources.limits.memory" % name)
    if lim is not None and dlim is not None:
        lims[name] = mib(lim)
        total += mib(lim) if name in default else 0
    ok(s.get("read_only") is True and "ALL" in s.get("cap_drop", []), "%s: read-only root, no capabilities" % name)
ok(0 < total <= 300, "memory limits of the default services add up to %d MiB (at most 300)" % total)

# The service: its child caps fit inside its container's limit.
env = svcs["sensor-service"].get("environment", {})
caps = int(env.get("SENSOR_WORKER_MEMORY_MB", 64)) + int(env.get("SENSOR_EXPORTER_MEMORY_MB", 64))
ok(caps + 8 <= mib(svcs["sensor-service"]["mem_limit"]),
   "worker + exporter caps (%d MiB) + 8 MiB for the supervisor fit the container's %s" % (caps, svcs["sensor-service"]["mem_limit"]))
ok(svcs["sensor-service"]["build"]["dockerfile"] == "deploy/Dockerfile", "sensor-service is built from deploy/Dockerfile")
version = subprocess.run(["make", "-s", "--no-print-directory", "-C", root, "version"], capture_output=True, text=True).stdout.strip()
ok(svcs["sensor-service"]["image"] == "sensor-service:" + version and
   str(svcs["sensor-service"]["build"].get("args", {}).get("VERSION")) == version,
   "the image's tag and VERSION build argument are debian/changelog's version (%s; make new-version writes them)" % version)

# Native defaults: the service's port as the binary resolves it with the
# config the image ships (its option table decides the default), the
# stack's from run-stack.sh.
binary = os.environ.get("SENSOR_BIN") or root + "/build/sensor-service"
printed = subprocess.run([binary, "--config", root + "/deploy/sensor-service.conf", "--print-config"],
                         env={"PATH": os.environ.get("PATH", "")}, capture_output=True, text=True, check=True).stdout
conf_port = int(re.search(r"^port=(\d+)", printed, re.M).group(1))
run = open(root + "/scripts/run-stack.sh").read()
ok(re.search(r"^done < <\(grep -E '\^STACK_\[A-Z\]\+_PORT=.*\$ROOT/\.env\"\)$", run, re.M) is not None,
   "run-stack.sh takes the stack's ports from .env")
used = set(re.findall(r"\$\{(STACK_[A-Z]+_PORT)\}", raw))
ok(used and used <= set(dotenv), "every port docker-compose.yml names is one of .env's: %s" % " ".join(sorted(used)))
ok(not re.search(r":(8428|8880|8429|9093)\b", "\n".join(l for l in raw.splitlines() if not l.lstrip().startswith("#")
                                                       and "STACK_REMOTE_WRITE_URL" not in l)),
   "docker-compose.yml writes none of the stack's ports itself")
def native(var):
    return dotenv[var]
vm_port, vmalert_port = int(native("STACK_VM_PORT")), int(native("STACK_VMALERT_PORT"))
ok(port_pairs("sensor-service") == [(conf_port, conf_port)],
   "sensor-service publishes %d, the port it listens on with the image's config (--print-config)" % conf_port)
ok(not env.get("SENSOR_PORT"), "docker-compose.yml does not set the service's port: its default decides")
# Compose cannot ask the binary: it writes the service's port once (a YAML
# anchor) and hands it to the scrapers as SERVICE_PORT.
code = "\n".join(l for l in raw.splitlines() if not l.lstrip().startswith("#"))
ok(len(re.findall(r"\b%d\b" % conf_port, code)) == 1, "docker-compose.yml writes the service's port %d once" % conf_port)
for f in ["victoriametrics", "vmagent"]:
    text = open(root + "/deploy/%s/scrape.compose.yml" % f).read()
    ok(not re.search(r"\b%d\b" % conf_port, text) and "sensor-service:%{SERVICE_PORT}" in text,
       "deploy/%s/scrape.compose.yml scrapes sensor-service:%%{SERVICE_PORT}, from the container's environment" % f)
    ok(svcs[f].get("environment", {}).get("SERVICE_PORT") == conf_port, "%s's SERVICE_PORT is %d" % (f, conf_port))
ok(published("victoriametrics") == [vm_port], "victoriametrics publishes %d, as natively" % vm_port)
ok(published("vmalert") == [vmalert_port], "vmalert publishes %d, as natively" % vmalert_port)
ok(env.get("SENSOR_VM_URL") == "http://127.0.0.1:%d" % vm_port, "the dashboard queries VictoriaMetrics' published port")

# VictoriaMetrics: mounted scrape config, the native small-footprint flags.
vm = flags("victoriametrics")
ok(mounts("victoriametrics").get(vm.get("promscrape.config")) == "./deploy/victoriametrics/scrape.compose.yml",
   "victoriametrics mounts deploy/victoriametrics/scrape.compose.yml at its -promscrape.config")
ok(vm.get("httpListenAddr") == ":%d" % vm_port, "victoriametrics listens on %d" % vm_port)
# the footprint flags: deploy/victoriametrics/flags.env, which run-stack.sh
# reads too, and none of them given again on the command line
footprint_file("victoriametrics", "deploy/victoriametrics/flags.env", "vm-flags")

# vmalert: the same rules file, wired to VictoriaMetrics and Alertmanager.
va = flags("vmalert")
rule_dir = va["rule"].rsplit("/", 1)[0]
ok(mounts("vmalert").get(rule_dir) == "./deploy/vmalert" and va["rule"].endswith("/alerts.yml"),
   "vmalert reads deploy/vmalert/alerts.yml")
for f in ["datasource.url", "remoteWrite.url", "remoteRead.url"]:
    ok(va.get(f) == "http://victoriametrics:%d" % vm_port, "vmalert -%s is victoriametrics" % f)
ok(va.get("notifier.url", "").startswith("http://alertmanager:") and "alertmanager" in svcs,
   "vmalert notifies the alertmanager service")
footprint_file("vmalert", "deploy/vmalert/flags.env", "vmalert-flags")
if "alertmanager" in svcs:
    am = {i.split("=")[0].lstrip("-"): i.partition("=")[2] for i in svcs["alertmanager"]["command"]}
    ok(mounts("alertmanager").get(am["config.file"].rsplit("/", 1)[0]) == "./deploy/alertmanager",
       "alertmanager reads deploy/alertmanager/alertmanager.yml")

# The mounted scrape config is the native one with container names.
nat = yaml.safe_load(open(root + "/deploy/victoriametrics/scrape.yml"))
def container_env(text, name):  # %{VAR} of a mounted scrape config, from the container's environment
    cenv = svcs[name].get("environment", {})
    return re.sub(r"%\{([A-Za-z_]+)\}", lambda m: str(cenv.get(m.group(1), "%{" + m.group(1) + "}")), text)
com = yaml.safe_load(container_env(open(root + "/deploy/victoriametrics/scrape.compose.yml").read(), "victoriametrics"))
ok(nat["global"] == com["global"], "scrape configs: same global settings")
ok([j["job_name"] for j in nat["scrape_configs"]] == [j["job_name"] for j in com["scrape_configs"]], "scrape configs: same jobs")
hosts = {"127.0.0.1:%d" % conf_port: "sensor-service:%d" % conf_port,
         "127.0.0.1:%d" % vm_port: "victoriametrics:%d" % vm_port,
         "127.0.0.1:%d" % vmalert_port: "vmalert:%d" % vmalert_port}
def same_scrape(nat, com, hosts):
    for jn, jc in zip(nat["scrape_configs"], com["scrape_configs"]):
        strip = lambda j: {k: v for k, v in j.items() if k != "static_configs"}
        ok(strip(jn) == strip(jc), "job %s: same settings and relabelling" % jn["job_name"])
        for sn, sc in zip(jn["static_configs"], jc["static_configs"]):
            ok([hosts.get(t) for t in sn["targets"]] == sc["targets"] and sn.get("labels") == sc.get("labels"),
               "job %s: %s -> %s" % (jn["job_name"], sn["targets"], sc["targets"]))
same_scrape(nat, com, hosts)

# The edge profile: vmagent instead of the database, as STACK_MODE=edge
# runs it natively (scripts/run-stack.sh start_vmagent).
ok("vmagent" in svcs and svcs["vmagent"].get("profiles") == ["edge"], "vmagent is in the edge profile only")
ok(sorted(default) == ["alertmanager", "sensor-service", "victoriametrics", "vmalert"],
   "the default services are unchanged: %s" % " ".join(sorted(default)))
ok(sorted(edge) == sorted(default + ["vmagent"]), "the edge profile adds only vmagent")
etotal = lims.get("sensor-service", 0) + lims.get("vmagent", 0)
ok(0 < etotal <= 160, "an edge device's containers (sensor-service + vmagent) add up to %d MiB (at most 160)" % etotal)
ok(svcs["vmagent"].get("depends_on") == ["sensor-service"], "vmagent needs only the service, not the database")
items = svcs["vmagent"].get("command", [])
ag = {}
for item in items:
    k, _, v = item.partition("=")
    ag.setdefault(k.lstrip("-"), []).append(v)
one = lambda f: (ag.get(f) or ["?"])[0]
agent_port = int(native("STACK_VMAGENT_PORT"))
ok(published("vmagent") == [agent_port] and one("httpListenAddr") == ":%d" % agent_port,
   "vmagent listens on and publishes %d, as natively" % agent_port)
ok(mounts("vmagent").get(one("promscrape.config")) == "./deploy/vmagent/scrape.compose.yml",
   "vmagent mounts deploy/vmagent/scrape.compose.yml at its -promscrape.config")
ok(one("remoteWrite.url").startswith("${STACK_REMOTE_WRITE_URL"), "-remoteWrite.url comes from STACK_REMOTE_WRITE_URL")
ok(one("remoteWrite.tmpDataPath") in mounts("vmagent") and mounts("vmagent")[one("remoteWrite.tmpDataPath")] in compose.get("volumes", {}),
   "the disk buffer (-remoteWrite.tmpDataPath) is a named volume")
footprint_file("vmagent", "deploy/vmagent/flags.env", None)
labels = sorted(v.split("=")[0] for v in ag.get("remoteWrite.label", []))
ok(labels == ["device", "site"] and all("${STACK_" in v for v in ag["remoteWrite.label"]),
   "labels device and site from STACK_DEVICE and STACK_SITE")
enat = yaml.safe_load(open(root + "/deploy/vmagent/scrape.yml"))
ecom = yaml.safe_load(container_env(open(root + "/deploy/vmagent/scrape.compose.yml").read(), "vmagent"))
ok(enat["global"] == ecom["global"] == nat["global"], "edge scrape configs: same global settings as the stack's")
ok([j["job_name"] for j in enat["scrape_configs"]] == [j["job_name"] for j in ecom["scrape_configs"]], "edge scrape configs: same jobs")
same_scrape(enat, ecom, {"127.0.0.1:%d" % conf_port: "sensor-service:%d" % conf_port,
                         "127.0.0.1:%d" % agent_port: "vmagent:%d" % agent_port})

# docker-compose.debian.yml: only image and build, for services that exist,
# from targets of deploy/compose/Dockerfile.debian; the upstream images
# stay the default.
deb = yaml.safe_load(open(root + "/docker-compose.debian.yml"))["services"]
targets = re.findall(r"^FROM \S+ AS (\S+)$", open(root + "/deploy/compose/Dockerfile.debian").read(), re.M)
ok(sorted(deb) == sorted(n for n in svcs if n != "sensor-service"),
   "docker-compose.debian.yml builds every image docker-compose.yml pulls: %s" % " ".join(sorted(deb)))
for name, s in deb.items():
    ok(set(s) == {"image", "build"} and s["build"].get("target") in targets and
       s["build"].get("context") == "deploy/compose" and s["build"].get("dockerfile") == "Dockerfile.debian",
       "%s: only image and build (target %s of deploy/compose/Dockerfile.debian)" % (name, s["build"].get("target")))
    ok(not svcs[name]["image"].startswith("localhost/"), "%s: docker-compose.yml keeps the upstream image" % name)
# EXPOSE is metadata a Dockerfile cannot read from .env: each image's is
# the port compose publishes for it.
exposed, stage = {}, None
for l in open(root + "/deploy/compose/Dockerfile.debian").read().splitlines():
    m = re.match(r"FROM \S+ AS (\S+)$", l)
    stage = m.group(1) if m else stage
    m = re.match(r"EXPOSE (\d+)$", l)
    if m:
        exposed[stage] = int(m.group(1))
for name, s in deb.items():
    ok(exposed.get(s["build"].get("target")) in published(name),
       "%s: its image EXPOSEs %s, the port compose publishes" % (name, exposed.get(s["build"].get("target"))))
PY
while IFS= read -r line; do
	case $line in "ok   "*) pass "${line#ok   }" ;; "FAIL "*) fail "${line#FAIL }" ;; *) fail "compose check: $line" ;; esac
done <"$TEST_TMP/compose.out"
for f in scrape.yml scrape.compose.yml; do
	if command -v promtool >/dev/null; then
		check "promtool check config accepts deploy/victoriametrics/$f" promtool check config "$ROOT/deploy/victoriametrics/$f"
	fi
	check "VictoriaMetrics accepts deploy/victoriametrics/$f" victoria-metrics -promscrape.config="$ROOT/deploy/victoriametrics/$f" -promscrape.config.dryRun
	if command -v promtool >/dev/null; then
		check "promtool check config accepts deploy/vmagent/$f" promtool check config "$ROOT/deploy/vmagent/$f"
	fi
	check "vmagent accepts deploy/vmagent/$f" vmagent -promscrape.config="$ROOT/deploy/vmagent/$f" -promscrape.config.dryRun
done

echo "-- deploy/Dockerfile"
df=$ROOT/deploy/Dockerfile
assert_eq "two stages" 2 "$(grep -c '^FROM ' "$df")"
assert_match "the runtime is Debian slim" '^FROM debian:[a-z]+-slim$' "$(grep '^FROM ' "$df" | tail -n1)"
user=$(awk '$1 == "USER" { print $2 }' "$df" | tail -n1)
check "runs as a non-root user ($user)" bash -c "[ -n '$user' ] && [ '${user%%:*}' != root ] && [ '${user%%:*}' != 0 ]"
check "HEALTHCHECK is set" grep -q '^HEALTHCHECK ' "$df"
# EXPOSE is metadata a Dockerfile cannot compute: it must be the port the
# image's service listens on, its option table's default.
port=$(env -i "$SENSOR_BIN" --config "$ROOT/deploy/sensor-service.conf" --print-config | sed -n 's/^port=//p')
assert_eq "EXPOSE is the port the image's service listens on (--print-config)" "$port" "$(awk '$1 == "EXPOSE" { print $2 }' "$df")"
# The package lists are derived, not written in: the build stage installs
# debian/control's Build-Depends, the runtime stage what the binary links.
check "the build stage installs debian/control's build dependencies" grep -q 'install .*\$(scripts/build-depends.sh)' "$df"
check "the runtime stage installs the packages of the libraries the binary links" \
	grep -q 'scripts/runtime-packages.sh build/sensor-service >build/runtime-packages' "$df"
runtime=$("$ROOT/scripts/runtime-packages.sh" "$SENSOR_BIN")
assert_match "runtime-packages.sh names libevent's package for the binary" '^libevent-2\.1-7$' "$runtime"
assert_match "and OpenSSL's, which the exporter opens at run time" '^libssl3$' "$runtime"
check "build-depends.sh lists libevent-dev from debian/control" bash -c "'$ROOT/scripts/build-depends.sh' | grep -qx libevent-dev"
check "the runtime stage's version label is the VERSION build argument" grep -q 'org.opencontainers.image.version=\$VERSION' "$df"
assert_match "make docker-image passes debian/changelog's version" "--build-arg VERSION=$(make -s --no-print-directory -C "$ROOT" version) " \
	"$(make -s --no-print-directory -C "$ROOT" -n docker-image)"
# The healthcheck command itself, run against a real service: the image's
# binary and config are the build's and the tree's here.
hc=$(sed -n 's/.*CMD \["bash", "-c", "\(.*\)"\]$/\1/p' "$df" | sed 's/\\\\/\\/g')
check "the healthcheck is an exec-form bash command" test -n "$hc"
mkdir -p "$TEST_TMP/bin" && ln -sf "$SENSOR_BIN" "$TEST_TMP/bin/sensor-service"
healthcheck() { # healthcheck CONFIG [VAR=value...]: the image's HEALTHCHECK, its exit status
	local conf=$1
	shift
	env PATH="$TEST_TMP/bin:$PATH" "$@" timeout 5 bash -c "${hc//\/etc\/sensor-service\/sensor-service.conf/$conf}"
}
# A long restart delay keeps a killed worker down (and / at 503) for a while.
start_service --backoff-min-ms 20000 --backoff-max-ms 20000 || { fail "service starts"; finish; }
healthcheck "$ROOT/deploy/sensor-service.conf" SENSOR_PORT="$SVC_PORT"
assert_eq "the healthcheck passes against a healthy service (its port from SENSOR_PORT)" 0 "$?"
printf '[service]\nport=%s\n' "$SVC_PORT" >"$TEST_TMP/port.conf"
healthcheck "$TEST_TMP/port.conf"
assert_eq "the healthcheck checks the port the config file sets" 0 "$?"
kill -9 "$(child_pid worker)"
wait_for "worker down" 10 bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' $SVC_URL/) = 503 ]"
healthcheck "$ROOT/deploy/sensor-service.conf" SENSOR_PORT="$SVC_PORT"
assert_eq "the healthcheck fails while the worker is down (503)" 1 "$?"
stop_service
healthcheck "$ROOT/deploy/sensor-service.conf" SENSOR_PORT="$SVC_PORT" 2>/dev/null
assert_eq "the healthcheck fails when nothing listens" 1 "$?"

finish
