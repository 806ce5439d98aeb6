// SPDX-License-Identifier: GPL-2.0-only
/* A VXLAN or GENEVE tunnel's peer MAC, learned from the neighbours of
 * the kernel device beside it when the config gives none
 * (docs/peer-mac.md): a plain Linux spoke's device MAC, found by ARP or
 * neighbour discovery over that device, and followed when it changes. */
#include "table_int.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"

static const uint8_t no_mac[6];

bool xt_peer_known(const struct xtable *t, const struct xfwd_nh *n)
{
	const struct xfwd_tunnel *tun;

	if (n->kind != XFWD_NH_TUNNEL || (n->flags & XFWD_NH_F_XFRM) || n->tunnel >= XFWD_MAX_TUNNELS)
		return true;
	tun = &t->tun[n->tunnel];
	return !(tun->flags & XFWD_TUN_F_PEER_LEARN) || memcmp(tun->peer_mac, no_mac, 6);
}

static const char *mac_text(const uint8_t *m, char *buf)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 6; i++) {
		buf[3 * i] = hex[m[i] >> 4];
		buf[3 * i + 1] = hex[m[i] & 15];
		buf[3 * i + 2] = i < 5 ? ':' : 0;
	}
	return buf;
}

/* Nothing may run over the device yet (no BGP session): the probe's
 * peer, sent through XDP, needs the MAC it is to find. The kernel is asked
 * to resolve the peer's inner address on the device and keep it resolved
 * (a managed neighbour): its ARP crosses the tunnel, the answer is the
 * neighbour event that teaches the MAC. Best effort: without it the
 * tunnel waits for other traffic, as before. */
static void probe_peer_resolve(struct xtable *t, const struct xfwd_tunnel *tun, uint32_t ifindex)
{
	struct xaddr peer = { .family = AF_INET };

	if ((tun->probe.mode != XFWD_PROBE_ICMP && tun->probe.mode != XFWD_PROBE_BFD) || !tun->probe.dst)
		return;
	memcpy(peer.bytes, &tun->probe.dst, 4);
	KIO(&t->io, neigh_manage, &peer, ifindex);
}

int xt_tunnel_learn(struct xtable *t, uint32_t id, const uint8_t *mac)
{
	struct xfwd_tunnel *tun = &t->tun[id];
	struct xaddr any = { 0 };
	uint8_t m[6];
	char s[18];
	int ret;

	if (!(tun->flags & XFWD_TUN_F_PEER_LEARN))
		return 0;
	if (!mac) {
		uint32_t ifindex = KIO(&t->io, link_index, tun->name);

		if (!ifindex)
			return 0;
		if (KIO(&t->io, neigh_mac, &any, ifindex, m)) {
			probe_peer_resolve(t, tun, ifindex);
			return 0; /* not known yet: its next hops wait (the kernel's) */
		}
		mac = m;
	}
	/* A group address (an IPv6 multicast entry, 33:33:...) is no peer. */
	if ((mac[0] & 1) || !memcmp(tun->peer_mac, mac, 6))
		return 0;
	memcpy(tun->peer_mac, mac, 6);
	/* The entry first: a next hop is marked resolved only after. */
	if ((ret = KIO(&t->io, map_put, XFWD_M_tunnels, &id, tun, KIO_ANY)))
		return xt_fail(t, ret, "tunnel %s: cannot write its peer MAC: %s", tun->name, strerror(-ret));
	xlog(LOG_INFO, "tunnel %s: peer MAC %s (learned from %s's neighbours)", tun->name, mac_text(mac, s),
	     tun->name);
	return xt_tunnel_nh_refresh(t, id);
}

int xt_tunnel_neigh(struct xtable *t, uint32_t oif, const uint8_t *mac)
{
	int ret;

	if (!mac) /* gone or failed: the last MAC stays until another is seen */
		return 0;
	for (uint32_t id = 1; id < XFWD_MAX_TUNNELS; id++) {
		if (!(t->tun[id].flags & XFWD_TUN_F_PEER_LEARN) || KIO(&t->io, link_index, t->tun[id].name) != oif)
			continue;
		if ((ret = xt_tunnel_learn(t, id, mac)))
			return ret;
	}
	return 0;
}
