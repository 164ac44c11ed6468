/*
 * numfmt.c - counters and doubles as exposition text without printf (see
 * numfmt.h for why the double's digits are exact).
 */
#include "numfmt.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define DIGITS 10 /* "%.10g": significant digits */
#define POW10_EXACT 22

/* 10^0 .. 10^22: every one an exact double. */
static const double pow10_exact[POW10_EXACT + 1] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static const char two_digits[] = "00010203040506070809"
				 "10111213141516171819"
				 "20212223242526272829"
				 "30313233343536373839"
				 "40414243444546474849"
				 "50515253545556575859"
				 "60616263646566676869"
				 "70717273747576777879"
				 "80818283848586878889"
				 "90919293949596979899";

size_t numfmt_u64(char *dst, uint64_t v)
{
	size_t n = 1; /* digits: written from the last, straight into dst */
	for (uint64_t p = 10; n < 20 && v >= p; p *= 10)
		n++;
	char *at = dst + n;
	while (v >= 100) {
		unsigned i = (unsigned)(v % 100) * 2;
		v /= 100;
		*--at = two_digits[i + 1];
		*--at = two_digits[i];
	}
	if (v >= 10) {
		*--at = two_digits[v * 2 + 1];
		*--at = two_digits[v * 2];
	} else {
		*--at = (char)('0' + v);
	}
	return n;
}

/* Exactly ten digits of r < 1e10 (leading zeros kept): five pairs, no
 * counting of the digits first as numfmt_u64 does. */
static void ten_digit_text(char *d, uint64_t r)
{
	for (int i = 8; i >= 0; i -= 2) {
		unsigned k = (unsigned)(r % 100) * 2;
		r /= 100;
		d[i] = two_digits[k];
		d[i + 1] = two_digits[k + 1];
	}
}

static size_t fallback(char *dst, const char *format, double v)
{
	char tmp[NUMFMT_MAX + 8];
	int n = snprintf(tmp, sizeof tmp, format, v);
	size_t len = n > 0 && (size_t)n < NUMFMT_MAX ? (size_t)n : 0;
	memcpy(dst, tmp, len);
	return len;
}

/*
 * The ten significant digits of v > 0 (finite) as an integer in
 * [1e9, 1e10), and the decimal exponent of the first: v rounded to ten
 * digits is digits * 10^(*exp10 - 9). False where the result could not
 * be proven exact (the caller uses snprintf).
 */
static bool ten_digits(double v, uint64_t *digits, int *exp10)
{
	uint64_t bits;
	memcpy(&bits, &v, sizeof bits);
	int e2 = (int)(bits >> 52 & 0x7ff) - 1023; /* v in [2^e2, 2^(e2+1)) */
	if (e2 == -1023)
		return false; /* subnormal: far outside the exact range anyway */
	/* floor(log10(v)) is this or one more (78913 / 2^18 < log10(2)) */
	int t = e2 * 78913;
	int e = t >= 0 ? t >> 18 : -((-t + (1 << 18) - 1) >> 18);
	for (int tries = 0; tries < 3; tries++) {
		int k = DIGITS - 1 - e;
		if (k > POW10_EXACT || k < -POW10_EXACT)
			return false;
		double s = k >= 0 ? v * pow10_exact[k] : v / pow10_exact[-k];
		if (s >= 1e10 + 1) { /* surely rounds above 1e10: e too small */
			e++;
			continue;
		}
		if (s < 1e9 - 1) { /* surely rounds below 1e9: e too large */
			e--;
			continue;
		}
		/* s < 2^34 here, on the true product's side of every tie
		 * (numfmt.h), or on the tie */
		double whole = (double)(uint64_t)s, frac = s - whole;
		if (frac == 0.5)
			return false; /* the true product may lie on either side */
		uint64_t r = (uint64_t)whole + (frac > 0.5);
		if (r < UINT64_C(1000000000)) {
			e--;
			continue;
		}
		if (r > UINT64_C(10000000000)) {
			e++;
			continue;
		}
		if (r == UINT64_C(10000000000)) { /* rounded up to the next power */
			r /= 10;
			e++;
		}
		*digits = r;
		*exp10 = e;
		return true;
	}
	return false;
}

/* printf's %e exponent: sign, at least two digits. */
static char *put_exponent(char *p, int x)
{
	*p++ = 'e';
	*p++ = x < 0 ? '-' : '+';
	unsigned u = (unsigned)(x < 0 ? -x : x);
	if (u >= 100) {
		*p++ = (char)('0' + u / 100);
		u %= 100;
	}
	*p++ = two_digits[u * 2];
	*p++ = two_digits[u * 2 + 1];
	return p;
}

size_t numfmt_double(char *dst, double v)
{
	if (isnan(v)) {
		memcpy(dst, "NaN", 3);
		return 3;
	}
	if (isinf(v)) {
		memcpy(dst, v > 0 ? "+Inf" : "-Inf", 4);
		return 4;
	}
	if (FLT_EVAL_METHOD != 0)
		return fallback(dst, "%.10g", v); /* excess precision: the proof does not hold */
	char *p = dst;
	if (signbit(v))
		*p++ = '-';
	if (v == 0) {
		*p++ = '0';
		return (size_t)(p - dst);
	}
	uint64_t r;
	int x;
	if (!ten_digits(fabs(v), &r, &x))
		return fallback(dst, "%.10g", v);
	char d[DIGITS];
	ten_digit_text(d, r); /* r in [1e9, 1e10) */
	int n = DIGITS;
	while (n > 1 && d[n - 1] == '0')
		n--;                 /* %g drops trailing zeros, and the point with them */
	if (x >= -4 && x < DIGITS) { /* style f */
		if (x >= 0) {
			memcpy(p, d, (size_t)x + 1);
			p += x + 1;
			if (n > x + 1) {
				*p++ = '.';
				memcpy(p, d + x + 1, (size_t)(n - x - 1));
				p += n - x - 1;
			}
		} else {
			memcpy(p, "0.0000", (size_t)(1 - x));
			p += 1 - x;
			memcpy(p, d, (size_t)n);
			p += n;
		}
	} else { /* style e */
		*p++ = d[0];
		if (n > 1) {
			*p++ = '.';
			memcpy(p, d + 1, (size_t)(n - 1));
			p += n - 1;
		}
		p = put_exponent(p, x);
	}
	return (size_t)(p - dst);
}

size_t numfmt_fixed2(char *dst, double v)
{
	if (!(fabs(v) < 1e19))
		return numfmt_double(dst, v); /* NaN, the infinities, longer than NUMFMT_MAX */
	double s = fabs(v) * 100;             /* one rounding: 100 is exact */
	if (FLT_EVAL_METHOD != 0 || !(s < 1e15))
		return fallback(dst, "%.2f", v);
	double whole = (double)(uint64_t)s, frac = s - whole;
	if (frac == 0.5)
		return fallback(dst, "%.2f", v); /* the true product may lie on either side */
	uint64_t r = (uint64_t)whole + (frac > 0.5);
	char *p = dst;
	if (signbit(v))
		*p++ = '-'; /* printf keeps the sign of what rounds to zero */
	p += numfmt_u64(p, r / 100);
	*p++ = '.';
	memcpy(p, &two_digits[(r % 100) * 2], 2);
	return (size_t)(p + 2 - dst);
}
