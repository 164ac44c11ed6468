/*
 * numfmt.h - the numbers of the text exposition format, written without
 * printf: an unsigned counter in decimal, and a double the way /metrics
 * has always printed it (NaN, +Inf, -Inf, otherwise exactly the text of
 * printf's "%.10g"). A scrape is hundreds of numbers, and the C library's
 * printf machinery was most of its CPU.
 */
#ifndef SENSOR_EXPORTER_NUMFMT_H
#define SENSOR_EXPORTER_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

/* Room any of them may write (no NUL is written): "-1.234567891e-308"
 * is 17 characters, UINT64_MAX 20, a "%.2f" below 1e19 at most 23. */
#define NUMFMT_MAX 24

/* `v` in decimal into dst (NUMFMT_MAX bytes); returns the length. */
size_t numfmt_u64(char *dst, uint64_t v);

/*
 * `v` as the exposition format's text into dst (NUMFMT_MAX bytes);
 * returns the length. Byte for byte what snprintf's "%.10g" prints for a
 * finite value ("-0" for negative zero), "NaN" for any NaN and "+Inf" /
 * "-Inf" for the infinities.
 *
 * How it stays exact: the ten significant digits are round(|v| * 10^k)
 * for the k that puts them in [1e9, 1e10]. For |k| <= 22, 10^k is an
 * exact double, so the computed product (or quotient) is the true one
 * correctly rounded, once. Rounding is monotonic and every n + 1/2 below
 * 2^52 is a double, so the computed value lies on the same side of each
 * rounding tie as the true one, or exactly on it: its rounding is the
 * true one unless it is a tie, and a tie goes to snprintf (which sees the
 * exact binary value). So do values needing |k| > 22 (|v| outside about
 * [1e-13, 1e31]) and targets whose doubles are not plain IEEE
 * (FLT_EVAL_METHOD != 0). tests/unit/test_numfmt.c compares it with
 * snprintf over a million values, ties and powers of ten among them.
 */
size_t numfmt_double(char *dst, double v);

/*
 * `v` as snprintf's "%.2f" into dst (NUMFMT_MAX bytes); returns the
 * length. The same argument: round(|v| * 100) is exact unless the
 * computed product is a tie; ties, |v| >= 1e13 and non-IEEE targets go
 * to snprintf. NaN, the infinities and |v| >= 1e19 (too long for dst; no
 * start time is) are written as numfmt_double writes them, so the text
 * is always a number of the exposition format.
 */
size_t numfmt_fixed2(char *dst, double v);

#endif
