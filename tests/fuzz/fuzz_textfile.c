/*
 * fuzz_textfile.c - fuzz target: a *.prom file as the textfile collector
 * takes it (common/promparse.c, worker/textfile_merge.c) and the page as
 * the exporter checks it (exporter/render_textfile.c). A file either is
 * refused, or parses into samples that lie within it, and then the page
 * the worker makes of it (when it is taken) passes the exporter's check:
 * whatever a file holds, the page served stays valid.
 */
#include <stdlib.h>
#include <string.h>

#include "../../common/promparse.h"
#include "../../exporter/render.h"
#include "../../worker/textfile_merge.h"
#include "fuzz.h"

#define MAX_INPUT 65536u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_INPUT)
		size = MAX_INPUT;
	const char *text = (const char *)data;
	char why[200];
	/* the segment's bytes are anyone's: the exporter's check never crashes */
	(void)render_textfile_page_valid(text, size, why, sizeof why);

	struct prom_doc d;
	prom_doc_init(&d);
	if (prom_parse(&d, text, size, 1000, why, sizeof why) == 0) {
		uint32_t total = 0;
		for (uint32_t i = 0; i < d.nfam; i++)
			total += d.fam[i].samples;
		FUZZ_ASSERT(total == d.nsmp);
		for (uint32_t i = 0; i < d.nsmp; i++) {
			FUZZ_ASSERT(d.smp[i].text >= text && d.smp[i].text + d.smp[i].len <= text + size);
			FUZZ_ASSERT(d.smp[i].family < d.nfam);
		}
		struct textfile_merge *m = textfile_merge_new(1000, 1u << 20);
		FUZZ_ASSERT(m != NULL);
		bool taken = textfile_merge_add(m, "/d/f.prom", 1, &d, why, sizeof why) == 0;
		char *page = NULL;
		size_t len = textfile_merge_render(m, !taken, &page);
		FUZZ_ASSERT(len != (size_t)-1 && len <= (1u << 20));
		if (!render_textfile_page_valid(page, len, why, sizeof why)) {
			fprintf(stderr, "page refused (%s):\n%s\n", why, page);
			FUZZ_ASSERT(!"a page the worker made is refused by the exporter");
		}
		free(page);
		textfile_merge_free(m);
	}
	prom_doc_free(&d);
	return 0;
}
