"""Section "Scale": memory and CPU as channels, rate and ring grow."""
from .fmt import mb, ms, num, table, us


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
