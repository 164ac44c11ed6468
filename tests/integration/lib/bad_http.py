#!/usr/bin/env python3
"""bad_http.py - hostile HTTP clients against a running exporter.

Raw sockets, so that nothing normalises what is sent: malformed request
lines, huge headers and URIs, unknown methods, query strings and path
traversal on every path, a slowloris that sends a byte a second, many idle
connections. Meanwhile a well-behaved client polls / and /metrics and must
be served every time.

    bad_http.py PORT [--idle N] [--slow N] [--slow-seconds S]

Prints "ok   what" / "FAIL what" lines (read by test_bad_http.sh) and
"info ..." lines.
"""
import argparse
import http.client
import socket
import threading
import time

HOST = "127.0.0.1"
PORT = 0
REPORT = []
LOCK = threading.Lock()


def report(ok, what):
    with LOCK:
        REPORT.append(("ok   " if ok else "FAIL ") + what)


def info(text):
    with LOCK:
        REPORT.append("info " + text)


def raw(data, timeout=5.0, half_close=False):
    """Send `data` (then shut our side down if `half_close`), read until
    the server closes. Returns the status code, or 'closed' (no answer),
    'reset', 'timeout'."""
    s = socket.create_connection((HOST, PORT), timeout=timeout)
    buf = b""
    try:
        try:
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may refuse before reading it all
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    except socket.timeout:
        if not buf:
            return "timeout"
    except ConnectionResetError:
        if not buf:
            return "reset"
    finally:
        s.close()
    if not buf:
        return "closed"
    first = buf.split(b"\r\n", 1)[0].split(b" ")
    if len(first) >= 2 and first[0].startswith(b"HTTP/1.") and first[1].isdigit():
        return int(first[1])
    return "garbage:" + repr(buf[:40])


def case(what, data, allowed, half_close=False):
    got = raw(data, half_close=half_close)
    report(got in allowed, f"{what}: {got} (allowed {sorted(map(str, allowed))})")
    return got


CLOSED = {"closed", "reset"}


