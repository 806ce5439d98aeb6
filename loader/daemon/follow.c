// SPDX-License-Identifier: GPL-2.0-only
/* The mirrored kernel table and the kernel's events: routes, links,
 * neighbours followed into the maps (docs/daemon.md). */
#include <bpf/bpf.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>


#include "config.h"
#include "grow.h"
#include "krt.h"
#include "mirror.h"
#include "nlmsg.h"
#include "rtnl.h"
#include "health.h"
#include "log.h"
#include "kio_kernel.h"
#include "table.h"
#include "xfrm.h"


#include "daemon.h"


/* ESP in UDP is decapsulated only through a socket marked UDP_ENCAP: the
 * daemon holds one per family while a tunnel with 'encap udp' needs it. */
static void encap_sockets(struct daemon *d)
{
	bool need[2] = { false, false };
	char msg[512];

	for (uint32_t id = 1; id < XFWD_MAX_TUNNELS; id++)
		if (xt_tunnel(&d->t, id)->type == XFWD_TUN_IPSEC && (xt_tunnel(&d->t, id)->flags & XFWD_TUN_F_UDP_ENCAP))
			need[xt_tunnel(&d->t, id)->family == AF_INET6] = true;
	for (int f = 0; f < 2; f++) {
		int fd;

		if (!need[f] && d->encap_fd[f]) {
			close(d->encap_fd[f]);
			d->encap_fd[f] = 0;
		}
		if (!need[f] || d->encap_fd[f])
			continue;
		if ((fd = xfrm_encap_socket(f ? AF_INET6 : AF_INET, msg, sizeof(msg))) > 0) {
			d->encap_fd[f] = fd;
			d->encap_said[f] = false;
		} else if (!d->encap_said[f]) {
			xlog(LOG_WARNING, "warning: %s", msg);
			d->encap_said[f] = true;
		}
	}
}

/* Which kernel device belongs to which tunnel: read when tunnels or
 * links may have changed, not for every route (a socket per lookup);
 * and the sockets ESP in UDP needs follow the tunnels. */
void tunnel_devs(struct daemon *d)
{
	d->ntdev = 0;
	for (uint32_t id = 1; id < XFWD_MAX_TUNNELS; id++) {
		uint32_t ifindex = xt_tunnel(&d->t, id)->type ? if_nametoindex(xt_tunnel(&d->t, id)->name) : 0;

		if (ifindex) {
			d->tdev[d->ntdev].ifindex = ifindex;
			d->tdev[d->ntdev++].tunnel = id;
		}
	}
	encap_sockets(d);
}

static uint32_t tunnel_of_dev(const struct daemon *d, uint32_t ifindex)
{
	for (int i = 0; i < d->ntdev; i++)
		if (d->tdev[i].ifindex == ifindex)
			return d->tdev[i].tunnel;
	return 0;
}

/* The members a mirrored route forwards to; 0 = only the kernel can. */
static int via_members(struct daemon *d, const struct mroute *m, struct nh_key *k)
{
	for (int i = 0; i < m->nvia; i++) {
		uint32_t tid = tunnel_of_dev(d, m->via[i].oif);

		if (tid) { /* via a tunnel's kernel device: the XDP tunnel */
			k[i].kind = XFWD_NH_TUNNEL;
			k[i].tunnel = tid;
		} else if (m->via[i].gw.family) {
			k[i].kind = XFWD_NH_DIRECT;
			k[i].gw = m->via[i].gw;
			k[i].oif = m->via[i].oif;
		} else {
			return 0; /* a device route on a LAN: the kernel resolves each host */
		}
		k[i].hops = m->via[i].hops;
	}
	return m->nvia;
}

/* What xfwd writes for a kernel route. A route with a tos or source
 * selector, and every route but unicast and blackhole, is the kernel's
 * to forward (docs/daemon.md, "Route kinds"). */
