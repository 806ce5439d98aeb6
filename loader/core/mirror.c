// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parse the routes a BGP daemon installs in a kernel table. Unicast
 * routes become next hops (several with RTA_MULTIPATH: ECMP; a gateway
 * of the other family with RTA_VIA, as BGP unnumbered has), blackhole
 * drops, unreachable and prohibit go to the kernel (which answers with
 * ICMP), and so does throw (the kernel's lookup goes on in its other
 * tables). Everything else (local, broadcast, cloned, multicast) is
 * skipped. Every attribute's length is checked before it is read.
 */
#include "mirror.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include "nlattr.h"
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

static int set_addr(struct xaddr *a, int family, const struct nlattr *at)
{
	size_t n = family == AF_INET ? 4 : 16;

	if (mnl_attr_get_payload_len(at) != n)
		return -EBADMSG;
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->bytes, mnl_attr_get_payload(at), n);
	return 0;
}

/* RTA_VIA: a next hop of the other family (RFC 5549: an IPv4 route over
 * an IPv6 next hop, as FRR's BGP unnumbered installs). struct rtvia is
 * the family (2 bytes), then the address. */
static int set_via(struct xaddr *a, const struct nlattr *at)
{
	const struct rtvia *v = mnl_attr_get_payload(at);
	size_t len = mnl_attr_get_payload_len(at);

	if (len < sizeof(*v))
		return -EBADMSG;
	if (!((v->rtvia_family == AF_INET && len == sizeof(*v) + 4) ||
	      (v->rtvia_family == AF_INET6 && len == sizeof(*v) + 16)))
		return -EBADMSG;
	memset(a, 0, sizeof(*a));
	a->family = v->rtvia_family;
	memcpy(a->bytes, v->rtvia_addr, len - sizeof(*v));
	return 0;
}

/* A next hop's gateway attribute, RTA_GATEWAY or RTA_VIA, into gw; any
 * other attribute is none of its business (0). */
static int set_gw(struct xaddr *gw, int family, const struct nlattr *a)
{
	if (mnl_attr_get_type(a) == RTA_GATEWAY)
		return set_addr(gw, family, a);
	if (mnl_attr_get_type(a) == RTA_VIA)
		return set_via(gw, a);
	return 0;
}

/* The next hops of an RTA_MULTIPATH attribute. */
static int parse_multipath(const struct nlattr *mp, int family, struct mroute *m)
{
	const struct rtnexthop *nh = mnl_attr_get_payload(mp);
	int left = (int)mnl_attr_get_payload_len(mp);

	while (left >= (int)sizeof(*nh) && nh->rtnh_len >= sizeof(*nh) && nh->rtnh_len <= left) {
		const struct nlattr *a = (const void *)((const char *)nh + RTNH_ALIGN(sizeof(*nh)));
		int alen = nh->rtnh_len - (int)RTNH_ALIGN(sizeof(*nh));

		if (m->nvia == XFWD_ECMP_MAX)
			break; /* the data path takes 16: the rest are dropped */
		m->via[m->nvia].oif = (uint32_t)nh->rtnh_ifindex;
		m->via[m->nvia].hops = nh->rtnh_hops;
		m->onlink |= !!(nh->rtnh_flags & RTNH_F_ONLINK);
		memset(&m->via[m->nvia].gw, 0, sizeof(m->via[0].gw));
		while (mnl_attr_ok(a, alen)) {
			if (set_gw(&m->via[m->nvia].gw, family, a))
				return -EBADMSG;
			alen -= (int)MNL_ALIGN(a->nla_len);
			a = mnl_attr_next(a);
		}
		m->nvia++;
		left -= RTNH_ALIGN(nh->rtnh_len);
		nh = (const void *)((const char *)nh + RTNH_ALIGN(nh->rtnh_len));
	}
	return 0;
}

static uint8_t kind_of(uint8_t rtm_type)
{
	switch (rtm_type) {
	case RTN_UNICAST: return XFWD_NH_DIRECT;
	case RTN_BLACKHOLE: return XFWD_NH_BLACKHOLE;
	case RTN_UNREACHABLE:
	case RTN_PROHIBIT:
	case RTN_THROW: return XFWD_NH_KERNEL;
	}
	return 0;
}

/* What a route message says besides what struct mroute keeps. */
struct extra {
	struct xprefix src; /* IPv6 source-specific routes */
	bool has_dst;
};

