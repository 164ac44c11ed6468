"""Section "Libraries mapped by each process": the optional libraries each
process maps and their memory (bench/libmap.py)."""
import re

from .fmt import mb, med, rng, table, verdict

# The memory targets at the defaults (TLS off) after the first gzip scrape.
TARGET_UNIQUE_BYTES = 5 * 1024 * 1024
TARGET_WORKER_RSS_BYTES = 2.5 * 1024 * 1024


def libmap_rows(cases):
    f2 = (lambda b: mb(b, 2))
    rows = []
    for name in ("before", "after"):
        c = cases.get(name)
        if not c:
            continue
        label = f"{name} ({c['label']})" if c.get("label") else name
        for role in ("supervisor", "worker", "exporter"):
            libs = c[role].get("libs") or {}
            text = ", ".join(f"{k} {mb(v, 2)}" for k, v in sorted(libs.items())) or "none"
            rows.append((label, role, rng(c[role]["rss"], f2), rng(c[role]["pss"], f2), text))
        rows.append((label, "each resident page of the 3 counted once", rng(c["unique"], f2), "", ""))
    return rows


def libmap_targets(a):
    f2 = (lambda b: mb(b, 2))
    u, wr = med(a["unique"]), med(a["worker"]["rss"])
    wl = a["worker"].get("libs") or {}
    forbidden = [k for k in wl if re.search(r"ssl|crypto|yaml|libz", k)]
    return table(["target (after)", "measured", "met"], [
        (f"each resident page of the 3 counted once <= {mb(TARGET_UNIQUE_BYTES, 1)}", f2(u),
         verdict(u is not None and u <= TARGET_UNIQUE_BYTES, f2(u))),
        (f"the worker's RSS < {mb(TARGET_WORKER_RSS_BYTES, 1)}", f2(wr),
         verdict(wr is not None and wr < TARGET_WORKER_RSS_BYTES, f2(wr))),
        ("the worker maps no TLS, YAML or zlib library", ", ".join(forbidden) or "none",
         verdict(not forbidden, ", ".join(forbidden) or "none")),
    ])


def libmap_section(w, lm):
    """The libraries each process maps and their memory (bench/libmap.py)."""
    w("## Libraries mapped by each process\n")
    w(f"Measured by bench/libmap.py (`make bench-libmap`, or the bench's `libmap` stage): {lm.get('generated', '?')}"
      f"{', commit `' + lm['commit'] + '`' if lm.get('commit') else ''}. The service at its defaults (TLS off), "
      f"{lm.get('samples', '?')} samples after the first scrape of a client that asks for gzip. *Optional "
      f"libraries*: OpenSSL (libssl, libcrypto), libevent_openssl, libyaml, zlib and libcrypt, with the RSS of "
      f"their mappings in that process. Figures are ranges (median) over the samples.\n")
    w(table(["build", "process", "RSS", "PSS", "optional libraries mapped (RSS)"], libmap_rows(lm["cases"])))
    if lm["cases"].get("after"):
        w("\n" + libmap_targets(lm["cases"]["after"]))
    w("")