static void mirror_members(struct daemon *d, const struct mroute *m, struct krt_route *r)
{
	memset(r, 0, sizeof(*r));
	r->k[0].kind = m->sel ? XFWD_NH_KERNEL : m->kind;
	r->n = 1;
	if (r->k[0].kind == XFWD_NH_DIRECT && !(r->n = via_members(d, m, r->k))) {
		memset(r->k, 0, sizeof(r->k));
		r->k[0].kind = XFWD_NH_KERNEL;
		r->n = 1;
	}
}

/* A mirrored route that could not be written at all (a map full): the
 * first is logged, the rest counted until a write succeeds again, so a
 * full table does not flood the journal. The daemon carries on. */
static void write_failed(struct daemon *d, const struct xprefix *pfx)
{
	char p[XPREFIX_STRLEN];

	d->stats.write_failures++;
	if (!d->write_fails++)
		xlog(LOG_ERR, "%s: %s; its packets go to the kernel (further such failures are counted)",
		       xprefix_str(pfx, p), d->err);
}

static void write_ok(struct daemon *d)
{
	if (d->write_fails > 1)
		xlog(LOG_WARNING, "%u more mirrored routes could not be written (see the first above); writes succeed again",
		       d->write_fails - 1);
	d->write_fails = 0;
}

static void route_write(struct daemon *d, const struct xprefix *pfx, const struct krt_route *r)
{
	const struct nh_key kernel = { .kind = XFWD_NH_KERNEL };
	char p[XPREFIX_STRLEN], why[512];

	if (!xt_route_set(&d->t, pfx, r->k, r->n, XFWD_ORIGIN_MIRROR, ROUTE_REPLACE))
		return write_ok(d);
	/* e.g. a next hop on a device xfwd is not attached to */
	snprintf(why, sizeof(why), "%.500s", d->err);
	if (xt_route_set(&d->t, pfx, &kernel, 1, XFWD_ORIGIN_MIRROR, ROUTE_REPLACE))
		return write_failed(d, pfx);
	xlog(LOG_INFO, "%s: %s; the kernel forwards it", xprefix_str(pfx, p), why);
	write_ok(d);
}

/* krt's callback: the route xfwd forwards p by, about to step aside. */
static int current_route(void *arg, const struct xprefix *p, struct krt_route *out)
{
	struct daemon *d = arg;

	return out->n = xt_route_members(&d->t, p, out->k);
}

/* Route kinds and flags xfwd treats in its own way: said once each. */
static void note_kind(struct daemon *d, const struct mroute *m)
{
	static const struct { unsigned int bit; const char *what; } said[] = {
		{ 1, "tos or source-specific routes: xfwd cannot select by them, so the kernel forwards their prefixes" },
		{ 2, "unreachable, prohibit or throw routes: the kernel handles their prefixes (ICMP errors, or its other tables)" },
		{ 4, "onlink routes: their gateways are resolved on the device the route names, whatever its subnet" },
	};
	unsigned int bit = m->sel ? 1 : m->kind == XFWD_NH_KERNEL ? 2 : m->onlink ? 4 : 0;
	char p[XPREFIX_STRLEN];

	for (size_t i = 0; i < sizeof(said) / sizeof(said[0]); i++)
		if (said[i].bit == bit && !(d->kinds_said & bit)) {
			d->kinds_said |= bit;
			xlog(LOG_INFO, "kernel table %u has %s (first: %s)", d->cfg.mirror_table,
			       said[i].what, xprefix_str(&m->prefix, p));
		}
}

/* A kernel route came or went. exists: xfwd forwards the prefix by a
 * mirrored route now. Of a prefix's routes, xfwd forwards by the one the
 * kernel uses (loader/krt.c); the others wait their turn. */
static void mirror_apply(struct daemon *d, const struct mroute *m, bool del, bool exists)
{
	const struct krt_id id = { m->metric, m->sel };
	struct krt_route r;
	enum krt_do todo;
	char p[XPREFIX_STRLEN];

	if (del) {
		krt_del(&d->krt, &m->prefix, id, exists, &todo, &r);
		if (todo == KRT_DEL && xt_route_del(&d->t, &m->prefix))
			xlog(LOG_WARNING, "%s", d->err);
		if (todo == KRT_SET)
			route_write(d, &m->prefix, &r);
		return;
	}
	note_kind(d, m);
	mirror_members(d, m, &r);
	if (krt_add(&d->krt, &m->prefix, id, &r, exists, current_route, d, &todo)) {
		xlog(LOG_ERR, "%s: out of memory keeping its rival routes; forwarding by the newest",
		       xprefix_str(&m->prefix, p));
		todo = KRT_SET;
	}
	if (todo == KRT_SET)
		route_write(d, &m->prefix, &r);
}

