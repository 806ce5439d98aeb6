// SPDX-License-Identifier: GPL-2.0-only
/* A rule set compiled for tuple space search (docs/filters.md). */
#include "filter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void mask_bytes(uint8_t *m, unsigned int len, size_t n)
{
	memset(m, 0, n);
	for (size_t i = 0; i < n && len; i++) {
		unsigned int b = len >= 8 ? 8 : len;

		m[i] = (uint8_t)(0xff << (8 - b));
		len -= b;
	}
}

static bool exact(uint16_t lo, uint16_t hi)
{
	return lo == hi;
}

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* The tuple of a rule: its index in the set (tuples in the order rules
 * first use them, so sorted by their best slot), or -1. A port is in the
 * key when the rule names one port (or ICMP type and code), else its
 * range is checked in the entry. */
static int tuple_of(struct xfwd_filter_set *s, const struct xfwd_filter_rule *r, uint32_t slot)
{
	bool sx = exact(r->sport_lo, r->sport_hi), dx = exact(r->dport_lo, r->dport_hi);
	struct xfwd_filter_tuple t = { .proto_mask = (r->flags & XFWD_FILTER_R_PROTO) ? 0xff : 0,
				       .sport_mask = sx ? 0xffff : 0, .dport_mask = dx ? 0xffff : 0,
				       .ports = sx || dx };

	mask_bytes(t.src_mask, r->src_len, 16);
	mask_bytes(t.dst_mask, r->dst_len, 16);
	for (uint32_t i = 0; i < s->ntuples; i++) {
		t.best = s->t[i].best;
		if (!memcmp(&s->t[i], &t, sizeof(t)))
			return (int)i;
	}
	if (s->ntuples == XFWD_FILTER_TUPLES)
		return -1;
	t.best = slot;
	s->t[s->ntuples] = t;
	return (int)s->ntuples++;
}

static uint64_t key_hash(const struct xfwd_filter_key *k)
{
	const uint8_t *b = (const uint8_t *)k;
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static int index_grow(struct filter_build *b)
{
	size_t cap = b->index_cap ? b->index_cap * 2 : 1024;
	uint32_t *ix = malloc(cap * sizeof(*ix));

	if (!ix)
		return -ENOMEM;
	memset(ix, 0xff, cap * sizeof(*ix));
	for (size_t i = 0; i < b->n; i++) {
		size_t h = key_hash(&b->e[i].k) & (cap - 1);

		while (ix[h] != UINT32_MAX)
			h = (h + 1) & (cap - 1);
		ix[h] = (uint32_t)i;
	}
	free(b->index);
	b->index = ix;
	b->index_cap = cap;
	return 0;
}

/* The entry of key k, made empty if new; NULL when out of memory. */
static struct filter_entry *entry_of(struct filter_build *b, const struct xfwd_filter_key *k)
{
	size_t h;

	if ((b->n + 1) * 2 > b->index_cap && index_grow(b))
		return NULL;
	h = key_hash(k) & (b->index_cap - 1);
	for (; b->index[h] != UINT32_MAX; h = (h + 1) & (b->index_cap - 1))
		if (!memcmp(&b->e[b->index[h]].k, k, sizeof(*k)))
			return &b->e[b->index[h]];
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		struct filter_entry *e = realloc(b->e, cap * sizeof(*e));

		if (!e)
			return NULL;
		b->e = e;
		b->cap = cap;
	}
	b->index[h] = (uint32_t)b->n;
	memset(&b->e[b->n], 0, sizeof(b->e[0]));
	b->e[b->n].k = *k;
	return &b->e[b->n++];
}

static void masked(uint8_t *dst, const uint8_t *src, const uint8_t *mask)
{
	for (int i = 0; i < 16; i++)
		dst[i] = src[i] & mask[i];
}

static bool full(const struct xfwd_filter_range *r)
{
	return !r->sport_lo && r->sport_hi == 0xffff && !r->dport_lo && r->dport_hi == 0xffff;
}

/* The entry's range of a rule: what the key does not hold. */
static struct xfwd_filter_range range_of(const struct xfwd_filter_rule *r, uint32_t slot)
{
	struct xfwd_filter_range x = { .e = slot << 2 | r->action, .sport_hi = 0xffff,
				       .dport_hi = 0xffff };

	if (!exact(r->sport_lo, r->sport_hi)) {
		x.sport_lo = r->sport_lo;
		x.sport_hi = r->sport_hi;
	}
	if (!exact(r->dport_lo, r->dport_hi)) {
		x.dport_lo = r->dport_lo;
		x.dport_hi = r->dport_hi;
	}
	return x;
}

/* Rule i at `slot` into its key's entry: appended unless a rule before
 * it there decides for every port. */
