"""Section "The host's vital signs against node_exporter" (the bench's vitals stage)."""
from .fmt import mb, num, table, verdict


def vitals_verdicts(w, v):
    by = {r["server"]: r for r in v["rows"]}
    on, off = by.get("ours, vital signs on"), by.get("ours, vital signs off")
    fast_ms = v.get("fast_sample_interval_ms")
    fast = by.get(f"ours, vital signs on, sampling every {fast_ms} ms") if fast_ms else None
    ne = by.get("node-exporter, same collectors")
    if not (on and off and ne and (on.get("idle") or {}).get("pss") and (ne.get("idle") or {}).get("pss")):
        return
    pss = on["idle"]["pss"] / ne["idle"]["pss"]
    cpu = on["cpu_per_s"] / ne["cpu_per_s"] if ne["cpu_per_s"] else None
    own = (on["cpu_per_s"] - off["cpu_per_s"]) / ne["cpu_per_s"] if ne["cpu_per_s"] else None
    text = (f"The service with its vital signs against node-exporter: PSS idle {pss:.2f}x "
            f"({verdict(pss <= 0.25, pss)} the target of at most a quarter), CPU per second "
            f"{cpu:.2f}x ({verdict(cpu is not None and cpu <= 0.2, cpu)} the target of at most a fifth); "
            f"the vital signs alone (on less off) {own:.2f}x node-exporter's CPU per second.")
    if fast and ne["cpu_per_s"] and on.get("wakeups_per_s") and v.get("sample_interval_ms"):
        text += (f" At the default sampling interval ({v['sample_interval_ms']} ms) the service wakes "
                 f"{on['wakeups_per_s']:.1f} times a second in all, "
                 f"{on['cpu_per_s'] / on['wakeups_per_s'] * 1e6:.0f} µs of CPU per wakeup (on a virtual "
                 "machine, waking an idle task is most of that, whatever it then does). Sampling every "
                 f"{fast_ms} ms instead, the worker wakes for its channels {1000 / fast_ms:.0f} times a second: "
                 f"{fast['wakeups_per_s']:.1f} wakeups a second in all, CPU per second "
                 f"{fast['cpu_per_s'] / ne['cpu_per_s']:.2f}x node-exporter's.")
    text += window_text(v)
    w(text + "\n")


def window_text(v):
    """What the measurement's processing window held: a step's cost grows
    with the square of it until the window is full."""
    p, window = v.get("processing") or {}, v.get("window")
    n = p.get("readings_per_channel")
    if not (n and window and p.get("step_seconds_mean")):
        return ""
    if n >= window:
        return (f" The processing window ({window} readings a channel) was full: its steps took "
                f"{p['step_seconds_mean'] * 1e6:.0f} µs of CPU each.")
    return (f" The processing step analyses the last {window} readings of each channel; sampling every "
            f"{v['sample_interval_ms']} ms, the window held {n} of them at the end of the measurement (full "
            f"after {window * v['sample_interval_ms'] / 60000:.1f} min), so its steps cost less than they do "
            f"once it is full ({p['step_seconds_mean'] * 1e6:.0f} µs of CPU each here; the cost grows with "
            "the square of the readings analysed).")


def wake_cell(r):
    n = r.get("wakeups_per_s")
    return "" if n is None else f"{n:.1f}"


def vitals_section(w, v):
    w("## The host's vital signs against node_exporter\n")
    w(f"In one run: sensor-service with its host collectors on (the defaults: {', '.join(v['collectors'])}, "
      "sampled by the worker every host-interval-ms) and off, and prometheus-node-exporter with the same "
      "collectors (`--collector.disable-defaults --collector.cpu ...`). Memory: RSS and PSS summed over each "
      "service's processes, idle after the first scrape and right after a wrk run (16 connections, "
      f"{v['wrk_s']} s). CPU: every process of the service, one scrape a second for {v['seconds']:.0f} s "
      "(schedstat), per second, and the wakeups (voluntary context switches of every thread) per second "
      "over the same time. The machine is shared with other work: CPU figures are noisy.\n")
    rows = []
    for r in v["rows"]:
        i, lo = r.get("idle") or {}, r.get("loaded") or {}
        rows.append((r["server"], mb(i.get("rss")), mb(i.get("pss")), mb(lo.get("rss")), mb(lo.get("pss")),
                     f"{r['cpu_per_s'] * 1e3:.2f} ms/s", wake_cell(r), num(r["page_bytes"]), num(r["rps"])))
    w(table(["server", "RSS idle", "PSS idle", "RSS after load", "PSS after load", "CPU at 1 scrape/s",
             "wakeups/s", "page bytes", "/metrics req/s (c16)"], rows))
    w("")
    vitals_verdicts(w, v)
