/* SPDX-License-Identifier: GPL-2.0-only */
/* Inside the IPv6 table builder (lpm6*.c): what one calls of another.
 * Nothing else includes this. */
#ifndef XFWD_LPM6_INT_H
#define XFWD_LPM6_INT_H

#include "lpm6.h"
#include "maps/xfwd_abi.h"

#define N6 XFWD_TBL6_NODE
#define ROOTS XFWD_TBL6_ROOT_NODES
#define MAX_LEVEL 15u

/* The prefix length an entry of a node at level l stands for. */
static inline unsigned int level_bits(unsigned int l)
{
	return 8 * l + 8;
}

/* The level a rule of depth d is written at. */
static inline unsigned int level_of(unsigned int d)
{
	return d <= 16 ? 1 : (d + 7) / 8 - 1;
}

static inline uint32_t leaf6(uint32_t target, unsigned int depth)
{
	return XFWD_LPM6_VALID | depth << XFWD_LPM6_DEPTH_SHIFT | target;
}

static inline uint32_t link6(uint32_t node)
{
	return XFWD_LPM6_VALID | XFWD_LPM6_EXT | node;
}

static inline bool is_ext(uint32_t v)
{
	return v & XFWD_LPM6_EXT;
}

static inline unsigned int depth6(uint32_t v)
{
	return v >> XFWD_LPM6_DEPTH_SHIFT & XFWD_LPM6_DEPTH_MASK;
}

/* The first entry of the root for addr: bytes 0 and 1. */
static inline uint32_t root_idx(const uint8_t *addr)
{
	return (uint32_t)addr[0] << 8 | addr[1];
}

int rules6_put(struct lpm6_rules *r, const struct lpm6_rule *x);
const struct lpm6_rule *rules6_get(const struct lpm6_rules *r, const uint8_t *addr,
				   unsigned int depth);
void rules6_del(struct lpm6_rules *r, const uint8_t *addr, unsigned int depth);
const struct lpm6_rule *rules6_cover(const struct lpm6_rules *r, const uint8_t *addr,
				     unsigned int depth);
void prefix6_mask(uint8_t out[16], const uint8_t *addr, unsigned int depth);

/* lpm6.c, for lpm6_rebuild.c */
void lpm6_set(struct lpm6 *t, uint32_t i, uint32_t v);
/* A node's entries set to v, every one marked (a free node's live
 * contents are unknown). */
void lpm6_node_fill(struct lpm6 *t, uint32_t n, uint32_t v);
int lpm6_node_alloc(struct lpm6 *t, uint32_t *n, unsigned int level);
void lpm6_node_free(struct lpm6 *t, uint32_t n);
int lpm6_nodes_read(struct lpm6 *t, uint32_t n, uint32_t count);
void lpm6_dirty_reset(struct lpm6 *t);

#endif
