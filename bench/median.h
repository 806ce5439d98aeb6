/* SPDX-License-Identifier: GPL-2.0-only */
/* The median the micro-benchmarks report: robust to the noisy machine. */
#ifndef XFWD_BENCH_MEDIAN_H
#define XFWD_BENCH_MEDIAN_H

#include <stdlib.h>

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v[0..n-1] and returns its middle element. */
static inline double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

#endif
