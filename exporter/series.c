/*
 * series.c - the pieces of a /metrics series: labels, values, a channel's
 * series opened and closed, a double as both formats accept it.
 */
#include "series.h"

#include <string.h>

#include "../shm/layout.h"
#include "../shm/view.h"
#include "numfmt.h"

const char *render_double(double v, char *buf, size_t len)
{
	char num[NUMFMT_MAX];
	size_t n = numfmt_double(num, v);
	if (len > 0) {
		n = n < len ? n : len - 1;
		memcpy(buf, num, n);
		buf[n] = '\0';
	}
	return buf;
}

/* ` VALUE\n` after a series' labels. */
void render_value_u64(struct textbuf *tb, uint64_t v)
{
	tb_char(tb, ' ');
	tb_u64(tb, v);
	tb_char(tb, '\n');
}

void render_value_double(struct textbuf *tb, double v)
{
	tb_char(tb, ' ');
	tb_double(tb, v);
	tb_char(tb, '\n');
}

/* `NAME{channel="..."`; series_close adds the constant labels and `}`. */
void series_open(struct textbuf *tb, const char *open, size_t len, const struct shm_channel_desc *ch)
{
	tb_put(tb, open, len);
	tb_label_value(tb, ch->name, strnlen(ch->name, sizeof ch->name));
	tb_char(tb, '"');
}

void series_close(struct textbuf *tb, const struct shm_channel_desc *ch)
{
	size_t n = strnlen(ch->labels, sizeof ch->labels); /* pre-rendered by the supervisor */
	if (n > 0) {
		tb_char(tb, ',');
		tb_put(tb, ch->labels, n);
	}
	tb_char(tb, '}');
}

/* `,unit="..."`: the channel's unit as a label. */
void render_unit_label(struct textbuf *tb, const struct shm_channel_desc *ch)
{
	TB_LIT(tb, ",unit=\"");
	tb_label_value(tb, ch->unit, strnlen(ch->unit, sizeof ch->unit));
	tb_char(tb, '"');
}

/* `,KEY="VALUE"`: one more label of a series, its value one of ours. */
void render_label(struct textbuf *tb, const char *open, size_t len, const char *value)
{
	tb_put(tb, open, len);
	tb_str(tb, value);
	tb_char(tb, '"');
}

/* Channels read from hardware or files, whose reads can fail. */
bool source_can_fail(uint32_t source)
{
	return source == SHM_SOURCE_HWMON || source == SHM_SOURCE_THERMAL || source == SHM_SOURCE_IIO ||
	       source == SHM_SOURCE_FILE;
}
