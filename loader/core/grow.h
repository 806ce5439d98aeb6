/* SPDX-License-Identifier: GPL-2.0-only */
/* Arrays that double when full. */
#ifndef XFWD_GROW_H
#define XFWD_GROW_H

#include <errno.h>
#include <stdlib.h>

static inline int grow_array(void **arr, size_t *cap, size_t n, size_t elem, size_t first)
{
	size_t c;
	void *v;

	if (n < *cap)
		return 0;
	c = *cap ? 2 * *cap : first;
	if (!(v = realloc(*arr, c * elem)))
		return -ENOMEM; /* the array is unchanged */
	*arr = v;
	*cap = c;
	return 0;
}

/* Room for element n of arr (capacity cap): 0 or -ENOMEM. */
#define GROW(arr, n, cap, first) \
	grow_array((void **)&(arr), &(cap), (n), sizeof(*(arr)), (first))

#endif
