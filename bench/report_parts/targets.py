"""The performance targets and each one's verdict from the run's figures."""
from .fmt import PAGE, mb, med, ms, num, ratio, serve_row, us, user_mb, verdict


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


def evaluate(d):
    """[(target text, measured text, verdict, key)] plus facts for the
    explanations."""
    out = serve_targets(d.get("serve"))
    out += scrape_cpu_targets(d.get("scale"))
    out.append(fleet_target(d.get("fleet")))
    out += spike_targets(d.get("spike"))
    out += soak_targets(d.get("soak"))
    return out


def serve_targets(serve):
    """The memory, throughput and latency targets of the serve stage."""
    out = []
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
    return out


def spike_targets(spike):
    """Latency during the CPU spike against idle."""
    out = []
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
    return out


def soak_targets(soak):
    """RSS growth over the soak and the whole stack's RSS."""
    out = []
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
