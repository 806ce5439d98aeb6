// SPDX-License-Identifier: GPL-2.0-only
/* The covering routes of a group's routes: where their traffic goes when
 * the group has no live member left (docs/covering-routes.md), for the
 * backup-capacity verdicts (docs/capacity.md). Pure. */
#include "table_int.h"

#include <string.h>
#include <sys/socket.h>

static int add_distinct(uint32_t *out, int n, int max, uint32_t g)
{
	for (int i = 0; i < n; i++)
		if (out[i] == g)
			return n;
	if (n < max)
		out[n++] = g;
	return n;
}

/* The group of the longest route shorter than addr/depth that holds it
 * and is not of group `self` (a /16 and its /24 over one tunnel die
 * together: the traffic falls past both). */
static uint32_t cover4(const struct xtable *t, uint32_t addr, unsigned int depth, uint32_t self)
{
	uint32_t g;
	uint8_t tag;

	while (depth-- > 0) {
		uint32_t a = depth ? addr & (~0u << (32 - depth)) : 0;

		if (lpm4_find(&t->lpm, a, depth, &g, &tag) && g != self)
			return g;
	}
	return 0;
}

static uint32_t cover6(const struct xtable *t, const uint8_t *addr, unsigned int len, uint32_t self)
{
	uint32_t g;

	while (len-- > 0) /* lpm6_find ignores the host bits */
		if (lpm6_find(&t->lpm6, addr, len, &g, NULL) && g != self)
			return g;
	return 0;
}

int xt_cover_groups(const struct xtable *t, uint32_t g, uint32_t *out, int max)
{
	const struct lpm4_rules *r = &t->lpm.rules;
	int n = 0;
	uint32_t c;

	for (size_t i = 0; i < r->cap && n < max; i++) {
		uint64_t k = r->keys[i] - 1;

		if (r->keys[i] && (r->vals[i] & 0xffffff) == g && (c = cover4(t, (uint32_t)(k >> 6), k & 63, g)))
			n = add_distinct(out, n, max, c);
	}
	for (size_t i = 0; i < t->lpm6.rules.cap && n < max; i++) {
		const struct lpm6_rule *x = &t->lpm6.rules.v[i];

		if (x->used && x->target == g && (c = cover6(t, x->addr, x->depth, g)))
			n = add_distinct(out, n, max, c);
	}
	return n;
}
