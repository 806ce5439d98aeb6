// SPDX-License-Identifier: GPL-2.0-only
/* rtnetlink: routes (lookups, xfwd's routes into xfrm interfaces) and
 * addresses. */
#include "rtnl.h"
#include "nlattr.h"
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "grow.h"
#include "mirror.h"
#include "nlmsg.h"
#include "thread.h"

/* ---- routes ---- */

struct route_answer {
	uint32_t oif;
	struct xaddr *gw;
	bool has_gw;
};

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rtmsg *rt = mnl_nlmsg_get_payload(nlh);
	struct route_answer *r = data;
	const struct nlattr *a;
	size_t alen = rt->rtm_family == AF_INET ? 4 : 16;

	if (!nlmsg_fits(nlh, sizeof(*rt)))
		return MNL_CB_ERROR;
	mnl_attr_for_each(a, nlh, sizeof(*rt)) {
		if (mnl_attr_get_type(a) == RTA_OIF && nla_u32(a, &r->oif))
			return MNL_CB_ERROR;
		if (mnl_attr_get_type(a) == RTA_GATEWAY &&
		    mnl_attr_get_payload_len(a) == alen) {
			memset(r->gw, 0, sizeof(*r->gw));
			r->gw->family = rt->rtm_family;
			memcpy(r->gw->bytes, mnl_attr_get_payload(a), alen);
			r->has_gw = true;
		}
	}
	return MNL_CB_OK;
}

int rtnl_route_get(const struct xaddr *dst, uint32_t *oif, struct xaddr *gw)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct route_answer r = { 0, gw, false };
	struct rtmsg *rt;
	int ret;

	nlh->nlmsg_type = RTM_GETROUTE;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtm_family = (uint8_t)dst->family;
	rt->rtm_dst_len = dst->family == AF_INET ? 32 : 128;
	mnl_attr_put(nlh, RTA_DST, dst->family == AF_INET ? 4 : 16, dst->bytes);
	ret = rtnl_request(nlh, route_cb, &r);
	if (ret)
		return ret;
	if (!r.oif)
		return -ENETUNREACH;
	*oif = r.oif;
	if (!r.has_gw)
		*gw = *dst;
	return 0;
}

int rtnl_route_dev(enum route_dev_op op, const struct xprefix *p, uint32_t ifindex)
{
	static const uint16_t flags[] = { [ROUTE_DEV_SET] = NLM_F_CREATE | NLM_F_REPLACE,
					  [ROUTE_DEV_NEW] = NLM_F_CREATE | NLM_F_EXCL };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rt;

	nlh->nlmsg_type = op == ROUTE_DEV_DEL ? RTM_DELROUTE : RTM_NEWROUTE;
	nlh->nlmsg_flags = flags[op];
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtm_family = (uint8_t)p->addr.family;
	rt->rtm_dst_len = (uint8_t)p->len;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = XFWD_RTPROT;
	rt->rtm_scope = RT_SCOPE_LINK;
	rt->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, p->addr.family == AF_INET ? 4 : 16, p->addr.bytes);
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	return rtnl_request(nlh, NULL, NULL);
}

struct route_dev_walk {
	route_dev_cb cb;
	void *data;
};

static int route_dev_cb_one(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rt = mnl_nlmsg_get_payload(nlh);
	struct route_dev_walk *w = data;
	struct mroute m;

	if (nlh->nlmsg_type != RTM_NEWROUTE || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*rt)) ||
	    rt->rtm_protocol != XFWD_RTPROT || mirror_parse(nlh, &m))
		return MNL_CB_OK;
	if (m.table == RT_TABLE_MAIN && !m.metric && m.nvia == 1)
		w->cb(&m.prefix, m.via[0].oif, w->data);
	return MNL_CB_OK;
}

int rtnl_route_dev_each(route_dev_cb cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct route_dev_walk w = { cb, data };
	struct rtmsg *rt;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_DUMP;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtm_family = AF_UNSPEC;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = XFWD_RTPROT;
	return nl_request_strict(NETLINK_ROUTE, nlh, route_dev_cb_one, &w);
}

struct table_walk {
	uint32_t table;
	struct kroute *r;
	size_t n, cap;
	int err;
};

