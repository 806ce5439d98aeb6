// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's own tunnel device beside each xfwd tunnel. XDP hands
 * inner packets for this host (BGP over the tunnel, probes, ICMP) to the
 * kernel still encapsulated; a kernel device with the same endpoints
 * decapsulates them, and carries the host's own replies. xfwd creates it
 * (named like the tunnel) or adopts one that exists with the same kind
 * and remote. See docs/tunnel-kernel-device.md.
 */
#include "tundev.h"
#include "log.h"
#include "nlattr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/ip6_tunnel.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "rtnl.h"

/* How each (type, outer family) maps to a kernel device kind. */
struct kind_spec {
	uint8_t type, family;
	const char *kind;
	uint16_t remote, local, ttl; /* IFLA_*_ attributes; local 0: none */
};

static const struct kind_spec kinds[] = {
	{ XFWD_TUN_GRE, AF_INET, "gre", IFLA_GRE_REMOTE, IFLA_GRE_LOCAL, IFLA_GRE_TTL },
	{ XFWD_TUN_GRE, AF_INET6, "ip6gre", IFLA_GRE_REMOTE, IFLA_GRE_LOCAL, IFLA_GRE_TTL },
	{ XFWD_TUN_IPIP, AF_INET, "ipip", IFLA_IPTUN_REMOTE, IFLA_IPTUN_LOCAL, IFLA_IPTUN_TTL },
	{ XFWD_TUN_IPIP, AF_INET6, "ip6tnl", IFLA_IPTUN_REMOTE, IFLA_IPTUN_LOCAL, IFLA_IPTUN_TTL },
	{ XFWD_TUN_VXLAN, AF_INET, "vxlan", IFLA_VXLAN_GROUP, IFLA_VXLAN_LOCAL, IFLA_VXLAN_TTL },
	{ XFWD_TUN_VXLAN, AF_INET6, "vxlan", IFLA_VXLAN_GROUP6, IFLA_VXLAN_LOCAL6, IFLA_VXLAN_TTL },
	{ XFWD_TUN_GENEVE, AF_INET, "geneve", IFLA_GENEVE_REMOTE, 0, IFLA_GENEVE_TTL },
	{ XFWD_TUN_GENEVE, AF_INET6, "geneve", IFLA_GENEVE_REMOTE6, 0, IFLA_GENEVE_TTL },
	/* ipsec: an xfrm interface, told apart by its if_id, not a remote */
	{ XFWD_TUN_IPSEC, AF_INET, "xfrm", IFLA_XFRM_IF_ID, 0, 0 },
	{ XFWD_TUN_IPSEC, AF_INET6, "xfrm", IFLA_XFRM_IF_ID, 0, 0 },
};

static const struct kind_spec *spec_of(const struct xfwd_tunnel *t)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].type == t->type && kinds[i].family == t->family)
			return &kinds[i];
	return NULL;
}

static size_t alen(const struct xfwd_tunnel *t)
{
	return t->family == AF_INET ? 4 : 16;
}

/* What tells this device apart (the attribute s->remote holds): the
 * remote address, or an xfrm interface's if_id (the tunnel's key). */
static size_t ident(const struct xfwd_tunnel *t, const void **v)
{
	*v = t->type == XFWD_TUN_IPSEC ? (const void *)&t->key : t->remote;
	return t->type == XFWD_TUN_IPSEC ? sizeof(t->key) : alen(t);
}

/* An xfrm interface's underlay device: the one named, or the kernel's
 * route to the remote (0, none, is allowed). */
static uint32_t xfrm_link(const struct xfwd_tunnel *t)
{
	struct xaddr remote = { .family = t->family }, gw;
	uint32_t oif = t->dev;

	memcpy(remote.bytes, t->remote, 16);
	if (!oif && rtnl_route_get(&remote, &oif, &gw))
		oif = 0;
	return oif;
}

/* Type-specific attributes: key, VNI, port, modes. change: for the
 * kernel's changelink, which refuses a VXLAN port or a GENEVE payload
 * mode even unchanged: those are left out (they cannot differ). */
static void put_extra(struct nlmsghdr *nlh, const struct xfwd_tunnel *t, bool change)
{
	switch (t->type) {
	case XFWD_TUN_GRE:
		if (t->flags & XFWD_TUN_F_KEY) {
			mnl_attr_put_u32(nlh, IFLA_GRE_IKEY, htonl(t->key));
			mnl_attr_put_u32(nlh, IFLA_GRE_OKEY, htonl(t->key));
			mnl_attr_put_u16(nlh, IFLA_GRE_IFLAGS, GRE_KEY); /* already big-endian */
			mnl_attr_put_u16(nlh, IFLA_GRE_OFLAGS, GRE_KEY);
		}
		break;
	case XFWD_TUN_IPIP:
		if (t->family == AF_INET6) { /* IPv4 and IPv6 inside, no encap-limit option */
			mnl_attr_put_u8(nlh, IFLA_IPTUN_PROTO, 0);
			mnl_attr_put_u32(nlh, IFLA_IPTUN_FLAGS, IP6_TNL_F_IGN_ENCAP_LIMIT);
		}
		break;
	case XFWD_TUN_VXLAN:
		mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, t->key);
		if (!change)
			mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(XFWD_VXLAN_PORT));
		break;
	case XFWD_TUN_GENEVE:
		mnl_attr_put_u32(nlh, IFLA_GENEVE_ID, t->key);
		if ((t->flags & XFWD_TUN_F_INNER_IP) && !change)
			mnl_attr_put(nlh, IFLA_GENEVE_INNER_PROTO_INHERIT, 0, NULL);
		break;
	}
}

