#!/usr/bin/env python3
"""flamegraph.py - fold `perf script` stacks and draw them as an SVG flame
graph, with nothing but the Python standard library (Debian packages no
FlameGraph; this does the part of Brendan Gregg's stackcollapse-perf.pl and
flamegraph.pl that we need).

  perf script -i perf.data | flamegraph.py collapse > stacks.folded
  flamegraph.py svg --title "sensor-worker" < stacks.folded > flame.svg

Folded format: one line per distinct stack, "comm;outer;...;inner COUNT".
The SVG is self-contained: hover a frame for its name, samples and share;
click a frame to zoom into it, click the background to reset.
"""
import argparse
import html
import re
import sys
import zlib


def collapse(lines, include_pid=False):
    """perf script text -> {folded stack: samples}."""
    counts = {}
    head, frames = None, []

    def flush():
        if head is not None:
            stack = [head] + list(reversed(frames))
            key = ";".join(stack)
            counts[key] = counts.get(key, 0) + 1

    for raw in lines:
        line = raw.rstrip("\n")
        if not line.strip():
            flush()
            head, frames = None, []
            continue
        if line[0] not in " \t":
            # Event header: "comm  pid[/tid] [cpu] time: period event:"
            flush()
            frames = []
            m = re.match(r"^\s*(.+?)\s+(\d+)(?:/(\d+))?\s", line)
            comm = m.group(1) if m else line.split()[0]
            comm = comm.replace(" ", "_").replace(";", ":")
            head = "%s-%s" % (comm, m.group(2)) if include_pid and m else comm
            continue
        # Frame: "    addr symbol+off (dso)"
        parts = line.strip().split(None, 1)
        if len(parts) < 2:
            continue
        rest = parts[1]
        m = re.match(r"^(.*?)\s+\(([^()]*)\)\s*$", rest)
        sym, dso = (m.group(1), m.group(2)) if m else (rest, "")
        sym = re.sub(r"\+0x[0-9a-f]+$", "", sym)
        if sym in ("[unknown]", ""):
            base = dso.rsplit("/", 1)[-1] if dso else ""
            sym = base if base.startswith("[") else "[%s]" % (base or "unknown")
        frames.append(sym.replace(";", ":"))
    flush()
    return counts


class Node:
    __slots__ = ("name", "value", "children")

    def __init__(self, name):
        self.name, self.value, self.children = name, 0, {}


def build_tree(folded):
    root = Node("all")
    for stack, n in folded.items():
        root.value += n
        node = root
        for frame in stack.split(";"):
            node = node.children.setdefault(frame, Node(frame))
            node.value += n
    return root


def colour(name):
    h = zlib.crc32(name.encode())
    if name.startswith("[") or "kernel" in name:          # kernel / unknown: orange-ish
        r, g, b = 230, 140 + h % 60, 40 + (h >> 8) % 40
    else:                                                    # user code: classic flame
        r, g, b = 205 + h % 50, 80 + (h >> 8) % 130, 30 + (h >> 16) % 40
    return "rgb(%d,%d,%d)" % (r, g, b)


