/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Frames for the invariant checker (invariants.c): IPv4, IPv6 and VLAN
 * frames to every kind of route of the fixture (fixture.c), the same
 * inside GRE, IP-in-IP, VXLAN and GENEVE from configured and unknown
 * peers with right and wrong keys, probes, random bytes, and mutations of
 * all of them (truncations, bad lengths and IHL, TTL 0 and 1, fragments,
 * options, flipped bytes). Deterministic from a seed.
 */
#ifndef XFWD_TEST_FRAMES_H
#define XFWD_TEST_FRAMES_H

#include <stdint.h>

#include "pkt.h"

/* xorshift64*: fast, and the same frames from the same seed anywhere. */
static inline uint32_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (uint32_t)((*s * 0x2545F4914F6CDD1DULL) >> 32);
}

static inline uint32_t below(uint64_t *s, uint32_t n)
{
	return rnd(s) % n;
}

/* One frame from the seed state s into p (at least 14 bytes: the least
 * BPF_PROG_TEST_RUN takes). */
void frame_make(uint64_t *s, struct pkt *p);

#endif
