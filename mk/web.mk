# web.mk - the exporter's HTTP features beside routing and rendering:
# gzip responses (exporter/gzip.c) and the exporter's own process_*
# families (exporter/selfstat.c, exporter/render_process.c), TLS and
# basic auth from a web config file (exporter/webconfig.c, tls.c, auth.c,
# web.c; OpenSSL through libevent_openssl, libyaml, libxcrypt's bcrypt;
# all opened at run time by exporter/optlibs.c, so only tests link them).
#
#   make bench-gzip   what gzip costs a scrape at levels 1, 6 and 9
#                     (bench/gzip_cost.py), the measurement behind GZIP_LEVEL

TEST_LIBS  += -lcrypt

.PHONY: bench-gzip

bench-gzip: all ## what gzip costs a scrape at levels 1, 6 and 9
	SENSOR_BIN=$(abspath $(BUILD)/sensor-service) /usr/bin/python3 bench/gzip_cost.py
