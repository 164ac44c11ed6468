#!/usr/bin/env python3
"""httpprobe.py - poll HTTP paths for a while and report what happened.

Used by the fault tests while a fault is in progress: every request is a
new connection (as a scraper makes), with a timeout; a request that gets
no HTTP answer at all is a failure. Optionally records the largest value
seen of some /metrics series (e.g. a child's RSS).

    httpprobe.py URL --paths / /metrics --seconds 5 [--interval 0.05]
                 [--timeout 5] [--watch 'series{labels}' ...]

Prints one line of key=value pairs:
    requests=N failures=N codes=200:N,503:N p50_ms=.. p99_ms=.. max_ms=..
    max[series]=V ...
"""
import argparse
import http.client
import time
import urllib.parse


def one_request(host, port, path, timeout):
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, body
    finally:
        conn.close()


def watch_values(body, series):
    found = {}
    for line in body.decode("utf-8", "replace").splitlines():
        parts = line.split(" ")
        if len(parts) == 2 and parts[0] in series:
            try:
                found[parts[0]] = float(parts[1])
            except ValueError:
                pass
    return found


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    rank = max(1, int(round(q * len(sorted_values) + 0.4999)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--paths", nargs="+", default=["/", "/metrics"])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--interval", type=float, default=0.05)
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--watch", nargs="*", default=[])
    args = ap.parse_args()

    u = urllib.parse.urlparse(args.url)
    codes, lat, maxima = {}, [], {}
    failures = requests = 0
    deadline = time.monotonic() + args.seconds
    i = 0
    while time.monotonic() < deadline:
        path = args.paths[i % len(args.paths)]
        i += 1
        t0 = time.monotonic()
        try:
            status, body = one_request(u.hostname, u.port, path, args.timeout)
            lat.append((time.monotonic() - t0) * 1000.0)
            codes[status] = codes.get(status, 0) + 1
            if args.watch and path == "/metrics":
                for k, v in watch_values(body, args.watch).items():
                    maxima[k] = max(maxima.get(k, v), v)
        except (OSError, http.client.HTTPException):
            failures += 1
        requests += 1
        time.sleep(args.interval)

    lat.sort()
    out = [
        f"requests={requests}",
        f"failures={failures}",
        "codes=" + ",".join(f"{c}:{n}" for c, n in sorted(codes.items())),
        f"p50_ms={percentile(lat, 0.50):.2f}",
        f"p99_ms={percentile(lat, 0.99):.2f}",
        f"max_ms={(lat[-1] if lat else float('nan')):.2f}",
    ]
    for k in args.watch:
        out.append(f"max[{k}]={maxima.get(k, 0):.0f}")
    print(" ".join(out))


if __name__ == "__main__":
    main()
