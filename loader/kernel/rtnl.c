// SPDX-License-Identifier: GPL-2.0-only
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
#include "thread.h"

#ifndef IFF_LOWER_UP /* <linux/if.h> has it, but clashes with <net/if.h> */
#define IFF_LOWER_UP 0x10000
#endif
#ifndef NDA_FLAGS_EXT
#define NDA_FLAGS_EXT 15
#endif
#ifndef NTF_EXT_MANAGED
#define NTF_EXT_MANAGED (1 << 0)
#endif

/* A socket with the request sent on it (sequence number seq): 0, or
 * -errno with *nl NULL. */
static int send_request(int proto, struct nlmsghdr *nlh, struct mnl_socket **nl,
			unsigned int *seq, bool strict)
{
	int ret, one = 1;

	if (!(*nl = mnl_socket_open(proto)))
		return -errno;
	/* Strict: the kernel applies a dump's filters (table, protocol); a
	 * kernel without it dumps everything and the callback filters. */
	if (strict)
		mnl_socket_setsockopt(*nl, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	*seq = (unsigned int)time(NULL);
	nlh->nlmsg_seq = *seq;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (mnl_socket_bind(*nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(*nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		mnl_socket_close(*nl);
		*nl = NULL;
		return ret;
	}
	return 0;
}

static int request(int proto, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, bool strict)
{
	char buf[32768]; /* libmnl's recommended dump buffer size */
	struct mnl_socket *nl;
	unsigned int seq, portid;
	int ret = send_request(proto, nlh, &nl, &seq, strict);

	if (ret)
		return ret;
	portid = mnl_socket_get_portid(nl);
	do {
		ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0) {
			ret = ret < 0 ? -errno : -EIO;
			break;
		}
		ret = mnl_cb_run(buf, (size_t)ret, seq, portid, cb, data);
	} while (ret > 0);
	if (ret < 0)
		ret = -errno;
	mnl_socket_close(nl);
	return ret;
}

int nl_request(int proto, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	return request(proto, nlh, cb, data, false);
}

int rtnl_request(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	return nl_request(NETLINK_ROUTE, nlh, cb, data);
}

/* ---- a large dump, received on a thread of its own ---- */

/* The kernel builds each part of a dump inside the recvmsg that asks for
 * it: at a full table that is a second of kernel time. A reader thread
 * receives into a ring of buffers while the caller parses. */
#define RING 64
#define PART 32768

struct dump_ring {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct mnl_socket *nl;
	char (*buf)[PART];
	int len[RING]; /* bytes, or -errno */
	unsigned int head, tail; /* parts taken, parts received */
	bool stop;
};

/* The dump's last part holds NLMSG_DONE or an error. */
static bool last_part(const char *buf, int len)
{
	const struct nlmsghdr *h = (const void *)buf;

	for (; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len))
		if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
			return true;
	return false;
}

static void *dump_reader(void *arg)
{
	struct dump_ring *r = arg;
	bool end = false;

	while (!end) {
		unsigned int slot;
		int n;

		pthread_mutex_lock(&r->mu);
		while (r->tail - r->head == RING && !r->stop)
			pthread_cond_wait(&r->cv, &r->mu);
		slot = r->tail % RING;
		pthread_mutex_unlock(&r->mu);
		/* After a stop, parts are read and dropped until the end. */
		n = (int)mnl_socket_recvfrom(r->nl, r->buf[slot], PART);
		if (n <= 0)
			n = n < 0 ? -errno : -EIO;
		end = n < 0 || last_part(r->buf[slot], n);
		pthread_mutex_lock(&r->mu);
		if (!r->stop) {
			r->len[slot] = n;
			r->tail++;
			pthread_cond_broadcast(&r->cv);
		}
		pthread_mutex_unlock(&r->mu);
	}
	return NULL;
}

static int dump_consume(struct dump_ring *r, unsigned int seq, unsigned int portid,
			mnl_cb_t cb, void *data)
{
	int ret;

	do {
		unsigned int slot;

		pthread_mutex_lock(&r->mu);
		while (r->head == r->tail)
			pthread_cond_wait(&r->cv, &r->mu);
		slot = r->head % RING;
		pthread_mutex_unlock(&r->mu);
		ret = r->len[slot];
		if (ret > 0)
			ret = mnl_cb_run(r->buf[slot], (size_t)ret, seq, portid, cb, data);
		if (ret < 0 && r->len[slot] > 0)
			ret = -errno;
		pthread_mutex_lock(&r->mu);
		r->head++;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
	} while (ret > 0);
	return ret;
}

int rtnl_dump(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	struct dump_ring r = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };
	unsigned int seq;
	pthread_t th;
	int ret;

	if (!(r.buf = malloc(sizeof(*r.buf) * RING)))
		return -ENOMEM;
	if ((ret = send_request(NETLINK_ROUTE, nlh, &r.nl, &seq, false)) || (ret = thread_start(&th, dump_reader, &r)))
		goto out;
	ret = dump_consume(&r, seq, mnl_socket_get_portid(r.nl), cb, data);
	pthread_mutex_lock(&r.mu);
	r.stop = true;
	pthread_cond_broadcast(&r.cv);
	pthread_mutex_unlock(&r.mu);
	pthread_join(th, NULL);
out:
	if (r.nl)
		mnl_socket_close(r.nl);
	free(r.buf);
	return ret;
}

