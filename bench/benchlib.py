"""benchlib.py - the measuring instruments of the bench: /proc readers,
the processes it starts (sensor-service, the Python baseline and the original
design, VictoriaMetrics, vmalert, Prometheus, nginx, node-exporter), wrk runs
and small statistics.

Every process here is one the bench started itself; it is stopped by its pid
(never by name), and the shared-memory segments have private names.
"""
import glob
import gzip
import json
import os
import signal
import socket
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
HERE = os.path.dirname(os.path.abspath(__file__))
WRK_LUA = os.path.join(HERE, "wrk", "stats.lua")
BASELINE_PY = os.path.join(HERE, "baseline", "sensor_baseline.py")
PYTHON = "/usr/bin/python3"  # Debian's, with Debian's flask and prometheus_client
ROOT = os.path.dirname(HERE)
# Where every bench script reads the binary and writes its results and the
# report: SENSOR_BIN, BENCH_OUT, BENCH_REPORT, or these defaults.
SENSOR_BIN = os.environ.get("SENSOR_BIN") or os.path.join(ROOT, "build", "sensor-service")
RESULTS_DIR = os.path.abspath(os.environ.get("BENCH_OUT") or os.path.join(ROOT, "bench", "results"))
REPORT_PATH = os.path.abspath(os.environ.get("BENCH_REPORT") or os.path.join(ROOT, "PERFORMANCE_REPORT.md"))


# Pinning: wrk (and every client the bench runs for load) on one CPU, each
# server measured on another, so that where the scheduler puts the two
# cannot move a ratio between servers. BENCH_PIN="LOAD,SERVER" (CPU
# numbers; default the first two this process may use), or "off".
def _pin_cpus():
    want = os.environ.get("BENCH_PIN", "").strip()
    if want == "off":
        return None
    if want:
        load, server = (int(x) for x in want.split(","))
        return load, server
    cpus = sorted(os.sched_getaffinity(0))
    return (cpus[0], cpus[1]) if len(cpus) >= 2 else None


PIN = _pin_cpus()
LOAD_CPU, SERVER_CPU = PIN if PIN else (None, None)


def pinned(argv, cpu):
    """argv run on one CPU (taskset execs it: the pid stays the program's)."""
    return ["taskset", "-c", str(cpu), *argv] if cpu is not None else list(argv)


def pin_self_to_load_cpu():
    """Move the calling thread (a client making load) onto the load CPU."""
    if LOAD_CPU is not None:
        os.sched_setaffinity(0, {LOAD_CPU})


# Result files: indented JSON, but a soak's time series (thousands of
# samples) is kept gzip-compressed, as NAME.json.gz: the report reads both.
def save_json(path_no_ext, data):
    compress = os.path.basename(path_no_ext).startswith("soak") and not path_no_ext.endswith("-machine")
    for stale in (path_no_ext + ".json", path_no_ext + ".json.gz"):
        if os.path.exists(stale):
            os.remove(stale)
    if compress:
        # mtime 0: the same data gives the same bytes, so an unchanged file stays unchanged in git
        with open(path_no_ext + ".json.gz", "wb") as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f:
            f.write(json.dumps(data, indent=1, sort_keys=True).encode())
    else:
        with open(path_no_ext + ".json", "w") as f:
            json.dump(data, f, indent=1, sort_keys=True)


def load_json(path_no_ext):
    """NAME.json or NAME.json.gz, or None when neither exists."""
    if os.path.exists(path_no_ext + ".json"):
        with open(path_no_ext + ".json") as f:
            return json.load(f)
    if os.path.exists(path_no_ext + ".json.gz"):
        with gzip.open(path_no_ext + ".json.gz", "rt") as f:
            return json.load(f)
    return None


# ---------------------------------------------------------------- /proc

def proc_mem(pid):
    """{'rss': bytes, 'pss': bytes} from /proc/PID/smaps_rollup, or None."""
    out = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                k, _, rest = line.partition(":")
                if k in ("Rss", "Pss", "Pss_Anon", "Pss_File", "Pss_Shmem", "Shared_Clean", "Shared_Dirty",
                         "Private_Clean", "Private_Dirty", "Anonymous"):
                    out[k.lower()] = int(rest.split()[0]) * 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return out if "rss" in out else None


