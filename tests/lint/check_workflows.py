#!/usr/bin/env python3
"""check_workflows.py - keep .github/workflows/*.yml from rotting.

Parses every workflow as YAML and checks that
  - ci.yml runs on push and pull_request, security.yml also on a schedule;
  - every job has runs-on and steps, every step has run or uses;
  - every `make TARGET` in a run step (with ${{ matrix.X }} expanded over the
    job's matrix) names a target that exists in the Makefile database
    (`make -pq`, which includes mk/*.mk);
  - every repository file a run step names (scripts/..., tests/..., a
    Dockerfile given to docker build -f) exists; deploy/Dockerfile is
    checked through `make docker-image`.
Prints one line per check, "ok <what>" or "FAIL <what>", and exits 1 on any
failure. Usage: check_workflows.py [REPO_ROOT]
"""
import itertools
import json
import os
import re
import shlex
import subprocess
import sys

import yaml

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", ".."))
WORKFLOWS = os.path.join(ROOT, ".github", "workflows")
failures = 0


def report(what, ok):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1


def make_targets():
    """All explicit targets GNU make knows in this tree (its -p database)."""
    out = subprocess.run(["make", "-C", ROOT, "-pq", "--no-print-directory", ".DEFAULT"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    targets = set()
    not_a_target = False
    for line in out.splitlines():
        if line.startswith("# Not a target"):
            not_a_target = True
            continue
        m = re.match(r"^([A-Za-z0-9][^:#=\s]*(?:\s+[^:#=\s]+)*)\s*::?(?!=)", line)
        if m and not line.startswith("\t"):
            if not not_a_target:
                targets.update(m.group(1).split())
            not_a_target = False
        elif line == "":
            not_a_target = False
    return targets


def ci_list(*args):
    """What .ci/list (the reader of .ci/checks, the one list of checks) prints."""
    out = subprocess.run([os.path.join(ROOT, ".ci", "list")] + list(args), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    report(".ci/list %s runs (%s)" % (" ".join(args), out.stderr.strip() or "ok"), out.returncode == 0)
    return out.stdout


def matrix_combos(job):
    """Every assignment of the job's matrix variables (plus include entries).
    An include read from the job "list" is .ci/checks' matrix."""
    matrix = (job.get("strategy") or {}).get("matrix") or {}
    if not isinstance(matrix, dict):
        return [{}]
    include = matrix.get("include")
    if isinstance(include, str):
        m = re.search(r"needs\.list\.outputs\.(\w+)", include)
        return json.loads(ci_list("matrix", m.group(1))) if m else [{}]
    axes = {k: v for k, v in matrix.items() if k not in ("include", "exclude") and isinstance(v, list)}
    combos = [dict(zip(axes, vals)) for vals in itertools.product(*axes.values())] if axes else [{}]
    combos += [dict(inc) for inc in matrix.get("include") or []]
    return combos


def expand(text, combo):
    # a step that runs one row of .ci/checks runs that row's command
    text = re.sub(r'bash -c "\$\(\.ci/list row ([\w-]+) \| cut -f5\)"',
                  lambda m: ci_list("row", m.group(1)).rstrip("\n").split("\t")[4], text)

    def sub(m):
        key = m.group(1)
        if key.startswith("matrix."):
            return str(combo.get(key[len("matrix."):], m.group(0)))
        return m.group(0)
    return re.sub(r"\$\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}", sub, text)


SHELL_OPS = {"&&", "||", ";", "|", "&", "then", "do", "else", "fi", "done"}
MAKE_OPTS_WITH_ARG = {"-C", "-f", "--file", "--makefile", "-I", "-o", "-W", "--directory"}


COMMAND_PREFIXES = {"sudo", "env", "time", "exec", "nice", "command"}


def make_goals(command):
    """Goals of every `make ...` that stands in command position in one shell
    command line (so `apt-get install make` is not a make run)."""
    try:
        words = shlex.split(command.replace(";", " ; "), comments=True)
    except ValueError:
        words = command.split()
    goals, i, at_command = [], 0, True
    while i < len(words):
        w = words[i]
        if at_command and os.path.basename(w) in ("make", "gmake", "$(MAKE)"):
            i += 1
            while i < len(words) and words[i] not in SHELL_OPS:
                w = words[i]
                if w in MAKE_OPTS_WITH_ARG:
                    i += 1
                elif not (w.startswith("-") or "=" in w):
                    goals.append(w)
                i += 1
            continue
        if w in SHELL_OPS or w in ("if", "while", "until", "!"):
            at_command = True
        elif at_command and (w in COMMAND_PREFIXES or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", w)):
            at_command = True
        else:
            at_command = False
        i += 1
    return goals


def repo_paths(command):
    """Repository files a command names: scripts/..., tests/..., docker -f X."""
    paths = re.findall(r"(?<![\w/.-])((?:scripts|tests|deploy|diagrams|docs)/[\w./-]+)", command)
    paths += re.findall(r"docker\s+build\b.*?\s-f\s+(\S+)", command)
    return [p for p in paths if "*" not in p and "$" not in p]


def main():
    targets = make_targets()
    report("make -pq lists targets (found %d)" % len(targets), len(targets) > 10)
    for required in ("lint", "security", "format-check", "test", "asan", "ubsan", "coverage", "diagrams"):
        report("make target '%s' exists" % required, required in targets)

    files = sorted(f for f in os.listdir(WORKFLOWS) if f.endswith((".yml", ".yaml"))) if os.path.isdir(WORKFLOWS) else []
    for name in ("ci.yml", "security.yml"):
        report("%s exists" % name, name in files)

    for name in files:
        path = os.path.join(WORKFLOWS, name)
        try:
            with open(path) as fh:
                wf = yaml.safe_load(fh)
            report("%s parses as YAML" % name, isinstance(wf, dict))
        except yaml.YAMLError as e:
            report("%s parses as YAML (%s)" % (name, str(e).replace("\n", " ")), False)
            continue
        # YAML 1.1 reads the bare key `on` as the boolean True.
        on = wf.get("on", wf.get(True))
        events = set(on) if isinstance(on, (dict, list)) else {on}
        if name == "ci.yml":
            report("ci.yml runs on push and pull_request", {"push", "pull_request"} <= events)
        if name == "security.yml":
            report("security.yml runs on push, pull_request and a schedule",
                   {"push", "pull_request", "schedule"} <= events)
            crons = [s.get("cron") for s in (on.get("schedule") or [])] if isinstance(on, dict) else []
            report("security.yml schedule is weekly (%s)" % crons,
                   any(c and len(c.split()) == 5 and c.split()[4] != "*" and c.split()[2] == "*" for c in crons))

        jobs = wf.get("jobs") or {}
        report("%s has jobs" % name, bool(jobs))
        goals_seen = set()
        for jname, job in jobs.items():
            report("%s: job %s has runs-on and steps" % (name, jname),
                   isinstance(job, dict) and "runs-on" in job and isinstance(job.get("steps"), list))
            for combo in matrix_combos(job):
                for k, step in enumerate(job.get("steps") or []):
                    if not isinstance(step, dict) or not ("run" in step or "uses" in step):
                        report("%s: job %s step %d has run or uses" % (name, jname, k + 1), False)
                        continue
                    run = expand(str(step.get("run", "")), combo)
                    if "${{ matrix." in run:
                        report("%s: job %s: matrix variable in '%s' is defined" % (name, jname, run.strip()), False)
                    for line in run.splitlines():
                        for goal in make_goals(line):
                            key = (jname, goal)
                            if key in goals_seen:
                                continue
                            goals_seen.add(key)
                            report("%s: job %s runs `make %s`: target exists" % (name, jname, goal), goal in targets)
                        for p in repo_paths(line):
                            report("%s: job %s names %s: file exists" % (name, jname, p),
                                   os.path.exists(os.path.join(ROOT, p)))
        report("%s runs at least one make target" % name, bool(goals_seen))
        if any(g == "docker-image" for _, g in goals_seen):
            df = os.path.join(ROOT, "deploy", "Dockerfile")
            if os.path.exists(df):
                report("%s: make docker-image builds deploy/Dockerfile: file exists" % name, True)
            else:
                print("note %s: make docker-image needs deploy/Dockerfile, not in this tree yet" % name)

    described = set()
    for mk in [os.path.join(ROOT, "Makefile")] + sorted(
            os.path.join(ROOT, "mk", f) for f in os.listdir(os.path.join(ROOT, "mk")) if f.endswith(".mk")):
        with open(mk) as fh:
            described.update(m.group(1) for m in re.finditer(r"^([A-Za-z0-9_-]+):[^=\n]*## \S", fh.read(), re.M))
    for check in ci_list("names").split():
        for goal in make_goals(ci_list("row", check).rstrip("\n").split("\t")[4]):
            report("check %s: make %s has a ## purpose for make help" % (check, goal), goal in described)
    names = ci_list("names").split()
    report(".ci/checks lists checks, each once (%d)" % len(names), len(names) > 5 and len(names) == len(set(names)))
    with open(os.path.join(ROOT, ".ci", "run")) as fh:
        report(".ci/run runs the checks .ci/checks marks run", ".ci/list names run" in fh.read())

    for cfg in (".clang-tidy", ".clang-format"):
        try:
            with open(os.path.join(ROOT, cfg)) as fh:
                report("%s parses as YAML" % cfg, isinstance(yaml.safe_load(fh), dict))
        except (OSError, yaml.YAMLError) as e:
            report("%s parses as YAML (%s)" % (cfg, str(e).splitlines()[0]), False)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