/* One attribute of a route message into m: 0 or -EBADMSG. */
static int parse_attr(const struct nlattr *a, int family, struct mroute *m, struct extra *x)
{
	switch (mnl_attr_get_type(a)) {
	case RTA_TABLE:
		return nla_u32(a, &m->table);
	case RTA_PRIORITY:
		return nla_u32(a, &m->metric);
	case RTA_DST:
		x->has_dst = true;
		return set_addr(&m->prefix.addr, family, a);
	case RTA_SRC:
		return set_addr(&x->src.addr, family, a);
	case RTA_GATEWAY:
	case RTA_VIA:
		m->nvia = 1;
		return set_gw(&m->via[0].gw, family, a);
	case RTA_OIF:
		m->nvia = 1;
		return nla_u32(a, &m->via[0].oif);
	case RTA_MULTIPATH:
		m->nvia = 0;
		return parse_multipath(a, family, m);
	}
	return 0;
}

/* What tells routes of one prefix and metric apart besides: IPv4's tos,
 * IPv6's source prefix (a hash of it, never 0; never a tos value). */
static uint32_t selector(const struct rtmsg *rtm, const struct xprefix *src)
{
	uint32_t h = 2166136261u;

	if (!rtm->rtm_src_len)
		return rtm->rtm_tos;
	for (size_t i = 0; i < 16; i++)
		h = (h ^ src->addr.bytes[i]) * 16777619u;
	return ((h ^ rtm->rtm_src_len) * 16777619u) | 0x100;
}

int mirror_parse(const struct nlmsghdr *nlh, struct mroute *m)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct extra x = { { { 0 }, 0 }, false };
	const struct nlattr *a;

	memset(m, 0, sizeof(*m));
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return -EBADMSG;
	if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    (rtm->rtm_flags & RTM_F_CLONED) || !(m->kind = kind_of(rtm->rtm_type)))
		return MIRROR_SKIP;
	if (rtm->rtm_dst_len > (rtm->rtm_family == AF_INET ? 32 : 128) ||
	    rtm->rtm_src_len > (rtm->rtm_family == AF_INET ? 32 : 128))
		return -EBADMSG;
	m->type = rtm->rtm_type;
	m->table = rtm->rtm_table;
	m->prefix.len = rtm->rtm_dst_len;
	m->prefix.addr.family = rtm->rtm_family;
	mnl_attr_for_each(a, nlh, sizeof(*rtm))
		if (parse_attr(a, rtm->rtm_family, m, &x))
			return -EBADMSG;
	if (m->prefix.len && !x.has_dst)
		return -EBADMSG;
	if (!xprefix_masked(&m->prefix))
		return -EBADMSG;
	m->sel = selector(rtm, &x.src);
	m->onlink = (rtm->rtm_flags & RTNH_F_ONLINK) || m->onlink;
	if (m->kind != XFWD_NH_DIRECT)
		m->nvia = 0;
	else if (!m->nvia)
		return MIRROR_SKIP; /* unicast without a next hop: nothing to forward to */
	return 0;
}

int rtnl_neigh_parse(const struct nlmsghdr *nlh, struct neigh_event *e)
{
	const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *dst = NULL, *ll = NULL;
	size_t alen;

	memset(e, 0, sizeof(*e));
	/* The header first: a short message has no family to read. */
	if (!nlmsg_fits(nlh, sizeof(*nd)) || (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6))
		return -1;
	alen = nd->ndm_family == AF_INET ? 4 : 16;
	mnl_attr_for_each(a, nlh, sizeof(*nd)) {
		if (mnl_attr_get_type(a) == NDA_DST)
			dst = a;
		else if (mnl_attr_get_type(a) == NDA_LLADDR)
			ll = a;
	}
	if (!dst || mnl_attr_get_payload_len(dst) != alen)
		return -1;
	e->ifindex = (uint32_t)nd->ndm_ifindex;
	e->addr.family = nd->ndm_family;
	memcpy(e->addr.bytes, mnl_attr_get_payload(dst), alen);
	e->valid = nlh->nlmsg_type != RTM_DELNEIGH && ll && mnl_attr_get_payload_len(ll) == 6 &&
		   (nd->ndm_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE |
				     NUD_PERMANENT | NUD_NOARP));
	if (e->valid)
		memcpy(e->mac, mnl_attr_get_payload(ll), 6);
	return 0;
}
