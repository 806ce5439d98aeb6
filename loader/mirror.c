// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parse the routes a BGP daemon installs in a kernel table. Unicast
 * routes become next hops (several with RTA_MULTIPATH: ECMP), blackhole
 * drops, unreachable and prohibit go to the kernel (which answers with
 * ICMP). Everything else (local, broadcast, cloned, multicast) is skipped.
 */
#include "mirror.h"

#include <errno.h>
#include <libmnl/libmnl.h>
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
		memset(&m->via[m->nvia].gw, 0, sizeof(m->via[0].gw));
		while (mnl_attr_ok(a, alen)) {
			if (mnl_attr_get_type(a) == RTA_GATEWAY &&
			    set_addr(&m->via[m->nvia].gw, family, a))
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
	case RTN_PROHIBIT: return XFWD_NH_KERNEL;
	}
	return 0;
}

int mirror_parse(const struct nlmsghdr *nlh, struct mroute *m)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	bool has_dst = false;

	memset(m, 0, sizeof(*m));
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return -EBADMSG;
	if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    (rtm->rtm_flags & RTM_F_CLONED) || !(m->kind = kind_of(rtm->rtm_type)))
		return MIRROR_SKIP;
	m->table = rtm->rtm_table;
	m->prefix.len = rtm->rtm_dst_len;
	m->prefix.addr.family = rtm->rtm_family;
	mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
		switch (mnl_attr_get_type(a)) {
		case RTA_TABLE:
			m->table = mnl_attr_get_u32(a);
			break;
		case RTA_PRIORITY:
			m->metric = mnl_attr_get_u32(a);
			break;
		case RTA_DST:
			if (set_addr(&m->prefix.addr, rtm->rtm_family, a))
				return -EBADMSG;
			has_dst = true;
			break;
		case RTA_GATEWAY:
			if (set_addr(&m->via[0].gw, rtm->rtm_family, a))
				return -EBADMSG;
			m->nvia = 1;
			break;
		case RTA_OIF:
			m->via[0].oif = mnl_attr_get_u32(a);
			m->nvia = 1;
			break;
		case RTA_MULTIPATH:
			m->nvia = 0;
			if (parse_multipath(a, rtm->rtm_family, m))
				return -EBADMSG;
			break;
		}
	}
	if (!has_dst && m->prefix.len)
		return -EBADMSG;
	if (m->kind != XFWD_NH_DIRECT)
		m->nvia = 0;
	else if (!m->nvia)
		return MIRROR_SKIP; /* unicast without a next hop: nothing to forward to */
	return 0;
}