def unique_resident(pids):
    """Bytes of the distinct physical pages resident in any of pids, each
    page counted once (from /proc/PID/pagemap; needs root to see frame
    numbers). None when the frame numbers are hidden."""
    import struct
    frames, seen_any = set(), False
    for pid in pids:
        try:
            with open(f"/proc/{pid}/maps") as m, open(f"/proc/{pid}/pagemap", "rb") as pm:
                for line in m:
                    if "[vsyscall]" in line:
                        continue
                    lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
                    pm.seek(lo // PAGE * 8)
                    data = pm.read((hi - lo) // PAGE * 8)
                    for (e,) in struct.iter_unpack("<Q", data):
                        if e >> 63:
                            seen_any = True
                            pfn = e & ((1 << 55) - 1)
                            if pfn:
                                frames.add(pfn)
        except (FileNotFoundError, ProcessLookupError, PermissionError, OSError):
            return None
    if seen_any and not frames:
        return None
    return len(frames) * PAGE


def _stat_fields(path):
    with open(path) as f:
        s = f.read()
    return s[s.rindex(")") + 2:].split()  # fields from 3 (state) on


def proc_ppid(pid):
    try:
        return int(_stat_fields(f"/proc/{pid}/stat")[1])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return None


def proc_comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except (FileNotFoundError, ProcessLookupError):
        return None


def cpu_ticks(pid, tid=None):
    """user+sys of a process (or one thread) in seconds, from /proc/PID/stat
    (clock ticks, 1/CLK_TCK s)."""
    path = f"/proc/{pid}/task/{tid}/stat" if tid else f"/proc/{pid}/stat"
    try:
        f = _stat_fields(path)
        return (int(f[11]) + int(f[12])) / CLK_TCK
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def cpu_ns(pid, tid=None):
    """CPU time in seconds with nanosecond resolution: the first field of
    /proc/PID/task/*/schedstat summed over the threads (or one thread). It is
    the same user+sys time as /proc/PID/stat without the 10 ms ticks."""
    paths = [f"/proc/{pid}/task/{tid}/schedstat"] if tid else glob.glob(f"/proc/{pid}/task/*/schedstat")
    total, seen = 0, False
    for p in paths:
        try:
            with open(p) as f:
                total += int(f.read().split()[0])
                seen = True
        except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
            pass
    if not seen or total == 0:  # schedstat unavailable: fall back on ticks
        return cpu_ticks(pid, tid)
    return total / 1e9


def cpu_time(pid, tid=None):
    """{'ns': schedstat seconds, 'ticks': /proc/PID/stat seconds}"""
    return {"ns": cpu_ns(pid, tid), "ticks": cpu_ticks(pid, tid)}


def proc_state(pid, tid=None):
    """One-letter scheduler state (R running or runnable, S, D, T...)."""
    path = f"/proc/{pid}/task/{tid}/stat" if tid else f"/proc/{pid}/stat"
    try:
        return _stat_fields(path)[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


class Periodic:
    """Calls self.sample_once() every self.every seconds in a thread, as a
    context manager: `with Sampler(...) as s: ...`."""

    every = 1.0

    def sample_once(self):
        raise NotImplementedError

    def _run(self):
        while not self._stop.is_set():
            self.sample_once()
            self._stop.wait(self.every)

    def __enter__(self):
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


class StateSampler(Periodic):
    """Fraction of samples (every 20 ms, in a thread) in which a task is
    running or runnable: whether a worker is inside its spike, whatever CPU
    share it gets."""

    def __init__(self, pid, tid=None, every=0.02):
        self.pid, self.tid, self.every = pid, tid, every
        self.n = self.running = 0

    def sample_once(self):
        st = proc_state(self.pid, self.tid)
        if st:
            self.n += 1
            self.running += st == "R"

    def fraction(self):
        return self.running / self.n if self.n else None


def children_of(pid):
    """{comm: pid} of the direct children of pid."""
    out = {}
    for d in os.listdir("/proc"):
        if d.isdigit() and proc_ppid(int(d)) == pid:
            c = proc_comm(int(d))
            if c:
                out[c] = int(d)
    return out


def machine_busy():
    """CPU seconds the whole machine spent busy (all CPUs), from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal
    return (v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)) / CLK_TCK


def own_cpu():
    """CPU seconds of the bench itself and of its finished children (wrk)."""
    import resource
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


class Foreign:
    """CPU used by everything that is not the bench, its wrk, or the
    measured processes, during a `with` block: the noise of the machine, in
    cores (1.0 = one core busy all the time)."""

    def __init__(self, pidfuncs):
        self.pidfuncs = pidfuncs
        self.cores = None

    def _ours(self):
        return sum(cpu_ns(pid) or 0 for f in self.pidfuncs for pid in f().values())

    def __enter__(self):
        self.t0, self.m0, self.o0, self.s0 = time.monotonic(), machine_busy(), own_cpu(), self._ours()
        return self

    def __exit__(self, *exc):
        dt = time.monotonic() - self.t0
        other = (machine_busy() - self.m0) - (own_cpu() - self.o0) - (self._ours() - self.s0)
        self.cores = max(0.0, other / dt) if dt > 0 else None


def wait_quiet(limit_cores=0.3, max_wait=20.0):
    """Wait (at most max_wait s) until the rest of the machine uses less than
    limit_cores over one second; returns what it used last."""
    deadline = time.monotonic() + max_wait
    while True:
        with Foreign([]) as f:
            time.sleep(1.0)
        if f.cores < limit_cores or time.monotonic() >= deadline:
            return f.cores


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


# ---------------------------------------------------------------- helpers

_used_ports = set()


def print_config(binary):
    """The binary's settings as it states them (--print-config): {name: text}."""
    out = subprocess.run([binary, "--print-config"], capture_output=True, text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line and not line.startswith("#"))


def free_port():
    """A free loopback port below the kernel's ephemeral range (so that no
    client socket of wrk or curl can take it between the check and the
    server's bind), never handed out twice."""
    import random
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        lo = 32768
    hi = lo if lo > 21000 else 50000
    for _ in range(200):
        p = random.randrange(20000, hi)
        if p in _used_ports:
            continue
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", p))
        except OSError:
            continue
        finally:
            s.close()
        _used_ports.add(p)
        return p
    raise RuntimeError("no free port")


def http_get(url, timeout=5.0, headers=None):
    """(status, body bytes); status 0 when nothing answers. An https URL is
    fetched without verifying the certificate (the bench's own, self-signed)."""
    import ssl
    ctx = None
    if url.startswith("https:"):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=timeout,
                                    context=ctx) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (urllib.error.URLError, ConnectionError, socket.timeout, OSError):
        return 0, b""


def wait_until(pred, timeout, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return False


def metric_value(text, name):
    """First sample of NAME (with its labels, exactly) in a Prometheus page."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            try:
                return float(line.split()[1])
            except (IndexError, ValueError):
                return None
    return None


def metric_sums(text, names):
    """{name: the sum of its samples over every label set} for the NAMES found
    in a Prometheus page (e.g. all of VictoriaMetrics' vm_cache_size_bytes)."""
    out = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        name = line.split("{", 1)[0].split(" ", 1)[0]
        if name in names:
            try:
                out[name] = out.get(name, 0.0) + float(line.rsplit(" ", 1)[1])
            except (IndexError, ValueError):
                pass
    return out


def metric_by_label(text, name, label):
    """{value of LABEL: sample} for every sample of NAME in a Prometheus page."""
    out = {}
    key = f'{label}="'
    for line in text.splitlines():
        if line.startswith(name + "{") and key in line:
            lab = line.split(key, 1)[1].split('"', 1)[0]
            try:
                out[lab] = float(line.rsplit(" ", 1)[1])
            except (IndexError, ValueError):
                pass
    return out


def prom_query(url, query):
    """The first value of an instant PromQL query to Prometheus or
    VictoriaMetrics at url, or None."""
    import urllib.parse
    st, body = http_get(url + "/api/v1/query?query=" + urllib.parse.quote(query))
    try:
        return float(json.loads(body)["data"]["result"][0]["value"][1]) if st == 200 else None
    except (ValueError, KeyError, IndexError):
        return None


def summarize(values):
    """median, min, max and n of the numbers that are not None."""
    v = [x for x in values if x is not None]
    if not v:
        return {"median": None, "min": None, "max": None, "n": 0}
    return {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)}


def slope_per_minute(ts, ys):
    """Least-squares slope of ys over ts (seconds), in units per minute."""
    n = len(ts)
    if n < 3:
        return None
    mt, my = sum(ts) / n, sum(ys) / n
    var = sum((t - mt) ** 2 for t in ts)
    if var == 0:
        return None
    return 60.0 * sum((t - mt) * (y - my) for t, y in zip(ts, ys)) / var


# ---------------------------------------------------------------- processes

_running = []
started_pids = []  # every pid the bench started or saw as a child of its own


class Proc:
    """A process the bench started; stopped by pid."""

    def __init__(self, name, argv, logdir, env=None, pin=True):
        """pin: run on the server CPU (SERVER_CPU), as every server measured."""
        self.name = name
        if pin:
            argv = pinned(argv, SERVER_CPU)
        self.log_path = os.path.join(logdir, f"{name}.log")
        self.log = open(self.log_path, "ab")
        self.p = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  env=env, start_new_session=True)
        self.pid = self.p.pid
        started_pids.append(self.pid)
        _running.append(self)

    def alive(self):
        return self.p.poll() is None

    def pids(self):
        return {self.name: self.pid}

    def stop(self, timeout=10.0):
        extra = [p for k, p in self.pids().items() if p != self.pid]
        if self.alive():
            try:
                os.kill(self.pid, signal.SIGTERM)
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.p.wait(5)
            except ProcessLookupError:
                pass
        for p in extra:  # children of ours die with the supervisor; make sure
            if proc_ppid(p) in (self.pid, 1):
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.log.close()
        if self in _running:
            _running.remove(self)

    def log_tail(self, n=20):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


def stop_all():
    for p in list(reversed(_running)):
        try:
            p.stop(timeout=5)
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


class Ours(Proc):
    """sensor-service: a supervisor and its two children."""

    seq = 0

    def __init__(self, binary, logdir, args=(), tag="svc", scheme="http", headers=None):
        """scheme, headers: how to reach it (https and an Authorization
        header where its web config asks for them)."""
        Ours.seq += 1
        self.port = free_port()
        self.shm = f"/sensor-bench-{os.getpid()}-{Ours.seq}"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self.args = list(args)
        argv = [binary, "--port", str(self.port), "--shm-name", self.shm, *self.args]
        super().__init__(f"{tag}-{Ours.seq}", argv, logdir)
        self._kids = {}
        ok = wait_until(lambda: http_get(self.url + "/", 1, headers)[0] == 200 and len(self.pids()) == 3, 15)
        if not ok:
            tail = self.log_tail()
            self.stop()
            raise RuntimeError(f"sensor-service did not start ({' '.join(argv)}):\n{tail}")

    def pids(self):
        if not all(proc_ppid(p) == self.pid for p in self._kids.values()) or len(self._kids) < 2:
            kids = children_of(self.pid)
            self._kids = {}
            for comm, role in (("sensor-worker", "worker"), ("sensor-exporter", "exporter")):
                if comm in kids:
                    self._kids[role] = kids[comm]
                    if kids[comm] not in started_pids:
                        started_pids.append(kids[comm])
        return {"supervisor": self.pid, **self._kids}

    def segment_bytes(self):
        try:
            return os.stat("/dev/shm" + self.shm).st_size
        except OSError:
            return None

    def stop(self, timeout=10.0):
        super().stop(timeout)
        try:
            os.unlink("/dev/shm" + self.shm)  # only if a kill left it behind
        except OSError:
            pass


class Baseline(Proc):
    """The Python/Flask design of bench/baseline/; with original=True the
    design before the seed's fixes (--original), labelled "original"."""

    seq = 0

    def __init__(self, logdir, args=(), original=False):
        Baseline.seq += 1
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.label = "original" if original else "baseline"
        argv = [PYTHON, BASELINE_PY, "--port", str(self.port), *args, *(["--original"] if original else [])]
        super().__init__(f"{self.label}-{Baseline.seq}", argv, logdir)
        ok = wait_until(lambda: http_get(self.url + "/", 1)[0] == 200, 20)
        if not ok:
            tail = self.log_tail()
            self.stop()
            raise RuntimeError(f"baseline did not start:\n{tail}")
        body = json.loads(http_get(self.url + "/")[1])
        self.worker_tid = body["worker"]["tid"]

    def pids(self):
        return {self.label: self.pid}


class NodeExporter(Proc):
    """Debian's prometheus-node-exporter with its default collectors, or with
    `args` (collectors, a web config) reached by scheme and headers."""

    def __init__(self, logdir, args=(), scheme="http", headers=None):
        self.port = free_port()
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        super().__init__("node-exporter", ["prometheus-node-exporter", f"--web.listen-address=127.0.0.1:{self.port}",
                                           *args], logdir)
        if not wait_until(lambda: http_get(self.url + "/metrics", 2, headers)[0] == 200, 15):
            tail = self.log_tail()
            self.stop()
            raise RuntimeError(f"prometheus-node-exporter did not start:\n{tail}")


class Nginx(Proc):
    """Debian's nginx serving `page` as a static file at /metrics: the ceiling
    of what a server can do with this page on this machine. A private
    configuration in its own directory (one worker, in the foreground, no
    access log; keep-alive connections never closed for their request count,
    as ours are not), on a free loopback port."""

    def __init__(self, logdir, page, tls=None, htpasswd=None, gzip_level=None, headers=None):
        """tls: (certificate, key) to serve https; htpasswd: a file of
        users for auth_basic (headers: the credentials the start check
        sends); gzip_level: compress for clients that ask."""
        self.port = free_port()
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.dir = os.path.join(logdir, f"nginx-{self.port}")
        www = os.path.join(self.dir, "www")
        os.makedirs(www)
        with open(os.path.join(www, "metrics"), "wb") as f:
            f.write(page)
        temps = "\n".join(f"  {k}_temp_path {self.dir}/{k};" for k in ("client_body", "proxy", "fastcgi"))
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""{'user root;' if os.geteuid() == 0 else ''}
worker_processes 1;
daemon off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
{temps}
  sendfile on;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
{f"  gzip on; gzip_comp_level {gzip_level}; gzip_min_length 256; gzip_types *;" if gzip_level else ""}
  server {{
    listen 127.0.0.1:{self.port}{" ssl" if tls else ""};
{f"    ssl_certificate {tls[0]}; ssl_certificate_key {tls[1]};" if tls else ""}
{f'    auth_basic "sensor-service"; auth_basic_user_file {htpasswd};' if htpasswd else ""}
    root {www};
    location = /metrics {{ default_type "text/plain; version=0.0.4; charset=utf-8"; }}
  }}
}}
""")
        self.flags = ["-p", self.dir, "-c", conf, "-e", os.path.join(self.dir, "error.log")]
        super().__init__("nginx", ["nginx", *self.flags], logdir)
        self._worker = None
        if not wait_until(lambda: http_get(self.url + "/metrics", 2, headers) == (200, page), 15):
            tail = self.log_tail()
            self.stop()
            raise RuntimeError(f"nginx did not start:\n{tail}")

    def pids(self):
        if self._worker is None or proc_ppid(self._worker) != self.pid:
            self._worker = children_of(self.pid).get("nginx")
            if self._worker and self._worker not in started_pids:
                started_pids.append(self._worker)
        return {"nginx": self.pid, **({"nginx-worker": self._worker} if self._worker else {})}


class Prometheus(Proc):
    """Debian's Prometheus scraping `targets` with a configuration like the
    package's own /etc/prometheus/prometheus.yml (15 s scrape and evaluation,
    Prometheus scraping itself every 5 s), data in a private directory."""

    def __init__(self, logdir, targets):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data = os.path.join(logdir, f"prometheus-data-{self.port}")
        cfg = os.path.join(logdir, f"prometheus-{self.port}.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 15s\n  evaluation_interval: 15s\nscrape_configs:\n"
                    f"  - job_name: prometheus\n    scrape_interval: 5s\n    scrape_timeout: 5s\n"
                    f"    static_configs:\n      - targets: ['127.0.0.1:{self.port}']\n")
            for job, addr in targets.items():
                f.write(f"  - job_name: {job}\n    static_configs:\n      - targets: ['{addr}']\n")
        self.flags = [f"--config.file={cfg}", f"--storage.tsdb.path={self.data}",
                      f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"]
        super().__init__("prometheus", ["prometheus", *self.flags], logdir, pin=False)
        if not wait_until(lambda: http_get(self.url + "/-/ready", 2)[0] == 200, 30):
            tail = self.log_tail()
            self.stop()
            raise RuntimeError(f"prometheus did not start:\n{tail}")


def stack_flags(kind):
    """Footprint flags of VictoriaMetrics (kind "vm") or vmalert ("vmalert")
    as scripts/run-stack.sh starts them (its defaults: the environment's
    STACK_* settings are left out)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STACK_")}
    out = subprocess.run([os.path.join(ROOT, "scripts", "run-stack.sh"), f"{kind}-flags"], env=env, check=True,
                         capture_output=True, text=True).stdout
    return out.split()


