"""Section "What misses its target, and why": a sentence or two per missed target, from the data."""
from .fmt import PAGE, mb, med, ms, num, ratio, serve_row, us, user_mb
from .targets import (CONTRAST_LABELS, TARGET_PSS_BYTES, TARGET_SPIKE_RATIO, TARGET_STACK_BYTES,
                      ceiling_ratios, contrast_rows)


def explanations(d, targets):
    """One honest sentence or two per missed target, from the data."""
    out = []
    for _, measured, v, key in targets:
        why = WHY.get(key) if v == "**missed**" else None
        text = why(d, key, measured, targets) if why else None
        if text:
            out.append(text)
    return out


def why_pss(d, key, measured, targets):
    serve = d.get("serve")
    if not serve:
        return None
    parts = {p: med(serve["load"].get(p, {}).get("pss")) for p in ("supervisor", "worker", "exporter")}
    big = max(parts, key=lambda p: parts[p] or 0)
    return (f"*Service PSS* ({measured}) is over {user_mb(TARGET_PSS_BYTES)}; the largest share is the "
            f"{big}'s "
            f"({mb(parts[big], 2)}). PSS counts each process's private pages plus its share of "
            "the libraries (libc, glib, libevent) and of the segment; glib alone is about 1 MB of RSS "
            "per process on this machine (FIELD_NOTES).")


def why_pss_ratio(d, key, measured, targets):
    return (f"*PSS against the baseline* ({measured}) is under 5x.")


def why_rps(d, key, measured, targets):
    m = d.get("machine", {})
    serve = d.get("serve")
    if not serve:
        return None
    return (f"*Throughput ratio* ({measured}) is under 20x. wrk, the exporter and everything else on "
            f"the machine share {m.get('cores', '?')} cores; the load average was "
            f"{m.get('loadavg_start', ['?'])[0]} at the start of the run.")


def why_p99(d, key, measured, targets):
    m = d.get("machine", {})
    serve = d.get("serve")
    if not serve:
        return None
    o = serve_row(serve, "ours", "/metrics", 16)
    return (f"*p99 at 16 connections* ({measured}) is over 2 ms. At 16 connections the single-threaded "
            f"exporter serves requests one after another (median {ms(med(o['p50_us']))}), so the tail "
            "is queueing behind the other 15 plus any time wrk or another process holds the core"
            + (f"; other processes used {med(o['foreign_cores']):.2f} of the {m.get('cores', '?')} cores "
               "during these runs" if med(o.get("foreign_cores")) is not None else "")
            + ". FIELD_NOTES measured 0.68 ms for a bare evhttp server on a quiet machine of this kind.")


def why_ceiling(d, key, measured, targets):
    serve = d.get("serve")
    if not serve:
        return None
    if key == "ceiling_p99" and any(k == "ceiling_rps" and vv == "**missed**"
                                    for _, _, vv, k in targets):
        return None  # one explanation for both
    rr, pr, o, n = ceiling_ratios(serve)
    return (f"*Against nginx* ({ratio(rr, 2)} of its req/s, {ratio(pr, 2)} its p99): nginx sends the same "
            "bytes from a file it has in the page cache; our exporter renders the page at every request "
            f"(median {ms(med(o['p50_us']))} "
            f"against nginx's {ms(med(n['p50_us']))} at 16 connections). The CPU per scrape "
            "is the lever (see *Cost of one scrape*).")


def why_scrape_cpu(d, key, measured, targets):
    serve = d.get("serve")
    if not d.get("scale"):
        return None
    if key == "scrape_cpu_1024" and any(k == "scrape_cpu_3" and vv == "**missed**"
                                        for _, _, vv, k in targets):
        return None  # one explanation for both
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
    return (f"*CPU per scrape* ({measured}): the rendering of the page alone, timed by the exporter, "
            f"is over its bound; see the per-series fit under *Cost of one scrape*.{floor}")


def why_spike(d, key, measured, targets):
    m = d.get("machine", {})
    spike = d.get("spike")
    if not spike:
        return None
    worst = max((r for r in spike["summary"] if r["target"] == "ours" and r["load"] == "paced"
                 and r.get("state", "spike") == "spike"), key=lambda r: r["p99_ratio"] or 0)
    nice = contrast_rows(spike)
    return (f"*Spike isolation* misses on `{worst['path']}` ({ratio(worst['p99_ratio'], 2)}: "
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


def why_soak(d, key, measured, targets):
    soak = d.get("soak")
    if not soak:
        return None
    st = soak["stats"]
    grown = [p for p in ("supervisor", "worker", "exporter")
             if p in st and st[p]["rss_last"] - st[p]["rss_first"] > PAGE]
    desc = "; ".join(f"{p}: RSS {num(st[p]['rss_first'] / 1024)} KiB after warm-up, "
                     f"{num(st[p]['rss_last'] / 1024)} KiB at the end" for p in grown)
    return (f"*Soak growth*: {desc}. Pages touched for the first time late in the run (a larger "
            "buffer for the largest page or burst so far, the heap's or the ring's last untouched "
            "pages) grow RSS without a leak; only a longer soak (`BENCH_SOAK_S=1800`) tells growth "
            "that levels off from one that does not." + long_soak_verdict(d.get("soak_long"), grown))


def why_fleet(d, key, measured, targets):
    if not d.get("fleet"):
        return None
    return (f"*The fleet's scrape* ({measured}): each server's CPU per scrape is the process's CPU over "
            "the scrapes; on a shared machine a few milliseconds of another process's work on the same "
            "core between two scrapes shows here, so compare the medians in *The scrape a fleet makes*.")


def why_stack(d, key, measured, targets):
    soak = d.get("soak")
    if not soak:
        return None
    st = soak["stats"]
    parts = {p: st.get(p, {}).get("rss_max") for p in ("ours", "victoria-metrics", "vmalert")}
    big = max(parts, key=lambda p: parts[p] or 0)
    return (f"*Stack total* ({measured}) is over {user_mb(TARGET_STACK_BYTES)}; the largest part is {big} "
            f"({mb(parts[big])}).")


# The explanation of each target's miss, by the target's key.
WHY = {
    "pss": why_pss,
    "pss_ratio": why_pss_ratio,
    "rps": why_rps,
    "p99": why_p99,
    "ceiling_rps": why_ceiling,
    "ceiling_p99": why_ceiling,
    "scrape_cpu_3": why_scrape_cpu,
    "scrape_cpu_1024": why_scrape_cpu,
    "spike": why_spike,
    "soak": why_soak,
    "fleet": why_fleet,
    "stack": why_stack,
}


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
