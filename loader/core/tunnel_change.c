// SPDX-License-Identifier: GPL-2.0-only
/* A tunnel changed in place (docs/tunnel-change.md): its remote, key or
 * VNI, TTL, MTU, peer MAC (given or learned), inner address and probes,
 * keeping its id and so every route over it. What makes it another kind
 * of tunnel (type, local endpoint, payload, an ipsec tunnel's endpoints
 * and keying) cannot change: delete and add. */
#include "table_int.h"

#include <errno.h>
#include <string.h>

#include "log.h"
#include "maps/xfwd_tunnel.h"

const char *xt_tunnel_fixed(const struct xfwd_tunnel *h, const struct tunnel_spec *w)
{
	if (h->type != w->type)
		return "its type";
	if (h->family != w->local.family || memcmp(h->local, w->local.bytes, 16))
		return "its local address";
	if (!(h->flags & XFWD_TUN_F_INNER_IP) != !w->inner_ip)
		return "its payload";
	if (!(h->flags & XFWD_TUN_F_GWLB) != !w->gwlb)
		return "its type (gwlb)";
	if (h->type == XFWD_TUN_IPSEC && memcmp(h->remote, w->remote.bytes, 16))
		return "an ipsec tunnel's remote (its SAs and policies name it)";
	return NULL;
}

static bool carries_eth(const struct xfwd_tunnel *h)
{
	return (h->type == XFWD_TUN_VXLAN || h->type == XFWD_TUN_GENEVE) && !(h->flags & XFWD_TUN_F_INNER_IP);
}

/* The running entry with w's settings that change in place. */
static struct xfwd_tunnel changed(const struct xfwd_tunnel *h, const struct tunnel_spec *w)
{
	struct xfwd_tunnel n = *h;

	memcpy(n.remote, w->remote.bytes, 16);
	if (h->type != XFWD_TUN_IPSEC) { /* an ipsec tunnel's key is its if_id */
		n.key = w->key;
		n.flags = (uint8_t)((n.flags & ~XFWD_TUN_F_KEY) | (w->has_key ? XFWD_TUN_F_KEY : 0));
		n.ttl = (uint8_t)(w->ttl ? w->ttl : 64);
	}
	n.mtu = w->mtu;
	n.probe = w->probe;
	if (carries_eth(h) && w->has_peer_mac) {
		memcpy(n.peer_mac, w->peer_mac, 6);
		n.flags &= (uint8_t)~XFWD_TUN_F_PEER_LEARN;
	} else if (carries_eth(h)) {
		if (!(h->flags & XFWD_TUN_F_PEER_LEARN))
			memset(n.peer_mac, 0, 6); /* learned afresh */
		n.flags |= XFWD_TUN_F_PEER_LEARN;
	}
	return n;
}

bool xt_tunnel_same(const struct xfwd_tunnel *h, const struct tunnel_spec *w)
{
	struct xfwd_tunnel n = changed(h, w);

	return !memcmp(&n, h, sizeof(n));
}

/* The kernel device follows: changed in place (it keeps its addresses
 * and the host's routes over it); one the kernel will not change (a new
 * VNI) made again, if xfwd made it. An adopted device is the operator's. */
static int device_follow(struct xtable *t, const struct xfwd_tunnel *old, const struct xfwd_tunnel *n,
			 const struct tunnel_spec *c)
{
	enum tundev_result res;
	char a[XADDR_STRLEN];
	uint32_t ifindex;
	int ret;

	if (!memcmp(old->remote, n->remote, 16) && old->key == n->key && old->ttl == n->ttl &&
	    (old->flags & XFWD_TUN_F_KEY) == (n->flags & XFWD_TUN_F_KEY))
		goto inner;
	if (!(n->flags & XFWD_TUN_F_OWN_DEV)) {
		if (KIO(&t->io, link_index, n->name))
			xlog(LOG_WARNING, "warning: tunnel %s changed; the kernel device %s is not xfwd's: change it to match (ip link)",
			     n->name, n->name);
		goto inner;
	}
	if (!KIO(&t->io, tundev_change, n, t->err, t->errlen))
		goto inner;
	xlog(LOG_WARNING, "warning: %s; making it again (the host's routes over it go with the old one)", t->err);
	if (KIO(&t->io, tundev_delete, n->name) || (ret = KIO(&t->io, tundev_ensure, n, &res, t->err, t->errlen)))
		return xt_fail(t, -EIO, "tunnel %s: its kernel device could not be made again: %s", n->name, t->err);
inner:
	if (!c->has_inner)
		return 0;
	if (!(ifindex = KIO(&t->io, link_index, n->name)))
		return 0; /* no kernel device of this kind here (said when it was added) */
	if ((ret = KIO(&t->io, addr_add, ifindex, &c->inner, c->inner_len)))
		return xt_fail(t, ret, "cannot add %s/%u to %s: %s", xaddr_str(&c->inner, a), c->inner_len,
			       n->name, strerror(-ret));
	return 0;
}

