"""Section "Throughput and latency"."""
from .fmt import med, ms, num, ratio, rng, serve_row, table


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
