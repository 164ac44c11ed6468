"""Section "Method": how each figure is measured."""
from .before_after import vmalert_text
from .fmt import num


def defaults_text(d):
    """The defaults the measured binary stated (--print-config), as the bench recorded them."""
    c = d.get("machine", {}).get("defaults")
    if not c:
        return "`sensor-service --print-config` lists them"
    ch = int(c["channels"])
    return (f"{'sensors discovered, else 3 simulated channels' if ch == 0 else f'{ch} simulated channels'}, "
            f"sampled every {c['sample-interval-ms']} ms, processing every {int(c['process-interval-ms']) / 1000:g} s, "
            f"a {c['ring-capacity']}-reading ring, a {c['window']}-reading window")


def method_section(w, ctx):
    """How each figure is measured."""
    d = ctx["d"]
    w("## Method\n")
    w("- Everything runs on loopback, on free ports, with private shared-memory names; the bench starts every "
      "process itself and stops it by pid. sensor-service is a copy of `build/sensor-service` (built with the "
      f"Makefile's flags), run with its built-in defaults unless a section says otherwise ({defaults_text(d)}). "
      "The baseline runs with the same defaults.")
    w("- **Memory**: `Rss` and `Pss` from `/proc/PID/smaps_rollup`. RSS counts every resident page a process "
      "maps, so the three processes' RSS double-counts the shared libraries and the shared segment; PSS splits "
      "each shared page between the processes that map it, so the PSS sum is what the service costs the machine. "
      "PSS depends on what else runs: libc pages shared with every other process on the machine count little. "
      "So the report also gives *each page counted once*: the distinct physical pages resident in any of the three "
      "processes (frame numbers from `/proc/PID/pagemap`), libraries included — what the service would occupy on "
      "a device where nothing else maps its libraries. "
      "*Idle*: samples one second apart after a warm-up. *Under load*: the peak sampled every 0.5 s during each "
      "`/metrics` run at 16 connections, median over the runs.")
    w("- **Throughput and latency**: `wrk -t1 -cN -dS --timeout 10s` with `bench/wrk/stats.lua`, which prints "
      "requests, errors and the p50/p99/p99.9 of wrk's latency histogram. One wrk thread leaves the other core to "
      "the server. Runs alternate between ours and the baseline so that noise hits both. Figures are the median "
      "of the runs with (min–max).")
    pin_method(w, d.get("machine", {}))
    w("- **CPU per request**: the serving process's CPU time (user+sys) before and after each wrk run divided by "
      "the requests served, from `/proc/PID/task/*/schedstat` (nanoseconds; `/proc/PID/stat`'s 10 ms "
      "ticks agree and are in the JSON). For the baseline the sampling/processing thread's own CPU is subtracted, "
      "so both figures are the cost of answering.")
    ceiling_method(w, d.get("serve"))
    w("- **The original design** (`--original`) runs in the same turns, `/metrics` only, and in the soak beside "
      "Debian's Prometheus, whose configuration follows the package's /etc/prometheus/prometheus.yml: 15 s "
      "scrape and evaluation intervals, Prometheus scraping itself every 5 s, the original as the other job; data "
      "in a temporary directory, a free port.")
    stage_methods(w, d)
    w("")


def pin_method(w, m):
    """Whether the bench pinned clients and servers to CPUs of their own."""
    pin = m.get("pin")
    if pin:
        w(f"- **Pinned CPUs**: wrk (and every client the bench runs for load) is pinned to CPU {pin['load_cpu']} "
          f"and every server measured (sensor-service's three processes, nginx, the baseline, the original, "
          f"prometheus-node-exporter) to CPU {pin['server_cpu']}, with `taskset -c` (BENCH_PIN). Unpinned, "
          "where the scheduler happens to put a client and a server moves a ratio between two servers by more "
          "than a change to either does. VictoriaMetrics, vmalert and Prometheus (the soak's stores, not "
          "measured for speed) are left to the scheduler.")
    elif "pin" in m:
        w("- **CPUs not pinned** (BENCH_PIN=off, or fewer than two CPUs): ratios between servers depend on "
          "where the scheduler put each client and server.")


def ceiling_method(w, serve):
    """How nginx serves our page, the ceiling of the targets."""
    if serve and serve.get("nginx_page_bytes"):
        w("- **The ceiling**: Debian's nginx-light serves a static copy of our `/metrics` page, saved from the "
          "running service at the start of the serve stage (the same bytes), from a private configuration in a "
          f"temporary directory (`nginx {' '.join(f for f in serve.get('nginx_flags', []) if f.startswith('-'))}`"
          " with one worker, `daemon off`, `access_log off`, `keepalive_requests 1000000`), on a free loopback "
          "port; its runs take their turn with ours, the baseline's and the original's at every connection "
          "count. "
          + (f"The ratios of the targets come from {num(len(serve['ceiling']['rounds']))} further rounds in "
             "which ours and nginx alone take turns on `/metrics` at 16 connections (a run each, which of the "
             "two goes first alternating): each round's ratio of ours over nginx's, and their median. One run's "
             "p99 is its few hundred slowest requests, and on a shared machine it moves by half between runs of "
             "the same server; a pair run seconds apart sees the same machine."
             if (serve.get("ceiling") or {}).get("rounds") else
             "The ratios of the targets are ours over nginx's at 16 connections."))


