#!/usr/bin/python3
"""hostile.py - the "Hostile clients" figures: sensor-service under attacks
that hold connections open, at twice its descriptor limit.

For each attack the service starts afresh under `prlimit --nofile=N:N`
(N = BENCH_HOSTILE_NOFILE, default 1024, systemd's default soft limit);
tests/integration/lib/starve_http.py then opens 2N connections of that kind,
reopening each one the server closes, while a well-behaved client fetches
/metrics every 0.1 s (a new connection each time, 1 s timeout):

    idle      connect and send nothing (plain starvation of descriptors)
    headers   slowloris on the headers: one header byte every 3 s
    body      slowloris on the body: complete headers, one body byte every 3 s

The attacks on basic auth and TLS (auth-wrong, auth-right, tls-idle) are
bench/hostile_auth.py's, against the service with a web config.
BENCH_HOSTILE_KINDS (comma-separated) runs only the attacks named.

Measured per attack: the good client's answers (200 within 1 s) and
latencies, the exporter's CPU (utime + stime from /proc/PID/stat over the
attack), the bytes the service wrote to its log, the most descriptors
the exporter held, and the machine's 1-minute load average at the start and
the end (other processes' work shows in the latencies). Writes RESULTS/hostile.json and regenerates the report:

    /usr/bin/python3 bench/hostile.py     (make bench-hostile)

BENCH_HOSTILE_S (default 30) sets each attack's length; BENCH_OUT and
BENCH_REPORT the results directory and the report, as for bench.py.
"""
import datetime
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import benchlib as bl  # noqa: E402
import hostile_auth  # noqa: E402
import report  # noqa: E402

BIN = bl.SENSOR_BIN
OUT = bl.RESULTS_DIR
REPORT = bl.REPORT_PATH
SECONDS = float(os.environ.get("BENCH_HOSTILE_S", "30"))
NOFILE = int(os.environ.get("BENCH_HOSTILE_NOFILE", "1024"))
STARVE = os.path.join(ROOT, "tests", "integration", "lib", "starve_http.py")
KINDS = ("idle", "headers", "body")
ALL_KINDS = KINDS + hostile_auth.KINDS
ONLY = [k for k in os.environ.get("BENCH_HOSTILE_KINDS", "").split(",") if k]
TCK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def child(pid, name):
    out = subprocess.run(["pgrep", "-P", str(pid), "-x", name], capture_output=True, text=True).stdout.split()
    return int(out[0]) if out else None


def wait_up(url, secs=15):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def fd_sampler(pid, stop, peak):
    while not stop.is_set():
        try:
            peak[0] = max(peak[0], len(os.listdir(f"/proc/{pid}/fd")))
        except OSError:
            pass
        stop.wait(0.5)


def run_attack(kind, log_dir):
    port = bl.free_port()
    shm = f"/sensor-bench-hostile-{os.getpid()}-{kind}"
    log_path = os.path.join(log_dir, f"{kind}.log")
    with open(log_path, "wb") as log:
        svc = subprocess.Popen(["prlimit", f"--nofile={NOFILE}:{NOFILE}", BIN, "--port", str(port),
                                "--shm-name", shm], stdout=log, stderr=subprocess.STDOUT)
    try:
        if not wait_up(f"http://127.0.0.1:{port}/metrics"):
            raise RuntimeError(f"the service did not start (log: {log_path})")
        epid = child(svc.pid, "sensor-exporter")
        log0, c0, t0 = os.path.getsize(log_path), cpu_ticks(epid), time.monotonic()
        load0 = os.getloadavg()[0]
        stop, peak = threading.Event(), [0]
        sampler = threading.Thread(target=fd_sampler, args=(epid, stop, peak))
        sampler.start()
        out = subprocess.run([sys.executable, STARVE, str(port), "--conns", str(2 * NOFILE), "--seconds",
                              str(SECONDS), "--kind", kind, "--round", "3", "--interval", "0.1", "--timeout", "1"],
                             capture_output=True, text=True, check=True).stdout.strip()
        c1, t1 = cpu_ticks(epid), time.monotonic()
        load1 = os.getloadavg()[0]
        stop.set()
        sampler.join()
        log_bytes = os.path.getsize(log_path) - log0
        restarted = child(svc.pid, "sensor-exporter") != epid
    finally:
        svc.terminate()
        svc.wait(timeout=30)
    if out.startswith("skip"):
        raise RuntimeError(out)
    kv = dict(item.split("=", 1) for item in out.split())
    requests, ok = int(kv["requests"]), int(kv["ok"])
    return {
        "kind": kind, "conns": 2 * NOFILE, "seconds": round(t1 - t0, 2),
        "requests": requests, "ok": ok, "failures": int(kv["failures"]), "slow": int(kv["slow"]),
        "ok_ratio": ok / requests if requests else None,
        "p50_ms": float(kv["p50_ms"]), "p99_ms": float(kv["p99_ms"]), "max_ms": float(kv["max_ms"]),
        "exporter_cpu_frac": (c1 - c0) / TCK / (t1 - t0), "log_bytes": log_bytes,
        "exporter_fds_max": peak[0], "attack_reconnects": int(kv["reconnects"]),
        "errors": kv.get("errors", "none"), "exporter_restarted": restarted,
        "load_1min": [round(load0, 2), round(load1, 2)],
    }