/* ---- links ---- */

static void parse_linkinfo(const struct nlattr *li, struct link_info *out)
{
	const struct nlattr *a, *d;

	mnl_attr_for_each_nested(a, li) {
		if (mnl_attr_get_type(a) == IFLA_INFO_KIND && nla_str(a) &&
		    !strcmp(nla_str(a), "vlan"))
			out->is_vlan = true;
		if (mnl_attr_get_type(a) != IFLA_INFO_DATA)
			continue;
		mnl_attr_for_each_nested(d, a)
			if (mnl_attr_get_type(d) == IFLA_VLAN_ID && nla_u16(d, &out->vlan))
				out->vlan = 0;
	}
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	struct link_info *li = data;
	const struct nlattr *a;

	if (!nlmsg_fits(nlh, sizeof(*ifm)))
		return MNL_CB_ERROR;
	li->ifindex = (uint32_t)ifm->ifi_index;
	li->up = ifm->ifi_flags & IFF_UP;
	li->carrier = ifm->ifi_flags & IFF_LOWER_UP;
	mnl_attr_for_each(a, nlh, sizeof(*ifm)) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_IFNAME:
			snprintf(li->name, sizeof(li->name), "%s", nla_str(a) ? nla_str(a) : "");
			break;
		case IFLA_MTU:
			if (nla_u32(a, &li->mtu))
				return MNL_CB_ERROR;
			break;
		case IFLA_ADDRESS:
			if (mnl_attr_get_payload_len(a) == 6)
				memcpy(li->mac, mnl_attr_get_payload(a), 6);
			break;
		case IFLA_LINK:
			if (nla_u32(a, &li->parent))
				return MNL_CB_ERROR;
			break;
		case IFLA_LINKINFO:
			parse_linkinfo(a, li);
			break;
		}
	}
	return MNL_CB_OK;
}

int rtnl_link_get(uint32_t ifindex, struct link_info *li)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;
	int ret;

	memset(li, 0, sizeof(*li));
	nlh->nlmsg_type = RTM_GETLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = (int)ifindex;
	ret = rtnl_request(nlh, link_cb, li);
	return ret == -ENODEV || (!ret && !li->ifindex) ? -ENODEV : ret;
}

int rtnl_link_by_name(const char *name, struct link_info *li)
{
	unsigned int idx = if_nametoindex(name);

	return idx ? rtnl_link_get(idx, li) : -ENODEV;
}

/* ---- neighbours ---- */

struct neigh_query {
	const struct xaddr *addr;
	uint32_t ifindex;
	uint8_t *mac;
	bool found;
};

int rtnl_neigh_parse(const struct nlmsghdr *nlh, struct neigh_event *e)
{
	const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *dst = NULL, *ll = NULL;
	size_t alen = nd->ndm_family == AF_INET ? 4 : 16;

	memset(e, 0, sizeof(*e));
	if (!nlmsg_fits(nlh, sizeof(*nd)) || (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6))
		return -1;
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

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_query *q = data;
	struct neigh_event e;

	if (!rtnl_neigh_parse(nlh, &e) && e.valid && e.ifindex == q->ifindex &&
	    xaddr_eq(&e.addr, q->addr)) {
		memcpy(q->mac, e.mac, 6);
		q->found = true;
	}
	return MNL_CB_OK;
}

