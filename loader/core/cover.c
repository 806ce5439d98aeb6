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
	struct xprefix p = { .addr.family = AF_INET6 };
	const struct route6 *r;

	while (len-- > 0) {
		memcpy(p.addr.bytes, addr, 16);
		for (unsigned int b = len; b < 128; b++)
			p.addr.bytes[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
		p.len = (uint8_t)len;
		if ((r = find6(t, &p)) && r->group != self)
			return r->group;
	}
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
	for (size_t i = 0; i < t->n6 && n < max; i++)
		if (t->r6[i].group == g && (c = cover6(t, t->r6[i].addr, t->r6[i].len, g)))
			n = add_distinct(out, n, max, c);
	return n;
}
