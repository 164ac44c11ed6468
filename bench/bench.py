#!/usr/bin/python3
"""bench.py - measure sensor-service side by side with the original Python
design (bench/baseline/) and write bench/results/*.json, the plots and
PERFORMANCE_REPORT.md. Run through `make bench` (scripts/bench.sh).

Stages (BENCH_STAGES, comma separated; default all):
  serve   memory idle and under load, /metrics and / throughput and latency at
          1, 16, 64 connections, CPU and bytes per scrape; ours, the baseline,
          the original design (/metrics), nginx serving a copy of our
          /metrics page as a static file (the ceiling), prometheus-node-exporter
  spike   p99 of / and /metrics while the worker is in a multi-second CPU
          spike, against idle; ours and the baseline
  soak    RSS/PSS of every process over BENCH_SOAK_S under steady load, with
          VictoriaMetrics scraping ours every second and vmalert evaluating
          (the "after" stack), and Prometheus scraping the original design
          every 15 s (the "before" stack)
  scale   memory and CPU per reading against channels, sampling rate and ring
          size; CPU per scrape and per series at 1, 3, 64, 256, 1,024 channels
  gzip    what gzip costs a scrape (bench/gzip_cost.py) at 3 and 1,024
          channels (not in BENCH_QUICK)
  sensors file channels through the reader pool at its defaults
          (bench/sensors_scale.py): 3, 64, 256 channels with none and 8
          hung: tasks, worker RSS, CPU per reading, each healthy channel's
          rate against its configured one
  libmap  the libraries each process maps and the memory they cost, at the
          defaults after a gzip scrape (bench/libmap.py); with
          BENCH_LIBMAP_BEFORE=BINARY also an earlier build, in the same run
  textfile the textfile collector (bench/textfile_cost.py): 10 files of 1,000
          series read every second, unchanged and renamed over at each pass:
          the worker's CPU, the exporter's rendering time and CPU per scrape
  fleet   the scrape a fleet makes (bench/fleet.py): TLS, basic auth, gzip,
          one keep-alive connection, one scrape a second for BENCH_FLEET_S
          (default 60); ours, node-exporter's textfile collector with the
          same web config, nginx with TLS, auth_basic and gzip; CPU per scrape
          and p99 (BENCH_QUICK: 5 s)
  vitals  the host's vital signs (bench/vitals.py): the service with its host
          collectors on and off, and prometheus-node-exporter with the same
          collectors: RSS, PSS idle and after load, CPU per second at one
          scrape a second for BENCH_VITALS_S (default 60; BENCH_QUICK: 5 s)

Knobs: BENCH_QUICK=1 (a tiny run for the smoke test), BENCH_RUNS (runs per
figure, default 3), BENCH_WRK_S (seconds per wrk run, default 3),
BENCH_CEILING_ROUNDS (paired ours/nginx rounds behind the ceiling's ratios,
default 9),
BENCH_SOAK_S (default 60), BENCH_SOAK_INTERVAL_S, BENCH_SOAK_NAME (the soak's
JSON file, default soak; `make bench-soak-long` writes soak-long),
BENCH_SOAK_BEFORE=0 (leave the original design and Prometheus out of the
soak), BENCH_VM_FLAGS (VictoriaMetrics' memory flags instead of the stack's
-memory.allowedBytes=16MiB and query limits), BENCH_OUT (default
bench/results), BENCH_REPORT (default PERFORMANCE_REPORT.md), SENSOR_BIN, BENCH_PIN ("LOAD,SERVER":
the CPU of wrk and the other clients, and the CPU of every server measured;
default the first two CPUs the bench may use; "off" leaves placement to the
scheduler).

Benchmarks print figures; they never fail on a number. The exit status is
non-zero only when the machinery itself breaks (a process does not start).
"""
import datetime
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402
import fleet  # noqa: E402
import gzip_cost  # noqa: E402
import libmap  # noqa: E402
import sensors_scale  # noqa: E402
import vitals  # noqa: E402
import textfile_cost  # noqa: E402
import report  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def env_num(name, default, cast=int):
    v = os.environ.get(name, "")
    return cast(v) if v.strip() else default


QUICK = os.environ.get("BENCH_QUICK", "") == "1"
RUNS = env_num("BENCH_RUNS", 1 if QUICK else 3)
WRK_S = env_num("BENCH_WRK_S", 1 if QUICK else 3)
# Paired ours/nginx rounds behind the ceiling's ratios: one 3 s run's p99 is
# a few hundred slowest requests and swings by half between runs of the
# same server on a shared machine, so one pair is not enough to tell.
CEILING_ROUNDS = env_num("BENCH_CEILING_ROUNDS", 1 if QUICK else 9)
CONNS = [16] if QUICK else [1, 16, 64]
SOAK_S = env_num("BENCH_SOAK_S", 4 if QUICK else 60)
FLEET_S = env_num("BENCH_FLEET_S", 5 if QUICK else 60, float)
VITALS_S = env_num("BENCH_VITALS_S", 5 if QUICK else 60, float)
SOAK_BEFORE = os.environ.get("BENCH_SOAK_BEFORE", "1") != "0"
SOAK_NAME = os.environ.get("BENCH_SOAK_NAME", "").strip() or "soak"
SOAK_INTERVAL = env_num("BENCH_SOAK_INTERVAL_S", max(1.0 if QUICK else 2.0, SOAK_S / 600.0), float)
STAGES = [s.strip() for s in os.environ.get("BENCH_STAGES", "serve,spike,soak,scale,gzip,sensors,textfile,libmap,fleet,vitals").split(",")
          if s.strip()]
