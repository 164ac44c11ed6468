#!/usr/bin/python3
"""report.py - turn bench/results/*.json into PNG plots and
PERFORMANCE_REPORT.md. bench.py calls it at the end of a run; it can also be
run alone to regenerate the report from existing results:

    /usr/bin/python3 bench/report.py [RESULTS_DIR] [REPORT_PATH]

Every number in the report comes from the JSON files; nothing is typed in.
"""
import json
import os
import sys

import benchlib as B

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Every memory figure of the report is in MiB (2^20 bytes); KiB and pages are
# named as such. The user wrote the memory targets in MB (10^6 bytes): they
# are kept in bytes as written and stated once with their MiB equivalent.
MIB = 2 ** 20
PAGE = os.sysconf("SC_PAGE_SIZE")

# The performance targets, in the order the report lists them.
TARGET_PSS_BYTES = 6e6
TARGET_PSS_VS_BASELINE = 5.0
TARGET_RPS_RATIO = 20.0
TARGET_P99_MS = 2.0
TARGET_NGINX_RPS = 0.8  # our /metrics req/s at least this share of nginx's (16 connections)
TARGET_NGINX_P99 = 1.5  # our /metrics p99 at most this multiple of nginx's
TARGET_SCRAPE_US_DEFAULT = 15.0  # CPU per scrape at the default 3 channels
TARGET_SCRAPE_US_1024 = 1000.0  # CPU per scrape at 1,024 channels
TARGET_SPIKE_RATIO = 1.5
TARGET_STACK_BYTES = 100e6
BUDGET_BYTES = 300e6


def load(out):
    data = {}
    for name in ("machine", "serve", "spike", "soak", "scale", "gzip", "sensors", "textfile", "fleet", "board",
                 "hostile", "chaos", "fuzz", "footprint"):
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


# ---------------------------------------------------------------- formatting

def mb(b, digits=1):
    """A memory figure in MiB."""
    return "n/a" if b is None else f"{b / MIB:.{digits}f} MiB"


def user_mb(b):
    """A target as the user wrote it (MB, 10^6 bytes) with its MiB."""
    return f"{b / 1e6:.0f} MB ({b / MIB:.{0 if b >= 100e6 else 2}f} MiB)"


def us(s, digits=0):
    return "n/a" if s is None else f"{s * 1e6:,.{digits}f} µs"


def ms(us, digits=2):
    return "n/a" if us is None else f"{us / 1000:.{digits}f} ms"


def rng(s, f):
    """'median (min-max)' of a summary dict, each formatted with f."""
    if not s or s.get("median") is None:
        return "n/a"
    if s.get("n", 1) <= 1 or s["min"] == s["max"]:
        return f(s["median"])
    return f"{f(s['median'])} ({f(s['min'])}–{f(s['max'])})"


def num(x, digits=0):
    return "n/a" if x is None else f"{x:,.{digits}f}"


def ratio(x, digits=1):
    return "n/a" if x is None else f"{x:.{digits}f}x"


def med(s):
    return s.get("median") if s else None


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def serve_row(serve, target, path, conns):
    for r in serve.get("summary", []):
        if r["target"] == target and r["path"] == path and r["conns"] == conns:
            return r
    return None


# ---------------------------------------------------------------- targets

def evaluate(d):
    """[(target text, measured text, verdict, key)] plus facts for the
    explanations."""
    out = []
    serve, spike, soak = d.get("serve"), d.get("spike"), d.get("soak")

    if serve:
        load = serve["load"].get("ours", {})
        idle = serve["idle"].get("ours", {})
        pss_load, pss_idle = med(load.get("pss")), med(idle.get("pss"))
        worst = max(x for x in (pss_load, pss_idle) if x is not None) if (pss_load or pss_idle) else None
        uniq = med(serve["load"].get("ours_unique", {}).get("rss"))
        out.append((f"Service (supervisor + worker + exporter) PSS ≤ {user_mb(TARGET_PSS_BYTES)}",
                    f"{mb(pss_idle, 2)} idle, {mb(pss_load, 2)} under load"
                    + (f" (every resident page of the three counted once, shared libraries included: "
                       f"{mb(uniq, 2)})" if uniq else ""),
                    verdict(worst is not None and worst <= TARGET_PSS_BYTES, worst), "pss"))
        bl_idle, bl_load = med(serve["idle"].get("baseline", {}).get("rss")), med(
            serve["load"].get("baseline", {}).get("rss"))
        r_idle = bl_idle / pss_idle if bl_idle and pss_idle else None
        r_load = bl_load / pss_load if bl_load and pss_load else None
        worst_r = min(x for x in (r_idle, r_load) if x is not None) if (r_idle or r_load) else None
        out.append(("Service PSS ≥ 5x below the baseline's RSS",
                    f"{ratio(r_idle)} idle ({mb(bl_idle)} / {mb(pss_idle, 2)}), "
                    f"{ratio(r_load)} under load ({mb(bl_load)} / {mb(pss_load, 2)})",
                    verdict(worst_r is not None and worst_r >= TARGET_PSS_VS_BASELINE, worst_r), "pss_ratio"))
        o, b = serve_row(serve, "ours", "/metrics", 16), serve_row(serve, "baseline", "/metrics", 16)
        rr = med(o["rps"]) / med(b["rps"]) if o and b and med(b["rps"]) else None
        out.append(("`/metrics` throughput ≥ 20x the baseline's (16 connections)",
                    f"{ratio(rr)} ({num(med(o['rps']) if o else None)} vs {num(med(b['rps']) if b else None)} req/s)",
                    verdict(rr is not None and rr >= TARGET_RPS_RATIO, rr), "rps"))
        p99 = med(o["p99_us"]) if o else None
        out.append(("`/metrics` p99 < 2 ms at 16 connections",
                    f"{ms(p99)} (baseline {ms(med(b['p99_us']) if b else None, 1)})",
                    verdict(p99 is not None and p99 < TARGET_P99_MS * 1000, p99), "p99"))
        out += ceiling_targets(serve)
    else:
        for t in (f"Service PSS ≤ {user_mb(TARGET_PSS_BYTES)}", "Service PSS ≥ 5x below the baseline's RSS",
                  "`/metrics` throughput ≥ 20x the baseline's", "`/metrics` p99 < 2 ms at 16 connections"):
            out.append((t, "not measured in this run", "not measured", None))

    out += scrape_cpu_targets(d.get("scale"))
    out.append(fleet_target(d.get("fleet")))
    if spike:
        rows = [r for r in spike["summary"] if r["target"] == "ours" and r["load"] == "paced"
                and r.get("state", "spike") == "spike"]
        worst = max((r["p99_ratio"] for r in rows if r["p99_ratio"] is not None), default=None)
        parts = ", ".join(f"`{r['path']}` {ratio(r['p99_ratio'], 2)}" for r in rows)
        out.append(("p99 during a CPU spike within 1.5x of idle p99",
                    f"{parts} (paced load); baseline: " + ", ".join(
                        f"`{r['path']}` {ratio(r['p99_ratio'], 2)}" for r in spike["summary"]
                        if r["target"] == "baseline" and r["load"] == "paced")
                    + nice_part(spike),
                    verdict(worst is not None and worst <= TARGET_SPIKE_RATIO, worst), "spike"))
    else:
        out.append(("p99 during a CPU spike within 1.5x of idle p99", "not measured in this run", "not measured",
                    None))

    if soak:
        st = soak["stats"]
        grew = {p: st[p]["rss_last"] - st[p]["rss_first"] for p in ("supervisor", "worker", "exporter") if p in st}
        ok = bool(grew) and all(g <= PAGE for g in grew.values())
        parts = ", ".join(f"{p} {num(g / 1024)} KiB ({num(st[p]['rss_slope_bytes_per_min'])} B/min)"
                          for p, g in grew.items())
        out.append(("Zero RSS growth over the soak (within page granularity: at most one 4 KiB page per process "
                    "between the end of the warm-up and the end)",
                    f"{parts} over {soak['soak_s'] - soak['warmup_s']:.0f} s after a {soak['warmup_s']:.0f} s "
                    f"warm-up; baseline {num((st['baseline']['rss_last'] - st['baseline']['rss_first']) / 1024)} KiB"
                    if "baseline" in st else parts,
                    verdict(ok, max(grew.values()) if grew else None), "soak"))
        stack = st.get("stack", {})
        smax = stack.get("rss_max")
        out.append((f"Whole stack (service + VictoriaMetrics + vmalert) < {user_mb(TARGET_STACK_BYTES)} RSS under load "
                    f"(budget {user_mb(BUDGET_BYTES)})",
                    f"{mb(med(stack.get('rss')))} median, {mb(smax)} peak "
                    f"({100 * smax / BUDGET_BYTES:.0f}% of the budget)" if smax else "n/a",
                    verdict(smax is not None and smax < TARGET_STACK_BYTES, smax), "stack"))
    else:
        out.append(("Zero RSS growth over the soak", "not measured in this run", "not measured", None))
        out.append((f"Whole stack < {user_mb(TARGET_STACK_BYTES)} RSS under load", "not measured in this run",
                    "not measured", None))
    return out


def ceiling_ratios(serve):
    """(req/s ratio, p99 ratio, ours, nginx) of /metrics against nginx
    serving the same page, 16 connections: the median of the paired rounds'
    ratios where the run has them (ours and nginx: summaries of the rounds),
    else the ratio of the serve runs' medians; None where not measured."""
    c = serve.get("ceiling")
    if c and c.get("rounds"):
        return med(c["rps_ratio"]), med(c["p99_ratio"]), c["ours"], c["nginx"]
    o, n = serve_row(serve, "ours", "/metrics", 16), serve_row(serve, "nginx", "/metrics", 16)
    if not o or not n:
        return None, None, o, n
    rr = med(o["rps"]) / med(n["rps"]) if med(n["rps"]) else None
    pr = med(o["p99_us"]) / med(n["p99_us"]) if med(n["p99_us"]) else None
    return rr, pr, o, n


def ceiling_spread(serve, key):
    """' (median of N paired rounds, min–max)' for a ceiling ratio, or ''."""
    c = serve.get("ceiling")
    if not c or not c.get("rounds") or not c[key].get("n"):
        return ""
    s = c[key]
    spread = f", {s['min']:.2f}–{s['max']:.2f}" if s["n"] > 1 else ""
    what = f"median of {s['n']} paired rounds" if s["n"] > 1 else "one paired round"
    return f"{what}{spread}; "


def ceiling_targets(serve):
    rr, pr, o, n = ceiling_ratios(serve)
    if not n:
        return [(f"`/metrics` req/s ≥ {TARGET_NGINX_RPS}x nginx's serving the same page (16 connections)",
                 "not measured in this run", "not measured", None),
                (f"`/metrics` p99 ≤ {TARGET_NGINX_P99}x nginx's (16 connections)", "not measured in this run",
                 "not measured", None)]
    return [(f"`/metrics` req/s ≥ {TARGET_NGINX_RPS}x nginx's serving the same page (16 connections)",
             f"{ratio(rr, 2)} ({ceiling_spread(serve, 'rps_ratio')}"
             f"{num(med(o['rps']))} vs nginx {num(med(n['rps']))} req/s)",
             verdict(rr is not None and rr >= TARGET_NGINX_RPS, rr), "ceiling_rps"),
            (f"`/metrics` p99 ≤ {TARGET_NGINX_P99}x nginx's (16 connections)",
             f"{ratio(pr, 2)} ({ceiling_spread(serve, 'p99_ratio')}"
             f"{ms(med(o['p99_us']))} vs nginx {ms(med(n['p99_us']))})",
             verdict(pr is not None and pr <= TARGET_NGINX_P99, pr), "ceiling_p99")]


FLEET_NAMES = {"ours": "sensor-service (exporter)", "node-exporter": "prometheus-node-exporter (textfile)",
               "nginx": "nginx (static file)"}


def fleet_target(fleet):
    text = "The fleet's scrape (TLS, basic auth, gzip, 1/s): ours the cheapest in CPU per scrape of the three"
    if not fleet:
        return (text, "not measured in this run", "not measured", None)
    cpu = {r["server"]: r["cpu_per_scrape_s"] for r in fleet["rows"]}
    if any(v is None for v in cpu.values()) or "ours" not in cpu:
        return (text, "no scrape answered by every server", "not measured", None)
    others = {k: v for k, v in cpu.items() if k != "ours"}
    cheapest = min(others.values()) if others else None
    return (text, ", ".join(f"{k} {us(v)}" for k, v in cpu.items()),
            verdict(cheapest is not None and cpu["ours"] < cheapest, cpu["ours"]), "fleet")


