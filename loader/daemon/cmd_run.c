// SPDX-License-Identifier: GPL-2.0-only
/*
 * xfwd run: the daemon. Applies the config file (interfaces, tunnels,
 * static routes), mirrors a kernel routing table (where BIRD or FRR
 * install what BGP learned) into the maps and follows it, reloads on
 * SIGHUP, and exits on SIGTERM leaving the pinned program forwarding: the
 * next daemon adopts the pins and reconciles (docs/daemon.md).
 */
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

#ifndef IFF_LOWER_UP /* <linux/if.h> has it, but clashes with <net/if.h> */
#define IFF_LOWER_UP 0x10000
#endif

#include "cmd.h"
#include "config.h"
#include "grow.h"
#include "krt.h"
#include "mirror.h"
#include "rtnl.h"
#include "health.h"
#include "log.h"
#include "kio_kernel.h"
#include "table.h"
#include "xfrm.h"

/* Routes mirrored before a dump, indexed by prefix (open addressing) and
 * marked as the dump names them: those left unmarked are stale. */
struct mirrored {
	struct xroute *r;
	size_t n;
	uint32_t *slot; /* index into r + 1; 0 = empty */
	size_t mask;
	uint8_t *seen;
};

struct daemon {
	const char *path;
	struct xconfig cfg;
	struct xb b;
	struct xtable t;
	struct attach_job attach; /* at start: attaching while the routes load */
	char err[4096];
	struct mnl_socket *ev; /* route events */
	int sfd;               /* SIGHUP, SIGTERM, SIGINT */
	bool journal;          /* stderr goes to journald: "<N>" level prefixes */
	int lock;              /* the pin root's lock, held while changing the table */
	uint32_t gen;          /* the table generation our copy matches */
	struct { uint32_t ifindex, tunnel; } tdev[XFWD_MAX_TUNNELS];
	int ntdev;             /* tunnels' kernel devices, to map routes via them */
	bool resync;           /* a map write failed: read the table again, dump again */
	struct mirrored old;   /* during a dump: routes mirrored before it */
	size_t nroutes;
	struct health h;       /* tunnel probes (h.skel NULL: not probing) */
	uint8_t applied[XFWD_MAX_TUNNELS]; /* the verdicts the table has: 1 = next hops dead */
	int encap_fd[2];       /* ESP in UDP sockets, IPv4 and IPv6 (0: none) */
	bool encap_said[2];    /* their failure logged */
	struct krt krt;        /* the mirrored table's routes that share a prefix */
	bool running;          /* start() succeeded: what it attached stays */
	bool health_said;      /* a failed xfwd_health write logged */
	unsigned int write_fails; /* mirrored routes not written since the last that was */
	unsigned int kinds_said; /* route kinds logged once (note_kind) */
};

/* ---- config ---- */

/* A running tunnel against a config line: the same, only its probe
 * settings differ (changed in place), or different (refused). */
enum tunnel_diff { TUN_SAME, TUN_PROBE, TUN_OTHER };

/* An ipsec tunnel's key is its if_id (by default the id it was given)
 * who keys it and how ESP travels; its SPIs and keys live in the kernel's
 * SAs only: ipsec_keys_compare says what differs there (docs/ipsec.md). */
static bool ipsec_differs(const struct xfwd_tunnel *h, const struct tunnel_spec *w)
{
	return (w->if_id && h->key != w->if_id) || !(h->flags & XFWD_TUN_F_OWN_SA) != w->external ||
	       !(h->flags & XFWD_TUN_F_UDP_ENCAP) != !w->udp_encap;
}

static enum tunnel_diff tunnel_diff(const struct xfwd_tunnel *h, const struct tunnel_spec *w)
{
	uint8_t flags = (w->has_key ? XFWD_TUN_F_KEY : 0) | (w->inner_ip ? XFWD_TUN_F_INNER_IP : 0);
	bool ipsec = w->type == XFWD_TUN_IPSEC;