class VictoriaMetrics(Proc):
    """victoria-metrics scraping `targets` every second, with the stack's
    small-footprint flags."""

    def __init__(self, logdir, targets, interval="1s"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data = os.path.join(logdir, f"vm-data-{self.port}")
        cfg = os.path.join(logdir, "scrape.yml")
        with open(cfg, "w") as f:
            f.write(f"global:\n  scrape_interval: {interval}\nscrape_configs:\n")
            for job, addr in targets.items():
                f.write(f"  - job_name: {job}\n    static_configs:\n      - targets: ['{addr}']\n")
        # the footprint of the stack as deployed (scripts/run-stack.sh owns
        # it), or flags of the caller's (BENCH_VM_FLAGS)
        caps = os.environ.get("BENCH_VM_FLAGS", "").split() or stack_flags("vm")
        self.flags = [f"-httpListenAddr=127.0.0.1:{self.port}", f"-storageDataPath={self.data}",
                      f"-promscrape.config={cfg}", *caps, "-retentionPeriod=1d",
                      "-search.latencyOffset=2s", "-loggerLevel=WARN"]
        super().__init__("victoria-metrics", ["victoria-metrics", *self.flags], logdir, pin=False)
        if not wait_until(lambda: http_get(self.url + "/health", 2)[0] == 200, 20):
            tail = self.log_tail()
            self.stop()
            raise RuntimeError(f"victoria-metrics did not start:\n{tail}")


class VmAlert(Proc):
    """vmalert evaluating the shipped rules (deploy/vmalert/alerts.yml) against
    VictoriaMetrics with the stack's flags, as scripts/run-stack.sh starts
    it. Its notifier URL points at a closed loopback port (1.79 has no
    blackhole notifier)."""

    def __init__(self, logdir, vm_url):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.flags = [f"-rule={os.path.join(ROOT, 'deploy', 'vmalert', 'alerts.yml')}", f"-datasource.url={vm_url}",
                      f"-remoteWrite.url={vm_url}", f"-notifier.url=http://127.0.0.1:{free_port()}",
                      f"-httpListenAddr=127.0.0.1:{self.port}", *stack_flags("vmalert"), "-loggerLevel=ERROR"]
        super().__init__("vmalert", ["vmalert", *self.flags], logdir, pin=False)
        if not wait_until(lambda: http_get(self.url + "/health", 2)[0] == 200, 20):
            tail = self.log_tail()
            self.stop()
            raise RuntimeError(f"vmalert did not start:\n{tail}")


# ---------------------------------------------------------------- sampling

class Sampler(Periodic):
    """Samples RSS/PSS of named pids every `interval` s in a thread; keeps the
    series and the maximum of each."""

    def __init__(self, pidfuncs, interval=0.5, unique=None):
        self.pidfuncs = pidfuncs  # callables returning {label: pid}
        self.unique = unique or {}  # {label: callable returning pids}: pages counted once
        self.every = interval
        self.series = []  # (t, {label: mem})
        self.t0 = time.monotonic()

    def sample_once(self):
        row = {}
        for f in self.pidfuncs:
            for label, pid in f().items():
                m = proc_mem(pid)
                if m:
                    row[label] = m
        for label, f in self.unique.items():
            u = unique_resident(f())
            if u is not None:
                row[label] = {"rss": u, "pss": u}
        self.series.append((time.monotonic() - self.t0, row))
        return row

    def peak(self):
        out = {}
        for _, row in self.series:
            for label, m in row.items():
                cur = out.setdefault(label, {"rss": 0, "pss": 0})
                cur["rss"] = max(cur["rss"], m["rss"])
                cur["pss"] = max(cur["pss"], m.get("pss", 0))
        return out


# ---------------------------------------------------------------- wrk

def run_wrk(url, conns, duration, paths=None, delay_ms=0, threads=1, timeout_s=10):
    """One wrk run; returns the JSON of bench/wrk/stats.lua plus rps."""
    env = dict(os.environ)
    env["WRK_PATHS"] = ",".join(paths or [])
    env["WRK_DELAY_MS"] = str(delay_ms)
    argv = pinned(["wrk"], LOAD_CPU) + [f"-t{threads}", f"-c{conns}", f"-d{duration}s", f"--timeout={timeout_s}s", "-s", WRK_LUA, url]
    r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=duration + timeout_s + 30)
    for line in r.stdout.splitlines():
        if line.startswith("WRKJSON "):
            d = json.loads(line[8:])
            secs = d["duration_us"] / 1e6
            d["rps"] = d["requests"] / secs if secs > 0 else 0.0
            d["errors"] = sum(d[k] for k in d if k.startswith("errors_"))
            return d
    raise RuntimeError(f"wrk gave no result: {r.stdout} {r.stderr}")
