"""Section "Sensors at the scale of real boards": the reader pool with channels hung."""
from .fmt import mb, num, table, us


def sensors_section(w, sn):
    """Many file channels, some hung, through the reader pool (the sensors stage)."""
    w("## Sensors at the scale of real boards\n")
    pool = sn["pool"]
    w(f"The sensors stage (bench/sensors_scale.py): file channels every {num(sn['interval_ms'])} ms, read by the "
      f"reader pool at its defaults (reader-threads {pool['reader_threads']}, reader-threads-max "
      f"{pool['reader_threads_max']}), with none and with 8 channels hung ({sn['hung_by']}); "
      f"{sn['warm_s']:g} s to settle, then {sn['window_s']:g} s measured. Target: every healthy channel at its "
      "configured rate while 8 others hang."
      + (f" Measured in a run of its own: {sn['generated']}, commit `{sn['commit']}`." if sn.get("commit") else "")
      + "\n")
    rows = []
    for r in sn["rows"]:
        ratio = ("n/a" if r["rate_ratio_min"] is None else
                 f"{r['rate_ratio_min']:.2f} / {r['rate_ratio_median']:.2f}")
        rows.append((num(r["channels"]), num(r["hung"]), f"{num(r['tasks'])} ({num(r['worker_tasks'])} worker)",
                     mb(r["worker_rss"]) if r.get("worker_rss") else "n/a", us(r["cpu_per_reading_s"], 1),
                     ratio, num(r["healthy_below_90pct"]),
                     f"{num(r['reader_threads'])} / {num(r['reader_threads_held'])} / {num(r['reads_waiting'])}"))
    w(table(["channels", "hung", "tasks", "worker RSS", "worker CPU per reading",
             "healthy rate / configured, min / median", "healthy below 90%", "readers / held / waiting"], rows))
    w("")
