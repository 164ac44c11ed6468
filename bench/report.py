#!/usr/bin/python3
"""report.py - turn bench/results/*.json into PNG plots and
PERFORMANCE_REPORT.md. bench.py calls it at the end of a run; it can also be
run alone to regenerate the report from existing results:

    /usr/bin/python3 bench/report.py [RESULTS_DIR] [REPORT_PATH]

Every number in the report comes from the JSON files; nothing is typed in.
Each section of the report is a module of bench/report_parts/; this file
loads the results and puts the sections together in order.
"""
import os
import sys

import benchlib as B

from report_parts.chaos import chaos_section
from report_parts.files import files_section
from report_parts.fleet import fleet_section
from report_parts.fmt import ROOT, med
from report_parts.footprint import footprint_section
from report_parts.fuzz import bad_bytes
from report_parts.header import header_section
from report_parts.hostile import hostile_section
from report_parts.libmap import libmap_section
from report_parts.machine import machine_section
from report_parts.memory import memory_section
from report_parts.method import method_section
from report_parts.plots import plots
from report_parts.scale import scale_section
from report_parts.scrape_cost import scrape_cost_section
from report_parts.sensors import sensors_section
from report_parts.soak import soak_section
from report_parts.spike import spike_section
from report_parts.targets import evaluate
from report_parts.textfile import textfile_section
from report_parts.throughput import throughput_section
from report_parts.vitals import vitals_section
from report_parts.vm_growth import vm_growth_section


def load(out):
    data = {}
    for name in ("machine", "serve", "spike", "soak", "scale", "gzip", "sensors", "textfile", "fleet", "vitals",
                 "board", "hostile", "chaos", "fuzz", "footprint", "libmap"):
        found = B.load_json(os.path.join(out, name))
        if found is not None:
            data[name] = found
    # long soaks of their own (make bench-soak-long), one file per set of flags
    data["soak_long"] = {}
    for fn in sorted(os.listdir(out)) if os.path.isdir(out) else []:
        base = fn[:-len(".gz")] if fn.endswith(".json.gz") else fn
        if base.startswith("soak-long") and base.endswith(".json") and not base.endswith("-machine.json"):
            data["soak_long"][base] = B.load_json(os.path.join(out, base[:-len(".json")]))
    return data


def generate(out, report_path):
    d = load(out)
    ctx = {"d": d, "out": out, "made": plots(d, out), "targets": evaluate(d),
           "rel": os.path.relpath(out, os.path.dirname(os.path.abspath(report_path)))}
    L = []
    w = L.append
    for section in (header_section, machine_section, method_section):
        section(w, ctx)
    if d.get("footprint"):
        footprint_section(w, d["footprint"])
    if d.get("serve"):
        for section in (memory_section, throughput_section, scrape_cost_section):
            section(w, ctx)
    if d.get("libmap"):
        libmap_section(w, d["libmap"])
    if d.get("spike"):
        spike_section(w, ctx)
    if d.get("soak"):
        soak_section(w, ctx)
    if d.get("soak_long"):
        vm_growth_section(w, d["soak_long"], d.get("soak"))
    if d.get("scale"):
        scale_section(w, ctx)
    if d.get("sensors"):
        sensors_section(w, d["sensors"])
    if d.get("textfile"):
        textfile_section(w, d["textfile"])
    if d.get("fleet"):
        fleet_section(w, ctx)
    if d.get("vitals"):
        vitals_section(w, d["vitals"])
    if d.get("hostile"):
        hostile_section(w, d["hostile"])
    if d.get("chaos"):
        chaos_section(w, d["chaos"])
    if d.get("fuzz"):
        bad_bytes(d["fuzz"], w)
    files_section(w, ctx)
    with open(report_path, "w") as f:
        f.write("\n".join(L))
    return report_path


def console_table(out):
    d = load(out)
    lines = ["", "target".ljust(62) + "measured".ljust(60) + "verdict", "-" * 132]
    for t, mv, v, _ in evaluate(d):
        t = t.replace("`", "")
        lines.append(t[:61].ljust(62) + mv.replace("`", "")[:59].ljust(60) + v.replace("*", ""))
    serve = d.get("serve")
    if serve:
        lines += ["", "path       conns  server          req/s         p50 ms    p99 ms   p99.9 ms", "-" * 78]
        def col(v):
            return f"{v / 1000:>8.2f}" if v is not None else f"{'n/a':>8}"
        for r in serve["summary"]:
            lines.append(f"{r['path']:<10} {r['conns']:>5}  {r['target']:<14} {med(r['rps']):>9.0f}   "
                         f"{col(med(r['p50_us']))}  {col(med(r['p99_us']))}  {col(med(r['p999_us']))}")
    return "\n".join(lines)


if __name__ == "__main__":
    o = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(ROOT, "bench", "results")
    r = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.join(ROOT, "PERFORMANCE_REPORT.md")
    generate(o, r)
    print(console_table(o))
