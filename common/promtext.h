/*
 * promtext.h - the one escaper of Prometheus label values (text exposition
 * format: backslash, double quote and newline are escaped), used where the
 * configured labels are pre-rendered and where the exporter writes names
 * and units.
 */
#ifndef SENSOR_COMMON_PROMTEXT_H
#define SENSOR_COMMON_PROMTEXT_H

#include <stddef.h>

/* Escape the `srclen` bytes of `src` into `dst` (NUL-terminated, at most
 * dstlen - 1 characters). Returns the length the whole escaped text
 * needs, without the NUL: a result >= dstlen means `dst` holds a prefix.
 * dst may be NULL when dstlen is 0 (to ask for the length). The escaped
 * text is at most twice as long as the source. */
size_t prom_escape_label_value(char *dst, size_t dstlen, const char *src, size_t srclen);

#endif
