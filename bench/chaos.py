#!/usr/bin/python3
"""chaos.py - the "Chaos under load" figures: sensor-service with its
defaults, scraped by VictoriaMetrics every second and loaded on / and
/metrics, while a random fault hits it every few seconds for CHAOS_S
(default 600 s):

    kill-worker, kill-exporter   kill -9 of the child
    pause-worker, pause-exporter SIGSTOP for 1 s, then SIGCONT (shorter
                                 than the heartbeat timeout: no restart due)
    hang-worker, hang-exporter   SIGSTOP until the supervisor kills it for
                                 its stale heartbeat (a hang)

(A leak cannot be injected into a running child; the fault tests cover
leaks under the memory caps.) Measured: the load's requests and failures,
VictoriaMetrics' scrapes and failed scrapes, resets() of every counter of
the service as VictoriaMetrics stored it (they live in the shared segment,
so a restarted child continues them: the answer should be zero), the
readings the worker missed against its downtime, the children's exits by
reason, and RSS of each process at the start and the end. Writes
RESULTS/chaos.json and regenerates the report:

    /usr/bin/python3 bench/chaos.py     (make bench-chaos)

CHAOS_S, CHAOS_EVERY_S (default 5) and CHAOS_SEED (default 1) set the
length, the interval between faults and the random sequence.
"""
import datetime
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import benchlib as bl  # noqa: E402
import report  # noqa: E402

BIN = bl.SENSOR_BIN
OUT = bl.RESULTS_DIR
REPORT = bl.REPORT_PATH
SECONDS = float(os.environ.get("CHAOS_S", "600"))
EVERY_S = float(os.environ.get("CHAOS_EVERY_S", "5"))
SEED = int(os.environ.get("CHAOS_SEED", "1"))
FAULTS = ("kill-worker", "kill-exporter", "pause-worker", "pause-exporter", "hang-worker", "hang-exporter")
PAUSE_S = 1.0


class Load(threading.Thread):
    """Two paced clients, one on / and one on /metrics, 20 requests/s each."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.counts = {p: {"requests": 0, "ok": 0, "failed": 0, "503": 0} for p in ("/", "/metrics")}

    def run(self):
        while not self.stop.is_set():
            for path in ("/", "/metrics"):
                status, _ = bl.http_get(self.url + path, timeout=2)
                c = self.counts[path]
                c["requests"] += 1
                if status == 200:
                    c["ok"] += 1
                elif status == 503 and path == "/":
                    c["503"] += 1  # the health check saying the worker is down: an answer
                else:
                    c["failed"] += 1
            self.stop.wait(0.05)


def vm_query(vm, q):
    url = f"{vm.url}/api/v1/query?" + urllib.parse.urlencode({"query": q})
    status, body = bl.http_get(url, timeout=10)
    if status != 200:
        return []
    return json.loads(body)["data"]["result"]


def vm_metric_sum(vm, name):
    """Sum of a counter family on VictoriaMetrics' own /metrics page."""
    _, body = bl.http_get(vm.url + "/metrics", timeout=5)
    total = 0.0
    for line in body.decode(errors="replace").splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def rss_of(pids):
    return {k: (bl.proc_mem(p) or {}).get("rss") for k, p in pids.items()}


def inject(svc, fault, t, paused):
    """One fault (kill, pause or hang of a child) at time t; the time a child
    spent stopped is added to paused[role]. Returns the event."""
    action, role = fault.split("-")
    pid = svc.pids().get(role)
    if not pid:
        return {"t": t, "fault": fault, "skipped": "child down"}
    ev = {"t": t, "fault": fault, "pid": pid}
    if action == "kill":
        os.kill(pid, signal.SIGKILL)
    elif action == "pause":
        os.kill(pid, signal.SIGSTOP)
        time.sleep(PAUSE_S)
        os.kill(pid, signal.SIGCONT)
        paused[role] += PAUSE_S
    else:  # hang: stopped until the supervisor kills it
        os.kill(pid, signal.SIGSTOP)
        t_stop = time.monotonic()
        # Until it is gone (killed and reaped); the restart that
        # follows is in the supervisor's log (child_downtime).
        gone = bl.wait_until(lambda: not os.path.exists(f"/proc/{pid}"), 30, step=0.02)
        ev["killed_after_s"] = round(time.monotonic() - t_stop, 2) if gone else None
        paused[role] += time.monotonic() - t_stop
        bl.wait_until(lambda: svc.pids().get(role) not in (None, pid), 30)
    return ev


def child_downtime(log_path, paused):
    """Each child's downtime: the gaps between a death and the restart the
    supervisor logged on its own clock, plus the time it was stopped."""
    with open(log_path, errors="replace") as f:
        log = f.read()
    downtime = {}
    for role in ("worker", "exporter"):
        gaps_ms = [int(g) for g in re.findall(rf"started sensor-{role} \(pid \d+\), (\d+) ms after it ended", log)]
        downtime[role] = paused[role] + sum(gaps_ms) / 1000
    return downtime


