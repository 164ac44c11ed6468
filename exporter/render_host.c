/*
 * render_host.c - the host's vital signs (node_* families, worker/host.h)
 * from the segment's host block.
 *
 * The block is the worker's and untrusted: the count is bounded, every
 * family checked against common/hostfamily.h and required in order (so
 * no family's HELP and TYPE is written twice), every text checked to be a
 * label set (`key="value",...`, escaped) or, for a named family, a name.
 * The text is written into a scratch page of this file first and handed
 * on only when the block's seqlock shows it whole: a torn or forged block
 * can make numbers wrong, never the page's syntax. Names, types and help
 * come from the table, numbers are formatted here (numfmt.h).
 *
 * The block changes only when the worker publishes a sample (every
 * host-interval-ms), and every publication moves its seq on: a scrape that
 * finds the seq (and block) of the text in scratch serves that text again
 * without reading the block.
 */
#include <stdbool.h>
#include <string.h>

#include "../common/hostfamily.h"
#include "../shm/seqlock.h"
#include "../shm/view.h"
#include "numfmt.h"
#include "render.h"
#include "textbuf.h"

#define HOST_READ_TRIES 4

/* Room for a whole block at its bounds: HELP, TYPE and a line each. */
#define SCRATCH_BYTES (SHM_HOST_SERIES_MAX * 512u)
static char scratch[SCRATCH_BYTES];

/* What the text in scratch was rendered from. */
static struct {
	const struct shm_host *block;
	uint32_t seq;
	int64_t sampled_ns;
	long len; /* -1: nothing */
} cached = { NULL, 0, 0, -1 };

static bool name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* `key="value"` pairs separated by commas; values escape \, " and newline. */
static bool labels_valid(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t k = i;
		while (i < n && name_char((unsigned char)s[i]))
			i++;
		if (i == k || (s[k] >= '0' && s[k] <= '9') || i + 1 >= n || s[i] != '=' || s[i + 1] != '"')
			return false;
		for (i += 2; i < n && s[i] != '"'; i++) {
			unsigned char c = (unsigned char)s[i];
			if (c == '\\') {
				if (++i >= n || (s[i] != '\\' && s[i] != '"' && s[i] != 'n'))
					return false;
			} else if (c < 0x20 || c == 0x7f) {
				return false;
			}
		}
		if (i >= n)
			return false; /* no closing quote */
		i++;
		if (i < n && s[i++] != ',')
			return false;
		if (i == n && s[n - 1] == ',')
			return false;
	}
	return true;
}

static bool member_valid(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!name_char((unsigned char)s[i]))
			return false;
	return true;
}

struct out {
	char *at, *end;
};

static bool put(struct out *o, const char *s, size_t n)
{
	if ((size_t)(o->end - o->at) < n)
		return false;
	memcpy(o->at, s, n);
	o->at += n;
	return true;
}

/* One whole copy of the block as text into scratch; its length, or -1
 * when the writer was busy (or the block is damaged in its count). */
static long render_once(const struct shm_host *b)
{
	uint32_t start = seqlock_read_begin(&b->seq);
	if (start & 1u)
		return -1;
	int64_t sampled_ns = SHM_LOAD(&b->sampled_monotonic_ns);
	if (cached.len >= 0 && cached.block == b && cached.seq == start && cached.sampled_ns == sampled_ns)
		return cached.len;
	cached.len = -1;
	uint32_t count = SHM_LOAD(&b->count);
	if (count > SHM_HOST_SERIES_MAX)
		return -1;
	struct out o = { scratch, scratch + sizeof scratch };
	unsigned last = HOST_FAMILY_COUNT; /* none yet */
	char text[SHM_HOST_TEXT_LEN + 1], last_text[SHM_HOST_TEXT_LEN];
	size_t last_len = 0;
	for (uint32_t i = 0; i < count; i++) {
		const struct shm_host_series *s = &b->series[i];
		uint64_t bits = SHM_LOAD(&s->value_bits);
		uint32_t meta = SHM_LOAD(&s->meta);
		unsigned fam = meta & 0xffffu, flags = (meta >> 16) & 0xffu, len = meta >> 24;
		if (fam >= HOST_FAMILY_COUNT || len > SHM_HOST_TEXT_LEN || (last != HOST_FAMILY_COUNT && fam < last))
			break; /* out of order or forged: the rest is not shown */
		memcpy(text, s->text, len);
		text[len] = '\0';
		const struct host_family_desc *d = &host_families[fam];
		if (d->named ? !member_valid(text, len) : !labels_valid(text, len) || !shm_utf8_valid(text))
			continue;
		/* a member named twice in a row would repeat its HELP and TYPE */
		if (d->named && fam == last && len == last_len && memcmp(text, last_text, len) == 0)
			continue;
		char num[NUMFMT_MAX];
		size_t nlen =
			(flags & SHM_HOST_INT) ? numfmt_u64(num, bits) : numfmt_double(num, shm_bits_to_double(bits));
		char *series_start = o.at; /* a series that does not fit is taken back whole */
		bool ok = true;
		if (d->named) {
			ok = put(&o, "# HELP ", 7) && put(&o, d->name, d->name_len) && put(&o, text, len) &&
			     put(&o, " ", 1) && put(&o, d->help, strlen(d->help)) && put(&o, text, len) &&
			     put(&o, ".\n# TYPE ", 9) && put(&o, d->name, d->name_len) && put(&o, text, len) &&
			     put(&o, " ", 1) && put(&o, d->type, strlen(d->type)) && put(&o, "\n", 1) &&
			     put(&o, d->name, d->name_len) && put(&o, text, len);
		} else {
			if (fam != last)
				ok = put(&o, d->head, d->head_len);
			ok = ok && put(&o, d->name, d->name_len);
			if (ok && len > 0)
				ok = put(&o, "{", 1) && put(&o, text, len) && put(&o, "}", 1);
		}
		ok = ok && put(&o, " ", 1) && put(&o, num, nlen) && put(&o, "\n", 1);
		if (!ok) {
			o.at = series_start;
			break;
		}
		last = fam;
		memcpy(last_text, text, len);
		last_len = len;
	}
	if (!seqlock_read_ok(&b->seq, start))
		return -1;
	cached.block = b;
	cached.seq = start;
	cached.sampled_ns = sampled_ns;
	cached.len = o.at - scratch;
	return cached.len;
}

void render_host_families(struct textbuf *tb, const struct shm_segment *seg)
{
	const struct shm_host *b = &seg->host;
	if (SHM_LOAD(&b->sampled_monotonic_ns) == 0)
		return; /* every collector off, or no sample yet */
	for (int t = 0; t < HOST_READ_TRIES; t++) {
		long n = render_once(b);
		if (n >= 0) {
			tb_put(tb, scratch, (size_t)n);
			break;
		}
	}
	RENDER_FAMILY(tb, "sensor_host_left_out", "gauge",
		      "CPUs, file systems, network devices and disks past their host-*-max setting, and lines of "
		      "a /proc file past the collectors' read bound, at the last sample: not shown.");
	for (unsigned k = 0; k < SHM_HOST_BOUND_COUNT; k++) {
		SERIES_KEY(tb, "sensor_host_left_out", "bound", shm_host_bound_label(k));
		tb_char(tb, '}');
		render_value_u64(tb, SHM_LOAD(&b->left_out[k]));
	}
	RENDER_FAMILY(tb, "sensor_host_series_left_out", "gauge",
		      "Series of the host collectors left out at the last sample (more than the segment holds).");
	TB_LIT(tb, "sensor_host_series_left_out");
	render_value_u64(tb, SHM_LOAD(&b->series_left_out));
}
