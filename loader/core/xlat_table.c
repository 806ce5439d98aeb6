// SPDX-License-Identifier: GPL-2.0-only
/* Translation rules into the maps (docs/translation.md): a rule's record
 * and zeroed counters, its two trie entries, then its target's bind
 * count, so XDP looks a target up only once its entries are whole; a
 * delete in the reverse order. */
#include "table_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xlat.h"

static struct xfwd_xlat_rule *records_read(struct xtable *t)
{
	struct xfwd_xlat_rule *rec = calloc(XFWD_XLAT_RULES, sizeof(*rec));
	int ret;

	if (!rec) {
		xt_fail(t, -ENOMEM, "out of memory reading the translation rules");
		return NULL;
	}
	ret = KIO(&t->io, map_read, XFWD_M_xlat_rules, 0, XFWD_XLAT_RULES, sizeof(*rec), rec);
	if (ret) {
		xt_fail(t, ret, "cannot read the translation rules: %s", strerror(-ret));
		free(rec);
		return NULL;
	}
	return rec;
}

/* Add n to the rule count of bind index b (ifindex for ports). */
static int bind_add(struct xtable *t, const struct xfwd_xlat_rule *r, int n)
{
	uint32_t b = xlat_rule_bind(r);
	struct xfwd_xlat_bind v = { 0 };
	int ret = KIO(&t->io, map_get, XFWD_M_xlat_binds, &b, &v);

	if (ret)
		return xt_fail(t, ret, "cannot read the translation binds: %s", strerror(-ret));
	v.rules = (uint32_t)((int)v.rules + n);
	v.ifindex = r->flags & XFWD_XLAT_R_TUNNEL || !v.rules ? 0 : r->target;
	if ((ret = KIO(&t->io, map_put, XFWD_M_xlat_binds, &b, &v, KIO_ANY)))
		return xt_fail(t, ret, "cannot write the translation bind: %s", strerror(-ret));
	return 0;
}

static int entries_del(struct xtable *t, const struct xfwd_xlat_rule *r)
{
	struct xfwd_xlat_key k[2];
	struct xfwd_xlat_val v[2];
	int ret = 0;

	xlat_entries(r, 0, k, v);
	for (int i = 0; i < 2; i++) {
		int e = KIO(&t->io, map_del, XFWD_M_xlat, &k[i]);

		if (e && e != -ENOENT && !ret)
			ret = e;
	}
	return ret ? xt_fail(t, ret, "cannot remove a translation entry: %s", strerror(-ret)) : 0;
}

static int slot_write(struct xtable *t, uint32_t slot, const struct xfwd_xlat_rule *r)
{
	int ret = KIO(&t->io, map_put, XFWD_M_xlat_rules, &slot, r, KIO_ANY);

	if (!ret && r->flags)
		ret = KIO(&t->io, percpu_clear, XFWD_M_xlat_stats, 2 * slot) ?:
		      KIO(&t->io, percpu_clear, XFWD_M_xlat_stats, 2 * slot + 1);
	return ret ? xt_fail(t, ret, "cannot write translation slot %u: %s", slot, strerror(-ret)) : 0;
}

/* A free slot (0 is never used) for r into *slot; refused when a rule of
 * the same target has prefixes overlapping r's. */
static int slot_for(struct xtable *t, const struct xfwd_xlat_rule *rec,
		    const struct xfwd_xlat_rule *r, uint32_t *slot)
{
	uint32_t free_slot = 0;

	for (uint32_t s = 1; s < XFWD_XLAT_RULES; s++) {
		if (!(rec[s].flags & XFWD_XLAT_R_USED)) {
			free_slot = free_slot ? free_slot : s;
			continue;
		}
		if (xlat_rules_overlap(&rec[s], r)) {
			struct xprefix a, b;
			char ra[XPREFIX_STRLEN], ma[XPREFIX_STRLEN];

			xlat_rule_prefixes(&rec[s], &a, &b);
			return xt_fail(t, -EEXIST, "it overlaps the target's rule %s to %s: translation is one to one both ways (delete that rule first)",
				       xprefix_str(&a, ra), xprefix_str(&b, ma));
		}
	}
	*slot = free_slot;
	return free_slot ? 0 : xt_fail(t, -ENOSPC, "all %u translation rules are in use", XFWD_XLAT_RULES - 1);
}

