// SPDX-License-Identifier: GPL-2.0-only
/* Tunnels: the maps' entries, their kernel devices and IPsec SAs. */
#include "table_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "log.h"
#include "maps/xfwd_tunnel.h"

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
		xt_fail(t, -ENOENT, "no tunnel %s (see 'xfwd tunnel show')", name);
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

int health_clear(struct xtable *t, uint32_t id)
{
	struct xfwd_probe_rx rx = { 0 };
	struct xfwd_health h = { 0 };

	return KIO(&t->io, map_put, XFWD_M_probe_rx, &id, &rx, KIO_ANY) ?:
	       KIO(&t->io, map_put, XFWD_M_health, &id, &h, KIO_ANY);
}

/* A gwlb tunnel takes every GENEVE packet to its local address: no other
 * GENEVE tunnel may share it. */
static int gwlb_local_check(struct xtable *t, const struct tunnel_spec *c)
{
	char a[XADDR_STRLEN];

	if (c->type != XFWD_TUN_GENEVE)
		return 0;
	for (uint32_t i = 1; i < XFWD_MAX_TUNNELS; i++) {
		const struct xfwd_tunnel *o = &t->tun[i];

		if (o->type == XFWD_TUN_GENEVE && o->family == c->local.family &&
		    !memcmp(o->local, c->local.bytes, 16) && (c->gwlb || (o->flags & XFWD_TUN_F_GWLB)))
			return xt_fail(t, -EEXIST, "tunnel %s already takes GENEVE to %s, and a gwlb tunnel takes all of it: give the gwlb tunnel an address of its own",
				       o->name, xaddr_str(&c->local, a));
	}
	return 0;
}

static int tunnel_check(struct xtable *t, const struct tunnel_spec *c, uint32_t *dev)
{
	char a[XADDR_STRLEN];
	int ret;

	if (xt_tunnel_find(t, c->name))
		return xt_fail(t, -EEXIST, "tunnel %s exists: delete it first", c->name);
	if ((ret = gwlb_local_check(t, c)))
		return ret;
	if (!c->gwlb && c->local.family != c->remote.family)
		return xt_fail(t, -EINVAL, "local and remote must both be IPv4 or both IPv6");
	if ((ret = is_local_addr(t, &c->local)) < 0)
		return xt_fail(t, ret, "cannot read this host's addresses: %s", strerror(-ret));
	if (!ret)
		return xt_fail(t, -EINVAL, "local %s is not an address of this host (see 'ip addr')",
			    xaddr_str(&c->local, a));
	*dev = 0;
	if (c->dev[0] && !(*dev = KIO(&t->io, link_index, c->dev)))
		return xt_fail(t, -ENODEV, "no device '%s' (see 'ip link')", c->dev);
	return 0;
}

/* This host's inner address on the tunnel's kernel device, so that a BGP
 * daemon started after xfwd finds it there (IPv6 without duplicate
 * address detection: usable at once). */
static int inner_setup(struct xtable *t, const struct tunnel_spec *c, const struct xfwd_tunnel *tun,
		       enum tundev_result dev)
{
	uint32_t ifindex;
	char a[XADDR_STRLEN];
	int ret;

	if (!c->has_inner)
		return 0;
	if (dev == TUNDEV_NONE) {
		xlog(LOG_WARNING, "warning: tunnel %s has no kernel device here: inner %s/%u not set", tun->name,
		     xaddr_str(&c->inner, a), c->inner_len);
		return 0;
	}
	ifindex = KIO(&t->io, link_index, tun->name);
	if ((ret = KIO(&t->io, addr_add, ifindex, &c->inner, c->inner_len)))
		return xt_fail(t, ret, "cannot add %s/%u to %s: %s", xaddr_str(&c->inner, a),
			    c->inner_len, tun->name, strerror(-ret));
	return 0;
}

/* ipsec, once its xfrm interface exists: with static keys, the SAs and
 * policies (docs/ipsec.md). */
