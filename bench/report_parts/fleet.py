"""Section "The scrape a fleet makes": TLS, basic auth and gzip against node-exporter and nginx."""
from .fmt import mb, med, ms, num, table, us


FLEET_NAMES = {"ours": "sensor-service (exporter)", "node-exporter": "prometheus-node-exporter (textfile)",
               "nginx": "nginx (static file)"}


def fleet_section(w, ctx):
    f = ctx["d"]["fleet"]
    w("## The scrape a fleet makes\n")
    w(f"Each server answers one scrape a second for {f['seconds']:.0f} s over one keep-alive TLS connection, "
      f"with basic auth (a bcrypt hash of cost {f['bcrypt_cost']}, `{f['hash_prefix']}…`, the same in every "
      "server's user file) and `Accept-Encoding: gzip`, all three in the same run, each scraped by its own client "
      "thread (a third of a second apart, on the load CPU). The page is our `/metrics` page of the run's start "
      f"({num(f['page_bytes'])} bytes): sensor-service renders it from the segment at every scrape; "
      "prometheus-node-exporter reads it through its textfile collector (`--collector.disable-defaults "
      "--collector.textfile --web.disable-exporter-metrics`) with the same web config file, so that TLS, auth "
      f"and gzip are the difference; nginx serves it as a static file with `ssl`, `auth_basic` and gzip (level "
      f"{f['gzip_level']}, as ours). CPU per scrape: the serving process's CPU time over the scrapes (schedstat, "
      "ns) divided by them — the exporter for ours, the whole process for node-exporter, master and worker for "
      "nginx — with the first scrape (the TLS handshake) left out; latency: the client's, request to last byte, "
      "the body left compressed.\n")
    rows = []
    for r in f["rows"]:
        name = FLEET_NAMES.get(r["server"], r["server"])
        cpu = us(r["cpu_per_scrape_s"])
        if r["server"] == "ours" and f.get("ours_render_per_scrape_s") is not None:
            cpu += f" (rendering {us(f['ours_render_per_scrape_s'], 1)})"
        rows.append((name, cpu, ms(None if r["p50_s"] is None else r["p50_s"] * 1e6), ms(None if r["p99_s"] is None else r["p99_s"] * 1e6),
                     num(med(r["wire_bytes"])), ", ".join(r["encodings"]),
                     f"{r['scrapes']} ({', '.join(f'{k}: {v}' for k, v in sorted(r['statuses'].items()))})",
                     mb(((r.get("mem") or {}).get(r["server"] if r["server"] != "ours" else "exporter")
                         or {}).get("rss"), 1) if r["server"] != "nginx" else
                     mb(((r.get("mem") or {}).get("nginx-worker") or {}).get("rss"), 1)))
    w(table(["server", "CPU per scrape", "p50", "p99", "bytes on the wire", "encoding", "scrapes (status)",
             "RSS (serving process)"], rows))
    w("")
    w("Basic auth as measured: sensor-service verifies the bcrypt hash of a user and password once and then "
      "keeps a keyed digest of them (auth-cache-entries, auth-cache-idle-s), as node-exporter's exporter-toolkit "
      "keeps a verified user and password, so both pay bcrypt once, not per scrape; nginx runs `crypt()` at "
      "every request, which at this cost is most of its CPU per scrape.\n")
