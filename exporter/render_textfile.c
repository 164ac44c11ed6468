/*
 * render_textfile.c - the textfile collector's page in /metrics.
 *
 * The worker publishes the page into the segment (shm/textfile.h); this
 * process copies a new one whole (a torn copy is retried, then the last
 * good one served), and checks it before serving it, as it checks
 * everything it takes from the segment: it must parse (common/promparse.h),
 * every family must have its HELP and TYPE and its samples together, and
 * none may be a family of ours but the collector's own two. A page that
 * fails is not served (logged through a rate limit) until the worker
 * publishes another. The copy and the check happen once per page the
 * worker publishes, not per scrape.
 *
 * The parse is bounded by the samples the worker can write
 * (shm_textfile_max_samples of the configured limits), not by the page's
 * length, and arrays it grew past KEEP_SAMPLES are freed after the check:
 * a forged page costs its parse once, not a high-water mark kept.
 */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/config.h"
#include "../common/families.h"
#include "../common/log.h"
#include "../common/promparse.h"
#include "../shm/textfile.h"
#include "../shm/view.h"
#include "textbuf.h"

/* Parse arrays kept between checks: a page of this many samples and
 * families (most pages); larger ones are freed after their check. */
#define KEEP_SAMPLES 1024u

static struct {
	uint64_t capture; /* the view the buffers were sized for */
	char *text, *scratch;
	size_t len, size;
	uint64_t generation; /* of the page in text (or refused) */
	bool valid;
	struct prom_doc doc;
	struct log_limit log;
	uint32_t max_samples; /* 0: not set yet */
} cache;

void render_textfile_bound(uint32_t max_series, uint32_t max_files)
{
	cache.max_samples = shm_textfile_max_samples(max_series, max_files);
}

static uint32_t max_samples(void)
{
	struct config *d;
	if (cache.max_samples == 0 && (d = calloc(1, sizeof *d)) != NULL) {
		config_defaults(d);
		render_textfile_bound((uint32_t)d->textfile_max_series, (uint32_t)d->textfile_max_files);
		free(d);
	}
	return cache.max_samples;
}

bool render_textfile_page_valid(const char *text, size_t len, char *why, size_t whylen)
{
	/* the families served after it start on a line of their own */
	if (len > 0 && text[len - 1] != '\n') {
		snprintf(why, whylen, "the page does not end with a newline");
		return false;
	}
	bool ok = prom_parse(&cache.doc, text, len, max_samples(), why, whylen) == 0;
	const struct prom_doc *d = &cache.doc;
	for (uint32_t i = 0; ok && i < d->nfam; i++) {
		const struct prom_family *f = &d->fam[i];
		bool own = (f->name_len == sizeof FAMILY_TEXTFILE_MTIME - 1 &&
			    memcmp(f->name, FAMILY_TEXTFILE_MTIME, f->name_len) == 0) ||
			   (f->name_len == sizeof FAMILY_TEXTFILE_ERROR - 1 &&
			    memcmp(f->name, FAMILY_TEXTFILE_ERROR, f->name_len) == 0);
		if (!f->has_help || !f->has_type) {
			snprintf(why, whylen, "family %.*s without HELP or TYPE", (int)f->name_len, f->name);
			ok = false;
		} else if (!own && family_is_ours(f->name, f->name_len)) {
			snprintf(why, whylen, "family %.*s is ours", (int)f->name_len, f->name);
			ok = false;
		}
	}
	for (uint32_t i = 1; ok && i < d->nsmp; i++)
		if (d->smp[i].family < d->smp[i - 1].family) {
			snprintf(why, whylen, "the samples of a family are not together");
			ok = false;
		}
	if (d->smp_cap > KEEP_SAMPLES || d->fam_cap > KEEP_SAMPLES)
		prom_doc_free(&cache.doc);
	return ok;
}

/* The buffers for the view's capacity (a new view: a new segment). */
static bool buffers_for(const struct shm_view *v)
{
	if (cache.capture == v->capture && cache.text)
		return true;
	free(cache.text);
	free(cache.scratch);
	cache.size = (size_t)v->textfile_capacity;
	cache.text = malloc(cache.size);
	cache.scratch = malloc(cache.size);
	cache.capture = v->capture;
	cache.generation = 0;
	cache.valid = false;
	cache.len = 0;
	if (cache.text && cache.scratch)
		return true;
	free(cache.text);
	free(cache.scratch);
	cache.text = cache.scratch = NULL;
	log_warn_limited(&cache.log, "textfile page: no memory for its %zu-byte copy", cache.size);
	return false;
}

void render_textfile(struct textbuf *tb, const struct shm_segment *seg)
{
	const struct shm_view *v = shm_view_of(seg);
	if (v->seg != seg || v->textfile_capacity == 0 || !buffers_for(v))
		return;
	size_t len;
	uint64_t gen;
	char why[200];
	switch (shm_textfile_read(seg, cache.generation, cache.scratch, cache.size, &len, &gen)) {
	case SHM_TEXTFILE_NEW:
		cache.generation = gen;
		if (!render_textfile_page_valid(cache.scratch, len, why, sizeof why)) {
			cache.valid = false;
			log_warn_limited(&cache.log, "textfile page in the shared segment refused: %s", why);
			break;
		}
		char *t = cache.text;
		cache.text = cache.scratch;
		cache.scratch = t;
		cache.len = len;
		cache.valid = true;
		break;
	case SHM_TEXTFILE_BAD:
		log_warn_limited(&cache.log, "textfile page in the shared segment refused: length beyond %zu bytes",
				 cache.size);
		cache.valid = false;
		break;
	case SHM_TEXTFILE_SAME:
	case SHM_TEXTFILE_NONE:
	case SHM_TEXTFILE_TORN: /* the last good copy */ break;
	}
	if (cache.valid)
		tb_put(tb, cache.text, cache.len);
}
