# bench.mk - `make bench` (the main Makefile's target runs scripts/bench.sh
# after building) and its helpers. scripts/bench.sh installs the bench's
# Debian packages itself (groups build, bench, stack).
#
#   make bench                   measure, write bench/results and PERFORMANCE_REPORT.md
#   make bench-quick             a tiny run into build/bench-quick (seconds)
#   make bench-report            regenerate PERFORMANCE_REPORT.md from bench/results
#   BENCH_SOAK_S=1800 make bench a 30-minute soak
#   make bench-soak-long         the soak alone for 25 minutes, into
#                                bench/results/soak-long.json: whether
#                                VictoriaMetrics' RSS levels off (the report's
#                                "VictoriaMetrics over a long soak"); with
#                                BENCH_VM_FLAGS=-memory.allowedPercent=1
#                                BENCH_SOAK_NAME=soak-long-allowedpercent1
#                                the same for the flags of earlier soaks
#   make bench-hostile           the "Hostile clients" figures (bench/hostile.py,
#                                ~2 minutes): attacks at twice the fd limit,
#                                into bench/results/hostile.json and the report
#   make bench-libmap            the "Libraries mapped by each process" figures
#                                (bench/libmap.py, seconds): with
#                                BENCH_LIBMAP_BEFORE=BINARY an earlier build too
#   make bench-chaos             the "Chaos under load" figures (bench/chaos.py,
#                                CHAOS_S=600 by default): random kills, pauses
#                                and hangs under load and scraping

.PHONY: bench-quick bench-report bench-hostile bench-chaos bench-soak-long bench-libmap

bench-quick: all ## a tiny bench run into build/bench-quick (seconds)
	BENCH_QUICK=1 BENCH_OUT=$(abspath $(BUILD)/bench-quick) BENCH_REPORT=$(abspath $(BUILD)/bench-quick/REPORT.md) \
		scripts/bench.sh

bench-report: ## regenerate PERFORMANCE_REPORT.md from bench/results
	scripts/bench.sh report

bench-hostile: all ## the hostile-clients figures (slow, idle and oversized clients against the exporter)
	SENSOR_BIN=$(abspath $(BUILD)/sensor-service) /usr/bin/python3 bench/hostile.py

bench-libmap: all ## the libraries each process maps and their memory, at the defaults after a gzip scrape
	SENSOR_BIN=$(abspath $(BUILD)/sensor-service) /usr/bin/python3 bench/libmap.py

bench-chaos: all ## the chaos-under-load figures (faults injected while scraped)
	SENSOR_BIN=$(abspath $(BUILD)/sensor-service) /usr/bin/python3 bench/chaos.py

bench-soak-long: all ## a 25-minute soak alone: whether VictoriaMetrics RSS levels off
	BENCH_STAGES=soak BENCH_SOAK_S=$${BENCH_SOAK_S:-1500} BENCH_SOAK_NAME=$${BENCH_SOAK_NAME:-soak-long} BENCH_SOAK_BEFORE=0 \
		scripts/bench.sh
