// SPDX-License-Identifier: GPL-2.0-only
/* The IPv6 multibit trie builder (lpm6.h; docs/route-table-ipv6.md). */
#include "lpm6_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TARGET XFWD_LPM6_TARGET_MASK

int lpm6_init(struct lpm6 *t, uint32_t nodes)
{
	memset(t, 0, sizeof(*t));
	if (nodes <= ROOTS || nodes > TARGET + 1)
		return -EINVAL;
	t->nodes = nodes;
	t->e = calloc((size_t)nodes * N6, sizeof(*t->e));
	t->level = calloc(nodes, 1);
	t->ready = malloc(nodes * sizeof(*t->ready));
	t->pending = malloc(nodes * sizeof(*t->pending));
	t->dirty = calloc((size_t)nodes * N6 / 64, sizeof(*t->dirty));
	t->dnodes = malloc(nodes * sizeof(*t->dnodes));
	t->dmark = calloc(nodes, 1);
	if (!t->e || !t->level || !t->ready || !t->pending || !t->dirty || !t->dnodes || !t->dmark) {
		lpm6_fini(t);
		return -ENOMEM;
	}
	memset(t->level, 1, ROOTS);
	t->used = ROOTS;
	/* Handed out lowest first, so a small table stays in few pages. */
	for (uint32_t n = nodes; n-- > ROOTS;)
		t->ready[t->nready++] = n;
	return 0;
}

void lpm6_fini(struct lpm6 *t)
{
	free(t->e);
	free(t->level);
	free(t->ready);
	free(t->pending);
	free(t->dirty);
	free(t->dnodes);
	free(t->dmark);
	free(t->rules.v);
	memset(t, 0, sizeof(*t));
}

/* ---- entries and nodes ---- */

static void mark(struct lpm6 *t, uint32_t i)
{
	uint32_t n = i / N6;

	if (t->dirty[i / 64] >> (i % 64) & 1)
		return;
	t->dirty[i / 64] |= 1ull << (i % 64);
	t->ndirty++;
	if (!t->dmark[n]) {
		t->dmark[n] = 1;
		t->dnodes[t->ndnodes++] = n;
	}
}

void lpm6_set(struct lpm6 *t, uint32_t i, uint32_t v)
{
	if (t->e[i] == v)
		return;
	t->e[i] = v;
	mark(t, i);
}

/* A node's 256 entries set to v, all written: what the live map holds
 * in a node that was free is unknown. */
void lpm6_node_fill(struct lpm6 *t, uint32_t n, uint32_t v)
{
	for (uint32_t i = n * N6; i < (n + 1) * N6; i++) {
		t->e[i] = v;
		mark(t, i);
	}
}

static uint32_t nodes_free(const struct lpm6 *t)
{
	return t->nready + t->npending;
}

int lpm6_node_alloc(struct lpm6 *t, uint32_t *n, unsigned int level)
{
	if (!t->nready && t->npending) {
		/* Nodes this process unlinked may still be read by a lookup
		 * that loaded the old entry: wait for one grace period. */
		if (t->grace)
			t->grace(t->grace_arg);
		memcpy(t->ready, t->pending, t->npending * sizeof(*t->ready));
		t->nready = t->npending;
		t->npending = 0;
	}
	if (!t->nready)
		return -ENOSPC;
	*n = t->ready[--t->nready];
	t->level[*n] = (uint8_t)level;
	t->used++;
	return 0;
}

void lpm6_node_free(struct lpm6 *t, uint32_t n)
{
	t->level[n] = 0;
	t->used--;
	t->pending[t->npending++] = n;
}

/* ---- add and delete ---- */

/* Does an entry already written take v of a rule of depth d? */
static bool takes(uint32_t cur, unsigned int depth, bool del)
{
	if (del)
		return (cur & XFWD_LPM6_VALID) && depth6(cur) == depth;
	return depth6(cur) <= depth;
}

/* Entries [lo, lo+n) and the nodes below them that take v. */
static void fill(struct lpm6 *t, uint32_t lo, uint32_t n, unsigned int depth, uint32_t v, bool del)
{
	for (uint32_t i = lo; i < lo + n; i++) {
		uint32_t cur = t->e[i];

		if (is_ext(cur))
			fill(t, (cur & TARGET) * N6, N6, depth, v, del);
		else if (takes(cur, depth, del))
			lpm6_set(t, i, v);
	}
}

/* The entries a rule of depth d covers at its level, from the entry of
 * that level on its path (idx). */
static void fill_rule(struct lpm6 *t, uint32_t idx, unsigned int depth, uint32_t v, bool del)
{
	unsigned int l = level_of(depth);
	uint32_t span = 1u << (level_bits(l) - depth);

	fill(t, idx & ~(span - 1), span, depth, v, del);
}

/* Nodes an add of addr/depth has to make. */
static uint32_t nodes_needed(const struct lpm6 *t, const uint8_t *addr, unsigned int depth)
{
	unsigned int last = level_of(depth);
	uint32_t idx = root_idx(addr);

	for (unsigned int l = 1; l < last; l++) {
		if (!is_ext(t->e[idx]))
			return last - l;
		idx = (t->e[idx] & TARGET) * N6 + addr[l + 1];
	}
	return 0;
}

