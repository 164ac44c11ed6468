"""Section "Machine": the machine and the versions measured."""
from .fmt import mb, table


def machine_section(w, ctx):
    """The machine and the versions measured."""
    d = ctx["d"]
    m = d.get("machine", {})
    w("## Machine\n")
    v = m.get("versions", {})
    w(table(["", ""], [
        ("CPU", f"{m.get('cpu', '?')}, {m.get('cores', '?')} cores"),
        ("memory", mb(m.get("mem_total_bytes"), 0)),
        ("OS, kernel", f"{m.get('os', '?')}, Linux {m.get('kernel', '?')}"),
        ("memory cgroup", "v1 (/sys/fs/cgroup/memory)" if m.get("cgroup_v1_memory") else "v2 or none"),
        ("load average (1 min) at start / end", f"{m.get('loadavg_start', ['?'])[0]} / "
                                                f"{m.get('loadavg_end', ['?'])[0]}"),
        ("sensor-service", f"{v.get('sensor-service', '?')} (`{m.get('binary', '?')}`), tree at git {m.get('git', '?')}, "
                           f"gcc {v.get('gcc', '?')} -O2, "
                           f"libevent {v.get('libevent', '?')}, glib {v.get('glib', '?')}"),
        ("baseline", f"Debian python3 {v.get('python3', '?')}, python3-flask {v.get('python3-flask', '?')}, "
                     f"python3-prometheus-client {v.get('python3-prometheus-client', '?')}, "
                     f"python3-psutil {v.get('python3-psutil', '?')}"),
        ("others", f"wrk {v.get('wrk', '?')}, victoria-metrics {v.get('victoria-metrics', '?')}, "
                   f"prometheus-node-exporter {v.get('prometheus-node-exporter', '?')}"
                   + (f", nginx-light {v['nginx-light']}" if v.get("nginx-light") else "")
                   + (f", prometheus {v['prometheus']}" if v.get("prometheus") else "")),
        ("bench duration", f"{m.get('duration_s', 0):.0f} s (" + ", ".join(
            f"{k} {s:.0f} s" for k, s in m.get("stage_s", {}).items()) + ")"),
        ("knobs", ", ".join(f"{k}={val}" for k, val in m.get("knobs", {}).items())),
    ]))
    w("")
