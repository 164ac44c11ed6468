"""Section "Bad bytes": the fuzz targets' runs."""
from .fmt import num, table


# What each fuzz target feeds its bytes to (tests/fuzz/fuzz_*.c).
FUZZ_WHAT = {
    "config": "configuration file and command line",
    "fault": "fault specs (--fault)",
    "routes": "HTTP request targets and routing",
    "push": "push input lines",
    "shm": "the shared segment, header and unterminated strings included, then the supervisor's repair",
}


def bad_bytes(fuzz, w):
    w("## Bad bytes\n")
    w(f"`make fuzz-report` on commit {fuzz.get('commit', '?')}: libFuzzer with AddressSanitizer and UBSan, "
      "each target for the time shown; a crash is an input libFuzzer saved (crash, leak, timeout, out of "
      "memory) or an invariant of the target that failed.\n")
    rows = []
    for name, t in fuzz["targets"].items():
        if not t.get("ran"):
            rows.append((name, FUZZ_WHAT.get(name, ""), "not run", "", "", "", ""))
            continue
        rows.append((name, FUZZ_WHAT.get(name, ""), num(t["executions"]), f"{t['seconds']} s",
                     num(t["exec_per_s"]), str(t["crashes"]), num(t["corpus_inputs"])))
    w(table(["target", "input", "executions", "time", "exec/s", "crashes", "corpus (all runs)"], rows))
    missing = [n for n in FUZZ_WHAT if n not in fuzz["targets"]]
    if missing:
        w(f"\nNo fuzz target yet for: {', '.join(FUZZ_WHAT[n] for n in missing)}.\n")
