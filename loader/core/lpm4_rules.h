/* SPDX-License-Identifier: GPL-2.0-only */
/* The IPv4 builder's rules as configured (addr/depth -> target and tag),
 * a hash set inside struct lpm4; only lpm4.c uses it. */
#ifndef XFWD_LPM4_RULES_H
#define XFWD_LPM4_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "lpm4.h"

/* addr/depth as a key (never 0: 0 marks an empty slot). */
static inline uint64_t rule_key(uint32_t addr, unsigned int depth)
{
	return ((uint64_t)addr << 6 | depth) + 1;
}

/* 0 or -ENOMEM (the set grows as needed). */
int rules_put(struct lpm4_rules *r, uint64_t key, uint32_t val);
bool rules_get(const struct lpm4_rules *r, uint64_t key, uint32_t *val);
void rules_del(struct lpm4_rules *r, uint64_t key);

#endif
