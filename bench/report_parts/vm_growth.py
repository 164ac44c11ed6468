"""VictoriaMetrics over a long soak: whether its RSS levels off, and what grows."""
from .fmt import MIB, fit_line, mb, table


def part_slope(pts, lo, hi):
    """Least-squares slope (bytes/min) of the [t, rss, ...] points with lo <= t < hi."""
    sel = [p for p in pts if lo <= p[0] < hi]
    a, b = fit_line([p[0] for p in sel], [p[1] for p in sel])
    return None if b is None else 60 * b


def internal_at(rows, t, key):
    """The internal figure `key` sampled nearest to t seconds."""
    if not rows:
        return None
    return min(rows, key=lambda r: abs(r[0] - t))[1].get(key)


def cache_limits(soak):
    """(VictoriaMetrics' memory flags, {cache: limit}) from the last internal
    sample of a soak, or (None, {})."""
    rows = (soak or {}).get("internals", {}).get("victoria-metrics", [])
    if not rows or not rows[-1][1].get("caches_max"):
        return None, {}
    return " ".join(f for f in soak["vm_flags"] if f.startswith("-memory")), rows[-1][1]["caches_max"]


def vm_growth_section(w, longs, soak=None):
    """Whether VictoriaMetrics' (and vmalert's) RSS levels off: long soaks of
    their own (make bench-soak-long), RSS slopes over the first and last
    part, and what they say of their own heap, caches and data."""
    if not longs:
        return
    w("## VictoriaMetrics over a long soak\n")
    w("Measured by `make bench-soak-long` (the soak stage alone, into `soak-long*.json`), a run of its own per set "
      "of VictoriaMetrics flags: the same service, load, 1 s scrapes and vmalert as the soak above, for longer. "
      "The slopes are least-squares fits of RSS over the first and the last third of the time after warm-up; the "
      "figures on the right are the processes' own (their `/metrics`, sampled every 10 s): Go's heap in use, the "
      "sum of VictoriaMetrics' caches (`vm_cache_size_bytes`) against their limits (`vm_cache_size_max_bytes`), "
      "the file-backed RSS (the data files mapped) and the data on disk; *allowed* is `vm_allowed_memory_bytes`.\n")
    rows = []
    for fn, sl in longs.items():
        flags = " ".join(f for f in sl["vm_flags"] if f.startswith("-memory"))
        for proc in ("victoria-metrics", "vmalert"):
            pts = sl["series"].get(proc, [])
            if len(pts) < 6:
                continue
            t0, t1 = sl["warmup_s"], pts[-1][0]
            third = (t1 - t0) / 3
            first, last = part_slope(pts, t0, t0 + third), part_slope(pts, t1 - third, t1 + 1)
            internals = sl.get("internals", {}).get(proc, [])
            rss0 = min(pts, key=lambda p: abs(p[0] - t0))[1]

            def at(t, key):
                v = internal_at(internals, t, key)
                return mb(v) if v is not None else "n/a"

            def span(key):
                a, b = at(t0, key), at(t1, key)
                return "" if a == b == "n/a" else f"{a} → {b}"
            rows.append((proc, f"`{flags}` ({fn}, {sl['soak_s'] / 60:.0f} min)",
                         span("vm_allowed_memory_bytes").split(" → ")[-1],
                         f"{mb(pts[0][1])} / {mb(rss0)} / {mb(pts[-1][1])}",
                         f"{first / MIB:+.2f}" if first is not None else "n/a",
                         f"{last / MIB:+.2f}" if last is not None else "n/a",
                         span("go_memstats_heap_inuse_bytes"),
                         span("vm_cache_size_bytes") + (f" (limits {at(t1, 'vm_cache_size_max_bytes')})"
                                                        if proc == "victoria-metrics" else ""),
                         span("process_resident_memory_file_bytes"), span("vm_data_size_bytes")))
    w(table(["process", "VictoriaMetrics flags", "allowed", "RSS at start / after warm-up / end",
             "slope, first third, MiB/min", "slope, last third, MiB/min", "Go heap in use, after warm-up → end",
             "caches, after warm-up → end", "file-backed RSS, after warm-up → end", "data on disk"], rows))
    w("")
    for fn, sl in longs.items():
        for proc in ("victoria-metrics", "vmalert"):
            txt = vm_growth_text(fn, sl, proc)
            if txt:
                w(f"- {txt}")
    flags, limits = cache_limits(soak)
    big = sorted(((v, k) for k, v in limits.items() if v > 16 * MIB), reverse=True)
    if big:
        w(f"\nWith `{flags}` (the soak of this run) the caches' limits still add up to {mb(sum(limits.values()))}: "
          + ", ".join(f"`{k}` {mb(v)}" for v, k in big) + " have limits of their own above the 16 MiB the flag "
          "allows, so the flag alone does not keep the caches under it; what they fill is what the series "
          "written and queried need, and they rise and fall as VictoriaMetrics rotates them.")
    w("\nVictoriaMetrics sizes its caches from `-memory.allowedBytes`, or when that is not given from "
      "`-memory.allowedPercent` of the machine's memory; some caches can be capped one by one "
      "(`-storage.cacheSizeStorageTSID`, `-storage.cacheSizeIndexDBTagFilters`, `-storage.cacheSizeIndexDBDataBlocks`, "
      "`-storage.cacheSizeIndexDBIndexBlocks`) and the query response cache switched off (`-search.disableCache`). "
      "The stack (scripts/run-stack.sh) and the bench give `-memory.allowedBytes=16MiB` (vmalert 8MiB). The data "
      "on disk, and the file pages of it that are mapped, grow with what is stored, bounded by "
      "`-retentionPeriod`.\n")