static int table_route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct table_walk *w = data;
	struct mroute m;

	if (nlh->nlmsg_type != RTM_NEWROUTE || mirror_parse(nlh, &m) || m.table != w->table || m.sel)
		return MNL_CB_OK;
	if (GROW(w->r, w->n, w->cap, 1024)) {
		w->err = -ENOMEM;
		return MNL_CB_ERROR;
	}
	w->r[w->n++] = (struct kroute){ .p = m.prefix, .metric = m.metric, .nvia = m.nvia,
					.gw = m.nvia ? m.via[0].gw : (struct xaddr){ 0 },
					.oif = m.nvia ? m.via[0].oif : 0 };
	return MNL_CB_OK;
}

static int kroute_cmp(const void *a, const void *b)
{
	const struct kroute *x = a, *y = b;
	int c = xprefix_cmp(&x->p, &y->p);

	return c ? c : (x->metric > y->metric) - (x->metric < y->metric);
}

int rtnl_table_routes(uint32_t table, struct kroute **out, size_t *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct table_walk w = { .table = table };
	struct rtmsg *rt;
	int ret;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_DUMP;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtm_family = AF_UNSPEC;
	ret = rtnl_dump(nlh, table_route_cb, &w);
	if (ret || w.err) {
		free(w.r);
		return ret ? ret : w.err;
	}
	if (w.n)
		qsort(w.r, w.n, sizeof(*w.r), kroute_cmp);
	*out = w.r;
	*n = w.n;
	return 0;
}

int rtnl_addr_add(uint32_t ifindex, const struct xaddr *a, unsigned int len)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	int ret;

	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)a->family;
	ifa->ifa_prefixlen = (uint8_t)len;
	ifa->ifa_index = ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, a->family == AF_INET ? 4 : 16, a->bytes);
	mnl_attr_put(nlh, IFA_ADDRESS, a->family == AF_INET ? 4 : 16, a->bytes);
	if (a->family == AF_INET6)
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	ret = rtnl_request(nlh, NULL, NULL);
	return ret == -EEXIST ? 0 : ret;
}

/* ---- local addresses ---- */

struct addr_list {
	struct xaddr *v;
	size_t n, cap;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_list *l = data;
	struct addr_event e;

	if (rtnl_addr_parse(nlh, &e))
		return MNL_CB_OK;
	if (GROW(l->v, l->n, l->cap, 16))
		return MNL_CB_ERROR;
	/* On point-to-point links IFA_ADDRESS is the peer; IFA_LOCAL ours. */
	l->v[l->n++] = e.local.family ? e.local : e.address;
	return MNL_CB_OK;
}

struct iface_addrs {
	uint32_t ifindex;
	uint8_t *addr4, *addr6;
	bool have4, have6;
};

static int iface_addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct iface_addrs *q = data;
	struct addr_event e;

	if (rtnl_addr_parse(nlh, &e) || e.ifindex != q->ifindex)
		return MNL_CB_OK;
	if (e.local.family == AF_INET && !q->have4) {
		memcpy(q->addr4, e.local.bytes, 4);
		q->have4 = true;
	}
	if (e.address.family == AF_INET6 && !q->have6 && e.scope == RT_SCOPE_UNIVERSE) {
		memcpy(q->addr6, e.address.bytes, 16);
		q->have6 = true;
	}
	return MNL_CB_OK;
}

/* Every address of this host, to cb. A dump that spans several reads and
 * meets an address change is marked interrupted (libmnl: EINTR): read
 * again from the start, reset first undoing what cb kept. */
static int addr_dump(mnl_cb_t cb, void *data, void (*reset)(void *))
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int ret = -EINTR;

	for (int try = 0; try < 5 && ret == -EINTR; try++) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct rtgenmsg *g;

		reset(data);
		nlh->nlmsg_type = RTM_GETADDR;
		nlh->nlmsg_flags = NLM_F_DUMP;
		g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		g->rtgen_family = AF_UNSPEC;
		ret = rtnl_request(nlh, cb, data);
	}
	return ret;
}

static void iface_addrs_reset(void *data)
{
	struct iface_addrs *q = data;

	memset(q->addr4, 0, 4);
	memset(q->addr6, 0, 16);
	q->have4 = q->have6 = false;
}

int rtnl_iface_addrs(uint32_t ifindex, uint8_t addr4[4], uint8_t addr6[16])
{
	struct iface_addrs q = { ifindex, addr4, addr6, false, false };

	return addr_dump(iface_addr_cb, &q, iface_addrs_reset);
}

static void addr_list_reset(void *data)
{
	((struct addr_list *)data)->n = 0;
}

int rtnl_local_addrs(struct xaddr **out, size_t *n)
{
	struct addr_list l = { 0 };
	int ret = addr_dump(addr_cb, &l, addr_list_reset);

	if (ret) {
		free(l.v);
		return ret;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}
