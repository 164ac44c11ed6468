"""Formatting shared by every section: units, summaries, tables, and looking up a serve run."""
import os


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# Every memory figure of the report is in MiB (2^20 bytes); KiB and pages are
# named as such. The user wrote the memory targets in MB (10^6 bytes): they
# are kept in bytes as written and stated once with their MiB equivalent.
MIB = 2 ** 20
PAGE = os.sysconf("SC_PAGE_SIZE")


def mb(b, digits=1):
    """A memory figure in MiB."""
    return "n/a" if b is None else f"{b / MIB:.{digits}f} MiB"


def user_mb(b):
    """A target as the user wrote it (MB, 10^6 bytes) with its MiB."""
    return f"{b / 1e6:.0f} MB ({b / MIB:.{0 if b >= 100e6 else 2}f} MiB)"


def us(s, digits=0):
    return "n/a" if s is None else f"{s * 1e6:,.{digits}f} µs"


def ms(us, digits=2):
    return "n/a" if us is None else f"{us / 1000:.{digits}f} ms"


def rng(s, f):
    """'median (min-max)' of a summary dict, each formatted with f."""
    if not s or s.get("median") is None:
        return "n/a"
    if s.get("n", 1) <= 1 or s["min"] == s["max"]:
        return f(s["median"])
    return f"{f(s['median'])} ({f(s['min'])}–{f(s['max'])})"


def num(x, digits=0):
    return "n/a" if x is None else f"{x:,.{digits}f}"


def ratio(x, digits=1):
    return "n/a" if x is None else f"{x:.{digits}f}x"


def med(s):
    return s.get("median") if s else None


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def serve_row(serve, target, path, conns):
    for r in serve.get("summary", []):
        if r["target"] == target and r["path"] == path and r["conns"] == conns:
            return r
    return None


def verdict(ok, value):
    if value is None:
        return "not measured"
    return "**met**" if ok else "**missed**"


def fit_line(xs, ys):
    """Least-squares (intercept, slope) of ys against xs, or (None, None)."""
    n = len(xs)
    if n < 2:
        return None, None
    mx, my = sum(xs) / n, sum(ys) / n
    var = sum((x - mx) ** 2 for x in xs)
    if var == 0:
        return None, None
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var
    return my - b * mx, b
