#!/usr/bin/python3
"""sensor_baseline.py - the original Python design of sensor-service, kept as
the "before" of PERFORMANCE_REPORT.md and measured in the same bench run.

It is the seed's design, written plainly: one Flask process (the threaded
Werkzeug server, as `python sensor.py` runs it), prometheus_client with its
default registry, a `deque(maxlen=500)` buffer, and one background thread that
samples the simulated sensors and runs the CPU-heavy processing step (window
statistics and a DFT of each vibration channel). It serves `/` and `/metrics`
with the metric names of sensor-service.

--original runs the service as the seed found it, before its fixes: every
reading appended to a plain list that is never trimmed, the CPU-heavy work
(a 2,000,000-iteration loop) and a 5-15 MiB scratch allocation inside each
/metrics request, the window statistics computed there over every reading
ever taken, and Werkzeug's access log on. The background thread only
samples. This is the "before" of the report's opening table.

Only Debian's packages: python3-flask, python3-prometheus-client,
python3-psutil. Run it with /usr/bin/python3.

    sensor_baseline.py --port 8000 [--channels 3] [--sample-interval-ms 100]
                       [--process-interval-ms 2000] [--spike-ms 0]

--spike-ms N makes every processing step keep computing for at least N ms:
the same multi-second CPU spike the bench gives sensor-service's worker.
SIGUSR2 pauses the spikes (a running one stops within milliseconds), SIGUSR1
resumes them, so the bench can alternate idle and spike in one process.
"""
import argparse
import collections
import logging
import math
import os
import random
import signal
import threading
import time

import psutil
from flask import Flask, Response, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, Info, generate_latest

BUFFER_LEN = 500
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
KINDS = (("temperature", "celsius"), ("humidity", "percent"), ("vibration", "g"))

CPU_SPIKE = Histogram("sensor_cpu_spike_seconds", "Duration of each processing step.", buckets=BUCKETS)
QUEUE_DEPTH = Gauge("sensor_queue_depth", "Readings waiting for processing.")
QUEUE_CAPACITY = Gauge("sensor_queue_capacity", "Capacity of the reading buffer.")
LOOP_ITERATIONS = Counter("sensor_loop_iterations", "Sampling loop iterations.")
READINGS = Counter("sensor_readings", "Sensor readings written into the buffer.")
DROPPED = Counter("sensor_readings_dropped", "Readings pushed out of the buffer before processing.")
RUNS = Counter("sensor_processing_runs", "Runs of the processing step.")
REQUESTS = Counter("sensor_requests", "HTTP answers.", ["path", "code"])
RSS = Gauge("sensor_process_resident_memory_bytes", "Resident set size of the process.", ["process"])
HEARTBEAT_AGE = Gauge("sensor_worker_heartbeat_age_seconds", "Seconds since the worker thread last ran.")
VALUE = Gauge("sensor_value", "Last reading of each channel.", ["channel", "unit"])
CHANNEL_READINGS = Counter("sensor_channel_readings", "Readings taken per channel.", ["channel"])
WINDOW = Gauge("sensor_window_value", "Statistics over the last processing window.", ["channel", "stat"])
DOMINANT = Gauge("sensor_vibration_dominant_frequency_hertz", "Strongest frequency of each vibration channel.",
                 ["channel"])
SPIKES_ON = threading.Event()
ORIGINAL_LOOP = 2_000_000  # the original's per-request busy loop
ORIGINAL_ALLOC_MIB = (5, 15)  # the original's per-request scratch allocation, MiB
UPTIME = Gauge("sensor_uptime_seconds", "Seconds since start.")
BUILD = Info("sensor_build", "Version of the service.")


def channel_name(ch):
    kind, unit = KINDS[ch % 3]
    copy = ch // 3
    return (kind if copy == 0 else f"{kind}_{copy}"), unit


def sample(ch, t, rnd):
    if ch % 3 == 0:
        return 22.0 + 3.0 * math.sin(2 * math.pi * t / 600.0 + ch) + 0.1 * rnd.uniform(-1, 1)
    if ch % 3 == 1:
        return min(100.0, max(0.0, 45.0 - 8.0 * math.sin(2 * math.pi * t / 600.0 + ch) + 0.5 * rnd.uniform(-1, 1)))
    v = 0.05 * math.sin(2 * math.pi * 1.3 * t + ch) + 0.01 * rnd.uniform(-1, 1)
    if t % 50.0 < 2.0:
        v += 0.2 * rnd.uniform(-1, 1)
    return v


