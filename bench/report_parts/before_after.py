"""Section "Before and after": the original design behind Prometheus against sensor-service behind
VictoriaMetrics and vmalert, component by component.
"""
from .fmt import MIB, mb, med, ms, num, serve_row, table, us, user_mb
from .targets import BUDGET_BYTES


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
