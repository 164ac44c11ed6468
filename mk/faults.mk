# faults.mk - fault injection, fuzzing and leak checks.
#
#   make fuzz       libFuzzer targets (clang, ASan + UBSan) over the parsers of
#                   untrusted input, FUZZ_SECONDS each (default 30); seeds in
#                   tests/fuzz/<target>/, new inputs in build/fuzz/corpus/
#   make fuzz-report  make fuzz, then its figures into bench/results/fuzz.json
#                   and PERFORMANCE_REPORT.md ("Bad bytes")
#   make fuzz-replay  the seed corpora through the same targets built with
#                   $(CC), no libFuzzer needed (part of `make unit`)
#   make valgrind   the real service, every process, under valgrind's leak
#                   checker while it serves requests and stops: clean or fail

# One target per tests/fuzz/fuzz_<target>.c, its seeds in tests/fuzz/<target>/.
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_SECONDS ?= 30
FUZZ_CC      ?= clang
FUZZ_BUILD   := build/fuzz
FUZZ_CFLAGS  := -MMD -MP -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
                -fno-sanitize-recover=undefined

.PHONY: fuzz fuzz-build fuzz-replay fuzz-report valgrind

# ---- replay: cheap, with the ordinary compiler, in every `make unit` ----
REPLAY_BINS := $(addprefix $(BUILD)/fuzz-replay/fuzz_,$(FUZZ_TARGETS))

fuzz-replay: $(REPLAY_BINS) ## the fuzz targets seed corpora through the ordinary build
	@set -e; for t in $(FUZZ_TARGETS); do $(BUILD)/fuzz-replay/fuzz_$$t tests/fuzz/$$t; done

$(BUILD)/fuzz-replay/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(BUILD)/libsensor.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< tests/fuzz/replay.c $(BUILD)/libsensor.a $(LDLIBS)

# ---- libFuzzer ----
fuzz: ## the libFuzzer targets over the parsers of untrusted input (FUZZ_SECONDS each)
	@scripts/install-deps.sh fuzz
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) CFLAGS="$(FUZZ_CFLAGS)" \
		LDFLAGS="-fsanitize=address,undefined" fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/artifacts; \
		dict=; [ -f tests/fuzz/$$t.dict ] && dict=-dict=tests/fuzz/$$t.dict; \
		echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		$(FUZZ_BUILD)/fuzz-bin/fuzz_$$t $(FUZZ_BUILD)/corpus/$$t tests/fuzz/$$t $$dict \
			-max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
			-artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t- -print_final_stats=1 \
			2>$(FUZZ_BUILD)/fuzz_$$t.log || { tail -40 $(FUZZ_BUILD)/fuzz_$$t.log; \
			echo "fuzz_$$t FAILED: the input is in $(FUZZ_BUILD)/artifacts/ (copy it into tests/fuzz/$$t/)"; exit 1; }; \
		grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb)' $(FUZZ_BUILD)/fuzz_$$t.log | tr '\n' ' '; \
		echo; echo "   corpus: $$(ls $(FUZZ_BUILD)/corpus/$$t | wc -l) inputs kept"; done

# A crash stops `make fuzz`; its figures are still recorded (crashes: 1).
fuzz-report: ## make fuzz, then its figures into bench/results/fuzz.json
	rm -rf $(FUZZ_BUILD)/artifacts $(FUZZ_BUILD)/fuzz_*.log
	-@$(MAKE) --no-print-directory fuzz
	/usr/bin/python3 bench/fuzz_results.py $(FUZZ_BUILD) bench/results/fuzz.json $(FUZZ_TARGETS)
	/usr/bin/python3 bench/report.py bench/results PERFORMANCE_REPORT.md

fuzz-build: $(addprefix $(BUILD)/fuzz-bin/fuzz_,$(FUZZ_TARGETS))

$(BUILD)/fuzz-bin/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(BUILD)/libsensor.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/libsensor.a $(LDLIBS) $(LDFLAGS)

# ---- valgrind ----
valgrind: $(BUILD)/sensor-service ## the real service, every process, under valgrind (leaks and errors)
	@scripts/install-deps.sh fuzz
	tests/valgrind/run.sh $(abspath $(BUILD)/sensor-service)