static int ipsec_setup(struct xtable *t, const struct tunnel_spec *c, struct xfwd_tunnel *tun,
		       const struct xfrm_sa *sa)
{
	int ret;

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
int tunnel_peers_write(struct xtable *t, uint32_t id, const struct xfwd_tunnel *tun)
{
	static const enum xfwd_peer_entry order[] = XFWD_PEER_WRITE_ORDER;
	size_t n = sizeof(order) / sizeof(order[0]);

	for (size_t i = tun->flags & XFWD_TUN_F_GWLB ? n - 1 : 0; i < n; i++) { /* gwlb: one entry */
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

/* Does a running tunnel have entry e as tunnel state `old` had it? */
static bool entry_needed(const struct xtable *t, const struct xfwd_tunnel *old, enum xfwd_peer_entry e)
{
	struct xfwd_tunnel_key a, b;

	xfwd_peer_key(&a, old, e);
	for (uint32_t i = 1; i < XFWD_MAX_TUNNELS; i++) {
		if (!t->tun[i].type)
			continue;
		xfwd_peer_key(&b, &t->tun[i], e);
		if (!memcmp(&a, &b, sizeof(a)))
			return true;
	}
	return false;
}

int tunnel_peers_retire(struct xtable *t, const struct xfwd_tunnel *old)
{
	for (enum xfwd_peer_entry e = XFWD_PEER_TUNNEL; e <= XFWD_PEER_LOCAL; e++) {
		struct xfwd_tunnel_key k;
		int ret;

		if (entry_needed(t, old, e))
			continue;
		xfwd_peer_key(&k, old, e);
		if ((ret = map_del(t, XFWD_M_tunnel_peers, &k)))
			return xt_fail(t, ret, "cannot remove tunnel %s's former decapsulation entry: %s", old->name,
				       strerror(-ret));
	}
	return 0;
}

/* A tunnel's filter sets go with it: the next tunnel given its id must
 * not inherit them. */
static int filters_unbind(struct xtable *t, uint32_t id)
{
	for (uint8_t dir = XFWD_FILTER_IN; dir <= XFWD_FILTER_OUT; dir++) {
		struct filter_target tg = { .tunnel = true, .id = id, .dir = dir };
		int ret = xt_filter_del(t, &tg);

		if (ret && ret != -ENOENT)
			return ret;
	}
	return 0;
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
		return xt_fail(t, ret, "cannot remove tunnel %s's key: %s; the tunnel stays", t->tun[id].name,
			    strerror(-ret));
	for (enum xfwd_peer_entry e = XFWD_PEER_PAIR; e <= XFWD_PEER_LOCAL; e++) {
		if (endpoint_shared(t, id, e == XFWD_PEER_PAIR))
			continue;
		xfwd_peer_key(&k, &t->tun[id], e);
		if ((ret = map_del(t, XFWD_M_tunnel_peers, &k)))
			return xt_fail(t, ret, "cannot remove tunnel %s's endpoint marker: %s", t->tun[id].name,
				    strerror(-ret));
	}
	if ((ret = xt_urpf_prune(t, id, NULL)) || (ret = filters_unbind(t, id)) ||
	    (ret = xt_xlat_target_del(t, true, id)))
		return ret;
	if ((ret = KIO(&t->io, map_put, XFWD_M_tunnels, &id, &zero, KIO_ANY)))
		return xt_fail(t, ret, "cannot clear the tunnel: %s", strerror(-ret));
	tunnel_undo(t, &t->tun[id]);
	t->tun[id] = zero;
	return 0;
}

/* VXLAN and GENEVE carrying Ethernet without 'peer-mac': learned. */
static bool tunnel_learns(const struct tunnel_spec *c)
{
	return (c->type == XFWD_TUN_VXLAN || c->type == XFWD_TUN_GENEVE) && !c->inner_ip && !c->has_peer_mac;
}

static int tunnel_make(struct xtable *t, const struct tunnel_spec *c, const struct xfrm_sa *sa)
{
	struct xfwd_tunnel tun = { .type = (uint8_t)c->type, .family = (uint8_t)c->local.family,
				   .ttl = (uint8_t)(c->ttl ? c->ttl : 64),
				   .flags = (c->has_key ? XFWD_TUN_F_KEY : 0) |
					    (c->inner_ip ? XFWD_TUN_F_INNER_IP : 0) |
					    (tunnel_learns(c) ? XFWD_TUN_F_PEER_LEARN : 0) |
					    (c->gwlb ? XFWD_TUN_F_GWLB : 0),
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
		return xt_fail(t, -ENOSPC, "all %u tunnel slots are in use: delete one ('xfwd tunnel del NAME') first; the number is fixed when xfwd is built (XFWD_MAX_TUNNELS)",
			       XFWD_MAX_TUNNELS - 1);
	if (c->type == XFWD_TUN_IPSEC)
		tun.key = c->if_id ? c->if_id : id; /* an ipsec tunnel's key is its if_id */
	memcpy(tun.local, c->local.bytes, 16);
	memcpy(tun.remote, c->remote.bytes, 16);
	snprintf(tun.name, sizeof(tun.name), "%s", c->name);
	memcpy(tun.peer_mac, c->peer_mac, 6);
	tun.probe = c->probe;
	tun.urpf = c->urpf;
	xfwd_peer_key(&k, &tun, XFWD_PEER_TUNNEL);
	if (!KIO(&t->io, map_get, XFWD_M_tunnel_peers, &k, &found))
		return xt_fail(t, -EEXIST, "another tunnel of this type already joins these endpoints with %s: give each its own (key N, vni N)",
			    k.keyed ? "this key" : "no key");
	dev = TUNDEV_NONE; /* gwlb: no kernel device (the load balancer's traffic is XDP's) */
	if (!c->gwlb && (ret = KIO(&t->io, tundev_ensure, &tun, &dev, t->err, t->errlen)))
		return ret;
	if (dev == TUNDEV_CREATED)
		tun.flags |= XFWD_TUN_F_OWN_DEV;
	if ((ret = inner_setup(t, c, &tun, dev)) ||
	    (c->type == XFWD_TUN_IPSEC && (ret = ipsec_setup(t, c, &tun, sa)))) {
		tunnel_undo(t, &tun);
		return ret;
	}
	t->dirty = true;
	t->tun[id] = tun;
	/* Nothing of an earlier tunnel in this slot (counters, health); the
	 * entry, then the markers that make a wrong key a drop (without them
	 * such packets would be forwarded), then the key that decapsulates. */
	ret = KIO(&t->io, percpu_clear, XFWD_M_tunnel_stats, id) ?: health_clear(t, id) ?:
	      KIO(&t->io, map_put, XFWD_M_tunnels, &id, &tun, KIO_ANY) ?: xt_urpf_add(t, id, c) ?:
	      tunnel_peers_write(t, id, &tun);
	if (ret) {
		tunnel_forget(t, id, false); /* the key is written last: not ours if it failed */
		return xt_fail(t, ret, "cannot write the tunnel maps: %s (nothing of tunnel %s is left)",
			    strerror(-ret), c->name);
	}
	if ((ret = xt_tunnel_learn(t, id, NULL)))
		return ret;
	probe_hold_follow(t, id, false);
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
	bool was = xt_probed(t, id);
	int ret;

	tun.probe = *probe;
	if ((ret = KIO(&t->io, map_put, XFWD_M_tunnels, &id, &tun, KIO_ANY)))
		return xt_fail(t, ret, "cannot write the tunnel map: %s", strerror(-ret));
	t->tun[id] = tun;
	t->dirty = true;
	if ((ret = health_clear(t, id)))
		return xt_fail(t, ret, "cannot clear tunnel %s's health: %s", tun.name, strerror(-ret));
	probe_hold_follow(t, id, was);
	return 0;
}

int xt_tunnel_del(struct xtable *t, const char *name)
{
	uint32_t id = xt_tunnel_need(t, name), nh;

	if (!id)
		return -ENOENT;
	/* Its one next hop: the probes' hold is not a route. */
	if ((nh = xt_tunnel_nh(t, id)) && t->nh_refs[nh] > (uint32_t)xt_probed(t, id))
		return xt_fail(t, -EBUSY, "tunnel %s carries routes: delete or replace them first (xfwd route show)",
			       name);
	t->dirty = true;
	if (nh && xt_probed(t, id))
		nh_unref(t, nh); /* the next hop goes before the tunnel it names */
	return tunnel_forget(t, id, true);
}