	if (h->type != w->type || h->family != w->local.family ||
	    memcmp(h->local, w->local.bytes, 16) || memcmp(h->remote, w->remote.bytes, 16) ||
	    (h->flags & (XFWD_TUN_F_KEY | XFWD_TUN_F_INNER_IP)) != flags ||
	    (ipsec ? ipsec_differs(h, w) : h->key != w->key) || memcmp(h->peer_mac, w->peer_mac, 6))
		return TUN_OTHER;
	return memcmp(&h->probe, &w->probe, sizeof(h->probe)) ? TUN_PROBE : TUN_SAME;
}

static bool config_has(const struct xconfig *c, const char *key);

/* One config line against the running state; err gets "FILE:LINE: ...". */
static int check_line(struct daemon *d, const struct xconfig *c, const struct config_line *l)
{
	char buf[CONFIG_LINE_MAX], msg[512] = "";
	struct cli_req r;
	uint32_t id;

	snprintf(buf, sizeof(buf), "%s", l->text);
	if (cli_parse_line(buf, c->pin_root, &r, msg, sizeof(msg)))
		goto bad;
	if (r.cmd == CMD_TUNNEL_ADD) {
		id = xt_tunnel_find(&d->t, r.tun.name);
		if (!id || tunnel_diff(&d->t.tun[id], &r.tun) != TUN_OTHER)
			return 0;
		snprintf(msg, sizeof(msg), "tunnel %s differs from the running one beyond its probe settings; a tunnel cannot change in place: remove it from the file, reload, then add it back",
			 r.tun.name);
		goto bad;
	}
	for (int i = 0; i < r.nvia && !msg[0]; i++)
		if (!if_nametoindex(r.via[i].dev))
			snprintf(msg, sizeof(msg), "no device '%s'", r.via[i].dev);
	for (int i = 0; i < r.ntunnels && !msg[0]; i++) {
		char key[128];

		snprintf(key, sizeof(key), "tunnel %s", r.tunnels[i]);
		if (!xt_tunnel_find(&d->t, r.tunnels[i]) && !config_has(c, key))
			snprintf(msg, sizeof(msg), "no tunnel %s in [tunnels] or running", r.tunnels[i]);
	}
	if (!msg[0])
		return 0;
bad:
	snprintf(d->err, sizeof(d->err), "%s:%d: %s", d->path, l->lineno, msg);
	return -1;
}

static int config_check(struct daemon *d, const struct xconfig *c)
{
	for (int i = 0; i < c->nattach; i++)
		if (!if_nametoindex(c->attach[i])) {
			snprintf(d->err, sizeof(d->err), "%s:%d: no device '%s' to attach (see 'ip link')",
				 d->path, c->attach_line, c->attach[i]);
			return -1;
		}
	for (size_t i = 0; i < c->ntunnels; i++)
		if (check_line(d, c, &c->tunnels[i]))
			return -1;
	for (size_t i = 0; i < c->nroutes; i++)
		if (check_line(d, c, &c->routes[i]))
			return -1;
	return 0;
}

/* A running ipsec tunnel with static keys is adopted as it is; its SPIs
 * and keys live only in the kernel, so a config that names others is
 * said, not applied: switching alone would cut the peer off
 * (docs/ipsec-rekey.md). */
static void ipsec_keys_compare(struct daemon *d, const struct xfwd_tunnel *tun,
			       const struct tunnel_spec *c)
{
	char msg[512];

	if (!(tun->flags & XFWD_TUN_F_OWN_SA) || !xfrm_sa_check(c, tun->key, msg, sizeof(msg)))
		return;
	xlog(LOG_WARNING, "warning: tunnel %s: %s; the running SAs stay: rekey with 'xfwd tunnel rekey' on both sides (docs/ipsec-rekey.md) or put the running SPIs and keys back in %s",
	       c->name, msg, d->path);
}

/* A [tunnels] line: added, or its probe settings changed in place
 * (config_check refused any other difference). */
static int tunnel_apply(struct daemon *d, const struct tunnel_spec *c)
{
	uint32_t id = xt_tunnel_find(&d->t, c->name);

	if (!id)
		return xt_tunnel_add(&d->t, c);
	ipsec_keys_compare(d, &d->t.tun[id], c);
	if (tunnel_diff(&d->t.tun[id], c) == TUN_SAME)
		return 0;
	xlog(LOG_INFO, "tunnel %s: new probe settings, probing starts afresh", c->name);
	return xt_tunnel_set_probe(&d->t, id, &c->probe);
}