def fleet_section(w, ctx):
    f = ctx["d"]["fleet"]
    w("## The scrape a fleet makes\n")
    w(f"Each server answers one scrape a second for {f['seconds']:.0f} s over one keep-alive TLS connection, "
      f"with basic auth (a bcrypt hash of cost {f['bcrypt_cost']}, `{f['hash_prefix']}…`, the same in every "
      "server's user file) and `Accept-Encoding: gzip`, all three in the same run, each scraped by its own client "
      "thread (a third of a second apart, on the load CPU). The page is our `/metrics` page of the run's start "
      f"({num(f['page_bytes'])} bytes): sensor-service renders it from the segment at every scrape; "
      "prometheus-node-exporter reads it through its textfile collector (`--collector.disable-defaults "
      "--collector.textfile --web.disable-exporter-metrics`) with the same web config file, so that TLS, auth "
      f"and gzip are the difference; nginx serves it as a static file with `ssl`, `auth_basic` and gzip (level "
      f"{f['gzip_level']}, as ours). CPU per scrape: the serving process's CPU time over the scrapes (schedstat, "
      "ns) divided by them — the exporter for ours, the whole process for node-exporter, master and worker for "
      "nginx — with the first scrape (the TLS handshake) left out; latency: the client's, request to last byte, "
      "the body left compressed.\n")
    rows = []
    for r in f["rows"]:
        name = FLEET_NAMES.get(r["server"], r["server"])
        cpu = us(r["cpu_per_scrape_s"])
        if r["server"] == "ours" and f.get("ours_render_per_scrape_s") is not None:
            cpu += f" (rendering {us(f['ours_render_per_scrape_s'], 1)})"
        rows.append((name, cpu, ms(None if r["p50_s"] is None else r["p50_s"] * 1e6), ms(None if r["p99_s"] is None else r["p99_s"] * 1e6),
                     num(med(r["wire_bytes"])), ", ".join(r["encodings"]),
                     f"{r['scrapes']} ({', '.join(f'{k}: {v}' for k, v in sorted(r['statuses'].items()))})",
                     mb(((r.get("mem") or {}).get(r["server"] if r["server"] != "ours" else "exporter")
                         or {}).get("rss"), 1) if r["server"] != "nginx" else
                     mb(((r.get("mem") or {}).get("nginx-worker") or {}).get("rss"), 1)))
    w(table(["server", "CPU per scrape", "p50", "p99", "bytes on the wire", "encoding", "scrapes (status)",
             "RSS (serving process)"], rows))
    w("")
    w("Basic auth as measured: sensor-service verifies the bcrypt hash at every request (a cache of verified "
      "credentials is not in this build), nginx too (`crypt()` per request); node-exporter's exporter-toolkit "
      "caches a verified user and password, so it pays bcrypt once, not per scrape. At one scrape a second "
      "that bcrypt is most of ours' and nginx's CPU per scrape.\n")


def scale_row(scale, channels):
    """The scale run at `channels` with the other settings at their defaults."""
    for r in (scale or {}).get("rows", []):
        if "channels" in r["groups"] and r["channels"] == channels:
            return r
    return None


def scrape_cpu_targets(scale):
    out = []
    for ch, limit, key in ((3, TARGET_SCRAPE_US_DEFAULT, "scrape_cpu_3"), (1024, TARGET_SCRAPE_US_1024,
                                                                           "scrape_cpu_1024")):
        text = (f"CPU per scrape < {num(limit)} µs at {'the default 3' if ch == 3 else num(ch)} channels "
                "(the exporter's rendering of the page, one scraper)")
        r = scale_row(scale, ch)
        if not r or r.get("scrape_render_s") is None:
            out.append((text, "not measured in this run", "not measured", None))
            continue
        c = r["scrape_render_s"]
        whole = (f"; the whole request, parsing, write and wake-up included: {us(r['scrape_cpu_s'], 1)}"
                 if r.get("scrape_cpu_s") else "")
        out.append((text, f"{us(c, 1)} ({num(r.get('series'))} series, {num(r['page_bytes'])} bytes){whole}",
                    verdict(c * 1e6 < limit, c), key))
    return out


# The spike states beside plain "spike" (the service as it runs): shown,
# never judged. spike-normal: the step's thread moved from SCHED_IDLE to the
# normal policy at nice 0; spike-nice: runs of a build whose step shared the
# worker's one thread, reniced to 10.
CONTRAST_LABELS = {"spike-normal": "the step at normal priority (nice 0)", "spike-nice": "the worker at nice 10"}


def state_label(state):
    return "spike" if state in (None, "spike") else f"spike, {CONTRAST_LABELS.get(state, state)}"


def contrast_rows(spike):
    return [r for r in spike["summary"] if r["target"] == "ours" and r["load"] == "paced"
            and r.get("state") in CONTRAST_LABELS]


def nice_part(spike):
    rows = contrast_rows(spike)
    if not rows:
        return ""
    return (f"; ours with {CONTRAST_LABELS[rows[0]['state']]}: "
            + ", ".join(f"`{r['path']}` {ratio(r['p99_ratio'], 2)}" for r in rows))


def verdict(ok, value):
    if value is None:
        return "not measured"
    return "**met**" if ok else "**missed**"


# ---------------------------------------------------------------- plots

def plot_memory(plt, save, d):
    """memory.png: RSS and PSS per process, idle and under load."""
    serve = d.get("serve")
    soak = d.get("soak")
    labels, rss_i, pss_i, rss_l, pss_l = [], [], [], [], []
    for lab, name in (("supervisor", "supervisor"), ("worker", "worker"), ("exporter", "exporter"),
                      ("ours", "ours: sum of 3"), ("baseline", "baseline (Python)"),
                      ("node-exporter", "node-exporter")):
        if lab in serve["idle"]:
            labels.append(name)
            rss_i.append((med(serve["idle"][lab]["rss"]) or 0) / MIB)
            pss_i.append((med(serve["idle"][lab]["pss"]) or 0) / MIB)
            ld = serve["load"].get(lab, {})
            rss_l.append((med(ld.get("rss")) or 0) / MIB)
            pss_l.append((med(ld.get("pss")) or 0) / MIB)
    if soak:
        for lab in ("victoria-metrics", "vmalert"):
            if lab in soak["stats"]:
                labels.append(lab + " (soak)")
                rss_i.append(0)
                pss_i.append(0)
                rss_l.append(med(soak["stats"][lab]["rss"]) / MIB)
                pss_l.append(med(soak["stats"][lab]["pss"]) / MIB)
    fig, ax = plt.subplots(figsize=(9, 4.2))
    y = range(len(labels))
    h = 0.2
    ax.barh([i - 1.5 * h for i in y], rss_i, h, label="RSS idle", color="#9ecae1")
    ax.barh([i - 0.5 * h for i in y], pss_i, h, label="PSS idle", color="#3182bd")
    ax.barh([i + 0.5 * h for i in y], rss_l, h, label="RSS under load", color="#fdae6b")
    ax.barh([i + 1.5 * h for i in y], pss_l, h, label="PSS under load", color="#e6550d")
    ax.set_yticks(list(y))
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlabel("MiB")
    ax.axvline(TARGET_PSS_BYTES / MIB, color="k", ls=":", lw=1)
    ax.text(TARGET_PSS_BYTES / MIB, -0.6, f" {user_mb(TARGET_PSS_BYTES)} target (service PSS)", fontsize=8)
    ax.set_title("Memory per process (median of runs)")
    ax.legend(loc="lower right", fontsize=8)
    save(fig, "memory.png")


def plot_throughput(plt, save, d):
    """throughput.png: req/s and p99 against connections."""
    serve = d.get("serve")
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    styles = {("ours", "/metrics"): ("C0", "-o"), ("ours", "/"): ("C0", "--s"),
              ("baseline", "/metrics"): ("C3", "-o"), ("baseline", "/"): ("C3", "--s")}
    for (target, path), (col, st) in styles.items():
        rows = sorted((r for r in serve["summary"] if r["target"] == target and r["path"] == path),
                      key=lambda r: r["conns"])
        if not rows:
            continue
        xs = [r["conns"] for r in rows]
        a1.plot(xs, [med(r["rps"]) for r in rows], st, color=col, label=f"{target} {path}")
        a2.plot(xs, [med(r["p99_us"]) / 1000 for r in rows], st, color=col, label=f"{target} {path}")
    ne = serve_row(serve, "node-exporter", "/metrics", 16)
    if ne:
        a1.plot([16], [med(ne["rps"])], "^", color="C2", label="node-exporter /metrics")
        a2.plot([16], [med(ne["p99_us"]) / 1000], "^", color="C2", label="node-exporter /metrics")
    for a, t, yl in ((a1, "Throughput", "requests/s"), (a2, "p99 latency", "ms")):
        a.set_xscale("log", base=2)
        a.set_yscale("log")
        a.set_xlabel("connections (wrk -t1)")
        a.set_ylabel(yl)
        a.set_title(t)
        a.grid(True, which="both", alpha=0.3)
    a2.axhline(TARGET_P99_MS, color="k", ls=":", lw=1)
    a1.legend(fontsize=7)
    save(fig, "throughput.png")