def mean_between(rows, lo, hi, key):
    """Mean of the internal figure `key` sampled at lo <= t < hi, or None."""
    v = [r[1][key] for r in rows if lo <= r[0] < hi and r[1].get(key) is not None]
    return sum(v) / len(v) if v else None


def vm_growth_text(fn, sl, proc="victoria-metrics"):
    """What a long soak says of VictoriaMetrics' growth: whether it levels
    off, and how much of it the caches, Go's heap and file pages explain
    (each as its mean over the last third against its value at the end of
    the warm-up: the caches rise and fall as they rotate)."""
    pts = sl["series"].get(proc, [])
    internals = sl.get("internals", {}).get(proc, [])
    if len(pts) < 6 or len(internals) < 2:
        return ""
    t0, t1 = sl["warmup_s"], pts[-1][0]
    third = (t1 - t0) / 3
    first, last = part_slope(pts, t0, t0 + third), part_slope(pts, t1 - third, t1 + 1)
    if first is None or last is None:
        return ""
    rss0 = min(pts, key=lambda p: abs(p[0] - t0))[1]
    tail = [p[1] for p in pts if p[0] >= t1 - third]
    plateau = sum(tail) / len(tail)
    early = [p for p in pts if p[0] <= t0 + third]
    flags = " ".join(f for f in sl["vm_flags"] if f.startswith("-memory"))
    levels = last < max(0.05 * MIB, 0.25 * abs(first))  # flat, falling, or a quarter of the early slope
    start = part_slope(pts, 15, 60)  # the part of the time a default 60 s soak fits after its 15 s warm-up
    txt = (f"{proc} with `{flags}` ({fn}): RSS started at {mb(pts[0][1])}"
           + (f" and grew {start / MIB:+.2f} MiB/min between 15 and 60 s (what a default 60 s soak fits)"
              if start is not None else "")
           + f"; from {mb(rss0)} at the end of the {t0:.0f} s warm-up it went to {mb(plateau)} on average "
           f"over the last third (peak {mb(max(p[1] for p in pts))}); it grew {first / MIB:+.2f} MiB/min over the "
           f"first third (to {mb(early[-1][1])}) and {last / MIB:+.2f} MiB/min over the last: "
           + ("it levels off after the start-up: growth with a bound, not a leak. " if levels
              else "it is still growing at the end, slowly. "))
    parts = []
    for key, what in (("go_memstats_heap_inuse_bytes", "Go's heap in use"), ("vm_cache_size_bytes", "its caches"),
                      ("process_resident_memory_file_bytes", "its file-backed pages")):
        a, b = internal_at(internals, t0, key), mean_between(internals, t1 - third, t1 + 1, key)
        if a is not None and b is not None:
            parts.append((b - a, what, a, b))
    if parts:
        limits = internal_at(internals, t1, "vm_cache_size_max_bytes")
        txt += ("Between the same points, " + ", ".join(f"{what} {mb(a)} → {mb(b)}" for _, what, a, b in parts)
                + (f" (the caches' limits add up to {mb(limits)})" if limits else "") + ". ")
        cs = [r[1]["vm_cache_size_bytes"] for r in internals if r[0] >= t0 and r[1].get("vm_cache_size_bytes")]
        if cs:
            txt += f"After warm-up the caches went up and down between {mb(min(cs))} and {mb(max(cs))}. "
        big = max(parts)
        if plateau > rss0 and big[0] > 0:
            txt += f"The largest part of the growth after warm-up is {big[1]}."
    if not levels:
        txt += (f" At the last third's rate that is {last * 60 / MIB:.1f} MiB an hour; a longer soak tells whether "
                "it stops.")
    return txt