def render_svg(folded, title, width=1200, frame_h=16, min_px=0.3):
    root = build_tree(folded)
    total = max(root.value, 1)
    rows = []   # (depth, x, w, name, samples)

    def walk(node, depth, x):
        w = node.value / total * (width - 20)
        if w < min_px:
            return
        rows.append((depth, x, w, node.name, node.value))
        cx = x
        for child in sorted(node.children.values(), key=lambda c: c.name):
            walk(child, depth + 1, cx)
            cx += child.value / total * (width - 20)

    walk(root, 0, 10.0)
    depth_max = max((r[0] for r in rows), default=0)
    height = (depth_max + 1) * frame_h + 70
    out = []
    out.append('<?xml version="1.0" standalone="no"?>')
    out.append('<svg version="1.1" width="%d" height="%d" viewBox="0 0 %d %d" '
               'xmlns="http://www.w3.org/2000/svg" font-family="Verdana,sans-serif" font-size="12">'
               % (width, height, width, height))
    out.append("""<style>
 .f:hover rect { stroke: #000; stroke-width: 0.5; cursor: pointer; }
 text { pointer-events: none; }
</style>
<script type="text/ecmascript"><![CDATA[
 var W = %d, PAD = 10;
 function zoom(g) {
   var x0 = parseFloat(g.getAttribute("data-x")), w0 = parseFloat(g.getAttribute("data-w"));
   var d0 = parseInt(g.getAttribute("data-d"));
   var k = (W - 2 * PAD) / w0;
   document.querySelectorAll("g.f").forEach(function (e) {
     var x = parseFloat(e.getAttribute("data-x")), w = parseFloat(e.getAttribute("data-w"));
     var d = parseInt(e.getAttribute("data-d"));
     var inside = x >= x0 - 1e-6 && x + w <= x0 + w0 + 1e-6;
     var show = d < d0 ? (x <= x0 + 1e-6 && x + w >= x0 + w0 - 1e-6) : inside;
     e.style.display = show ? "" : "none";
     var nx = d < d0 ? PAD : PAD + (x - x0) * k, nw = d < d0 ? W - 2 * PAD : w * k;
     var r = e.querySelector("rect"), t = e.querySelector("text");
     r.setAttribute("x", nx); r.setAttribute("width", Math.max(nw - 0.5, 0.1));
     t.setAttribute("x", nx + 3); t.textContent = fit(e.getAttribute("data-n"), nw);
   });
 }
 function fit(s, w) { var n = Math.floor((w - 6) / 7); return n < 3 ? "" : s.length <= n ? s : s.slice(0, n - 2) + ".."; }
 function reset() { zoom(document.querySelector("g.f[data-d='0']")); }
 window.addEventListener("load", function () {
   document.querySelectorAll("g.f").forEach(function (e) {
     e.addEventListener("click", function (ev) { zoom(e); ev.stopPropagation(); });
   });
   document.querySelector("#bg").addEventListener("click", reset);
 });
]]></script>""" % width)
    out.append('<rect id="bg" x="0" y="0" width="%d" height="%d" fill="#f8f8f0"/>' % (width, height))
    out.append('<text x="%d" y="24" text-anchor="middle" font-size="17">%s</text>'
               % (width // 2, html.escape(title)))
    out.append('<text x="10" y="%d" fill="#555">%d samples; hover for details, click to zoom, '
               'click the background to reset</text>' % (height - 10, total))
    for depth, x, w, name, n in rows:
        y = height - 40 - (depth + 1) * frame_h
        label = name if w > 30 else ""
        chars = int((w - 6) / 7)
        if label and len(label) > chars:
            label = label[: max(chars - 2, 0)] + ".." if chars >= 3 else ""
        esc = html.escape(name, quote=True)
        out.append('<g class="f" data-x="%.2f" data-w="%.2f" data-d="%d" data-n="%s">'
                   '<title>%s (%d samples, %.2f%%)</title>'
                   '<rect x="%.2f" y="%d" width="%.2f" height="%d" fill="%s" rx="2"/>'
                   '<text x="%.2f" y="%d">%s</text></g>'
                   % (x, w, depth, esc, esc, n, 100.0 * n / total, x, y, max(w - 0.5, 0.1),
                      frame_h - 1, colour(name), x + 3, y + frame_h - 4, html.escape(label)))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def read_folded(lines):
    folded = {}
    for line in lines:
        line = line.rstrip("\n")
        if not line:
            continue
        stack, _, n = line.rpartition(" ")
        try:
            folded[stack] = folded.get(stack, 0) + int(n)
        except ValueError:
            continue
    return folded


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("collapse", help="perf script text on stdin -> folded stacks on stdout")
    c.add_argument("--pid", action="store_true", help="keep the pid in the process name")
    s = sub.add_parser("svg", help="folded stacks on stdin -> SVG on stdout")
    s.add_argument("--title", default="CPU flame graph")
    s.add_argument("--width", type=int, default=1200)
    args = ap.parse_args()
    if args.cmd == "collapse":
        for stack, n in sorted(collapse(sys.stdin, args.pid).items()):
            sys.stdout.write("%s %d\n" % (stack, n))
    else:
        sys.stdout.write(render_svg(read_folded(sys.stdin), args.title, args.width))


if __name__ == "__main__":
    main()
