#!/usr/bin/env python3
"""starve_http.py - connection starvation against a running exporter.

N attacking connections (by default twice the exporter's fd limit) that
each trickle a byte every few seconds, so that no idle timeout that resets
on every byte ever fires; a connection the server closes is opened again
on the next round, as a real attacker would. Kinds of attack:

    headers   "GET /metrics HTTP/1.1\\r\\n" then one header byte per round
    body      complete headers announcing a 1000-byte body, one byte per round
    idle      connect and send nothing at all

Meanwhile one well-behaved client fetches /metrics every --interval
seconds on a new connection each time; an answer counts only if it is a
200 within --timeout seconds.

    starve_http.py PORT [--conns N] [--seconds S] [--kind headers|body|idle]
                   [--round S] [--interval S] [--timeout S]

Prints one line of key=value pairs:
    requests=N ok=N failures=N slow=N p50_ms=.. p99_ms=.. max_ms=..
    attack_open=N (at the end) reconnects=N lifetime_max_ms=.. (of the
    attacking connections the server closed) errors=Kind:N,...
or "skip REASON" when this process cannot open that many sockets.
"""
import argparse
import errno
import http.client
import resource
import socket
import threading
import time

HOST = "127.0.0.1"


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    rank = max(1, int(round(q * len(sorted_values) + 0.4999)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def good_client(port, interval, timeout, stop, stats):
    while not stop.is_set():
        t0 = time.monotonic()
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
            conn.request("GET", "/metrics")
            r = conn.getresponse()
            r.read()
            conn.close()
            ms = (time.monotonic() - t0) * 1000.0
            stats["lat"].append(ms)
            if r.status != 200:
                stats["failures"] += 1
            elif ms > timeout * 1000.0:
                stats["slow"] += 1
            else:
                stats["ok"] += 1
        except (OSError, http.client.HTTPException) as e:
            stats["lat"].append((time.monotonic() - t0) * 1000.0)
            stats["failures"] += 1
            stats["errors"][type(e).__name__] = stats["errors"].get(type(e).__name__, 0) + 1
        stats["requests"] += 1
        time.sleep(interval)


PREFIX = {
    "headers": b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-a: ",
    "body": b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n",
    "idle": b"",
}


class Attacker:
    def __init__(self, port, kind):
        self.port, self.kind = port, kind
        self.socks = {}  # socket -> True once its prefix is sent
        self.opened = {}  # socket -> when it was opened
        self.lifetimes = []  # seconds from open to seeing it closed by the server
        self.reconnects = 0

    def open_one(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        err = s.connect_ex((HOST, self.port))
        if err not in (0, errno.EINPROGRESS, errno.EAGAIN):
            s.close()
            return False
        self.socks[s] = False
        self.opened[s] = time.monotonic()
        return True

    def alive(self, s):
        try:
            return s.recv(4096, socket.MSG_DONTWAIT) != b""  # data (an error page) or nothing yet
        except BlockingIOError:
            return True
        except OSError:
            return False

    def round(self):
        """One byte (or the prefix) on every connection; reopen the closed."""
        dead = []
        for s, started in self.socks.items():
            if not self.alive(s):
                dead.append(s)
                continue
            data = b"a" if started else PREFIX[self.kind]
            if self.kind == "idle" or not data:
                continue
            try:
                s.send(data)
                self.socks[s] = True
            except BlockingIOError:
                pass  # still connecting
            except OSError:
                dead.append(s)
        for s in dead:
            self.lifetimes.append(time.monotonic() - self.opened.pop(s))
            del self.socks[s]
            s.close()
            if self.open_one():
                self.reconnects += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--conns", type=int, default=2048)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--kind", choices=sorted(PREFIX), default="headers")
    ap.add_argument("--round", type=float, default=3.0)
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--timeout", type=float, default=1.0)
    args = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = args.conns + 64
    if soft < need:
        if hard != resource.RLIM_INFINITY and hard < need:
            print(f"skip this process may open {hard} files, the attack needs {need}")
            return
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))

    att = Attacker(args.port, args.kind)
    for _ in range(args.conns):
        att.open_one()
    time.sleep(0.5)
    att.round()

    stop = threading.Event()
    stats = {"requests": 0, "ok": 0, "failures": 0, "slow": 0, "lat": [], "errors": {}}
    good = threading.Thread(target=good_client, args=(args.port, args.interval, args.timeout, stop, stats))
    good.start()
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        time.sleep(min(args.round, max(0.0, end - time.monotonic())))
        att.round()
    stop.set()
    good.join()
    open_at_end = len(att.socks)
    for s in att.socks:
        s.close()

    lat = sorted(stats["lat"])
    print(" ".join([
        f"requests={stats['requests']}", f"ok={stats['ok']}", f"failures={stats['failures']}",
        f"slow={stats['slow']}", f"p50_ms={percentile(lat, 0.50):.2f}", f"p99_ms={percentile(lat, 0.99):.2f}",
        f"max_ms={(lat[-1] if lat else float('nan')):.2f}", f"attack_open={open_at_end}",
        f"reconnects={att.reconnects}",
        f"lifetime_max_ms={max(att.lifetimes, default=0) * 1000:.0f}",
        "errors=" + (",".join(f"{k}:{v}" for k, v in sorted(stats["errors"].items())) or "none"),
    ]))


if __name__ == "__main__":
    main()
