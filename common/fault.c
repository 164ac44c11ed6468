/*
 * fault.c - fault injection for the tests (a TESTING AID, off by default):
 * the parser of the `fault` option, and the few misbehaviours a child
 * performs on purpose when its spec asks for them. See fault.h for the
 * syntax. The parser sees untrusted text and is fuzzed.
 */
#define _GNU_SOURCE
#include "fault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <signal.h>

#include "../shm/metrics.h"
#include "log.h"

static const char *const process_names[] = { "worker", "exporter" };
static const char *const kind_names[] = { "leak", "crash", "hang", "exit", "spike" };
#define N_PROCESSES (sizeof process_names / sizeof process_names[0])
#define N_KINDS (sizeof kind_names / sizeof kind_names[0])

/* Index of the `len` bytes at `s` in `names`, or -1. */
static int lookup(const char *const *names, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return (int)i;
	return -1;
}

/* Digits, then (for sizes) one of k/M/G; at most `max`. */
static int parse_number(const char *s, size_t len, bool size_suffix, long max, long *out)
{
	long mult = 1;
	if (size_suffix && len > 0) {
		switch (s[len - 1]) {
		case 'k':
		case 'K':
			mult = 1L << 10;
			len--;
			break;
		case 'm':
		case 'M':
			mult = 1L << 20;
			len--;
			break;
		case 'g':
		case 'G':
			mult = 1L << 30;
			len--;
			break;
		default: break;
		}
	}
	if (len == 0)
		return -1;
	long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > max)
			return -1;
	}
	if (v > max / mult)
		return -1;
	*out = v * mult;
	return 0;
}

/* What ARG must be for a kind of fault. */
static const char *arg_rule(int kind)
{
	if (kind == FAULT_LEAK)
		return "RATE must be bytes per second, 1 to 1G (suffix k, M or G)";
	if (kind == FAULT_SPIKE)
		return "MS must be milliseconds, 1 to 86400000";
	return "AFTER_MS must be milliseconds, 0 to 86400000";
}

/* One PROCESS:KIND:ARG item of `len` bytes at `s`. */
static int parse_item(const char *s, size_t len, struct fault *f, char *err, size_t errlen)
{
	const char *c1 = memchr(s, ':', len);
	const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - s)) : NULL;
	int ilen = len > 64 ? 64 : (int)len;
	if (!c2) {
		snprintf(err, errlen, "'%.*s' is not PROCESS:KIND:ARG (e.g. worker:crash:2000)", ilen, s);
		return -1;
	}
	int p = lookup(process_names, N_PROCESSES, s, (size_t)(c1 - s));
	int k = lookup(kind_names, N_KINDS, c1 + 1, (size_t)(c2 - c1 - 1));
	const char *arg = c2 + 1;
	size_t alen = len - (size_t)(arg - s);
	if (p < 0) {
		snprintf(err, errlen, "unknown process in '%.*s' (worker or exporter)", ilen, s);
		return -1;
	}
	if (k < 0) {
		snprintf(err, errlen, "unknown fault in '%.*s' (leak, crash, hang, exit or spike)", ilen, s);
		return -1;
	}
	if (k == FAULT_SPIKE && p != FAULT_WORKER) {
		snprintf(err, errlen, "'%.*s': only the worker has a processing step to spike", ilen, s);
		return -1;
	}
	bool leak = k == FAULT_LEAK;
	long max = leak ? FAULT_MAX_LEAK_RATE : FAULT_MAX_MS;
	if (parse_number(arg, alen, leak, max, &f->arg) != 0 || (f->arg == 0 && (leak || k == FAULT_SPIKE))) {
		snprintf(err, errlen, "'%.*s': %s", ilen, s, arg_rule(k));
		return -1;
	}
	f->process = (enum fault_process)p;
	f->kind = (enum fault_kind)k;
	return 0;
}