def stage_methods(w, d):
    """How the spike, the soak and the scale stages measure."""
    spike = d.get("spike")
    soak = d.get("soak")
    scale = d.get("scale")
    if spike:
        w(f"- **Spike isolation**: p99 under a paced load ({spike['pace']['conns']} connections, each waiting "
          f"{spike['pace']['delay_ms']} ms before every request, at most "
          f"{spike['pace']['conns'] * 1000 // spike['pace']['delay_ms']} req/s, well under either server's "
          "capacity), with the worker idle and inside a multi-second CPU spike. The paced load is the verdict: "
          "it asks whether the spike delays answers. A closed loop at 16 connections is shown for ours too; it "
          "saturates the machine, so on 2 cores it measures how the spinning worker, wrk and the exporter "
          "share the CPU rather than isolation. " + spike_method(spike))
    if soak:
        w(f"- **Soak**: {soak['soak_s']:.0f} s; "
          + ("sensor-service, the baseline and the original" if "original" in soak.get("stats", {})
             else "sensor-service and the baseline")
          + " all sample 3 channels every "
          f"10 ms (so the 4096-reading ring wraps within the warm-up and every page of the segment has been "
          f"touched), under a steady paced load on `/metrics` and `/` ({soak['pace']['conns']} connections x "
          f"{1000 // soak['pace']['delay_ms']} req/s each). VictoriaMetrics scrapes sensor-service every second "
          f"(`{' '.join(f for f in soak['vm_flags'] if 'Path' not in f and 'config' not in f)}`) and vmalert "
          f"evaluates {vmalert_text(soak)} against it. RSS and PSS of every process every "
          f"{soak['interval_s']:g} s; the slope is a least-squares fit after a {soak['warmup_s']:.0f} s warm-up. "
          f"Evidence that the stack was working: VictoriaMetrics scrapes {num(soak['evidence'].get('vm_scrapes'))} "
          f"({num(soak['evidence'].get('vm_scrapes_failed'))} failed), "
          f"rows inserted {num(soak['evidence'].get('vm_rows_inserted'))}, vmalert iterations "
          f"{num(soak['evidence'].get('vmalert_iterations'))}"
          + (f"; Prometheus scraped the original {num(soak['evidence']['prometheus_scrapes'])} times "
             f"({num(soak['evidence'].get('prometheus_scrapes_ok'))} answered), "
             f"{num(soak['evidence'].get('prometheus_samples_appended'))} samples appended"
             if soak["evidence"].get("prometheus_scrapes") is not None else "") + ".")
    if scale:
        w(f"- **Scale**: one instance per configuration, changing one setting from the defaults at a time; after "
          f"{scale['warm_s']:g} s, worker CPU (schedstat) and `sensor_readings_total` over {scale['measure_s']:g} s "
          "give the CPU per reading; memory is sampled at the end, then one scraper measures the cost of a "
          "`/metrics` at that size (CPU per scrape, and per series: the sample lines of the page). The segment "
          "size is the configured upper bound of the shared memory.")


def spike_method(spike):
    if spike["mode"] == "fault":
        how = (f"The spike is the service's own fault injection: `{' '.join(spike['args'])}` makes every "
               "processing step burn 4 s of CPU, one step after the other.")
    else:
        how = ("This build has no fault injection, so the spike is the processing step itself made heavy: "
               f"`{' '.join(spike['args'])}` (an O(n²) DFT over the ~5460 readings of each of the 4 vibration "
               "channels, seconds per step, one step after the other).")
    return (how + " Idle and spike alternate in the same instance, in runs back to back (the order flips every "
            "run, so drift in the machine's load hits both): for *idle* the worker is stopped with SIGSTOP, for "
            "*spike* it continues (SIGCONT); the page served is the same. The baseline's spike is "
            f"`{' '.join(spike['baseline_args'])}` (its processing thread computes for 3 s of every 3.1 s), "
            "paused with SIGUSR2 and resumed with SIGUSR1. *Worker running* is the share of 20 ms samples in "
            "which the worker's processing thread (the baseline's) was running or runnable; *got* is the CPU it "
            "received, in cores. "
            + ("A third state, *spike, the step at normal priority (nice 0)*, moves the step's thread from "
               "`SCHED_IDLE` (the service's default) to the normal policy at nice 0 (sched_setscheduler, "
               "setpriority), to show what the step's own priority is worth; the verdict uses plain *spike*, "
               "the service as it runs." if any(r.get("state") == "spike-normal" for r in spike["summary"]) else
               "A third state, *spike, worker at nice 10*, renices the spinning worker (setpriority) to show "
               "what a lower priority for the worker would give; the verdict uses plain *spike*, the service "
               "as it is."))
