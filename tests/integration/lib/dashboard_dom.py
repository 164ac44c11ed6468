#!/usr/bin/env python3
"""dashboard_dom.py - what the /dashboard page drew, read from the DOM that
headless Chromium dumped after a refresh (scripts/dashboard_shot.sh with
DASHBOARD_DOM), checked against the fixture of test_dashboard.sh: one
line per check, "ok   ..." or "FAIL ...".

    dashboard_dom.py DOM.html "celsius=6 rpm=1 ..." GRAFANA.json

The second argument is VictoriaMetrics' count of channels by unit: the
groups the page must show, and how many channels each lists; the third the
Grafana dashboard whose service panels the page draws.
"""
import json
import sys
from html.parser import HTMLParser


class Page(HTMLParser):
    """Sensor panels (section[data-group]) with their threshold lines,
    legend items and state markers; the alert list's items."""

    def __init__(self):
        super().__init__()
        self.panels = {}
        self.current = None
        self.alerts = []
        self.in_service = False
        self.service_titles = []
        self.title = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "main":
            self.in_service = a.get("id") == "panels-grid"
        if tag == "h2" and self.in_service:
            self.title = ""
        if tag == "section":
            self.current = None
            if "data-group" in a:
                self.current = {"attrs": a, "lines": [], "legend": [], "markers": []}
                self.panels[a["data-group"]] = self.current
        p = self.current
        if p is not None and tag == "line" and "threshold" in cls:
            p["lines"].append(a)
        if p is not None and tag == "span" and "data-channel" in a:
            p["legend"].append(a)
        if p is not None and tag == "circle" and "state-marker" in cls:
            p["markers"].append(a)
        if tag == "li" and "data-alert" in a:
            self.alerts.append(a)


    def handle_data(self, data):
        if self.title is not None:
            self.title += data

    def handle_endtag(self, tag):
        if tag == "h2" and self.title is not None:
            self.service_titles.append(self.title.strip())
            self.title = None
        if tag == "main":
            self.in_service = False


def say(ok, what):
    print(("ok   " if ok else "FAIL ") + what)


def main():
    page = Page()
    page.feed(open(sys.argv[1]).read())
    want = dict(kv.split("=") for kv in sys.argv[2].split())
    panels = page.panels
    empty = {"attrs": {}, "lines": [], "legend": [], "markers": []}

    graf = json.load(open(sys.argv[3]))
    titles = [p["title"] for p in graf["panels"] if p.get("type") == "timeseries" and "repeat" not in p]
    say(page.service_titles == titles and len(titles) > 0,
        "the service panels are the Grafana dashboard's, in its order: %s" % page.service_titles)
    say(sorted(panels) == sorted(want),
        "a panel per unit of the fixture's channels, none for other units: %s" % " ".join(sorted(panels)))
    for unit, n in sorted(want.items()):
        p = panels.get(unit, empty)
        say(int(p["attrs"].get("data-points", 0)) > 0,
            "the %s panel has points (%s)" % (unit, p["attrs"].get("data-points")))
        say(len(p["legend"]) == int(n), "the %s panel lists its %s channel(s) (%d)" % (unit, n, len(p["legend"])))

    def lines(unit, channel):
        return {l["data-kind"]: float(l["data-value"]) for l in panels.get(unit, empty)["lines"]
                if channel in l["data-channels"].split()}

    def state(unit, channel):
        return [s["data-state"] for s in panels.get(unit, empty)["legend"] if s["data-channel"] == channel]

    got = lines("celsius", "coretemp_package_id_0")
    say(got == {"warn_above": 60, "crit_above": 80, "chip_max": 80, "chip_crit": 85},
        "coretemp_package_id_0: its warn and crit thresholds and the chip's max and crit drawn: %s" % got)
    got = lines("rpm", "nct6775_fan1")
    say(got == {"warn_above": 1000, "crit_above": 3000}, "nct6775_fan1: its thresholds drawn: %s" % got)
    got = lines("celsius", "coretemp_core_0")
    say(got == {}, "coretemp_core_0, without thresholds or limits, has no line: %s" % got)
    say(state("celsius", "coretemp_package_id_0") == ["critical"], "coretemp_package_id_0 is shown critical")
    say(state("rpm", "nct6775_fan1") == ["warning"], "nct6775_fan1 is shown in warning")
    say(state("celsius", "coretemp_core_0") == ["none"], "coretemp_core_0 (no thresholds) is shown plain")
    say(panels.get("celsius", empty)["attrs"].get("data-state") == "critical",
        "the temperature panel is marked critical")
    say(panels.get("rpm", empty)["attrs"].get("data-state") == "warning", "the fan panel is marked warning")
    say(panels.get("volts", empty)["attrs"].get("data-state") == "ok", "the voltage panel is not marked")
    markers = sorted(m["data-channel"] for p in panels.values() for m in p["markers"])
    say(markers == ["coretemp_package_id_0", "nct6775_fan1"],
        "a marker on the last point of the channels past a threshold, and only there: %s" % markers)

    def alert(name, channel, severity, state):
        return any(a["data-alert"] == name and a.get("data-channel") == channel and
                   a["data-severity"] == severity and a["data-state"] == state for a in page.alerts)

    for name, channel, severity, st in (("SensorThresholdCritical", "coretemp_package_id_0", "critical", "firing"),
                                        ("SensorOverKernelCritical", "coretemp_package_id_0", "critical", "firing"),
                                        ("SensorThresholdWarning", "nct6775_fan1", "warning", "firing"),
                                        ("DashboardTestPending", "nct6775_fan1", "warning", "pending")):
        say(alert(name, channel, severity, st),
            "the alert list shows %s on %s, %s, %s" % (name, channel, severity, st))


if __name__ == "__main__":
    main()
