/*
 * trig.c - sine and cosine (trig.h): x reduced to r in [-pi/4, pi/4] and
 * a quadrant by subtracting n * pi/2 in four parts (Cody and Waite's
 * method: the first three have 21 significant bits, so n * part is exact
 * for |n| < 2^31, TRIG_REDUCE_MAX; the fourth carries the rest of pi/2),
 * then the Taylor series of sin or cos of r, whose first term left out is
 * below 2^-60 of the result on that interval.
 */
#include "trig.h"

#include <math.h>
#include <stdint.h>

/* pi/2 = PIO2_1 + PIO2_2 + PIO2_3 + PIO2_4, to 116 bits */
#define PIO2_1 0x1.921fbp+0
#define PIO2_2 0x1.5110bp-22
#define PIO2_3 0x1.18469p-44
#define PIO2_4 0x1.13198a2e03707p-65
#define INV_PIO2 0x1.45f306dc9c883p-1

/* sin(r) and cos(r) for |r| <= pi/4: 1/k! for odd and even k */
static double sin_poly(double r)
{
	double z = r * r;
	double p = 1.0 / 355687428096000.0; /* 1/17! */
	p = p * z - 1.0 / 1307674368000.0;  /* 1/15! */
	p = p * z + 1.0 / 6227020800.0;     /* 1/13! */
	p = p * z - 1.0 / 39916800.0;       /* 1/11! */
	p = p * z + 1.0 / 362880.0;         /* 1/9! */
	p = p * z - 1.0 / 5040.0;           /* 1/7! */
	p = p * z + 1.0 / 120.0;            /* 1/5! */
	p = p * z - 1.0 / 6.0;              /* 1/3! */
	return r + r * z * p;
}

static double cos_poly(double r)
{
	double z = r * r;
	double p = 1.0 / 6402373705728000.0; /* 1/18! */
	p = p * z - 1.0 / 20922789888000.0;  /* 1/16! */
	p = p * z + 1.0 / 87178291200.0;     /* 1/14! */
	p = p * z - 1.0 / 479001600.0;       /* 1/12! */
	p = p * z + 1.0 / 3628800.0;         /* 1/10! */
	p = p * z - 1.0 / 40320.0;           /* 1/8! */
	p = p * z + 1.0 / 720.0;             /* 1/6! */
	p = p * z - 1.0 / 24.0;              /* 1/4! */
	double h = 0.5 * z;
	double w = 1.0 - h;
	/* 1 - z/2 rounded, and what the rounding lost, put back */
	return w + (((1.0 - w) - h) + z * z * -p);
}

/* r with x = n * pi/2 + r, |r| <= ~pi/4; the quadrant n mod 4. */
static double reduce(double x, unsigned *quadrant)
{
	double t = x * INV_PIO2;
	int64_t n = (int64_t)(t < 0 ? t - 0.5 : t + 0.5);
	double dn = (double)n;
	*quadrant = (unsigned)((uint64_t)n & 3u);
	return (((x - dn * PIO2_1) - dn * PIO2_2) - dn * PIO2_3) - dn * PIO2_4;
}

double trig_sin(double x)
{
	if (!(fabs(x) < TRIG_REDUCE_MAX))
		return sin(x); /* and NaN, infinities */
	if (fabs(x) < 0x1p-27)
		return x; /* sin(x) rounds to x, -0 kept */
	unsigned q;
	double r = reduce(x, &q);
	switch (q) {
	case 0: return sin_poly(r);
	case 1: return cos_poly(r);
	case 2: return -sin_poly(r);
	default: return -cos_poly(r);
	}
}

double trig_cos(double x)
{
	if (!(fabs(x) < TRIG_REDUCE_MAX))
		return cos(x);
	if (fabs(x) < 0x1p-27)
		return 1.0;
	unsigned q;
	double r = reduce(x, &q);
	switch (q) {
	case 0: return cos_poly(r);
	case 1: return -sin_poly(r);
	case 2: return -cos_poly(r);
	default: return sin_poly(r);
	}
}
