// SPDX-License-Identifier: GPL-2.0-only
/* Next hops: made from their keys, their neighbour MACs, their liveness
 * (links, tunnel verdicts) and what that does to their groups' routes. */
#include "table_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "grow.h"
#include "log.h"
#include "maps/xfwd_tunnel.h"

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

int nh_write(struct xtable *t, uint32_t id, const struct xfwd_nh *n)
{
	t->dirty = true;
	int ret = KIO(&t->io, map_put, XFWD_M_nexthops, &id, n, KIO_ANY);

	if (ret)
		return xt_fail(t, ret, "cannot write next hop %u: %s", id, strerror(-ret));
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
		return xt_fail(t, -ENODEV, "device %u disappeared", k->oif);
	phys = li;
	if (li.is_vlan && KIO(&t->io, link_get, li.parent, &phys))
		return xt_fail(t, -ENODEV, "%s: cannot find its lower device", li.name);
	if (!KIO(&t->io, dev_attached, phys.ifindex))
		return xt_fail(t, -EINVAL, "%s is not attached to xfwd: run 'xfwd attach %s' first",
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

/* An ipsec tunnel's next hop has no MAC and no MTU of its own: XDP
 * passes its packets to the kernel (XFWD_NH_F_XFRM), whose route into the
 * xfrm interface encrypts them. It dies with that interface's link. */
static int nh_fill_xfrm(struct xtable *t, const struct nh_key *k, struct xfwd_nh *n)
{
	const struct xfwd_tunnel *tun = &t->tun[k->tunnel];
	uint32_t ifindex = KIO(&t->io, link_index, tun->name);
	struct link_info li;

	if (!ifindex || KIO(&t->io, link_get, ifindex, &li))
		return xt_fail(t, -ENODEV, "tunnel %s: its xfrm interface %s is gone: delete the tunnel and add it again",
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
	if (tun->flags & XFWD_TUN_F_GWLB)
		return xt_fail(t, -EINVAL, "tunnel %s is a gwlb tunnel: it returns what the load balancer sends it, and carries no route (docs/gwlb.md)",
			       tun->name);
	memcpy(remote.bytes, tun->remote, 16);
	if (tun->dev) {
		under.oif = tun->dev;
		under.gw = remote;
	} else if (KIO(&t->io, route_get, &remote, &under.oif, &under.gw)) {
		return xt_fail(t, -ENETUNREACH, "tunnel %s: no kernel route to its remote %s (add one, or give 'dev')",
			    tun->name, xaddr_str(&remote, a));
	}
	if ((ret = nh_fill_direct(t, &under, n)))
		return ret;
	n->kind = XFWD_NH_TUNNEL;
	n->tunnel = k->tunnel;
	if (!xt_peer_known(t, n))
		n->flags &= ~XFWD_NH_F_NEIGH; /* the kernel's until the peer's MAC is learned */
	room = n->mtu - xfwd_tunnel_overhead(tun);
	n->mtu = tun->mtu && tun->mtu < room ? tun->mtu : room;
	return 0;
}

static bool tunnel_down(const struct xtable *t, const struct xfwd_nh *n)
{
	return n->kind == XFWD_NH_TUNNEL && t->tun_down && n->tunnel < XFWD_MAX_TUNNELS &&
	       t->tun_down[n->tunnel];
}

/* The id of the next hop for k, creating it when new. */
int nh_get(struct xtable *t, const struct nh_key *k, uint32_t *id)
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
		return xt_fail(t, -ENOSPC, "all %u next-hop slots are in use: attach with a larger 'nexthops'",
			    t->nh_max - 1);
	n.kind = k->kind;
	if (k->kind == XFWD_NH_DIRECT && (ret = nh_fill_direct(t, k, &n)))
		return ret;
	if (k->kind == XFWD_NH_TUNNEL && (ret = nh_fill_tunnel(t, k, &n)))
		return ret;
	if (tunnel_down(t, &n))
		n.flags |= XFWD_NH_F_DEAD; /* the daemon's verdict holds for it too */
	*id = free_id;
	return nh_write(t, free_id, &n);
}

void nh_unref(struct xtable *t, uint32_t id)
{
	struct xfwd_nh zero = { 0 };

	if (!id || id >= t->nh_max || !t->nh_refs[id] || --t->nh_refs[id])
		return;
	nh_write(t, id, &zero);
}

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
	n.flags = known && xt_peer_known(t, &n) ? n.flags | XFWD_NH_F_NEIGH : n.flags & ~XFWD_NH_F_NEIGH;
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

	if (had == (mac && xt_peer_known(t, n)) && (!mac || !memcmp(mac, cur, 6)))
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

/* Next hop id's MAC read again: 1 if it changed, 0, or -errno. */
static int nh_refresh(struct xtable *t, uint32_t id)
{
	const struct xfwd_nh *n = &t->nh[id];
	struct xaddr gw = { .family = n->family };
	uint8_t mac[6] = { 0 };

	memcpy(gw.bytes, n->addr, 16);
	return nh_set_mac(t, id, resolve_mac(t, &gw, n->oif, mac) ? mac : NULL);
}

int xt_refresh_neigh(struct xtable *t, int *changed)
{
	int ret;

	*changed = 0;
	for (uint32_t id = 1; id < XFWD_MAX_TUNNELS; id++)
		if ((ret = xt_tunnel_learn(t, id, NULL)))
			return ret;
	for (uint32_t id = 1; id < t->nh_max; id++) {
		if (!nh_has_mac(&t->nh[id]))
			continue;
		if ((ret = nh_refresh(t, id)) < 0)
			return ret;
		*changed += ret;
	}
	return 0;
}

int xt_tunnel_nh_refresh(struct xtable *t, uint32_t tid)
{
	for (uint32_t id = 1; id < t->nh_max; id++) {
		const struct xfwd_nh *n = &t->nh[id];
		int ret;

		if (nh_has_mac(n) && n->kind == XFWD_NH_TUNNEL && n->tunnel == tid && (ret = nh_refresh(t, id)) < 0)
			return ret;
	}
	return 0;
}

int xt_neigh_set(struct xtable *t, const struct xaddr *gw, uint32_t oif,
		 const uint8_t *mac)
{
	int err = xt_tunnel_neigh(t, oif, mac);

	if (err)
		return err;
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
	return ret ? xt_fail(t, ret, "cannot move the routes of groups with no live next hop: %s",
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

/* After next hops died or came back: routes moved to or from their
 * covers, written now or with the batch they came in. */
static int state_done(struct xtable *t)
{
	int ret = groups_follow(t);

	return ret || t->batch || !t->lpm.ndirty ? ret : xt_commit(t);
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

/* Tunnel tid changed (remote, MTU, peer): its next hops made again, the
 * new MACs into the idle copy first, then one write with the rest (the
 * underlay hop, its device, the MTU) and the flip. */
int xt_tunnel_nh_rebuild(struct xtable *t, uint32_t tid)
{
	const struct nh_key k = { .kind = XFWD_NH_TUNNEL, .tunnel = tid };

	for (uint32_t id = 1; id < t->nh_max; id++) {
		struct xfwd_nh cur = t->nh[id], n = { 0 };
		uint8_t idle = !(cur.active & 1);
		int ret;

		if (cur.kind != XFWD_NH_TUNNEL || cur.tunnel != tid)
			continue;
		if ((ret = nh_fill_tunnel(t, &k, &n)))
			return ret;
		cur.l2[idle] = n.l2[0];
		if ((ret = nh_write(t, id, &cur)))
			return ret;
		n.l2[!idle] = cur.l2[!idle];
		n.l2[idle] = cur.l2[idle];
		n.active = idle;
		n.flags |= cur.flags & XFWD_NH_F_DEAD;
		if ((ret = nh_write(t, id, &n)))
			return ret;
	}
	return 0;
}

uint32_t xt_used_nexthops(const struct xtable *t)
{
	uint32_t n = 0;

	for (uint32_t i = 1; i < t->nh_max; i++)
		n += xt_nexthop(t, i)->kind != XFWD_NH_NONE;
	return n;
}
