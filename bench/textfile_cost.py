#!/usr/bin/python3
"""textfile_cost.py - what the textfile collector costs: a directory of
FILES *.prom files of SERIES series each (10 families of SERIES/10 series a
file), read every INTERVAL_MS. Measured with the collector off, on with the
files unchanged, and on with every file renamed over each interval (so the
worker publishes a new page at each pass and the exporter copies and checks
it once per publication):
  - the worker's CPU per second and per pass (schedstat of all its threads);
  - the exporter's rendering time per scrape (its own
    sensor_metrics_render_seconds: sum / count over the scrapes), and its CPU
    per scrape (schedstat), over SCRAPES scrapes on fresh connections;
  - the page's size.

Used by bench.py's `textfile` stage; prints figures, never fails on one.
"""
import os
import time

import benchlib as B

FILES = 10
SERIES = 1000
INTERVAL_MS = 1000


def write_dir(root, version):
    os.makedirs(root, exist_ok=True)
    for f in range(FILES):
        lines = []
        for fam in range(10):
            name = f"robot_f{f}_family{fam}_value"
            lines.append(f"# HELP {name} A metric another program wrote.\n# TYPE {name} gauge\n")
            for s in range(SERIES // 10):
                lines.append(f'{name}{{joint="{s}",unit="arm-{f}"}} {version + s * 0.25}\n')
        tmp = os.path.join(root, f".f{f:02d}.prom.tmp")
        with open(tmp, "w") as fh:
            fh.write("".join(lines))
        os.rename(tmp, os.path.join(root, f"f{f:02d}.prom"))


def render_stats(url):
    page = B.http_get(url + "/metrics")[1].decode(errors="replace")
    return (B.metric_value(page, "sensor_metrics_render_seconds_sum") or 0.0,
            B.metric_value(page, "sensor_metrics_render_seconds_count") or 0.0, len(page))


def measure_case(binary, tmp, mode, window, scrapes):
    root = os.path.join(tmp, f"textfiles-{mode}")
    write_dir(root, 1)
    args = ["--simulate", "--sample-interval-ms", "100"]
    if mode != "off":
        args += ["--textfile-directory", root, "--textfile-interval-ms", str(INTERVAL_MS)]
    svc = B.Ours(binary, tmp, args, f"textfile-{mode}")
    try:
        if mode != "off":
            B.wait_until(lambda: b"robot_f9_family9_value" in B.http_get(svc.url + "/metrics")[1], 15)
        pids = svc.pids()
        w0, t0 = B.cpu_ns(pids["worker"]), time.monotonic()
        version = 1
        end = t0 + window
        while time.monotonic() < end:
            time.sleep(INTERVAL_MS / 1000.0)
            if mode == "changing":
                version += 1
                write_dir(root, version)
        w1, t1 = B.cpu_ns(pids["worker"]), time.monotonic()
        # scrapes: one each 10 ms; with changing files a new page each interval
        s0, c0, _ = render_stats(svc.url)
        e0 = B.cpu_ns(pids["exporter"])
        next_change = time.monotonic() + INTERVAL_MS / 1000.0
        for _ in range(scrapes):
            B.http_get(svc.url + "/metrics")
            if mode == "changing" and time.monotonic() >= next_change:
                version += 1
                write_dir(root, version)
                next_change += INTERVAL_MS / 1000.0
            time.sleep(0.01)
        e1 = B.cpu_ns(pids["exporter"])
        s1, c1, size = render_stats(svc.url)
        renders = c1 - c0 - 1  # the render_stats scrape itself is counted once more
        seconds = t1 - t0
        return {
            "mode": mode, "page_bytes": size,
            "worker_cpu_per_s": (w1 - w0) / seconds,
            "worker_cpu_per_pass_s": (w1 - w0) / (seconds * 1000.0 / INTERVAL_MS),
            "render_s_per_scrape": (s1 - s0) / renders if renders > 0 else None,
            "exporter_cpu_per_scrape_s": (e1 - e0) / (scrapes + 1),
            "scrapes": scrapes, "window_s": seconds,
            "worker_rss": (B.proc_mem(pids["worker"]) or {}).get("rss"),
            "exporter_rss": (B.proc_mem(pids["exporter"]) or {}).get("rss"),
            "segment_bytes": svc.segment_bytes(),
        }
    finally:
        svc.stop()


def measure(binary, tmp, quick=False):
    window, scrapes = (3.0, 50) if quick else (10.0, 300)
    rows = [measure_case(binary, tmp, mode, window, scrapes) for mode in ("off", "unchanged", "changing")]
    return {"rows": rows, "files": FILES, "series_per_file": SERIES, "interval_ms": INTERVAL_MS,
            "loadavg": B.loadavg()}
