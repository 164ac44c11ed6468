/*
 * fault.h - fault injection, a TESTING AID that is off by default.
 *
 * The `fault` option (--fault SPEC, SENSOR_FAULT, [testing] fault=) makes
 * a child misbehave on purpose so that the tests can prove the isolation
 * the design promises. SPEC is `none` or a comma-separated list of
 *
 *   PROCESS:KIND:ARG      PROCESS is worker or exporter
 *
 *   leak:RATE       allocate and touch RATE bytes per second (suffix k, M
 *                   or G for KiB, MiB, GiB); when malloc fails (the memory
 *                   cap) the process exits with FAULT_EXIT_LEAK
 *   crash:AFTER_MS  segfault AFTER_MS after the process started
 *   hang:AFTER_MS   busy loop without heartbeats from AFTER_MS on
 *   exit:AFTER_MS   exit(FAULT_EXIT_STATUS) AFTER_MS after start (0: at once)
 *   spike:MS        worker only: every processing step burns MS of CPU
 *
 * e.g. `worker:leak:16M`, `worker:crash:1500,exporter:exit:0`. Times count
 * from the start of each incarnation, so a restarted child misbehaves
 * again (a crash loop with exit:0).
 */
#ifndef SENSOR_COMMON_FAULT_H
#define SENSOR_COMMON_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAULT_MAX 8
#define FAULT_EXIT_STATUS 3 /* exit:AFTER_MS */
#define FAULT_EXIT_LEAK 4   /* leak: malloc failed at the memory cap */
#define FAULT_TICK_MS 50    /* how often the exporter checks its faults */
#define FAULT_MAX_MS 86400000L
#define FAULT_MAX_LEAK_RATE (1L << 30)

enum fault_process { FAULT_WORKER, FAULT_EXPORTER };
enum fault_kind { FAULT_LEAK, FAULT_CRASH, FAULT_HANG, FAULT_EXIT, FAULT_SPIKE };

struct fault {
	enum fault_process process;
	enum fault_kind kind;
	long arg; /* bytes per second for leak, milliseconds otherwise */
};

struct fault_plan {
	unsigned n;
	struct fault f[FAULT_MAX];
};

/*
 * Parse SPEC (untrusted: fuzzed). Returns 0 and fills `plan`, or -1 with a
 * one-line reason in err. NULL, "" and "none" mean no fault.
 */
int fault_parse(const char *spec, struct fault_plan *plan, char *err, size_t errlen);

/* In a child at its start: arm the faults of `self` from a validated SPEC. */
void fault_begin(enum fault_process self, const char *spec);

/* True when fault_begin armed at least one fault in this process. */
bool fault_active(void);

/* Called from the child's loop: fire what is due (may not return). */
void fault_tick(void);

/* Worker's processing step: burn the spike's CPU time, if armed. */
void fault_spike(void);

#endif
