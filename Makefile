# sensor-service - one Makefile for the whole tree. Topic makefiles in mk/
# add targets of their own; `make help` lists every target with its
# purpose, written after `##` on the line that defines it.

CC       ?= cc
PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
PKGS     := libevent glib-2.0
# Opened by the exporter at run time (exporter/optlibs.c), never linked, so
# that the supervisor and the worker do not map them: headers only (the
# unit tests that call them directly link them, TEST_LIBS).
PKGS_OPT := libevent_openssl openssl zlib yaml-0.1
# pkg-config of the target: a cross build (dpkg-buildpackage -a) names its own.
PKG_CONFIG ?= pkg-config
# The version is decided in one place, the first entry of debian/changelog
# (`make new-version V=x.y.z` writes a new one): --version, /metrics'
# sensor_build_info, the installed man page, the package and the container
# image's label all read it from there.
VERSION  := $(shell awk 'NR == 1 { gsub(/[()]/, "", $$2); print $$2 }' debian/changelog)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
CFLAGS   ?= -O2 -g
# `override`: variant builds (coverage, asan, ubsan, fuzz) pass their own
# CFLAGS on the command line and must still get the standard, the warnings
# and the header dependencies. _FILE_OFFSET_BITS=64: on 32-bit targets
# (armhf) readdir and stat fail with EOVERFLOW on a file system with 64-bit
# inode numbers, so discovery would find nothing there.
override CFLAGS += -std=c11 -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 $(WARN) -MMD -MP
# Every symbol bound at start, read-only after (full RELRO, as the Debian
# package's hardening builds it): the supervisor binds them once and the
# children inherit the table, instead of each paging in ld.so and the
# libraries' symbol tables at its first calls (about 0.1 MiB of the
# worker's RSS: make bench-libmap).
override LDFLAGS += -Wl,-z,relro -Wl,-z,now
CPPFLAGS += $(shell $(PKG_CONFIG) --cflags $(PKGS) $(PKGS_OPT) 2>/dev/null)
LDLIBS   += $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm
# worker/reader.c: a thread per channel whose reads can block
LDLIBS   += -pthread
TEST_LIBS = $(shell $(PKG_CONFIG) --libs cmocka $(PKGS_OPT) 2>/dev/null)

