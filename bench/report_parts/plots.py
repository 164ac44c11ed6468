"""The report's PNG plots (matplotlib, when installed)."""
import os

from .fmt import MIB, med, serve_row, user_mb
from .targets import TARGET_P99_MS, TARGET_PSS_BYTES


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
