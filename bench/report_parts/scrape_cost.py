"""Section "Cost of one scrape": CPU and bytes per /metrics, against channels, and gzip."""
from .fmt import fit_line, med, num, ratio, rng, serve_row, table, us


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