int xt_xlat_add(struct xtable *t, const struct xfwd_xlat_rule *r)
{
	struct xfwd_xlat_rule *rec = records_read(t), zero = { 0 };
	struct xfwd_xlat_key k[2];
	struct xfwd_xlat_val v[2];
	uint32_t slot;
	size_t len;
	int ret;

	if (!rec)
		return -EIO;
	if ((ret = slot_for(t, rec, r, &slot)))
		goto out;
	xlat_entries(r, slot, k, v);
	if ((ret = slot_write(t, slot, r)))
		goto out;
	for (int i = 0; i < 2 && !ret; i++)
		ret = KIO(&t->io, map_put, XFWD_M_xlat, &k[i], &v[i], KIO_NOEXIST);
	if (ret)
		xt_fail(t, ret, "cannot write the translation: %s", strerror(-ret));
	else if (!(ret = bind_add(t, r, 1)))
		goto out;
	/* Undone whole; the first error is the one reported. */
	len = t->errlen;
	t->errlen = 0;
	entries_del(t, r);
	slot_write(t, slot, &zero);
	t->errlen = len;
out:
	free(rec);
	return ret;
}

/* The slot of target's rule with this real prefix (and this mapped one,
 * when r names it), or 0. */
static uint32_t slot_of(const struct xfwd_xlat_rule *rec, const struct xfwd_xlat_rule *r)
{
	static const uint8_t none[16];
	bool any_mapped = !memcmp(r->mapped, none, 16);

	for (uint32_t s = 1; s < XFWD_XLAT_RULES; s++)
		if ((rec[s].flags & XFWD_XLAT_R_USED) && xlat_rule_bind(&rec[s]) == xlat_rule_bind(r) &&
		    rec[s].target == r->target && rec[s].len == r->len &&
		    !memcmp(rec[s].real, r->real, 16) &&
		    (any_mapped || !memcmp(rec[s].mapped, r->mapped, 16)))
			return s;
	return 0;
}

static int slot_del(struct xtable *t, struct xfwd_xlat_rule *rec, uint32_t s)
{
	struct xfwd_xlat_rule zero = { 0 };
	int ret = bind_add(t, &rec[s], -1) ?: entries_del(t, &rec[s]) ?: slot_write(t, s, &zero);

	if (!ret)
		rec[s] = zero;
	return ret;
}

int xt_xlat_del(struct xtable *t, const struct xfwd_xlat_rule *r)
{
	struct xfwd_xlat_rule *rec = records_read(t);
	uint32_t s;
	int ret;

	if (!rec)
		return -EIO;
	s = slot_of(rec, r);
	ret = s ? slot_del(t, rec, s) : xt_fail(t, -ENOENT, "no such translation (see 'xfwd xlat show')");
	free(rec);
	return ret;
}

int xt_xlat_target_del(struct xtable *t, bool tunnel, uint32_t target)
{
	struct xfwd_xlat_rule *rec = records_read(t);
	int ret = 0;

	if (!rec)
		return -EIO;
	for (uint32_t s = 1; s < XFWD_XLAT_RULES && !ret; s++)
		if ((rec[s].flags & XFWD_XLAT_R_USED) && rec[s].target == target &&
		    !(rec[s].flags & XFWD_XLAT_R_TUNNEL) == !tunnel)
			ret = slot_del(t, rec, s);
	free(rec);
	return ret;
}

int xt_xlat_list(struct xtable *t, struct xlat_rule_at **out)
{
	struct xfwd_xlat_rule *rec = records_read(t);
	struct xlat_rule_at *v;
	int n = 0;

	if (!rec)
		return -EIO;
	if (!(v = calloc(XFWD_XLAT_RULES, sizeof(*v)))) {
		free(rec);
		return xt_fail(t, -ENOMEM, "out of memory");
	}
	for (uint32_t s = 1; s < XFWD_XLAT_RULES; s++)
		if (rec[s].flags & XFWD_XLAT_R_USED)
			v[n++] = (struct xlat_rule_at){ .slot = s, .r = rec[s] };
	free(rec);
	*out = v;
	return n;
}
