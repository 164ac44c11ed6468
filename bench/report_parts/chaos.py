"""Section "Chaos under load": faults injected while scraped."""
from .fmt import mb, num, table


def chaos_section(w, c):
    w("## Chaos under load\n")
    n = sum(c["faults"].values())
    w(f"Measured by `make bench-chaos` (bench/chaos.py), a run of its own: {c['generated']}, commit "
      f"`{c.get('commit') or '?'}`. The service with its defaults ({c['channels']} channels every "
      f"{c['sample_interval_ms']} ms), VictoriaMetrics scraping it every second, a paced load on `/` and "
      f"`/metrics`, and every {c['every_s']:.0f} s a fault picked at random (seed {c['seed']}) for "
      f"{c['seconds'] / 60:.1f} minutes: {n} faults. *kill*: `kill -9` of the child; *pause*: SIGSTOP for 1 s, "
      "then SIGCONT; *hang*: SIGSTOP until the supervisor kills the child for its stale heartbeat. (A leak "
      "cannot be injected into a running child; the fault tests cover leaks under the caps.)\n")
    w(table(["fault"] + list(c["faults"]), [("times", *[num(v) for v in c["faults"].values()])]))
    hk = c.get("hang_kill_s") or []
    if hk:
        w(f"\nA hung child was killed {hk[len(hk) // 2]:.1f} s (median; {hk[0]:.1f}-{hk[-1]:.1f} s) after it "
          "stopped: the heartbeat timeout (5 s) counts from its last heartbeat, which came up to one beat "
          "before the stop.\n")
    ld = c["load"]
    lost = c["readings_expected"] - c["readings"]
    explained = c["worker_downtime_s"] * 1000 / c["sample_interval_ms"] * c["channels"]
    rows = [
        ("`/metrics` requests answered 200", f"{num(ld['/metrics']['ok'])} of {num(ld['/metrics']['requests'])} "
                                              f"({num(ld['/metrics']['failed'])} failed)"),
        ("`/` requests answered (200, or 503 while the worker was down)",
         f"{num(ld['/']['ok'] + ld['/']['503'])} of {num(ld['/']['requests'])} ({num(ld['/']['503'])} were 503, "
         f"{num(ld['/']['failed'])} failed)"),
        ("VictoriaMetrics scrapes", f"{num(c['vm_scrapes'])}, of which {num(c['vm_scrapes_failed'])} failed"
         + (f": a scrape times out after 1 s while the exporter is stopped or restarting, "
            f"{c['exporter_downtime_s']:.1f} s of this run ({100 * c['exporter_downtime_s'] / c['seconds']:.0f}%)"
            if c.get("exporter_downtime_s") is not None else "")),
        ("counters reset, as VictoriaMetrics' `resets()` sees them",
         f"{len(c['counters_reset'])} of {num(c['counters_checked'])} series"
         + (": " + ", ".join(f"{k} {v:.0f}" for k, v in c["counters_reset"].items()) if c["counters_reset"] else "")),
        ("readings", f"{num(c['readings'])} of {num(c['readings_expected'])} a never-stopped worker would have "
                     f"taken: {num(lost)} missed; the worker's {c['worker_downtime_s']:.1f} s of downtime (restart "
                     f"gaps from the supervisor's log, and the pauses) account for {num(explained)}"),
        ("exits by reason", ", ".join(f"{k} {v}" for k, v in sorted(c["exits"].items()) if v) or "none"),
        ("restarts", ", ".join(f"{k} {v}" for k, v in sorted(c["restarts"].items()))),
        ("RSS at the start / the end", ", ".join(
            f"{k} {mb(c['rss_start'].get(k), 2)} / {mb(c['rss_end'].get(k), 2)}" for k in c["rss_start"])),
    ]
    w(table(["", "measured"], rows))
    w("")
