/*
 * promtext.c - Prometheus label value escaping (see promtext.h).
 */
#include "promtext.h"

size_t prom_escape_label_value(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t n = 0;
	for (size_t i = 0; i < srclen; i++) {
		char c = src[i];
		char esc = c == '\\' ? '\\' : c == '"' ? '"' : c == '\n' ? 'n' : 0;
		const char pair[2] = { esc ? '\\' : c, esc };
		for (size_t k = 0; k < (esc ? 2u : 1u); k++, n++)
			if (n + 1 < dstlen)
				dst[n] = pair[k];
	}
	if (dstlen > 0)
		dst[n < dstlen ? n : dstlen - 1] = '\0';
	return n;
}