if QUICK and "BENCH_STAGES" not in os.environ:
    STAGES = ["serve", "soak", "scale", "libmap", "fleet"]
OUT = B.RESULTS_DIR
REPORT = B.REPORT_PATH
BIN_SRC = B.SENSOR_BIN

# Paced load: each connection waits PACE_MS before each request (wrk's delay()).
PACE_CONNS, PACE_MS = 2, 10


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def vmalert_setup(va):
    """vmalert's rules and interval as the soak ran them, for the report."""
    rules_file = next(f.split("=", 1)[1] for f in va.flags if f.startswith("-rule="))
    with open(rules_file) as f:
        rules = yaml_rules(f.read())
    interval = next((f.split("=", 1)[1] for f in va.flags if f.startswith("-evaluationInterval=")), None)
    return {"rules_file": os.path.relpath(rules_file, ROOT), "rules": rules, "interval": interval}


def yaml_rules(text):
    """How many alerting and recording rules a rules file holds (counted by
    their keys: the bench runs without a YAML module)."""
    alerts = sum(1 for line in text.splitlines() if line.strip().startswith("- alert:"))
    records = sum(1 for line in text.splitlines() if line.strip().startswith("- record:"))
    return {"alerting": alerts, "recording": records}


def write_json(name, data):
    os.makedirs(OUT, exist_ok=True)
    data = dict(data)
    data["generated"] = datetime.datetime.now().isoformat(timespec="seconds")
    data["quick"] = QUICK
    B.save_json(os.path.join(OUT, name), data)


def mem_of(pidmap):
    return {label: B.proc_mem(pid) for label, pid in pidmap.items()}


def add_sum(row, labels, key="ours"):
    """Add the sum of the labels' rss and pss to a {label: mem} row."""
    if all(row.get(lab) for lab in labels):
        row[key] = {"rss": sum(row[lab]["rss"] for lab in labels), "pss": sum(row[lab]["pss"] for lab in labels)}
    return row


OURS = ("supervisor", "worker", "exporter")


# ---------------------------------------------------------------- machine