static int apply_line(struct daemon *d, const struct config_line *l)
{
	char buf[CONFIG_LINE_MAX], msg[512];
	struct cli_req r;
	int ret;

	snprintf(buf, sizeof(buf), "%s", l->text);
	if (cli_parse_line(buf, d->cfg.pin_root, &r, msg, sizeof(msg))) {
		xlog(LOG_ERR, "%s:%d: %s", d->path, l->lineno, msg);
		return -EINVAL;
	}
	if (r.cmd == CMD_TUNNEL_ADD)
		ret = tunnel_apply(d, &r.tun);
	else
		ret = route_apply(&d->t, &r, XFWD_ORIGIN_STATIC, true);
	if (ret)
		xlog(LOG_ERR, "%s:%d: %s", d->path, l->lineno, d->err);
	return ret;
}

/* What a config line is about ("route PREFIX" or "tunnel NAME"), so that a
 * reload can tell what the file dropped. False if it does not parse. */
static bool line_subject(const struct config_line *l, const char *pin_root,
			 struct cli_req *r, char *key, size_t len)
{
	char buf[CONFIG_LINE_MAX], e[256];

	snprintf(buf, sizeof(buf), "%s", l->text);
	if (cli_parse_line(buf, pin_root, r, e, sizeof(e)))
		return false;
	if (r->cmd == CMD_TUNNEL_ADD)
		snprintf(key, len, "tunnel %s", r->tun.name);
	else
		xprefix_str(&r->prefix, key + snprintf(key, len, "route "));
	return true;
}

static bool config_has(const struct xconfig *c, const char *key)
{
	char k[128];
	struct cli_req r;

	for (size_t i = 0; i < c->ntunnels + c->nroutes; i++) {
		const struct config_line *l = i < c->ntunnels ? &c->tunnels[i] : &c->routes[i - c->ntunnels];

		if (line_subject(l, c->pin_root, &r, k, sizeof(k)) && !strcmp(k, key))
			return true;
	}
	return false;
}

/* What `old` had and `now` does not: static routes first (they may use
 * the tunnels), then tunnels. */
static void remove_dropped(struct daemon *d, const struct xconfig *old, const struct xconfig *now)
{
	char key[128];
	struct cli_req r;

	for (size_t i = old->ntunnels + old->nroutes; i-- > 0;) {
		const struct config_line *l = i < old->ntunnels ? &old->tunnels[i]
							      : &old->routes[i - old->ntunnels];
		int ret = 0;

		if (!line_subject(l, old->pin_root, &r, key, sizeof(key)) || config_has(now, key))
			continue;
		if (r.cmd == CMD_TUNNEL_ADD)
			ret = xt_tunnel_del(&d->t, r.tun.name);
		else if (xt_route_origin(&d->t, &r.prefix) == XFWD_ORIGIN_STATIC)
			ret = xt_route_del(&d->t, &r.prefix);
		if (ret)
			xlog(LOG_WARNING, "could not remove what the file no longer has: %s", d->err);
	}
}

static struct cli_req attach_req(const struct xconfig *c)
{
	struct cli_req r = { .cmd = CMD_ATTACH, .pin_root = c->pin_root, .mode = c->mode,
			     .ndevs = c->nattach };

	memcpy(r.devs, c->attach, sizeof(r.devs));
	r.json = true; /* quiet */
	return r;
}

static int attach_all(struct daemon *d, const struct xconfig *c)
{
	struct cli_req r = attach_req(c);

	return cmd_attach(&r, d->err, sizeof(d->err));
}

static int table_open(struct daemon *d)
{
	int ret = xb_open(&d->b, d->cfg.pin_root, d->err, sizeof(d->err));

	if (!ret && (ret = kio_table_load(&d->t, &d->b, true, d->err, sizeof(d->err)))) {
		xt_free(&d->t);
		xb_close(&d->b);
	}
	d->t.no_wait = true;
	if (!ret)
		ret = xt_sync_local(&d->t);
	return ret;
}