int rtnl_neigh_mac(const struct xaddr *addr, uint32_t ifindex, uint8_t mac[6])
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct neigh_query q = { addr, ifindex, mac, false };
	struct ndmsg *nd;
	int ret;

	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_DUMP;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = (uint8_t)addr->family;
	nd->ndm_ifindex = (int)ifindex;
	ret = rtnl_request(nlh, neigh_cb, &q);
	if (ret)
		return ret;
	return q.found ? 0 : -ENOENT;
}

static struct nlmsghdr *neigh_msg(char *buf, const struct xaddr *addr,
				   uint32_t ifindex, uint16_t flags, uint8_t ntf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *nd;

	nlh->nlmsg_type = RTM_NEWNEIGH;
	nlh->nlmsg_flags = flags;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = (uint8_t)addr->family;
	nd->ndm_ifindex = (int)ifindex;
	nd->ndm_state = NUD_NONE;
	nd->ndm_flags = ntf;
	mnl_attr_put(nlh, NDA_DST, addr->family == AF_INET ? 4 : 16, addr->bytes);
	return nlh;
}

int rtnl_neigh_manage(const struct xaddr *addr, uint32_t ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	/* NLM_F_CREATE without EXCL/REPLACE: an existing entry (static or
	 * learned) is left as it is; otherwise a managed one is made. */
	struct nlmsghdr *nlh = neigh_msg(buf, addr, ifindex, NLM_F_CREATE, 0);
	int ret;

	mnl_attr_put_u32(nlh, NDA_FLAGS_EXT, NTF_EXT_MANAGED);
	ret = rtnl_request(nlh, NULL, NULL);
	if (ret && ret != -EEXIST)
		return ret;
	/* Managed entries are probed by delayed work; NTF_USE starts the
	 * resolution now. */
	return rtnl_request(neigh_msg(buf, addr, ifindex, NLM_F_REPLACE, NTF_USE), NULL, NULL);
}

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
	return request(NETLINK_ROUTE, nlh, route_dev_cb_one, &w, true);
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
	struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct addr_list *l = data;
	const struct nlattr *a, *local = NULL, *address = NULL;

	if (!nlmsg_fits(nlh, sizeof(*ifa)))
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_type(a) == IFA_LOCAL)
			local = a;
		else if (mnl_attr_get_type(a) == IFA_ADDRESS)
			address = a;
	}
	/* On point-to-point links IFA_ADDRESS is the peer; IFA_LOCAL ours. */
	a = local ? local : address;
	if (!a || (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return MNL_CB_OK;
	if (GROW(l->v, l->n, l->cap, 16))
		return MNL_CB_ERROR;
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	l->v[l->n].family = ifa->ifa_family;
	memcpy(l->v[l->n].bytes, mnl_attr_get_payload(a),
	       ifa->ifa_family == AF_INET ? 4 : 16);
	l->n++;
	return MNL_CB_OK;
}

struct iface_addrs {
	uint32_t ifindex;
	uint8_t *addr4, *addr6;
	bool have4, have6;
};

static int iface_addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct iface_addrs *q = data;
	const struct nlattr *a;

	if (!nlmsg_fits(nlh, sizeof(*ifa)) || ifa->ifa_index != q->ifindex)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ifa)) {
		if (ifa->ifa_family == AF_INET && !q->have4 &&
		    mnl_attr_get_type(a) == IFA_LOCAL) {
			memcpy(q->addr4, mnl_attr_get_payload(a), 4);
			q->have4 = true;
		}
		if (ifa->ifa_family == AF_INET6 && !q->have6 &&
		    ifa->ifa_scope == RT_SCOPE_UNIVERSE && mnl_attr_get_type(a) == IFA_ADDRESS) {
			memcpy(q->addr6, mnl_attr_get_payload(a), 16);
			q->have6 = true;
		}
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