def wait_listening(port, secs=15):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def web_service_starter(kind, log_dir):
    """hostile_auth.run's way to start the service with a web config (and
    TLS when asked) under the same descriptor limit as the other attacks."""
    def start(tls):
        d = tempfile.mkdtemp(prefix="sensor-hostile-web-")
        web = hostile_auth.write_web_config(d, tls)
        port = bl.free_port()
        shm = f"/sensor-bench-hostile-{os.getpid()}-{kind}"
        log_path = os.path.join(log_dir, f"{kind}.log")
        with open(log_path, "wb") as log:
            svc = subprocess.Popen(["prlimit", f"--nofile={NOFILE}:{NOFILE}", BIN, "--port", str(port),
                                    "--shm-name", shm, "--web-config-file", web], stdout=log,
                                   stderr=subprocess.STDOUT)
        if not wait_listening(port) or not child(svc.pid, "sensor-exporter"):
            svc.terminate()
            raise RuntimeError(f"the service did not start (log: {log_path})")
        time.sleep(0.5)
        epid = child(svc.pid, "sensor-exporter")
        stop, peak = threading.Event(), [0]
        sampler = threading.Thread(target=fd_sampler, args=(epid, stop, peak))
        sampler.start()

        def probe():
            return {"t": time.monotonic(), "cpu_s": cpu_ticks(epid) / TCK, "log_bytes": os.path.getsize(log_path),
                    "fds_max": peak[0], "restarted": child(svc.pid, "sensor-exporter") != epid}

        def halt():
            stop.set()
            sampler.join()
            svc.terminate()
            svc.wait(timeout=30)
        return {"port": port, "probe": probe, "stop": halt}
    return start


def main():
    if not os.access(BIN, os.X_OK):
        sys.exit(f"hostile: no {BIN}; run make first")
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or None
    os.makedirs(OUT, exist_ok=True)
    log_dir = tempfile.mkdtemp(prefix="sensor-hostile-")  # the service's logs, one per attack
    rows = []
    for kind in [k for k in ALL_KINDS if not ONLY or k in ONLY]:
        print(f"hostile: {kind} for {SECONDS:.0f} s ...", flush=True)
        if kind in hostile_auth.KINDS:
            rows.append(hostile_auth.run(kind, SECONDS, web_service_starter(kind, log_dir), NOFILE))
        else:
            rows.append(run_attack(kind, log_dir))
        r = rows[-1]
        print(f"  good client {r['ok']}/{r['requests']} within 1 s, p99 {r['p99_ms']:.1f} ms; exporter "
              f"{r['exporter_cpu_frac'] * 100:.1f}% CPU, {r['exporter_fds_max']} fds at most; log +{r['log_bytes']} B",
              flush=True)
    data = {"generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "commit": commit, "nofile": NOFILE, "attack_s": SECONDS, "cpu": cpu_model(),
            "cores": os.cpu_count(), "rows": rows}
    with open(os.path.join(OUT, "hostile.json"), "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
    report.generate(OUT, REPORT)
    print(f"hostile: wrote {os.path.join(OUT, 'hostile.json')} and {REPORT} (service logs in {log_dir})")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


if __name__ == "__main__":
    main()
