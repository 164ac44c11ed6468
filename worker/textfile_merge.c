/*
 * textfile_merge.c - the textfile collector's page (textfile_merge.h).
 */
#include "textfile_merge.h"

#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/families.h"
#include "../common/promtext.h"

#define MTIME_FAMILY                                                                        \
	"# HELP " FAMILY_TEXTFILE_MTIME " Unixtime mtime of textfiles successfully read.\n" \
	"# TYPE " FAMILY_TEXTFILE_MTIME " gauge\n"
#define MTIME_OPEN FAMILY_TEXTFILE_MTIME "{file=\""
#define ERROR_FAMILY                                                                                        \
	"# HELP " FAMILY_TEXTFILE_ERROR " 1 if there was an error opening or reading a file, 0 otherwise\n" \
	"# TYPE " FAMILY_TEXTFILE_ERROR " gauge\n" FAMILY_TEXTFILE_ERROR " 0\n"
#define GENERATED_HELP "Metric read from "
#define U64_DIGITS 20u

struct mfile {
	const char *path;
	int64_t mtime_s;
	const struct prom_doc *doc;
	uint32_t *fmap; /* the doc's family i is the page's family fmap[i] */
};

struct mfam {
	const char *name, *help;
	uint32_t name_len, help_len;
	enum prom_type type;
	bool has_help;
	GString *generated; /* without has_help: node_exporter's help, the paths escaped */
	uint32_t samples;
};

struct textfile_merge {
	uint32_t max_series;
	size_t max_bytes;
	struct mfile *files;
	uint32_t nfiles, files_cap;
	struct mfam *fam;
	uint32_t nfam, fam_cap;
	GHashTable *by_name; /* "name" -> index + 1 */
	uint64_t *keys;      /* series keys of the files taken, sorted */
	uint32_t nkeys;
	size_t bytes; /* an upper bound of the page */
};

struct textfile_merge *textfile_merge_new(uint32_t max_series, size_t max_bytes)
{
	struct textfile_merge *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->max_series = max_series;
	m->max_bytes = max_bytes;
	m->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	m->bytes = sizeof MTIME_FAMILY - 1 + sizeof ERROR_FAMILY - 1;
	return m;
}

void textfile_merge_free(struct textfile_merge *m)
{
	if (!m)
		return;
	for (uint32_t i = 0; i < m->nfiles; i++)
		free(m->files[i].fmap);
	for (uint32_t f = 0; f < m->nfam; f++)
		if (m->fam[f].generated)
			g_string_free(m->fam[f].generated, TRUE);
	free(m->files);
	free(m->fam);
	free(m->keys);
	g_hash_table_destroy(m->by_name);
	free(m);
}

/* Bytes of s escaped as HELP text (\\ and \n). */
static size_t help_escaped_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += (*s == '\\' || *s == '\n') ? 2 : 1;
	return n;
}

static int lookup(const struct textfile_merge *m, const char *name, size_t len)
{
	char *key = g_strndup(name, len);
	gpointer v = g_hash_table_lookup(m->by_name, key);
	g_free(key);
	return v ? (int)GPOINTER_TO_UINT(v) - 1 : -1;
}

/* Does type t make X_<suffix k> part of family X (k: _sum, _count, _bucket)? */
static bool suffix_of(enum prom_type t, unsigned k)
{
	return t == PROM_HISTOGRAM || (t == PROM_SUMMARY && k < 2);
}

static const char *const suffixes[] = { "_sum", "_count", "_bucket" };

/* Would family `name` of type t be read as part of a family of the page
 * (X_sum of a summary X, X_bucket of a histogram X), or the other way?
 * That family's index, or -1. */
static int suffix_clash(const struct textfile_merge *m, const char *name, size_t len, enum prom_type t)
{
	for (unsigned k = 0; k < 3; k++) {
		size_t sl = strlen(suffixes[k]);
		if (len > sl && memcmp(name + len - sl, suffixes[k], sl) == 0) {
			int f = lookup(m, name, len - sl);
			if (f >= 0 && suffix_of(m->fam[f].type, k))
				return f;
		}
		if (suffix_of(t, k)) {
			char *longer = g_strdup_printf("%.*s%s", (int)len, name, suffixes[k]);
			int f = lookup(m, longer, len + sl);
			g_free(longer);
			if (f >= 0)
				return f;
		}
	}
	return -1;
}

static bool help_equal(const struct mfam *a, const struct prom_family *b)
{
	if (a->has_help != b->has_help)
		return false;
	return !a->has_help || (a->help_len == b->help_len && memcmp(a->help, b->help, a->help_len) == 0);
}

