// SPDX-License-Identifier: GPL-2.0-only
/* Routes: set, delete, look up and list, IPv4 and IPv6. */
#include "table_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "grow.h"

/* A route's group (0: none) and origin (-1: none), in one lookup. */
static uint32_t route_get(const struct xtable *t, const struct xprefix *p, int *origin)
{
	uint32_t g;
	uint8_t tag;

	*origin = -1;
	if (p->addr.family == AF_INET ? !lpm4_find(&t->lpm, xaddr_v4(&p->addr), p->len, &g, &tag)
				      : !lpm6_find(&t->lpm6, p->addr.bytes, p->len, &g, &tag))
		return 0;
	*origin = tag;
	return g;
}

uint32_t xt_route_group(const struct xtable *t, const struct xprefix *p)
{
	int origin;

	return route_get(t, p, &origin);
}

int xt_route_members(const struct xtable *t, const struct xprefix *p, struct nh_key *k)
{
	uint32_t g = xt_route_group(t, p);
	const struct xfwd_group_set *set;
	int n = 0;

	if (!g || g >= t->grp_max)
		return 0;
	set = &t->grp[g].set[t->grp[g].active & 1];
	for (uint32_t i = 0; i < set->count && i < XFWD_ECMP_MAX; i++) {
		const struct xfwd_nh *nh = &t->nh[set->members[i] < t->nh_max ? set->members[i] : 0];

		k[n] = (struct nh_key){ .kind = nh->kind, .oif = nh->oif, .tunnel = nh->tunnel,
					.hops = set->hops[i], .drained = (set->drained >> i) & 1 };
		if (nh->kind == XFWD_NH_DIRECT) {
			k[n].gw.family = nh->family;
			memcpy(k[n].gw.bytes, nh->addr, 16);
		}
		n++;
	}
	return n;
}

int xt_route_origin(const struct xtable *t, const struct xprefix *p)
{
	int origin;

	route_get(t, p, &origin);
	return origin;
}

/* The live map still has p's record (deleted since the last commit, and
 * added back): writing it takes no new slot. Asked only near the limit. */
static bool record4_in(const struct xtable *t, const struct xprefix *p)
{
	struct xfwd_route_key4 k = { p->len, 0 };
	struct xfwd_route r;

	memcpy(&k.addr, p->addr.bytes, 4);
	return !KIO((struct kio *)&t->io, map_get, XFWD_M_routes4, &k, &r);
}

/* same: the route is there already with this group and origin. */
static int install4(struct xtable *t, const struct xprefix *p, uint32_t gid,
		    uint8_t origin, bool same)
{
	uint32_t a = xaddr_v4(&p->addr), g0;
	uint8_t tag0;
	int ret;

	/* The route records' hash map is the limit: a full one would fail
	 * at the commit, after the change was made in memory. Records of
	 * routes deleted since the last commit stay in it until the commit's
	 * end (new records go in first). */
	if (lpm4_rule_count(&t->lpm) + t->rec4_gone >= t->info.routes4_max &&
	    !lpm4_find(&t->lpm, a, p->len, &g0, &tag0) && !record4_in(t, p))
		return xt_fail(t, -ENOSPC, "all %u IPv4 routes in use: attach with a larger 'routes4'",
			    t->info.routes4_max);
	ret = lpm4_add_tagged(&t->lpm, a, p->len, gid, origin);

	if (ret == -ENOSPC)
		return xt_fail(t, ret, "no free IPv4 second-level group (%u in use): attach with a larger 'tbl8-groups'",
			    t->lpm.groups);
	if (ret)
		return xt_fail(t, ret, "cannot add the route: %s", strerror(-ret));
	/* Unchanged (a restarted daemon's dump): the rule came from its
	 * record, or its record is already on the way. The add above still
	 * rewrites any entry the live map lacks (a daemon that died between
	 * the records and the flush). */
	if (same)
		return 0;
	if (KIO(&t->io, rec_queued)) { /* a batch: the record now, from the writer thread */
		struct xfwd_route_key4 k = { p->len, htonl(a) };
		struct xfwd_route r = { .group = gid, .origin = origin, .prefixlen = (uint8_t)p->len };

		ret = KIO(&t->io, rec_queue_put, &k, &r);
	} else {
		ret = pend4(t, p);
	}
	return ret ? xt_fail(t, -ENOMEM, "out of memory") : 0;
}