def cmd_out(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        return (r.stdout + r.stderr).strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def dpkg_version(pkg):
    return cmd_out(["dpkg-query", "-W", "-f=${Version}", pkg]) or None


def machine():
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        memtotal = int(f.readline().split()[1]) * 1024
    osname = ""
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    git = cmd_out(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    dirty = cmd_out(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"])
    return {
        "cpu": cpu, "cores": os.cpu_count(), "mem_total_bytes": memtotal, "kernel": platform.release(),
        "os": osname, "loadavg_start": B.loadavg(),
        "defaults": {k: v for k, v in B.print_config(BIN).items()
                     if k in ("channels", "sample-interval-ms", "process-interval-ms", "ring-capacity", "window")},
        "git": git + ("-dirty" if dirty else ""), "cgroup_v1_memory": os.path.isdir("/sys/fs/cgroup/memory"),
        "binary": (os.path.relpath(BIN_SRC, ROOT) if os.path.abspath(BIN_SRC).startswith(ROOT + os.sep)
                   else BIN_SRC),
        "versions": {
            "sensor-service": cmd_out([BIN, "--version"]),
            "gcc": cmd_out(["gcc", "-dumpfullversion"]),
            "libevent": cmd_out(["pkg-config", "--modversion", "libevent"]),
            "glib": cmd_out(["pkg-config", "--modversion", "glib-2.0"]),
            "wrk": dpkg_version("wrk"),
            "python3": cmd_out([B.PYTHON, "-c", "import platform; print(platform.python_version())"]),
            "python3-flask": dpkg_version("python3-flask"),
            "python3-prometheus-client": dpkg_version("python3-prometheus-client"),
            "python3-psutil": dpkg_version("python3-psutil"),
            "victoria-metrics": dpkg_version("victoria-metrics"),
            "prometheus-node-exporter": dpkg_version("prometheus-node-exporter"),
            "nginx-light": dpkg_version("nginx-light"),
            "prometheus": dpkg_version("prometheus"),
        },
    }


# ---------------------------------------------------------------- serve

def server_cpu(target, svc):
    """CPU seconds of the process that serves HTTP: the exporter for ours, the
    Python process less its sampling/processing thread for the baseline."""
    if target == "ours":
        pid = svc.pids().get("exporter")
        t = B.cpu_time(pid)
        return t["ns"], t["ticks"]
    if target in ("baseline", "original"):
        whole, thread = B.cpu_time(svc.pid), B.cpu_time(svc.pid, svc.worker_tid)
        return whole["ns"] - thread["ns"], whole["ticks"] - thread["ticks"]
    ts = [B.cpu_time(p) for p in svc.pids().values()]
    return sum(t["ns"] or 0 for t in ts), sum(t["ticks"] or 0 for t in ts)


def render_record(svc):
    """(seconds, bodies) of our exporter's sensor_metrics_render_seconds summary."""
    page = B.http_get(svc.url + "/metrics")[1].decode(errors="replace")
    return (B.metric_value(page, "sensor_metrics_render_seconds_sum"),
            B.metric_value(page, "sensor_metrics_render_seconds_count"))


def render_per_scrape(before, after):
    """Rendering time per /metrics body between two render_record()s."""
    (s0, n0), (s1, n1) = before, after
    if None in (s0, n0, s1, n1) or n1 <= n0:
        return None
    return (s1 - s0) / (n1 - n0)


def measure_wrk(target, svc, path, conns, duration, **kw):
    timed = target == "ours" and path == "/metrics"  # the exporter times its rendering
    r0 = render_record(svc) if timed else None
    c0, k0 = server_cpu(target, svc)
    unique = {"ours_unique": lambda: [p for k, p in svc.pids().items() if k in OURS]} if target == "ours" else {}
    with B.Sampler([svc.pids], 0.5, unique) as s, B.Foreign([svc.pids]) as fg:
        w = B.run_wrk(svc.url + path, conns, duration, **kw)
    c1, k1 = server_cpu(target, svc)
    render_s = render_per_scrape(r0, render_record(svc)) if timed else None
    peak = s.peak()
    sums = [add_sum(dict(row), OURS)["ours"] for _, row in s.series if all(row.get(x) for x in OURS)]
    if sums:
        peak["ours"] = {"rss": max(x["rss"] for x in sums), "pss": max(x["pss"] for x in sums)}
    n = w["requests"]
    if n == 0:  # nothing answered within the run: no latency nor cost per request to speak of
        for k in ("p50_us", "p90_us", "p99_us", "p999_us", "lat_max_us"):
            w[k] = None
    w.update({"target": target, "path": path, "conns": conns, "cpu_s": c1 - c0, "foreign_cores": fg.cores,
              "cpu_per_req_s": (c1 - c0) / n if n else None, "render_per_req_s": render_s,
              "cpu_ticks_per_req_s": (k1 - k0) / n if n else None, "bytes_per_req": w["bytes"] / n if n else None,
              "mem_peak": peak})
    return w


CEILING_KEYS = ("rps", "p50_us", "p99_us", "p999_us", "errors", "cpu_per_req_s", "foreign_cores")


def ceiling_rounds(ours, ng):
    """Our /metrics against nginx serving the same page, 16 connections, in
    CEILING_ROUNDS rounds of one run each, back to back, which of the two
    goes first alternating. A round's two runs are seconds apart, so the
    machine's drift hits both alike; the ratios are taken per round and
    their median is the figure."""
    rounds = []
    for r in range(CEILING_ROUNDS):
        order = (("ours", ours), ("nginx", ng)) if r % 2 == 0 else (("nginx", ng), ("ours", ours))
        pair = {"round": r, "first": order[0][0]}
        for name, svc in order:
            w = measure_wrk(name, svc, "/metrics", 16, WRK_S)
            pair[name] = {k: w[k] for k in CEILING_KEYS}
            time.sleep(0.1 if QUICK else 0.3)
        o, n = pair["ours"], pair["nginx"]
        pair["rps_ratio"] = o["rps"] / n["rps"] if n["rps"] else None
        pair["p99_ratio"] = o["p99_us"] / n["p99_us"] if o["p99_us"] is not None and n["p99_us"] else None
        log(f"serve: ceiling round {r + 1}/{CEILING_ROUNDS}: ours {o['rps']:.0f} req/s p99 {o['p99_us']} us, "
            f"nginx {n['rps']:.0f} req/s p99 {n['p99_us']} us")
        rounds.append(pair)
    return {"conns": 16, "path": "/metrics", "wrk_s": WRK_S, "rounds": rounds,
            **{k: B.summarize([p[k] for p in rounds]) for k in ("rps_ratio", "p99_ratio")},
            **{name: {k: B.summarize([p[name][k] for p in rounds]) for k in CEILING_KEYS}
               for name in ("ours", "nginx")}}


def serve_idle(svcs, ours):
    """Idle memory of every server: the samples, and their summaries by label."""
    idle_rows = []
    for _ in range(2 if QUICK else max(5, RUNS + 2)):
        row = {}
        for s in svcs.values():
            row.update(mem_of(s.pids()))
        u = B.unique_resident([p for k, p in ours.pids().items() if k in OURS])
        if u is not None:
            row["ours_unique"] = {"rss": u, "pss": u}
        idle_rows.append(add_sum(row, OURS))
        time.sleep(0.3 if QUICK else 1.0)
    labels = sorted({lab for r in idle_rows for lab in r})
    idle = {lab: {k: B.summarize([r[lab][k] for r in idle_rows if r.get(lab)]) for k in ("rss", "pss")}
            for lab in labels}
    return idle_rows, idle


def serve_load(runs):
    """Memory under load: the peaks of the /metrics runs at 16 connections."""
    load = {}
    for target, labs in (("ours", OURS + ("ours", "ours_unique")), ("baseline", ("baseline",)),
                         ("original", ("original",)), ("nginx", ("nginx", "nginx-worker")),
                         ("node-exporter", ("node-exporter",))):
        rs = [w for w in runs if w["target"] == target and w["path"] == "/metrics" and w["conns"] == 16]
        for lab in labs:
            load[lab] = {k: B.summarize([w["mem_peak"].get(lab, {}).get(k) for w in rs]) for k in ("rss", "pss")}
    return load


def serve_summary(runs):
    """The runs summarized by server, path and connections."""
    groups = {}
    for w in runs:
        groups.setdefault((w["target"], w["path"], w["conns"]), []).append(w)
    summary = []
    for (target, path, c), ws in sorted(groups.items()):
        summary.append({
            "target": target, "path": path, "conns": c, "runs": len(ws),
            **{k: B.summarize([w[k] for w in ws]) for k in
               ("rps", "p50_us", "p90_us", "p99_us", "p999_us", "lat_max_us", "cpu_per_req_s",
                "cpu_ticks_per_req_s", "bytes_per_req", "errors", "foreign_cores")},
            "exporter_rss_peak": B.summarize([w["mem_peak"].get({"ours": "exporter", "nginx": "nginx-worker"}.get(
                target, target), {}).get("rss") for w in ws]),
        })
    return summary


def stage_serve():
    log("serve: starting sensor-service (defaults), the Python baseline, the original design, "
        "prometheus-node-exporter")
    ours = B.Ours(BIN, TMP, [], "serve")
    bl = B.Baseline(TMP)
    orig = B.Baseline(TMP, original=True)
    ne = B.NodeExporter(TMP)
    time.sleep(1.5 if QUICK else 5)
    # nginx serves the very bytes our /metrics served just now
    ceiling_page = B.http_get(ours.url + "/metrics")[1]
    ng = B.Nginx(TMP, ceiling_page)
    log(f"serve: nginx serves a copy of our /metrics page ({len(ceiling_page)} bytes) on {ng.url}/metrics")
    svcs = {"ours": ours, "nginx": ng, "baseline": bl, "original": orig, "node-exporter": ne}

    pages = {}
    for name, s in svcs.items():
        for path in ("/metrics", "/"):
            st, body = B.http_get(s.url + path)
            pages[f"{name} {path}"] = {"status": st, "bytes": len(body)}

    log("serve: idle memory")
    idle_rows, idle = serve_idle(svcs, ours)

    runs = []
    for r in range(RUNS):
        for path in ("/metrics", "/"):
            for c in CONNS:
                # nginx and the original serve /metrics only: the ceiling and
                # the "before" of a scrape
                targets = ("ours", "nginx", "baseline", "original") if path == "/metrics" else ("ours", "baseline")
                for target in targets:
                    log(f"serve: run {r + 1}/{RUNS} {target} {path} -c{c} {WRK_S}s")
                    w = measure_wrk(target, svcs[target], path, c, WRK_S)
                    w["run"] = r
                    runs.append(w)
                    time.sleep(0.1 if QUICK else 0.3)
        log(f"serve: run {r + 1}/{RUNS} node-exporter /metrics -c16 {WRK_S}s")
        w = measure_wrk("node-exporter", ne, "/metrics", 16, WRK_S)
        w["run"] = r
        runs.append(w)

    log(f"serve: the ceiling, ours and nginx in {CEILING_ROUNDS} paired rounds of /metrics -c16 {WRK_S}s")
    ceiling = ceiling_rounds(ours, ng)

    load, summary = serve_load(runs), serve_summary(runs)
    segment = ours.segment_bytes()
    for s in (ng, ne, orig, bl, ours):
        s.stop()
    write_json("serve", {"nginx_page_bytes": len(ceiling_page), "nginx_flags": ng.flags,
                         "idle": idle, "idle_samples": idle_rows, "load": load, "runs": runs, "summary": summary,
                         "pages": pages, "ceiling": ceiling, "segment_bytes": segment, "conns": CONNS, "wrk_s": WRK_S, "runs_n": RUNS,
                         "ours_args": ours.args})


# ---------------------------------------------------------------- spike

def busy_fraction(pid, tid, seconds):
    c0, t0 = B.cpu_ns(pid, tid), time.monotonic()
    time.sleep(seconds)
    return (B.cpu_ns(pid, tid) - c0) / (time.monotonic() - t0)


def spike_config():
    """The worker's spike: the service's fault injection when this build has
    it, else the processing step itself made heavy."""
    help_text = cmd_out([BIN, "--help"])
    common = ["--process-interval-ms", "1000", "--heartbeat-timeout-ms", "60000"]
    if "--fault" in help_text:
        return "fault", common + ["--fault=worker:spike:4000"]
    # 12 channels sampled every 1 ms fill a 65536-reading ring in ~6 s; then
    # each step runs an O(n^2) DFT over the ~5460 readings of each of the 4
    # vibration channels: seconds of CPU per step, steps back to back. 12
    # channels keep /metrics under 16 KB (one write).
    return "window", common + ["--channels", "12", "--sample-interval-ms", "1", "--ring-capacity", "65536",
                               "--window", "65536"]


def spike_runs(target, svc, task, set_state, states):
    """Alternate the states in the same process: wrk runs of `/` and
    `/metrics`, the order of the states rotated every run so that drift in
    the machine's load hits all of them."""
    pid, tid = task
    out = []
    paced_s = max(WRK_S, 2 * WRK_S - 1)
    for r in range(RUNS):
        order = states[r % len(states):] + states[:r % len(states)]
        for path in ("/", "/metrics"):
            loads = [("paced", PACE_CONNS, PACE_MS, paced_s, order)]
            if target == "ours" and path == "/metrics":
                loads.append(("c16", 16, 0, WRK_S, [st for st in order if st in ("idle", "spike")]))
            for load, c, delay, secs, sts in loads:
                for state in sts:
                    set_state(state)
                    c0, t0 = B.cpu_ns(pid(), tid), time.monotonic()
                    with B.StateSampler(pid(), tid) as ss, B.Foreign([svc.pids]) as fg:
                        w = B.run_wrk(svc.url + path, c, secs, delay_ms=delay)
                    busy = (B.cpu_ns(pid(), tid) - c0) / (time.monotonic() - t0)
                    w.update({"target": target, "state": state, "path": path, "load": load, "conns": c,
                              "delay_ms": delay, "worker_busy": busy, "worker_running": ss.fraction(), "run": r,
                              "foreign_cores": fg.cores})
                    log(f"spike: {target} {state:10} {path:8} {load:5}: p99 {w['p99_us'] / 1000:6.2f} ms, "
                        f"{w['rps']:6.0f} req/s; worker running {100 * (ss.fraction() or 0):3.0f}% of the time, "
                        f"got {busy * 100:3.0f}% of a core; other processes {fg.cores:.2f} cores")
                    out.append(w)
    set_state("spike")
    return out


def spike_summary(runs):
    """Each server, path and load's idle runs against its spike runs (p99
    ratio of the medians, and run by run)."""
    summary = []
    for target in ("ours", "baseline"):
        for path in ("/", "/metrics"):
            for load in ("paced", "c16"):
                for state in ("spike", "spike-normal"):
                    sel = {st: [w for w in runs if w["target"] == target and w["path"] == path
                                and w["load"] == load and w["state"] == st] for st in ("idle", state)}
                    if not sel["idle"] or not sel[state]:
                        continue
                    row = {"target": target, "path": path, "load": load, "state": state}
                    for st, ws in sel.items():
                        key = "spike" if st == state else "idle"
                        for k in ("p50_us", "p99_us", "p999_us", "rps", "worker_busy", "worker_running", "errors",
                                  "foreign_cores"):
                            row[f"{key}_{k}"] = B.summarize([w[k] for w in ws])
                    i, s = row["idle_p99_us"]["median"], row["spike_p99_us"]["median"]
                    row["p99_ratio"] = s / i if i else None
                    # the same ratio run by run (each pair measured back to back)
                    pairs = [sp["p99_us"] / idl["p99_us"] for idl, sp in zip(sel["idle"], sel[state])
                             if idl["p99_us"]]
                    row["p99_ratio_pairs"] = B.summarize(pairs)
                    summary.append(row)
    return summary


def stage_spike():
    mode, args = spike_config()
    runs = []
    log(f"spike: sensor-service {' '.join(args)}; idle = worker stopped (SIGSTOP), spike = worker running")
    svc = B.Ours(BIN, TMP, args, "spike")
    wpid = svc.pids()["worker"]
    deadline, busy = time.monotonic() + 60, 0.0
    while time.monotonic() < deadline:
        busy = busy_fraction(wpid, None, 1.0)
        if busy > 0.8:
            break
    log(f"spike: worker busy {busy * 100:.0f}% before measuring")

    # The processing step's thread: the worker's one task at SCHED_IDLE,
    # as the service runs it by default.
    step_tid = next((int(t) for t in os.listdir(f"/proc/{wpid}/task")
                     if os.sched_getscheduler(int(t)) == os.SCHED_IDLE), None)

    def ours_state(state):
        """spike: the service as it runs (its step at SCHED_IDLE); spike-normal:
        the step moved to the normal policy at nice 0, the worst case of a step
        sharing the CPU on equal terms."""
        if step_tid is not None:
            if state == "spike-normal":
                os.sched_setscheduler(step_tid, os.SCHED_OTHER, os.sched_param(0))
                try:
                    os.setpriority(os.PRIO_PROCESS, step_tid, 0)
                except OSError:
                    pass  # not root: the worker's nice
            else:
                os.sched_setscheduler(step_tid, os.SCHED_IDLE, os.sched_param(0))
        os.kill(wpid, signal.SIGSTOP if state == "idle" else signal.SIGCONT)
        time.sleep(0.5)

    states = ["idle", "spike", "spike-normal"]
    try:  # can the step leave SCHED_IDLE and come back? (root can)
        os.sched_setscheduler(step_tid, os.SCHED_OTHER, os.sched_param(0))
        os.sched_setscheduler(step_tid, os.SCHED_IDLE, os.sched_param(0))
    except (OSError, TypeError):
        states = ["idle", "spike"]
    log(f"spike: the step's thread {step_tid}; states {', '.join(states)}")
    try:
        # running/CPU figures of the step's thread (the one that spins), else the process
        runs += spike_runs("ours", svc, (lambda: wpid, step_tid), ours_state, states)
    finally:
        os.kill(wpid, signal.SIGCONT)
    page = B.http_get(svc.url + "/metrics")[1].decode(errors="replace")
    info = {"processing_runs": B.metric_value(page, "sensor_processing_runs_total"),
            "spike_seconds_sum": B.metric_value(page, "sensor_cpu_spike_seconds_sum"),
            "spike_seconds_count": B.metric_value(page, "sensor_cpu_spike_seconds_count"),
            "worker_restarts": B.metric_value(page, 'sensor_child_restarts_total{child="worker"}'),
            "page_bytes": len(page.encode())}
    svc.stop()

    bl_args = ["--spike-ms", "3000", "--process-interval-ms", "100"]
    log(f"spike: baseline {' '.join(bl_args)}; idle = spikes paused (SIGUSR2), spike = resumed (SIGUSR1)")
    bl = B.Baseline(TMP, bl_args)
    time.sleep(1.0)

    def bl_state(state):
        os.kill(bl.pid, signal.SIGUSR2 if state == "idle" else signal.SIGUSR1)
        time.sleep(0.7)

    runs += spike_runs("baseline", bl, (lambda: bl.pid, bl.worker_tid), bl_state, ["idle", "spike"])
    bl.stop()

    summary = spike_summary(runs)
    write_json("spike", {"mode": mode, "args": args, "baseline_args": bl_args, "info": info,
                         "pace": {"conns": PACE_CONNS, "delay_ms": PACE_MS},
                         "runs": runs, "summary": summary, "wrk_s": WRK_S, "runs_n": RUNS})


# ---------------------------------------------------------------- soak

# What VictoriaMetrics and vmalert say about their own memory: the Go heap,
# the caches (and their limits), the data on disk. Sampled during the soak,
# they tell caches filling up from growth without a bound.
GO_MEM = ("go_memstats_heap_inuse_bytes", "go_memstats_heap_sys_bytes", "go_memstats_heap_idle_bytes",
          "go_memstats_heap_released_bytes", "go_memstats_next_gc_bytes", "go_memstats_sys_bytes",
          "process_resident_memory_anon_bytes", "process_resident_memory_file_bytes")
VM_MEM = GO_MEM + ("vm_cache_size_bytes", "vm_cache_size_max_bytes", "vm_cache_entries", "vm_data_size_bytes",
                   "vm_allowed_memory_bytes")
INTERNALS_EVERY_S = 10.0


def sample_internals(internals, t, vm, va):
    """One sample at time t of what VictoriaMetrics and vmalert say of their memory."""
    for name, svc, names in (("victoria-metrics", vm, VM_MEM), ("vmalert", va, GO_MEM)):
        page = B.http_get(svc.url + "/metrics")[1].decode(errors="replace")
        if page:
            row = B.metric_sums(page, names)
            if name == "victoria-metrics":
                row["caches"] = B.metric_by_label(page, "vm_cache_size_bytes", "type")
                row["caches_max"] = B.metric_by_label(page, "vm_cache_size_max_bytes", "type")
            internals[name].append([t, row])


def soak_evidence(vm, va, orig=None, prom=None):
    """That the stores worked through the soak: VictoriaMetrics' scrapes and
    rows, vmalert's iterations, and Prometheus' scrapes of the original."""
    before_evidence = {}
    if orig is not None and prom is not None:
        prom_metrics = B.http_get(prom.url + "/metrics")[1].decode(errors="replace")
        orig_page = B.http_get(orig.url + "/metrics", timeout=30)[1].decode(errors="replace")
        before_evidence = {
            "prometheus_scrapes_ok": B.prom_query(prom.url, 'sum_over_time(up{job="sensor-original"}[1d])'),
            "prometheus_scrapes": B.prom_query(prom.url, 'count_over_time(up{job="sensor-original"}[1d])'),
            "prometheus_samples_appended": B.metric_sums(prom_metrics, ("prometheus_tsdb_head_samples_appended_total",))
            .get("prometheus_tsdb_head_samples_appended_total"),
            "original_readings_kept": B.metric_value(orig_page, "sensor_queue_depth"),
        }
    vm_metrics = B.http_get(vm.url + "/metrics")[1].decode(errors="replace")
    va_metrics = B.http_get(va.url + "/metrics")[1].decode(errors="replace")
    evidence = {
        "vm_scrapes": B.metric_value(vm_metrics, "vm_promscrape_scraped_samples_count"),
        "vm_scrapes_failed": B.metric_value(vm_metrics, "vm_promscrape_scrapes_failed_total"),
        "vm_rows_inserted": sum(float(line.split()[-1]) for line in vm_metrics.splitlines()
                                if line.startswith("vm_rows_inserted_total")),
        "vmalert_iterations": sum(float(line.split()[-1]) for line in va_metrics.splitlines()
                                  if line.startswith("vmalert_iteration_total")),
        **before_evidence,
    }
    return evidence


def soak_series(samples):
    """{label: [[t, RSS, PSS], ...]} of the sampler's rows, with the sums
    (ours, the stack, the stack before) sample by sample."""
    labels = ["supervisor", "worker", "exporter", "ours_unique", "baseline", "original", "victoria-metrics",
              "vmalert", "prometheus"]
    series = {lab: [] for lab in labels + ["ours", "stack", "before_stack"]}
    for t, row in samples:
        if row.get("original") and row.get("prometheus"):
            series["before_stack"].append([round(t, 2), row["original"]["rss"] + row["prometheus"]["rss"],
                                           row["original"]["pss"] + row["prometheus"]["pss"]])
        for lab in labels:
            if row.get(lab):
                series[lab].append([round(t, 2), row[lab]["rss"], row[lab]["pss"]])
        if all(row.get(x) for x in OURS):
            o = add_sum(dict(row), OURS)["ours"]
            series["ours"].append([round(t, 2), o["rss"], o["pss"]])
            if row.get("victoria-metrics") and row.get("vmalert"):
                series["stack"].append([round(t, 2), o["rss"] + row["victoria-metrics"]["rss"] + row["vmalert"]["rss"],
                                        o["pss"] + row["victoria-metrics"]["pss"] + row["vmalert"]["pss"]])
    return series


def soak_stats(series, warm):
    """Each series after the warm-up: its slopes, first, last, range, summaries."""
    stats = {}
    for lab, pts in series.items():
        post = [p for p in pts if p[0] >= warm]
        if len(post) < 2:
            continue
        stats[lab] = {
            "rss_slope_bytes_per_min": B.slope_per_minute([p[0] for p in post], [p[1] for p in post]),
            "pss_slope_bytes_per_min": B.slope_per_minute([p[0] for p in post], [p[2] for p in post]),
            "rss_first": post[0][1], "rss_last": post[-1][1],
            "rss_min": min(p[1] for p in post), "rss_max": max(p[1] for p in post),
            "rss": B.summarize([p[1] for p in post]), "pss": B.summarize([p[2] for p in post]),
            "samples": len(post),
        }
    return stats


def stage_soak():
    args = ["--sample-interval-ms", "10"]
    log(f"soak: {SOAK_S}s, sample every {SOAK_INTERVAL:g}s; ours, the baseline"
        f"{' and the original' if SOAK_BEFORE else ''} at {PACE_CONNS}x{1000 // PACE_MS} req/s each; VictoriaMetrics "
        f"scraping ours every 1s, vmalert{'; Prometheus scraping the original every 15s' if SOAK_BEFORE else ''}")
    ours = B.Ours(BIN, TMP, args, "soak")
    bl = B.Baseline(TMP, args)
    vm = B.VictoriaMetrics(TMP, {"sensor-service": f"127.0.0.1:{ours.port}"})
    va = B.VmAlert(TMP, vm.url)
    before = []
    if SOAK_BEFORE:
        orig = B.Baseline(TMP, args, original=True)
        prom = B.Prometheus(TMP, {"sensor-original": f"127.0.0.1:{orig.port}"})
        before = [("original", orig), ("prometheus", prom)]
    results = {}

    def load(name, svc):
        try:
            results[name] = B.run_wrk(svc.url + "/", PACE_CONNS, SOAK_S + 2, paths=["/metrics", "/"],
                                      delay_ms=PACE_MS)
        except Exception as e:  # noqa: BLE001 - recorded, the bench goes on
            results[name] = {"error": str(e)}

    threads = [threading.Thread(target=load, args=(n, s)) for n, s in [("ours", ours), ("baseline", bl)] + before[:1]]
    for t in threads:
        t.start()
    sampler = B.Sampler([ours.pids, bl.pids, vm.pids, va.pids] + [p.pids for _, p in before], SOAK_INTERVAL,
                        {"ours_unique": lambda: [p for k, p in ours.pids().items() if k in OURS]})
    internals = {"victoria-metrics": [], "vmalert": []}

    sampler.t0 = time.monotonic()
    end = sampler.t0 + SOAK_S
    next_internals = sampler.t0
    while time.monotonic() < end:
        sampler.sample_once()
        if time.monotonic() >= next_internals:
            sample_internals(internals, round(time.monotonic() - sampler.t0, 2), vm, va)
            next_internals += INTERNALS_EVERY_S
        time.sleep(max(0.0, min(SOAK_INTERVAL, end - time.monotonic())))
    sampler.sample_once()
    sample_internals(internals, round(time.monotonic() - sampler.t0, 2), vm, va)
    for t in threads:
        t.join()

    evidence = soak_evidence(vm, va, *(p for _, p in before))
    segment = ours.segment_bytes()
    for s in [p for _, p in reversed(before)] + [va, vm, bl, ours]:
        s.stop()
    shutil.rmtree(vm.data, ignore_errors=True)
    if before:
        shutil.rmtree(prom.data, ignore_errors=True)

    warm = min(max(15.0, 0.1 * SOAK_S), 0.5 * SOAK_S)
    series = soak_series(sampler.series)
    stats = soak_stats(series, warm)
    write_json(SOAK_NAME, {"soak_s": SOAK_S, "internals": internals,
                           "interval_s": SOAK_INTERVAL, "warmup_s": warm, "ours_args": args,
                        "baseline_args": args, "load": results, "series": series, "stats": stats,
                        "evidence": evidence, "segment_bytes": segment, "vm_flags": vm.flags,
                        "vmalert": vmalert_setup(va),
                        "prometheus_flags": prom.flags if before else None,
                        "prometheus_version": (cmd_out(["prometheus", "--version"]).splitlines() or [None])[0],
                        "vmalert_flags": va.flags, "pace": {"conns": PACE_CONNS, "delay_ms": PACE_MS}})


# ---------------------------------------------------------------- scale

def scale_configs():
    base = {"channels": 3, "sample_interval_ms": 100, "ring_capacity": 4096}
    want = [("channels", 1), ("channels", 3), ("channels", 64), ("channels", 256), ("channels", 1024),
            ("sample_interval_ms", 100), ("sample_interval_ms", 10), ("sample_interval_ms", 1),
            ("ring_capacity", 4096), ("ring_capacity", 65536), ("ring_capacity", 1048576)]
    if QUICK:
        want = [("channels", 64)]
    configs = {}
    for key, val in want:
        cfg = dict(base, **{key: val})
        name = f"ch{cfg['channels']}-si{cfg['sample_interval_ms']}-ring{cfg['ring_capacity']}"
        configs.setdefault(name, {"cfg": cfg, "groups": []})["groups"].append(key)
    return configs


def stage_scale():
    warm, measure, wrk_s = (1.0, 1.5, 1) if QUICK else (2.5, 4.0, 2)
    rows = []
    for name, c in scale_configs().items():
        cfg = c["cfg"]
        args = ["--channels", str(cfg["channels"]), "--sample-interval-ms", str(cfg["sample_interval_ms"]),
                "--ring-capacity", str(cfg["ring_capacity"])]
        log(f"scale: {name}")
        svc = B.Ours(BIN, TMP, args, "scale")
        time.sleep(warm)
        pids = svc.pids()
        page0 = B.http_get(svc.url + "/metrics")[1].decode(errors="replace")
        r0, w0, t0 = B.metric_value(page0, "sensor_readings_total"), B.cpu_ns(pids["worker"]), time.monotonic()
        time.sleep(measure)
        page1 = B.http_get(svc.url + "/metrics")[1].decode(errors="replace")
        r1, w1, t1 = B.metric_value(page1, "sensor_readings_total"), B.cpu_ns(pids["worker"]), time.monotonic()
        mem = add_sum(mem_of(svc.pids()), OURS)
        u = B.unique_resident([p for k, p in svc.pids().items() if k in OURS])
        mem["ours_unique"] = {"rss": u, "pss": u} if u is not None else None
        w = measure_wrk("ours", svc, "/metrics", 1, wrk_s)
        readings = (r1 or 0) - (r0 or 0)
        rows.append({
            "name": name, "groups": c["groups"], **cfg, "mem": mem, "segment_bytes": svc.segment_bytes(),
            "readings_per_s": readings / (t1 - t0), "worker_cpu_frac": (w1 - w0) / (t1 - t0),
            "cpu_per_reading_s": (w1 - w0) / readings if readings > 0 else None,
            "dropped_total": B.metric_value(page1, "sensor_readings_dropped_total"),
            "page_bytes": len(page1.encode()), "scrape_cpu_s": w["cpu_per_req_s"], "scrape_rps_c1": w["rps"],
            "scrape_render_s": w.get("render_per_req_s"),
            "series": sum(1 for line in page1.splitlines() if line and not line.startswith("#")),
            "scrape_p99_us": w["p99_us"],
        })
        svc.stop()
    write_json("scale", {"rows": rows, "warm_s": warm, "measure_s": measure})


# ---------------------------------------------------------------- gzip

def stage_gzip():
    log(f"gzip: the exporter's CPU per scrape plain and gzip, {gzip_cost.SCRAPES} scrapes, at 3 and 1,024 channels")
    write_json("gzip", gzip_cost.measure(BIN, TMP))


# ---------------------------------------------------------------- sensors

def stage_sensors():
    log("sensors: file channels through the reader pool, 3/64/256 channels, none and 8 hung")
    write_json("sensors", sensors_scale.measure(BIN, TMP, QUICK))


# ---------------------------------------------------------------- libmap

def stage_libmap():
    log("libmap: the libraries each process maps, RSS, PSS and pages counted once, defaults after a gzip scrape")
    write_json("libmap", libmap.measure(BIN, TMP, QUICK))


# ---------------------------------------------------------------- textfile

def stage_textfile():
    log("textfile: 10 files of 1,000 series, off / unchanged / renamed over each second: worker CPU, "
        "rendering time per scrape")
    write_json("textfile", textfile_cost.measure(BIN, TMP, QUICK))


# ---------------------------------------------------------------- fleet

def stage_fleet():
    log(f"fleet: TLS, basic auth, gzip; one keep-alive connection, one scrape a second, {FLEET_S:.0f} s; "
        "ours, node-exporter (textfile), nginx")
    write_json("fleet", fleet.measure(BIN, TMP, FLEET_S, log))


def stage_vitals():
    log("vitals: the host collectors on and off, and node-exporter with the same collectors")
    write_json("vitals", vitals.measure(BIN, TMP, VITALS_S, WRK_S, log))


# ---------------------------------------------------------------- main

def main():
    global BIN, TMP
    t_start = time.monotonic()
    TMP = tempfile.mkdtemp(prefix="sensor-bench-")
    # Our own copy of the binary: a rebuild in the tree during the run cannot
    # swap it under the bench.
    BIN = os.path.join(TMP, "sensor-service")
    shutil.copy2(BIN_SRC, BIN)

    def on_signal(signo, _frame):
        B.stop_all()
        sys.exit(128 + signo)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    log(f"stages {','.join(STAGES)}; runs {RUNS}, wrk {WRK_S}s, connections {CONNS}, soak {SOAK_S}s"
        f"{' (quick)' if QUICK else ''}; results in {OUT}")
    m = machine()
    stage_times = {}
    quiet = {}
    failed = []
    try:
        for st in STAGES:
            fn = {"serve": stage_serve, "spike": stage_spike, "soak": stage_soak, "scale": stage_scale,
                  "gzip": stage_gzip, "sensors": stage_sensors, "textfile": stage_textfile,
                  "libmap": stage_libmap, "fleet": stage_fleet, "vitals": stage_vitals}.get(st)
            if not fn:
                print(f"bench: unknown stage {st}", file=sys.stderr)
                failed.append(st)
                continue
            t0 = time.monotonic()
            q = None if QUICK else B.wait_quiet(max_wait=10)
            quiet[st] = q
            if q is not None and q >= 0.3:
                log(f"{st}: the rest of the machine uses {q:.2f} cores; measuring anyway")
            try:
                fn()
            except Exception as e:  # noqa: BLE001 - report it, go on with the other stages
                log(f"{st}: FAILED: {e}")
                failed.append(st)
            finally:
                B.stop_all()
            stage_times[st] = time.monotonic() - t0
    finally:
        B.stop_all()
        shutil.rmtree(TMP, ignore_errors=True)
    m["loadavg_end"] = B.loadavg()
    m["duration_s"] = time.monotonic() - t_start
    m["stage_s"] = stage_times
    m["foreign_cores_at_stage_start"] = quiet
    m["stages"] = STAGES
    m["knobs"] = {"BENCH_QUICK": QUICK, "BENCH_RUNS": RUNS, "BENCH_WRK_S": WRK_S, "BENCH_SOAK_S": SOAK_S,
                  "BENCH_SOAK_INTERVAL_S": SOAK_INTERVAL, "BENCH_FLEET_S": FLEET_S, "conns": CONNS}
    m["failed_stages"] = failed
    m["pin"] = {"load_cpu": B.LOAD_CPU, "server_cpu": B.SERVER_CPU} if B.PIN else None
    m["pids_started"] = B.started_pids
    # a long soak of its own (make bench-soak-long) keeps its machine apart
    write_json("machine" if SOAK_NAME == "soak" else f"{SOAK_NAME}-machine", m)
    report.generate(OUT, REPORT)
    print(report.console_table(OUT))
    log(f"done in {m['duration_s']:.0f}s; report {REPORT}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
