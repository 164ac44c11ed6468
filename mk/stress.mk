# stress.mk - the shared segment's code under faults.
# A writer process (sampling, processing and supervisor-like threads
# driving the real writers) SIGKILLed at random moments, stray values
# stored into sequence counters and strings, and a reader using the
# exporter's read paths, for STRESS_S seconds (default 10). Prints
# `stress-shm: READS reads, TORN torn accepted, LOST series lost`; fails
# unless both counts are 0 after at least a million reads.

STRESS_S ?= 10

.PHONY: stress-shm

$(BUILD)/stress/stress_shm: tests/stress/stress_shm.c $(BUILD)/libsensor.a $(MAKEFILES_ALL)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libsensor.a $(LDLIBS)

stress-shm: $(BUILD)/stress/stress_shm ## the shared segment under writer kills and stray stores: 0 torn copies accepted, 0 series lost
	$(BUILD)/stress/stress_shm $(STRESS_S)