static int install6(struct xtable *t, const struct xprefix *p, uint32_t gid,
		    uint8_t origin, bool same)
{
	struct xfwd_route_key6 k = { .prefixlen = p->len };
	struct xfwd_route r = { .group = gid, .origin = origin,
				.prefixlen = (uint8_t)p->len };
	uint32_t old_group;
	uint8_t old_origin;
	bool had;
	int ret;

	if (same)
		return 0; /* read from the records: tbl6 has it already */
	had = lpm6_find(&t->lpm6, p->addr.bytes, p->len, &old_group, &old_origin);
	memcpy(k.addr, p->addr.bytes, 16);
	ret = lpm6_add(&t->lpm6, p->addr.bytes, p->len, gid, origin);
	if (ret == -ENOSPC)
		return xt_fail(t, ret, "no free IPv6 table node (%u of %u in use): attach with a larger 'tbl6-nodes'",
			       t->lpm6.used, t->lpm6.nodes);
	if (ret)
		return xt_fail(t, ret, "cannot add the route: %s", strerror(-ret));
	/* The record: what XDP asks for a covering route. The trie replaces
	 * an existing node under RCU: hitless. */
	t->dirty = true;
	if ((ret = KIO(&t->io, map_put, XFWD_M_routes6, &k, &r, KIO_ANY))) {
		if (had) /* as it was: the flush writes nothing of it */
			lpm6_add(&t->lpm6, p->addr.bytes, p->len, old_group, old_origin);
		else
			lpm6_del(&t->lpm6, p->addr.bytes, p->len);
		return xt_fail(t, ret, "cannot write the IPv6 route: %s%s", strerror(-ret),
			    ret == -ENOSPC ? " (attach with a larger 'routes6')" : "");
	}
	return 0;
}

/* The xfrm interface a group sends into (an ipsec tunnel is always a
 * group's only member), or 0. */
uint32_t group_xfrm_dev(const struct xtable *t, uint32_t gid)
{
	const struct xfwd_group_set *s;
	const struct xfwd_nh *n;

	if (!gid)
		return 0;
	s = &t->grp[gid].set[t->grp[gid].active & 1];
	n = &t->nh[s->members[0]];
	return s->count == 1 && (n->flags & XFWD_NH_F_XFRM) ? n->oif : 0;
}

static int ipsec_members_check(struct xtable *t, const struct nh_key *m, int n)
{
	for (int i = 0; i < n && n > 1; i++)
		if (m[i].kind == XFWD_NH_TUNNEL && t->tun[m[i].tunnel].type == XFWD_TUN_IPSEC)
			return xt_fail(t, -EINVAL, "a route over ipsec tunnel %s takes no other next hop: the kernel encrypts it (docs/ipsec.md)",
				    t->tun[m[i].tunnel].name);
	return 0;
}

int xt_route_set(struct xtable *t, const struct xprefix *p,
		 const struct nh_key *members, int n, uint8_t origin,
		 enum route_op op)
{
	uint32_t old, gid = 0, dev, old_dev;
	char buf[XPREFIX_STRLEN];
	int ret, old_origin;
	bool same;

