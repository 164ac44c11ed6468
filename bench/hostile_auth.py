"""hostile_auth.py - the "Hostile clients" rows against basic auth and TLS
(used by hostile.py): the service runs with a web config of one user whose
bcrypt cost is 10, and a scraper that authenticated before the attack
fetches /metrics every 0.1 s (a new connection each time, 1 s timeout)
while:

    auth-wrong   16 keep-alive clients send wrong passwords as fast as
                 they are answered (bounded by the verify queue: 429)
    auth-right   16 keep-alive clients send the right password, 10 requests
                 a second each (160/s: without the cache of verified
                 credentials, 8 cores of bcrypt at cost 10; with it, the
                 page's serving cost)
    tls-idle     2N TCP connections to the TLS port that never send a
                 ClientHello (N the fd limit), reopened when closed

Each row has the keys of hostile.py's rows, and `cpu_target`: the
exporter's CPU bound for that attack (50% for the wrong-password flood,
which auth-busy-percent bounds at 40% of a core for bcrypt; 10% else).
"""
import base64
import http.client
import os
import resource
import socket
import ssl
import subprocess
import threading
import time
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # Debian's python3 still has it; libxcrypt's bcrypt
    import crypt

USER, PASSWORD = "prom", "bench pass"
CLIENTS = 16
RIGHT_INTERVAL_S = 0.1  # each right-password client: 10 requests a second
GOOD_INTERVAL_S, GOOD_TIMEOUT_S = 0.1, 1.0
KINDS = ("auth-wrong", "auth-right", "tls-idle")


def header(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def write_web_config(d, tls):
    """web.yml in `d`: the user at bcrypt cost 10, and a self-signed
    certificate when `tls`."""
    h = crypt.crypt(PASSWORD, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 10))
    text = f"basic_auth_users:\n  {USER}: '{h}'\n"
    if tls:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        os.path.join(d, "server.key"), "-out", os.path.join(d, "server.crt"), "-days", "2",
                        "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
        os.chmod(os.path.join(d, "server.key"), 0o600)
        text = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n" + text
    path = os.path.join(d, "web.yml")
    with open(path, "w") as f:
        f.write(text)
    return path


def connect(port, tls, timeout):
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=ctx)
    return http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)


def fetch(port, tls, auth, timeout):
    """One GET /metrics on a new connection: (status, milliseconds)."""
    t0 = time.monotonic()
    conn = connect(port, tls, timeout)
    try:
        conn.request("GET", "/metrics", headers={"Authorization": auth})
        r = conn.getresponse()
        r.read()
        return r.status, (time.monotonic() - t0) * 1000.0
    finally:
        conn.close()


def good_client(port, tls, stop, stats):
    auth = header(USER, PASSWORD)
    while not stop.is_set():
        t0 = time.monotonic()
        try:
            status, ms = fetch(port, tls, auth, GOOD_TIMEOUT_S)
            stats["lat"].append(ms)
            if status != 200:
                stats["failures"] += 1
            elif ms > GOOD_TIMEOUT_S * 1000.0:
                stats["slow"] += 1
            else:
                stats["ok"] += 1
        except OSError as e:
            stats["failures"] += 1
            stats["lat"].append((time.monotonic() - t0) * 1000.0)
            stats["errors"][type(e).__name__] = stats["errors"].get(type(e).__name__, 0) + 1
        stop.wait(max(0.0, GOOD_INTERVAL_S - (time.monotonic() - t0)))


def flooder(port, password, stop, counts, interval=0.0):
    """Keep-alive requests with `password`, one after another (or one every
    `interval` seconds)."""
    auth = header(USER, password)
    conn = None
    while not stop.is_set():
        t0 = time.monotonic()
        try:
            if conn is None:
                conn = connect(port, False, 5)
            conn.request("GET", "/metrics", headers={"Authorization": auth})
            r = conn.getresponse()
            r.read()
            counts[r.status] = counts.get(r.status, 0) + 1
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except OSError:
            counts["reconnects"] = counts.get("reconnects", 0) + 1
            if conn:
                conn.close()
            conn = None
        if interval:
            stop.wait(max(0.0, interval - (time.monotonic() - t0)))
    if conn:
        conn.close()