/* Whether a mirrored route is xfwd's to change: the config's routes and
 * the host's addresses win over the same prefix in the kernel table. */
static bool mirror_owns(struct daemon *d, const struct xprefix *p, bool *exists)
{
	int origin = xt_route_origin(&d->t, p);

	*exists = origin == XFWD_ORIGIN_MIRROR;
	return origin != XFWD_ORIGIN_STATIC && origin != XFWD_ORIGIN_LOCAL;
}

static size_t prefix_hash(const struct xprefix *p)
{
	uint64_t a, b;

	memcpy(&a, p->addr.bytes, 8);
	memcpy(&b, p->addr.bytes + 8, 8);
	a ^= (b + p->len) * 0x9e3779b97f4a7c15ull;
	return (size_t)((a ^ (uint64_t)p->addr.family << 56) * 0xff51afd7ed558ccdull >> 17);
}

/* The slot of p: where it is, or the empty one it would go to. */
static uint32_t *old_slot(const struct mirrored *m, const struct xprefix *p)
{
	size_t i = prefix_hash(p) & m->mask;

	while (m->slot[i] && !xprefix_eq(&m->r[m->slot[i] - 1].p, p))
		i = (i + 1) & m->mask;
	return &m->slot[i];
}

static int old_index(struct mirrored *m)
{
	size_t cap = 16;

	while (cap < 2 * m->n)
		cap *= 2;
	m->mask = cap - 1;
	m->slot = calloc(cap, sizeof(*m->slot));
	m->seen = calloc(m->n ? m->n : 1, 1);
	if (!m->slot || !m->seen)
		return -ENOMEM;
	for (size_t i = 0; i < m->n; i++)
		*old_slot(m, &m->r[i].p) = (uint32_t)i + 1;
	return 0;
}

static void old_free(struct mirrored *m)
{
	free(m->r);
	free(m->slot);
	free(m->seen);
	memset(m, 0, sizeof(*m));
}

static int dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct daemon *d = arg;
	bool exists, first = false;
	struct mroute m;
	uint32_t i;

	if (mirror_parse(nlh, &m) || m.table != d->cfg.mirror_table)
		return MNL_CB_OK;
	d->nroutes++;
	/* Mirrored before the dump but not yet named by it: the route xfwd
	 * has is the old one, which the dump's first route replaces (the
	 * dump begins with krt_clear, so nothing of it is kept). */
	if (d->old.n && (i = *old_slot(&d->old, &m.prefix)) && !d->old.seen[i - 1])
		d->old.seen[i - 1] = first = true;
	if (mirror_owns(d, &m.prefix, &exists))
		mirror_apply(d, &m, false, exists && !first);
	return MNL_CB_OK;
}

/* Mirrored routes the dump did not have (removed while no daemon ran,
 * or lost in an overrun). */
static void drop_stale(struct daemon *d)
{
	for (size_t i = 0; i < d->old.n; i++)
		if (!d->old.seen[i])
			xt_route_del(&d->t, &d->old.r[i].p);
}

static double secs_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

/* FRR installs routes over next-hop objects (RTA_NH_ID); the kernel
 * adds their gateways to route messages, and sends a route message when
 * an object changes, only in compat mode. Without it, those routes would
 * all go to the kernel: say so once. */
void check_nexthop_compat(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/nexthop_compat_mode", "r");
	int on = 1;

	if (!f)
		return;
	if (fscanf(f, "%d", &on) != 1)
		on = 1;
	fclose(f);
	if (!on)
		xlog(LOG_WARNING, "net.ipv4.nexthop_compat_mode is 0: routes over next-hop objects (FRR's) are left to the kernel; set it to 1");
}

