"""Section "Spike isolation": latency while the worker burns a CPU spike."""
from .fmt import med, ms, num, ratio, rng, table
from .targets import state_label


def spike_section(w, ctx):
    """Latency while the worker burns a CPU spike."""
    d = ctx["d"]
    made = ctx["made"]
    rel = ctx["rel"]
    spike = d.get("spike")
    w("## Spike isolation\n")
    rows = []
    pct = (lambda x: f"{x * 100:.0f}%")
    for r in spike["summary"]:
        rows.append((r["target"], f"`{r['path']}`", r["load"],
                     state_label(r.get("state")),
                     rng(r["idle_p99_us"], ms),
                     rng(r["spike_p99_us"], ms), ratio(r["p99_ratio"], 2),
                     f"{ms(med(r['idle_p50_us']))} / {ms(med(r['spike_p50_us']))}",
                     f"{pct(med(r['spike_worker_running']) or 0)}, got {med(r['spike_worker_busy']):.2f}",
                     f"{num(med(r['idle_rps']))} / {num(med(r['spike_rps']))}",
                     f"{(med(r.get('idle_foreign_cores')) or 0):.2f} / {(med(r.get('spike_foreign_cores')) or 0):.2f}"))
    w(table(["server", "path", "load", "state", "p99 idle", "p99 in spike", "p99 ratio", "p50 idle / spike",
             "worker running in spike, CPU got", "req/s idle / spike", "other processes, cores idle / spike"],
            rows))
    info = spike.get("info", {})
    if info.get("spike_seconds_count"):
        w(f"\nDuring the run sensor-service's worker recorded {num(info['spike_seconds_count'])} processing "
          f"steps averaging {info['spike_seconds_sum'] / info['spike_seconds_count']:.1f} s "
          f"(`sensor_cpu_spike_seconds`), {num(info.get('worker_restarts'))} worker restarts; the page "
          f"was {num(info.get('page_bytes'))} bytes.")
    w("")
    if "spike" in made:
        w(f"![spike isolation]({rel}/{made['spike']})\n")
