"""fleet.py - the scrape a fleet really makes: over TLS, with basic auth,
asking for gzip, one keep-alive connection, one scrape a second.

Three servers answer the same page in the same run, each scraped by its own
client thread (the threads a third of a second apart):
  - sensor-service with a web config file (TLS and basic_auth_users);
  - prometheus-node-exporter serving the page through its textfile
    collector, with the same web config file (its own metrics off), so that
    only TLS, auth and gzip differ from a plain scrape;
  - nginx serving the page as a static file over TLS with auth_basic (the
    same bcrypt hash in its htpasswd file) and gzip.
The cost is each server's CPU time over the scrapes (the first first-hand
figure: /proc/PID/task/*/schedstat, nanoseconds; at one scrape a second
procfs ticks are far too coarse), divided by the scrapes; the latency is
the client's, request sent to last byte read, the body left compressed.
"""
import base64
import crypt  # noqa: deprecated in 3.11, still Debian bookworm's way to libxcrypt's bcrypt
import http.client
import os
import ssl
import subprocess
import threading
import time

import benchlib as B

USER, PASSWORD = "prom", "fleet scrape pass"
BCRYPT_COST = int(os.environ.get("BENCH_FLEET_BCRYPT_COST", "") or 10)
AUTH = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
HEADERS = {"Authorization": AUTH, "Accept-Encoding": "gzip"}
GZIP_LEVEL = 1  # exporter/gzip.h GZIP_LEVEL: nginx compresses at the same level
# (gzip_types *: nginx matches a default_type with parameters as one string)


def credentials(tmp):
    """A self-signed certificate for 127.0.0.1, the web config file and
    nginx's htpasswd with the same bcrypt hash; returns their paths."""
    d = os.path.join(tmp, "fleet-credentials")
    os.makedirs(d, exist_ok=True)
    crt, key = os.path.join(d, "server.crt"), os.path.join(d, "server.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    h = crypt.crypt(PASSWORD, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << BCRYPT_COST))
    web = os.path.join(d, "web.yml")
    with open(web, "w") as f:
        f.write(f"tls_server_config:\n  cert_file: {crt}\n  key_file: {key}\n"
                f"basic_auth_users:\n  {USER}: '{h}'\n")
    htpasswd = os.path.join(d, "htpasswd")
    with open(htpasswd, "w") as f:
        f.write(f"{USER}:{h}\n")
    return {"crt": crt, "key": key, "web": web, "htpasswd": htpasswd, "hash_prefix": h[:7]}


def scrape_loop(port, seconds, offset, out):
    """One keep-alive TLS connection, one GET /metrics a second for
    `seconds` after a first scrape (the handshake and any first-time work)
    that is left out of every figure; fills out{latencies, ...}."""
    B.pin_self_to_load_cpu()
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=ctx)
    lat, statuses, wire, encodings, reconnects = [], {}, [], set(), 0

    def one():
        nonlocal reconnects
        t0 = time.perf_counter()
        try:
            conn.request("GET", "/metrics", headers=HEADERS)
            r = conn.getresponse()
            body = r.read()
        except (OSError, http.client.HTTPException):
            reconnects += 1
            conn.close()
            return None
        dt = time.perf_counter() - t0
        if r.getheader("Connection", "").lower() == "close":
            reconnects += 1
        return r.status, dt, len(body), r.getheader("Content-Encoding")

    first = one()
    out["first"] = {"status": first[0], "s": first[1]} if first else None
    time.sleep(offset)
    out["cpu0"] = out["cpu_of"]()
    t_next = time.monotonic()
    end = t_next + seconds
    while time.monotonic() < end:
        r = one()
        if r:
            st, dt, n, enc = r
            statuses[st] = statuses.get(st, 0) + 1
            if st == 200:
                lat.append(dt)
                wire.append(n)
                encodings.add(enc)
        t_next += 1.0
        time.sleep(max(0.0, t_next - time.monotonic()))
    out["cpu1"] = out["cpu_of"]()
    conn.close()
    out.update({"latencies_s": lat, "statuses": {str(k): v for k, v in statuses.items()},
                "wire_bytes": B.summarize(wire), "encodings": sorted(str(e) for e in encodings),
                "reconnects": reconnects})


