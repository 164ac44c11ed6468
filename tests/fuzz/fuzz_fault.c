/*
 * fuzz_fault.c - fuzz target: the --fault spec parser (common/fault.c).
 * Any input either parses into a plan within the documented limits or is
 * refused with a terminated, bounded message.
 */
#include <string.h>

#include "../../common/fault.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char spec[1024];
	if (size >= sizeof spec)
		size = sizeof spec - 1;
	memcpy(spec, data, size);
	spec[size] = '\0';

	struct fault_plan plan;
	char err[96];
	memset(err, 'x', sizeof err);
	if (fault_parse(spec, &plan, err, sizeof err) != 0) {
		FUZZ_ASSERT(memchr(err, '\0', sizeof err) != NULL);
		return 0;
	}
	FUZZ_ASSERT(plan.n <= FAULT_MAX);
	for (unsigned i = 0; i < plan.n; i++) {
		const struct fault *f = &plan.f[i];
		FUZZ_ASSERT(f->process == FAULT_WORKER || f->process == FAULT_EXPORTER);
		FUZZ_ASSERT(f->kind >= FAULT_LEAK && f->kind <= FAULT_SPIKE);
		FUZZ_ASSERT(f->kind != FAULT_SPIKE || f->process == FAULT_WORKER);
		if (f->kind == FAULT_LEAK)
			FUZZ_ASSERT(f->arg >= 1 && f->arg <= FAULT_MAX_LEAK_RATE);
		else
			FUZZ_ASSERT(f->arg >= (f->kind == FAULT_SPIKE) && f->arg <= FAULT_MAX_MS);
		for (unsigned j = 0; j < i; j++)
			FUZZ_ASSERT(plan.f[j].process != f->process || plan.f[j].kind != f->kind);
	}
	return 0;
}