static int config_apply(struct daemon *d, const struct xconfig *c)
{
	int fails = 0;

	for (size_t i = 0; i < c->ntunnels; i++)
		fails += apply_line(d, &c->tunnels[i]) != 0;
	for (size_t i = 0; i < c->nroutes; i++)
		fails += apply_line(d, &c->routes[i]) != 0;
	return fails ? -EIO : 0;
}

/* ---- the kernel table ---- */

/* ESP in UDP is decapsulated only through a socket marked UDP_ENCAP: the
 * daemon holds one per family while a tunnel with 'encap udp' needs it. */
static void encap_sockets(struct daemon *d)
{
	bool need[2] = { false, false };
	char msg[512];

	for (uint32_t id = 1; id < XFWD_MAX_TUNNELS; id++)
		if (d->t.tun[id].type == XFWD_TUN_IPSEC && (d->t.tun[id].flags & XFWD_TUN_F_UDP_ENCAP))
			need[d->t.tun[id].family == AF_INET6] = true;
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
static void tunnel_devs(struct daemon *d)
{
	d->ntdev = 0;
	for (uint32_t id = 1; id < XFWD_MAX_TUNNELS; id++) {
		uint32_t ifindex = d->t.tun[id].type ? if_nametoindex(d->t.tun[id].name) : 0;

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
static void check_nexthop_compat(void)
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
static int mirror_sync(struct daemon *d)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct timespec t0, t1;
	struct rtmsg *rtm;
	int ret;

	if (!d->cfg.mirror_table)
		return 0;
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
static const char *covered_note(struct daemon *d, bool up)
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
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	bool up;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifm)))
		return;
	up = nlh->nlmsg_type == RTM_NEWLINK && (ifm->ifi_flags & IFF_UP) && (ifm->ifi_flags & IFF_LOWER_UP);
	set_link(d, (uint32_t)ifm->ifi_index, up);
	tunnel_devs(d); /* a tunnel's device may have come or gone */
}

