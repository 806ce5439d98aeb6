/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control-plane view of the data path: next hops, groups and routes,
 * adopted from the pinned maps (so a new process continues where the last
 * one stopped) and changed without a lookup ever seeing a half-written
 * entry (see docs/hitless-updates.md).
 */
#ifndef XFWD_TABLE_H
#define XFWD_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kio.h"
#include "lpm4.h"
#include "lpm4c.h"
#include "lpm6.h"
#include "nhkey.h"
#include "prefix.h"
#include "spec.h"


struct xtable {
	struct kio io;         /* every kernel call goes through it */
	struct xfwd_info info; /* the maps' sizes */
	struct lpm4 lpm;
	struct lpm4c lpmc; /* the compact copy of tbl24 (ipv4-table compact) */
	struct lpm6 lpm6; /* tbl6 and the IPv6 routes it is built from */
	struct xfwd_nh *nh;
	uint32_t *nh_refs, nh_max;
	struct xfwd_group *grp;
	uint32_t *grp_refs, grp_max;
	struct xfwd_tunnel *tun; /* XFWD_MAX_TUNNELS, index = id */
	char *err;
	size_t errlen;
	bool no_wait; /* the daemon: never wait for a neighbour, its events fill MACs in */
	bool dirty;   /* something was written: bump the generation */
	bool batch;   /* route changes wait for xt_batch_end */
	bool broken;  /* a write failed: the live maps are unknown, load again */
	bool journaled; /* this change's journal is pinned (recover.c) */
	bool journal_late; /* ...and goes when the records are written */
	struct xfwd_route_key4 *pend4; /* IPv4 route records to write or delete */
	size_t npend4, cappend4;
	size_t rec4_gone; /* IPv4 routes deleted since the last commit: their records are still in */
	uint32_t *gone; /* groups that lost their last route */
	size_t ngone, capgone;
	struct xfrm_gone { /* kernel routes into xfrm interfaces to delete after commit */
		struct xprefix p;
		uint32_t dev;
	} *xgone;
	size_t nxgone, capxgone;
	const uint8_t *tun_down; /* the daemon's probe verdicts by tunnel id (or NULL) */
	int covered; /* IPv4 routes the last link or tunnel state change moved to or from their covers */
};

enum route_op { ROUTE_ADD, ROUTE_REPLACE };

/* Adopt the table in the maps behind io (whose sizes in is). Without
 * routes, next hops, groups and tunnels only, for commands that show
 * them: no route is read (a full table takes ~0.5 s), so no route may be
 * changed. The table owns io from here: xt_free closes it. */
int xt_load(struct xtable *t, const struct kio *io, const struct xfwd_info *in,
	    bool routes, char *err, size_t errlen);
void xt_free(struct xtable *t);
int xt_route_set(struct xtable *t, const struct xprefix *p,
		 const struct nh_key *members, int n, uint8_t origin,
		 enum route_op op);
int xt_route_del(struct xtable *t, const struct xprefix *p);
/* Between these, route changes are only made in memory; the end writes
 * them all, each changed entry once, in a hitless order. One change
 * outside a batch is written at once. */
void xt_batch_begin(struct xtable *t);
/* Before a batch's first change: its operations, pinned, so that if this
 * process dies before the batch is whole the next xfwd completes it. */
struct jbuf;
int xt_journal_ops(struct xtable *t, const struct jbuf *j);
int xt_batch_end(struct xtable *t);
/* Route records of the last batch still being written (deletes go after
 * the flush, on the writer thread): a process that lets others read the
 * table must wait for them first. */
bool xt_records_busy(struct xtable *t);
int xt_records_wait(struct xtable *t);
/* A command's end, whether its change went in or was refused: what a
 * refused change made is freed, the records are written, the journal
 * goes (docs/interrupted-changes.md). Not after a failed write: then
 * the journal stays for the next xfwd to check the maps. */
int xt_finish(struct xtable *t);
struct xroute {
	struct xprefix p;
	uint32_t group;
	uint8_t origin;
};

