# web.mk - the exporter's HTTP features beside routing and rendering:
# gzip responses (exporter/gzip.c) and the exporter's own process_*
# families (exporter/selfstat.c, exporter/render_process.c), TLS and
# basic auth from a web config file (exporter/webconfig.c, tls.c, auth.c,
# web.c; OpenSSL through libevent_openssl, libyaml, libxcrypt's bcrypt).
#
#   make bench-gzip   what gzip costs a scrape at levels 1, 6 and 9
#                     (bench/gzip_cost.py), the measurement behind GZIP_LEVEL

LIB_SRC    += exporter/gzip.c exporter/selfstat.c exporter/render_process.c exporter/webconfig.c \
              exporter/tls.c exporter/auth.c exporter/web.c
LDLIBS     += -lcrypt
UNIT_TESTS += test_gzip test_selfstat test_webconfig

.PHONY: bench-gzip

bench-gzip: all
	SENSOR_BIN=$(abspath $(BUILD)/sensor-service) /usr/bin/python3 bench/gzip_cost.py