/* The new state's decapsulation key free (another tunnel's would be taken over). */
static int key_free(struct xtable *t, const struct xfwd_tunnel *old, const struct xfwd_tunnel *n, bool *rekeyed)
{
	struct xfwd_tunnel_key ko, kn;
	uint32_t found;

	xfwd_peer_key(&ko, old, XFWD_PEER_TUNNEL);
	xfwd_peer_key(&kn, n, XFWD_PEER_TUNNEL);
	*rekeyed = memcmp(&ko, &kn, sizeof(ko)) != 0;
	if (*rekeyed && !KIO(&t->io, map_get, XFWD_M_tunnel_peers, &kn, &found))
		return xt_fail(t, -EEXIST, "tunnel %s: another tunnel already joins these endpoints with this key: give each its own (key N, vni N)",
			       n->name);
	return 0;
}

/* The kernel routes to the new remote (its next hops are made from
 * that route): checked before anything changes. */
static int path_exists(struct xtable *t, const struct xfwd_tunnel *n)
{
	struct xaddr remote = { .family = n->family }, gw;
	char a[XADDR_STRLEN];
	uint32_t oif;

	memcpy(remote.bytes, n->remote, 16);
	if (n->dev || n->type == XFWD_TUN_IPSEC || !KIO(&t->io, route_get, &remote, &oif, &gw))
		return 0;
	return xt_fail(t, -ENETUNREACH, "tunnel %s: no kernel route to its new remote %s (add one, or give 'dev'); nothing changed",
		       n->name, xaddr_str(&remote, a));
}

int xt_tunnel_change(struct xtable *t, uint32_t id, const struct tunnel_spec *c)
{
	struct xfwd_tunnel old = t->tun[id], n = changed(&old, c);
	const char *fixed = xt_tunnel_fixed(&old, c);
	bool rekeyed, was = xt_probed(t, id);
	int ret;

	if (fixed)
		return xt_fail(t, -EINVAL, "tunnel %s: %s cannot change in place: delete the tunnel and add it again",
			       old.name, fixed);
	if (!memcmp(&n, &old, sizeof(n)))  /* only its inner address or uRPF may be new */
		return device_follow(t, &old, &n, c) ?:
		       (xt_urpf_same(t, id, c) ? 0 : xt_tunnel_set_urpf(t, id, c));
	if ((ret = key_free(t, &old, &n, &rekeyed)) || (ret = path_exists(t, &n)))
		return ret;
	/* The entry, then the new key (packets with the old one still
	 * reach the tunnel meanwhile), the next hops over the new path,
	 * then what only the old state needed. */
	if ((ret = KIO(&t->io, map_put, XFWD_M_tunnels, &id, &n, KIO_ANY)))
		return xt_fail(t, ret, "cannot write the tunnel map: %s", strerror(-ret));
	t->tun[id] = n;
	t->dirty = true;
	if (rekeyed && (ret = tunnel_peers_write(t, id, &n)))
		return xt_fail(t, ret, "tunnel %s: cannot write its new decapsulation key: %s", n.name, strerror(-ret));
	if ((ret = xt_tunnel_nh_rebuild(t, id)) || (rekeyed && (ret = tunnel_peers_retire(t, &old))))
		return ret;
	if ((rekeyed || memcmp(&old.probe, &n.probe, sizeof(n.probe))) && (ret = health_clear(t, id)))
		return xt_fail(t, ret, "cannot clear tunnel %s's health: %s", n.name, strerror(-ret));
	probe_hold_follow(t, id, was);
	if ((ret = device_follow(t, &old, &n, c)))
		return ret;
	if (!xt_urpf_same(t, id, c) && (ret = xt_tunnel_set_urpf(t, id, c)))
		return ret;
	return xt_tunnel_learn(t, id, NULL);
}