/* Dump the table, apply every route, then drop what it no longer has. */
int mirror_sync(struct daemon *d)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct timespec t0, t1;
	struct rtmsg *rtm;
	int ret;

	if (!d->cfg.mirror_table)
		return 0;
	if (d->running) /* the first dump is the start's, not a resync */
		d->stats.resyncs++;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Only routes mirrored before can be stale: at a first start, none. */
	if (xt_routes(&d->t, XFWD_ORIGIN_MIRROR, &d->old.r, &d->old.n) || old_index(&d->old)) {
		old_free(&d->old);
		snprintf(d->err, sizeof(d->err), "out of memory reading the mirrored routes");
		return -ENOMEM;
	}
	d->nroutes = 0;
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_UNSPEC;
	/* One batch: each table entry is written once, at the end. */
	xt_batch_begin(&d->t);
	krt_clear(&d->krt);
	ret = rtnl_dump(nlh, dump_cb, d);
	if (ret)
		snprintf(d->err, sizeof(d->err), "cannot dump the kernel's routes: %s", strerror(-ret));
	else
		drop_stale(d);
	old_free(&d->old);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (xt_batch_end(&d->t) && !ret) {
		snprintf(d->err, sizeof(d->err), "%s", d->t.err);
		ret = -EIO;
	}
	if (!ret)
		xlog(LOG_INFO, "mirrored %zu routes of kernel table %u in %.2f s (writing the maps: %.2f s)",
		       d->nroutes, d->cfg.mirror_table, secs_since(&t0), secs_since(&t1));
	return ret;
}

/* For the log: IPv4 routes the last state change moved to or from their
 * covering routes (their groups lost or regained their last live member). */
const char *covered_note(struct daemon *d, bool up)
{
	static char buf[96];

	if (!d->t.covered)
		return "";
	snprintf(buf, sizeof(buf), "; %d IPv4 route(s) %s their covering routes", d->t.covered,
		 up ? "back from" : "moved to");
	return buf;
}

/* The kernel marks next hops dead on local link loss without any route
 * event: xfwd watches links itself, so ECMP leaves a dead link at once. */
static void set_link(struct daemon *d, uint32_t ifindex, bool up)
{
	char name[IF_NAMESIZE];
	int changed = 0, n;

	/* An xfrm interface back up has lost its routes: they return
	 * before its next hops live again (docs/ipsec.md). */
	if (up && (n = xt_kernel_routes_restore(&d->t, ifindex)) < 0)
		xlog(LOG_ERR, "%s", d->err);
	else if (up && n)
		xlog(LOG_NOTICE, "%s: %d lost kernel route(s) into it put back",
		       if_indextoname(ifindex, name) ? name : "xfrm interface", n);
	if (xt_link_state(&d->t, ifindex, up, &changed))
		xlog(LOG_ERR, "%s", d->err);
	else if (changed)
		xlog(LOG_NOTICE, "%s %s: %d next hop(s) %s%s", if_indextoname(ifindex, name) ? name : "device",
		       up ? "up" : "down", changed, up ? "alive again" : "marked dead", covered_note(d, up));
}

static void link_event(struct daemon *d, const struct nlmsghdr *nlh)
{
	struct link_info li;

	if (rtnl_link_parse(nlh, &li))
		return;
	set_link(d, li.ifindex, li.up && li.carrier);
	tunnel_devs(d); /* a tunnel's device may have come or gone */
}

/* At start: links that went down while no daemon watched. */
void links_sync(struct daemon *d)
{
	for (uint32_t id = 1; id < d->t.nh_max; id++) {
		struct link_info li;
		uint32_t dev = xt_nexthop(&d->t, id)->oif;

		if (dev && (xt_nexthop(&d->t, id)->kind == XFWD_NH_DIRECT || xt_nexthop(&d->t, id)->kind == XFWD_NH_TUNNEL))
			set_link(d, dev, !rtnl_link_get(dev, &li) && li.up && li.carrier);
	}
}