	old = route_get(t, p, &old_origin);
	if (old && op == ROUTE_ADD)
		return xt_fail(t, -EEXIST, "route %s exists: use 'xfwd route replace' to change it",
			    xprefix_str(p, buf));
	/* Before the first write (a group, a record): a death from here on
	 * leaves a journal, and the next xfwd makes the maps agree. */
	if ((ret = xt_mark_writing(t)))
		return ret;
	if ((ret = ipsec_members_check(t, members, n)) || (ret = group_for(t, members, n, old, &gid)))
		return ret;
	dev = group_xfrm_dev(t, gid);
	old_dev = group_xfrm_dev(t, old);
	if (dev && (ret = kernel_route_follow(t, p, dev, old_dev))) {
		group_unref(t, gid);
		return ret;
	}
	same = gid == old && old_origin == origin;
	ret = p->addr.family == AF_INET ? install4(t, p, gid, origin, same)
					: install6(t, p, gid, origin, same);
	if (ret && dev && dev != old_dev)
		KIO(&t->io, route_dev, ROUTE_DEV_DEL, p, dev);
	group_unref(t, ret ? gid : old);
	if (!ret && !dev && old_dev)
		ret = kernel_route_follow(t, p, 0, old_dev);
	return ret || t->batch ? ret : xt_commit(t);
}

int xt_route_del(struct xtable *t, const struct xprefix *p)
{
	uint32_t old = xt_route_group(t, p), old_dev;
	char buf[XPREFIX_STRLEN];
	int ret;

	if (!old)
		return xt_fail(t, -ENOENT, "no route %s (see 'xfwd route show')", xprefix_str(p, buf));
	if ((ret = xt_mark_writing(t)))
		return ret;
	old_dev = group_xfrm_dev(t, old);
	if (p->addr.family == AF_INET) {
		ret = lpm4_del(&t->lpm, xaddr_v4(&p->addr), p->len);
		if (!ret)
			ret = pend4(t, p);
		t->rec4_gone += !ret;
	} else {
		struct xfwd_route_key6 k = { .prefixlen = p->len };
		int origin;
		uint32_t group = route_get(t, p, &origin);

		memcpy(k.addr, p->addr.bytes, 16);
		t->dirty = true;
		ret = lpm6_del(&t->lpm6, p->addr.bytes, p->len);
		if (!ret && (ret = KIO(&t->io, map_del, XFWD_M_routes6, &k)))
			lpm6_add(&t->lpm6, p->addr.bytes, p->len, group, (uint8_t)origin); /* as it was */
	}
	if (ret)
		return xt_fail(t, ret, "cannot delete the route: %s", strerror(-ret));
	group_unref(t, old);
	if ((ret = kernel_route_follow(t, p, 0, old_dev)))
		return ret;
	return t->batch ? 0 : xt_commit(t);
}

static void keep_route(struct route_list *l, const struct xroute *r)
{
	uint32_t dev = l->xfrm ? group_xfrm_dev(l->xfrm, r->group) : 0;

	if ((l->origin >= 0 && r->origin != l->origin) ||
	    (l->xfrm && (!dev || (l->xfrm_dev && dev != l->xfrm_dev))))
		return;
	if (GROW(l->v, l->n, l->cap, 1024)) {
		l->nomem = true;
		return;
	}
	l->v[l->n++] = *r;
}

static void keep_route4(uint32_t addr, unsigned int depth, uint32_t target, uint8_t tag, void *arg)
{
	struct xroute r = { .p.len = depth, .group = target, .origin = tag };

	xaddr_set_v4(&r.p.addr, addr);
	keep_route(arg, &r);
}

static void keep_route6(const uint8_t addr[16], unsigned int depth, uint32_t target, uint8_t tag,
			void *arg)
{
	struct xroute r = { .p = { .addr.family = AF_INET6, .len = depth }, .group = target, .origin = tag };

	memcpy(r.p.addr.bytes, addr, 16);
	keep_route(arg, &r);
}

int routes_of(const struct xtable *t, struct route_list l, struct xroute **out, size_t *n)
{
	lpm4_for_each(&t->lpm, keep_route4, &l);
	lpm6_for_each(&t->lpm6, keep_route6, &l);
	if (l.nomem) {
		free(l.v);
		return -ENOMEM;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

int xt_routes(const struct xtable *t, int origin, struct xroute **out, size_t *n)
{
	return routes_of(t, (struct route_list){ .origin = origin }, out, n);
}
