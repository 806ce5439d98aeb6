// SPDX-License-Identifier: GPL-2.0-only
/*
 * Links, addresses, SAs and error acks as the kernel sends them. Nothing
 * here trusts a length: a header is read only once the message holds it,
 * an attribute's payload only once it has the size its type needs.
 */
#include "nlmsg.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "nlattr.h"

#ifndef IFF_LOWER_UP /* <linux/if.h> has it, but clashes with <net/if.h> */
#define IFF_LOWER_UP 0x10000
#endif

bool nl_datagram_ok(const void *buf, size_t len)
{
	const char *p = buf;

	while (len >= sizeof(struct nlmsghdr)) {
		uint32_t n = ((const struct nlmsghdr *)p)->nlmsg_len;

		if (n < sizeof(struct nlmsghdr) || n > len)
			return false;
		if (MNL_ALIGN(n) >= len)
			return true;
		p += MNL_ALIGN(n);
		len -= MNL_ALIGN(n);
	}
	return true;
}

static void parse_linkinfo(const struct nlattr *info, struct link_info *li)
{
	const struct nlattr *a, *d;

	mnl_attr_for_each_nested(a, info) {
		if (mnl_attr_get_type(a) == IFLA_INFO_KIND && nla_str(a) && !strcmp(nla_str(a), "vlan"))
			li->is_vlan = true;
		if (mnl_attr_get_type(a) != IFLA_INFO_DATA)
			continue;
		mnl_attr_for_each_nested(d, a)
			if (mnl_attr_get_type(d) == IFLA_VLAN_ID && nla_u16(d, &li->vlan))
				li->vlan = 0;
	}
	if (!li->is_vlan)
		li->vlan = 0;
}

static int link_attr(const struct nlattr *a, struct link_info *li)
{
	switch (mnl_attr_get_type(a)) {
	case IFLA_IFNAME:
		snprintf(li->name, sizeof(li->name), "%s", nla_str(a) ? nla_str(a) : "");
		return 0;
	case IFLA_MTU:
		return nla_u32(a, &li->mtu);
	case IFLA_ADDRESS:
		if (mnl_attr_get_payload_len(a) == 6)
			memcpy(li->mac, mnl_attr_get_payload(a), 6);
		return 0;
	case IFLA_LINK:
		return nla_u32(a, &li->parent);
	case IFLA_LINKINFO:
		parse_linkinfo(a, li);
		return 0;
	case IFLA_STATS64: {
		struct rtnl_link_stats64 st;

		if (mnl_attr_get_payload_len(a) < sizeof(st))
			return 0; /* older or cut short: no counters */
		memcpy(&st, mnl_attr_get_payload(a), sizeof(st));
		li->rx_packets = st.rx_packets;
		li->rx_bytes = st.rx_bytes;
		li->tx_packets = st.tx_packets;
		li->tx_bytes = st.tx_bytes;
		return 0;
	}
	}
	return 0;
}

int rtnl_link_parse(const struct nlmsghdr *nlh, struct link_info *li)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	memset(li, 0, sizeof(*li));
	if (!nlmsg_fits(nlh, sizeof(*ifm)) || ifm->ifi_index <= 0)
		return -EBADMSG;
	li->ifindex = (uint32_t)ifm->ifi_index;
	li->up = nlh->nlmsg_type != RTM_DELLINK && (ifm->ifi_flags & IFF_UP);
	li->carrier = nlh->nlmsg_type != RTM_DELLINK && (ifm->ifi_flags & IFF_LOWER_UP);
	mnl_attr_for_each(a, nlh, sizeof(*ifm))
		if (link_attr(a, li))
			return -EBADMSG;
	return 0;
}

static int addr_of(struct xaddr *x, int family, const struct nlattr *a)
{
	size_t n = family == AF_INET ? 4 : 16;

	if (mnl_attr_get_payload_len(a) != n)
		return -1;
	x->family = family;
	memcpy(x->bytes, mnl_attr_get_payload(a), n);
	return 0;
}

int rtnl_addr_parse(const struct nlmsghdr *nlh, struct addr_event *e)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	memset(e, 0, sizeof(*e));
	if (!nlmsg_fits(nlh, sizeof(*ifa)) || (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return -1;
	e->ifindex = ifa->ifa_index;
	e->scope = ifa->ifa_scope;
	mnl_attr_for_each(a, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_type(a) == IFA_LOCAL && addr_of(&e->local, ifa->ifa_family, a))
			return -1;
		if (mnl_attr_get_type(a) == IFA_ADDRESS && addr_of(&e->address, ifa->ifa_family, a))
			return -1;
	}
	return e->local.family || e->address.family ? 0 : -1;
}

int xfrm_sa_parse(const struct nlmsghdr *nlh, struct sa_msg *s)
{
	const struct nlattr *a;

	memset(s, 0, sizeof(*s));
	if (nlh->nlmsg_type != XFRM_MSG_NEWSA || !nlmsg_fits(nlh, sizeof(struct xfrm_usersa_info)))
		return -1;
	memcpy(&s->info, mnl_nlmsg_get_payload(nlh), sizeof(s->info));
	mnl_attr_for_each(a, nlh, sizeof(struct xfrm_usersa_info)) {
		const struct xfrm_algo_aead *k = mnl_attr_get_payload(a);
		size_t plen = mnl_attr_get_payload_len(a);

		if (mnl_attr_get_type(a) == XFRMA_IF_ID && nla_u32(a, &s->if_id))
			return -1;
		if (mnl_attr_get_type(a) != XFRMA_ALG_AEAD)
			continue;
		/* The key's length is in bits: all of it inside the attribute. */
		if (plen < sizeof(*k) || k->alg_key_len % 8 || k->alg_key_len / 8 > plen - sizeof(*k))
			return -1;
		s->aead_key = (const uint8_t *)k->alg_key;
		s->aead_key_len = k->alg_key_len / 8;
	}
	return 0;
}

/* The extended ack's attributes follow the error and the request: all of
 * it, or only its header when the kernel capped it (NLM_F_CAPPED). */
static void ack_text(const struct nlmsghdr *nlh, const struct nlmsgerr *e, char *msg, size_t len)
{
	size_t off = sizeof(*e), rest = nlh->nlmsg_len - MNL_NLMSG_HDRLEN, req = e->msg.nlmsg_len;
	const struct nlattr *a;
	int left;

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (req < sizeof(e->msg) || req > rest)
			return;
		off += MNL_ALIGN(req) - sizeof(e->msg);
	}
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= rest)
		return;
	a = (const void *)((const char *)e + off);
	for (left = (int)(rest - off); mnl_attr_ok(a, left); a = mnl_attr_next(a)) {
		left -= (int)MNL_ALIGN(a->nla_len);
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG && nla_str(a)) {
			snprintf(msg, len, "%s", nla_str(a));
			return;
		}
	}
}

int nl_ack_parse(const struct nlmsghdr *nlh, int *error, char *msg, size_t len)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	if (len)
		msg[0] = '\0';
	if (nlh->nlmsg_type != NLMSG_ERROR || !nlmsg_fits(nlh, sizeof(*e)))
		return -EBADMSG;
	*error = e->error > 0 || e->error < -4095 ? -EBADMSG : e->error;
	ack_text(nlh, e, msg, len);
	return 0;
}
