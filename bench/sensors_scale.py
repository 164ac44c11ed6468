#!/usr/bin/python3
"""sensors_scale.py - the worker at the scale of real boards: file channels
(3, 64, 256) read through the reader pool at its defaults, with none and with
8 of them hung (a FIFO without a writer: an open that never returns, as a
stuck bus). For each: the tasks the service uses, the worker's RSS, its CPU
per reading, and each healthy channel's achieved sampling rate against its
configured one (the target: every healthy channel at its rate while 8 hang).

Used by bench.py's `sensors` stage; prints figures, never fails on one.
"""
import os
import statistics
import time

import benchlib as B

CASES = [(3, 0), (3, 8), (64, 0), (64, 8), (256, 0), (256, 8)]
INTERVAL_MS = 100
POOL = {"reader_threads": 2, "reader_threads_max": 10}  # the defaults (common/config.c)


def write_board(root, channels, hung):
    """`channels` file channels under root/bus, the first `hung` of them FIFOs."""
    os.makedirs(os.path.join(root, "bus"), exist_ok=True)
    lines = [f"[worker]\nsysfs-root={root}\nsample-interval-ms={INTERVAL_MS}\n",
             "[discovery]\ndiscovery=false\n"]
    healthy = []
    for i in range(channels + hung):
        name = f"s{i:03d}" if i < hung else f"h{i:03d}"
        path = os.path.join(root, "bus", name)
        if i < hung:
            os.mkfifo(path)
        else:
            with open(path, "w") as f:
                f.write(f"{20000 + i}\n")
            healthy.append(name)
        lines.append(f"[channel {name}]\nsource=file\npath=/bus/{name}\n")
    conf = os.path.join(root, "board.conf")
    with open(conf, "w") as f:
        f.write("".join(lines))
    return conf, healthy


def channel_readings(page):
    out = {}
    for line in page.splitlines():
        if line.startswith('sensor_channel_readings_total{channel="'):
            name = line.split('"')[1]
            out[name] = float(line.split()[1])
    return out


def tasks_of(pids):
    n = 0
    for pid in pids.values():
        try:
            n += len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            pass
    return n


def measure_case(binary, tmp, channels, hung, warm, window):
    root = os.path.join(tmp, f"board-{channels}-{hung}")
    conf, healthy = write_board(root, channels - hung if channels > hung else channels, hung)
    svc = B.Ours(binary, tmp, ["--config", conf], f"sensors{channels}h{hung}")
    try:
        time.sleep(warm)  # the pool grows to its bound in read-timeout-ms steps
        pids = svc.pids()
        page0 = B.http_get(svc.url + "/metrics")[1].decode(errors="replace")
        w0, t0 = B.cpu_ns(pids["worker"]), time.monotonic()
        time.sleep(window)
        page1 = B.http_get(svc.url + "/metrics")[1].decode(errors="replace")
        w1, t1 = B.cpu_ns(pids["worker"]), time.monotonic()
        r0, r1 = channel_readings(page0), channel_readings(page1)
        seconds = t1 - t0
        want = 1000.0 / INTERVAL_MS
        ratios = [((r1.get(n, 0) - r0.get(n, 0)) / seconds) / want for n in healthy]
        readings = B.metric_value(page1, "sensor_readings_total") - B.metric_value(page0, "sensor_readings_total")
        mem = B.proc_mem(pids["worker"]) or {}
        return {
            "channels": len(healthy) + hung, "hung": hung, "healthy": len(healthy),
            "tasks": tasks_of(svc.pids()), "worker_tasks": tasks_of({"w": pids["worker"]}),
            "worker_rss": mem.get("rss"), "worker_pss": mem.get("pss"),
            "cpu_per_reading_s": (w1 - w0) / readings if readings > 0 else None,
            "configured_rate_hz": want,
            "rate_ratio_min": min(ratios) if ratios else None,
            "rate_ratio_median": statistics.median(ratios) if ratios else None,
            "healthy_below_90pct": sum(1 for r in ratios if r < 0.9),
            "reader_threads": B.metric_value(page1, "sensor_reader_threads"),
            "reader_threads_held": B.metric_value(page1, "sensor_reader_threads_held"),
            "reads_waiting": B.metric_value(page1, "sensor_reader_reads_waiting"),
        }
    finally:
        svc.stop()


def measure(binary, tmp, quick=False):
    warm, window = (1.5, 1.5) if quick else (4.0, 6.0)
    cases = [(64, 8)] if quick else CASES
    rows = [measure_case(binary, tmp, ch, hung, warm, window) for ch, hung in cases]
    return {"rows": rows, "interval_ms": INTERVAL_MS, "pool": POOL, "warm_s": warm, "window_s": window,
            "hung_by": "FIFO without a writer (open() never returns)"}
