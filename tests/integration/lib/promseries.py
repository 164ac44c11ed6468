#!/usr/bin/env python3
"""Compare the series of two Prometheus text pages, for side-by-side tests.

    promseries.py OURS THEIRS [--prefix P ...] [--values] [--tolerance T]
                  [--alarm-scale NAME_REGEX=FACTOR ...]
                  [--equal NAME_REGEX ...] [--bracket AFTER --counter NAME_REGEX ...]

Reads both pages, keeps the samples whose names start with one of the
prefixes (all when none is given), and compares in both directions: a
series (name and label set, a label of empty value being no label) in one
page and not the other is reported;
with --values, values must agree within T (relative, default 1e-9), after
the named series of THEIRS are multiplied by FACTOR (node_exporter 1.5
writes an alarm as 0.001 where we write 1). Prints one line per
difference and exits 1 when there is any, 0 otherwise.

For two live agents read one after the other (values move between the
reads): --equal compares the values of the series named by the regex
only (static ones: a total size, a boot time); --bracket AFTER takes a
second page of THEIRS read after OURS, and each series named by a
--counter regex must satisfy THEIRS <= OURS <= AFTER (within the tolerance:
we print 10 significant digits, node_exporter 17).
"""
import argparse
import re
import sys

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\S+)?$')
LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')


def parse_labels(text):
    labels, pos = [], 0
    while pos < len(text):
        m = LABEL.match(text, pos)
        if not m:
            raise ValueError(f"bad labels: {text!r}")
        if m.group(2):  # an empty value is the label absent (Prometheus' rule)
            labels.append((m.group(1), m.group(2)))
        pos = m.end()
    return tuple(sorted(labels))


def parse_page(path, prefixes):
    series = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            m = SAMPLE.match(line)
            if not m:
                raise ValueError(f"{path}: bad sample line: {line!r}")
            name = m.group(1)
            if prefixes and not name.startswith(tuple(prefixes)):
                continue
            series[(name, parse_labels(m.group(3) or ""))] = float(m.group(4))
    return series


def show(key):
    name, labels = key
    return name + "{" + ",".join(f'{k}="{v}"' for k, v in labels) + "}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ours")
    ap.add_argument("theirs")
    ap.add_argument("--prefix", action="append", default=[])
    ap.add_argument("--values", action="store_true")
    ap.add_argument("--tolerance", type=float, default=1e-9)
    ap.add_argument("--alarm-scale", action="append", default=[])
    ap.add_argument("--equal", action="append", default=[])
    ap.add_argument("--bracket")
    ap.add_argument("--counter", action="append", default=[])
    a = ap.parse_args()
    ours = parse_page(a.ours, a.prefix)
    theirs = parse_page(a.theirs, a.prefix)
    scales = [(re.compile(s.split("=", 1)[0]), float(s.split("=", 1)[1]))
              for s in a.alarm_scale]
    diffs = 0
    for key in sorted(set(ours) - set(theirs)):
        print(f"only ours:   {show(key)}")
        diffs += 1
    for key in sorted(set(theirs) - set(ours)):
        print(f"only theirs: {show(key)}")
        diffs += 1
    if a.values:
        for key in sorted(set(ours) & set(theirs)):
            want = theirs[key]
            for rx, factor in scales:
                if rx.search(key[0]):
                    want *= factor
            got = ours[key]
            if abs(got - want) > a.tolerance * max(1.0, abs(want)):
                print(f"value:       {show(key)} ours {got!r} theirs {want!r}")
                diffs += 1
    equal = [re.compile(r) for r in a.equal]
    checked = 0
    for key in sorted(set(ours) & set(theirs)):
        if any(rx.search(key[0]) for rx in equal):
            checked += 1
            if abs(ours[key] - theirs[key]) > a.tolerance * max(1.0, abs(theirs[key])):
                print(f"not equal:   {show(key)} ours {ours[key]!r} theirs {theirs[key]!r}")
                diffs += 1
    if a.bracket:
        after = parse_page(a.bracket, a.prefix)
        counters = [re.compile(r) for r in a.counter]
        for key in sorted(set(ours) & set(theirs) & set(after)):
            if any(rx.search(key[0]) for rx in counters):
                checked += 1
                slack = a.tolerance * max(1.0, abs(ours[key]))  # our text has 10 significant digits
                if not theirs[key] - slack <= ours[key] <= after[key] + slack:
                    print(f"bracket:     {show(key)} theirs before {theirs[key]!r} ours {ours[key]!r} "
                          f"theirs after {after[key]!r}")
                    diffs += 1
    if equal or a.bracket:
        print(f"{checked} values checked")
    print(f"{len(ours)} series ours, {len(theirs)} theirs, {diffs} differences")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
