/*
 * series.h - the pieces of a /metrics series, shared by every file that
 * writes families (render.c, render_sensors.c, render_process.c,
 * requests.c, auth.c). Below them all: it calls none of them.
 */
#ifndef SENSOR_EXPORTER_SERIES_H
#define SENSOR_EXPORTER_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "textbuf.h"

struct shm_channel_desc;

/*
 * The pieces of a /metrics series. Names, types, help texts and label keys are
 * string literals, joined at compile time, so each constant stretch of a
 * line is one copy of known length:
 *  - RENDER_FAMILY: a family's HELP and TYPE lines;
 *  - SERIES_OPEN: `METRIC{channel="..."` for a channel's series, to which
 *    series_close adds its constant labels and the closing brace;
 *  - render_unit_label: `,unit="..."`;
 *  - RENDER_LABEL: one more `,KEY="VALUE"` (a value of ours, as it is);
 *  - render_value_*: ` VALUE\n`.
 */
#define FAMILY_TEXT(name, type, help) "# HELP " name " " help "\n# TYPE " name " " type "\n"
#define RENDER_FAMILY(tb, name, type, help) TB_LIT(tb, FAMILY_TEXT(name, type, help))
#define SERIES_OPEN(tb, metric, ch) series_open(tb, "" metric "{channel=\"", sizeof(metric "{channel=\"") - 1, ch)
/* `NAME{KEY="VALUE"`: a series of a fixed label set (NAME and KEY
 * literals, VALUE one of ours); RENDER_LABEL adds more, then `}`. */
#define SERIES_KEY(tb, name, key, value) render_label(tb, "" name "{" key "=\"", sizeof(name "{" key "=\"") - 1, value)
#define RENDER_LABEL(tb, key, value) render_label(tb, "," key "=\"", sizeof("," key "=\"") - 1, value)
void series_open(struct textbuf *tb, const char *open, size_t len, const struct shm_channel_desc *ch);
void series_close(struct textbuf *tb, const struct shm_channel_desc *ch);
void render_unit_label(struct textbuf *tb, const struct shm_channel_desc *ch);
void render_label(struct textbuf *tb, const char *open, size_t len, const char *value);
void render_value_u64(struct textbuf *tb, uint64_t v);
void render_value_double(struct textbuf *tb, double v);

/* Channels read from hardware or files, whose reads can fail. */
bool source_can_fail(uint32_t source);

/* Format a double the way both formats accept (NaN, +Inf, -Inf, %.10g:
 * numfmt_double), cut to len like snprintf. */
const char *render_double(double v, char *buf, size_t len);

#endif