static int add_rule(struct filter_build *b, const struct xfwd_filter_rule *r, uint32_t i,
		    uint32_t slot, uint16_t set, char *err, size_t errlen)
{
	int ti = tuple_of(&b->set, r, slot);
	struct xfwd_filter_key k = { .set = set };
	struct xfwd_filter_tuple *t;
	struct filter_entry *e;

	if (ti < 0)
		return fail(err, errlen, "rule %u: the set needs more than %u tuples (distinct combinations of prefix lengths, protocol given or not, and single ports); use fewer shapes (docs/filters.md)",
			    i + 1, XFWD_FILTER_TUPLES);
	t = &b->set.t[ti];
	k.tuple = (uint8_t)ti;
	k.proto = r->proto & t->proto_mask;
	k.sport = htons(r->sport_lo) & t->sport_mask;
	k.dport = htons(r->dport_lo) & t->dport_mask;
	masked(k.src, r->src, t->src_mask);
	masked(k.dst, r->dst, t->dst_mask);
	if (!(e = entry_of(b, &k)))
		return fail(err, errlen, "out of memory compiling the rules");
	for (uint32_t j = 0; j < e->h.n; j++)
		if ((e->h.r[j].e & 3) != XFWD_FILTER_COUNT && full(&e->h.r[j]))
			return 0; /* shadowed here by an earlier rule that decides */
	if (e->h.n == XFWD_FILTER_HIT_MAX)
		return fail(err, errlen, "rule %u: more than %u rules share its addresses, protocol and single ports (port ranges are checked one by one); merge ranges, or split the addresses",
			    i + 1, XFWD_FILTER_HIT_MAX);
	e->h.r[e->h.n++] = range_of(r, slot);
	return 0;
}

int filter_compile(const struct xfwd_filter_rule *r, uint32_t n, uint32_t base, uint16_t set,
		   uint8_t deflt, struct filter_build *b, char *err, size_t errlen)
{
	memset(b, 0, sizeof(*b));
	if (n > XFWD_FILTER_SET_RULES)
		return fail(err, errlen, "%u rules: a set holds at most %u", n, XFWD_FILTER_SET_RULES);
	for (uint32_t i = 0; i < n; i++)
		if (add_rule(b, &r[i], i, base + i, set, err, errlen)) {
			filter_build_free(b);
			return -1;
		}
	b->set.deflt = (base + n) << 2 | (deflt & 3);
	return 0;
}

void filter_build_free(struct filter_build *b)
{
	free(b->e);
	free(b->index);
	memset(b, 0, sizeof(*b));
}

/* ---- the search, as bpf/lib/filter.h runs it ---- */

static const struct filter_entry *find(const struct filter_build *b, const struct xfwd_filter_key *k)
{
	size_t h;

	if (!b->index_cap)
		return NULL;
	for (h = key_hash(k) & (b->index_cap - 1); b->index[h] != UINT32_MAX;
	     h = (h + 1) & (b->index_cap - 1))
		if (!memcmp(&b->e[b->index[h]].k, k, sizeof(*k)))
			return &b->e[b->index[h]];
	return NULL;
}

static bool range_has(const struct xfwd_filter_range *r, const struct filter_pkt *p)
{
	uint16_t sp = ntohs(p->k.sport), dp = ntohs(p->k.dport);

	if (p->later_frag)
		return full(r);
	return sp >= r->sport_lo && sp <= r->sport_hi && dp >= r->dport_lo && dp <= r->dport_hi;
}

static uint32_t search(const struct filter_build *b, const struct filter_pkt *p, uint32_t floor)
{
	uint32_t best = UINT32_MAX;

	for (uint32_t i = 0; i < b->set.ntuples; i++) {
		const struct xfwd_filter_tuple *t = &b->set.t[i];
		struct xfwd_filter_key k = { .set = p->k.set, .tuple = (uint8_t)i };
		const struct filter_entry *e;

		if (best != UINT32_MAX && t->best >= best >> 2)
			break;
		if (p->later_frag && t->ports)
			continue;
		k.proto = p->k.proto & t->proto_mask;
		k.sport = p->k.sport & t->sport_mask;
		k.dport = p->k.dport & t->dport_mask;
		masked(k.src, p->k.src, t->src_mask);
		masked(k.dst, p->k.dst, t->dst_mask);
		if (!(e = find(b, &k)))
			continue;
		for (uint32_t j = 0; j < e->h.n; j++) {
			const struct xfwd_filter_range *r = &e->h.r[j];

			if (r->e >> 2 < floor || !range_has(r, p))
				continue;
			if (best == UINT32_MAX || r->e >> 2 < best >> 2)
				best = r->e;
			break;
		}
	}
	return best;
}

uint8_t filter_decide_model(const struct filter_build *b, const struct filter_pkt *p,
			    uint32_t *counted, int *ncounted)
{
	uint32_t floor = 0, e;

	*ncounted = 0;
	for (uint32_t pass = 0; pass < XFWD_FILTER_PASSES; pass++) {
		e = search(b, p, floor);
		if (e == UINT32_MAX)
			e = b->set.deflt;
		counted[(*ncounted)++] = e >> 2;
		if ((e & 3) != XFWD_FILTER_COUNT)
			return e & 3;
		floor = (e >> 2) + 1;
	}
	return b->set.deflt & 3;
}
