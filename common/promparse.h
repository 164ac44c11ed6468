/*
 * promparse.h - a strict parser of the Prometheus text exposition format,
 * for text written by other programs (the textfile collector's *.prom
 * files) and for the text the worker hands the exporter through the
 * segment, which the exporter checks again before serving it.
 *
 * It accepts what node_exporter's parser (expfmt's TextParser) accepts,
 * less what could make a served page invalid or ambiguous: a sample with
 * a timestamp (node_exporter refuses those files too), a file that is not
 * UTF-8 or holds a NUL byte, a series given twice (an empty label value
 * is the same as the label absent), a label named twice or reserved
 * (`__` prefix). Families are found as expfmt finds them: a sample
 * `X_bucket`, `X_sum` or `X_count` belongs to family X when X was typed
 * histogram (or summary, for `_sum` and `_count`). Samples of a family
 * need not be contiguous in the input: whoever serves them groups them.
 *
 * The parse points into the text (nothing is copied), so the text must
 * outlive the result.
 */
#ifndef SENSOR_COMMON_PROMPARSE_H
#define SENSOR_COMMON_PROMPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum prom_type { PROM_UNTYPED, PROM_COUNTER, PROM_GAUGE, PROM_HISTOGRAM, PROM_SUMMARY, PROM_TYPE_COUNT };

/* The type's name in a TYPE line. */
const char *prom_type_name(enum prom_type t);

struct prom_family {
	const char *name;
	const char *help; /* as written (escaped), when has_help */
	uint32_t name_len, help_len;
	enum prom_type type;
	bool has_help, has_type;
	uint32_t samples;
};

struct prom_sample {
	const char *text; /* the line without its surrounding blanks */
	uint32_t len;
	uint32_t family;
	uint64_t key; /* hash of the name and the label set, order-free */
};

struct prom_doc {
	struct prom_family *fam;
	struct prom_sample *smp;
	uint32_t nfam, nsmp, fam_cap, smp_cap;
	uint32_t *by_name; /* open addressing: family index + 1, 0 empty */
	uint32_t by_name_cap;
	bool too_many; /* the last parse stopped at max_samples */
};

void prom_doc_init(struct prom_doc *d);
void prom_doc_free(struct prom_doc *d);

/*
 * Parse `len` bytes of `text` into d (emptied first). At most max_samples
 * samples: one more stops the parse with too_many set. Returns 0, or -1
 * with a one-line reason (naming the line) in why.
 */
int prom_parse(struct prom_doc *d, const char *text, size_t len, uint32_t max_samples, char *why, size_t whylen);

/* Is `len` bytes at s a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)? */
bool prom_metric_name_valid(const char *s, size_t len);

#endif
