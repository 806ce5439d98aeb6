/* SPDX-License-Identifier: GPL-2.0-only */
/* Inside the IPv4 table builder (lpm4.c and lpm4_rebuild.c): what one
 * calls of the other. Nothing else includes this. */
#ifndef XFWD_LPM4_INT_H
#define XFWD_LPM4_INT_H

#include "lpm4.h"
#include "maps/xfwd_abi.h"

#define G8 XFWD_TBL8_GROUP_SIZE

static inline uint32_t entry(uint32_t target, unsigned int depth)
{
	return XFWD_LPM_VALID | depth << XFWD_LPM_DEPTH_SHIFT | target;
}

static inline bool is_dead(const struct lpm4 *t, uint32_t target)
{
	return t->dead && (t->dead[target / 64] >> (target % 64) & 1);
}

/* tbl24 entry i of the mirror, its chunk read from the live map first. */
uint32_t *lpm4_e24(struct lpm4 *t, uint32_t i);
/* Set an entry, marked dirty when it changes. */
void lpm4_set24(struct lpm4 *t, uint32_t i, uint32_t v);
void lpm4_set8(struct lpm4 *t, uint32_t i, uint32_t v);
/* A free tbl8 group (after a grace period if only freed ones are left). */
int lpm4_group_alloc(struct lpm4 *t, uint32_t *g);

#endif