def counter_resets(vm, page, window):
    """{series: resets() over the window} of every counter the page declares
    (histograms: _bucket, _count, _sum), one query each: resets() drops the
    name, so one query over all families would merge their series."""
    families = []
    for name, kind in re.findall(r"^# TYPE (\S+) (counter|histogram)$", page, re.M):
        families += [name] if kind == "counter" else [name + "_bucket", name + "_count", name + "_sum"]
    resets = {}
    for name in families:
        for r in vm_query(vm, f"resets({name}[{window}])"):
            labels = {k: v for k, v in r["metric"].items() if k not in ("job", "instance")}
            resets[name + (json.dumps(labels, sort_keys=True) if labels else "")] = float(r["value"][1])
    return resets


def main():
    if not os.access(BIN, os.X_OK):
        sys.exit(f"chaos: no {BIN}; run make first")
    rng = random.Random(SEED)
    logdir = tempfile.mkdtemp(prefix="sensor-chaos-")
    svc = bl.Ours(BIN, logdir, tag="chaos")
    vm = None
    try:
        vm = bl.VictoriaMetrics(logdir, {"sensor-service": f"127.0.0.1:{svc.port}"}, interval="1s")
        time.sleep(3)
        page = bl.http_get(svc.url + "/metrics")[1].decode()
        interval_ms = int(bl.print_config(BIN)["sample-interval-ms"])  # the default the service runs with
        channels = len(re.findall(r"^sensor_channel_readings_total\{", page, re.M)) or 3
        readings0 = bl.metric_value(page, "sensor_readings_total") or 0
        t0 = time.monotonic()
        rss_start = rss_of(svc.pids())
        load = Load(svc.url)
        load.start()
        events, paused = [], {"worker": 0.0, "exporter": 0.0}
        print(f"chaos: {SECONDS:.0f} s, a fault every {EVERY_S:.0f} s (seed {SEED})", flush=True)
        while time.monotonic() - t0 < SECONDS:
            time.sleep(EVERY_S)
            events.append(inject(svc, rng.choice(FAULTS), round(time.monotonic() - t0, 1), paused))
        elapsed = time.monotonic() - t0
        page = bl.http_get(svc.url + "/metrics")[1].decode()
        readings1 = bl.metric_value(page, "sensor_readings_total") or 0
        load.stop.set()
        load.join()
        time.sleep(4)  # the last scrapes land; latency offset 2 s
        exits = {f"{m.group(1)}/{m.group(2)}": int(float(m.group(3))) for m in re.finditer(
            r'^sensor_child_exits_total\{child="(\w+)",reason="(\w+)"\} (\S+)$', page, re.M)}
        restarts = {m.group(1): int(float(m.group(2))) for m in re.finditer(
            r'^sensor_child_restarts_total\{child="(\w+)"\} (\S+)$', page, re.M)}
        rss_end = rss_of(svc.pids())
        downtime = child_downtime(svc.log_path, paused)
        downtime_s = downtime["worker"]
        window = f"{int(elapsed) + 10}s"
        resets = counter_resets(vm, page, window)
        counters = len(resets)
        nonzero = {k: v for k, v in resets.items() if v > 0}
        data = {
            "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                                     text=True).stdout.strip() or None,
            "seconds": round(elapsed, 1), "every_s": EVERY_S, "seed": SEED, "channels": channels,
            "sample_interval_ms": interval_ms,
            "faults": {f: sum(1 for e in events if e["fault"] == f and "skipped" not in e) for f in FAULTS},
            "skipped_faults": sum(1 for e in events if "skipped" in e),
            "hang_kill_s": sorted(e["killed_after_s"] for e in events if e.get("killed_after_s") is not None),
            "load": load.counts,
            "vm_scrapes": vm_metric_sum(vm, "vm_promscrape_scrapes_total"),
            "vm_scrapes_failed": vm_metric_sum(vm, "vm_promscrape_scrapes_failed_total"),
            "counters_checked": counters, "counters_reset": nonzero,
            "readings": readings1 - readings0,
            "readings_expected": elapsed * 1000 / interval_ms * channels,
            "worker_downtime_s": round(downtime_s, 2),
            "exporter_downtime_s": round(downtime["exporter"], 2),
            "exits": exits, "restarts": restarts,
            "rss_start": rss_start, "rss_end": rss_end, "events": events,
        }
    finally:
        if vm:
            vm.stop()
        svc.stop()
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "chaos.json"), "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")
    report.generate(OUT, REPORT)
    lost = data["readings_expected"] - data["readings"]
    print(f"chaos: {sum(data['faults'].values())} faults; VictoriaMetrics {data['vm_scrapes']:.0f} scrapes, "
          f"{data['vm_scrapes_failed']:.0f} failed; counters reset: {len(nonzero)} of {counters}; readings "
          f"missed {lost:.0f} (downtime {downtime_s:.1f} s explains "
          f"{downtime_s * 1000 / interval_ms * channels:.0f}); wrote {OUT}/chaos.json and {REPORT}")


if __name__ == "__main__":
    main()