def dominant_frequency(values):
    n = len(values)
    best, best_power = 0.0, -1.0
    for f in range(1, n // 2 + 1):
        re = im = 0.0
        for i, v in enumerate(values):
            angle = 2 * math.pi * (f * i % n) / n
            re += v * math.cos(angle)
            im -= v * math.sin(angle)
        power = re * re + im * im
        if power > best_power:
            best, best_power = f / n, power
    return best


class Worker(threading.Thread):
    """Samples into the deque and runs the processing step: the seed's
    background thread."""

    def __init__(self, args):
        super().__init__(daemon=True, name="sensor-worker")
        self.args = args
        # the original keeps every reading: a list nothing ever trims
        self.buffer = [] if args.original else collections.deque(maxlen=BUFFER_LEN)
        self.pending = 0
        self.native_id_ = None
        self.heartbeat = time.monotonic()
        self.names = [channel_name(ch) for ch in range(args.channels)]

    def window_stats(self, per_channel):
        for ch, vals in per_channel.items():
            name, _ = self.names[ch]
            s = sorted(vals)
            WINDOW.labels(name, "min").set(s[0])
            WINDOW.labels(name, "max").set(s[-1])
            WINDOW.labels(name, "mean").set(sum(vals) / len(vals))
            WINDOW.labels(name, "p95").set(s[max(0, math.ceil(0.95 * len(s)) - 1)])

    def process_in_request(self, rnd):
        """The original's /metrics: the heavy work in the request handler,
        over every reading ever taken, with a scratch buffer of 5-15 MiB
        written through (so its pages are really allocated)."""
        t0 = time.monotonic()
        total = 0
        for i in range(ORIGINAL_LOOP):
            total += i * i
        scratch = b"x" * (rnd.randint(*ORIGINAL_ALLOC_MIB) << 20)
        per_channel = collections.defaultdict(list)
        for ch, v in list(self.buffer):
            per_channel[ch].append(v)
        self.window_stats(per_channel)
        RUNS.inc()
        CPU_SPIKE.observe(time.monotonic() - t0)
        return total + len(scratch)

    def process(self):
        t0 = time.monotonic()
        deadline = t0 + self.args.spike_ms / 1000.0
        rate = 1000.0 / self.args.sample_interval_ms
        while True:
            per_channel = collections.defaultdict(list)
            for ch, v in list(self.buffer):
                per_channel[ch].append(v)
            self.window_stats(per_channel)
            for ch, vals in per_channel.items():
                if ch % 3 == 2:
                    DOMINANT.labels(self.names[ch][0]).set(dominant_frequency(vals) * rate)
            if time.monotonic() >= deadline or not SPIKES_ON.is_set():
                break
        self.pending = 0
        QUEUE_DEPTH.set(0)
        RUNS.inc()
        CPU_SPIKE.observe(time.monotonic() - t0)

    def run(self):
        self.native_id_ = threading.get_native_id()
        rnd = random.Random(self.args.seed)
        interval = self.args.sample_interval_ms / 1000.0
        next_process = time.monotonic() + self.args.process_interval_ms / 1000.0
        start = time.monotonic()
        while True:
            now = time.monotonic()
            t = now - start
            for ch in range(self.args.channels):
                v = sample(ch, t, rnd)
                self.buffer.append((ch, v))
                name, unit = self.names[ch]
                VALUE.labels(name, unit).set(v)
                CHANNEL_READINGS.labels(name).inc()
                READINGS.inc()
                if self.args.original:
                    self.pending += 1  # nothing is ever dropped, nor processed here
                elif self.pending >= BUFFER_LEN:
                    DROPPED.inc()
                else:
                    self.pending += 1
            QUEUE_DEPTH.set(self.pending)
            LOOP_ITERATIONS.inc()
            self.heartbeat = time.monotonic()
            if now >= next_process and not self.args.original:
                self.process()
                next_process = time.monotonic() + self.args.process_interval_ms / 1000.0
                self.heartbeat = time.monotonic()
            time.sleep(max(0.0, interval - (time.monotonic() - now)))


def create_app(args):
    app = Flask("sensor_baseline")
    worker = Worker(args)
    started = time.monotonic()
    proc = psutil.Process()
    QUEUE_CAPACITY.set(0 if args.original else BUFFER_LEN)
    request_rnd = random.Random(args.seed + 1)
    BUILD.info({"version": "baseline", "shm_layout": "none"})

    @app.after_request
    def count(resp):
        from flask import request
        path = request.path if request.path in ("/", "/metrics", "/debug") else "other"
        REQUESTS.labels(path, str(resp.status_code)).inc()
        return resp

    @app.route("/")
    def health():
        age = time.monotonic() - worker.heartbeat
        ok = worker.is_alive() and age < 5.0
        body = {"status": "ok" if ok else "unhealthy", "uptime_seconds": time.monotonic() - started,
                "worker": {"up": worker.is_alive(), "tid": worker.native_id_, "heartbeat_age_seconds": age},
                "pid": os.getpid()}
        return jsonify(body), (200 if ok else 503)

    @app.route("/metrics")
    def metrics():
        RSS.labels("service").set(proc.memory_info().rss)
        HEARTBEAT_AGE.set(time.monotonic() - worker.heartbeat)
        UPTIME.set(time.monotonic() - started)
        if args.original:
            worker.process_in_request(request_rnd)
            QUEUE_DEPTH.set(len(worker.buffer))
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)

    if args.debug_endpoint:
        @app.route("/debug")
        def debug():
            return jsonify({"buffer": [list(r) for r in list(worker.buffer)[-50:]], "pending": worker.pending})

    worker.start()
    return app


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--listen", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--channels", type=int, default=3)
    ap.add_argument("--sample-interval-ms", type=int, default=100)
    ap.add_argument("--process-interval-ms", type=int, default=2000)
    ap.add_argument("--spike-ms", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--debug-endpoint", action="store_true")
    ap.add_argument("--original", action="store_true",
                    help="the design before the seed's fixes: unbounded list, heavy work in /metrics")
    args = ap.parse_args()
    # The seed "reduced logging overhead": no access log per request (the
    # original logs every request).
    logging.getLogger("werkzeug").setLevel(logging.INFO if args.original else logging.ERROR)
    SPIKES_ON.set()
    signal.signal(signal.SIGUSR1, lambda *_: SPIKES_ON.set())
    signal.signal(signal.SIGUSR2, lambda *_: SPIKES_ON.clear())
    app = create_app(args)
    app.run(host=args.listen, port=args.port, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
