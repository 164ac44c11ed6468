"""Section "Soak": RSS over the soak."""
from .fmt import PAGE, mb, num, table


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
