// SPDX-License-Identifier: GPL-2.0-only
/* Next-hop groups: one per distinct member set, shared by routes. */
#include "table_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buckets.h"
#include "grow.h"

/* A member as a group holds it: sorted by next-hop id. */
struct member {
	uint32_t id;
	uint8_t hops, drained;
};

static int cmp_member(const void *a, const void *b)
{
	uint32_t x = ((const struct member *)a)->id, y = ((const struct member *)b)->id;

	return x < y ? -1 : x > y;
}

static int group_write(struct xtable *t, uint32_t id, const struct xfwd_group *g)
{
	t->dirty = true;
	int ret = KIO(&t->io, map_put, XFWD_M_groups, &id, g, KIO_ANY);

	if (ret)
		return xt_fail(t, ret, "cannot write group %u: %s", id, strerror(-ret));
	t->grp[id] = *g;
	return 0;
}

/* Every member dead: the group's IPv4 routes leave the table for their
 * covering routes (lpm4's dead targets; docs/covering-routes.md). */
bool group_dead(const struct xtable *t, uint32_t id)
{
	const struct xfwd_group_set *s = &t->grp[id].set[t->grp[id].active & 1];

	if (!s->count)
		return false;
	for (uint32_t i = 0; i < s->count && i < XFWD_ECMP_MAX; i++)
		if (!(t->nh[s->members[i]].flags & XFWD_NH_F_DEAD))
			return false;
	return true;
}

/* The set of these members, their weights and drains (buckets aside). */
static void set_of(struct xfwd_group_set *s, struct member *m, uint32_t n)
{
	qsort(m, n, sizeof(*m), cmp_member);
	memset(s, 0, sizeof(*s));
	s->count = n;
	for (uint32_t i = 0; i < n; i++) {
		s->members[i] = m[i].id;
		s->hops[i] = m[i].hops;
		s->drained |= (uint16_t)(m[i].drained << i);
	}
}

static bool same_members(const struct xfwd_group_set *a, const struct xfwd_group_set *b)
{
	return a->count == b->count && a->drained == b->drained &&
	       !memcmp(a->members, b->members, a->count * 4) &&
	       !memcmp(a->hops, b->hops, a->count);
}

/* The group with exactly these members and weights, created when new:
 * its buckets dealt from prev's (the group the route had), so only the
 * flows that must move do. */
static int group_get(struct xtable *t, struct member *m, uint32_t n, uint32_t prev,
		     uint32_t *id)
{
	struct xfwd_group g = { 0 };
	uint32_t free_id = 0;
	int ret;

	set_of(&g.set[0], m, n);
	for (uint32_t i = 1; i < t->grp_max; i++) {
		const struct xfwd_group_set *s = xt_group_set(t, i);

		if (same_members(s, &g.set[0])) {
			*id = i;
			return 0;
		}
		if (!free_id && !s->count && !t->grp_refs[i])
			free_id = i;
	}
	if (!free_id)
		return xt_fail(t, -ENOSPC, "all %u next-hop group slots are in use: attach with a larger 'groups'",
			    t->grp_max - 1);
	buckets_deal(&g.set[0], prev && prev < t->grp_max ? xt_group_set(t, prev) : NULL);
	for (uint32_t i = 0; i < n; i++)
		t->nh_refs[m[i].id]++;
	*id = free_id;
	ret = group_write(t, free_id, &g);
	/* No route uses it yet: marking it is enough. */
	return ret ?: lpm4_mark_dead(&t->lpm, free_id, group_dead(t, free_id));
}

/* A group nobody references is cleared only at the commit, after the
 * routes that pointed at it are live elsewhere (a batch may hold them
 * back for long); a route taking it up again meanwhile keeps it. */
void group_unref(struct xtable *t, uint32_t id)
{
	if (!id || id >= t->grp_max || !t->grp_refs[id] || --t->grp_refs[id])
		return;
	if (GROW(t->gone, t->ngone, t->capgone, 64))
		return; /* the slot stays in use until the next load */
	t->gone[t->ngone++] = id;
}

void group_release(struct xtable *t, uint32_t id)
{
	struct xfwd_group g = t->grp[id];
	struct xfwd_group_set *s = &g.set[g.active & 1];

	struct xfwd_group zero = { 0 };

	if (t->grp_refs[id] || !s->count)
		return;
	/* The group first, then its members: a reader never finds a group
	 * holding a cleared next hop. */
	group_write(t, id, &zero);
	lpm4_mark_dead(&t->lpm, id, false);
	for (uint32_t i = 0; i < s->count && i < XFWD_ECMP_MAX; i++)
		nh_unref(t, s->members[i]);
}

/* Resolve members into a group id holding one reference for the caller;
 * prev: the group the route had (0: none). */
int group_for(struct xtable *t, const struct nh_key *members, int n, uint32_t prev,
	      uint32_t *gid)
{
	struct member m[XFWD_ECMP_MAX];
	uint32_t u = 0;
	int ret;

	for (int i = 0; i < n; i++) {
		uint32_t id = 0;
		bool dup = false;

		if ((ret = nh_get(t, &members[i], &id)))
			goto undo;
		for (uint32_t j = 0; j < u; j++)
			dup |= m[j].id == id;
		if (!dup)
			m[u++] = (struct member){ id, members[i].hops, !!members[i].drained };
	}
	ret = group_get(t, m, u, prev, gid);
	if (ret)
		goto undo;
	t->grp_refs[*gid]++;
	return 0;
undo:
	/* New next hops nobody references yet are released again. */
	for (uint32_t i = 0; i < t->nh_max; i++)
		if (t->nh[i].kind && !t->nh_refs[i])
			nh_write(t, i, &(struct xfwd_nh){ 0 });
	return ret;
}

uint32_t xt_used_groups(const struct xtable *t)
{
	uint32_t n = 0;

	for (uint32_t g = 1; g < t->grp_max; g++)
		n += xt_group_set(t, g)->count > 0;
	return n;
}
