/*
 * promparse.c - the strict exposition-format parser (promparse.h).
 */
#include "promparse.h"

#include <strings.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LABELS 64u /* label pairs of one sample */
#define MAX_NUMBER 64u /* characters of a value or an le/quantile label */
#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME UINT64_C(0x100000001b3)

static const char *const type_names[PROM_TYPE_COUNT] = { "untyped", "counter", "gauge", "histogram", "summary" };

const char *prom_type_name(enum prom_type t)
{
	return (unsigned)t < PROM_TYPE_COUNT ? type_names[t] : "untyped";
}

void prom_doc_init(struct prom_doc *d)
{
	memset(d, 0, sizeof *d);
}

void prom_doc_free(struct prom_doc *d)
{
	free(d->fam);
	free(d->smp);
	free(d->by_name);
	prom_doc_init(d);
}

struct parse {
	struct prom_doc *d;
	unsigned line;
	uint32_t max_samples;
	char *why;
	size_t whylen;
	uint32_t last; /* the family of the last sample: the next is mostly its */
};

__attribute__((format(printf, 2, 3))) static int fail(struct parse *ps, const char *fmt, ...)
{
	char msg[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (ps->line)
		snprintf(ps->why, ps->whylen, "line %u: %s", ps->line, msg);
	else
		snprintf(ps->why, ps->whylen, "%s", msg);
	return -1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool name_char(char c, bool first, bool colon)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':') ||
	       (!first && c >= '0' && c <= '9');
}

static size_t name_span(const char *s, const char *e, bool colon)
{
	size_t n = 0;
	while (s + n < e && name_char(s[n], n == 0, colon))
		n++;
	return n;
}

bool prom_metric_name_valid(const char *s, size_t len)
{
	return len > 0 && name_span(s, s + len, true) == len;
}

