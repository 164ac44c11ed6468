#!/usr/bin/env python3
"""tls_burst.py - a burst of connections that send nothing, against a TLS
client that has spoken.

Each round: a client completes its TLS handshake with PORT (its request
not sent yet), then BURST TCP connections are opened as fast as they can
be and never written to, then the client sends GET /metrics and reads the
answer (5 s timeout). With a connection cap below BURST, each connection
past the cap makes the server close another: the client, the one that has
waited longest, must not be the one.

    tls_burst.py PORT [--rounds N] [--burst N]

Prints one line: ok=N rounds=N burst_closed=N (silent connections the
server closed, all rounds) errors=Kind:N,... ("none" when none), or
"skip REASON" when this process cannot open that many sockets.
"""
import argparse
import resource
import select
import socket
import ssl
import time


def closed_by_server(socks):
    """How many of socks the server has closed (EOF or reset)."""
    n = 0
    for s in socks:
        try:
            if s.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK) == b"":
                n += 1
        except BlockingIOError:
            pass
        except OSError:
            n += 1
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--burst", type=int, default=1024)
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < a.burst + 64:
        if hard != resource.RLIM_INFINITY and hard < a.burst + 64:
            print(f"skip the fd limit {hard} is below {a.burst + 64}")
            return
        resource.setrlimit(resource.RLIMIT_NOFILE, (a.burst + 64, hard))
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ok, burst_closed, errors = 0, 0, {}
    for _ in range(a.rounds):
        socks = []
        try:
            client = ctx.wrap_socket(socket.create_connection(("127.0.0.1", a.port), timeout=5))
            for _ in range(a.burst):
                s = socket.socket()
                s.setblocking(False)
                s.connect_ex(("127.0.0.1", a.port))
                socks.append(s)
            time.sleep(1)  # the server accepts the whole burst
            burst_closed += closed_by_server(socks)
            client.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            answer = b""
            while select.select([client], [], [], 5)[0]:
                d = client.recv(65536)
                if not d:
                    break
                answer += d
            client.close()
            if answer.startswith(b"HTTP/1.1 200"):
                ok += 1
            else:
                why = answer.split(b"\r\n", 1)[0].decode(errors="replace") or "closed"
                errors[why] = errors.get(why, 0) + 1
        except (OSError, ssl.SSLError) as e:
            errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
        for s in socks:
            s.close()
        time.sleep(0.3)
    print(f"ok={ok} rounds={a.rounds} burst_closed={burst_closed} errors="
          + (",".join(f"{k}:{v}" for k, v in errors.items()) or "none"))


if __name__ == "__main__":
    main()