/* The entry of addr's path at the level a rule of depth d is written
 * at, making the nodes above it (with add) as it goes. */
static uint32_t walk(struct lpm6 *t, const uint8_t *addr, unsigned int depth, bool add)
{
	unsigned int last = level_of(depth);
	uint32_t idx = root_idx(addr), n;

	for (unsigned int l = 1; l < last; l++) {
		uint32_t cur = t->e[idx];

		if (!is_ext(cur)) {
			if (!add || lpm6_node_alloc(t, &n, l + 1))
				return UINT32_MAX; /* nodes_needed said there are */
			lpm6_node_fill(t, n, cur);
			lpm6_set(t, idx, link6(n));
		} else {
			n = cur & TARGET;
		}
		idx = n * N6 + addr[l + 1];
	}
	return idx;
}

int lpm6_add(struct lpm6 *t, const uint8_t addr[16], unsigned int depth,
	     uint32_t target, uint8_t tag)
{
	struct lpm6_rule r = { .depth = (uint8_t)depth, .tag = tag, .target = target };
	uint32_t idx;

	if (depth > 128 || target > TARGET)
		return -EINVAL;
	if (t->io_err)
		return t->io_err;
	prefix6_mask(r.addr, addr, depth);
	if (nodes_needed(t, r.addr, depth) > nodes_free(t))
		return -ENOSPC;
	if (rules6_put(&t->rules, &r))
		return -ENOMEM;
	idx = walk(t, r.addr, depth, true);
	if (idx == UINT32_MAX)
		return t->io_err ? t->io_err : -ENOSPC;
	fill_rule(t, idx, depth, leaf6(target, depth), false);
	return 0;
}

/* Nodes on addr's path above level `last` whose subtree holds no rule
 * longer than the node's own prefix any more: their parent entry takes
 * their (single) value and they are freed, deepest first. */
static void collapse(struct lpm6 *t, const uint8_t *addr, unsigned int last)
{
	uint32_t path[MAX_LEVEL + 1], idx = root_idx(addr);
	unsigned int l;

	for (l = 1; l < last && is_ext(t->e[idx]); l++) {
		path[l] = idx;
		idx = (t->e[idx] & TARGET) * N6 + addr[l + 1];
	}
	while (--l >= 1) {
		uint32_t n = t->e[path[l]] & TARGET, first = t->e[n * N6];

		if (is_ext(first) || depth6(first) > 8 * (l + 1))
			return;
		for (uint32_t i = 1; i < N6; i++)
			if (t->e[n * N6 + i] != first)
				return;
		lpm6_set(t, path[l], first);
		lpm6_node_free(t, n);
	}
}

int lpm6_del(struct lpm6 *t, const uint8_t addr[16], unsigned int depth)
{
	const struct lpm6_rule *c;
	uint8_t a[16];
	uint32_t idx, v = 0;

	if (depth > 128)
		return -EINVAL;
	prefix6_mask(a, addr, depth);
	if (!rules6_get(&t->rules, a, depth))
		return -ENOENT;
	if (t->io_err)
		return t->io_err;
	rules6_del(&t->rules, a, depth);
	if ((c = rules6_cover(&t->rules, a, depth)))
		v = leaf6(c->target, c->depth);
	idx = walk(t, a, depth, false);
	if (idx == UINT32_MAX)
		return -EBADMSG; /* a rule without its nodes */
	fill_rule(t, idx, depth, v, true);
	collapse(t, a, level_of(depth));
	return 0;
}

bool lpm6_find(const struct lpm6 *t, const uint8_t addr[16], unsigned int depth,
	       uint32_t *target, uint8_t *tag)
{
	const struct lpm6_rule *r;
	uint8_t a[16];

	prefix6_mask(a, addr, depth > 128 ? 128 : depth);
	if (depth > 128 || !(r = rules6_get(&t->rules, a, depth)))
		return false;
	if (target)
		*target = r->target;
	if (tag)
		*tag = r->tag;
	return true;
}

uint32_t lpm6_lookup(const struct lpm6 *t, const uint8_t addr[16])
{
	uint32_t v = t->e[root_idx(addr)];

	for (unsigned int b = 2; b < 16 && is_ext(v); b++)
		v = t->e[(v & TARGET) * N6 + addr[b]];
	return v;
}

/* ---- rules ---- */

int lpm6_rule_load(struct lpm6 *t, const uint8_t addr[16], unsigned int depth,
		   uint32_t target, uint8_t tag)
{
	struct lpm6_rule r = { .depth = (uint8_t)depth, .tag = tag, .target = target };

	if (depth > 128 || target > TARGET)
		return -EINVAL;
	prefix6_mask(r.addr, addr, depth);
	return rules6_put(&t->rules, &r);
}

void lpm6_for_each(const struct lpm6 *t, lpm6_rule_fn fn, void *arg)
{
	for (size_t i = 0; i < t->rules.cap; i++) {
		const struct lpm6_rule *r = &t->rules.v[i];

		if (r->used)
			fn(r->addr, r->depth, r->target, r->tag, arg);
	}
}

size_t lpm6_rule_count(const struct lpm6 *t)
{
	return t->rules.count;
}
