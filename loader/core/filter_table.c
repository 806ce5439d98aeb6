// SPDX-License-Identifier: GPL-2.0-only
/* A filter set into the maps, and replaced hitlessly (docs/filters.md):
 * the new set under a spare id (its rules' records, counters, hash
 * entries, tuples), then the bind's idle copy and a flip of `active`,
 * then, a grace period later, the old set removed. A packet sees the old
 * set or the new, whole. Sets no bind holds (left by a writer that died)
 * are removed first. */
#include "table_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"

/* What the maps hold: every bind and every rule record. */
struct fmaps {
	struct xfwd_filter_bind *binds;
	struct xfwd_filter_rule *rec;
};

static int fmaps_read(struct xtable *t, struct fmaps *m)
{
	int ret;

	m->binds = calloc(XFWD_FILTER_BINDS, sizeof(*m->binds));
	m->rec = calloc(XFWD_FILTER_RULES, sizeof(*m->rec));
	if (!m->binds || !m->rec)
		return xt_fail(t, -ENOMEM, "out of memory reading the filter maps");
	if ((ret = KIO(&t->io, map_read, XFWD_M_filter_binds, 0, XFWD_FILTER_BINDS, sizeof(*m->binds),
		       m->binds)) ||
	    (ret = KIO(&t->io, map_read, XFWD_M_filter_rules, 0, XFWD_FILTER_RULES, sizeof(*m->rec),
		       m->rec)))
		return xt_fail(t, ret, "cannot read the filter maps: %s", strerror(-ret));
	return 0;
}

static void fmaps_free(struct fmaps *m)
{
	free(m->binds);
	free(m->rec);
}

static uint16_t bound_set(const struct xfwd_filter_bind *b)
{
	return b->set[b->active & 1];
}

static bool set_bound(const struct fmaps *m, uint16_t set)
{
	for (uint32_t i = 0; i < XFWD_FILTER_BINDS; i++)
		if (bound_set(&m->binds[i]) == set)
			return true;
	return false;
}

/* Set `set`'s rules from the records, in slot order: how many (its
 * default's record last, not counted), *base its first slot. */
static uint32_t set_rules(const struct fmaps *m, uint16_t set, struct xfwd_filter_rule *out,
			  uint32_t *base, uint8_t *deflt)
{
	uint32_t n = 0;

	*base = 0;
	for (uint32_t s = 0; s < XFWD_FILTER_RULES; s++) {
		const struct xfwd_filter_rule *r = &m->rec[s];

		if (!(r->flags & XFWD_FILTER_R_USED) || r->set != set)
			continue;
		if (!n && !*base)
			*base = s;
		if (r->flags & XFWD_FILTER_R_DEFAULT) {
			*deflt = r->action;
			break;
		}
		if (out)
			out[n] = *r;
		n++;
	}
	return n;
}

/* Remove set `set`: its hash entries (its keys made again from its
 * records), its tuples, its records. */
static int set_remove(struct xtable *t, struct fmaps *m, uint16_t set)
{
	struct xfwd_filter_rule *r = calloc(XFWD_FILTER_SET_RULES + 1, sizeof(*r));
	struct xfwd_filter_set zs = { 0 };
	struct xfwd_filter_rule zr = { 0 };
	struct filter_build b;
	uint32_t base, n, sv = set;
	uint8_t deflt = 0;
	int ret = 0;

	if (!r)
		return xt_fail(t, -ENOMEM, "out of memory");
	n = set_rules(m, set, r, &base, &deflt);
	if (!filter_compile(r, n, base, set, deflt, &b, t->err, t->errlen)) {
		for (size_t i = 0; i < b.n && (!ret || ret == -ENOENT); i++)
			ret = KIO(&t->io, map_del, XFWD_M_filter_hits, &b.e[i].k);
		filter_build_free(&b);
	}
	free(r);
	if (ret && ret != -ENOENT)
		return xt_fail(t, ret, "cannot remove filter set %u's entries: %s", set, strerror(-ret));
	if ((ret = KIO(&t->io, map_put, XFWD_M_filter_sets, &sv, &zs, KIO_ANY)))
		return xt_fail(t, ret, "cannot clear filter set %u: %s", set, strerror(-ret));
	for (uint32_t s = 0; s < XFWD_FILTER_RULES; s++) {
		if (!(m->rec[s].flags & XFWD_FILTER_R_USED) || m->rec[s].set != set)
			continue;
		if ((ret = KIO(&t->io, map_put, XFWD_M_filter_rules, &s, &zr, KIO_ANY)))
			return xt_fail(t, ret, "cannot free filter rule slot %u: %s", s, strerror(-ret));
		m->rec[s] = zr;
	}
	return 0;
}