static int event_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct daemon *d = arg;
	struct mroute m;
	bool exists;

	if (nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_DELLINK) {
		link_event(d, nlh);
		return MNL_CB_OK;
	}
	if (nlh->nlmsg_type == RTM_NEWNEIGH || nlh->nlmsg_type == RTM_DELNEIGH) {
		struct neigh_event e;

		if (!rtnl_neigh_parse(nlh, &e) &&
		    xt_neigh_set(&d->t, &e.addr, e.ifindex, e.valid ? e.mac : NULL))
			xlog(LOG_WARNING, "%s", d->err);
		return MNL_CB_OK;
	}
	if ((nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE) ||
	    mirror_parse(nlh, &m) || m.table != d->cfg.mirror_table)
		return MNL_CB_OK;
	if (mirror_owns(d, &m.prefix, &exists))
		mirror_apply(d, &m, nlh->nlmsg_type == RTM_DELROUTE, exists);
	return MNL_CB_OK;
}

/* Routes and neighbours (a next hop's MAC arrives after the route, and
 * changes). Subscribed before the dump, so nothing falls between. */
int events_open(struct daemon *d)
{
	/* XFWD_EVENT_BUFFER (bytes): a smaller buffer, for the tests that
	 * force an overrun (tests/net/test_faults.sh); leave it unset. */
	const char *env = getenv("XFWD_EVENT_BUFFER");
	int rcvbuf = env && atoi(env) > 0 ? atoi(env) : 64 << 20;

	d->ev = mnl_socket_open(NETLINK_ROUTE);
	if (!d->ev || mnl_socket_bind(d->ev, RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE | RTMGRP_NEIGH |
					      RTMGRP_LINK, MNL_SOCKET_AUTOPID) ||
	    nl_connect_kernel(d->ev)) {
		snprintf(d->err, sizeof(d->err), "cannot listen for route changes: %s", strerror(errno));
		return -errno;
	}
	/* A full table arrives in bursts: room for ~400k messages. */
	if (setsockopt(mnl_socket_get_fd(d->ev), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(mnl_socket_get_fd(d->ev), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return 0;
}

/* An overrun: events were lost. Drop what is queued first (it is older
 * than the dump, and while the queue is not empty the kernel drops
 * further events without reporting ENOBUFS again), then resynchronise. */
static void events_overrun(struct daemon *d, char *buf, size_t len)
{
	xlog(LOG_WARNING, "route events overran the socket buffer: resynchronising");
	while (recv(mnl_socket_get_fd(d->ev), buf, len, MSG_DONTWAIT) > 0 || errno == ENOBUFS)
		;
	if (mirror_sync(d))
		xlog(LOG_ERR, "%s", d->err);
}

/* What is queued, up to EVENTS_MAX messages, as one batch: a burst of
 * BGP updates costs one write per changed table entry, and one flush.
 * The kernel sends one route per datagram: they are read RECV_N at a
 * time (recvmmsg), RECV_SIZE bytes each (a link message is the largest). */
#define EVENTS_MAX 8192
#define RECV_N 64
#define RECV_SIZE 16384

void events_read(struct daemon *d)
{
	static char buf[RECV_N][RECV_SIZE];
	struct mmsghdr mm[RECV_N];
	struct iovec iov[RECV_N];
	int fd = mnl_socket_get_fd(d->ev), got;

	for (int i = 0; i < RECV_N; i++) {
		iov[i] = (struct iovec){ buf[i], RECV_SIZE };
		mm[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	xt_batch_begin(&d->t);
	for (int n = 0; n < EVENTS_MAX; n += got) {
		got = recvmmsg(fd, mm, RECV_N, MSG_DONTWAIT, NULL);
		if (got < 0 && errno == ENOBUFS) {
			xt_batch_end(&d->t);
			events_overrun(d, buf[0], RECV_SIZE);
			return;
		}
		if (got <= 0)
			break;
		for (int i = 0; i < got; i++)
			if (nl_datagram_ok(buf[i], mm[i].msg_len))
				mnl_cb_run(buf[i], mm[i].msg_len, 0, 0, event_cb, d);
	}
	if (xt_batch_end(&d->t))
		xlog(LOG_ERR, "%s", d->err);
}