/* At start: links that went down while no daemon watched. */
static void links_sync(struct daemon *d)
{
	for (uint32_t id = 1; id < d->t.nh_max; id++) {
		struct link_info li;
		uint32_t dev = d->t.nh[id].oif;

		if (dev && (d->t.nh[id].kind == XFWD_NH_DIRECT || d->t.nh[id].kind == XFWD_NH_TUNNEL))
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
static int events_open(struct daemon *d)
{
	int rcvbuf = 64 << 20;

	d->ev = mnl_socket_open(NETLINK_ROUTE);
	if (!d->ev || mnl_socket_bind(d->ev, RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE | RTMGRP_NEIGH |
					      RTMGRP_LINK, MNL_SOCKET_AUTOPID)) {
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

static void events_read(struct daemon *d)
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
			mnl_cb_run(buf[i], mm[i].msg_len, 0, 0, event_cb, d);
	}
	if (xt_batch_end(&d->t))
		xlog(LOG_ERR, "%s", d->err);
}

/* ---- tunnel health ---- */

/* After reading the table again: next hops of down tunnels stay dead. */
static void health_enforce(struct daemon *d)
{
	int changed;

	d->t.tun_down = d->applied;
	for (uint32_t tid = 1; tid < XFWD_MAX_TUNNELS; tid++)
		if (d->applied[tid] && xt_tunnel_state(&d->t, tid, false, &changed))
			xlog(LOG_ERR, "%s", d->err);
}

static int table_lock(struct daemon *d);
static int table_trylock(struct daemon *d);
static void table_unlock(struct daemon *d, bool wait);

extern char **environ;

/* Tell someone else (a BGP daemon: docs/health.md): the configured
 * command, through /bin/sh, not waited for; the tunnel, its state, the
 * reason and the IPv4 routes moved are in its environment. */
static void health_notify(struct daemon *d, uint32_t tid, bool up, const char *why)
{
	char tun[64], state[32], reason[96], moved[48], *argv[] = { "sh", "-c", d->cfg.on_health, NULL };
	posix_spawnattr_t attr;
	char **env;
	size_t n = 0;
	sigset_t none;
	pid_t pid;
	int ret;

	if (!d->cfg.on_health[0])
		return;
	while (environ[n])
		n++;
	if (!(env = calloc(n + 5, sizeof(*env))))
		return;
	memcpy(env, environ, n * sizeof(*env));
	snprintf(tun, sizeof(tun), "XFWD_TUNNEL=%s", d->t.tun[tid].name);
	snprintf(state, sizeof(state), "XFWD_STATE=%s", up ? "up" : "down");
	snprintf(reason, sizeof(reason), "XFWD_REASON=%s", why);
	snprintf(moved, sizeof(moved), "XFWD_ROUTES_MOVED=%d", d->t.covered);
	env[n] = tun;
	env[n + 1] = state;
	env[n + 2] = reason;
	env[n + 3] = moved;
	/* The daemon's blocked SIGHUP/SIGTERM/SIGINT are not the command's:
	 * a child inherits the mask, and one that hung could not be stopped. */
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	if ((ret = posix_spawn(&pid, "/bin/sh", NULL, &attr, argv, env)))
		xlog(LOG_ERR, "cannot run on-health-change: %s", strerror(ret));
	posix_spawnattr_destroy(&attr);
	free(env);
}

/* One verdict into the table: a write per next hop of the tunnel (ECMP
 * groups skip a dead member at once), logged once with its reason. */
static void verdict_apply(struct daemon *d, uint32_t tid)
{
	bool up = !d->h.down[tid];
	const char *why = d->h.tp[tid].pub.state ? d->h.tp[tid].pub.reason : "no longer probed";
	int changed;

	d->applied[tid] = !up;
	if (xt_tunnel_state(&d->t, tid, up, &changed))
		xlog(LOG_ERR, "%s", d->err);
	else
		xlog(LOG_NOTICE, "tunnel %s %s: %s (%d next hop(s) %s%s)", d->t.tun[tid].name,
		       up ? "up" : "down", why, changed, up ? "alive again" : "marked dead",
		       covered_note(d, up));
	health_notify(d, tid, up, why);
}

/* Probes due, then verdicts not yet in the table. The lock is only
 * tried: a command holding it (`xfwd route show` reads for a while) must
 * not stop the probes; the verdicts wait a millisecond. Returns the ms
 * until this should run again, -1 for never. */
static int health_run(struct daemon *d)
{
	int next;

	if (!d->h.skel)
		return -1;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		; /* on-health-change commands that ended */
	next = health_tick(&d->h, &d->t);
	if (d->h.publish_errno && !d->health_said) {
		d->health_said = true;
		xlog(LOG_WARNING, "cannot write xfwd_health (%s): 'xfwd health' shows old states; the verdicts still apply",
		       strerror(d->h.publish_errno));
	}
	if (!memcmp(d->h.down, d->applied, sizeof(d->applied)))
		return next;
	if (table_trylock(d))
		return 1;
	/* A table read again under the lock re-applied the older verdicts. */
	for (uint32_t tid = 1; tid < XFWD_MAX_TUNNELS; tid++)
		if (d->h.down[tid] != d->applied[tid])
			verdict_apply(d, tid);
	table_unlock(d, true);
	return next;
}

/* ---- one writer at a time ---- */

/* Take the pin root's lock (wait: up to a minute, else one try). If a
 * CLI command changed the table since our last change, our copy is
 * stale: read it again first. */
static int lock_table(struct daemon *d, bool wait)
{
	if (d->lock >= 0)
		return 0; /* still held: records of the last batch being written */
	d->lock = wait ? xb_lock(d->cfg.pin_root, d->err, sizeof(d->err)) : xb_trylock(d->cfg.pin_root);
	if (d->lock < 0)
		return d->lock;
	if (xb_generation(&d->b) != d->gen) {
		xt_free(&d->t);
		if (kio_table_load(&d->t, &d->b, true, d->err, sizeof(d->err)))
			return -EBADMSG;
		d->t.no_wait = true;
		d->gen = xb_generation(&d->b);
		xlog(LOG_INFO, "the table was changed by a command: read it again");
		tunnel_devs(d); /* a command may have added or removed tunnels */
		health_enforce(d);
	}
	d->t.dirty = false;
	return 0;
}

static int table_lock(struct daemon *d)
{
	return lock_table(d, true);
}

static int table_trylock(struct daemon *d)
{
	return lock_table(d, false);
}

/* With wait false, the lock stays held while the writer thread still
 * deletes records of routes already gone from the data path: a command
 * reading them would take those routes for live ones. The loop comes
 * back to release it. */
static void table_unlock(struct daemon *d, bool wait)
{
	if (d->t.dirty && !(d->gen = xb_bump(&d->b)))
		xlog(LOG_WARNING, "cannot write the table generation; commands will read the table afresh");
	d->t.dirty = false;
	if (!wait && !d->t.broken && xt_records_busy(&d->t))
		return;
	if (xt_records_wait(&d->t))
		xlog(LOG_ERR, "%s", d->err);
	if (d->t.broken) { /* our copy may differ from the maps now */
		d->gen--;
		d->resync = true;
	}
	xb_unlock(d->lock);
	d->lock = -1;
}

/* ---- lifecycle ---- */

/* SIGHUP. Takes the lock itself: attaching new devices (cmd_attach) takes
 * it too, and flock() would make a process wait for its own other fd. */
static int reload(struct daemon *d)
{
	struct xconfig c;
	int bad;

	sd_notify(0, "RELOADING=1");
	bad = config_load(d->path, &c, d->err, sizeof(d->err));
	if (!bad) {
		if (table_lock(d))
			return -1;
		bad = config_check(d, &c);
		table_unlock(d, true);
	}
	if (bad) {
		xlog(LOG_ERR, "reload refused, the running configuration stays: %s", d->err);
		config_free(&c);
		sd_notify(0, "READY=1");
		return 0;
	}
	if (attach_all(d, &c)) {
		xlog(LOG_ERR, "reload stopped, nothing of %s applied: %s", d->path, d->err);
		config_free(&c);
		sd_notify(0, "READY=1");
		return 0;
	}
	if (table_lock(d))
		return -1;
	config_apply(d, &c);
	remove_dropped(d, &d->cfg, &c);
	tunnel_devs(d);
	table_unlock(d, true);
	config_free(&d->cfg);
	d->cfg = c;
	xlog(LOG_INFO, "reloaded %s", d->path);
	sd_notify(0, "READY=1");
	return 0;
}

/* SIGHUP waits for the loop from start's first instruction: its default
 * action would end a daemon still loading a large table or waiting for
 * the lock. SIGTERM and SIGINT still end a start at once (a later start
 * adopts what it left); once running, the loop reads all three. */
static void signals_block(sigset_t *s, bool all)
{
	sigemptyset(s);
	sigaddset(s, SIGHUP);
	if (all) {
		sigaddset(s, SIGTERM);
		sigaddset(s, SIGINT);
	}
	sigprocmask(SIG_BLOCK, s, NULL);
}

static int start(struct daemon *d)
{
	struct cli_req r;
	int ret, changed;
	sigset_t s;

	signals_block(&s, false);
	if (config_load(d->path, &d->cfg, d->err, sizeof(d->err)))
		return -EINVAL;
	r = attach_req(&d->cfg);
	if ((ret = attach_begin(&d->attach, &r, d->err, sizeof(d->err))))
		return ret;
	/* Held until the table matches the file and the kernel: until then a
	 * CLI command waits rather than read a table half rebuilt. */
	if ((d->lock = xb_lock(d->cfg.pin_root, d->err, sizeof(d->err))) < 0 ||
	    (ret = table_open(d)))
		return d->lock < 0 ? d->lock : ret;
	d->gen = xb_generation(&d->b);
	if (config_check(d, &d->cfg))
		return -EINVAL;
	/* Listen first: neighbours resolved from here on arrive as events. */
	if ((ret = events_open(d)))
		return ret;
	if (config_apply(d, &d->cfg))
		xlog(LOG_WARNING, "some lines of %s were not applied (see above)", d->path);
	tunnel_devs(d);
	if (d->cfg.mirror_table)
		check_nexthop_compat();
	if ((ret = mirror_sync(d)) || (ret = attach_end(&d->attach, d->err, sizeof(d->err))))
		return ret;
	links_sync(d); /* ...and kernel routes into ipsec tunnels lost meanwhile */
	if (xt_refresh_neigh(&d->t, &changed)) /* ...and those resolved before */
		xlog(LOG_WARNING, "%s", d->err);
	table_unlock(d, false);
	if (health_open(&d->h, &d->b, d->err, sizeof(d->err)))
		xlog(LOG_ERR, "%s; tunnels are not probed", d->err);
	d->t.tun_down = d->applied;
	signals_block(&s, true);
	d->sfd = signalfd(-1, &s, SFD_CLOEXEC);
	return d->sfd < 0 ? -errno : 0;
}

/* Until SIGTERM/SIGINT (0), or a table that can no longer be read (-1:
 * exit, and let systemd start a fresh daemon that adopts the pins). */
static int loop(struct daemon *d)
{
	uint64_t wd_usec = 0;
	int timeout = -1;

	if (sd_watchdog_enabled(0, &wd_usec) > 0)
		timeout = (int)(wd_usec / 2000);
	for (;;) {
		struct pollfd p[2] = { { d->sfd, POLLIN, 0 }, { d->ev ? mnl_socket_get_fd(d->ev) : -1, POLLIN, 0 } };
		struct signalfd_siginfo si;
		int probe = health_run(d), wait = timeout;

		if (probe >= 0 && (wait < 0 || probe < wait))
			wait = probe;
		/* A lock still held (table_unlock): back soon to release it. */
		if (poll(p, 2, d->lock >= 0 ? 1 : wait) < 0 && errno != EINTR)
			return 0;
		if (wd_usec)
			sd_notify(0, "WATCHDOG=1");
		if (p[1].revents & POLLIN) {
			if (table_lock(d))
				return -1;
			events_read(d);
		}
		if (d->lock >= 0)
			table_unlock(d, false);
		if (d->resync) {
			d->resync = false;
			xlog(LOG_WARNING, "a map write failed: reading the table and the kernel's routes again");
			if (table_lock(d))
				return -1;
			if (mirror_sync(d))
				xlog(LOG_ERR, "%s", d->err);
			table_unlock(d, false);
		}
		if ((p[0].revents & POLLIN) && read(d->sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo != SIGHUP)
				return 0;
			if (reload(d))
				return -1;
		}
	}
	return 0;
}

int cmd_run(const struct cli_req *r, char *err, size_t len)
{
	struct daemon *d = calloc(1, sizeof(*d));
	int ret;

	if (!d)
		return -ENOMEM;
	d->path = r->config ? r->config : "/etc/xfwd/xfwd.conf";
	d->journal = getenv("JOURNAL_STREAM") != NULL;
	xlog_journal(d->journal);
	d->sfd = -1;
	d->lock = -1;
	ret = start(d);
	if (!ret) {
		d->running = true;
		xlog(LOG_INFO, "running (%s)", d->path);
		sd_notify(0, "READY=1");
		if (loop(d)) {
			ret = -EIO;
			snprintf(err, len, "%s", d->err);
		}
		sd_notify(0, "STOPPING=1");
		xlog(LOG_INFO, "stopping; the data path keeps forwarding");
	} else {
		snprintf(err, len, "%s", d->err);
	}
	health_close(&d->h);
	for (int f = 0; f < 2; f++)
		if (d->encap_fd[f])
			close(d->encap_fd[f]);
	if (d->ev)
		mnl_socket_close(d->ev);
	if (d->t.io.c) { /* table_open() succeeded */
		xt_free(&d->t); /* waits for the record writer: before the unlock */
		xb_close(&d->b);
	}
	xb_unlock(d->lock);
	if (ret && !d->running)
		attach_abort(&d->attach); /* a refused start leaves the system as it found it */
	config_free(&d->cfg);
	krt_free(&d->krt);
	free(d);
	return ret;
}