/* Sets with records but no bind: a writer died between writing and
 * binding, or between unbinding and removing. */
static int remove_orphans(struct xtable *t, struct fmaps *m)
{
	int ret;

	for (uint32_t s = 0; s < XFWD_FILTER_RULES; s++) {
		uint16_t set = m->rec[s].set;

		if (!(m->rec[s].flags & XFWD_FILTER_R_USED) || set_bound(m, set))
			continue;
		if ((ret = set_remove(t, m, set)))
			return ret;
	}
	return 0;
}

static uint16_t spare_set(const struct fmaps *m)
{
	for (uint16_t s = 1; s < XFWD_FILTER_SETS; s++)
		if (!set_bound(m, s))
			return s;
	return 0;
}

/* The first run of n free slots (slot 0 is never used): its start, or 0. */
static uint32_t free_slots(const struct fmaps *m, uint32_t n)
{
	uint32_t run = 0;

	for (uint32_t s = 1; s < XFWD_FILTER_RULES; s++) {
		run = (m->rec[s].flags & XFWD_FILTER_R_USED) ? 0 : run + 1;
		if (run == n)
			return s - n + 1;
	}
	return 0;
}

/* The new set's records (the default's last) and zeroed counters. */
static int records_write(struct xtable *t, struct fmaps *m, const struct xfwd_filter_rule *r,
			 uint32_t n, uint32_t base, uint16_t set, uint8_t deflt)
{
	int ret;

	for (uint32_t i = 0; i <= n; i++) {
		struct xfwd_filter_rule rec = { .action = deflt, .flags = XFWD_FILTER_R_DEFAULT, .nrules = n };
		uint32_t s = base + i;

		if (i < n)
			rec = r[i];
		rec.flags |= XFWD_FILTER_R_USED;
		rec.set = set;
		if ((ret = KIO(&t->io, map_put, XFWD_M_filter_rules, &s, &rec, KIO_ANY)) ||
		    (ret = KIO(&t->io, percpu_clear, XFWD_M_filter_stats, s)))
			return xt_fail(t, ret, "cannot write filter rule slot %u: %s", s, strerror(-ret));
		m->rec[s] = rec;
	}
	return 0;
}

static int set_write(struct xtable *t, const struct filter_build *b, uint16_t set)
{
	uint32_t sv = set;
	int ret = 0;

	for (size_t i = 0; i < b->n && !ret; i++)
		ret = KIO(&t->io, map_put, XFWD_M_filter_hits, &b->e[i].k, &b->e[i].h, KIO_ANY);
	if (ret == -E2BIG || ret == -ENOSPC)
		return xt_fail(t, ret, "the filter map is full (%u entries over all sets): remove a set or merge rules",
			       XFWD_FILTER_ENTRIES);
	if (!ret)
		ret = KIO(&t->io, map_put, XFWD_M_filter_sets, &sv, &b->set, KIO_ANY);
	return ret ? xt_fail(t, ret, "cannot write the filter set: %s", strerror(-ret)) : 0;
}

static uint32_t bind_index(const struct filter_target *tg)
{
	return tg->tunnel ? xfwd_filter_bind_tunnel(tg->dir, tg->id)
			  : xfwd_filter_bind_port(tg->dir, tg->id);
}

/* Point the bind at `set` (0: none): the idle copy, then the flip.
 * *old: the set it held. */
static int bind_flip(struct xtable *t, struct fmaps *m, const struct filter_target *tg,
		     uint16_t set, uint16_t *old)
{
	uint32_t i = bind_index(tg);
	struct xfwd_filter_bind b = m->binds[i];
	uint8_t idle = !(b.active & 1);
	int ret;

	if (!tg->tunnel && bound_set(&b) && b.ifindex != tg->id)
		return xt_fail(t, -EBUSY, "interface %u's filter slot is taken by interface %u (slots are ifindex %% %u); filter that one's tunnel or port another way",
			       tg->id, b.ifindex, XFWD_FILTER_BIND_PORTS);
	*old = bound_set(&b);
	b.ifindex = tg->tunnel ? 0 : tg->id;
	b.set[idle] = set;
	if ((ret = KIO(&t->io, map_put, XFWD_M_filter_binds, &i, &b, KIO_ANY)))
		return xt_fail(t, ret, "cannot write the filter binding: %s", strerror(-ret));
	b.active = idle;
	if ((ret = KIO(&t->io, map_put, XFWD_M_filter_binds, &i, &b, KIO_ANY)))
		return xt_fail(t, ret, "cannot write the filter binding: %s", strerror(-ret));
	m->binds[i] = b;
	return 0;
}