/* Well-formed UTF-8: no overlong forms, no surrogates, at most U+10FFFF. */
static bool utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned c = s[i];
		size_t n;
		unsigned min;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1, min = 0x80, c &= 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, min = 0x800, c &= 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3, min = 0x10000, c &= 0x07;
		} else {
			return false;
		}
		if (len - i <= n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			c = (c << 6) | (s[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/* A float as Go's ParseFloat reads it in decimal, or Inf/NaN in any case. */
static bool number_valid(const char *s, size_t len, double *out)
{
	char buf[MAX_NUMBER + 1];
	if (len == 0 || len > MAX_NUMBER)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	const char *word = buf + (buf[0] == '+' || buf[0] == '-');
	bool letter = (*word >= 'a' && *word <= 'z') || (*word >= 'A' && *word <= 'Z');
	if (letter &&
	    (strcasecmp(word, "inf") == 0 || strcasecmp(word, "infinity") == 0 || strcasecmp(buf, "nan") == 0)) {
		*out = strtod(buf, NULL);
		return true;
	}
	bool digits = false;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (c >= '0' && c <= '9')
			digits = true;
		else if (c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-')
			return false;
	}
	if (!digits)
		return false;
	char *end;
	*out = strtod(buf, &end);
	return *end == '\0';
}

static uint64_t fnv(uint64_t h, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * FNV_PRIME;
	return (h ^ 0xffu) * FNV_PRIME; /* a separator: "ab","c" is not "a","bc" */
}

static uint32_t name_slot(const struct prom_doc *d, const char *name, size_t len)
{
	return (uint32_t)fnv(FNV_OFFSET, name, len) & (d->by_name_cap - 1);
}

/* Family `name` by its hash: no parse is quadratic in its families. */
static int find_exact(const struct prom_doc *d, const char *name, size_t len)
{
	if (d->by_name_cap == 0 || !d->by_name)
		return -1;
	for (uint32_t i = name_slot(d, name, len);; i = (i + 1) & (d->by_name_cap - 1)) {
		uint32_t f = d->by_name[i];
		if (f == 0)
			return -1;
		if (d->fam[f - 1].name_len == len && memcmp(d->fam[f - 1].name, name, len) == 0)
			return (int)f - 1;
	}
}

static void index_family(struct prom_doc *d, uint32_t f)
{
	if (!d->by_name)
		return;
	uint32_t i = name_slot(d, d->fam[f].name, d->fam[f].name_len);
	while (d->by_name[i] != 0)
		i = (i + 1) & (d->by_name_cap - 1);
	d->by_name[i] = f + 1;
}

/* Keep the index at most half full. */
static int index_room(struct parse *ps)
{
	struct prom_doc *d = ps->d;
	if ((d->nfam + 1) * 2 <= d->by_name_cap)
		return 0;
	uint32_t cap = d->by_name_cap ? d->by_name_cap * 2 : 64;
	uint32_t *idx = calloc(cap, sizeof *idx);
	if (!idx)
		return fail(ps, "out of memory");
	free(d->by_name);
	d->by_name = idx;
	d->by_name_cap = cap;
	for (uint32_t f = 0; f < d->nfam; f++)
		index_family(d, f);
	return 0;
}

/* The family a name belongs to (expfmt's order: the name itself, then
 * X of X_sum / X_count of a summary or histogram, X of X_bucket of a
 * histogram); -1 when none. *suffix gets what was cut off. */
static int find_family(struct parse *ps, const char *name, size_t len, const char **suffix)
{
	struct prom_doc *d = ps->d;
	*suffix = "";
	if (ps->last < d->nfam && d->fam[ps->last].name_len == len && memcmp(d->fam[ps->last].name, name, len) == 0)
		return (int)ps->last;
	int f = find_exact(d, name, len);
	if (f >= 0)
		return f;
	static const char *const suffixes[] = { "_sum", "_count", "_bucket" };
	for (unsigned k = 0; k < 3; k++) {
		size_t sl = strlen(suffixes[k]);
		if (len <= sl || memcmp(name + len - sl, suffixes[k], sl) != 0)
			continue;
		f = find_exact(d, name, len - sl);
		if (f < 0)
			continue;
		enum prom_type t = d->fam[f].type;
		if (t == PROM_HISTOGRAM || (t == PROM_SUMMARY && k < 2)) {
			*suffix = suffixes[k];
			return f;
		}
	}
	return -1;
}

/* Room for one more of an array's `n` elements of `size` bytes. */
static int room_for_one(struct parse *ps, void **array, uint32_t n, uint32_t *cap, size_t size)
{
	if (n < *cap)
		return 0;
	uint32_t more = *cap ? *cap * 2 : 16;
	void *grown = realloc(*array, (size_t)more * size);
	if (!grown)
		return fail(ps, "out of memory");
	*array = grown;
	*cap = more;
	return 0;
}

static int new_family(struct parse *ps, const char *name, size_t len)
{
	struct prom_doc *d = ps->d;
	if (room_for_one(ps, (void **)&d->fam, d->nfam, &d->fam_cap, sizeof *d->fam) != 0 || index_room(ps) != 0)
		return -1;
	struct prom_family *f = &d->fam[d->nfam];
	memset(f, 0, sizeof *f);
	f->name = name;
	f->name_len = (uint32_t)len;
	index_family(d, d->nfam);
	return (int)d->nfam++;
}

static int family_for(struct parse *ps, const char *name, size_t len, const char **suffix)
{
	int f = find_family(ps, name, len, suffix);
	return f >= 0 ? f : new_family(ps, name, len);
}

/* Escapes allowed in a HELP text: \\ and \n. */
static bool help_escapes_valid(const char *s, const char *e)
{
	for (; s < e; s++)
		if (*s == '\\' && (++s == e || (*s != '\\' && *s != 'n')))
			return false;
	return true;
}

/* `# ...` from after the '#' to e (blanks at the end cut; a HELP text
 * keeps them, to raw_end, as expfmt does). */
static int comment_line(struct parse *ps, const char *s, const char *e, const char *raw_end)
{
	while (s < e && is_blank(*s))
		s++;
	const char *kw = s;
	while (s < e && !is_blank(*s))
		s++;
	bool help = s - kw == 4 && memcmp(kw, "HELP", 4) == 0, type = s - kw == 4 && memcmp(kw, "TYPE", 4) == 0;
	if (!help && !type)
		return 0; /* a comment */
	while (s < e && is_blank(*s))
		s++;
	size_t n = name_span(s, e, true);
	if (s == e)
		return 0;
	if (n == 0 || (s + n < e && !is_blank(s[n])))
		return fail(ps, "invalid metric name in a %s line", help ? "HELP" : "TYPE");
	const char *name = s;
	s += n;
	while (s < e && is_blank(*s))
		s++;
	if (s == e)
		return 0; /* no text: a comment, as expfmt takes it */
	const char *suffix;
	int f = family_for(ps, name, n, &suffix);
	if (f < 0)
		return -1;
	struct prom_family *fam = &ps->d->fam[f];
	ps->last = (uint32_t)f; /* its samples mostly follow */
	if (help) {
		if (fam->has_help)
			return fail(ps, "second HELP line for %.*s", (int)n, name);
		if (!help_escapes_valid(s, raw_end))
			return fail(ps, "invalid escape sequence in the HELP of %.*s", (int)n, name);
		fam->help = s;
		fam->help_len = (uint32_t)(raw_end - s);
		fam->has_help = true;
		return 0;
	}
	if (fam->has_type || fam->samples > 0)
		return fail(ps, "second TYPE line for %.*s, or TYPE after its samples", (int)n, name);
	if (*suffix)
		return fail(ps, "TYPE line for %.*s, a sample name of family %.*s", (int)n, name, (int)fam->name_len,
			    fam->name);
	for (unsigned t = 0; t < PROM_TYPE_COUNT; t++)
		if ((size_t)(e - s) == strlen(type_names[t]) && strncasecmp(s, type_names[t], (size_t)(e - s)) == 0) {
			fam->type = (enum prom_type)t;
			fam->has_type = true;
			return 0;
		}
	return fail(ps, "unknown metric type '%.*s'", (int)(e - s), s);
}

struct label {
	const char *name, *value;
	size_t name_len, value_len;
};

/* `{a="x",b="y"}` from s; *at gets the first byte after the '}'. */
static int labels(struct parse *ps, const char *s, const char *e, struct label *l, unsigned *nl, const char **at)
{
	s++; /* '{' */
	*nl = 0;
	for (;;) {
		while (s < e && is_blank(*s))
			s++;
		if (s < e && *s == '}')
			break;
		size_t n = name_span(s, e, false);
		if (n == 0)
			return fail(ps, "invalid label name");
		if (n >= 2 && s[0] == '_' && s[1] == '_')
			return fail(ps, "label name %.*s is reserved", (int)n, s);
		if (*nl == MAX_LABELS)
			return fail(ps, "more than %u labels", MAX_LABELS);
		struct label *lb = &l[(*nl)++];
		lb->name = s;
		lb->name_len = n;
		for (unsigned k = 0; k + 1 < *nl; k++)
			if (l[k].name_len == n && memcmp(l[k].name, s, n) == 0)
				return fail(ps, "label %.*s given twice", (int)n, s);
		s += n;
		while (s < e && is_blank(*s))
			s++;
		if (s == e || *s != '=')
			return fail(ps, "expected '=' after label name %.*s", (int)n, lb->name);
		s++;
		while (s < e && is_blank(*s))
			s++;
		if (s == e || *s != '"')
			return fail(ps, "expected '\"' to open the value of label %.*s", (int)n, lb->name);
		lb->value = ++s;
		while (s < e && *s != '"') {
			if (*s == '\\' && (++s == e || (*s != '\\' && *s != '"' && *s != 'n')))
				return fail(ps, "invalid escape sequence in the value of label %.*s", (int)n, lb->name);
			s++;
		}
		if (s == e)
			return fail(ps, "unterminated value of label %.*s", (int)n, lb->name);
		lb->value_len = (size_t)(s - lb->value);
		s++;
		while (s < e && is_blank(*s))
			s++;
		if (s < e && *s == ',') {
			s++;
			continue;
		}
		if (s < e && *s == '}')
			break;
		return fail(ps, "expected ',' or '}' after a label");
	}
	*at = s + 1;
	return 0;
}

static const struct label *label_named(const struct label *l, unsigned nl, const char *name)
{
	size_t n = strlen(name);
	for (unsigned i = 0; i < nl; i++)
		if (l[i].name_len == n && memcmp(l[i].name, name, n) == 0)
			return &l[i];
	return NULL;
}

/* The series' key: its name and its non-empty labels in name order. */
static uint64_t series_key(const char *name, size_t len, struct label *l, unsigned nl)
{
	for (unsigned i = 1; i < nl; i++) /* insertion sort: a handful of labels */
		for (unsigned k = i; k > 0; k--) {
			size_t a = l[k - 1].name_len, b = l[k].name_len;
			int c = memcmp(l[k - 1].name, l[k].name, a < b ? a : b);
			if (c < 0 || (c == 0 && a < b))
				break;
			struct label t = l[k - 1];
			l[k - 1] = l[k];
			l[k] = t;
		}
	uint64_t h = fnv(FNV_OFFSET, name, len);
	for (unsigned i = 0; i < nl; i++)
		if (l[i].value_len > 0)
			h = fnv(fnv(h, l[i].name, l[i].name_len), l[i].value, l[i].value_len);
	return h;
}

static int sample_line(struct parse *ps, const char *s, const char *e)
{
	struct prom_doc *d = ps->d;
	const char *line = s;
	size_t n = name_span(s, e, true);
	if (n == 0)
		return fail(ps, "invalid metric name");
	const char *name = s;
	s += n;
	while (s < e && is_blank(*s))
		s++;
	struct label l[MAX_LABELS];
	unsigned nl = 0;
	if (s < e && *s == '{') {
		if (labels(ps, s, e, l, &nl, &s) != 0)
			return -1;
		if (s < e && !is_blank(*s))
			return fail(ps, "expected a blank after the labels of %.*s", (int)n, name);
	} else if (s == name + n && s < e) {
		return fail(ps, "invalid metric name %.*s", (int)(s - name + 1), name);
	}
	while (s < e && is_blank(*s))
		s++;
	const char *value = s;
	while (s < e && !is_blank(*s))
		s++;
	double v;
	if (!number_valid(value, (size_t)(s - value), &v))
		return fail(ps, "invalid value '%.*s' of %.*s", (int)(s - value), value, (int)n, name);
	const char *after = s;
	while (s < e && is_blank(*s))
		s++;
	if (s < e)
		return fail(ps, "%.*s has a timestamp: client-side timestamps are not supported", (int)n, name);
	if (after < e) /* node_exporter reads what follows a blank as a timestamp, and an empty one fails */
		return fail(ps, "blanks after the value of %.*s", (int)n, name);

	const char *suffix;
	int f = family_for(ps, name, n, &suffix);
	if (f < 0)
		return -1;
	struct prom_family *fam = &d->fam[f];
	if (fam->type == PROM_HISTOGRAM || fam->type == PROM_SUMMARY) {
		bool hist = fam->type == PROM_HISTOGRAM;
		const char *key = hist ? "le" : "quantile";
		bool needs = hist ? strcmp(suffix, "_bucket") == 0 : *suffix == '\0';
		const struct label *b = label_named(l, nl, key);
		if (hist && *suffix == '\0')
			return fail(ps, "sample %.*s of histogram %.*s has no _bucket, _sum or _count suffix", (int)n,
				    name, (int)fam->name_len, fam->name);
		if (needs && !b)
			return fail(ps, "%.*s has no %s label", (int)n, name, key);
		if (b && needs && !number_valid(b->value, b->value_len, &v))
			return fail(ps, "%s label of %.*s is not a number", key, (int)n, name);
	}
	if (d->nsmp == ps->max_samples) {
		d->too_many = true;
		return fail(ps, "more than %u samples", ps->max_samples);
	}
	if (room_for_one(ps, (void **)&d->smp, d->nsmp, &d->smp_cap, sizeof *d->smp) != 0)
		return -1;
	struct prom_sample *sm = &d->smp[d->nsmp++];
	sm->text = line;
	sm->len = (uint32_t)(e - line);
	sm->family = (uint32_t)f;
	sm->key = series_key(name, n, l, nl);
	fam->samples++;
	ps->last = (uint32_t)f;
	return 0;
}

/* No series twice: the keys in a hash set (open addressing, at most half
 * full; key 0 stored as 1, a false match of one in 2^63). */
static int no_duplicates(struct parse *ps)
{
	struct prom_doc *d = ps->d;
	if (d->nsmp < 2)
		return 0;
	size_t cap = 16;
	while (cap < (size_t)d->nsmp * 2)
		cap *= 2;
	uint64_t *set = calloc(cap, sizeof *set);
	if (!set)
		return fail(ps, "out of memory");
	const struct prom_sample *twice = NULL;
	for (uint32_t i = 0; i < d->nsmp && !twice; i++) {
		uint64_t k = d->smp[i].key ? d->smp[i].key : 1;
		size_t at = (size_t)(k ^ (k >> 29)) & (cap - 1);
		while (set[at] != 0 && set[at] != k)
			at = (at + 1) & (cap - 1);
		if (set[at] == k)
			twice = &d->smp[i];
		set[at] = k;
	}
	free(set);
	if (!twice)
		return 0;
	return fail(ps, "series given twice: %.*s", (int)(twice->len > 80 ? 80 : twice->len), twice->text);
}

int prom_parse(struct prom_doc *d, const char *text, size_t len, uint32_t max_samples, char *why, size_t whylen)
{
	struct parse ps = { d, 0, max_samples, why, whylen, UINT32_MAX };
	d->nfam = d->nsmp = 0;
	if (d->by_name)
		memset(d->by_name, 0, d->by_name_cap * sizeof *d->by_name);
	d->too_many = false;
	if (len > 0 && memchr(text, '\0', len))
		return fail(&ps, "holds a NUL byte");
	if (!utf8_valid((const unsigned char *)text, len))
		return fail(&ps, "not UTF-8");
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		ps.line++;
		const char *s = p, *e = eol;
		p = eol < end ? eol + 1 : end;
		while (s < e && is_blank(*s))
			s++;
		const char *t = e; /* blanks at the end: a comment's own, a sample's error */
		while (t > s && is_blank(t[-1]))
			t--;
		if (s == t)
			continue;
		if (*s == '#' ? comment_line(&ps, s + 1, t, e) != 0 : sample_line(&ps, s, e) != 0)
			return -1;
	}
	ps.line = 0;
	return no_duplicates(&ps);
}
