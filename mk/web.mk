# web.mk - the exporter's HTTP features beside routing and rendering:
# gzip responses (exporter/gzip.c) and the exporter's own process_*
# families (exporter/selfstat.c, exporter/render_process.c).
#
#   make bench-gzip   what gzip costs a scrape at levels 1, 6 and 9
#                     (bench/gzip_cost.py), the measurement behind GZIP_LEVEL

LIB_SRC    += exporter/gzip.c exporter/selfstat.c exporter/render_process.c
UNIT_TESTS += test_gzip test_selfstat

.PHONY: bench-gzip

bench-gzip: all
	SENSOR_BIN=$(abspath $(BUILD)/sensor-service) /usr/bin/python3 bench/gzip_cost.py