def quantile(xs, q):
    if not xs:
        return None
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def render_record(url):
    """(sum, count) of the exporter's sensor_metrics_render_seconds, read
    over TLS with auth, uncompressed."""
    page = B.http_get(url + "/metrics", 5, {"Authorization": AUTH})[1].decode(errors="replace")
    return (B.metric_value(page, "sensor_metrics_render_seconds_sum"),
            B.metric_value(page, "sensor_metrics_render_seconds_count"))


def measure(binary, tmp, seconds, log):
    cred = credentials(tmp)
    auth_only = {"Authorization": AUTH}
    ours = B.Ours(binary, tmp, ["--web-config-file", cred["web"]], "fleet", scheme="https", headers=auth_only)
    servers = {"ours": ours}
    try:
        time.sleep(3)  # the worker's first processing run: the page at its full size
        page = B.http_get(ours.url + "/metrics", 5, auth_only)[1]
        textdir = os.path.join(tmp, "fleet-textfile")
        os.makedirs(textdir, exist_ok=True)
        with open(os.path.join(textdir, "sensor.prom"), "wb") as f:
            f.write(page)
        ne_args = ["--collector.disable-defaults", "--collector.textfile", f"--collector.textfile.directory={textdir}",
                   "--web.disable-exporter-metrics", f"--web.config.file={cred['web']}"]
        ne = B.NodeExporter(tmp, ne_args, scheme="https", headers=auth_only)
        servers["node-exporter"] = ne
        ng = B.Nginx(tmp, page, tls=(cred["crt"], cred["key"]), htpasswd=cred["htpasswd"], gzip_level=GZIP_LEVEL,
                     headers=auth_only)
        servers["nginx"] = ng
        log(f"fleet: page {len(page)} bytes; ours {ours.url}, node-exporter {ne.url}, nginx {ng.url}; "
            f"{seconds:.0f} s of one scrape a second each, bcrypt cost {BCRYPT_COST}")
        cpu_pids = {"ours": lambda: [ours.pids()["exporter"]], "node-exporter": lambda: [ne.pid],
                    "nginx": lambda: list(ng.pids().values())}
        r0 = render_record(ours.url)
        results, threads = {}, []
        for i, (name, svc) in enumerate(servers.items()):
            results[name] = {"cpu_of": (lambda f=cpu_pids[name]: sum(B.cpu_ns(p) or 0 for p in f()))}
            threads.append(threading.Thread(target=scrape_loop, args=(svc.port, seconds, i / 3.0, results[name])))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        r1 = render_record(ours.url)
        mem = {name: {label: B.proc_mem(pid) for label, pid in svc.pids().items()} for name, svc in servers.items()}
    finally:
        for svc in reversed(list(servers.values())):
            svc.stop()
    rows = []
    for name, r in results.items():
        lat = r["latencies_s"]
        n = len(lat)
        rows.append({"server": name, "scrapes": n, "statuses": r["statuses"], "reconnects": r["reconnects"],
                     "cpu_per_scrape_s": (r["cpu1"] - r["cpu0"]) / n if n else None,
                     "p50_s": quantile(lat, 0.5), "p99_s": quantile(lat, 0.99), "max_s": max(lat) if lat else None,
                     "wire_bytes": r["wire_bytes"], "encodings": r["encodings"], "first": r["first"],
                     "mem": mem.get(name)})
    render = None
    if None not in r0 + r1 and r1[1] > r0[1]:
        render = (r1[0] - r0[0]) / (r1[1] - r0[1])
    return {"seconds": seconds, "page_bytes": len(page), "bcrypt_cost": BCRYPT_COST, "gzip_level": GZIP_LEVEL,
            "hash_prefix": cred["hash_prefix"], "rows": rows, "ours_render_per_scrape_s": render,
            "node_exporter_args": ne_args, "nginx_flags": ng.flags}
