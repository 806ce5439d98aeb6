// SPDX-License-Identifier: GPL-2.0-only
#include "table.h"
#include "maps/xfwd_tunnel.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "grow.h"
#include "log.h"

static int fail(struct xtable *t, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->err, t->errlen, fmt, ap);
	va_end(ap);
	return ret < 0 ? ret : -EINVAL;
}

/* ---- bulk map I/O ---- */

static int fetch_lpm(void *arg, uint32_t tbl, uint32_t start, uint32_t count,
		     uint32_t *dst)
{
	struct xtable *t = arg;

	return KIO(&t->io, lpm_read, tbl, start, count, dst);
}

static int emit_lpm(void *arg, uint32_t tbl, const struct lpm4_write *w, size_t n)
{
	struct xtable *t = arg;

	return KIO(&t->io, lpm_write, tbl, w, n);
}

/* Apply the table's changes to the live maps (lpm4_flush's order). */
static int flush_lpm(struct xtable *t)
{
	int ret;

	if (!t->lpm.ndirty)
		return 0;
	t->dirty = true;
	ret = lpm4_flush(&t->lpm, emit_lpm, t);
	if (ret)
		t->broken = true; /* the live maps are unknown now */
	return ret;
}

/* A grace period: every XDP program run that began before has ended.
 * What is unlinked must be live first. */
static void grace(void *arg)
{
	struct xtable *t = arg;
	int ret = flush_lpm(t);

	if (ret)
		t->lpm.io_err = ret;
	KIO(&t->io, grace);
}

/* ---- loading ---- */

static void ref_group(struct xtable *t, uint32_t g)
{
	if (g && g < t->grp_max)
		t->grp_refs[g]++;
}

static int add_route4(void *arg, const void *key, const void *val)
{
	struct xtable *t = arg;
	const struct xfwd_route *r = val;
	const struct xfwd_route_key4 *k = key;
	uint32_t a = ntohl(k->addr);

	if (lpm4_rule_load(&t->lpm, a, k->prefixlen, r->group, r->origin))
		return -EBADMSG;
	ref_group(t, r->group);
	return 0;
}

/* ---- IPv6 routes in memory: an array, indexed by an open-addressing
 * hash of (address, length) (a full IPv6 table is ~200k routes). ---- */

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