/* Once no packet can still be in the old set: remove it. */
static int retire(struct xtable *t, struct fmaps *m, uint16_t old)
{
	if (!old)
		return 0;
	KIO(&t->io, grace);
	return set_remove(t, m, old);
}

static int replace(struct xtable *t, struct fmaps *m, const struct filter_target *tg,
		   const struct xfwd_filter_rule *r, uint32_t n, uint8_t deflt)
{
	struct filter_build b;
	uint16_t set, old;
	uint32_t base;
	int ret;

	if ((ret = remove_orphans(t, m)))
		return ret;
	if (!(set = spare_set(m)))
		return xt_fail(t, -ENOSPC, "all %u filter sets are bound: remove one first", XFWD_FILTER_SETS - 1);
	if (!(base = free_slots(m, n + 1)))
		return xt_fail(t, -ENOSPC, "no %u free rule slots in a row (%u over all sets): remove a set first",
			       n + 1, XFWD_FILTER_RULES - 1);
	if (filter_compile(r, n, base, set, deflt, &b, t->err, t->errlen))
		return -EINVAL;
	ret = records_write(t, m, r, n, base, set, deflt) ?: set_write(t, &b, set) ?:
	      bind_flip(t, m, tg, set, &old);
	filter_build_free(&b);
	if (ret) {
		char why[256];

		snprintf(why, sizeof(why), "%s", t->err);
		set_remove(t, m, set);
		return xt_fail(t, ret, "%s; the running filter stays", why);
	}
	return retire(t, m, old);
}

int xt_filter_replace(struct xtable *t, const struct filter_target *tg,
		      const struct xfwd_filter_rule *r, uint32_t n, uint8_t deflt)
{
	struct fmaps m = { 0 };
	int ret = fmaps_read(t, &m) ?: replace(t, &m, tg, r, n, deflt);

	fmaps_free(&m);
	return ret;
}

int xt_filter_del(struct xtable *t, const struct filter_target *tg)
{
	struct fmaps m = { 0 };
	uint16_t old = 0;
	int ret = fmaps_read(t, &m);

	if (!ret && !bound_set(&m.binds[bind_index(tg)]))
		ret = xt_fail(t, -ENOENT, "no filter is bound there (see 'xfwd filter show')");
	if (!ret)
		ret = bind_flip(t, &m, tg, 0, &old) ?: retire(t, &m, old);
	fmaps_free(&m);
	return ret;
}

/* Every bound set with its rules, for show: how many, or -errno. */
int xt_filter_list(struct xtable *t, struct filter_bound **out)
{
	struct fmaps m = { 0 };
	struct filter_bound *v = NULL;
	int n = 0, ret = fmaps_read(t, &m);

	for (uint32_t i = 0; !ret && i < XFWD_FILTER_BINDS; i++) {
		uint16_t set = bound_set(&m.binds[i]);
		uint32_t per = XFWD_FILTER_BIND_TUNNELS + XFWD_FILTER_BIND_PORTS, at = i % per;
		struct filter_bound *f;

		if (!set)
			continue;
		if (!(f = realloc(v, (size_t)(n + 1) * sizeof(*v)))) {
			ret = -ENOMEM;
			break;
		}
		v = f;
		f = &v[n++];
		memset(f, 0, sizeof(*f));
		f->tg.dir = (uint8_t)(i / per);
		f->tg.tunnel = at < XFWD_FILTER_BIND_TUNNELS;
		f->tg.id = f->tg.tunnel ? at : m.binds[i].ifindex;
		f->set = set;
		f->n = set_rules(&m, set, NULL, &f->base, &f->deflt);
		f->rules = calloc(f->n + 1, sizeof(*f->rules));
		if (!f->rules) {
			ret = -ENOMEM;
			break;
		}
		set_rules(&m, set, f->rules, &f->base, &f->deflt);
	}
	fmaps_free(&m);
	if (ret) {
		xt_filter_list_free(v, n);
		return ret;
	}
	*out = v;
	return n;
}

void xt_filter_list_free(struct filter_bound *v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i].rules);
	free(v);
}