def malformed():
    for what, data in [
        ("no method", b"GARBAGE\r\n\r\n"),
        ("no path", b"GET\r\n\r\n"),
        ("HTTP/9.9", b"GET / HTTP/9.9\r\n\r\n"),
        ("a fourth word", b"GET / HTTP/1.1 extra\r\n\r\n"),
        ("binary junk", b"\x00\x01\x02\xff\xfe\r\n\r\n"),
        ("NUL in the path", b"GET /\x00 HTTP/1.0\r\n\r\n"),
        ("a header line without a colon", b"GET / HTTP/1.0\r\nBad header line\r\n\r\n"),
        ("a folded header", b"GET / HTTP/1.0\r\n Folded: x\r\n\r\n"),
        ("an empty request", b"\r\n\r\n"),
        ("negative Content-Length", b"GET / HTTP/1.0\r\nContent-Length: -1\r\n\r\n"),
        ("non-numeric Content-Length", b"GET / HTTP/1.0\r\nContent-Length: lots\r\n\r\n"),
    ]:
        case(f"malformed: {what}", data, {400} | CLOSED)
    case("request line cut short, then close", b"GET /metr", CLOSED | {400}, half_close=True)
    case("body over 1 KiB", b"POST /metrics HTTP/1.0\r\nContent-Length: 5000\r\n\r\n" + b"x" * 5000, {413} | CLOSED)
    case("announced body of 100 MB", b"GET / HTTP/1.0\r\nContent-Length: 99999999\r\n\r\n", {413} | CLOSED)
    case("bad chunked body", b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", {400, 405, 413} | CLOSED)


def huge():
    case("one 20 KiB header", b"GET / HTTP/1.0\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n", {400, 413, 431} | CLOSED)
    many = b"".join(b"X-%d: y\r\n" % i for i in range(3000))
    case("3000 headers (24 KiB)", b"GET / HTTP/1.0\r\n" + many + b"\r\n", {400, 413, 431} | CLOSED)
    case("1 MiB of header bytes", b"GET / HTTP/1.0\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n", {400, 413, 431} | CLOSED)
    case("a 7000-byte path (under the limit)", b"GET /" + b"a" * 7000 + b" HTTP/1.0\r\n\r\n", {404})
    case("a 100 KB path", b"GET /" + b"a" * 100000 + b" HTTP/1.0\r\n\r\n", {400, 413, 414, 431} | CLOSED)
    case("a 100 KB query on /metrics", b"GET /metrics?" + b"a" * 100000 + b" HTTP/1.0\r\n\r\n",
         {400, 413, 414, 431} | CLOSED)
    case("a 1000-byte method", b"X" * 1000 + b" / HTTP/1.0\r\n\r\n", {400, 405, 501} | CLOSED)


def methods(paths):
    for m in [b"FOO", b"PROPFIND", b"BREW", b"get", b"M-SEARCH"]:
        case(f"unknown method {m.decode()}", m + b" / HTTP/1.0\r\n\r\n", {400, 405, 501} | CLOSED)
    for m in [b"POST", b"PUT", b"DELETE", b"PATCH", b"OPTIONS", b"TRACE"]:
        for p, _ in paths:
            want = {405} if p != "/nope" else {404}
            got = case(f"{m.decode()} {p}", m + b" " + p.encode() + b" HTTP/1.0\r\nContent-Length: 0\r\n\r\n", want)
            if got == 405:
                conn = http.client.HTTPConnection(HOST, PORT, timeout=5)
                conn.request(m.decode(), p)
                allow = conn.getresponse().getheader("Allow")
                conn.close()
                report(allow == "GET, HEAD", f"{m.decode()} {p}: Allow is '{allow}'")


def queries(paths):
    benign = ["?", "?x=1", "?a=1&a=2&&", "?x=" + "q" * 4000, "?%20=%20", "?a=<script>", "?#frag"]
    odd = ["?a=%zz", "?%00", "?a=%", "?\x7f", "?a=%2e%2e/%2e%2e/etc/passwd"]
    for p, base in paths:
        for q in benign:
            case(f"query on {p}: {q[:20]!r}", f"GET {p}{q} HTTP/1.0\r\n\r\n".encode("latin-1"), {base})
        for q in odd:
            case(f"odd query on {p}: {q[:20]!r}", f"GET {p}{q} HTTP/1.0\r\n\r\n".encode("latin-1"), {base, 400})


def traversal(paths):
    for p, _ in paths:
        name = p.strip("/")
        variants = [
            f"{p}/..", f"{p}/../", f"/..{p}", f"/../{name}", f"/./{name}", f"{p}/.", f"//{name}",
            f"/%2e%2e{p}", f"/%2e/{name}", f"{p}%2f..%2f..%2fetc%2fpasswd", f"{p}/../../../../etc/passwd",
            f"/..\\{name}", f"{p}%00", f"{p}%00.html", f"/{name}/", f"/{name.upper()}" if name else "/.",
            f"/{name}%20", f"/%{name}", f"//evil{p}", f"//{name}/",
        ]
        for v in variants:
            if v == p:
                continue
            got = case(f"traversal {v!r}", f"GET {v} HTTP/1.0\r\n\r\n".encode("latin-1"), {400, 404})
            if got == 200:
                report(False, f"traversal {v!r} served a page")


def good_client(stop, stats):
    while not stop.is_set():
        for path in ("/", "/metrics"):
            t0 = time.monotonic()
            try:
                conn = http.client.HTTPConnection(HOST, PORT, timeout=5)
                conn.request("GET", path)
                r = conn.getresponse()
                r.read()
                conn.close()
                stats["codes"][r.status] = stats["codes"].get(r.status, 0) + 1
                stats["lat"].append((time.monotonic() - t0) * 1000)
            except (OSError, http.client.HTTPException):
                stats["failures"] += 1
        time.sleep(0.05)


def idle_connections(n, results):
    socks = []
    for _ in range(n):
        try:
            socks.append(socket.create_connection((HOST, PORT), timeout=10))
        except OSError:
            break
    results["opened"] = len(socks)
    t0 = time.monotonic()
    closed = 0
    for s in socks:
        try:
            s.settimeout(max(0.1, 12 - (time.monotonic() - t0)))
            if s.recv(1) == b"":
                closed += 1
        except (socket.timeout, OSError):
            pass
        s.close()
    results["closed_by_server"] = closed
    results["seconds"] = time.monotonic() - t0


def slowloris(n, seconds, results):
    socks = []
    for _ in range(n):
        s = socket.create_connection((HOST, PORT), timeout=10)
        s.sendall(b"GET / HTTP/1.0\r\nX-Slow: ")
        socks.append(s)
    sent = 0
    for _ in range(int(seconds)):
        time.sleep(1)
        for s in socks:
            try:
                s.send(b"a")
            except OSError:
                pass
        sent += 1
    answered = closed = 0
    for s in socks:
        try:
            s.sendall(b"\r\n\r\n")
            data = s.recv(64)
            if data.startswith(b"HTTP/1.") and data.split(b" ")[1] == b"200":
                answered += 1
            elif not data:
                closed += 1
        except OSError:
            closed += 1
        s.close()
    results.update(answered=answered, closed=closed, bytes_each=sent)


def main():
    global PORT
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--idle", type=int, default=500)
    ap.add_argument("--slow", type=int, default=30)
    ap.add_argument("--slow-seconds", type=float, default=8)
    args = ap.parse_args()
    PORT = args.port
    # (path, status of a plain GET); /debug is on and we are on loopback
    paths = [("/", 200), ("/metrics", 200), ("/debug", 200), ("/nope", 404)]

    stop = threading.Event()
    stats = {"codes": {}, "lat": [], "failures": 0}
    idle_res, slow_res = {}, {}
    good = threading.Thread(target=good_client, args=(stop, stats))
    idle = threading.Thread(target=idle_connections, args=(args.idle, idle_res))
    slow = threading.Thread(target=slowloris, args=(args.slow, args.slow_seconds, slow_res))
    good.start()
    idle.start()
    slow.start()
    malformed()
    huge()
    methods(paths)
    queries(paths)
    traversal(paths)
    idle.join()
    slow.join()
    stop.set()
    good.join()

    report(idle_res.get("opened") == args.idle, f"{args.idle} idle connections opened ({idle_res.get('opened')})")
    report(idle_res.get("closed_by_server") == idle_res.get("opened"),
           f"the server closed every idle connection ({idle_res.get('closed_by_server')} in "
           f"{idle_res.get('seconds', 0):.1f} s)")
    report(slow_res.get("answered", 0) + slow_res.get("closed", 0) == args.slow,
           f"slowloris ({args.slow} clients, a byte a second for {slow_res.get('bytes_each')} s): "
           f"{slow_res.get('answered')} answered 200 once complete, {slow_res.get('closed')} closed")
    lat = sorted(stats["lat"])
    p99 = lat[max(0, int(len(lat) * 0.99) - 1)] if lat else float("nan")
    info(f"well-behaved client: {len(lat)} answers, codes {stats['codes']}, failures {stats['failures']}, "
         f"p99 {p99:.1f} ms, max {lat[-1] if lat else float('nan'):.1f} ms")
    report(stats["failures"] == 0 and len(lat) > 20 and set(stats["codes"]) == {200},
           "the well-behaved client was served every time meanwhile")
    for line in REPORT:
        print(line)


if __name__ == "__main__":
    main()
