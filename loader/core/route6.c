// SPDX-License-Identifier: GPL-2.0-only
/* IPv6 routes in memory: an array, indexed by an open-addressing hash
 * of (address, length) (a full IPv6 table is ~200k routes). */
#include "table_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

static size_t h6_home(const struct xtable *t, const uint8_t *addr, uint8_t len)
{
	uint32_t h = 2166136261u ^ len; /* FNV-1a */

	for (int i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 16777619u;
	return h & (t->hcap6 - 1);
}

/* The slot holding route i, or of where (addr, len) would go. */
static size_t h6_slot(const struct xtable *t, const uint8_t *addr, uint8_t len)
{
	size_t s = h6_home(t, addr, len);

	while (t->h6[s]) {
		const struct route6 *r = &t->r6[t->h6[s] - 1];

		if (r->len == len && !memcmp(r->addr, addr, 16))
			break;
		s = (s + 1) & (t->hcap6 - 1);
	}
	return s;
}

static int h6_rebuild(struct xtable *t, size_t want)
{
	size_t cap = 1024;
	uint32_t *h;

	while (cap < 2 * want)
		cap *= 2;
	if (!(h = calloc(cap, sizeof(*h))))
		return -ENOMEM;
	free(t->h6);
	t->h6 = h;
	t->hcap6 = cap;
	for (size_t i = 0; i < t->n6; i++)
		t->h6[h6_slot(t, t->r6[i].addr, t->r6[i].len)] = (uint32_t)i + 1;
	return 0;
}

/* Empty slot s, moving later entries of its probe run back (no tombstones). */
static void h6_clear(struct xtable *t, size_t s)
{
	size_t mask = t->hcap6 - 1, j = s, k;

	for (;;) {
		j = (j + 1) & mask;
		if (!t->h6[j])
			break;
		k = h6_home(t, t->r6[t->h6[j] - 1].addr, t->r6[t->h6[j] - 1].len);
		if (s <= j ? (s < k && k <= j) : (s < k || k <= j))
			continue; /* its home is after the hole: it stays */
		t->h6[s] = t->h6[j];
		s = j;
	}
	t->h6[s] = 0;
}

int push_route6(struct xtable *t, const uint8_t *addr, uint8_t len,
		       uint32_t group, uint8_t origin)
{
	if (GROW(t->r6, t->n6, t->cap6, 256))
		return -ENOMEM;
	memcpy(t->r6[t->n6].addr, addr, 16);
	t->r6[t->n6].len = len;
	t->r6[t->n6].group = group;
	t->r6[t->n6].origin = origin;
	t->n6++;
	if (2 * t->n6 > t->hcap6)
		return h6_rebuild(t, t->n6);
	t->h6[h6_slot(t, addr, len)] = (uint32_t)t->n6;
	return 0;
}

/* Forget route r (the last one moves into its place). */
void drop_route6(struct xtable *t, struct route6 *r)
{
	size_t i = (size_t)(r - t->r6), last = t->n6 - 1;

	h6_clear(t, h6_slot(t, r->addr, r->len));
	if (i != last) {
		t->h6[h6_slot(t, t->r6[last].addr, t->r6[last].len)] = (uint32_t)i + 1;
		t->r6[i] = t->r6[last];
	}
	t->n6--;
}

struct route6 *find6(const struct xtable *t, const struct xprefix *p)
{
	uint32_t i;

	if (!t->hcap6)
		return NULL;
	i = t->h6[h6_slot(t, p->addr.bytes, (uint8_t)p->len)];
	return i ? &t->r6[i - 1] : NULL;
}
