"""vitals.py - what the host's vital signs cost, side by side in one run:
sensor-service with its host collectors on (the defaults) and off
(collector-*=false), and Debian's prometheus-node-exporter with the same
nine collectors (--collector.disable-defaults --collector.cpu ...).

For each: RSS and PSS of its processes (PSS: each shared page counted once
over them, as a share) idle after the first scrape and right after a load
(wrk, 16 connections), and the whole service's CPU per second while it is
scraped once a second (every process of it: the worker samples the host
every host-interval-ms whether scraped or not; node_exporter reads /proc
at each scrape). CPU from schedstat (ns), over the scrapes; wakeups are
the voluntary context switches of every thread over the same time (on a
virtual machine each wakeup of an idle task costs tens of microseconds
whatever the task then does, so the count explains most of the CPU).
A fourth server, ours sampling its channels every 100 ms instead of the
default second, shows what the sampling rate alone costs.
"""
import glob
import subprocess
import threading
import time

import benchlib as B

# The fourth server: ours sampling faster than the default.
FAST_MS = 100
FAST = f"ours, vital signs on, sampling every {FAST_MS} ms"
COLLECTORS = ("cpu", "meminfo", "loadavg", "stat", "pressure", "uname", "filesystem", "netdev", "diskstats")


def mem(svc):
    """{'rss', 'pss'} summed over the service's processes."""
    rows = [B.proc_mem(p) for p in svc.pids().values()]
    if any(r is None for r in rows):
        return None
    return {"rss": sum(r["rss"] for r in rows), "pss": sum(r["pss"] for r in rows)}


def cpu_s(svc):
    return sum(B.cpu_ns(p) or 0.0 for p in svc.pids().values())


def wakeups(svc):
    """Voluntary context switches of every thread of the service's processes."""
    n = 0
    for pid in svc.pids().values():
        for path in glob.glob(f"/proc/{pid}/task/*/status"):
            try:
                with open(path) as f:
                    for line in f:
                        if line.startswith("voluntary_ctxt_switches:"):
                            n += int(line.split()[1])
            except (FileNotFoundError, ProcessLookupError, ValueError):
                pass
    return n


def scrape_once_a_second(url, seconds, out):
    B.pin_self_to_load_cpu()
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        t0 = time.monotonic()
        if B.http_get(url + "/metrics", 5)[0] == 200:
            n += 1
        time.sleep(max(0.0, 1.0 - (time.monotonic() - t0)))
    out["scrapes"] = n


def processing_state(svc):
    """How far ours' processing window had filled, and what its steps cost
    meanwhile: a step analyses the last `window` readings of each channel
    (O(n^2)), so its cost grows with the fill until the window is full."""
    page = B.http_get(svc.url + "/metrics", 5)[1].decode()
    readings = B.metric_by_label(page, "sensor_channel_readings_total", "channel")
    steps = B.metric_value(page, "sensor_cpu_spike_seconds_count") or 0
    return {"readings_per_channel": int(max(readings.values())) if readings else None, "steps": int(steps),
            "step_seconds_mean": (B.metric_value(page, "sensor_cpu_spike_seconds_sum") or 0) / steps if steps else None}


def measure(binary, tmp, seconds, wrk_s, log):
    off = [f"--collector-{c}=false" for c in COLLECTORS]
    svcs = {
        "ours, vital signs on": B.Ours(binary, tmp, ["--simulate"], "vitals-on"),
        "ours, vital signs off": B.Ours(binary, tmp, ["--simulate", *off], "vitals-off"),
        FAST: B.Ours(binary, tmp, ["--simulate", f"--sample-interval-ms={FAST_MS}"], "vitals-fast"),
        "node-exporter, same collectors": B.NodeExporter(
            tmp, ["--collector.disable-defaults", *[f"--collector.{c}" for c in COLLECTORS]]),
    }
    rows = []
    try:
        for svc in svcs.values():
            B.http_get(svc.url + "/metrics", 5)
        time.sleep(2)
        idle = {k: mem(s) for k, s in svcs.items()}
        pages = {k: len(B.http_get(s.url + "/metrics", 5)[1]) for k, s in svcs.items()}
        log(f"vitals: one scrape a second for {seconds:.0f} s, all three at once")
        cpu0 = {k: cpu_s(s) for k, s in svcs.items()}
        wake0 = {k: wakeups(s) for k, s in svcs.items()}
        t0 = time.monotonic()
        outs = {k: {} for k in svcs}
        threads = []
        for i, (k, s) in enumerate(svcs.items()):
            th = threading.Thread(target=scrape_once_a_second, args=(s.url, seconds, outs[k]))
            th.start()
            threads.append(th)
            time.sleep(1.0 / len(svcs))
        for th in threads:
            th.join()
        wall = time.monotonic() - t0
        cpu = {k: (cpu_s(s) - cpu0[k]) / wall for k, s in svcs.items()}
        wake = {k: (wakeups(s) - wake0[k]) / wall for k, s in svcs.items()}
        processing = processing_state(svcs["ours, vital signs on"])
        loaded = {}
        for k, s in svcs.items():
            log(f"vitals: {k}: wrk -c16 {wrk_s}s")
            w = B.run_wrk(s.url + "/metrics", 16, wrk_s)
            loaded[k] = {"mem": mem(s), "rps": w["rps"]}
        for k in svcs:
            rows.append({"server": k, "idle": idle[k], "loaded": loaded[k]["mem"], "rps": loaded[k]["rps"],
                         "cpu_per_s": cpu[k], "wakeups_per_s": wake[k], "scrapes": outs[k].get("scrapes"), "page_bytes": pages[k]})
    finally:
        for s in svcs.values():
            s.stop()
    defaults = B.print_config(binary)
    return {"seconds": seconds, "wrk_s": wrk_s, "sample_interval_ms": int(defaults["sample-interval-ms"]),
            "fast_sample_interval_ms": FAST_MS, "window": int(defaults["window"]),
            "processing": processing, "collectors": list(COLLECTORS), "rows": rows,
            "machine_busy": B.machine_busy()}
