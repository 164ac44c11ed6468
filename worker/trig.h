/*
 * trig.h - sine and cosine for the worker's simulated signals and the
 * DFT's twiddle factors, without libm's sin and cos: their code and
 * tables are about 400 kB of resident memory that no other process of
 * the service touches. Within a few units in the last
 * place of libm's (not always the same last bit: trig.c); libm's own for
 * arguments beyond TRIG_REDUCE_MAX.
 */
#ifndef WORKER_TRIG_H
#define WORKER_TRIG_H

/* 2^31 * pi/2: the reduction's products stay exact below it. */
#define TRIG_REDUCE_MAX 3373259426.0

double trig_sin(double x);
double trig_cos(double x);

#endif
