#!/usr/bin/python3
"""libmap.py - the libraries each process maps and what they cost in
memory: the service at its defaults (TLS off) after the first scrape of a
client that asks for gzip, as the memory targets are stated. For each of
the supervisor, the worker and the exporter: RSS, PSS, and which of the
exporter's optional libraries (OpenSSL, libevent_openssl, libyaml, zlib,
libcrypt) it maps with their RSS; and every resident page of the three
counted once.

BENCH_LIBMAP_BEFORE=PATH measures a second binary the same way in the same
run (the "before" of a change: a build of an earlier commit), labelled by
BENCH_LIBMAP_BEFORE_LABEL. Used by bench.py's `libmap` stage, and run alone
by `make bench-libmap` (a run of its own: bench/results/libmap.json and the
report, the other stages' figures left as they are). Prints figures, never
fails on one.
"""
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import benchlib as B

OPT = re.compile(r"/lib(ssl|crypto|yaml-0|z|crypt|event_openssl-[0-9.]+)\.so[.0-9]*$")
ROLES = ("supervisor", "worker", "exporter")
SAMPLES = 5


def optional_libs(pid):
    """{library file name: RSS bytes} of the optional libraries pid maps."""
    libs, cur = {}, None
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                parts = line.split()
                if parts and "-" in parts[0] and not parts[0].endswith(":"):
                    path = parts[5] if len(parts) > 5 else ""
                    cur = os.path.basename(path) if OPT.search(path) else None
                    if cur:
                        libs.setdefault(cur, 0)
                elif cur and parts and parts[0] == "Rss:":
                    libs[cur] += int(parts[1]) * 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return libs


def measure_one(binary, tmp, quick):
    svc = B.Ours(binary, tmp, [], "libmap")
    try:
        st, _ = B.http_get(svc.url + "/metrics", headers={"Accept-Encoding": "gzip"})
        time.sleep(1 if quick else 3)
        rows = []
        for _ in range(2 if quick else SAMPLES):
            pids = svc.pids()
            row = {}
            for role in ROLES:
                m = B.proc_mem(pids[role]) or {}
                row[role] = {"rss": m.get("rss"), "pss": m.get("pss"), "libs": optional_libs(pids[role])}
            row["unique"] = B.unique_resident([pids[r] for r in ROLES])
            rows.append(row)
            time.sleep(0.3 if quick else 1.0)
        out = {"gzip_scrape_status": st, "unique": B.summarize([r["unique"] for r in rows])}
        for role in ROLES:
            out[role] = {k: B.summarize([r[role][k] for r in rows]) for k in ("rss", "pss")}
            out[role]["libs"] = rows[-1][role]["libs"]
        return out
    finally:
        svc.stop()


def measure(binary, tmp, quick=False):
    cases = {}
    before = os.environ.get("BENCH_LIBMAP_BEFORE", "")
    if before:
        cases["before"] = measure_one(before, tmp, quick)
        cases["before"]["label"] = os.environ.get("BENCH_LIBMAP_BEFORE_LABEL", before)
    cases["after"] = measure_one(binary, tmp, quick)
    return {"cases": cases, "samples": 2 if quick else SAMPLES}


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tmp = tempfile.mkdtemp(prefix="sensor-libmap-")
    try:
        data = measure(B.SENSOR_BIN, tmp)
    finally:
        B.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
    commit = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    data.update({"generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                 "commit": commit, "quick": False})
    for name, c in data["cases"].items():
        print(f"libmap {name}: worker RSS {c['worker']['rss']}, counted once {c['unique']}")
    B.save_json(os.path.join(B.RESULTS_DIR, "libmap"), data)
    import report
    report.generate(B.RESULTS_DIR, B.REPORT_PATH)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
