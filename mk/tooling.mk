# mk/tooling.mk - developer tooling: static analysis, formatting, diagrams,
# the man page and the Docker image. Every command that the GitHub
# workflows (.github/workflows/*.yml) run is one of these targets, so each
# runs the same here; tests/lint/test_workflows.sh checks that.
#
#   make lint            cppcheck + clang-tidy + shellcheck + workflow check + layers
#                        + Python function length
#   make security        cppcheck + clang-tidy + flawfinder (security.yml)
#   make cppcheck | clang-tidy | flawfinder | shellcheck | check-workflows
#   make format-check    clang-format --dry-run --Werror over all C files
#   make format          apply .clang-format in place (rewrites files!)
#   make diagrams        render diagrams/*.dot to PNG (always re-rendered) and
#                        record which source each picture was drawn from
#   make diagrams-check  fail when a .dot changed since its picture was drawn
#   make etc-default     regenerate deploy/sensor-service.default from the option table
#   make example-conf    regenerate deploy/sensor-service.conf from the option table
#   make man             regenerate docs/sensor-service.1 from --help (help2man)
#   make config-doc      regenerate docs/configuration.md from --help and --print-config
#   make install-man     install docs/sensor-service.1 (part of make install)
#   make docker-image    docker build -f deploy/Dockerfile -t $(IMAGE) .
#
# The analysis tools come from the `lint` group of scripts/install-deps.sh,
# installed on first use like `make test` does for its own packages.

.PHONY: lint security lint-deps cppcheck clang-tidy flawfinder shellcheck check-workflows check-layers \
        check-function-length format format-check diagrams diagrams-check etc-default example-conf man config-doc install-man \
        uninstall-man docker-image

NPROC    := $(shell nproc 2>/dev/null || echo 2)
# Product sources (recursive: topic makefiles may add to LIB_SRC later).
TOOLING_SRC = $(LIB_SRC) supervisor/main.c
# Every C file of the tree, tracked or new (ignored ones excluded).
C_FILES = $(sort $(wildcard $(shell git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null || \
            find . -path ./build -prune -o -name '*.[ch]' -print)))