static int push_route6(struct xtable *t, const uint8_t *addr, uint8_t len,
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
static void drop_route6(struct xtable *t, struct route6 *r)
{
	size_t i = (size_t)(r - t->r6), last = t->n6 - 1;

	h6_clear(t, h6_slot(t, r->addr, r->len));
	if (i != last) {
		t->h6[h6_slot(t, t->r6[last].addr, t->r6[last].len)] = (uint32_t)i + 1;
		t->r6[i] = t->r6[last];
	}
	t->n6--;
}

static int add_route6(void *arg, const void *key, const void *val)
{
	struct xtable *t = arg;
	const struct xfwd_route *r = val;
	const struct xfwd_route_key6 *k = key;

	if (push_route6(t, k->addr, (uint8_t)k->prefixlen, r->group, r->origin))
		return -ENOMEM;
	ref_group(t, r->group);
	return 0;
}

static void count_nh_refs(struct xtable *t)
{
	for (uint32_t g = 1; g < t->grp_max; g++) {
		const struct xfwd_group_set *s =
			&t->grp[g].set[t->grp[g].active & 1];

		for (uint32_t i = 0; i < s->count && i < XFWD_ECMP_MAX; i++)
			if (s->members[i] < t->nh_max)
				t->nh_refs[s->members[i]]++;
	}
}

static bool group_dead(const struct xtable *t, uint32_t id);

int xt_load(struct xtable *t, const struct kio *io, const struct xfwd_info *in,
	    bool routes, char *err, size_t errlen)
{
	int ret;

	memset(t, 0, sizeof(*t));
	t->io = *io;
	t->info = *in;
	t->err = err;
	t->errlen = errlen;
	t->nh_max = in->nexthops_max;
	t->grp_max = in->groups_max;
	t->nh = calloc(t->nh_max, sizeof(*t->nh));
	t->nh_refs = calloc(t->nh_max, sizeof(*t->nh_refs));
	t->grp = calloc(t->grp_max, sizeof(*t->grp));
	t->grp_refs = calloc(t->grp_max, sizeof(*t->grp_refs));
	t->tun = calloc(XFWD_MAX_TUNNELS, sizeof(*t->tun));
	if (!t->nh || !t->nh_refs || !t->grp || !t->grp_refs || !t->tun ||
	    lpm4_init(&t->lpm, in->tbl8_groups))
		return fail(t, -ENOMEM, "out of memory loading the route table");
	t->lpm.grace = grace;
	t->lpm.grace_arg = t;
	t->lpm.fetch = fetch_lpm;
	t->lpm.fetch_arg = t;
	ret = KIO(io, map_read, XFWD_M_nexthops, 0, t->nh_max, sizeof(*t->nh), t->nh);
	if (!ret)
		ret = KIO(io, map_read, XFWD_M_groups, 0, t->grp_max, sizeof(*t->grp), t->grp);
	if (!ret)
		ret = KIO(io, map_read, XFWD_M_tunnels, 0, XFWD_MAX_TUNNELS, sizeof(*t->tun), t->tun);
	if (ret)
		return fail(t, ret, "cannot read the pinned maps: %s", strerror(-ret));
	if (!routes) {
		count_nh_refs(t);
		return 0;
	}
	ret = KIO(io, map_each, XFWD_M_routes4, sizeof(struct xfwd_route_key4), add_route4, t);
	if (!ret)
		ret = KIO(io, map_each, XFWD_M_routes6, sizeof(struct xfwd_route_key6), add_route6, t);
	for (uint32_t g = 1; g < t->grp_max && !ret; g++)
		if (group_dead(t, g)) /* the live table leaves its routes out */
			ret = lpm4_mark_dead(&t->lpm, g, true);
	if (!ret)
		ret = lpm4_adopt(&t->lpm);
	if (ret)
		return fail(t, ret, "the pinned route maps are inconsistent (%s): run 'xfwd detach' and attach again",
			    strerror(-ret));
	count_nh_refs(t);
	return 0;
}

void xt_free(struct xtable *t)
{
	lpm4_fini(&t->lpm);
	if (t->io.ops && t->io.ops->close)
		KIO(&t->io, close);
	free(t->gone);
	free(t->xgone);
	free(t->pend4);
	free(t->nh);
	free(t->nh_refs);
	free(t->grp);
	free(t->grp_refs);
	free(t->tun);
	free(t->r6);
	free(t->h6);
	memset(t, 0, sizeof(*t));
}

/* ---- next hops ---- */

static bool nh_matches(const struct xfwd_nh *n, const struct nh_key *k)
{
	if (n->kind != k->kind)
		return false;
	if (k->kind == XFWD_NH_TUNNEL)
		return n->tunnel == k->tunnel;
	if (k->kind != XFWD_NH_DIRECT)
		return true;
	return n->oif == k->oif && n->family == k->gw.family &&
	       !memcmp(n->addr, k->gw.bytes, 16);
}

static int nh_write(struct xtable *t, uint32_t id, const struct xfwd_nh *n)
{
	t->dirty = true;
	int ret = KIO(&t->io, map_put, XFWD_M_nexthops, &id, n, KIO_ANY);

	if (ret)
		return fail(t, ret, "cannot write next hop %u: %s", id, strerror(-ret));
	t->nh[id] = *n;
	return 0;
}

/* Look the neighbour up; if unknown, have the kernel resolve and keep it
 * (managed entry) and wait up to 3 s for the answer (IPv6 neighbour
 * discovery on a link that just came up took 2 s here). */
static bool resolve_mac(const struct xtable *t, const struct xaddr *gw, uint32_t oif,
			uint8_t mac[6])
{
	if (!KIO(&t->io, neigh_mac, gw, oif, mac))
		return true;
	if (KIO(&t->io, neigh_manage, gw, oif) || t->no_wait)
		return false;
	for (int i = 0; i < 60; i++) {
		KIO(&t->io, pause_ms, 50);
		if (!KIO(&t->io, neigh_mac, gw, oif, mac))
			return true;
	}
	return false;
}

/* A direct next hop's egress: the XDP device (VLAN parent), its tag. */
static int nh_fill_direct(struct xtable *t, const struct nh_key *k,
			  struct xfwd_nh *n)
{
	struct link_info li, phys;
	char a[XADDR_STRLEN];

	if (KIO(&t->io, link_get, k->oif, &li))
		return fail(t, -ENODEV, "device %u disappeared", k->oif);
	phys = li;
	if (li.is_vlan && KIO(&t->io, link_get, li.parent, &phys))
		return fail(t, -ENODEV, "%s: cannot find its lower device", li.name);
	if (!KIO(&t->io, dev_attached, phys.ifindex))
		return fail(t, -EINVAL, "%s is not attached to xfwd: run 'xfwd attach %s' first",
			    phys.name, phys.name);
	n->kind = XFWD_NH_DIRECT;
	n->family = (uint8_t)k->gw.family;
	memcpy(n->addr, k->gw.bytes, 16);
	n->oif = k->oif;
	n->ifindex = phys.ifindex;
	n->mtu = li.mtu;
	memcpy(n->l2[0].smac, li.mac, 6);
	n->l2[0].vlan = li.is_vlan ? li.vlan : 0;
	if (resolve_mac(t, &k->gw, k->oif, n->l2[0].dmac))
		n->flags |= XFWD_NH_F_NEIGH;
	else if (!t->no_wait)
		xlog(LOG_WARNING, "warning: neighbour %s on %s is not resolved yet; its packets go to the kernel until 'xfwd nexthop refresh' finds it",
			xaddr_str(&k->gw, a), li.name);
	return 0;
}

/* Bytes in front of the inner packet (as bpf/lib/tunnel.h builds them). */
static uint32_t tunnel_overhead(const struct xfwd_tunnel *tun)
{
	uint32_t hdr = 0;

	if (tun->type == XFWD_TUN_GRE)
		hdr = (tun->flags & XFWD_TUN_F_KEY) ? 8 : 4;
	else if (tun->type == XFWD_TUN_VXLAN || tun->type == XFWD_TUN_GENEVE)
		hdr = 8 + 8 + ((tun->flags & XFWD_TUN_F_INNER_IP) ? 0 : 14); /* UDP, VXLAN/GENEVE, inner Ethernet */
	return (tun->family == AF_INET ? 20 : 40) + hdr;
}

/* An ipsec tunnel's next hop has no MAC and no MTU of its own: XDP
 * passes its packets to the kernel (XFWD_NH_F_XFRM), whose route into the
 * xfrm interface encrypts them. It dies with that interface's link. */
static int nh_fill_xfrm(struct xtable *t, const struct nh_key *k, struct xfwd_nh *n)
{
	const struct xfwd_tunnel *tun = &t->tun[k->tunnel];
	uint32_t ifindex = KIO(&t->io, link_index, tun->name);
	struct link_info li;

	if (!ifindex || KIO(&t->io, link_get, ifindex, &li))
		return fail(t, -ENODEV, "tunnel %s: its xfrm interface %s is gone: delete the tunnel and add it again",
			    tun->name, tun->name);
	n->kind = XFWD_NH_TUNNEL;
	n->tunnel = k->tunnel;
	n->family = tun->family;
	n->oif = n->ifindex = ifindex;
	n->mtu = li.mtu;
	n->flags = XFWD_NH_F_XFRM | (li.up && li.carrier ? 0 : XFWD_NH_F_DEAD);
	return 0;
}

/* A tunnel next hop is a direct hop to the underlay gateway (the kernel's
 * route to the remote, or the remote itself on the named device) plus
 * the tunnel id; its MTU is what fits in the tunnel. */
static int nh_fill_tunnel(struct xtable *t, const struct nh_key *k,
			  struct xfwd_nh *n)
{
	const struct xfwd_tunnel *tun = &t->tun[k->tunnel];
	struct nh_key under = { .kind = XFWD_NH_DIRECT };
	struct xaddr remote = { .family = tun->family };
	char a[XADDR_STRLEN];
	uint32_t room;
	int ret;

	if (tun->type == XFWD_TUN_IPSEC)
		return nh_fill_xfrm(t, k, n);
	memcpy(remote.bytes, tun->remote, 16);
	if (tun->dev) {
		under.oif = tun->dev;
		under.gw = remote;
	} else if (KIO(&t->io, route_get, &remote, &under.oif, &under.gw)) {
		return fail(t, -ENETUNREACH, "tunnel %s: no kernel route to its remote %s (add one, or give 'dev')",
			    tun->name, xaddr_str(&remote, a));
	}
	if ((ret = nh_fill_direct(t, &under, n)))
		return ret;
	n->kind = XFWD_NH_TUNNEL;
	n->tunnel = k->tunnel;
	room = n->mtu - tunnel_overhead(tun);
	n->mtu = tun->mtu && tun->mtu < room ? tun->mtu : room;
	return 0;
}

/* The id of the next hop for k, creating it when new. */
static int nh_get(struct xtable *t, const struct nh_key *k, uint32_t *id)
{
	struct xfwd_nh n = { 0 };
	uint32_t free_id = 0;
	int ret;

	for (uint32_t i = 1; i < t->nh_max; i++) {
		if (t->nh[i].kind && nh_matches(&t->nh[i], k)) {
			*id = i;
			return 0;
		}
		if (!free_id && !t->nh[i].kind && !t->nh_refs[i])
			free_id = i;
	}
	if (!free_id)
		return fail(t, -ENOSPC, "all %u next-hop slots are in use: attach with a larger 'nexthops'",
			    t->nh_max - 1);
	n.kind = k->kind;
	if (k->kind == XFWD_NH_DIRECT && (ret = nh_fill_direct(t, k, &n)))
		return ret;
	if (k->kind == XFWD_NH_TUNNEL && (ret = nh_fill_tunnel(t, k, &n)))
		return ret;
	*id = free_id;
	return nh_write(t, free_id, &n);
}

static void nh_unref(struct xtable *t, uint32_t id)
{
	struct xfwd_nh zero = { 0 };

	if (!id || id >= t->nh_max || !t->nh_refs[id] || --t->nh_refs[id])
		return;
	nh_write(t, id, &zero);
}

/* ---- groups ---- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int group_write(struct xtable *t, uint32_t id, const struct xfwd_group *g)
{
	t->dirty = true;
	int ret = KIO(&t->io, map_put, XFWD_M_groups, &id, g, KIO_ANY);

	if (ret)
		return fail(t, ret, "cannot write group %u: %s", id, strerror(-ret));
	t->grp[id] = *g;
	return 0;
}

/* Every member dead: the group's IPv4 routes leave the table for their
 * covering routes (lpm4's dead targets; docs/covering-routes.md). */
static bool group_dead(const struct xtable *t, uint32_t id)
{
	const struct xfwd_group_set *s = &t->grp[id].set[t->grp[id].active & 1];

	if (!s->count)
		return false;
	for (uint32_t i = 0; i < s->count && i < XFWD_ECMP_MAX; i++)
		if (!(t->nh[s->members[i]].flags & XFWD_NH_F_DEAD))
			return false;
	return true;
}

/* The group with exactly these members (sorted), created when new. */
static int group_get(struct xtable *t, uint32_t *members, uint32_t n,
		     uint32_t *id)
{
	struct xfwd_group g = { 0 };
	uint32_t free_id = 0;
	int ret;

	qsort(members, n, sizeof(*members), cmp_u32);
	for (uint32_t i = 1; i < t->grp_max; i++) {
		const struct xfwd_group_set *s = &t->grp[i].set[t->grp[i].active & 1];

		if (s->count == n && !memcmp(s->members, members, n * 4)) {
			*id = i;
			return 0;
		}
		if (!free_id && !s->count && !t->grp_refs[i])
			free_id = i;
	}
	if (!free_id)
		return fail(t, -ENOSPC, "all %u next-hop group slots are in use: attach with a larger 'groups'",
			    t->grp_max - 1);
	g.set[0].count = n;
	memcpy(g.set[0].members, members, n * 4);
	for (uint32_t i = 0; i < n; i++)
		t->nh_refs[members[i]]++;
	*id = free_id;
	ret = group_write(t, free_id, &g);
	/* No route uses it yet: marking it is enough. */
	return ret ?: lpm4_mark_dead(&t->lpm, free_id, group_dead(t, free_id));
}

/* A group nobody references is cleared only at the commit, after the
 * routes that pointed at it are live elsewhere (a batch may hold them
 * back for long); a route taking it up again meanwhile keeps it. */
static void group_unref(struct xtable *t, uint32_t id)
{
	if (!id || id >= t->grp_max || !t->grp_refs[id] || --t->grp_refs[id])
		return;
	if (GROW(t->gone, t->ngone, t->capgone, 64))
		return; /* the slot stays in use until the next load */
	t->gone[t->ngone++] = id;
}

static void group_release(struct xtable *t, uint32_t id)
{
	struct xfwd_group g = t->grp[id];
	struct xfwd_group_set *s = &g.set[g.active & 1];

	if (t->grp_refs[id] || !s->count)
		return;
	for (uint32_t i = 0; i < s->count && i < XFWD_ECMP_MAX; i++)
		nh_unref(t, s->members[i]);
	memset(&g, 0, sizeof(g));
	group_write(t, id, &g);
	lpm4_mark_dead(&t->lpm, id, false);
}

/* Resolve members into a group id holding one reference for the caller. */
static int group_for(struct xtable *t, const struct nh_key *members, int n,
		     uint32_t *gid)
{
	uint32_t ids[XFWD_ECMP_MAX], u = 0;
	int ret;

	for (int i = 0; i < n; i++) {
		uint32_t id = 0;
		bool dup = false;

		if ((ret = nh_get(t, &members[i], &id)))
			goto undo;
		for (uint32_t j = 0; j < u; j++)
			dup |= ids[j] == id;
		if (!dup)
			ids[u++] = id;
	}
	ret = group_get(t, ids, u, gid);
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

/* ---- routes ---- */

static struct route6 *find6(const struct xtable *t, const struct xprefix *p)
{
	uint32_t i;

	if (!t->hcap6)
		return NULL;
	i = t->h6[h6_slot(t, p->addr.bytes, (uint8_t)p->len)];
	return i ? &t->r6[i - 1] : NULL;
}

/* A route's group (0: none) and origin (-1: none), in one lookup. */
static uint32_t route_get(const struct xtable *t, const struct xprefix *p, int *origin)
{
	const struct route6 *r;
	uint32_t g;
	uint8_t tag;

	*origin = -1;
	if (p->addr.family == AF_INET) {
		if (!lpm4_find(&t->lpm, xaddr_v4(&p->addr), p->len, &g, &tag))
			return 0;
		*origin = tag;
		return g;
	}
	if (!(r = find6(t, p)))
		return 0;
	*origin = r->origin;
	return r->group;
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

		k[n] = (struct nh_key){ .kind = nh->kind, .oif = nh->oif, .tunnel = nh->tunnel };
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

/* ---- the route record (xfwd_routes4), written at the commit ---- */

static int pend4(struct xtable *t, const struct xprefix *p)
{
	struct xfwd_route_key4 k = { p->len, 0 };

	if (GROW(t->pend4, t->npend4, t->cappend4, 256))
		return -ENOMEM;
	memcpy(&k.addr, p->addr.bytes, 4);
	t->pend4[t->npend4++] = k;
	return 0;
}

static int cmp_key4(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct xfwd_route_key4));
}

/* The records a commit writes: of each changed prefix (once), a put if
 * the rule set has it, a delete if not. One lookup per prefix. */
struct rec_plan {
	struct xfwd_route_key4 *put, *del;
	struct xfwd_route *val;
	__u32 nput, ndel;
};

static int plan_records(struct xtable *t, struct rec_plan *pl)
{
	struct xfwd_route_key4 *k = t->pend4;

	memset(pl, 0, sizeof(*pl));
	if (!t->npend4)
		return 0;
	pl->put = malloc(t->npend4 * sizeof(*pl->put));
	pl->del = malloc(t->npend4 * sizeof(*pl->del));
	pl->val = malloc(t->npend4 * sizeof(*pl->val));
	if (!pl->put || !pl->del || !pl->val)
		return -ENOMEM;
	qsort(k, t->npend4, sizeof(*k), cmp_key4);
	for (size_t i = 0; i < t->npend4; i++) {
		uint32_t g;
		uint8_t tag;

		if (i && !cmp_key4(&k[i], &k[i - 1]))
			continue;
		if (!lpm4_find(&t->lpm, ntohl(k[i].addr), k[i].prefixlen, &g, &tag)) {
			pl->del[pl->ndel++] = k[i];
			continue;
		}
		pl->val[pl->nput] = (struct xfwd_route){ .group = g, .origin = tag,
							 .prefixlen = (uint8_t)k[i].prefixlen };
		pl->put[pl->nput++] = k[i];
	}
	t->npend4 = 0;
	return 0;
}

static int write_puts(struct xtable *t, const struct rec_plan *pl)
{
	return pl->nput ? KIO(&t->io, rec_put, pl->put, pl->val, pl->nput) : 0;
}

/* In a batch, on the writer thread: the daemon keeps the lock until it
 * is done (xt_records_busy). */
static int write_dels(struct xtable *t, const struct rec_plan *pl)
{
	if (!pl->ndel)
		return 0;
	return KIO(&t->io, rec_del, pl->del, pl->ndel);
}

/* xfwd's routes into xfrm interfaces as the kernel has them, read once
 * when needed (loaded). */
struct kroutes {
	struct kroute { struct xprefix p; uint32_t dev; } *r;
	size_t n, cap;
	bool loaded;
	int err;
};

static void kroute_seen(const struct xprefix *p, uint32_t dev, void *data)
{
	struct kroutes *k = data;

	if (GROW(k->r, k->n, k->cap, 16))
		k->err = -ENOMEM;
	else
		k->r[k->n++] = (struct kroute){ *p, dev };
}

/* Is the kernel's route for p xfwd's: its device, or 0 (another's). */
static int kroute_dev(struct xtable *t, struct kroutes *k, const struct xprefix *p, uint32_t *dev)
{
	int ret;

	if (!k->loaded && (ret = KIO(&t->io, route_dev_each, kroute_seen, k) ?: k->err))
		return ret;
	k->loaded = true;
	*dev = 0;
	for (size_t i = 0; i < k->n && !*dev; i++)
		if (xprefix_eq(&k->r[i].p, p))
			*dev = k->r[i].dev;
	return 0;
}

/* Put the kernel's route p dev dev in the main table at metric 0: 1 new,
 * 0 there (xfwd's, set to dev), or -errno. A route of someone else's
 * for the prefix at metric 0 is refused, not replaced: deleting ours
 * later would take it with it. */
static int kernel_route_put(struct xtable *t, const struct xprefix *p, uint32_t dev,
			    struct kroutes *k)
{
	char buf[XPREFIX_STRLEN];
	uint32_t cur;
	int ret = KIO(&t->io, route_dev, ROUTE_DEV_NEW, p, dev);

	if (!ret)
		return 1;
	xprefix_str(p, buf);
	if (ret == -EEXIST && !(ret = kroute_dev(t, k, p, &cur))) {
		if (!cur)
			return fail(t, -EEXIST, "the kernel's main table has a route %s of someone else's at metric 0, which xfwd's route into the ipsec tunnel would replace: delete it or give it a metric (ip route del %s; ip route add %s ... metric 100)",
				    buf, buf, buf);
		if (cur == dev || !(ret = KIO(&t->io, route_dev, ROUTE_DEV_SET, p, dev)))
			return 0;
	}
	return fail(t, ret, "cannot add the kernel route %s into the ipsec tunnel: %s", buf,
		    strerror(-ret));
}

/* The kernel's route into the xfrm interface dev for p (dev 0: none),
 * where there was the one into old (0: none). It comes before XDP passes
 * the prefix up, and goes only once the committed maps no longer do
 * (commit): a packet passed up with no route into the interface would
 * leave by a shorter prefix, in clear. */
static int kernel_route_follow(struct xtable *t, const struct xprefix *p, uint32_t dev,
			       uint32_t old)
{
	char buf[XPREFIX_STRLEN];
	int ret;

	if (!dev && old) {
		if (GROW(t->xgone, t->nxgone, t->capxgone, 4))
			return fail(t, -ENOMEM, "out of memory");
		t->xgone[t->nxgone++] = (struct xfrm_gone){ *p, old };
		return 0;
	}
	for (size_t i = 0; dev && i < t->nxgone; i++) /* back before the commit: keep it */
		if (xprefix_eq(&t->xgone[i].p, p))
			t->xgone[i--] = t->xgone[--t->nxgone];
	if (!dev || dev == old)
		return 0;
	if (!old) { /* none of ours known: never replace another's */
		struct kroutes k = { 0 };

		ret = kernel_route_put(t, p, dev, &k);
		free(k.r);
		return ret < 0 ? ret : 0;
	}
	if (!(ret = KIO(&t->io, route_dev, ROUTE_DEV_SET, p, dev))) /* ours, moved */
		return 0;
	return fail(t, ret, "cannot add the kernel route %s into the ipsec tunnel: %s",
		    xprefix_str(p, buf), strerror(-ret));
}

static void kernel_routes_drop(struct xtable *t)
{
	char buf[XPREFIX_STRLEN];
	int ret;

	for (size_t i = 0; i < t->nxgone; i++)
		if ((ret = KIO(&t->io, route_dev, ROUTE_DEV_DEL, &t->xgone[i].p, t->xgone[i].dev)) &&
		    ret != -ESRCH)
			xlog(LOG_WARNING, "warning: could not delete the kernel route %s into an ipsec tunnel: %s (ip route del %s proto %d)",
				xprefix_str(&t->xgone[i].p, buf), strerror(-ret), buf, XFWD_RTPROT);
	t->nxgone = 0;
}

/* Make what changed live. Records of new routes go first and records of
 * removed ones last: a process that dies in between leaves a record the
 * next one reconciles, never a live route without a record. Groups no
 * route uses any more are cleared once nothing live points at them. */
static int commit(struct xtable *t)
{
	struct rec_plan pl = { 0 };
	int ret = KIO(&t->io, rec_wait);

	ret = ret ?: plan_records(t, &pl);
	ret = ret ?: write_puts(t, &pl);
	ret = ret ?: flush_lpm(t);
	ret = ret ?: write_dels(t, &pl);
	free(pl.put);
	free(pl.del);
	free(pl.val);
	if (ret) {
		t->npend4 = 0;
		t->nxgone = 0; /* the live maps are unknown: kernel routes stay */
		t->broken = true;
		return fail(t, ret, "cannot write the route maps: %s", strerror(-ret));
	}
	for (size_t i = 0; i < t->ngone; i++)
		group_release(t, t->gone[i]);
	t->ngone = 0;
	t->rec4_gone = 0;
	kernel_routes_drop(t);
	if ((ret = KIO(&t->io, set_counts, (uint32_t)lpm4_rule_count(&t->lpm), (uint32_t)t->n6,
		       lpm4_groups_used(&t->lpm))))
		return fail(t, ret, "the routes are in, but their counts for 'xfwd status' could not be written: %s",
			    strerror(-ret));
	return 0;
}

void xt_batch_begin(struct xtable *t)
{
	t->batch = true;
	if (!KIO(&t->io, rec_queued))
		KIO(&t->io, rec_queue_start); /* false: written at the end */
}

int xt_batch_end(struct xtable *t)
{
	t->batch = false;
	return commit(t); /* the writer thread stays for the next batch */
}

bool xt_records_busy(struct xtable *t)
{
	return KIO(&t->io, rec_busy);
}

int xt_records_wait(struct xtable *t)
{
	int ret = KIO(&t->io, rec_wait);

	if (ret) {
		t->broken = true;
		return fail(t, ret, "cannot write the route records: %s", strerror(-ret));
	}
	return 0;
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
		return fail(t, -ENOSPC, "all %u IPv4 routes in use: attach with a larger 'routes4'",
			    t->info.routes4_max);
	ret = lpm4_add_tagged(&t->lpm, a, p->len, gid, origin);

	if (ret == -ENOSPC)
		return fail(t, ret, "no free IPv4 second-level group (%u in use): attach with a larger 'tbl8-groups'",
			    t->lpm.groups);
	if (ret)
		return fail(t, ret, "cannot add the route: %s", strerror(-ret));
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
	return ret ? fail(t, -ENOMEM, "out of memory") : 0;
}

static int install6(struct xtable *t, const struct xprefix *p, uint32_t gid,
		    uint8_t origin, bool same)
{
	struct xfwd_route_key6 k = { .prefixlen = p->len };
	struct xfwd_route r = { .group = gid, .origin = origin,
				.prefixlen = (uint8_t)p->len };
	struct route6 *cur;
	int ret;

	if (same)
		return 0; /* read from the trie: it has this already */
	cur = find6(t, p);
	memcpy(k.addr, p->addr.bytes, 16);
	/* The trie replaces an existing node under RCU: hitless. */
	t->dirty = true;
	if ((ret = KIO(&t->io, map_put, XFWD_M_routes6, &k, &r, KIO_ANY)))
		return fail(t, ret, "cannot write the IPv6 route: %s%s", strerror(-ret),
			    ret == -ENOSPC ? " (attach with a larger 'routes6')" : "");
	if (cur) {
		cur->group = gid;
		cur->origin = origin;
	}
	else if (push_route6(t, p->addr.bytes, (uint8_t)p->len, gid, origin))
		return fail(t, -ENOMEM, "out of memory");
	return 0;
}

/* The xfrm interface a group sends into (an ipsec tunnel is always a
 * group's only member), or 0. */
static uint32_t group_xfrm_dev(const struct xtable *t, uint32_t gid)
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
			return fail(t, -EINVAL, "a route over ipsec tunnel %s takes no other next hop: the kernel encrypts it (docs/ipsec.md)",
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
		return fail(t, -EEXIST, "route %s exists: use 'xfwd route replace' to change it",
			    xprefix_str(p, buf));
	if ((ret = ipsec_members_check(t, members, n)) || (ret = group_for(t, members, n, &gid)))
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
	return ret || t->batch ? ret : commit(t);
}

int xt_route_del(struct xtable *t, const struct xprefix *p)
{
	uint32_t old = xt_route_group(t, p), old_dev;
	char buf[XPREFIX_STRLEN];
	int ret;

	if (!old)
		return fail(t, -ENOENT, "no route %s (see 'xfwd route show')", xprefix_str(p, buf));
	old_dev = group_xfrm_dev(t, old);
	if (p->addr.family == AF_INET) {
		ret = lpm4_del(&t->lpm, xaddr_v4(&p->addr), p->len);
		if (!ret)
			ret = pend4(t, p);
		t->rec4_gone += !ret;
	} else {
		struct xfwd_route_key6 k = { .prefixlen = p->len };
		struct route6 *r = find6(t, p);

		memcpy(k.addr, p->addr.bytes, 16);
		t->dirty = true;
		ret = KIO(&t->io, map_del, XFWD_M_routes6, &k);
		if (!ret)
			drop_route6(t, r);
	}
	if (ret)
		return fail(t, ret, "cannot delete the route: %s", strerror(-ret));
	group_unref(t, old);
	if ((ret = kernel_route_follow(t, p, 0, old_dev)))
		return ret;
	return t->batch ? 0 : commit(t);
}

struct route_list {
	struct xroute *v;
	size_t n, cap;
	int origin;
	const struct xtable *xfrm; /* set: only routes into an xfrm interface... */
	uint32_t xfrm_dev;         /* ...this one (0: any) */
	bool nomem;
};

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

static int routes_of(const struct xtable *t, struct route_list l, struct xroute **out, size_t *n)
{
	lpm4_for_each(&t->lpm, keep_route4, &l);
	for (size_t i = 0; i < t->n6; i++) {
		struct xroute r = { .p = { .addr.family = AF_INET6, .len = t->r6[i].len },
				    .group = t->r6[i].group, .origin = t->r6[i].origin };

		memcpy(r.p.addr.bytes, t->r6[i].addr, 16);
		keep_route(&l, &r);
	}
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

/* Does a live route send into an xfrm interface (ifindex; 0: any)? */
static bool xfrm_in_use(const struct xtable *t, uint32_t ifindex)
{
	for (uint32_t id = 1; id < t->nh_max; id++)
		if ((t->nh[id].flags & XFWD_NH_F_XFRM) && t->nh_refs[id] &&
		    (!ifindex || t->nh[id].oif == ifindex))
			return true;
	return false;
}

int xt_kernel_routes_restore(struct xtable *t, uint32_t ifindex)
{
	struct kroutes k = { 0 };
	struct xroute *r;
	size_t n;
	int ret = 0, count = 0;

	if (!xfrm_in_use(t, ifindex))
		return 0;
	if (routes_of(t, (struct route_list){ .origin = -1, .xfrm = t, .xfrm_dev = ifindex }, &r, &n))
		return fail(t, -ENOMEM, "out of memory");
	/* Only the lost count; one of ours there already is set to its
	 * device. One that fails leaves the others to be put back. */
	for (size_t i = 0; i < n; i++) {
		int one = kernel_route_put(t, &r[i].p, group_xfrm_dev(t, r[i].group), &k);

		if (one > 0)
			count++;
		else if (one < 0 && !ret)
			ret = one;
	}
	free(r);
	free(k.r);
	return ret ? ret : count;
}

/* ---- local addresses ---- */

static uint32_t local_group(struct xtable *t)
{
	for (uint32_t g = 1; g < t->grp_max; g++) {
		const struct xfwd_group_set *s = &t->grp[g].set[t->grp[g].active & 1];

		if (s->count == 1 && s->members[0] < t->nh_max &&
		    t->nh[s->members[0]].kind == XFWD_NH_LOCAL)
			return g;
	}
	return 0;
}

static bool addr_in(const struct xaddr *v, size_t n, const struct xprefix *p)
{
	for (size_t i = 0; i < n; i++)
		if (xaddr_eq(&v[i], &p->addr))
			return true;
	return false;
}

static int remove_stale_local(struct xtable *t, const struct xaddr *addrs,
			      size_t n)
{
	uint32_t lg = local_group(t);
	struct xroute *v = NULL;
	size_t nv = 0;
	int ret = lg ? xt_routes(t, -1, &v, &nv) : 0;

	for (size_t i = 0; i < nv && !ret; i++)
		if (v[i].group == lg && !addr_in(addrs, n, &v[i].p))
			ret = xt_route_del(t, &v[i].p);
	free(v);
	return ret;
}

/* Attached interfaces' ICMP source addresses follow their addresses. */
static int sync_iface_addrs(struct xtable *t)
{
	__u32 key, *prev = NULL;
	struct xfwd_iface ifc;
	int ret = 0;

	while (!KIO(&t->io, map_next, XFWD_M_ifaces, prev, &key)) {
		struct xfwd_iface now;
		int one;

		prev = &key;
		if (KIO(&t->io, map_get, XFWD_M_ifaces, &key, &ifc))
			continue;
		now = ifc;
		if (KIO(&t->io, iface_addrs, key, (uint8_t *)&now.addr4, now.addr6) ||
		    !memcmp(&now, &ifc, sizeof(now)))
			continue;
		if ((one = KIO(&t->io, map_put, XFWD_M_ifaces, &key, &now, KIO_EXIST)))
			ret = fail(t, one, "cannot write interface %u's addresses: %s", key, strerror(-one));
	}
	return ret;
}

int xt_sync_local(struct xtable *t)
{
	const struct nh_key local = { .kind = XFWD_NH_LOCAL };
	struct xaddr *addrs;
	size_t n;
	int ret = KIO(&t->io, local_addrs, &addrs, &n);

	if (ret)
		return fail(t, ret, "cannot list local addresses: %s", strerror(-ret));
	ret = sync_iface_addrs(t);
	ret = ret ?: remove_stale_local(t, addrs, n);
	for (size_t i = 0; i < n && !ret; i++) {
		struct xprefix p = { .addr = addrs[i],
				     .len = addrs[i].family == AF_INET ? 32 : 128 };
		uint32_t g = xt_route_group(t, &p);

		if (g && g == local_group(t))
			continue;
		ret = xt_route_set(t, &p, &local, 1, XFWD_ORIGIN_LOCAL, ROUTE_REPLACE);
	}
	free(addrs);
	return ret;
}

/* ---- neighbours ---- */

/* Publish a new MAC in three single-change writes: the idle copy, then
 * the selector, then (if it changes) the resolved flag. */
static int nh_publish(struct xtable *t, uint32_t id, const uint8_t mac[6],
		      bool known)
{
	struct xfwd_nh n = t->nh[id];
	uint8_t idle = !(n.active & 1);
	int ret;

	n.l2[idle] = n.l2[n.active & 1];
	memcpy(n.l2[idle].dmac, mac, 6);
	if ((ret = nh_write(t, id, &n)))
		return ret;
	n.active = idle;
	if ((ret = nh_write(t, id, &n)))
		return ret;
	n.flags = known ? n.flags | XFWD_NH_F_NEIGH : n.flags & ~XFWD_NH_F_NEIGH;
	return nh_write(t, id, &n);
}

/* Give next hop id this MAC (NULL: not known now): 1 if that changed
 * it, 0 if not, or -errno. */
static int nh_set_mac(struct xtable *t, uint32_t id, const uint8_t *mac)
{
	const struct xfwd_nh *n = &t->nh[id];
	const uint8_t *cur = n->l2[n->active & 1].dmac;
	bool had = n->flags & XFWD_NH_F_NEIGH;
	int ret;

	if (had == !!mac && (!mac || !memcmp(mac, cur, 6)))
		return 0;
	ret = nh_publish(t, id, mac ? mac : cur, mac != NULL);
	return ret ? ret : 1;
}

/* A next hop that transmits in XDP, to a MAC the kernel resolves. */
static bool nh_has_mac(const struct xfwd_nh *n)
{
	return (n->kind == XFWD_NH_DIRECT || n->kind == XFWD_NH_TUNNEL) &&
	       !(n->flags & XFWD_NH_F_XFRM);
}

int xt_refresh_neigh(struct xtable *t, int *changed)
{
	*changed = 0;
	for (uint32_t id = 1; id < t->nh_max; id++) {
		const struct xfwd_nh *n = &t->nh[id];
		struct xaddr gw = { .family = n->family };
		uint8_t mac[6] = { 0 };
		int ret;

		if (!nh_has_mac(n))
			continue;
		memcpy(gw.bytes, n->addr, 16);
		ret = nh_set_mac(t, id, resolve_mac(t, &gw, n->oif, mac) ? mac : NULL);
		if (ret < 0)
			return ret;
		*changed += ret;
	}
	return 0;
}

int xt_neigh_set(struct xtable *t, const struct xaddr *gw, uint32_t oif,
		 const uint8_t *mac)
{
	for (uint32_t id = 1; id < t->nh_max; id++) {
		const struct xfwd_nh *n = &t->nh[id];
		int ret;

		if (!nh_has_mac(n) || n->oif != oif || n->family != gw->family ||
		    memcmp(n->addr, gw->bytes, 16))
			continue;
		if ((ret = nh_set_mac(t, id, mac)) < 0)
			return ret;
	}
	return 0;
}

/* Groups whose all-dead state the table does not show yet (after next
 * hops died or came back): their IPv4 routes move to (or back from) their
 * covers, one pass over the rules per direction. */
static int groups_follow(struct xtable *t)
{
	uint32_t *flip[2] = { NULL, NULL };
	size_t n[2] = { 0, 0 }, cap[2] = { 0, 0 };
	int ret = 0;

	for (uint32_t g = 1; g < t->grp_max && !ret; g++) {
		bool dead = group_dead(t, g);

		if (dead == lpm4_is_dead(&t->lpm, g))
			continue;
		if (GROW(flip[dead], n[dead], cap[dead], 16))
			ret = -ENOMEM;
		else
			flip[dead][n[dead]++] = g;
	}
	for (int dead = 0; dead < 2 && !ret; dead++) {
		int moved = n[dead] ? lpm4_set_dead(&t->lpm, flip[dead], n[dead], dead) : 0;

		if (moved < 0)
			ret = moved;
		else
			t->covered += moved;
	}
	free(flip[0]);
	free(flip[1]);
	return ret ? fail(t, ret, "cannot move the routes of groups with no live next hop: %s",
			  strerror(-ret)) : 0;
}

static int nh_set_dead(struct xtable *t, uint32_t id, bool dead, int *changed)
{
	struct xfwd_nh n = t->nh[id];
	int ret;

	if (!(n.flags & XFWD_NH_F_DEAD) == !dead)
		return 0;
	n.flags = dead ? n.flags | XFWD_NH_F_DEAD : n.flags & ~XFWD_NH_F_DEAD;
	if ((ret = nh_write(t, id, &n)))
		return ret;
	(*changed)++;
	return 0;
}

static bool tunnel_down(const struct xtable *t, const struct xfwd_nh *n)
{
	return n->kind == XFWD_NH_TUNNEL && t->tun_down && n->tunnel < XFWD_MAX_TUNNELS &&
	       t->tun_down[n->tunnel];
}

/* After next hops died or came back: routes moved to or from their
 * covers, written now or with the batch they came in. */
static int state_done(struct xtable *t)
{
	int ret = groups_follow(t);

	return ret || t->batch || !t->lpm.ndirty ? ret : commit(t);
}

int xt_link_state(struct xtable *t, uint32_t ifindex, bool up, int *changed)
{
	int ret;

	*changed = 0;
	t->covered = 0;
	for (uint32_t id = 1; id < t->nh_max; id++) {
		const struct xfwd_nh *n = &t->nh[id];

		if ((n->kind != XFWD_NH_DIRECT && n->kind != XFWD_NH_TUNNEL) ||
		    (n->oif != ifindex && n->ifindex != ifindex) || (up && tunnel_down(t, n)))
			continue;
		if ((ret = nh_set_dead(t, id, !up, changed)))
			return ret;
	}
	return state_done(t);
}

int xt_tunnel_state(struct xtable *t, uint32_t tid, bool up, int *changed)
{
	struct link_info li;
	int ret;

	*changed = 0;
	t->covered = 0;
	for (uint32_t id = 1; id < t->nh_max; id++) {
		const struct xfwd_nh *n = &t->nh[id];

		if (n->kind != XFWD_NH_TUNNEL || n->tunnel != tid)
			continue;
		if (up && (KIO(&t->io, link_get, n->oif, &li) || !li.up || !li.carrier))
			continue; /* the link's own event brings it back */
		if ((ret = nh_set_dead(t, id, !up, changed)))
			return ret;
	}
	return state_done(t);
}

/* ---- tunnels ---- */

uint32_t xt_tunnel_find(const struct xtable *t, const char *name)
{
	for (uint32_t id = 1; id < XFWD_MAX_TUNNELS; id++)
		if (t->tun[id].type && !strncmp(t->tun[id].name, name, sizeof(t->tun[id].name)))
			return id;
	return 0;
}

uint32_t xt_tunnel_need(struct xtable *t, const char *name)
{
	uint32_t id = xt_tunnel_find(t, name);

	if (!id)
		fail(t, -ENOENT, "no tunnel %s (see 'xfwd tunnel show')", name);
	return id;
}

/* 1 if a is an address of this host, 0 if not, -errno if they cannot be read. */
static int is_local_addr(struct xtable *t, const struct xaddr *a)
{
	struct xaddr *v;
	size_t n;
	int found = 0, ret = KIO(&t->io, local_addrs, &v, &n);

	if (ret)
		return ret;
	for (size_t i = 0; i < n; i++)
		found |= xaddr_eq(&v[i], a);
	free(v);
	return found;
}

static int health_clear(struct xtable *t, uint32_t id)
{
	struct xfwd_probe_rx rx = { 0 };
	struct xfwd_health h = { 0 };

	return KIO(&t->io, map_put, XFWD_M_probe_rx, &id, &rx, KIO_ANY) ?:
	       KIO(&t->io, map_put, XFWD_M_health, &id, &h, KIO_ANY);
}

static int tunnel_check(struct xtable *t, const struct tunnel_spec *c, uint32_t *dev)
{
	char a[XADDR_STRLEN];
	int ret;

	if (xt_tunnel_find(t, c->name))
		return fail(t, -EEXIST, "tunnel %s exists: delete it first", c->name);
	if (c->local.family != c->remote.family)
		return fail(t, -EINVAL, "local and remote must both be IPv4 or both IPv6");
	if ((ret = is_local_addr(t, &c->local)) < 0)
		return fail(t, ret, "cannot read this host's addresses: %s", strerror(-ret));
	if (!ret)
		return fail(t, -EINVAL, "local %s is not an address of this host (see 'ip addr')",
			    xaddr_str(&c->local, a));
	*dev = 0;
	if (c->dev[0] && !(*dev = KIO(&t->io, link_index, c->dev)))
		return fail(t, -ENODEV, "no device '%s' (see 'ip link')", c->dev);
	return 0;
}

/* ipsec, once its xfrm interface exists: this host's inner address on
 * it and, with static keys, the SAs and policies (docs/ipsec.md). */
static int ipsec_setup(struct xtable *t, const struct tunnel_spec *c, struct xfwd_tunnel *tun,
		       const struct xfrm_sa *sa)
{
	uint32_t ifindex = KIO(&t->io, link_index, tun->name);
	char a[XADDR_STRLEN];
	int ret;

	if (c->has_inner && (ret = KIO(&t->io, addr_add, ifindex, &c->inner, c->inner_len)))
		return fail(t, ret, "cannot add %s/%u to %s: %s", xaddr_str(&c->inner, a),
			    c->inner_len, tun->name, strerror(-ret));
	if (c->external)
		return 0;
	if ((ret = KIO(&t->io, sa_install, c, tun->key, sa, t->err, t->errlen)))
		return ret;
	tun->flags |= XFWD_TUN_F_OWN_SA | (c->udp_encap ? XFWD_TUN_F_UDP_ENCAP : 0);
	return 0;
}

/* Undo what xt_tunnel_add made outside the maps. */
static void tunnel_undo(struct xtable *t, const struct xfwd_tunnel *tun)
{
	if (tun->flags & XFWD_TUN_F_OWN_SA)
		KIO(&t->io, sa_remove, tun->key);
	if ((tun->flags & XFWD_TUN_F_OWN_DEV) && KIO(&t->io, tundev_delete, tun->name))
		xlog(LOG_WARNING, "warning: could not remove the kernel device %s (ip link del %s)",
		     tun->name, tun->name);
}

/* Is another tunnel of the same type still using this local endpoint
 * (pair: and this remote)? */
static bool endpoint_shared(const struct xtable *t, uint32_t id, bool pair)
{
	const struct xfwd_tunnel *a = &t->tun[id];

	for (uint32_t i = 1; i < XFWD_MAX_TUNNELS; i++)
		if (i != id && t->tun[i].type == a->type && t->tun[i].family == a->family &&
		    !memcmp(t->tun[i].local, a->local, 16) &&
		    (!pair || !memcmp(t->tun[i].remote, a->remote, 16)))
			return true;
	return false;
}

/* The tunnel's entries in xfwd_tunnel_peers (maps/xfwd_tunnel.h); its
 * own is written only if no other tunnel has that key. */
static int peers_write(struct xtable *t, uint32_t id, const struct xfwd_tunnel *tun)
{
	static const enum xfwd_peer_entry order[] = XFWD_PEER_WRITE_ORDER;

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		uint32_t v = xfwd_peer_value(id, order[i]);
		struct xfwd_tunnel_key k;

		xfwd_peer_key(&k, tun, order[i]);
		int ret = KIO(&t->io, map_put, XFWD_M_tunnel_peers, &k, &v,
			      order[i] == XFWD_PEER_TUNNEL ? KIO_NOEXIST : KIO_ANY);

		if (ret)
			return ret;
	}
	return 0;
}

/* A map delete of an entry that may be absent. */
static int map_del(struct xtable *t, enum xfwd_map m, const void *key)
{
	int ret = KIO(&t->io, map_del, m, key);

	return ret == -ENOENT ? 0 : ret;
}

/* Stop decapsulating first (the tunnel's key, unless it was never
 * written, then the endpoint markers no other tunnel shares), then forget
 * the tunnel. The first failure stops it, naming what is left. */
static int tunnel_forget(struct xtable *t, uint32_t id, bool keyed)
{
	struct xfwd_tunnel zero = { 0 };
	struct xfwd_tunnel_key k;
	int ret;

	xfwd_peer_key(&k, &t->tun[id], XFWD_PEER_TUNNEL);
	if (keyed && (ret = map_del(t, XFWD_M_tunnel_peers, &k)))
		return fail(t, ret, "cannot remove tunnel %s's key: %s; the tunnel stays", t->tun[id].name,
			    strerror(-ret));
	for (enum xfwd_peer_entry e = XFWD_PEER_PAIR; e <= XFWD_PEER_LOCAL; e++) {
		if (endpoint_shared(t, id, e == XFWD_PEER_PAIR))
			continue;
		xfwd_peer_key(&k, &t->tun[id], e);
		if ((ret = map_del(t, XFWD_M_tunnel_peers, &k)))
			return fail(t, ret, "cannot remove tunnel %s's endpoint marker: %s", t->tun[id].name,
				    strerror(-ret));
	}
	if ((ret = KIO(&t->io, map_put, XFWD_M_tunnels, &id, &zero, KIO_ANY)))
		return fail(t, ret, "cannot clear the tunnel: %s", strerror(-ret));
	tunnel_undo(t, &t->tun[id]);
	t->tun[id] = zero;
	return 0;
}

static int tunnel_make(struct xtable *t, const struct tunnel_spec *c, const struct xfrm_sa *sa)
{
	struct xfwd_tunnel tun = { .type = (uint8_t)c->type, .family = (uint8_t)c->local.family,
				   .ttl = (uint8_t)(c->ttl ? c->ttl : 64),
				   .flags = (c->has_key ? XFWD_TUN_F_KEY : 0) |
					    (c->inner_ip ? XFWD_TUN_F_INNER_IP : 0),
				   .key = c->key,
				   .mtu = c->mtu };
	struct xfwd_tunnel_key k;
	uint32_t id = 0, found;
	enum tundev_result dev;
	int ret;

	if ((ret = tunnel_check(t, c, &tun.dev)))
		return ret;
	for (uint32_t i = 1; i < XFWD_MAX_TUNNELS && !id; i++)
		if (!t->tun[i].type)
			id = i;
	if (!id)
		return fail(t, -ENOSPC, "all %u tunnel slots are in use", XFWD_MAX_TUNNELS - 1);
	if (c->type == XFWD_TUN_IPSEC)
		tun.key = c->if_id ? c->if_id : id; /* an ipsec tunnel's key is its if_id */
	memcpy(tun.local, c->local.bytes, 16);
	memcpy(tun.remote, c->remote.bytes, 16);
	snprintf(tun.name, sizeof(tun.name), "%s", c->name);
	memcpy(tun.peer_mac, c->peer_mac, 6);
	tun.probe = c->probe;
	xfwd_peer_key(&k, &tun, XFWD_PEER_TUNNEL);
	if (!KIO(&t->io, map_get, XFWD_M_tunnel_peers, &k, &found))
		return fail(t, -EEXIST, "another tunnel of this type already joins these endpoints with %s: give each its own (key N, vni N)",
			    k.keyed ? "this key" : "no key");
	if ((ret = KIO(&t->io, tundev_ensure, &tun, &dev, t->err, t->errlen)))
		return ret;
	if (dev == TUNDEV_CREATED)
		tun.flags |= XFWD_TUN_F_OWN_DEV;
	if (c->type == XFWD_TUN_IPSEC && (ret = ipsec_setup(t, c, &tun, sa))) {
		tunnel_undo(t, &tun);
		return ret;
	}
	t->dirty = true;
	t->tun[id] = tun;
	/* Nothing of an earlier tunnel in this slot (counters, health); the
	 * entry, then the markers that make a wrong key a drop (without them
	 * such packets would be forwarded), then the key that decapsulates. */
	ret = KIO(&t->io, percpu_clear, XFWD_M_tunnel_stats, id) ?: health_clear(t, id) ?:
	      KIO(&t->io, map_put, XFWD_M_tunnels, &id, &tun, KIO_ANY) ?: peers_write(t, id, &tun);
	if (ret) {
		tunnel_forget(t, id, false); /* the key is written last: not ours if it failed */
		return fail(t, ret, "cannot write the tunnel maps: %s (nothing of tunnel %s is left)",
			    strerror(-ret), c->name);
	}
	return 0;
}

/* An ipsec tunnel's static keys are read before anything is made, and
 * wiped from memory however it ends. */
int xt_tunnel_add(struct xtable *t, const struct tunnel_spec *c)
{
	struct xfrm_sa *sa = NULL;
	int ret = 0;

	if (c->type == XFWD_TUN_IPSEC && !c->external)
		ret = KIO(&t->io, sa_read, c, &sa, t->err, t->errlen);
	if (!ret)
		ret = tunnel_make(t, c, sa);
	KIO(&t->io, sa_free, sa);
	return ret;
}

/* New probe settings for a running tunnel, in place: only the daemon's
 * health loop reads them (it starts the tunnel's probing afresh), the
 * data path never does, so no packet sees a half-changed tunnel. */
int xt_tunnel_set_probe(struct xtable *t, uint32_t id, const struct xfwd_probe_cfg *probe)
{
	struct xfwd_tunnel tun = t->tun[id];
	int ret;

	tun.probe = *probe;
	if ((ret = KIO(&t->io, map_put, XFWD_M_tunnels, &id, &tun, KIO_ANY)))
		return fail(t, ret, "cannot write the tunnel map: %s", strerror(-ret));
	t->tun[id] = tun;
	t->dirty = true;
	if ((ret = health_clear(t, id)))
		return fail(t, ret, "cannot clear tunnel %s's health: %s", tun.name, strerror(-ret));
	return 0;
}

int xt_tunnel_del(struct xtable *t, const char *name)
{
	uint32_t id = xt_tunnel_need(t, name);

	if (!id)
		return -ENOENT;
	for (uint32_t i = 1; i < t->nh_max; i++)
		if (t->nh[i].kind == XFWD_NH_TUNNEL && t->nh[i].tunnel == id && t->nh_refs[i])
			return fail(t, -EBUSY, "tunnel %s carries routes: delete or replace them first (xfwd route show)",
				    name);
	t->dirty = true;
	return tunnel_forget(t, id, true);
}