/* RTM_NEWLINK for the device: create it (flags NLM_F_CREATE |
 * NLM_F_EXCL), or change the existing one in place (0: the kernel's
 * changelink, which keeps its addresses and routes). */
static int newlink(const struct xfwd_tunnel *t, const struct kind_spec *s, uint16_t flags)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;
	struct nlattr *li, *data;
	const void *id;
	uint32_t link;
	size_t len;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = flags;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, t->name);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, s->kind);
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	len = ident(t, &id);
	mnl_attr_put(nlh, s->remote, len, id);
	if (s->local)
		mnl_attr_put(nlh, s->local, alen(t), t->local);
	if (s->ttl)
		mnl_attr_put_u8(nlh, s->ttl, t->ttl);
	if (t->type == XFWD_TUN_IPSEC && (link = xfrm_link(t)))
		mnl_attr_put_u32(nlh, IFLA_XFRM_LINK, link);
	put_extra(nlh, t, !(flags & NLM_F_CREATE));
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	return rtnl_request(nlh, NULL, NULL);
}

struct existing {
	const struct kind_spec *want;
	char kind[32];
	uint8_t remote[16];
	size_t remote_len;
};

static int existing_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct existing *e = arg;
	const struct nlattr *a, *i, *d;

	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg)) {
		if (mnl_attr_get_type(a) != IFLA_LINKINFO)
			continue;
		mnl_attr_for_each_nested(i, a) {
			if (mnl_attr_get_type(i) == IFLA_INFO_KIND)
				snprintf(e->kind, sizeof(e->kind), "%s", nla_str(i) ? nla_str(i) : "");
			if (mnl_attr_get_type(i) != IFLA_INFO_DATA)
				continue;
			mnl_attr_for_each_nested(d, i)
				if (mnl_attr_get_type(d) == e->want->remote &&
				    mnl_attr_get_payload_len(d) <= 16) {
					e->remote_len = mnl_attr_get_payload_len(d);
					memcpy(e->remote, mnl_attr_get_payload(d), e->remote_len);
				}
		}
	}
	return MNL_CB_OK;
}

/* A device of that name exists: adopt it if it is the same kind of
 * tunnel to the same remote. */
static int adopt(const struct xfwd_tunnel *t, const struct kind_spec *s,
		 char *err, size_t len)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], a[XADDR_STRLEN];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct existing e = { .want = s };
	struct xaddr remote = { .family = t->family };
	const void *id;
	size_t n = ident(t, &id);
	int ret;

	nlh->nlmsg_type = RTM_GETLINK;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, t->name);
	if ((ret = rtnl_request(nlh, existing_cb, &e))) {
		snprintf(err, len, "cannot read the kernel's device %s: %s", t->name, strerror(-ret));
		return ret;
	}
	memcpy(remote.bytes, t->remote, 16);
	if (!strcmp(e.kind, s->kind) && e.remote_len == n && !memcmp(e.remote, id, n))
		return 0;
	if (t->type == XFWD_TUN_IPSEC)
		snprintf(err, len, "device %s exists but is not an xfrm interface with if_id %u: remove it (ip link del %s) or name the tunnel differently",
			 t->name, t->key, t->name);
	else
		snprintf(err, len, "device %s exists but is not a %s tunnel to %s: remove it (ip link del %s) or name the tunnel differently",
			 t->name, s->kind, xaddr_str(&remote, a), t->name);
	return -EEXIST;
}

int tundev_ensure(const struct xfwd_tunnel *t, enum tundev_result *res,
		  char *err, size_t len)
{
	const struct kind_spec *s = spec_of(t);
	struct link_info li;
	int ret;

	*res = TUNDEV_NONE;
	if (!s)
		return 0;
	if (!rtnl_link_by_name(t->name, &li)) {
		if ((ret = adopt(t, s, err, len)))
			return ret;
		*res = TUNDEV_ADOPTED;
		return 0;
	}
	ret = newlink(t, s, NLM_F_CREATE | NLM_F_EXCL);
	if ((ret == -EOPNOTSUPP || ret == -ENOENT) && t->type == XFWD_TUN_IPSEC) {
		snprintf(err, len, "cannot create the xfrm interface %s: this kernel has no xfrm interfaces (%s): modprobe xfrm_interface",
			 t->name, strerror(-ret));
		return -ENOPKG; /* the system's, not the input's: exit 2 */
	}
	if (ret == -EOPNOTSUPP || ret == -ENOENT) {
		xlog(LOG_WARNING, "warning: this kernel has no '%s' device (module not available): tunnel %s forwards, but inner packets for this host are not delivered",
			s->kind, t->name);
		return 0;
	}
	if (ret) {
		snprintf(err, len, "cannot create the kernel's %s device %s: %s%s%s", s->kind, t->name,
			 strerror(-ret), *nl_ack_msg() ? ": " : "", nl_ack_msg());
		return ret;
	}
	*res = TUNDEV_CREATED;
	return 0;
}

int tundev_delete(const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = RTM_DELLINK;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return rtnl_request(nlh, NULL, NULL);
}

int tundev_change(const struct xfwd_tunnel *t, char *err, size_t len)
{
	const struct kind_spec *s = spec_of(t);
	int ret;

	if (!s)
		return 0;
	if ((ret = newlink(t, s, 0)))
		snprintf(err, len, "cannot change the kernel's %s device %s in place: %s%s%s", s->kind, t->name,
			 strerror(-ret), *nl_ack_msg() ? ": " : "", nl_ack_msg());
	return ret;
}
