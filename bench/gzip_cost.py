#!/usr/bin/python3
"""gzip_cost.py - what gzip costs a scrape, to choose the exporter's level
(exporter/gzip.h GZIP_LEVEL).

For a small page (3 channels) and the large bench page (1,024 channels):
  - the exporter's own CPU per scrape, served plain and served gzip
    (schedstat of the sensor-exporter process over SCRAPES requests);
  - the page compressed by the same zlib (Debian's libz, through Python's
    zlib module) at levels 1, 6 and 9: bytes and CPU per compression.
Prints a table; never fails on a number. `make bench` runs the same
measurement as its gzip stage (measure() below) into bench/results/gzip.json.

    SENSOR_BIN=build/sensor-service bench/gzip_cost.py
"""
import http.client
import os
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

SCRAPES = int(os.environ.get("GZIP_SCRAPES", "300"))
REPS = int(os.environ.get("GZIP_REPS", "200"))


def scrape_cpu(svc, gzip):
    """Exporter CPU seconds per /metrics scrape, and the bytes on the wire."""
    pid = svc.pids()["exporter"]
    conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=10)
    headers = {"Accept-Encoding": "gzip"} if gzip else {}
    wire = 0
    before = benchlib.cpu_ns(pid)
    for _ in range(SCRAPES):
        conn.request("GET", "/metrics", headers=headers)
        r = conn.getresponse()
        wire = len(r.read())
        if gzip and r.getheader("Content-Encoding") != "gzip":
            raise RuntimeError("asked for gzip, got " + str(r.getheader("Content-Encoding")))
    after = benchlib.cpu_ns(pid)
    conn.close()
    return (after - before) / SCRAPES, wire


def stable_page(svc):
    """The page once every channel has its window statistics: after the
    worker's second processing run (the page grows about threefold at the
    first), and two pages in a row within 1% of each other."""
    last = b""
    for _ in range(100):
        page = benchlib.http_get(svc.url + "/metrics")[1]
        runs = benchlib.metric_value(page.decode(errors="replace"), "sensor_processing_runs_total") or 0
        if runs >= 2 and last and abs(len(page) - len(last)) * 100 < len(last):
            return page
        last = page
        time.sleep(1.0)
    return last


def zlib_cost(page, level):
    t0 = time.process_time()
    for _ in range(REPS):
        c = zlib.compressobj(level, zlib.DEFLATED, 31)
        out = c.compress(page) + c.flush()
    return (time.process_time() - t0) / REPS, len(out)


def measure(binary, logdir, channel_counts=(3, 1024)):
    """One dict per channel count: the page, the exporter's CPU per scrape
    plain and gzip, and zlib alone at levels 1, 6 and 9."""
    rows = []
    for channels in channel_counts:
        svc = benchlib.Ours(binary, logdir, ["--channels", str(channels)], tag=f"gz{channels}")
        try:
            page = stable_page(svc)
            plain_cpu, plain_bytes = scrape_cpu(svc, False)
            gz_cpu, gz_bytes = scrape_cpu(svc, True)
        finally:
            svc.stop()
        levels = []
        for lv in (1, 6, 9):
            cpu, n = zlib_cost(page, lv)
            levels.append({"level": lv, "cpu_s": cpu, "bytes": n})
        rows.append({"channels": channels, "page_bytes": len(page), "plain_cpu_s": plain_cpu,
                     "plain_wire_bytes": plain_bytes, "gzip_cpu_s": gz_cpu, "gzip_wire_bytes": gz_bytes,
                     "zlib": levels})
    return {"rows": rows, "scrapes": SCRAPES, "zlib_reps": REPS}


def main():
    binary = os.environ.get("SENSOR_BIN", "build/sensor-service")
    logdir = tempfile.mkdtemp(prefix="gzip-cost-")
    try:
        res = measure(binary, logdir)
    finally:
        benchlib.stop_all()
    print(f"exporter CPU per /metrics scrape ({SCRAPES} scrapes), and zlib alone on the same page ({REPS} runs)")
    for r in res["rows"]:
        print(f"{r['channels']:5d} channels: page {r['page_bytes']} B; plain {r['plain_cpu_s'] * 1e6:.0f} us/scrape, "
              f"{r['plain_wire_bytes']} B on the wire; gzip (level built in) {r['gzip_cpu_s'] * 1e6:.0f} us/scrape, "
              f"{r['gzip_wire_bytes']} B")
        for z in r["zlib"]:
            share = 100.0 * z["bytes"] / r["page_bytes"]
            print(f"        zlib level {z['level']}: {z['bytes']:7d} B ({share:4.1f} %), {z['cpu_s'] * 1e6:7.0f} us")


if __name__ == "__main__":
    main()