# One list per folder, and the folder is the list: every .c of a component
# folder is part of the library, every tests/unit/test_*.c a unit test.
# (supervisor/main.c is the binary's entry point.)
SHM_SRC        := $(sort $(wildcard shm/*.c))
COMMON_SRC     := $(sort $(wildcard common/*.c))
WORKER_SRC     := $(sort $(wildcard worker/*.c))
EXPORTER_SRC   := $(sort $(wildcard exporter/*.c))
SUPERVISOR_SRC := $(sort $(filter-out supervisor/main.c,$(wildcard supervisor/*.c)))
LIB_SRC        := $(SHM_SRC) $(COMMON_SRC) $(WORKER_SRC) $(EXPORTER_SRC) $(SUPERVISOR_SRC)
UNIT_TESTS     := $(sort $(basename $(notdir $(wildcard tests/unit/test_*.c))))

# The architecture every target builds for (make cross, make deb): the
# host's unless ARCH= names another (arm64, armhf).
HOST_ARCH := $(shell dpkg --print-architecture 2>/dev/null || uname -m)
ARCH     ?= $(HOST_ARCH)

# Debian package groups of scripts/install-deps.sh that `make test` needs:
# the build and the tests, VictoriaMetrics and vmalert (stack: the stack,
# alert and fleet tests), Chromium (browser: the dashboard test), and wrk,
# Flask and matplotlib (bench: the benchmark's smoke test).
DEPS_GROUPS := build test stack browser bench

# Topic makefiles (stack, lint, bench, fuzz...) add targets of their own;
# sources, tests and package groups are decided above.
include $(sort $(wildcard mk/*.mk))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIB_OBJ  := $(call obj,$(LIB_SRC))
MAIN_OBJ := $(call obj,supervisor/main.c)
UNIT_BINS := $(addprefix $(BUILD)/tests/,$(UNIT_TESTS))

# The first target is the default, whatever the topic makefiles define.
.DEFAULT_GOAL := all
.PHONY: all help tasks-max run stop test suite test-packaging unit integration check-deps deps coverage asan ubsan bench \
        install uninstall clean lint format-check version new-version

all: $(BUILD)/sensor-service ## build build/sensor-service (the default goal)

$(BUILD)/sensor-service: $(MAIN_OBJ) $(BUILD)/libsensor.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libsensor.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# $(BUILD)/gen/version.h: SENSOR_VERSION, from debian/changelog (common/config.h
# includes it); rewritten when the changelog changes.
$(BUILD)/gen/version.h: debian/changelog
	@[ -n "$(VERSION)" ] || { echo "no version in the first line of debian/changelog" >&2; exit 1; }
	@mkdir -p $(dir $@)
	@printf '/* generated from debian/changelog by the Makefile */\n#define SENSOR_VERSION "%s"\n' '$(VERSION)' >$@

# The makefiles are prerequisites: a change of flags rebuilds what they build.
MAKEFILES_ALL := Makefile $(wildcard mk/*.mk)
$(BUILD)/obj/%.o: %.c $(MAKEFILES_ALL) $(BUILD)/gen/version.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libsensor.a $(MAKEFILES_ALL) $(BUILD)/gen/version.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libsensor.a $(LDLIBS) $(TEST_LIBS) -lpthread

# The version, for scripts and tests (debian/changelog's first entry).
version: ## the version, from debian/changelog
	@echo $(VERSION)

# A new version: a debian/changelog entry, the compose file's image and
# the man page follow (V=x.y.z, CHANGES="what changed").
new-version: ## a new version (V=x.y.z CHANGES="..."): a debian/changelog entry and what follows from it
	scripts/new-version.sh "$(V)" "$(CHANGES)"

# Debian packages the build and tests need; installed when missing.
deps: ## install the missing Debian packages the build and tests need
	@scripts/install-deps.sh $(DEPS_GROUPS)

run: deps ## build and run the stack: the service, VictoriaMetrics and vmalert (Ctrl-C stops)
	@$(MAKE) --no-print-directory all
	scripts/run-stack.sh

stop: ## stop the stack started from this tree
	scripts/run-stack.sh stop

test: deps ## install what is missing, then every unit and integration test, ending with one total line
	@$(MAKE) --no-print-directory suite

# Every unit program and integration script runs (a failure does not stop
# the rest); tests/suite.sh records each and ends with the suite's total:
# checks passed, failed and skipped, and which programs failed or skipped.
SUITE         := tests/suite.sh
SUITE_RESULTS  = $(BUILD)/suite-results.txt
suite: ## every unit and integration test (no installation), ending with one total line
	@rm -f $(SUITE_RESULTS); rc=0; \
	$(MAKE) --no-print-directory SUITE_PART=1 unit || rc=1; \
	$(MAKE) --no-print-directory SUITE_PART=1 integration || rc=1; \
	$(SUITE) total $(SUITE_RESULTS) || rc=1; exit $$rc

# unit or integration alone print their own total; as part of suite, the
# suite prints one for both.
suite_start = [ -n "$(SUITE_PART)" ] || rm -f $(SUITE_RESULTS)
suite_end   = [ -n "$(SUITE_PART)" ] || $(SUITE) total $(SUITE_RESULTS) || rc=1; exit $$rc

# The fuzz targets' seed corpora replay with the ordinary compiler too.
unit: $(UNIT_BINS) fuzz-replay ## the unit tests and the fuzz seed corpora replayed
	@$(suite_start); rc=0; for t in $(UNIT_BINS); do echo "== $$t"; $(SUITE) run $(SUITE_RESULTS) $$t || rc=1; done; \
	$(suite_end)

# What is installed and shipped, checked without the service's integration
# tests: every tests/packaging/test_*.sh (installation, man page,
# configuration reference, docs links, compose files, the image under a
# memory limit, the dependency installer, the bench's smoke run) but the
# Debian package's, which has its own target (make test-deb). Each runs
# and the run ends with the total, as make test does.
PACKAGING_TESTS := $(filter-out tests/packaging/test_deb.sh,$(sort $(wildcard tests/packaging/test_*.sh)))
test-packaging: deps $(BUILD)/sensor-service ## what is installed and shipped: install, man page, docs, compose, image, installer, bench smoke
	@rm -f $(SUITE_RESULTS); rc=0; for t in $(PACKAGING_TESTS); do \
		echo "== $$t"; SENSOR_BIN=$(abspath $(BUILD)/sensor-service) $(SUITE) run $(SUITE_RESULTS) $$t || rc=1; done; \
	$(SUITE) total $(SUITE_RESULTS) || rc=1; exit $$rc

# INTEGRATION_SKIP: tests a variant build leaves to `make test`, each
# reported as skipped with the reason in INTEGRATION_SKIP_WHY, in the
# words and summary line of lib.sh's skip and finish.
INTEGRATION_SKIP ?=
integration: $(BUILD)/sensor-service ## the integration tests (the real service on loopback ports)
	@$(suite_start); rc=0; for t in tests/integration/test_*.sh; do \
		case " $(INTEGRATION_SKIP) " in *" $$(basename $$t .sh) "*) \
			$(SUITE) skip $(SUITE_RESULTS) $$(basename $$t .sh) "$(INTEGRATION_SKIP_WHY)"; continue ;; esac; \
		echo "== $$t"; SENSOR_BIN=$(abspath $(BUILD)/sensor-service) $(SUITE) run $(SUITE_RESULTS) $$t || rc=1; done; \
	$(suite_end)

coverage: ## lcov line coverage of the test suite, HTML in build/coverage/html
	@rm -rf build/coverage
	@$(MAKE) --no-print-directory BUILD=build/coverage CFLAGS="-O0 -g --coverage" LDFLAGS=--coverage suite
	lcov --quiet --capture --directory build/coverage/obj --output-file build/coverage/all.info
	lcov --quiet --extract build/coverage/all.info '*/shm/*' '*/exporter/*' '*/supervisor/*' \
		'*/worker/*' '*/common/*' --output-file build/coverage/lcov.info
	genhtml --quiet build/coverage/lcov.info --output-directory build/coverage/html
	@for d in shm exporter supervisor worker common; do \
		lcov --quiet --extract build/coverage/lcov.info "*/$$d/*" --output-file build/coverage/$$d.info; \
		printf '%-11s ' "$$d/"; lcov --summary build/coverage/$$d.info 2>&1 | grep 'lines'; done
	@lcov --summary build/coverage/lcov.info 2>&1 | grep lines
	@echo "HTML report: build/coverage/html/index.html"

# A small quarantine, so that the tests' RSS checks see the program's
# memory rather than freed blocks ASan holds back (a use after free is
# still caught while the block is there; overflows always are).
asan: export ASAN_OPTIONS ?= quarantine_size_mb=1
# The sanitizers check the service's own code; the tests that mostly wait
# on VictoriaMetrics, vmalert, vmagent and a browser (the monitoring
# stack's wiring, minutes each) run in `make test` only.
SANITIZER_SKIP := test_alerts test_stack test_dashboard test_fleet test_node_hwmon_stack test_host_dashboard
SANITIZER_SKIP_WHY := the monitoring stack's wiring: make test runs it, the sanitizers check the service's code
# make asan runs UndefinedBehaviorSanitizer's checks too (both fit one
# build, and .ci/run has time for one run of the suite under sanitizers);
# make ubsan alone, without ASan's slowdown, runs in the workflow.
asan: ## the test suite under AddressSanitizer and UndefinedBehaviorSanitizer together
	@$(MAKE) --no-print-directory BUILD=build/asan \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
		LDFLAGS="-fsanitize=address,undefined" \
		INTEGRATION_SKIP="$(SANITIZER_SKIP)" INTEGRATION_SKIP_WHY="$(SANITIZER_SKIP_WHY)" suite

ubsan: ## the test suite under UndefinedBehaviorSanitizer
	@$(MAKE) --no-print-directory BUILD=build/ubsan \
		CFLAGS="-O1 -g -fsanitize=undefined -fno-sanitize-recover=all" LDFLAGS=-fsanitize=undefined \
		INTEGRATION_SKIP="$(SANITIZER_SKIP)" INTEGRATION_SKIP_WHY="$(SANITIZER_SKIP_WHY)" suite

bench: deps all ## benchmarks: bench/results and PERFORMANCE_REPORT.md (figures, never fails on a number)
	scripts/bench.sh

# The configs are installed only where none exists (an edited one is
# kept); the systemd units' paths follow PREFIX.
UNITDIR ?= $(PREFIX)/lib/systemd/system

# The systemd unit's TasksMax=: the task budget of the defaults
# (supervisor/taskbudget.h's TASK_BUDGET_AT_DEFAULTS), evaluated by the
# build's own preprocessor, so a cross build gets it without running
# anything it built.
$(BUILD)/gen/tasks-max: supervisor/taskbudget.h exporter/exporter.h worker/worker.h common/config.h $(BUILD)/gen/version.h
	@expr=$$(printf '#include "supervisor/taskbudget.h"\nTASKS_MAX=TASK_BUDGET_AT_DEFAULTS\n' | \
		$(CC) $(CPPFLAGS) -E -P -x c - | sed -n 's/^TASKS_MAX=//p') && [ -n "$$expr" ] && \
		echo $$(($$expr)) >$@.tmp && mv $@.tmp $@
tasks-max: $(BUILD)/gen/tasks-max ## the task budget of the defaults, the systemd unit's TasksMax=
	@cat $<

install: all install-man $(BUILD)/gen/tasks-max ## install the binary, configs, units and man page (PREFIX=/usr/local DESTDIR=)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/sensor-service $(DESTDIR)/etc/sensor-service \
		$(DESTDIR)$(UNITDIR)
	install -m 0755 $(BUILD)/sensor-service $(DESTDIR)$(PREFIX)/bin/sensor-service
	[ -e $(DESTDIR)/etc/sensor-service/sensor-service.conf ] || \
		install -m 0644 deploy/sensor-service.conf $(DESTDIR)/etc/sensor-service/sensor-service.conf
	install -d $(DESTDIR)/etc/default
	[ -e $(DESTDIR)/etc/default/sensor-service ] || \
		install -m 0644 deploy/sensor-service.default $(DESTDIR)/etc/default/sensor-service
	for u in deploy/systemd/*.service; do \
		sed -e 's|/usr/local/|$(PREFIX)/|g' -e "s|@TASKS_MAX@|$$(cat $(BUILD)/gen/tasks-max)|" $$u \
			>$(DESTDIR)$(UNITDIR)/$${u##*/} && chmod 0644 $(DESTDIR)$(UNITDIR)/$${u##*/}; done
	[ -e $(DESTDIR)/etc/sensor-service/vmagent.env ] || \
		install -m 0644 deploy/vmagent/vmagent.env $(DESTDIR)/etc/sensor-service/vmagent.env
	[ -e $(DESTDIR)/etc/sensor-service/vmagent-scrape.yml ] || \
		install -m 0644 deploy/vmagent/scrape.yml $(DESTDIR)/etc/sensor-service/vmagent-scrape.yml
	cp -r deploy $(DESTDIR)$(PREFIX)/share/sensor-service/

uninstall: uninstall-man ## remove what make install installed (configs under /etc are kept)
	rm -f $(DESTDIR)$(PREFIX)/bin/sensor-service $(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(wildcard deploy/systemd/*.service)))
	rm -rf $(DESTDIR)$(PREFIX)/share/sensor-service

clean: ## remove build/
	rm -rf build

help: ## every target with its purpose (this list)
	@awk -F':[^#]*## ' '/^[a-zA-Z0-9_-]+:[^=].*## / { printf "  %-22s %s\n", $$1, $$2 }' $(MAKEFILE_LIST) | sort

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