static bool key_taken(const struct textfile_merge *m, uint64_t k)
{
	size_t lo = 0, hi = m->nkeys;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->keys[mid] == k)
			return true;
		if (m->keys[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Are two of the doc's families one's samples and the other (a gauge
 * X_sum beside a summary X), which the page would read as one? */
static int own_clash(const struct prom_doc *doc, char *why, size_t whylen)
{
	GHashTable *types = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (uint32_t i = 0; i < doc->nfam; i++)
		if (doc->fam[i].samples)
			g_hash_table_insert(types, g_strndup(doc->fam[i].name, doc->fam[i].name_len),
					    GINT_TO_POINTER((int)doc->fam[i].type + 1));
	int rc = 0;
	for (uint32_t i = 0; i < doc->nfam && rc == 0; i++) {
		const struct prom_family *f = &doc->fam[i];
		for (unsigned k = 0; k < 3 && f->samples && rc == 0; k++) {
			size_t sl = strlen(suffixes[k]);
			if (f->name_len <= sl || memcmp(f->name + f->name_len - sl, suffixes[k], sl) != 0)
				continue;
			char *base = g_strndup(f->name, f->name_len - sl);
			int t = GPOINTER_TO_INT(g_hash_table_lookup(types, base));
			if (t > 0 && suffix_of((enum prom_type)(t - 1), k)) {
				snprintf(why, whylen, "its families %s and %.*s clash", base, (int)f->name_len,
					 f->name);
				rc = -1;
			}
			g_free(base);
		}
	}
	g_hash_table_destroy(types);
	return rc;
}

/* The checks that need no change to m; *new_fams: the doc's families the
 * page does not have yet; *bytes: what the file adds to the page. */
static int check_file(const struct textfile_merge *m, const char *path, const struct prom_doc *doc, char *why,
		      size_t whylen, size_t *bytes)
{
	const size_t path_help = help_escaped_len(path);
	size_t add = sizeof MTIME_OPEN - 1 + prom_escape_label_value(NULL, 0, path, strlen(path)) + 3 + U64_DIGITS + 1;
	if (own_clash(doc, why, whylen) != 0)
		return -1;
	if ((uint64_t)m->nkeys + doc->nsmp > m->max_series) {
		snprintf(why, whylen, "its %u series would pass textfile-max-series (%u, %u taken)", doc->nsmp,
			 m->max_series, m->nkeys);
		return -1;
	}
	for (uint32_t i = 0; i < doc->nfam; i++) {
		const struct prom_family *f = &doc->fam[i];
		if (family_is_ours(f->name, f->name_len)) {
			snprintf(why, whylen, "it defines %.*s, a family of this service", (int)f->name_len, f->name);
			return -1;
		}
		if (f->samples == 0)
			continue;
		int have = lookup(m, f->name, f->name_len);
		if (have < 0) {
			int other = suffix_clash(m, f->name, f->name_len, f->type);
			if (other >= 0) {
				snprintf(why, whylen, "its family %.*s clashes with the sample names of %.*s",
					 (int)f->name_len, f->name, (int)m->fam[other].name_len, m->fam[other].name);
				return -1;
			}
			add += 2 * (sizeof "# HELP  \n" - 1 + f->name_len) + strlen(prom_type_name(f->type)) +
			       (f->has_help ? f->help_len : sizeof GENERATED_HELP - 1 + path_help);
		} else {
			const struct mfam *g = &m->fam[have];
			if (g->type != f->type) {
				snprintf(why, whylen, "its family %.*s is a %s, an earlier file's a %s",
					 (int)f->name_len, f->name, prom_type_name(f->type), prom_type_name(g->type));
				return -1;
			}
			if (!help_equal(g, f)) {
				snprintf(why, whylen, "its family %.*s has another help than an earlier file's",
					 (int)f->name_len, f->name);
				return -1;
			}
			if (!f->has_help)
				add += 2 + path_help;
		}
	}
	for (uint32_t i = 0; i < doc->nsmp; i++) {
		if (key_taken(m, doc->smp[i].key)) {
			snprintf(why, whylen, "it repeats a series of an earlier file: %.*s",
				 (int)(doc->smp[i].len > 80 ? 80 : doc->smp[i].len), doc->smp[i].text);
			return -1;
		}
		add += doc->smp[i].len + 1u;
	}
	if (m->bytes + add > m->max_bytes) {
		snprintf(why, whylen, "its text would pass textfile-max-bytes (%zu)", m->max_bytes);
		return -1;
	}
	*bytes = add;
	return 0;
}

static bool grow(void **p, uint32_t *cap, uint32_t need, size_t size)
{
	if (need <= *cap)
		return true;
	uint32_t c = *cap ? *cap : 8;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, (size_t)c * size);
	if (!q)
		return false;
	*p = q;
	*cap = c;
	return true;
}

/* A family without HELP: node_exporter's, "Metric read from" and the
 * paths of the files that hold it, escaped as a HELP text. */
static void add_generated_help(struct mfam *g, const char *path)
{
	if (g->has_help)
		return;
	if (!g->generated)
		g->generated = g_string_new(GENERATED_HELP);
	else
		g_string_append(g->generated, ", ");
	for (const char *c = path; *c; c++) {
		if (*c == '\\')
			g_string_append(g->generated, "\\\\");
		else if (*c == '\n')
			g_string_append(g->generated, "\\n");
		else
			g_string_append_c(g->generated, *c);
	}
}

int textfile_merge_add(struct textfile_merge *m, const char *path, int64_t mtime_s, const struct prom_doc *doc,
		       char *why, size_t whylen)
{
	size_t bytes;
	if (check_file(m, path, doc, why, whylen, &bytes) != 0)
		return -1;
	uint32_t *fmap = calloc(doc->nfam ? doc->nfam : 1, sizeof *fmap);
	uint64_t *keys = realloc(m->keys, ((size_t)m->nkeys + doc->nsmp + 1) * sizeof *keys);
	if (keys)
		m->keys = keys;
	if (!fmap || !keys || !grow((void **)&m->files, &m->files_cap, m->nfiles + 1, sizeof *m->files) ||
	    !grow((void **)&m->fam, &m->fam_cap, m->nfam + doc->nfam, sizeof *m->fam)) {
		free(fmap);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	for (uint32_t i = 0; i < doc->nfam; i++) {
		const struct prom_family *f = &doc->fam[i];
		if (f->samples == 0)
			continue;
		int have = lookup(m, f->name, f->name_len);
		if (have < 0) {
			have = (int)m->nfam++;
			m->fam[have] = (struct mfam){ .name = f->name,
						      .help = f->help,
						      .name_len = f->name_len,
						      .help_len = f->help_len,
						      .type = f->type,
						      .has_help = f->has_help };
			g_hash_table_insert(m->by_name, g_strndup(f->name, f->name_len), GUINT_TO_POINTER(have + 1));
		}
		add_generated_help(&m->fam[have], path);
		fmap[i] = (uint32_t)have;
		m->fam[have].samples += f->samples;
	}
	for (uint32_t i = 0; i < doc->nsmp; i++)
		m->keys[m->nkeys++] = doc->smp[i].key;
	qsort(m->keys, m->nkeys, sizeof *m->keys, cmp_u64);
	m->files[m->nfiles++] = (struct mfile){ path, mtime_s, doc, fmap };
	m->bytes += bytes;
	return 0;
}

struct out {
	char *p;
	size_t len, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len + n <= o->cap) { /* the page's bound was checked: never more */
		memcpy(o->p + o->len, s, n);
		o->len += n;
	}
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* HELP and TYPE of page family f. */
static void put_family(struct out *o, const struct textfile_merge *m, uint32_t f)
{
	const struct mfam *g = &m->fam[f];
	put_str(o, "# HELP ");
	put(o, g->name, g->name_len);
	put(o, " ", 1);
	if (g->has_help)
		put(o, g->help, g->help_len);
	else if (g->generated)
		put(o, g->generated->str, g->generated->len);
	put_str(o, "\n# TYPE ");
	put(o, g->name, g->name_len);
	put(o, " ", 1);
	put_str(o, prom_type_name(g->type));
	put(o, "\n", 1);
}

size_t textfile_merge_render(struct textfile_merge *m, bool error, char **out)
{
	struct out o = { malloc(m->bytes + 1), 0, m->bytes };
	/* the samples in page order: by family, then file, then line */
	uint32_t total = m->nkeys;
	uint32_t *start = calloc((size_t)m->nfam + 1, sizeof *start);
	const struct prom_sample **order = calloc((size_t)total + 1, sizeof(const struct prom_sample *));
	if (!o.p || !start || !order) {
		free(o.p);
		free(start);
		free(order);
		return (size_t)-1;
	}
	for (uint32_t f = 0; f < m->nfam; f++)
		start[f + 1] = start[f] + m->fam[f].samples;
	for (uint32_t i = 0; i < m->nfiles; i++) {
		const struct mfile *mf = &m->files[i];
		for (uint32_t k = 0; k < mf->doc->nsmp; k++) {
			const struct prom_sample *s = &mf->doc->smp[k];
			order[start[mf->fmap[s->family]]++] = s;
		}
	}
	uint32_t at = 0;
	for (uint32_t f = 0; f < m->nfam; f++) {
		put_family(&o, m, f);
		for (uint32_t k = 0; k < m->fam[f].samples && at < total; k++, at++) {
			if (!order[at])
				continue; /* never: each family counts its samples */
			put(&o, order[at]->text, order[at]->len);
			put(&o, "\n", 1);
		}
	}
	free(start);
	free(order);
	if (m->nfiles > 0)
		put_str(&o, MTIME_FAMILY);
	/* node_exporter's order: by path */
	for (uint32_t i = 0; i < m->nfiles; i++) {
		const char *path = m->files[i].path;
		char label[4096], num[U64_DIGITS + 8];
		size_t n = prom_escape_label_value(label, sizeof label, path, strlen(path));
		if (n >= sizeof label)
			continue; /* no path is that long (PATH_MAX) */
		put_str(&o, MTIME_OPEN);
		put(&o, label, n);
		snprintf(num, sizeof num, "\"} %" PRId64 "\n", m->files[i].mtime_s);
		put_str(&o, num);
	}
	put(&o, ERROR_FAMILY, sizeof ERROR_FAMILY - 3); /* without its value */
	put_str(&o, error ? "1\n" : "0\n");
	o.p[o.len] = '\0';
	*out = o.p;
	return o.len;
}
