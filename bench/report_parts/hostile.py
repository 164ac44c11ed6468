"""Section "Hostile clients": the bounds a good client and the exporter keep under attack."""
from .fmt import num, table


# The bounds a good client and the exporter must keep under attack.
HOSTILE_OK_RATIO = 0.99
HOSTILE_CPU_FRAC = 0.10
HOSTILE_LOG_BYTES = 100_000


def hostile_section(w, h):
    w("## Hostile clients\n")
    w(f"Measured by `make bench-hostile` (bench/hostile.py), a run of its own: {h['generated']}, commit "
      f"`{h.get('commit') or '?'}`, {h.get('cpu') or '?'} ({h.get('cores', '?')} cores). Each attack starts "
      f"the service afresh (default settings) under `prlimit --nofile={h['nofile']}:{h['nofile']}`, opens "
      f"{num(2 * h['nofile'])} connections of its kind, twice the limit, for {h['attack_s']:.0f} s, and reopens each "
      "one the server closes; meanwhile one client fetches `/metrics` every 0.1 s on a new connection with a "
      "1 s timeout (`tests/integration/lib/starve_http.py`). *idle*: connect and send nothing; *headers*: slowloris, "
      "one header byte every 3 s; *body*: complete headers, then one body byte every 3 s. The attacks on basic "
      "auth run the service with a web config of one user at bcrypt cost 10, and the good client authenticated "
      "before the attack (`bench/hostile_auth.py`): *auth-wrong*: 16 keep-alive clients sending a wrong password "
      "(its CPU bound is 50%: the verify threads use at most `auth-busy-percent`, 40% of a core, and a full queue "
      "is answered 429 unhashed); *auth-right*: 16 keep-alive clients with the right password, 10 requests a second each (without the "
      "cache of verified credentials that would be 8 cores of bcrypt); "
      "*tls-idle*: twice the fd limit of connections to the TLS port that never send a ClientHello. "
      "An answer counts as "
      "served when it is a 200 within 1 s; the exporter's CPU is utime + stime from `/proc/PID/stat` over the "
      "attack; the log is every byte the service wrote meanwhile; the load is the machine's 1-minute load "
      "average at the start and the end of the attack (other processes' work shows in the latencies).\n")
    rows = []
    for r in h["rows"]:
        ok = (r["ok_ratio"] is not None and r["ok_ratio"] >= HOSTILE_OK_RATIO and r["max_ms"] <= 1000
              and r["exporter_cpu_frac"] < r.get("cpu_target", HOSTILE_CPU_FRAC) and r["log_bytes"] < HOSTILE_LOG_BYTES
              and not r["exporter_restarted"])
        rows.append((r["kind"], num(r["conns"]), f"{r['ok']} of {r['requests']} "
                     f"({(r['ok_ratio'] or 0) * 100:.1f}%)", f"{r['p50_ms']:.1f} ms", f"{r['p99_ms']:.1f} ms",
                     f"{r['max_ms']:.0f} ms", f"{r['exporter_cpu_frac'] * 100:.1f}%", num(r["exporter_fds_max"]),
                     num(r["log_bytes"]), num(r["attack_reconnects"]),
                     "/".join(f"{v:.1f}" for v in r["load_1min"]) if r.get("load_1min") else "?",
                     "met" if ok else "**missed**"))
    w(table(["attack", "connections", "good client served", "p50", "p99", "slowest", "exporter CPU",
             "exporter fds at most", "log bytes", "attack reconnects", "load at start/end",
             "≥99% within 1 s, <10% CPU (auth-wrong: <50%), <100 KB log"],
            rows))
    w("")
