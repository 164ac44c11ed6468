/*
 * promtext.c - Prometheus label value escaping (see promtext.h).
 */
#include "promtext.h"

size_t prom_escape_label_value(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t n = 0;
	for (size_t i = 0; i < srclen; i++) {
		const char *out = &src[i]; /* the character itself, or its escape */
		size_t len = 1;
		switch (src[i]) {
		case '\\': out = "\\\\", len = 2; break;
		case '"': out = "\\\"", len = 2; break;
		case '\n': out = "\\n", len = 2; break;
		default: break;
		}
		for (size_t k = 0; k < len; k++, n++)
			if (n + 1 < dstlen)
				dst[n] = out[k];
	}
	if (dstlen > 0)
		dst[n < dstlen ? n : dstlen - 1] = '\0';
	return n;
}