/* The routes of one origin (-1: all), in a new array: 0 or -ENOMEM. */
int xt_routes(const struct xtable *t, int origin, struct xroute **out, size_t *n);
/* Make /32 and /128 "local" routes match this host's addresses. */
int xt_sync_local(struct xtable *t);
/* Re-read neighbour MACs for every direct next hop. */
int xt_refresh_neigh(struct xtable *t, int *changed);
/* A neighbour's MAC (NULL: no longer known) for the next hops via gw on
 * oif: what the daemon does with each neighbour event. */
int xt_neigh_set(struct xtable *t, const struct xaddr *gw, uint32_t oif,
		 const uint8_t *mac);
/* A device lost or regained its link: mark the next hops out of it (and
 * tunnels over it) dead or alive; ECMP moves only their flows. The IPv4
 * routes of a group left with no live member fall to their covering
 * routes (t->covered counts them; IPv6 does that in XDP). */
int xt_link_state(struct xtable *t, uint32_t ifindex, bool up, int *changed);
/* The kernel's routes into the xfrm interface ifindex (0: every one) for
 * the routes over ipsec tunnels, put back: the kernel drops a device's
 * routes when it goes down, and anyone may delete one, while XDP would
 * go on passing the prefixes up for the kernel to route in clear by a
 * shorter one. How many were lost, or -errno. */
int xt_kernel_routes_restore(struct xtable *t, uint32_t ifindex);
/* A tunnel's probes failed (down) or recovered: mark its next hops dead
 * or alive (alive only while their link is up). */
int xt_tunnel_state(struct xtable *t, uint32_t id, bool up, int *changed);
/* A tunnel with probes holds its next hop (core/probe_hold.c): its
 * next hop's id (0: none), whether it is probed, and the hold taken
 * where it is missing (the remote may have become reachable). */
uint32_t xt_tunnel_nh(const struct xtable *t, uint32_t tid);
/* Every tunnel's next hop as xt_tunnel_nh says it, in one pass over the
 * next hops (the daemon's probes, at each table load). */
void xt_tunnel_nhs(const struct xtable *t, uint32_t nh_of[XFWD_MAX_TUNNELS]);
bool xt_probed(const struct xtable *t, uint32_t tid);
int xt_probe_hold(struct xtable *t, uint32_t tid);
int xt_tunnel_add(struct xtable *t, const struct tunnel_spec *c);
int xt_tunnel_del(struct xtable *t, const char *name);
int xt_tunnel_set_probe(struct xtable *t, uint32_t id, const struct xfwd_probe_cfg *probe);
/* In place (core/tunnel_change.c, docs/tunnel-change.md): what of
 * running tunnel h a spec would change that cannot change in place (its
 * words), or NULL; whether the spec is what runs; the change, keeping
 * the tunnel's id and routes. */
const char *xt_tunnel_fixed(const struct xfwd_tunnel *h, const struct tunnel_spec *w);
bool xt_tunnel_same(const struct xfwd_tunnel *h, const struct tunnel_spec *w);
int xt_tunnel_change(struct xtable *t, uint32_t id, const struct tunnel_spec *c);
/* A tunnel without 'peer-mac' learns it (core/peer_mac.c): mac, or
 * (NULL) any neighbour of its kernel device now; a neighbour event on
 * device oif (mac NULL: gone; the last MAC stays). */
int xt_tunnel_learn(struct xtable *t, uint32_t id, const uint8_t *mac);
int xt_tunnel_neigh(struct xtable *t, uint32_t oif, const uint8_t *mac);
/* Filters (core/filter_table.c, docs/filters.md): where a set applies. */
struct filter_target {
	bool tunnel;  /* id is a tunnel's, else an interface's ifindex */
	uint32_t id;
	uint8_t dir;  /* enum xfwd_filter_dir */
};

struct filter_bound {
	struct filter_target tg;
	uint16_t set;
	uint32_t base, n; /* first rule slot, rule count (the default at base + n) */
	uint8_t deflt;
	struct xfwd_filter_rule *rules;
};

/* Bind rules r[0..n) and a default there, replacing what was bound,
 * hitlessly; refused whole (the running set stays) with the reason. */
int xt_filter_replace(struct xtable *t, const struct filter_target *tg,
		      const struct xfwd_filter_rule *r, uint32_t n, uint8_t deflt);
