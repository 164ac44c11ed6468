"""Section "Textfiles": what the textfile collector costs (the textfile stage)."""
from .fmt import mb, ms, num, table, us


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