int fault_parse(const char *spec, struct fault_plan *plan, char *err, size_t errlen)
{
	memset(plan, 0, sizeof *plan);
	if (!spec || !*spec || strcmp(spec, "none") == 0)
		return 0;
	const char *s = spec;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		if (plan->n >= FAULT_MAX) {
			snprintf(err, errlen, "more than %d faults", FAULT_MAX);
			return -1;
		}
		struct fault *f = &plan->f[plan->n];
		if (parse_item(s, len, f, err, errlen) != 0)
			return -1;
		for (unsigned i = 0; i < plan->n; i++)
			if (plan->f[i].process == f->process && plan->f[i].kind == f->kind) {
				snprintf(err, errlen, "%s:%s given twice", process_names[f->process],
					 kind_names[f->kind]);
				return -1;
			}
		plan->n++;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

/* ---- runtime: what a child does when its faults are due ---- */

static struct fault_plan armed; /* this process's faults only */
static int64_t started_ns, last_tick_ns;
static double leak_carry; /* bytes owed from earlier ticks */
static void *leaked;      /* chain of leaked blocks: still reachable */
static size_t leaked_bytes;

void fault_begin(enum fault_process self, const char *spec)
{
	struct fault_plan all;
	char err[160];
	memset(&armed, 0, sizeof armed);
	if (fault_parse(spec, &all, err, sizeof err) != 0) {
		log_error("fault: ignoring invalid spec: %s", err);
		return;
	}
	for (unsigned i = 0; i < all.n; i++)
		if (all.f[i].process == self)
			armed.f[armed.n++] = all.f[i];
	if (armed.n == 0)
		return;
	started_ns = last_tick_ns = monotonic_ns();
	log_warn("FAULT INJECTION (testing aid) armed: %s", spec);
	fault_tick();
}

bool fault_active(void)
{
	return armed.n > 0;
}

/* A real segfault: a store to a page we made inaccessible. The default
 * action is restored first so a sanitizer's handler cannot turn it into
 * an ordinary exit. */
static void do_crash(void)
{
	log_warn("fault: segfault now");
	signal(SIGSEGV, SIG_DFL);
	volatile char *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		page = (volatile char *)(uintptr_t)16;
	page[0] = 1;
	raise(SIGSEGV); /* not reached */
}

static void do_hang(void)
{
	log_warn("fault: hanging now (busy loop, no heartbeat)");
	volatile unsigned long spin = 0;
	for (;;)
		spin++;
}

/* Allocate and touch what the rate owes since the last tick. */
static void do_leak(long rate, int64_t now)
{
	leak_carry += (double)rate * (double)(now - last_tick_ns) / 1e9;
	if (leak_carry < (double)sizeof(void *))
		return;
	size_t n = (size_t)leak_carry;
	void **block = malloc(n);
	if (!block) {
		log_error("fault: leak: malloc(%zu) failed after %zu MiB leaked (memory cap): exiting %d", n,
			  leaked_bytes >> 20, FAULT_EXIT_LEAK);
		_exit(FAULT_EXIT_LEAK);
	}
	memset(block, 0xa5, n); /* touch every page: RSS really grows */
	*block = leaked;
	leaked = block;
	leaked_bytes += n;
	leak_carry -= (double)n;
}

void fault_tick(void)
{
	if (armed.n == 0)
		return;
	int64_t now = monotonic_ns();
	int64_t elapsed_ms = (now - started_ns) / 1000000;
	for (unsigned i = 0; i < armed.n; i++) {
		const struct fault *f = &armed.f[i];
		bool due = elapsed_ms >= f->arg;
		switch (f->kind) {
		case FAULT_LEAK: do_leak(f->arg, now); break;
		case FAULT_CRASH:
			if (due)
				do_crash();
			break;
		case FAULT_HANG:
			if (due)
				do_hang();
			break;
		case FAULT_EXIT:
			if (due) {
				log_warn("fault: exit(%d) now", FAULT_EXIT_STATUS);
				exit(FAULT_EXIT_STATUS);
			}
			break;
		case FAULT_SPIKE: break;
		}
	}
	last_tick_ns = now;
}

void fault_spike(void)
{
	for (unsigned i = 0; i < armed.n; i++) {
		if (armed.f[i].kind != FAULT_SPIKE)
			continue;
		/* CPU time, not wall time: a step starved of the CPU still
		 * burns all of it (the step runs at SCHED_IDLE by default). */
		int64_t end = clock_ns(CLOCK_THREAD_CPUTIME_ID) + (int64_t)armed.f[i].arg * 1000000;
		volatile double x = 1.0;
		while (clock_ns(CLOCK_THREAD_CPUTIME_ID) < end)
			for (int k = 0; k < 1000; k++)
				x = x * 1.0000001 + 1e-9;
	}
}