def idle_tls(port, n, stop, counts):
    """n connections that send nothing; each one the server closes is
    opened again on the next round (every 3 s)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 256:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 256), hard))
    socks = []

    def open_one():
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        return s

    while not stop.is_set() and len(socks) < n:
        try:
            socks.append(open_one())
        except OSError:
            break
    while not stop.wait(3):
        for s in list(socks):
            try:
                if s.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK) == b"":
                    raise ConnectionResetError
            except BlockingIOError:
                continue
            except OSError:
                pass
            socks.remove(s)
            s.close()
            counts["reconnects"] = counts.get("reconnects", 0) + 1
            try:
                socks.append(open_one())
            except OSError:
                pass
    for s in socks:
        s.close()


def percentile(values, q):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v), max(1, int(round(q * len(v) + 0.4999)))) - 1]


def run(kind, seconds, start_service, nofile):
    """One attack. `start_service(extra_args, tls)` starts the service and
    returns (port, exporter pid, log path, stop function, cpu and log
    probes) as hostile.py does for its own rows."""
    tls = kind == "tls-idle"
    svc = start_service(tls)
    stop, stats, counts = threading.Event(), {"ok": 0, "failures": 0, "slow": 0, "lat": [], "errors": {}}, {}
    try:
        # the scraper authenticates before the attack: its entry is cached
        fetch(svc["port"], tls, header(USER, PASSWORD), 5)
        probe0 = svc["probe"]()
        load0 = os.getloadavg()[0]
        if kind == "tls-idle":
            attackers = [threading.Thread(target=idle_tls, args=(svc["port"], 2 * nofile, stop, counts))]
            conns = 2 * nofile
        else:
            password, interval = ("wrong", 0.0) if kind == "auth-wrong" else (PASSWORD, RIGHT_INTERVAL_S)
            attackers = [threading.Thread(target=flooder, args=(svc["port"], password, stop, counts, interval))
                         for _ in range(CLIENTS)]
            conns = CLIENTS
        good = threading.Thread(target=good_client, args=(svc["port"], tls, stop, stats))
        for t in attackers:
            t.start()
        time.sleep(0.5)  # the attack under way before the first good request
        good.start()
        time.sleep(seconds)
        stop.set()
        good.join()
        for t in attackers:
            t.join()
        probe1 = svc["probe"]()
        load1 = os.getloadavg()[0]
    finally:
        svc["stop"]()
    requests = stats["ok"] + stats["failures"] + stats["slow"]
    dt = probe1["t"] - probe0["t"]
    return {
        "kind": kind, "conns": conns, "seconds": round(dt, 2), "requests": requests, "ok": stats["ok"],
        "failures": stats["failures"], "slow": stats["slow"], "ok_ratio": stats["ok"] / requests if requests else None,
        "p50_ms": percentile(stats["lat"], 0.5), "p99_ms": percentile(stats["lat"], 0.99),
        "max_ms": max(stats["lat"]) if stats["lat"] else float("nan"),
        "exporter_cpu_frac": (probe1["cpu_s"] - probe0["cpu_s"]) / dt,
        "log_bytes": probe1["log_bytes"] - probe0["log_bytes"], "exporter_fds_max": probe1["fds_max"],
        "attack_reconnects": counts.get("reconnects", 0),
        "attack_answers": {str(k): v for k, v in counts.items() if k != "reconnects"},
        "errors": ",".join(f"{k}:{v}" for k, v in stats["errors"].items()) or "none",
        "exporter_restarted": probe1["restarted"],
        "cpu_target": 0.50 if kind == "auth-wrong" else 0.10,
        "load_1min": [round(load0, 2), round(load1, 2)],
    }
