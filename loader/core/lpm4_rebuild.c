// SPDX-License-Identifier: GPL-2.0-only
/* The IPv4 tables set from the rules alone (lpm4_rebuild): after a writer
 * died in the middle of a flush (docs/interrupted-changes.md). */
#include "lpm4_int.h"
#include "lpm4c.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lpm4_rules.h"

struct rrule {
	uint32_t addr;
	uint32_t depth;
	uint32_t val; /* target | tag << 24 */
};

/* Short rules by depth; long ones by /24, then depth (shortest first). */
static int cmp_rrule(const void *a, const void *b)
{
	const struct rrule *x = a, *y = b;
	uint32_t kx = x->depth > 24 ? x->addr >> 8 : 0, ky = y->depth > 24 ? y->addr >> 8 : 0;

	if (kx != ky)
		return kx < ky ? -1 : 1;
	return x->depth != y->depth ? (x->depth < y->depth ? -1 : 1) : 0;
}

/* The rules split into short (/24 and shorter) and long ones, sorted. */
static int rules_sorted(const struct lpm4 *t, struct rrule **s, size_t *ns,
			struct rrule **l, size_t *nl)
{
	size_t n = t->rules.count ? t->rules.count : 1;

	*s = malloc(n * sizeof(**s));
	*l = malloc(n * sizeof(**l));
	*ns = *nl = 0;
	if (!*s || !*l)
		return -ENOMEM;
	for (size_t k = 0; k < t->rules.cap; k++) {
		uint64_t key = t->rules.keys[k];
		struct rrule r = { (uint32_t)((key - 1) >> 6), (uint32_t)((key - 1) & 63),
				   t->rules.vals[k] };

		if (!key)
			continue;
		if (r.depth > 24)
			(*l)[(*nl)++] = r;
		else
			(*s)[(*ns)++] = r;
	}
	qsort(*s, *ns, sizeof(**s), cmp_rrule);
	qsort(*l, *nl, sizeof(**l), cmp_rrule);
	return 0;
}

/* Group g's 256 entries for the /24 whose long rules are l[0..n): its
 * tbl24 entry without them (base), then theirs, shortest first. */
static void rebuild_group(struct lpm4 *t, uint32_t g, uint32_t base,
			  const struct rrule *l, size_t n)
{
	uint32_t v[G8];

	for (uint32_t j = 0; j < G8; j++)
		v[j] = base;
	t->held8[g] = 0;
	for (size_t k = 0; k < n; k++) {
		uint32_t target = l[k].val & LPM4_MAX_TARGET, lo = l[k].addr & 0xff;

		if (is_dead(t, target)) {
			t->held8[g]++;
			continue;
		}
		for (uint32_t j = lo; j < lo + (1u << (32 - l[k].depth)); j++)
			v[j] = entry(target, l[k].depth);
	}
	for (uint32_t j = 0; j < G8; j++)
		lpm4_set8(t, g * G8 + j, v[j]);
}

/* Keep each /24's live group when it is its own; the others are free:
 * at once if nothing links them, after a grace period if a /24 still
 * does (until its new entry is written). */
static void rebuild_claim(struct lpm4 *t, const struct rrule *l, size_t nl,
			  uint32_t *own, uint8_t *claimed)
{
	uint8_t *linked = claimed + t->groups;

	for (uint32_t i = 0; i < XFWD_TBL24_SIZE; i++) {
		uint32_t e = *lpm4_e24(t, i);

		if ((e & XFWD_LPM_EXT) && (e & XFWD_LPM_TARGET_MASK) < t->groups)
			linked[e & XFWD_LPM_TARGET_MASK] = 1;
	}
	for (size_t k = 0, r = 0; k < nl; r++) {
		uint32_t i = l[k].addr >> 8, e = *lpm4_e24(t, i), g = e & XFWD_LPM_TARGET_MASK;

		own[r] = UINT32_MAX;
		if ((e & XFWD_LPM_EXT) && g < t->groups && !claimed[g]) {
			claimed[g] = 1;
			own[r] = g;
		}
		while (k < nl && l[k].addr >> 8 == i)
			k++;
	}
	t->nready = t->ready_head = t->npending = 0;
	for (uint32_t g = 0; g < t->groups; g++) {
		if (claimed[g])
			continue;
		if (linked[g])
			t->pending[t->npending++] = g;
		else
			t->ready[t->nready++] = g;
	}
}

int lpm4_rebuild(struct lpm4 *t)
{
	uint32_t *want = malloc(XFWD_TBL24_SIZE * sizeof(*want)), *own = NULL;
	uint8_t *claimed = calloc(2, t->groups);
	struct rrule *s = NULL, *l = NULL;
	size_t ns, nl;
	int err = !want || !claimed ? -ENOMEM : rules_sorted(t, &s, &ns, &l, &nl);

	if (!err && !(own = malloc((nl ? nl : 1) * sizeof(*own))))
		err = -ENOMEM;
	if (err)
		goto out;
	memset(t->reached, 1, XFWD_TBL24_SIZE / LPM4_CHUNK); /* read it all */
	rebuild_claim(t, l, nl, own, claimed);
	memset(want, 0, XFWD_TBL24_SIZE * sizeof(*want));
	for (size_t k = 0; k < ns; k++) {
		uint32_t target = s[k].val & LPM4_MAX_TARGET, lo = s[k].addr >> 8;

		if (!is_dead(t, target))
			for (uint32_t i = lo; i < lo + (1u << (24 - s[k].depth)); i++)
				want[i] = entry(target, s[k].depth);
	}
	for (size_t k = 0, r = 0; k < nl && !err; r++) {
		uint32_t i = l[k].addr >> 8;
		size_t k0 = k;

		while (k < nl && l[k].addr >> 8 == i)
			k++;
		if (own[r] == UINT32_MAX && (err = lpm4_group_alloc(t, &own[r])))
			break;
		rebuild_group(t, own[r], want[i], l + k0, k - k0);
		want[i] = XFWD_LPM_VALID | XFWD_LPM_EXT | own[r];
	}
	for (uint32_t i = 0; i < XFWD_TBL24_SIZE && !err; i++)
		lpm4_set24(t, i, want[i]);
	if (t->copy) { /* it may lag tbl24 anywhere: encode it all at the next flush */
		lpm4c_touch_all(t->copy);
		t->ndirty++;
	}
out:
	free(want);
	free(own);
	free(claimed);
	free(s);
	free(l);
	return err ? err : t->io_err;
}
