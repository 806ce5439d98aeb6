// SPDX-License-Identifier: GPL-2.0-only
/* The IPv6 builder's rule set: open addressing on (address, depth),
 * linear probing, backward-shift delete. */
#include "lpm6_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static size_t home(const struct lpm6_rules *r, const uint8_t *addr, unsigned int depth)
{
	uint64_t h = 1469598103934665603ull ^ depth; /* FNV-1a */

	for (int i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 1099511628211ull;
	return (size_t)(h ^ h >> 29) & (r->cap - 1);
}

static bool same(const struct lpm6_rule *x, const uint8_t *addr, unsigned int depth)
{
	return x->used && x->depth == depth && !memcmp(x->addr, addr, 16);
}

static size_t probe(const struct lpm6_rules *r, const uint8_t *addr, unsigned int depth)
{
	size_t i = home(r, addr, depth);

	while (r->v[i].used && !same(&r->v[i], addr, depth))
		i = (i + 1) & (r->cap - 1);
	return i;
}

static int grow(struct lpm6_rules *r)
{
	struct lpm6_rules n = { .cap = r->cap ? r->cap * 2 : 1024 };

	if (!(n.v = calloc(n.cap, sizeof(*n.v))))
		return -ENOMEM;
	for (size_t i = 0; i < r->cap; i++)
		if (r->v[i].used)
			n.v[probe(&n, r->v[i].addr, r->v[i].depth)] = r->v[i];
	n.count = r->count;
	free(r->v);
	*r = n;
	return 0;
}

int rules6_put(struct lpm6_rules *r, const struct lpm6_rule *x)
{
	size_t i;

	if ((r->count + 1) * 2 > r->cap && grow(r))
		return -ENOMEM;
	i = probe(r, x->addr, x->depth);
	r->count += !r->v[i].used;
	r->v[i] = *x;
	r->v[i].used = 1;
	return 0;
}

const struct lpm6_rule *rules6_get(const struct lpm6_rules *r, const uint8_t *addr,
				   unsigned int depth)
{
	size_t i;

	if (!r->cap)
		return NULL;
	i = probe(r, addr, depth);
	return r->v[i].used ? &r->v[i] : NULL;
}

void rules6_del(struct lpm6_rules *r, const uint8_t *addr, unsigned int depth)
{
	size_t i = probe(r, addr, depth), j = i, h;

	if (!r->v[i].used)
		return;
	r->count--;
	for (;;) {
		r->v[i].used = 0;
		do {
			j = (j + 1) & (r->cap - 1);
			if (!r->v[j].used)
				return;
			h = home(r, r->v[j].addr, r->v[j].depth);
		} while (i <= j ? (i < h && h <= j) : (i < h || h <= j));
		r->v[i] = r->v[j];
		i = j;
	}
}

void prefix6_mask(uint8_t out[16], const uint8_t *addr, unsigned int depth)
{
	memset(out, 0, 16);
	memcpy(out, addr, depth / 8);
	if (depth % 8)
		out[depth / 8] = addr[depth / 8] & (uint8_t)(0xff00u >> (depth % 8));
}

/* The longest rule shorter than depth that holds addr, or NULL. */
const struct lpm6_rule *rules6_cover(const struct lpm6_rules *r, const uint8_t *addr,
				     unsigned int depth)
{
	uint8_t a[16];

	for (unsigned int d = depth; d-- > 0;) {
		const struct lpm6_rule *x;

		prefix6_mask(a, addr, d);
		if ((x = rules6_get(r, a, d)))
			return x;
	}
	return NULL;
}