SHELL_FILES = $(sort $(wildcard scripts/*.sh tests/integration/*.sh tests/integration/lib/*.sh tests/board/*.sh tests/packaging/*.sh tests/systemd/*.sh tests/lint/*.sh .ci/run))

lint: cppcheck clang-tidy shellcheck check-workflows check-layers check-function-length diagrams-check ## cppcheck, clang-tidy, shellcheck, the workflows, the layers, Python function lengths and the diagrams
security: cppcheck clang-tidy flawfinder ## cppcheck, clang-tidy and flawfinder (against .flawfinder-reviewed)

lint-deps:
	@scripts/install-deps.sh lint

# warning,style,performance,portability; reviewed exceptions with reasons
# in .cppcheck-suppressions. Any finding fails.
CPPCHECK_FLAGS ?= --std=c11 --enable=warning,style,performance,portability --inline-suppr --quiet \
                  -D_DEFAULT_SOURCE -D__linux__ --suppressions-list=.cppcheck-suppressions \
                  --error-exitcode=1 --template='{file}:{line}: {severity}: {message} [{id}]'
# Our own -I directories (generated files), not the system's. Builds the
# library first so that generated #include files exist.
CPPCHECK_INC = $(filter-out -I/usr/%,$(filter -I%,$(CPPFLAGS)))
cppcheck: lint-deps $(BUILD)/libsensor.a ## cppcheck over the C sources
	cppcheck $(CPPCHECK_FLAGS) $(CPPCHECK_INC) -j $(NPROC) $(TOOLING_SRC)
	@echo "cppcheck: clean ($(words $(TOOLING_SRC)) files)"

# Checks and the reasons for each exclusion are in .clang-tidy. Builds the
# library first: some sources #include generated files ($(BUILD)/gen).
CLANG_TIDY ?= clang-tidy
clang-tidy: lint-deps $(BUILD)/libsensor.a ## clang-tidy with .clang-tidy over the C sources
	@echo "clang-tidy: $(words $(TOOLING_SRC)) files, $(NPROC) at a time"
	@printf '%s\n' $(TOOLING_SRC) | xargs -P $(NPROC) -I{} sh -c \
		'out=$$($(CLANG_TIDY) --quiet {} -- -std=c11 -D_DEFAULT_SOURCE $(CPPFLAGS) 2>&1); rc=$$?; \
		 printf "%s\n" "$$out" | grep -vE "^[0-9]+ (warning|error)s? generated\.$$|^Suppressed [0-9]+ warnings|^Use -header-filter|^$$"; \
		 exit $$rc' && echo "clang-tidy: clean" || { echo "clang-tidy: findings above" >&2; exit 1; }

# Fails on level >= 3 hits not listed in .flawfinder-reviewed.
flawfinder: lint-deps ## flawfinder; fails on a level-3 hit not in .flawfinder-reviewed
	@scripts/flawfinder-check.sh

shellcheck: lint-deps ## shellcheck over the scripts and shell tests
	shellcheck -x -S warning $(SHELL_FILES)
	@echo "shellcheck: clean ($(words $(SHELL_FILES)) files)"

# The folder layout is the architecture: includes point down the layers
# and no two files of the product call each other in a loop (from the
# objects' symbols, so a call through a header is seen too).
check-layers: $(BUILD)/libsensor.a ## includes point down the layers (shm, common, worker/exporter, supervisor), no circle between files
	@python3 tests/lint/check_layers.py . $(BUILD)/obj

# Python of the bench and the scripts: no function over 80 lines.
PYTHON_FILES = $(sort $(wildcard bench/*.py bench/*/*.py scripts/*.py))
check-function-length: ## no Python function of bench/ or scripts/ over 80 lines
	@python3 tests/lint/check_function_length.py $(PYTHON_FILES)

check-workflows: ## the GitHub workflows and .ci/checks: every make target they run exists
	@bash tests/lint/test_workflows.sh

# Every C file of the tree as .clang-format lays it out; `make format`
# rewrites the files that differ.
format-check: lint-deps ## fail when a C file differs from .clang-format
	@n=0; for f in $(C_FILES); do \
		clang-format --dry-run --Werror "$$f" >/dev/null 2>&1 || { n=$$((n + 1)); echo "needs formatting: $$f"; }; \
	done; \
	if [ $$n -gt 0 ]; then \
		echo "format-check: $$n of $(words $(C_FILES)) files differ from .clang-format (make format fixes them;" \
		     "clang-format --dry-run FILE shows where)" >&2; exit 1; \
	fi; echo "format-check: $(words $(C_FILES)) files formatted"

format: lint-deps ## apply .clang-format to every C file (rewrites files)
	clang-format -i $(C_FILES)

# Always re-rendered from source: a broken .dot fails here and in CI. The
# PNGs are checked in for the README and docs/, with the hash of the source each was
# drawn from (diagrams/sources.sha256): a clone's file times say nothing,
# and Graphviz's PNG bytes differ between versions, so the hash is what
# diagrams-check compares.
DIAGRAMS_DOT := $(wildcard diagrams/*.dot)
diagrams: lint-deps ## render diagrams/*.dot to PNG
	@set -e; for f in $(DIAGRAMS_DOT); do \
		dot -Tpng -Gdpi=96 -o "$${f%.dot}.png.tmp" "$$f" || { rm -f "$${f%.dot}.png.tmp"; exit 1; }; \
		mv "$${f%.dot}.png.tmp" "$${f%.dot}.png"; \
		echo "diagrams: $$f -> $${f%.dot}.png"; done
	@sha256sum $(DIAGRAMS_DOT) >diagrams/sources.sha256

diagrams-check: ## fail when a diagram source changed since its picture was drawn
	@sha256sum --quiet -c diagrams/sources.sha256 || \
		{ echo "diagrams-check: a diagram's source changed since its picture was drawn: run make diagrams" >&2; exit 1; }
	@[ "$$(sha256sum $(DIAGRAMS_DOT) | sort)" = "$$(sort diagrams/sources.sha256)" ] || \
		{ echo "diagrams-check: diagrams/sources.sha256 does not list every diagrams/*.dot: run make diagrams" >&2; exit 1; }
	@echo "diagrams-check: $(words $(DIAGRAMS_DOT)) pictures drawn from their current sources"

# docs/configuration.md, the configuration reference, is generated from the
# same option table as the man page (through --help and --print-config).
# Checked in; tests/packaging/test_config_doc.sh fails when it differs from
# what scripts/config-doc.sh writes: run `make config-doc` then.
config-doc: $(BUILD)/sensor-service ## regenerate docs/configuration.md from the option table
	scripts/config-doc.sh $(BUILD)/sensor-service >docs/configuration.md.tmp
	@mv docs/configuration.md.tmp docs/configuration.md
	@echo "config-doc: wrote docs/configuration.md"

# The man page goes in with `make install`, its title line carrying
# debian/changelog's version (the checked-in page has it after `make man`,
# which scripts/new-version.sh runs).
MANDIR ?= $(PREFIX)/share/man
install-man: ## install the man page (part of make install)
	install -d $(DESTDIR)$(MANDIR)/man1
	sed '/^\.TH /s/"sensor-service [^"]*"/"sensor-service $(VERSION)"/' docs/sensor-service.1 \
		>$(DESTDIR)$(MANDIR)/man1/sensor-service.1
	chmod 0644 $(DESTDIR)$(MANDIR)/man1/sensor-service.1
uninstall-man: ## remove the man page
	rm -f $(DESTDIR)$(MANDIR)/man1/sensor-service.1

DOCKER ?= docker
IMAGE  ?= sensor-service:dev
docker-image: ## docker build -f deploy/Dockerfile
	$(DOCKER) build -f deploy/Dockerfile --build-arg VERSION=$(VERSION) -t $(IMAGE) .

# deploy/sensor-service.default (/etc/default/sensor-service) is generated
# from the option table, like the man page, and checked in
# (tests/packaging/test_etc_default.sh compares).
etc-default: $(BUILD)/sensor-service scripts/etc-default.sh ## regenerate deploy/sensor-service.default from the option table
	scripts/etc-default.sh $(BUILD)/sensor-service >deploy/sensor-service.default.tmp
	mv deploy/sensor-service.default.tmp deploy/sensor-service.default

# deploy/sensor-service.conf, the example configuration (installed as
# /etc/sensor-service/sensor-service.conf), is generated the same way: every
# setting commented out with its default (tests/packaging/test_example_conf.sh
# compares).
example-conf: $(BUILD)/sensor-service scripts/example-conf.sh ## regenerate deploy/sensor-service.conf from the option table
	scripts/example-conf.sh $(BUILD)/sensor-service >deploy/sensor-service.conf.tmp
	mv deploy/sensor-service.conf.tmp deploy/sensor-service.conf

# docs/sensor-service.1 is generated from --help by help2man, plus the
# sections in docs/sensor-service.h2m (@PRINT_CONFIG@ becomes the defaults
# from --print-config). GLib's help layout is first turned into the GNU one
# help2man understands (Usage: line, one Options: list). Checked in;
# tests/packaging/test_manpage.sh fails when an option of --help is
# missing from it or described differently: run `make man` then.
MAN_DATE_EPOCH = $(shell git log -1 --format=%ct -- common/config.c docs/sensor-service.h2m 2>/dev/null)
man: $(BUILD)/sensor-service docs/sensor-service.h2m ## regenerate docs/sensor-service.1 from --help
	@command -v help2man >/dev/null || scripts/install-deps.sh lint
	@mkdir -p $(BUILD)/man
	env -i PATH="$$PATH" $(BUILD)/sensor-service --print-config | sed 's/^\[/\\\&[/' >$(BUILD)/man/print-config.txt
	sed -e '/@PRINT_CONFIG@/{r $(BUILD)/man/print-config.txt' -e 'd}' docs/sensor-service.h2m >$(BUILD)/man/sensor-service.h2m
	@printf '%s\n' '#!/bin/sh' \
		'[ "$$1" = --help ] || exec "$$(dirname "$$0")/../sensor-service" "$$@"' \
		'"$$(dirname "$$0")/../sensor-service" --help | awk '"'"'NR == 1 && /^Usage:$$/ { getline; sub(/^ +/, ""); sub(/ \[OPTION\?\].*/, ""); print "Usage: " $$0 " [OPTION]..."; next } /^Help Options:$$/ { print "Options:"; next } /^Application Options:$$/ { next } { print }'"'"'' \
		>$(BUILD)/man/sensor-service && chmod +x $(BUILD)/man/sensor-service
	env -i PATH="$$PATH" LC_ALL=C $(if $(MAN_DATE_EPOCH),SOURCE_DATE_EPOCH=$(MAN_DATE_EPOCH)) \
		help2man --no-info --section=1 --name="sensor sampling service with a Prometheus exporter" \
		--include=$(BUILD)/man/sensor-service.h2m --output=docs/sensor-service.1 $(BUILD)/man/sensor-service
	@echo "man: wrote docs/sensor-service.1 (view: man -l docs/sensor-service.1)"
