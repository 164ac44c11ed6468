#!/usr/bin/python3
"""fuzz_results.py - the figures of one `make fuzz` run as JSON, for
the report's "Bad bytes" section (bench/report_parts/fuzz.py): per target the executions, the run
time, the crashes (inputs libFuzzer saved as crash-, leak-, timeout- or
oom- artifacts, or an invariant it aborted on), the corpus kept and the
peak RSS. Every figure is read from the run's own logs and artifacts.

    /usr/bin/python3 bench/fuzz_results.py FUZZ_BUILD OUT_JSON TARGET...
"""
import json
import os
import re
import subprocess
import sys


def stat(text, key):
    m = re.search(r"^stat::%s:\s+(\d+)$" % key, text, re.M)
    return int(m.group(1)) if m else None


def target(build, name):
    log_path = os.path.join(build, "fuzz_%s.log" % name)
    if not os.path.exists(log_path):
        return {"ran": False}
    with open(log_path, errors="replace") as f:
        text = f.read()
    artifacts = os.path.join(build, "artifacts")
    saved = sorted(a for a in (os.listdir(artifacts) if os.path.isdir(artifacts) else [])
                   if a.startswith(name + "-") and re.match(r"(crash|leak|timeout|oom)-", a[len(name) + 1:]))
    done = re.search(r"^Done (\d+) runs in (\d+) second", text, re.M)
    corpus = os.path.join(build, "corpus", name)
    return {
        "ran": True,
        "executions": stat(text, "number_of_executed_units"),
        "seconds": int(done.group(2)) if done else None,
        "exec_per_s": stat(text, "average_exec_per_sec"),
        "crashes": len(saved),
        "crash_inputs": saved,
        "sanitizer_reports": len(re.findall(r"^==\d+==ERROR: |runtime error: |invariant failed: ", text, re.M)),
        "corpus_inputs": len(os.listdir(corpus)) if os.path.isdir(corpus) else 0,
        "peak_rss_mb": stat(text, "peak_rss_mb"),
    }


def main():
    build, out, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    # sources that differ from the commit: the figures are not the commit's
    if subprocess.run(["git", "diff", "--quiet", "HEAD", "--", ".", ":!bench/results",
                       ":!PERFORMANCE_REPORT.md"]).returncode != 0:
        commit += "-dirty"
    data = {"commit": commit, "targets": {n: target(build, n) for n in names}}
    with open(out, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    print("fuzz figures in", out)


if __name__ == "__main__":
    main()