def plot_spike(plt, save, d):
    """spike.png: p99 during the CPU spike against idle."""
    spike = d.get("spike")
    rows = spike["summary"]
    fig, ax = plt.subplots(figsize=(9, 3.8))
    short = {"spike-normal": ", step nice 0", "spike-nice": ", nice 10"}
    names = [f"{r['target']} {r['path']}\n{r['load']}" + short.get(r.get("state"), "") for r in rows]
    x = range(len(rows))
    ax.bar([i - 0.2 for i in x], [med(r["idle_p99_us"]) / 1000 for r in rows], 0.4, label="idle",
           color="#3182bd")
    ax.bar([i + 0.2 for i in x], [med(r["spike_p99_us"]) / 1000 for r in rows], 0.4, label="worker in spike",
           color="#e6550d")
    for i, r in zip(x, rows):
        if r["p99_ratio"]:
            ax.text(i, max(med(r["idle_p99_us"]), med(r["spike_p99_us"])) / 1000, f"{r['p99_ratio']:.2f}x",
                    ha="center", va="bottom", fontsize=8)
    ax.set_xticks(list(x))
    ax.set_xticklabels(names, fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("p99 latency, ms")
    ax.set_title("Spike isolation: p99 while the CPU-heavy step runs, against idle")
    ax.legend(fontsize=8)
    save(fig, "spike.png")


def plot_soak(plt, save, d):
    """soak.png: RSS over the soak."""
    soak = d.get("soak")
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
    for lab, col in (("supervisor", "C0"), ("worker", "C1"), ("exporter", "C2"), ("ours", "k")):
        pts = soak["series"].get(lab, [])
        if pts:
            a1.plot([p[0] for p in pts], [p[1] / MIB for p in pts], color=col,
                    label=("sum of 3" if lab == "ours" else lab) + " RSS")
            a1.plot([p[0] for p in pts], [p[2] / MIB for p in pts], color=col, ls=":", lw=1)
    for lab, col in (("baseline", "C3"), ("victoria-metrics", "C4"), ("vmalert", "C5"), ("ours", "k"),
                     ("original", "C1"), ("prometheus", "C6")):
        pts = soak["series"].get(lab, [])
        if pts:
            a2.plot([p[0] for p in pts], [p[1] / MIB for p in pts], color=col,
                    label=("sensor-service (sum)" if lab == "ours" else lab) + " RSS")
    for a in (a1, a2):
        a.axvline(soak["warmup_s"], color="grey", ls="--", lw=1)
        a.set_xlabel("seconds")
        a.set_ylabel("MiB")
        a.grid(True, alpha=0.3)
        a.legend(fontsize=7, loc="center right")
        a.set_ylim(bottom=0)
    a1.set_title("sensor-service processes (solid RSS, dotted PSS)")
    a2.set_title("baseline, VictoriaMetrics, vmalert; original, Prometheus")
    save(fig, "soak.png")


def plot_scale(plt, save, d):
    """scale.png: memory and CPU as channels, rate and ring grow."""
    serve = d.get("serve")
    scale = d.get("scale")
    groups = [("channels", "channels", True), ("sample_interval_ms", "sampling interval, ms", True),
              ("ring_capacity", "ring capacity", True)]
    fig, axes = plt.subplots(2, 4, figsize=(14, 6))
    for col, (g, xl, logx) in enumerate(groups):
        rows = sorted((r for r in scale["rows"] if g in r["groups"]), key=lambda r: r[g])
        if not rows:
            continue
        xs = [r[g] for r in rows]
        a = axes[0][col]
        a.plot(xs, [r["mem"]["ours"]["pss"] / MIB for r in rows], "-o", label="PSS, sum of 3")
        a.plot(xs, [r["mem"]["ours"]["rss"] / MIB for r in rows], "-s", label="RSS, sum of 3")
        a.plot(xs, [r["segment_bytes"] / MIB for r in rows], ":^", label="segment size (bound)")
        a.set_title(f"memory vs {xl.split(',')[0]}")
        a.set_ylabel("MiB")
        b = axes[1][col]
        b.plot(xs, [(r["cpu_per_reading_s"] or 0) * 1e6 for r in rows], "-o", color="C3")
        b.set_title(f"worker CPU/reading vs {xl.split(',')[0]}")
        b.set_ylabel("µs CPU / reading")
        b.set_xlabel(xl)
        for ax in (a, b):
            if logx:
                ax.set_xscale("log")
            ax.grid(True, alpha=0.3)
        if col == 0:
            a.legend(fontsize=7)
    if serve:
        rows = sorted((r for r in serve["summary"] if r["target"] == "ours" and r["path"] == "/metrics"),
                      key=lambda r: r["conns"])
        xs = [r["conns"] for r in rows]
        a, b = axes[0][3], axes[1][3]
        a.plot(xs, [(med(r["exporter_rss_peak"]) or 0) / MIB for r in rows], "-o")
        a.set_title("exporter RSS vs scrapers")
        a.set_ylabel("MiB")
        b.plot(xs, [med(r["cpu_per_req_s"]) * 1e6 for r in rows], "-o", color="C3")
        b.set_title("exporter CPU/scrape vs scrapers")
        b.set_ylabel("µs CPU / request")
        b.set_xlabel("concurrent connections")
        for ax in (a, b):
            ax.set_xscale("log", base=2)
            ax.grid(True, alpha=0.3)
    for ax in axes.flat:
        ax.set_ylim(bottom=0)
    save(fig, "scale.png")


def plots(d, out):
    """Write the PNGs; returns {name: filename} of those written."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return {}
    made = {}
    plt.rcParams.update({"font.size": 9, "figure.dpi": 100})

    def save(fig, name):
        fig.tight_layout()
        fig.savefig(os.path.join(out, name))
        plt.close(fig)
        made[name.split(".")[0]] = name

    serve, spike, soak, scale = d.get("serve"), d.get("spike"), d.get("soak"), d.get("scale")
    if serve:
        plot_memory(plt, save, d)
        plot_throughput(plt, save, d)
    if spike and spike.get("summary"):
        plot_spike(plt, save, d)
    if soak and soak.get("series"):
        plot_soak(plt, save, d)
    if scale and scale.get("rows"):
        plot_scale(plt, save, d)
    return made



# ---------------------------------------------------------------- report

def explanations(d, targets):
    """One honest sentence or two per missed target, from the data."""
    m = d.get("machine", {})
    serve, spike, soak = d.get("serve"), d.get("spike"), d.get("soak")
    out = []
    for text, measured, v, key in targets:
        if v != "**missed**":
            continue
        if key == "pss" and serve:
            parts = {p: med(serve["load"].get(p, {}).get("pss")) for p in ("supervisor", "worker", "exporter")}
            big = max(parts, key=lambda p: parts[p] or 0)
            out.append(f"*Service PSS* ({measured}) is over {user_mb(TARGET_PSS_BYTES)}; the largest share is the "
                       f"{big}'s "
                       f"({mb(parts[big], 2)}). PSS counts each process's private pages plus its share of "
                       "the libraries (libc, glib, libevent) and of the segment; glib alone is about 1 MB of RSS "
                       "per process on this machine (FIELD_NOTES).")
        elif key == "pss_ratio":
            out.append(f"*PSS against the baseline* ({measured}) is under 5x.")
        elif key == "rps" and serve:
            out.append(f"*Throughput ratio* ({measured}) is under 20x. wrk, the exporter and everything else on "
                       f"the machine share {m.get('cores', '?')} cores; the load average was "
                       f"{m.get('loadavg_start', ['?'])[0]} at the start of the run.")
        elif key == "p99" and serve:
            o = serve_row(serve, "ours", "/metrics", 16)
            out.append(f"*p99 at 16 connections* ({measured}) is over 2 ms. At 16 connections the single-threaded "
                       f"exporter serves requests one after another (median {ms(med(o['p50_us']))}), so the tail "
                       "is queueing behind the other 15 plus any time wrk or another process holds the core"
                       + (f"; other processes used {med(o['foreign_cores']):.2f} of the {m.get('cores', '?')} cores "
                          "during these runs" if med(o.get("foreign_cores")) is not None else "")
                       + ". FIELD_NOTES measured 0.68 ms for a bare evhttp server on a quiet machine of this kind.")
        elif key in ("ceiling_rps", "ceiling_p99") and serve:
            if key == "ceiling_p99" and any(k == "ceiling_rps" and vv == "**missed**"
                                            for _, _, vv, k in targets):
                continue  # one explanation for both
            rr, pr, o, n = ceiling_ratios(serve)
            out.append(f"*Against nginx* ({ratio(rr, 2)} of its req/s, {ratio(pr, 2)} its p99): nginx sends the same "
                       "bytes from a file it has in the page cache; our exporter renders the page at every request "
                       f"(median {ms(med(o['p50_us']))} "
                       f"against nginx's {ms(med(n['p50_us']))} at 16 connections). The CPU per scrape "
                       "is the lever (see *Cost of one scrape*).")
        elif key in ("scrape_cpu_3", "scrape_cpu_1024") and d.get("scale"):
            if key == "scrape_cpu_1024" and any(k == "scrape_cpu_3" and vv == "**missed**"
                                                for _, _, vv, k in targets):
                continue  # one explanation for both
            measured = " and ".join(mv for _, mv, vv, k in targets
                                    if k in ("scrape_cpu_3", "scrape_cpu_1024") and vv == "**missed**")
            floor = ""
            n1, n16 = (serve_row(serve, "nginx", "/metrics", c) if serve else None for c in (1, 16))
            o16 = serve_row(serve, "ours", "/metrics", 16) if serve else None
            if n1 and med(n1["cpu_per_req_s"]):
                floor = (f" In the same run nginx, sending the same bytes from a file, used "
                         f"{us(med(n1['cpu_per_req_s']))} per request on one connection")
                if n16 and o16 and med(n16["cpu_per_req_s"]):
                    floor += (f" and {us(med(n16['cpu_per_req_s']))} on 16 (ours "
                              f"{us(med(o16['cpu_per_req_s']))})")
                floor += (": on one connection every request wakes the server from its wait, and that wake-up, "
                          "not the page, is most of the figure on this machine.")
            out.append(f"*CPU per scrape* ({measured}): the rendering of the page alone, timed by the exporter, "
                       f"is over its bound; see the per-series fit under *Cost of one scrape*.{floor}")
        elif key == "spike" and spike:
            worst = max((r for r in spike["summary"] if r["target"] == "ours" and r["load"] == "paced"
                         and r.get("state", "spike") == "spike"), key=lambda r: r["p99_ratio"] or 0)
            nice = contrast_rows(spike)
            out.append(f"*Spike isolation* misses on `{worst['path']}` ({ratio(worst['p99_ratio'], 2)}: "
                       f"{ms(med(worst['idle_p99_us']))} idle, {ms(med(worst['spike_p99_us']))} in the spike). "
                       f"The exporter shares nothing with the worker but the CPU: on {m.get('cores', '?')} "
                       "cores the spinning worker takes one, so the exporter, wrk and every other process of "
                       "the machine share the other, and the tail shows the scheduler's waits (the medians, "
                       f"{ms(med(worst['idle_p50_us']))} and {ms(med(worst['spike_p50_us']))}, do not move). "
                       + nice_text(worst, nice)
                       + (f"Other processes used {med(worst['idle_foreign_cores']):.2f} cores during the idle runs "
                          f"and {med(worst['spike_foreign_cores']):.2f} during the spike runs. "
                          if med(worst.get("idle_foreign_cores")) is not None else "")
                       + "The baseline's ratio shows what sharing one interpreter costs instead.")
        elif key == "soak" and soak:
            st = soak["stats"]
            grown = [p for p in ("supervisor", "worker", "exporter")
                     if p in st and st[p]["rss_last"] - st[p]["rss_first"] > PAGE]
            desc = "; ".join(f"{p}: RSS {num(st[p]['rss_first'] / 1024)} KiB after warm-up, "
                             f"{num(st[p]['rss_last'] / 1024)} KiB at the end" for p in grown)
            out.append(f"*Soak growth*: {desc}. Pages touched for the first time late in the run (a larger "
                       "buffer for the largest page or burst so far, the heap's or the ring's last untouched "
                       "pages) grow RSS without a leak; only a longer soak (`BENCH_SOAK_S=1800`) tells growth "
                       "that levels off from one that does not." + long_soak_verdict(d.get("soak_long"), grown))
        elif key == "fleet" and d.get("fleet"):
            out.append(f"*The fleet's scrape* ({measured}): our basic auth verifies the bcrypt hash at every "
                       "request, and bcrypt at this cost is milliseconds of CPU; node-exporter keeps a verified "
                       "user and password. A cache of verified credentials is the lever.")
        elif key == "stack" and soak:
            st = soak["stats"]
            parts = {p: st.get(p, {}).get("rss_max") for p in ("ours", "victoria-metrics", "vmalert")}
            big = max(parts, key=lambda p: parts[p] or 0)
            out.append(f"*Stack total* ({measured}) is over {user_mb(TARGET_STACK_BYTES)}; the largest part is {big} "
                       f"({mb(parts[big])}).")
    return out


def long_soak_verdict(soak_long, procs):
    """What the long soak with the stack's own flags (soak-long.json) says
    of these processes' RSS after its warm-up: the range it stayed in, and
    whether its highest came in the first third (levels off) or later."""
    long = (soak_long or {}).get("soak-long.json")
    if not long or not procs:
        return ""
    parts = []
    for p in procs:
        pts = [x for x in long["series"].get(p, []) if x[0] >= long["warmup_s"]]
        if len(pts) < 6:
            continue
        third = pts[0][0] + (pts[-1][0] - pts[0][0]) / 3
        first_max = max(x[1] for x in pts if x[0] <= third)
        top = max(x[1] for x in pts)
        how = ("its highest reached within the first third: it levels off" if top - first_max <= PAGE else
               f"{num((top - first_max) / 1024)} KiB above the first third's highest by the end: still growing")
        parts.append(f"the {p}'s RSS stayed between {num(min(x[1] for x in pts) / 1024)} and {num(top / 1024)} KiB "
                     f"over {(pts[-1][0] - pts[0][0]) / 60:.0f} minutes after its warm-up, {how}")
    if not parts:
        return ""
    return (" In the long soak (`make bench-soak-long`, soak-long.json: the same load, a run of its own), "
            + "; ".join(parts) + ".")


def joined(soak, labels, since=None):
    """[(t, RSS summed over labels)] of the soak's samples in which every
    label was measured, from `since` seconds on (default: after warm-up)."""
    since = soak["warmup_s"] if since is None else since
    by = [{p[0]: p[1] for p in soak["series"].get(lab, [])} for lab in labels]
    ts = sorted(set(by[0]).intersection(*by[1:])) if by else []
    return [(t, sum(b[t] for b in by)) for t in ts if t >= since]


def median_peak(soak, labels):
    """'median (peak)' of the summed RSS of labels over the soak, and the peak."""
    pts = joined(soak, labels)
    if not pts:
        return "not measured", None
    v = sorted(x for _, x in pts)
    return f"{mb(v[len(v) // 2])} (peak {mb(v[-1])})", v[-1]


def prom_version(text):
    """'2.42.0+ds' from `prometheus --version`'s first line."""
    parts = (text or "").split()
    return parts[parts.index("version") + 1] if "version" in parts[:-1] else ""


def vmalert_text(soak):
    """What vmalert evaluated in the soak, as the soak recorded it."""
    va = soak.get("vmalert")
    if not va:
        return "a rule group"
    rules = va["rules"]
    return (f"`{va['rules_file']}` ({rules['alerting']} alerting and {rules['recording']} recording rules) "
            f"every {va['interval']}")


def before_after_section(w, ctx):
    """The seed's own table, component by component, every figure measured:
    the original design behind Prometheus against sensor-service behind
    VictoriaMetrics and vmalert."""
    d = ctx["d"]
    soak, serve = d.get("soak"), d.get("serve")
    w("## Before and after\n")
    if not soak or "original" not in soak.get("stats", {}):
        w("Not measured in this run (the soak stage, with the original design and Prometheus, did not run).\n")
        return
    st = soak["stats"]
    mins = (soak["soak_s"] - soak["warmup_s"]) / 60
    w("The shape of the seed document's table (component, before, after), with figures measured in this run. "
      "*Before* is the service as the seed found it, rebuilt in Python (`bench/baseline/sensor_baseline.py "
      "--original`: every reading kept in a list nothing trims, a 2,000,000-iteration loop and a 5-15 MiB scratch "
      "buffer in every `/metrics` request, an access log line per request) behind Debian's Prometheus "
      f"{prom_version(soak.get('prometheus_version'))} with a configuration like the package's own (15 s "
      "scrapes and evaluation, itself every 5 s). *After* is sensor-service behind VictoriaMetrics and vmalert "
      "with the stack's flags. Both stacks ran side by side in the soak "
      f"({soak['soak_s']:.0f} s, the same paced load on each service: {soak['pace']['conns']} "
      f"connections x {1000 // soak['pace']['delay_ms']} req/s alternating `/metrics` and `/`, 3 channels "
      "sampled every 10 ms); memory is RSS from `/proc/PID/smaps_rollup`, the median over the samples after a "
      f"{soak['warmup_s']:.0f} s warm-up, and the peak.\n")
    ob = st["original"]
    orig_slope = ob["rss_slope_bytes_per_min"]
    ours_slope = st.get("ours", {}).get("rss_slope_bytes_per_min")
    before_total, _ = median_peak(soak, ["original", "prometheus"])
    after_total, after_peak = median_peak(soak, ["ours", "victoria-metrics", "vmalert"])
    rows = [
        ("Sensor service", median_peak(soak, ["original"])[0], median_peak(soak, ["ours"])[0]
         + (f"; PSS {mb(med(st['ours']['pss']))}" if "ours" in st else ""),
         "one Python process; the sum of sensor-service's three processes (RSS counts shared pages in each)"),
        ("Monitoring backend", median_peak(soak, ["prometheus"])[0],
         median_peak(soak, ["victoria-metrics", "vmalert"])[0],
         "Prometheus scraping the original every 15 s; VictoriaMetrics scraping ours every 1 s and vmalert "
         f"evaluating {vmalert_text(soak)}"),
        ("Grafana (optional)", "not measured: Grafana is not packaged in Debian 12",
         "none: the exporter's `/dashboard` page charts from VictoriaMetrics (counted in the service)", ""),
        ("**Total**", before_total, after_total
         + (f", {100 * after_peak / BUDGET_BYTES:.0f}% of the {user_mb(BUDGET_BYTES)} budget" if after_peak else ""),
         "the processes above summed sample by sample"),
        ("Service memory growth", f"{orig_slope / MIB:+.2f} MiB/min" if orig_slope is not None else "n/a",
         f"{ours_slope / MIB:+.4f} MiB/min" if ours_slope is not None else "n/a",
         f"least-squares slope of RSS over the {mins:.1f} minutes after warm-up (the original: "
         f"{num(soak['evidence'].get('original_readings_kept'))} readings held at the end)"),
    ]
    if serve:
        o16, b16 = serve_row(serve, "ours", "/metrics", 16), serve_row(serve, "original", "/metrics", 16)
        o1, b1 = serve_row(serve, "ours", "/metrics", 1), serve_row(serve, "original", "/metrics", 1)
        if o16 and b16:
            rows.append(("`/metrics` at 16 connections", f"{num(med(b16['rps']))} req/s, p99 {ms(med(b16['p99_us']))}",
                         f"{num(med(o16['rps']))} req/s, p99 {ms(med(o16['p99_us']))}",
                         "wrk, median of the runs (*Throughput and latency*)"))
        if o1 and b1:
            rows.append(("CPU per `/metrics`", us(med(b1["cpu_per_req_s"])), us(med(o1["cpu_per_req_s"])),
                         "the serving process's CPU over a wrk run on one connection, per request "
                         "(*Cost of one scrape*)"))
    w(table(["component", "before: the original design", "after: sensor-service", "how measured"], rows))
    w("")


def header_section(w, ctx):
    """The title, how the report was made, the targets and what missed them."""
    d = ctx["d"]
    out = ctx["out"]
    m = d.get("machine", {})
    targets = ctx["targets"]
    w("# Performance report\n")
    w("Generated by `make bench` (scripts/bench.sh → bench/bench.py → bench/report.py) from "
      f"`{os.path.relpath(out, ROOT) if out.startswith(ROOT) else out}/*.json`. Every figure below is measured "
      "in the same run, on the machine described under *Machine* (the sections measured by runs of their own say "
      "so); the \"before\" is the original Python design (bench/baseline/sensor_baseline.py), run beside "
      "sensor-service, never a number copied from elsewhere. "
      f"Re-run with `make bench` (this run took {m.get('duration_s', 0) / 60:.0f} minutes; with the default "
      "60-second soak it takes under 15); `BENCH_SOAK_S=1800 make bench` for the 30-minute soak.\n")
    if m.get("knobs", {}).get("BENCH_QUICK"):
        skipped = [st for st in ("serve", "spike", "soak", "scale", "gzip", "fleet") if st not in m.get("stages", [])]
        w("> **Quick mode (BENCH_QUICK=1)**: one short run per figure, for the smoke test only. "
          "These numbers are not a measurement."
          + (f" Skipped in quick mode: {', '.join(skipped)}." if skipped else "") + "\n")
    before_after_section(w, ctx)

    w("## Targets\n")
    w(table(["target", "measured", "verdict"], [(t, mv, v) for t, mv, v, _ in targets]))
    w("")
    missed = explanations(d, targets)
    w("### What misses its target, and why\n")
    if missed:
        w(" ".join(missed) + "\n")
    else:
        w("Every target that was measured in this run is met. ")
    w(noise_note(d) + "\n")
    fs = findings(d)
    if fs:
        w("### Other findings of this run\n")
        for f in fs:
            w(f"- {f}")
        w("")


def machine_section(w, ctx):
    """The machine and the versions measured."""
    d = ctx["d"]
    m = d.get("machine", {})
    w("## Machine\n")
    v = m.get("versions", {})
    w(table(["", ""], [
        ("CPU", f"{m.get('cpu', '?')}, {m.get('cores', '?')} cores"),
        ("memory", mb(m.get("mem_total_bytes"), 0)),
        ("OS, kernel", f"{m.get('os', '?')}, Linux {m.get('kernel', '?')}"),
        ("memory cgroup", "v1 (/sys/fs/cgroup/memory)" if m.get("cgroup_v1_memory") else "v2 or none"),
        ("load average (1 min) at start / end", f"{m.get('loadavg_start', ['?'])[0]} / "
                                                f"{m.get('loadavg_end', ['?'])[0]}"),
        ("sensor-service", f"{v.get('sensor-service', '?')} (`{m.get('binary', '?')}`), tree at git {m.get('git', '?')}, "
                           f"gcc {v.get('gcc', '?')} -O2, "
                           f"libevent {v.get('libevent', '?')}, glib {v.get('glib', '?')}"),
        ("baseline", f"Debian python3 {v.get('python3', '?')}, python3-flask {v.get('python3-flask', '?')}, "
                     f"python3-prometheus-client {v.get('python3-prometheus-client', '?')}, "
                     f"python3-psutil {v.get('python3-psutil', '?')}"),
        ("others", f"wrk {v.get('wrk', '?')}, victoria-metrics {v.get('victoria-metrics', '?')}, "
                   f"prometheus-node-exporter {v.get('prometheus-node-exporter', '?')}"
                   + (f", nginx-light {v['nginx-light']}" if v.get("nginx-light") else "")
                   + (f", prometheus {v['prometheus']}" if v.get("prometheus") else "")),
        ("bench duration", f"{m.get('duration_s', 0):.0f} s (" + ", ".join(
            f"{k} {s:.0f} s" for k, s in m.get("stage_s", {}).items()) + ")"),
        ("knobs", ", ".join(f"{k}={val}" for k, val in m.get("knobs", {}).items())),
    ]))
    w("")


def method_section(w, ctx):
    """How each figure is measured."""
    d = ctx["d"]
    spike = d.get("spike")
    soak = d.get("soak")
    scale = d.get("scale")
    w("## Method\n")
    w("- Everything runs on loopback, on free ports, with private shared-memory names; the bench starts every "
      "process itself and stops it by pid. sensor-service is a copy of `build/sensor-service` (built with the "
      "Makefile's flags), run with its built-in defaults unless a section says otherwise (3 channels, 100 ms "
      "sampling, 2 s processing, a 4096-reading ring, a 512-reading window). The baseline runs with the same "
      "defaults.")
    w("- **Memory**: `Rss` and `Pss` from `/proc/PID/smaps_rollup`. RSS counts every resident page a process "
      "maps, so the three processes' RSS double-counts the shared libraries and the shared segment; PSS splits "
      "each shared page between the processes that map it, so the PSS sum is what the service costs the machine. "
      "PSS depends on what else runs: libc pages shared with every other process on the machine count little. "
      "So the report also gives *each page counted once*: the distinct physical pages resident in any of the three "
      "processes (frame numbers from `/proc/PID/pagemap`), libraries included — what the service would occupy on "
      "a device where nothing else maps its libraries. "
      "*Idle*: samples one second apart after a warm-up. *Under load*: the peak sampled every 0.5 s during each "
      "`/metrics` run at 16 connections, median over the runs.")
    w("- **Throughput and latency**: `wrk -t1 -cN -dS --timeout 10s` with `bench/wrk/stats.lua`, which prints "
      "requests, errors and the p50/p99/p99.9 of wrk's latency histogram. One wrk thread leaves the other core to "
      "the server. Runs alternate between ours and the baseline so that noise hits both. Figures are the median "
      "of the runs with (min–max).")
    pin = ctx["d"].get("machine", {}).get("pin")
    if pin:
        w(f"- **Pinned CPUs**: wrk (and every client the bench runs for load) is pinned to CPU {pin['load_cpu']} "
          f"and every server measured (sensor-service's three processes, nginx, the baseline, the original, "
          f"prometheus-node-exporter) to CPU {pin['server_cpu']}, with `taskset -c` (BENCH_PIN). Unpinned, "
          "where the scheduler happens to put a client and a server moves a ratio between two servers by more "
          "than a change to either does. VictoriaMetrics, vmalert and Prometheus (the soak's stores, not "
          "measured for speed) are left to the scheduler.")
    elif "pin" in ctx["d"].get("machine", {}):
        w("- **CPUs not pinned** (BENCH_PIN=off, or fewer than two CPUs): ratios between servers depend on "
          "where the scheduler put each client and server.")
    w("- **CPU per request**: the serving process's CPU time (user+sys) before and after each wrk run divided by "
      "the requests served, from `/proc/PID/task/*/schedstat` (nanoseconds; `/proc/PID/stat`'s 10 ms "
      "ticks agree and are in the JSON). For the baseline the sampling/processing thread's own CPU is subtracted, "
      "so both figures are the cost of answering.")
    serve = d.get("serve")
    if serve and serve.get("nginx_page_bytes"):
        w("- **The ceiling**: Debian's nginx-light serves a static copy of our `/metrics` page, saved from the "
          "running service at the start of the serve stage (the same bytes), from a private configuration in a "
          f"temporary directory (`nginx {' '.join(f for f in serve.get('nginx_flags', []) if f.startswith('-'))}`"
          " with one worker, `daemon off`, `access_log off`, `keepalive_requests 1000000`), on a free loopback "
          "port; its runs take their turn with ours, the baseline's and the original's at every connection "
          "count. "
          + (f"The ratios of the targets come from {num(len(serve['ceiling']['rounds']))} further rounds in "
             "which ours and nginx alone take turns on `/metrics` at 16 connections (a run each, which of the "
             "two goes first alternating): each round's ratio of ours over nginx's, and their median. One run's "
             "p99 is its few hundred slowest requests, and on a shared machine it moves by half between runs of "
             "the same server; a pair run seconds apart sees the same machine."
             if (serve.get("ceiling") or {}).get("rounds") else
             "The ratios of the targets are ours over nginx's at 16 connections."))
    w("- **The original design** (`--original`) runs in the same turns, `/metrics` only, and in the soak beside "
      "Debian's Prometheus, whose configuration follows the package's /etc/prometheus/prometheus.yml: 15 s "
      "scrape and evaluation intervals, Prometheus scraping itself every 5 s, the original as the other job; data "
      "in a temporary directory, a free port.")
    if spike:
        w(f"- **Spike isolation**: p99 under a paced load ({spike['pace']['conns']} connections, each waiting "
          f"{spike['pace']['delay_ms']} ms before every request, at most "
          f"{spike['pace']['conns'] * 1000 // spike['pace']['delay_ms']} req/s, well under either server's "
          "capacity), with the worker idle and inside a multi-second CPU spike. The paced load is the verdict: "
          "it asks whether the spike delays answers. A closed loop at 16 connections is shown for ours too; it "
          "saturates the machine, so on 2 cores it measures how the spinning worker, wrk and the exporter "
          "share the CPU rather than isolation. " + spike_method(spike))
    if soak:
        w(f"- **Soak**: {soak['soak_s']:.0f} s; "
          + ("sensor-service, the baseline and the original" if "original" in soak.get("stats", {})
             else "sensor-service and the baseline")
          + " all sample 3 channels every "
          f"10 ms (so the 4096-reading ring wraps within the warm-up and every page of the segment has been "
          f"touched), under a steady paced load on `/metrics` and `/` ({soak['pace']['conns']} connections x "
          f"{1000 // soak['pace']['delay_ms']} req/s each). VictoriaMetrics scrapes sensor-service every second "
          f"(`{' '.join(f for f in soak['vm_flags'] if 'Path' not in f and 'config' not in f)}`) and vmalert "
          f"evaluates {vmalert_text(soak)} against it. RSS and PSS of every process every "
          f"{soak['interval_s']:g} s; the slope is a least-squares fit after a {soak['warmup_s']:.0f} s warm-up. "
          f"Evidence that the stack was working: VictoriaMetrics scrapes {num(soak['evidence'].get('vm_scrapes'))} "
          f"({num(soak['evidence'].get('vm_scrapes_failed'))} failed), "
          f"rows inserted {num(soak['evidence'].get('vm_rows_inserted'))}, vmalert iterations "
          f"{num(soak['evidence'].get('vmalert_iterations'))}"
          + (f"; Prometheus scraped the original {num(soak['evidence']['prometheus_scrapes'])} times "
             f"({num(soak['evidence'].get('prometheus_scrapes_ok'))} answered), "
             f"{num(soak['evidence'].get('prometheus_samples_appended'))} samples appended"
             if soak["evidence"].get("prometheus_scrapes") is not None else "") + ".")
    if scale:
        w(f"- **Scale**: one instance per configuration, changing one setting from the defaults at a time; after "
          f"{scale['warm_s']:g} s, worker CPU (schedstat) and `sensor_readings_total` over {scale['measure_s']:g} s "
          "give the CPU per reading; memory is sampled at the end, then one scraper measures the cost of a "
          "`/metrics` at that size (CPU per scrape, and per series: the sample lines of the page). The segment "
          "size is the configured upper bound of the shared memory.")
    w("")


def memory_section(w, ctx):
    """RSS and PSS per process, idle and under load; the arm64 board beside them."""
    d = ctx["d"]
    made = ctx["made"]
    rel = ctx["rel"]
    serve = d.get("serve")
    soak = d.get("soak")
    w("## Memory\n")
    rows = []
    for lab, name in (("supervisor", "supervisor"), ("worker", "worker"), ("exporter", "exporter"),
                      ("ours", "**sensor-service, sum of 3**"),
                      ("ours_unique", "sensor-service, each resident page of the 3 counted once"),
                      ("baseline", "**baseline** (Flask, one process)"),
                      ("original", "original design (it grows: see *Soak*)"),
                      ("node-exporter", "prometheus-node-exporter (reference)")):
        if lab not in serve["idle"]:
            continue
        i, ld = serve["idle"][lab], serve["load"].get(lab, {})
        f2 = (lambda b: mb(b, 2))
        rows.append((name, rng(i["rss"], f2), rng(i["pss"], f2), rng(ld.get("rss"), f2),
                     rng(ld.get("pss"), f2)))
    if soak:
        for lab in ("victoria-metrics", "vmalert"):
            if lab in soak["stats"]:
                s = soak["stats"][lab]
                rows.append((f"{lab} (during the soak)", "", "", rng(s["rss"], lambda b: mb(b, 1)),
                             rng(s["pss"], lambda b: mb(b, 1))))
    w(table(["process", "RSS idle", "PSS idle", "RSS under load", "PSS under load"], rows))
    bl = serve["idle"].get("baseline", {})
    o = serve["idle"].get("ours", {})
    if med(bl.get("rss")) and med(o.get("pss")) and med(o.get("rss")):
        w(f"\nIdle, the baseline's RSS is {ratio(med(bl['rss']) / med(o['pss']))} the service's PSS sum and "
          f"{ratio(med(bl['rss']) / med(o['rss']))} its RSS sum. The shared segment is "
          f"{mb(serve.get('segment_bytes'), 2)} with the default ring.\n")
    if "memory" in made:
        w(f"![memory per process]({rel}/{made['memory']})\n")
    board = board_section(d.get("board"))
    if board:
        w(board)


def throughput_section(w, ctx):
    """req/s and latency at each connection count, ours beside the baseline."""
    d = ctx["d"]
    made = ctx["made"]
    rel = ctx["rel"]
    serve = d.get("serve")
    w("## Throughput and latency\n")
    rows = []
    names = {"nginx": "nginx (the same page, static)", "original": "original design"}
    for path in ("/metrics", "/"):
        for c in serve.get("conns", []):
            for target in ("ours", "nginx", "baseline", "original"):
                r = serve_row(serve, target, path, c)
                if not r:
                    continue
                b, n = serve_row(serve, "baseline", path, c), serve_row(serve, "nginx", path, c)
                rr = (med(r["rps"]) / med(b["rps"])) if target == "ours" and b and med(b["rps"]) else None
                rn = (med(r["rps"]) / med(n["rps"])) if target == "ours" and n and med(n["rps"]) else None
                rows.append((f"`{path}`", c, names.get(target, target), rng(r["rps"], lambda x: num(x)),
                             ratio(rr) if rr else "", ratio(rn, 2) if rn else "", rng(r["p50_us"], ms),
                             rng(r["p99_us"], ms), rng(r["p999_us"], ms), num(med(r["errors"]))))
    ne = serve_row(serve, "node-exporter", "/metrics", 16)
    if ne:
        rows.append(("`/metrics`", 16, "node-exporter", rng(ne["rps"], lambda x: num(x)), "", "",
                     rng(ne["p50_us"], ms), rng(ne["p99_us"], ms), rng(ne["p999_us"], ms),
                     num(med(ne["errors"]))))
    w(table(["path", "conns", "server", "req/s", "vs baseline", "vs nginx", "p50", "p99", "p99.9", "errors"],
            rows))
    if serve.get("nginx_page_bytes"):
        w(f"\n*nginx* is Debian's nginx-light serving, as a static file, the {num(serve['nginx_page_bytes'])} bytes "
          "our `/metrics` answered at the start of this run (one worker, in the foreground, no access log, "
          "keep-alive connections not closed after a request count), in turns with the others: the ceiling of "
          "what any server does with this page on this machine. The *original design* answers each `/metrics` "
          "after its 2,000,000-iteration loop; its latencies count only the requests answered before wrk "
          "stopped (n/a where none was).")
    c = serve.get("ceiling")
    if c and c.get("rounds"):
        rows = [(p["round"] + 1, p["first"], num(p["ours"]["rps"]), num(p["nginx"]["rps"]),
                 ratio(p["rps_ratio"], 2), ms(p["ours"]["p99_us"]), ms(p["nginx"]["p99_us"]),
                 ratio(p["p99_ratio"], 2)) for p in c["rounds"]]
        w(f"\n*The ceiling, paired*: ours and nginx on `/metrics` at 16 connections, {c['wrk_s']} s a run, in "
          "rounds back to back; the targets take the median of the rounds' ratios.\n")
        w(table(["round", "first", "ours req/s", "nginx req/s", "req/s ratio", "ours p99", "nginx p99",
                 "p99 ratio"], rows))
        w(f"\nMedian: req/s {ratio(med(c['rps_ratio']), 2)}, p99 {ratio(med(c['p99_ratio']), 2)}.")
    w("")
    if "throughput" in made:
        w(f"![throughput and p99]({rel}/{made['throughput']})\n")


def scrape_cost_section(w, ctx):
    """CPU and bytes of one /metrics, against the baseline and node_exporter."""
    d = ctx["d"]
    serve = d.get("serve")
    w("## Cost of one scrape\n")
    rows = []
    for target in ("ours", "nginx", "baseline", "original", "node-exporter"):
        for c in sorted({r["conns"] for r in serve["summary"] if r["target"] == target}):
            r = serve_row(serve, target, "/metrics", c)
            if not r:
                continue
            page = (serve.get("nginx_page_bytes") if target == "nginx"
                    else serve["pages"].get(f"{target} /metrics", {}).get("bytes"))
            rows.append((target, c, rng(r["cpu_per_req_s"], lambda s: f"{s * 1e6:.0f} µs"),
                         num(page), num(med(r["bytes_per_req"]))))
    w(table(["server", "conns", "CPU (user+sys) per /metrics", "body bytes", "bytes on the wire per request"],
            rows))
    o, b = serve_row(serve, "ours", "/metrics", 1), serve_row(serve, "baseline", "/metrics", 1)
    if o and b and med(o["cpu_per_req_s"]):
        w(f"\nOne scrape costs the baseline {ratio(med(b['cpu_per_req_s']) / med(o['cpu_per_req_s']), 0)} "
          "the CPU it costs sensor-service's exporter (one connection); nginx's figure is its worker and master "
          "together.\n")
    else:
        w("")
    scrape_by_channels(w, d.get("scale"))
    gzip_part(w, d.get("gzip"), d.get("machine", {}))


def fit_line(xs, ys):
    """Least-squares (intercept, slope) of ys against xs, or (None, None)."""
    n = len(xs)
    if n < 2:
        return None, None
    mx, my = sum(xs) / n, sum(ys) / n
    var = sum((x - mx) ** 2 for x in xs)
    if var == 0:
        return None, None
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var
    return my - b * mx, b


def scrape_by_channels(w, scale):
    """CPU per scrape against the page's size (channels, series), and how
    linear it is in series."""
    rows = sorted((r for r in (scale or {}).get("rows", []) if "channels" in r["groups"] and r.get("series")
                   and r.get("scrape_cpu_s")),
                  key=lambda r: r["channels"])
    if not rows:
        return
    w("### Against the number of channels\n")
    w("From the *Scale* runs (one instance per channel count, the other settings at their defaults), a wrk run "
      "on one connection: the exporter's CPU per scrape (the whole request: parsing, rendering, the write and "
      "the event loop's wake-up), and the rendering alone, from the exporter's own timer "
      "(`sensor_metrics_render_seconds`: its sum over its count, read before and after the run), per scrape and "
      "per series on the page (a series is a line of samples, so this is the cost that grows with the page).\n")
    w(table(["channels", "series", "page bytes", "CPU per scrape", "rendering per scrape", "rendering per series"],
            [(num(r["channels"]), num(r["series"]), num(r["page_bytes"]), us(r["scrape_cpu_s"], 1),
              us(r["scrape_render_s"], 1) if r.get("scrape_render_s") else "n/a",
              f"{r['scrape_render_s'] * 1e9 / r['series']:,.0f} ns" if r.get("scrape_render_s") else "n/a")
             for r in rows]))
    w("")
    for label, key in (("The whole request", "scrape_cpu_s"), ("The rendering", "scrape_render_s")):
        pts = [r for r in rows if r.get(key)]
        a, b = fit_line([r["series"] for r in pts], [r[key] for r in pts])
        if b is None:
            continue
        worst = max(abs(r[key] - (a + b * r["series"])) / r[key] for r in pts)
        w(f"{label}: a straight line through these points (least squares) is {b * 1e9:,.0f} ns per series "
          f"plus {a * 1e6:,.1f} µs per scrape; the points lie within {100 * worst:.0f}% of it, "
          + ("so the cost is linear in the series." if worst < 0.25 else
             "so the cost is not simply linear in the series: the fixed part (the request, the write, the "
             "wake-up) dominates small pages.") + "\n")


def sensors_section(w, sn):
    """Many file channels, some hung, through the reader pool (the sensors stage)."""
    w("## Sensors at the scale of real boards\n")
    pool = sn["pool"]
    w(f"The sensors stage (bench/sensors_scale.py): file channels every {num(sn['interval_ms'])} ms, read by the "
      f"reader pool at its defaults (reader-threads {pool['reader_threads']}, reader-threads-max "
      f"{pool['reader_threads_max']}), with none and with 8 channels hung ({sn['hung_by']}); "
      f"{sn['warm_s']:g} s to settle, then {sn['window_s']:g} s measured. Target: every healthy channel at its "
      "configured rate while 8 others hang."
      + (f" Measured in a run of its own: {sn['generated']}, commit `{sn['commit']}`." if sn.get("commit") else "")
      + "\n")
    rows = []
    for r in sn["rows"]:
        ratio = ("n/a" if r["rate_ratio_min"] is None else
                 f"{r['rate_ratio_min']:.2f} / {r['rate_ratio_median']:.2f}")
        rows.append((num(r["channels"]), num(r["hung"]), f"{num(r['tasks'])} ({num(r['worker_tasks'])} worker)",
                     mb(r["worker_rss"]) if r.get("worker_rss") else "n/a", us(r["cpu_per_reading_s"], 1),
                     ratio, num(r["healthy_below_90pct"]),
                     f"{num(r['reader_threads'])} / {num(r['reader_threads_held'])} / {num(r['reads_waiting'])}"))
    w(table(["channels", "hung", "tasks", "worker RSS", "worker CPU per reading",
             "healthy rate / configured, min / median", "healthy below 90%", "readers / held / waiting"], rows))
    w("")


def textfile_section(w, tf):
    """What the textfile collector costs (the textfile stage)."""
    w("## Textfiles\n")
    w(f"The textfile stage (bench/textfile_cost.py): {num(tf['files'])} `*.prom` files of "
      f"{num(tf['series_per_file'])} series each (10 gauge families a file), read every "
      f"{num(tf['interval_ms'])} ms; the collector off, on with the files unchanged, and on with every file "
      "renamed over at each pass (a new page published each second, copied and checked once by the exporter). "
      "Rendering time: the exporter's own `sensor_metrics_render_seconds` over the scrapes (one each 10 ms); CPU "
      "from schedstat. Load average at the end of the run: "
      + ", ".join(f"{x:.2f}" for x in tf.get("loadavg") or []) + " (the machine was shared with other work, "
      "so these figures carry its noise)."
      + (f" Measured in a run of its own: {tf['generated']}." if tf.get("generated") else "") + "\n")
    rows = []
    for r in tf["rows"]:
        rows.append((r["mode"], f"{r['page_bytes'] / 1024:.0f} KiB", us(r["render_s_per_scrape"], 1),
                     us(r["exporter_cpu_per_scrape_s"], 1), f"{r['worker_cpu_per_s'] * 100:.2f}%",
                     ms(r["worker_cpu_per_pass_s"] * 1e6, 2),
                     mb(r["worker_rss"]) if r.get("worker_rss") else "n/a",
                     mb(r["exporter_rss"]) if r.get("exporter_rss") else "n/a"))
    w(table(["collector", "page", "rendering per scrape", "exporter CPU per scrape", "worker CPU",
             "worker CPU per pass", "worker RSS", "exporter RSS"], rows))
    w("")


def gzip_part(w, gz, m):
    """Compressed size and the CPU of compressing (the gzip stage)."""
    w("### gzip\n")
    if not gz:
        quick = m.get("knobs", {}).get("BENCH_QUICK")
        w("Not measured in this run" + (" (skipped in quick mode)." if quick else ".") + "\n")
        return
    w(f"The gzip stage (bench/gzip_cost.py, also `make bench-gzip`): the exporter's CPU per scrape over "
      f"{num(gz['scrapes'])} scrapes on one connection, plain and with `Accept-Encoding: gzip`, and the same page "
      f"compressed by zlib alone at levels 1, 6 and 9 ({num(gz['zlib_reps'])} runs each, Python's zlib, the same "
      "library).\n")
    rows = []
    for r in gz["rows"]:
        lv = ", ".join(f"{z['level']}: {num(z['bytes'])} B ({100 * z['bytes'] / r['page_bytes']:.0f}%) in "
                       f"{us(z['cpu_s'])}" for z in r["zlib"])
        rows.append((num(r["channels"]), num(r["page_bytes"]), us(r["plain_cpu_s"]),
                     f"{us(r['gzip_cpu_s'])} ({num(r['gzip_wire_bytes'])} B on the wire)",
                     us(r["gzip_cpu_s"] - r["plain_cpu_s"]), lv))
    w(table(["channels", "page bytes", "CPU per scrape, plain", "CPU per scrape, gzip", "gzip's cost",
             "zlib alone, level: size, CPU"], rows))
    w("")


def spike_section(w, ctx):
    """Latency while the worker burns a CPU spike."""
    d = ctx["d"]
    made = ctx["made"]
    rel = ctx["rel"]
    spike = d.get("spike")
    w("## Spike isolation\n")
    rows = []
    pct = (lambda x: f"{x * 100:.0f}%")
    for r in spike["summary"]:
        rows.append((r["target"], f"`{r['path']}`", r["load"],
                     state_label(r.get("state")),
                     rng(r["idle_p99_us"], ms),
                     rng(r["spike_p99_us"], ms), ratio(r["p99_ratio"], 2),
                     f"{ms(med(r['idle_p50_us']))} / {ms(med(r['spike_p50_us']))}",
                     f"{pct(med(r['spike_worker_running']) or 0)}, got {med(r['spike_worker_busy']):.2f}",
                     f"{num(med(r['idle_rps']))} / {num(med(r['spike_rps']))}",
                     f"{(med(r.get('idle_foreign_cores')) or 0):.2f} / {(med(r.get('spike_foreign_cores')) or 0):.2f}"))
    w(table(["server", "path", "load", "state", "p99 idle", "p99 in spike", "p99 ratio", "p50 idle / spike",
             "worker running in spike, CPU got", "req/s idle / spike", "other processes, cores idle / spike"],
            rows))
    info = spike.get("info", {})
    if info.get("spike_seconds_count"):
        w(f"\nDuring the run sensor-service's worker recorded {num(info['spike_seconds_count'])} processing "
          f"steps averaging {info['spike_seconds_sum'] / info['spike_seconds_count']:.1f} s "
          f"(`sensor_cpu_spike_seconds`), {num(info.get('worker_restarts'))} worker restarts; the page "
          f"was {num(info.get('page_bytes'))} bytes.")
    w("")
    if "spike" in made:
        w(f"![spike isolation]({rel}/{made['spike']})\n")


def soak_section(w, ctx):
    """RSS over the soak: growth per minute."""
    d = ctx["d"]
    made = ctx["made"]
    rel = ctx["rel"]
    soak = d.get("soak")
    w("## Soak\n")
    st = soak["stats"]
    rows = []
    for lab in ("supervisor", "worker", "exporter", "ours", "ours_unique", "baseline", "victoria-metrics",
                "vmalert", "stack", "original", "prometheus", "before_stack"):
        if lab not in st:
            continue
        s = st[lab]
        name = {"ours": "**sensor-service, sum of 3**",
                "ours_unique": "sensor-service, each page of the 3 counted once",
                "stack": "**stack: service + VictoriaMetrics + vmalert**",
                "original": "original design (before)",
                "prometheus": "Prometheus (before)",
                "before_stack": "**before: original + Prometheus**"}.get(lab, lab)
        rows.append((name, mb(s["rss_first"], 2), mb(s["rss_last"], 2), mb(s["rss_max"], 2),
                     num((s["rss_last"] - s["rss_first"]) / 1024), num(s["rss_slope_bytes_per_min"])))
    w(table(["process", "RSS after warm-up", "RSS at the end", "RSS peak", "growth after warm-up, KiB",
             "fitted slope, bytes/min"], rows))
    w(f"\nA page is {PAGE} bytes; over the {(soak['soak_s'] - soak['warmup_s']) / 60:.1f} minutes after "
      f"warm-up one page of growth is a slope of {num(PAGE / ((soak['soak_s'] - soak['warmup_s']) / 60))} "
      "bytes/min." + (" Whether VictoriaMetrics' and vmalert's growth here goes on is measured over a longer "
                      "soak: see *VictoriaMetrics over a long soak*." if d.get("soak_long") else "") + "\n")
    if "soak" in made:
        w(f"![RSS over time]({rel}/{made['soak']})\n")


def part_slope(pts, lo, hi):
    """Least-squares slope (bytes/min) of the [t, rss, ...] points with lo <= t < hi."""
    sel = [p for p in pts if lo <= p[0] < hi]
    a, b = fit_line([p[0] for p in sel], [p[1] for p in sel])
    return None if b is None else 60 * b


def internal_at(rows, t, key):
    """The internal figure `key` sampled nearest to t seconds."""
    if not rows:
        return None
    return min(rows, key=lambda r: abs(r[0] - t))[1].get(key)


def cache_limits(soak):
    """(VictoriaMetrics' memory flags, {cache: limit}) from the last internal
    sample of a soak, or (None, {})."""
    rows = (soak or {}).get("internals", {}).get("victoria-metrics", [])
    if not rows or not rows[-1][1].get("caches_max"):
        return None, {}
    return " ".join(f for f in soak["vm_flags"] if f.startswith("-memory")), rows[-1][1]["caches_max"]


def vm_growth_section(w, longs, soak=None):
    """Whether VictoriaMetrics' (and vmalert's) RSS levels off: long soaks of
    their own (make bench-soak-long), RSS slopes over the first and last
    part, and what they say of their own heap, caches and data."""
    if not longs:
        return
    w("## VictoriaMetrics over a long soak\n")
    w("Measured by `make bench-soak-long` (the soak stage alone, into `soak-long*.json`), a run of its own per set "
      "of VictoriaMetrics flags: the same service, load, 1 s scrapes and vmalert as the soak above, for longer. "
      "The slopes are least-squares fits of RSS over the first and the last third of the time after warm-up; the "
      "figures on the right are the processes' own (their `/metrics`, sampled every 10 s): Go's heap in use, the "
      "sum of VictoriaMetrics' caches (`vm_cache_size_bytes`) against their limits (`vm_cache_size_max_bytes`), "
      "the file-backed RSS (the data files mapped) and the data on disk; *allowed* is `vm_allowed_memory_bytes`.\n")
    rows = []
    for fn, sl in longs.items():
        flags = " ".join(f for f in sl["vm_flags"] if f.startswith("-memory"))
        for proc in ("victoria-metrics", "vmalert"):
            pts = sl["series"].get(proc, [])
            if len(pts) < 6:
                continue
            t0, t1 = sl["warmup_s"], pts[-1][0]
            third = (t1 - t0) / 3
            first, last = part_slope(pts, t0, t0 + third), part_slope(pts, t1 - third, t1 + 1)
            internals = sl.get("internals", {}).get(proc, [])
            rss0 = min(pts, key=lambda p: abs(p[0] - t0))[1]

            def at(t, key):
                v = internal_at(internals, t, key)
                return mb(v) if v is not None else "n/a"

            def span(key):
                a, b = at(t0, key), at(t1, key)
                return "" if a == b == "n/a" else f"{a} → {b}"
            rows.append((proc, f"`{flags}` ({fn}, {sl['soak_s'] / 60:.0f} min)",
                         span("vm_allowed_memory_bytes").split(" → ")[-1],
                         f"{mb(pts[0][1])} / {mb(rss0)} / {mb(pts[-1][1])}",
                         f"{first / MIB:+.2f}" if first is not None else "n/a",
                         f"{last / MIB:+.2f}" if last is not None else "n/a",
                         span("go_memstats_heap_inuse_bytes"),
                         span("vm_cache_size_bytes") + (f" (limits {at(t1, 'vm_cache_size_max_bytes')})"
                                                        if proc == "victoria-metrics" else ""),
                         span("process_resident_memory_file_bytes"), span("vm_data_size_bytes")))
    w(table(["process", "VictoriaMetrics flags", "allowed", "RSS at start / after warm-up / end",
             "slope, first third, MiB/min", "slope, last third, MiB/min", "Go heap in use, after warm-up → end",
             "caches, after warm-up → end", "file-backed RSS, after warm-up → end", "data on disk"], rows))
    w("")
    for fn, sl in longs.items():
        for proc in ("victoria-metrics", "vmalert"):
            txt = vm_growth_text(fn, sl, proc)
            if txt:
                w(f"- {txt}")
    flags, limits = cache_limits(soak)
    big = sorted(((v, k) for k, v in limits.items() if v > 16 * MIB), reverse=True)
    if big:
        w(f"\nWith `{flags}` (the soak of this run) the caches' limits still add up to {mb(sum(limits.values()))}: "
          + ", ".join(f"`{k}` {mb(v)}" for v, k in big) + " have limits of their own above the 16 MiB the flag "
          "allows, so the flag alone does not keep the caches under it; what they fill is what the series "
          "written and queried need, and they rise and fall as VictoriaMetrics rotates them.")
    w("\nVictoriaMetrics sizes its caches from `-memory.allowedBytes`, or when that is not given from "
      "`-memory.allowedPercent` of the machine's memory; some caches can be capped one by one "
      "(`-storage.cacheSizeStorageTSID`, `-storage.cacheSizeIndexDBTagFilters`, `-storage.cacheSizeIndexDBDataBlocks`, "
      "`-storage.cacheSizeIndexDBIndexBlocks`) and the query response cache switched off (`-search.disableCache`). "
      "The stack (scripts/run-stack.sh) and the bench give `-memory.allowedBytes=16MiB` (vmalert 8MiB). The data "
      "on disk, and the file pages of it that are mapped, grow with what is stored, bounded by "
      "`-retentionPeriod`.\n")


def mean_between(rows, lo, hi, key):
    """Mean of the internal figure `key` sampled at lo <= t < hi, or None."""
    v = [r[1][key] for r in rows if lo <= r[0] < hi and r[1].get(key) is not None]
    return sum(v) / len(v) if v else None


def vm_growth_text(fn, sl, proc="victoria-metrics"):
    """What a long soak says of VictoriaMetrics' growth: whether it levels
    off, and how much of it the caches, Go's heap and file pages explain
    (each as its mean over the last third against its value at the end of
    the warm-up: the caches rise and fall as they rotate)."""
    pts = sl["series"].get(proc, [])
    internals = sl.get("internals", {}).get(proc, [])
    if len(pts) < 6 or len(internals) < 2:
        return ""
    t0, t1 = sl["warmup_s"], pts[-1][0]
    third = (t1 - t0) / 3
    first, last = part_slope(pts, t0, t0 + third), part_slope(pts, t1 - third, t1 + 1)
    if first is None or last is None:
        return ""
    rss0 = min(pts, key=lambda p: abs(p[0] - t0))[1]
    tail = [p[1] for p in pts if p[0] >= t1 - third]
    plateau = sum(tail) / len(tail)
    early = [p for p in pts if p[0] <= t0 + third]
    flags = " ".join(f for f in sl["vm_flags"] if f.startswith("-memory"))
    levels = last < max(0.05 * MIB, 0.25 * abs(first))  # flat, falling, or a quarter of the early slope
    start = part_slope(pts, 15, 60)  # the part of the time a default 60 s soak fits after its 15 s warm-up
    txt = (f"{proc} with `{flags}` ({fn}): RSS started at {mb(pts[0][1])}"
           + (f" and grew {start / MIB:+.2f} MiB/min between 15 and 60 s (what a default 60 s soak fits)"
              if start is not None else "")
           + f"; from {mb(rss0)} at the end of the {t0:.0f} s warm-up it went to {mb(plateau)} on average "
           f"over the last third (peak {mb(max(p[1] for p in pts))}); it grew {first / MIB:+.2f} MiB/min over the "
           f"first third (to {mb(early[-1][1])}) and {last / MIB:+.2f} MiB/min over the last: "
           + ("it levels off after the start-up: growth with a bound, not a leak. " if levels
              else "it is still growing at the end, slowly. "))
    parts = []
    for key, what in (("go_memstats_heap_inuse_bytes", "Go's heap in use"), ("vm_cache_size_bytes", "its caches"),
                      ("process_resident_memory_file_bytes", "its file-backed pages")):
        a, b = internal_at(internals, t0, key), mean_between(internals, t1 - third, t1 + 1, key)
        if a is not None and b is not None:
            parts.append((b - a, what, a, b))
    if parts:
        limits = internal_at(internals, t1, "vm_cache_size_max_bytes")
        txt += ("Between the same points, " + ", ".join(f"{what} {mb(a)} → {mb(b)}" for _, what, a, b in parts)
                + (f" (the caches' limits add up to {mb(limits)})" if limits else "") + ". ")
        cs = [r[1]["vm_cache_size_bytes"] for r in internals if r[0] >= t0 and r[1].get("vm_cache_size_bytes")]
        if cs:
            txt += f"After warm-up the caches went up and down between {mb(min(cs))} and {mb(max(cs))}. "
        big = max(parts)
        if plateau > rss0 and big[0] > 0:
            txt += f"The largest part of the growth after warm-up is {big[1]}."
    if not levels:
        txt += (f" At the last third's rate that is {last * 60 / MIB:.1f} MiB an hour; a longer soak tells whether "
                "it stops.")
    return txt


def vm_caches_grown(sl, n=3):
    """The n caches whose size grew most over a long soak: (type, first, last)."""
    internals = sl.get("internals", {}).get("victoria-metrics", [])
    if len(internals) < 2:
        return []
    a, b = internals[0][1].get("caches", {}), internals[-1][1].get("caches", {})
    grown = sorted(((k, a.get(k, 0.0), v) for k, v in b.items()), key=lambda x: x[2] - x[1], reverse=True)
    return [g for g in grown[:n] if g[2] > g[1]]


def scale_section(w, ctx):
    """Cost as channels, rate and ring grow."""
    d = ctx["d"]
    made = ctx["made"]
    rel = ctx["rel"]
    scale = d.get("scale")
    w("## Scale\n")
    rows = []
    for r in scale["rows"]:
        rows.append((r["channels"], r["sample_interval_ms"], num(r["ring_capacity"]),
                     num(r["readings_per_s"]), mb(r["segment_bytes"], 2), mb(r["mem"]["ours"]["rss"], 2),
                     mb(r["mem"]["ours"]["pss"], 2), mb(r["mem"]["worker"]["rss"], 2),
                     f"{(r['cpu_per_reading_s'] or 0) * 1e6:.2f} µs", f"{r['worker_cpu_frac'] * 100:.2f}%",
                     num(r["dropped_total"]), num(r["page_bytes"]), us(r["scrape_cpu_s"]),
                     ms(r["scrape_p99_us"])))
    w(table(["channels", "sample ms", "ring", "readings/s", "segment", "RSS sum", "PSS sum", "worker RSS",
             "worker CPU / reading", "worker CPU", "dropped", "/metrics bytes", "CPU / scrape",
             "scrape p99 (1 conn)"], rows))
    w("\nConcurrent scrapers: the exporter's peak RSS and CPU per request at 1, 16 and 64 connections are in "
      "the last column of the plot (from the throughput runs).\n")
    if "scale" in made:
        w(f"![scale]({rel}/{made['scale']})\n")


def files_section(w, ctx):
    """Where the raw figures are."""
    d = ctx["d"]
    out = ctx["out"]
    w("## Files\n")
    w(f"`{os.path.relpath(out, ROOT) if out.startswith(ROOT) else out}/`: machine.json, serve.json, spike.json, "
      f"soak.json, scale.json{', gzip.json' if d.get('gzip') else ''}{', fleet.json' if d.get('fleet') else ''} "
      "(every run, every sample)"
      f"{''.join(', ' + fn for fn in d.get('soak_long', {}))}{', hostile.json' if d.get('hostile') else ''}"
      f"{', chaos.json' if d.get('chaos') else ''}{', fuzz.json' if d.get('fuzz') else ''} and the PNGs "
      "above. The baseline is "
      "`bench/baseline/sensor_baseline.py` (with `--original`, the original design); the wrk script "
      "`bench/wrk/stats.lua`.\n")


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



# The bounds a good client and the exporter must keep under attack.
HOSTILE_OK_RATIO = 0.99
HOSTILE_CPU_FRAC = 0.10
HOSTILE_LOG_BYTES = 100_000


def footprint_section(w, fp):
    """What installing the package adds to a minimal Debian system
    (scripts/measure_footprint.sh writes bench/results/footprint.json)."""
    w("## Installed footprint\n")
    w(f"What `apt install ./{fp['deb']}` adds to a minimal Debian 12 system: `scripts/measure_footprint.sh` "
      f"({fp['date']}) installs the package from `make deb` in a fresh `{fp['root']}` root for each case and reads "
      f"apt's own count and disk-space line. The package's dependencies are the same on every architecture; the "
      f"figures are {fp['arch']}'s.\n")
    w(table(["command", "packages", "disk space", "what comes"],
            [(f"`{c['command']}`", c["packages"], c["disk"], ", ".join(c["new"])) for c in fp["cases"]]))
    w("\nThe service uses none of its libraries' recommendations, so boards install with "
      "`--no-install-recommends` ([docs/install.md](docs/install.md)).\n")


def hostile_section(w, h):
    w("## Hostile clients\n")
    w(f"Measured by `make bench-hostile` (bench/hostile.py), a run of its own: {h['generated']}, commit "
      f"`{h.get('commit') or '?'}`, {h.get('cpu') or '?'} ({h.get('cores', '?')} cores). Each attack starts "
      f"the service afresh (default settings) under `prlimit --nofile={h['nofile']}:{h['nofile']}`, opens "
      f"{num(2 * h['nofile'])} connections of its kind, twice the limit, for {h['attack_s']:.0f} s, and reopens each "
      "one the server closes; meanwhile one client fetches `/metrics` every 0.1 s on a new connection with a "
      "1 s timeout (`tests/integration/lib/starve_http.py`). *idle*: connect and send nothing; *headers*: slowloris, "
      "one header byte every 3 s; *body*: complete headers, then one body byte every 3 s. The attacks on basic "
      "auth run the service with a web config of one user at bcrypt cost 10, and the good client authenticated "
      "before the attack (`bench/hostile_auth.py`): *auth-wrong*: 16 keep-alive clients sending a wrong password "
      "(its CPU bound is 50%: the verify threads use at most `auth-busy-percent`, 40% of a core, and a full queue "
      "is answered 429 unhashed); *auth-right*: 16 keep-alive clients with the right password, 10 requests a second each (without the "
      "cache of verified credentials that would be 8 cores of bcrypt); "
      "*tls-idle*: twice the fd limit of connections to the TLS port that never send a ClientHello. "
      "An answer counts as "
      "served when it is a 200 within 1 s; the exporter's CPU is utime + stime from `/proc/PID/stat` over the "
      "attack; the log is every byte the service wrote meanwhile.\n")
    rows = []
    for r in h["rows"]:
        ok = (r["ok_ratio"] is not None and r["ok_ratio"] >= HOSTILE_OK_RATIO and r["max_ms"] <= 1000
              and r["exporter_cpu_frac"] < r.get("cpu_target", HOSTILE_CPU_FRAC) and r["log_bytes"] < HOSTILE_LOG_BYTES
              and not r["exporter_restarted"])
        rows.append((r["kind"], num(r["conns"]), f"{r['ok']} of {r['requests']} "
                     f"({(r['ok_ratio'] or 0) * 100:.1f}%)", f"{r['p50_ms']:.1f} ms", f"{r['p99_ms']:.1f} ms",
                     f"{r['max_ms']:.0f} ms", f"{r['exporter_cpu_frac'] * 100:.1f}%", num(r["exporter_fds_max"]),
                     num(r["log_bytes"]), num(r["attack_reconnects"]), "met" if ok else "**missed**"))
    w(table(["attack", "connections", "good client served", "p50", "p99", "slowest", "exporter CPU",
             "exporter fds at most", "log bytes", "attack reconnects",
             "≥99% within 1 s, <10% CPU (auth-wrong: <50%), <100 KB log"],
            rows))
    w("")


def chaos_section(w, c):
    w("## Chaos under load\n")
    n = sum(c["faults"].values())
    w(f"Measured by `make bench-chaos` (bench/chaos.py), a run of its own: {c['generated']}, commit "
      f"`{c.get('commit') or '?'}`. The service with its defaults ({c['channels']} channels every "
      f"{c['sample_interval_ms']} ms), VictoriaMetrics scraping it every second, a paced load on `/` and "
      f"`/metrics`, and every {c['every_s']:.0f} s a fault picked at random (seed {c['seed']}) for "
      f"{c['seconds'] / 60:.1f} minutes: {n} faults. *kill*: `kill -9` of the child; *pause*: SIGSTOP for 1 s, "
      "then SIGCONT; *hang*: SIGSTOP until the supervisor kills the child for its stale heartbeat. (A leak "
      "cannot be injected into a running child; the fault tests cover leaks under the caps.)\n")
    w(table(["fault"] + list(c["faults"]), [("times", *[num(v) for v in c["faults"].values()])]))
    hk = c.get("hang_kill_s") or []
    if hk:
        w(f"\nA hung child was killed {hk[len(hk) // 2]:.1f} s (median; {hk[0]:.1f}-{hk[-1]:.1f} s) after it "
          "stopped: the heartbeat timeout (5 s) counts from its last heartbeat, which came up to one beat "
          "before the stop.\n")
    ld = c["load"]
    lost = c["readings_expected"] - c["readings"]
    explained = c["worker_downtime_s"] * 1000 / c["sample_interval_ms"] * c["channels"]
    rows = [
        ("`/metrics` requests answered 200", f"{num(ld['/metrics']['ok'])} of {num(ld['/metrics']['requests'])} "
                                              f"({num(ld['/metrics']['failed'])} failed)"),
        ("`/` requests answered (200, or 503 while the worker was down)",
         f"{num(ld['/']['ok'] + ld['/']['503'])} of {num(ld['/']['requests'])} ({num(ld['/']['503'])} were 503, "
         f"{num(ld['/']['failed'])} failed)"),
        ("VictoriaMetrics scrapes", f"{num(c['vm_scrapes'])}, of which {num(c['vm_scrapes_failed'])} failed"
         + (f": a scrape times out after 1 s while the exporter is stopped or restarting, "
            f"{c['exporter_downtime_s']:.1f} s of this run ({100 * c['exporter_downtime_s'] / c['seconds']:.0f}%)"
            if c.get("exporter_downtime_s") is not None else "")),
        ("counters reset, as VictoriaMetrics' `resets()` sees them",
         f"{len(c['counters_reset'])} of {num(c['counters_checked'])} series"
         + (": " + ", ".join(f"{k} {v:.0f}" for k, v in c["counters_reset"].items()) if c["counters_reset"] else "")),
        ("readings", f"{num(c['readings'])} of {num(c['readings_expected'])} a never-stopped worker would have "
                     f"taken: {num(lost)} missed; the worker's {c['worker_downtime_s']:.1f} s of downtime (restart "
                     f"gaps from the supervisor's log, and the pauses) account for {num(explained)}"),
        ("exits by reason", ", ".join(f"{k} {v}" for k, v in sorted(c["exits"].items()) if v) or "none"),
        ("restarts", ", ".join(f"{k} {v}" for k, v in sorted(c["restarts"].items()))),
        ("RSS at the start / the end", ", ".join(
            f"{k} {mb(c['rss_start'].get(k), 2)} / {mb(c['rss_end'].get(k), 2)}" for k in c["rss_start"])),
    ]
    w(table(["", "measured"], rows))
    w("")


def board_section(b):
    """arm64 beside x86-64: both measured by one `make test-board` run."""
    if not b or "arm64" not in b or "host" not in b:
        return ""
    a, h = b["arm64"], b["host"]
    rows = []
    for p in ("supervisor", "worker", "exporter"):
        rows.append((p, mb(h[p]["rss_bytes"], 2), mb(h[p]["pss_bytes"], 2),
                     mb(a[p]["rss_bytes"], 2), mb(a[p]["pss_bytes"], 2)))
    tot = {k: sum(x[p][k] for p in ("supervisor", "worker", "exporter")) for x, k in
           ((h, "rss_bytes"), (h, "pss_bytes"))}
    tot_a = {k: sum(a[p][k] for p in ("supervisor", "worker", "exporter")) for k in ("rss_bytes", "pss_bytes")}
    rows.append(("**sum of 3**", mb(tot["rss_bytes"], 2), mb(tot["pss_bytes"], 2),
                 mb(tot_a["rss_bytes"], 2), mb(tot_a["pss_bytes"], 2)))
    rows.append(("shared segment", mb(h["segment_bytes"], 2), "", mb(a["segment_bytes"], 2), ""))
    harch = h.get("arch", "host")
    return "\n".join([
        "### arm64, on an emulated board\n",
        f"`make test-board` (tree at git {b.get('git', '?')}, {b.get('generated', '?')[:10]}) boots Debian's arm64 "
        f"kernel {a.get('kernel', '?')} on {b.get('board', '?')} ({b.get('qemu', '?')}), runs the arm64 and armhf "
        "unit tests and the service's end-to-end test there, then measures the service idle with its defaults "
        f"({a.get('samples', '?')} samples one second apart after {a.get('warmup_s', '?')} s, medians), and the "
        f"host's own build the same way right after. Page size {a.get('page_size', '?')} B on the board, "
        f"{h.get('page_size', '?')} B on the host. The board is emulated: its memory figures are the arm64 "
        "build's own (code size, libraries, page tables), its timings are not a board's. PSS splits each shared "
        "page among the processes mapping it: on the host, libc and glib are mapped by many other processes, on "
        "the board by almost none, so the board's PSS is nearer to what the service costs a device of its own.\n",
        table(["process", f"RSS {harch}", f"PSS {harch}", "RSS arm64 (emulated)", "PSS arm64 (emulated)"], rows),
        "",
    ])


# What each fuzz target feeds its bytes to (tests/fuzz/fuzz_*.c).
FUZZ_WHAT = {
    "config": "configuration file and command line",
    "fault": "fault specs (--fault)",
    "routes": "HTTP request targets and routing",
    "push": "push input lines",
    "shm": "the shared segment, header and unterminated strings included, then the supervisor's repair",
}


def bad_bytes(fuzz, w):
    w("## Bad bytes\n")
    w(f"`make fuzz-report` on commit {fuzz.get('commit', '?')}: libFuzzer with AddressSanitizer and UBSan, "
      "each target for the time shown; a crash is an input libFuzzer saved (crash, leak, timeout, out of "
      "memory) or an invariant of the target that failed.\n")
    rows = []
    for name, t in fuzz["targets"].items():
        if not t.get("ran"):
            rows.append((name, FUZZ_WHAT.get(name, ""), "not run", "", "", "", ""))
            continue
        rows.append((name, FUZZ_WHAT.get(name, ""), num(t["executions"]), f"{t['seconds']} s",
                     num(t["exec_per_s"]), str(t["crashes"]), num(t["corpus_inputs"])))
    w(table(["target", "input", "executions", "time", "exec/s", "crashes", "corpus (all runs)"], rows))
    missing = [n for n in FUZZ_WHAT if n not in fuzz["targets"]]
    if missing:
        w(f"\nNo fuzz target yet for: {', '.join(FUZZ_WHAT[n] for n in missing)}.\n")


def spike_method(spike):
    if spike["mode"] == "fault":
        how = (f"The spike is the service's own fault injection: `{' '.join(spike['args'])}` makes every "
               "processing step burn 4 s of CPU, one step after the other.")
    else:
        how = ("This build has no fault injection, so the spike is the processing step itself made heavy: "
               f"`{' '.join(spike['args'])}` (an O(n²) DFT over the ~5460 readings of each of the 4 vibration "
               "channels, seconds per step, one step after the other).")
    return (how + " Idle and spike alternate in the same instance, in runs back to back (the order flips every "
            "run, so drift in the machine's load hits both): for *idle* the worker is stopped with SIGSTOP, for "
            "*spike* it continues (SIGCONT); the page served is the same. The baseline's spike is "
            f"`{' '.join(spike['baseline_args'])}` (its processing thread computes for 3 s of every 3.1 s), "
            "paused with SIGUSR2 and resumed with SIGUSR1. *Worker running* is the share of 20 ms samples in "
            "which the worker's processing thread (the baseline's) was running or runnable; *got* is the CPU it "
            "received, in cores. "
            + ("A third state, *spike, the step at normal priority (nice 0)*, moves the step's thread from "
               "`SCHED_IDLE` (the service's default) to the normal policy at nice 0 (sched_setscheduler, "
               "setpriority), to show what the step's own priority is worth; the verdict uses plain *spike*, "
               "the service as it runs." if any(r.get("state") == "spike-normal" for r in spike["summary"]) else
               "A third state, *spike, worker at nice 10*, renices the spinning worker (setpriority) to show "
               "what a lower priority for the worker would give; the verdict uses plain *spike*, the service "
               "as it is."))


def nice_text(worst, nice):
    same = [r for r in nice if r["path"] == worst["path"]]
    if not same or same[0]["p99_ratio"] is None or worst["p99_ratio"] is None:
        return ""
    r = same[0]
    with_ = f"With {CONTRAST_LABELS[r['state']]} the same runs give {ratio(r['p99_ratio'], 2)}"
    if r["state"] == "spike-normal":
        return (f"{with_}: the step already yields to everything at `SCHED_IDLE`, so what remains are the waits "
                "of the rest of the machine. ")
    if r["p99_ratio"] <= TARGET_SPIKE_RATIO:
        return (f"{with_}, within the target: the scheduler then lets the exporter in first, which points at a "
                "lower priority for the worker as the remedy (on a machine this busy, a quieter run should "
                "confirm it). ")
    if r["p99_ratio"] < worst["p99_ratio"] / 1.2:
        return f"{with_}: better, since the scheduler then lets the exporter in first, but not enough on this machine. "
    return f"{with_}, no better: the waits come from the rest of the machine rather than from the worker. "


def findings(d):
    """What the run shows beyond the targets, from the data."""
    out = []
    scale, serve = d.get("scale"), d.get("serve")
    if scale:
        rows = scale["rows"]
        slow = [r for r in rows if r["page_bytes"] > 16000 and r["scrape_p99_us"] and r["scrape_p99_us"] > 20000]
        fast = [r for r in rows if r["page_bytes"] <= 16000 and r["scrape_p99_us"]]
        if slow:
            r = slow[0]
            out.append(
                f"**Pages over 16 KiB are slow on kept-alive connections.** At {r['channels']} channels the "
                f"/metrics page is {num(r['page_bytes'])} bytes and a scrape over a kept-alive connection takes "
                f"about 40 ms (p99 {ms(r['scrape_p99_us'])}, {num(r['scrape_rps_c1'])} req/s on one connection), "
                f"against {ms(max(x['scrape_p99_us'] for x in fast)) if fast else 'n/a'} at most for smaller pages, "
                "although the CPU per scrape stays small. That is the 40 ms of the client's delayed ACK: the "
                "exporter's bufferevent writes at most 16 KiB at a time and Nagle's algorithm holds the rest "
                "until the client acknowledges the first part. TCP_NODELAY on accepted connections (or a larger "
                "bufferevent_set_max_single_write) would remove it; until then the default three channels "
                "(about 6 KB) are not affected.")
        drop = [r for r in rows if (r["dropped_total"] or 0) > 0]
        for r in drop:
            per_step = r["channels"] * 1000.0 / r["sample_interval_ms"] * 2.0
            out.append(f"**Ring sizing.** With {r['channels']} channels every {r['sample_interval_ms']} ms "
                       f"({num(r['readings_per_s'])} readings/s) a 2 s processing interval needs "
                       f"{num(per_step)} readings of ring, more than the {num(r['ring_capacity'])} configured, so "
                       f"{num(r['dropped_total'])} readings were dropped (and counted in "
                       "`sensor_readings_dropped_total`): the ring must hold channels × rate × interval.")
        parts = []
        for g, unit, label in (("channels", " channels", "channels"), ("sample_interval_ms", " ms", "sampling interval"),
                               ("ring_capacity", "-reading ring", "ring size")):
            rs = sorted((r for r in rows if g in r["groups"] and r["cpu_per_reading_s"]), key=lambda r: r[g])
            if len(rs) < 2:
                continue
            vals = [r["cpu_per_reading_s"] for r in rs]
            spread = max(vals) / min(vals)
            desc = ", ".join(f"{v * 1e6:.2f} µs at {num(r[g])}{unit}" for v, r in zip(vals, rs))
            parts.append((label, spread, desc))
        if parts:
            txt = "; ".join(f"{label}: {desc} ({'flat within ' + ratio(sp) if sp < 2 else ratio(sp) + ' apart'})"
                            for label, sp, desc in parts)
            out.append("**Worker CPU per reading** — " + txt + ". The worker's fixed costs (the sampling tick, the "
                       "heartbeat, each processing step's pass over the ring) are shared by all the readings of a "
                       "tick or a step, so where the cost per reading falls with more channels or a faster rate, "
                       "it is those fixed costs being spread; the processing step itself costs what the window "
                       "(readings per channel, at most `--window`) asks. Memory follows the configuration only: "
                       "the shared segment is sized by `--ring-capacity` (the bound in the table) and RSS reaches "
                       "at most the pages the ring has actually filled.")
    if serve:
        o1, o16 = serve_row(serve, "ours", "/metrics", 1), serve_row(serve, "ours", "/metrics", 16)
        if o1 and o16 and med(o1["p50_us"]) and med(o1["p99_us"]) > 5 * med(o1["p50_us"]):
            out.append(f"**Tails are the machine's, not the server's**: on one connection the median `/metrics` "
                       f"takes {ms(med(o1['p50_us']))} and p99 {ms(med(o1['p99_us']))}; a request that waits "
                       "behind another process for a time slice makes the tail.")
    return out


def noise_note(d):
    """How busy the rest of the machine was while the bench measured."""
    m = d.get("machine", {})
    cores = m.get("cores") or 1
    vals = [w.get("foreign_cores") for st in ("serve", "spike") if d.get(st)
            for w in d[st].get("runs", []) if w.get("foreign_cores") is not None]
    if not vals:
        return ""
    vals.sort()
    medv, p90 = vals[len(vals) // 2], vals[int(0.9 * (len(vals) - 1))]
    txt = (f"While wrk ran, the processes that were not part of the measurement used a median of {medv:.2f} and "
           f"a 90th percentile of {p90:.2f} of the machine's {cores} cores (from `/proc/stat` less the CPU of "
           "wrk, the bench and the measured processes; per run in the JSON as `foreign_cores`). ")
    if medv > 0.2 * cores or p90 > 0.5 * cores:
        txt += ("That is a busy machine: other work takes time slices from the server and from wrk, which "
                "inflates tail latencies and lowers throughput; ratios measured in the same run and the "
                "memory figures are the robust numbers, and a quieter machine gives better absolute ones.")
    else:
        txt += "That is a quiet machine for this purpose."
    return txt


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