int xt_filter_del(struct xtable *t, const struct filter_target *tg);
int xt_filter_list(struct xtable *t, struct filter_bound **out);
void xt_filter_list_free(struct filter_bound *v, int n);
/* Prefix translation (core/xlat_table.c, docs/translation.md). A rule
 * is refused whole when it overlaps another of its target's. */
struct xlat_rule_at {
	uint32_t slot;
	struct xfwd_xlat_rule r;
};
int xt_xlat_add(struct xtable *t, const struct xfwd_xlat_rule *r);
/* The target's rule with r's real prefix (and its mapped one, if given). */
int xt_xlat_del(struct xtable *t, const struct xfwd_xlat_rule *r);
/* Every rule of a tunnel (tunnel) or an interface. */
int xt_xlat_target_del(struct xtable *t, bool tunnel, uint32_t target);
/* Every rule in slot order, *out to free(): how many, or -errno. */
int xt_xlat_list(struct xtable *t, struct xlat_rule_at **out);
/* Inner-source validation (core/urpf.c, docs/urpf.md). */
int xt_tunnel_set_urpf(struct xtable *t, uint32_t id, const struct tunnel_spec *c);
bool xt_urpf_same(struct xtable *t, uint32_t id, const struct tunnel_spec *c);
int xt_urpf_read(struct xtable *t, uint32_t id, struct xprefix *out, int max);
/* A tunnel's id by name, or 0. */
uint32_t xt_tunnel_find(const struct xtable *t, const char *name);
/* The same, for a tunnel that must exist: 0 with "no tunnel NAME" in err. */
uint32_t xt_tunnel_need(struct xtable *t, const char *name);
/* The origin (XFWD_ORIGIN_*) of the route with exactly this prefix, or -1. */
int xt_route_origin(const struct xtable *t, const struct xprefix *p);
/* The members of the route with exactly this prefix, as nh_keys that
 * would make it again (k: XFWD_ECMP_MAX): how many (0: no route). */
int xt_route_members(const struct xtable *t, const struct xprefix *p, struct nh_key *k);
/* A route spec's next-hop keys (k: XFWD_ECMP_MAX): how many, or -errno
 * (a device or tunnel it names is missing). */
int xt_spec_members(struct xtable *t, const struct route_spec *s, struct nh_key *k);
/* Set the route a spec describes; replace: it may change an existing one. */
int xt_route_apply(struct xtable *t, const struct route_spec *s, uint8_t origin, bool replace);
/* While on, device names are looked up once per name (a batch of a
 * million routes over a few devices); off again when the batch ends. */
void xt_dev_cache(bool on);
/* Read-only views for the CLI and the daemon: the core owns the arrays
 * (an id out of range reads the unused slot 0). */
static inline const struct xfwd_tunnel *xt_tunnel(const struct xtable *t, uint32_t id)
{
	return &t->tun[id < XFWD_MAX_TUNNELS ? id : 0];
}

static inline const struct xfwd_nh *xt_nexthop(const struct xtable *t, uint32_t id)
{
	return &t->nh[id < t->nh_max ? id : 0];
}

/* A group's active member set, or NULL for an id out of range. */
static inline const struct xfwd_group_set *xt_group_set(const struct xtable *t, uint32_t g)
{
	return g < t->grp_max ? &t->grp[g].set[t->grp[g].active & 1] : NULL;
}

/* The groups of the covering routes of the routes that use group g:
 * where their traffic goes when g has no live member (IPv4 by the
 * table, IPv6 by XDP). Up to max, distinct; how many. A scan of every
 * route: for when the table changed, never per packet. */
int xt_cover_groups(const struct xtable *t, uint32_t g, uint32_t *out, int max);
/* Next hops and groups in use (for status and the metrics). */
uint32_t xt_used_nexthops(const struct xtable *t);
uint32_t xt_used_groups(const struct xtable *t);

static inline const char *xt_errmsg(const struct xtable *t)
{
	return t->err;
}

/* Say what went wrong in the table's error buffer (what err shows). */
__attribute__((format(printf, 2, 3)))
void xt_error(struct xtable *t, const char *fmt, ...);

/* Find a route by exact prefix: its group id, or 0. */
uint32_t xt_route_group(const struct xtable *t, const struct xprefix *p);

#endif
