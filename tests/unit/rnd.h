/* SPDX-License-Identifier: GPL-2.0-only */
/* The unit tests' random numbers: xorshift64 from a fixed seed (define
 * RND_SEED before including to pick another), so every run and every
 * failure repeats. */
#ifndef XFWD_TEST_RND_H
#define XFWD_TEST_RND_H

#include <stdint.h>

#ifndef RND_SEED
#define RND_SEED 88172645463325252ull
#endif

static uint64_t rng = RND_SEED;

static inline uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

#endif
