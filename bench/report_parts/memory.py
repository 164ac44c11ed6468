"""Section "Memory": RSS and PSS per process, and the arm64 board beside them."""
from .fmt import mb, med, ratio, rng, table


def memory_section(w, ctx):
    """RSS and PSS per process, idle and under load; the arm64 board beside them."""
    d = ctx["d"]
    made = ctx["made"]
    rel = ctx["rel"]
    serve = d.get("serve")
    soak = d.get("soak")
    w("## Memory\n")
    rows = []
    for lab, name in (("supervisor", "supervisor"), ("worker", "worker"), ("exporter", "exporter"),
                      ("ours", "**sensor-service, sum of 3**"),
                      ("ours_unique", "sensor-service, each resident page of the 3 counted once"),
                      ("baseline", "**baseline** (Flask, one process)"),
                      ("original", "original design (it grows: see *Soak*)"),
                      ("node-exporter", "prometheus-node-exporter (reference)")):
        if lab not in serve["idle"]:
            continue
        i, ld = serve["idle"][lab], serve["load"].get(lab, {})
        f2 = (lambda b: mb(b, 2))
        rows.append((name, rng(i["rss"], f2), rng(i["pss"], f2), rng(ld.get("rss"), f2),
                     rng(ld.get("pss"), f2)))
    if soak:
        for lab in ("victoria-metrics", "vmalert"):
            if lab in soak["stats"]:
                s = soak["stats"][lab]
                rows.append((f"{lab} (during the soak)", "", "", rng(s["rss"], lambda b: mb(b, 1)),
                             rng(s["pss"], lambda b: mb(b, 1))))
    w(table(["process", "RSS idle", "PSS idle", "RSS under load", "PSS under load"], rows))
    bl = serve["idle"].get("baseline", {})
    o = serve["idle"].get("ours", {})
    if med(bl.get("rss")) and med(o.get("pss")) and med(o.get("rss")):
        w(f"\nIdle, the baseline's RSS is {ratio(med(bl['rss']) / med(o['pss']))} the service's PSS sum and "
          f"{ratio(med(bl['rss']) / med(o['rss']))} its RSS sum. The shared segment is "
          f"{mb(serve.get('segment_bytes'), 2)} with the default ring.\n")
    if "memory" in made:
        w(f"![memory per process]({rel}/{made['memory']})\n")
    board = board_section(d.get("board"))
    if board:
        w(board)


def board_section(b):
    """arm64 beside x86-64: both measured by one `make test-board` run."""
    if not b or "arm64" not in b or "host" not in b:
        return ""
    a, h = b["arm64"], b["host"]
    rows = []
    for p in ("supervisor", "worker", "exporter"):
        rows.append((p, mb(h[p]["rss_bytes"], 2), mb(h[p]["pss_bytes"], 2),
                     mb(a[p]["rss_bytes"], 2), mb(a[p]["pss_bytes"], 2)))
    tot = {k: sum(x[p][k] for p in ("supervisor", "worker", "exporter")) for x, k in
           ((h, "rss_bytes"), (h, "pss_bytes"))}
    tot_a = {k: sum(a[p][k] for p in ("supervisor", "worker", "exporter")) for k in ("rss_bytes", "pss_bytes")}
    rows.append(("**sum of 3**", mb(tot["rss_bytes"], 2), mb(tot["pss_bytes"], 2),
                 mb(tot_a["rss_bytes"], 2), mb(tot_a["pss_bytes"], 2)))
    rows.append(("shared segment", mb(h["segment_bytes"], 2), "", mb(a["segment_bytes"], 2), ""))
    harch = h.get("arch", "host")
    return "\n".join([
        "### arm64, on an emulated board\n",
        f"`make test-board` (tree at git {b.get('git', '?')}, {b.get('generated', '?')[:10]}) boots Debian's arm64 "
        f"kernel {a.get('kernel', '?')} on {b.get('board', '?')} ({b.get('qemu', '?')}), runs the arm64 and armhf "
        "unit tests and the service's end-to-end test there, then measures the service idle with its defaults "
        f"({a.get('samples', '?')} samples one second apart after {a.get('warmup_s', '?')} s, medians), and the "
        f"host's own build the same way right after. Page size {a.get('page_size', '?')} B on the board, "
        f"{h.get('page_size', '?')} B on the host. The board is emulated: its memory figures are the arm64 "
        "build's own (code size, libraries, page tables), its timings are not a board's. PSS splits each shared "
        "page among the processes mapping it: on the host, libc and glib are mapped by many other processes, on "
        "the board by almost none, so the board's PSS is nearer to what the service costs a device of its own.\n",
        table(["process", f"RSS {harch}", f"PSS {harch}", "RSS arm64 (emulated)", "PSS arm64 (emulated)"], rows),
        "",
    ])
