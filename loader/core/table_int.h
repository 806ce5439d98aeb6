/* SPDX-License-Identifier: GPL-2.0-only */
/* Inside the table (table.c and the files beside it, one concern each):
 * what one part calls of another. Nothing outside loader/core/table*.c
 * and its siblings includes this. */
#ifndef XFWD_TABLE_INT_H
#define XFWD_TABLE_INT_H

#include "table.h"

/* table.c: the message for err, and -errno (ret if negative, else -EINVAL). */
__attribute__((format(printf, 3, 4)))
int xt_fail(struct xtable *t, int ret, const char *fmt, ...);
/* urpf.c: a tunnel's configured sources written, or those c does not list removed. */
int xt_urpf_add(struct xtable *t, uint32_t id, const struct tunnel_spec *c);
int xt_urpf_prune(struct xtable *t, uint32_t id, const struct tunnel_spec *c);
/* An IPv4 prefix whose record the next commit writes or deletes. */
int pend4(struct xtable *t, const struct xprefix *p);
/* Make what changed live, in the hitless order (docs/hitless-updates.md). */
int xt_commit(struct xtable *t);

/* recover.c: the journal of a change (docs/interrupted-changes.md) */
/* Before the first write that could leave records and the IPv4 tables
 * disagreeing: pin the journal (once per change). */
int xt_mark_writing(struct xtable *t);
/* The change is whole: remove the journal. */
int xt_journal_done(struct xtable *t);
/* table.c: the records written and the journal of the change before gone
 * (a batch that has written nothing yet starts its own). */
int xt_records_end(struct xtable *t);
/* A journal was found at load (its bytes): the IPv4 tables are rebuilt
 * already; replay its operations and commit. */
int xt_recover(struct xtable *t, const void *buf, size_t len);


/* nexthop.c */
int nh_write(struct xtable *t, uint32_t id, const struct xfwd_nh *n);
/* Learned peer MACs (peer_mac.c, docs/peer-mac.md): may next hop n send
 * (a tunnel that learns its peer's MAC knows it)? */
bool xt_peer_known(const struct xtable *t, const struct xfwd_nh *n);
/* Tunnel id's next hops: their underlay MACs read again and their
 * resolved flag set where both MACs are known (nexthop.c). */
int xt_tunnel_nh_refresh(struct xtable *t, uint32_t id);
/* Tunnel id's next hops made again after it changed (nexthop.c). */
int xt_tunnel_nh_rebuild(struct xtable *t, uint32_t id);
/* Tunnel entries (tunnel.c): its decapsulation entries written; the
 * entries of `old` (a former state of tunnel id) no tunnel needs now
 * removed; its health cleared. */
int tunnel_peers_write(struct xtable *t, uint32_t id, const struct xfwd_tunnel *tun);
int tunnel_peers_retire(struct xtable *t, const struct xfwd_tunnel *old);
int health_clear(struct xtable *t, uint32_t id);
/* The id of the next hop for k, made when new. */
int nh_get(struct xtable *t, const struct nh_key *k, uint32_t *id);
void nh_unref(struct xtable *t, uint32_t id);
/* probe_hold.c: the holds' references after the groups'; tunnel tid's
 * hold taken or given back after its probe settings changed from
 * probed (was) or not. */
void probe_holds_count(struct xtable *t);
void probe_hold_follow(struct xtable *t, uint32_t tid, bool was);

/* group.c */
bool group_dead(const struct xtable *t, uint32_t id);
void group_unref(struct xtable *t, uint32_t id);
void group_release(struct xtable *t, uint32_t id);
/* Resolve members into a group id holding one reference for the caller. */
int group_for(struct xtable *t, const struct nh_key *members, int n, uint32_t prev,
	      uint32_t *gid);

/* route.c */
uint32_t group_xfrm_dev(const struct xtable *t, uint32_t gid);
struct route_list {
	struct xroute *v;
	size_t n, cap;
	int origin;
	const struct xtable *xfrm; /* set: only routes into an xfrm interface... */
	uint32_t xfrm_dev;         /* ...this one (0: any) */
	bool nomem;
};
int routes_of(const struct xtable *t, struct route_list l, struct xroute **out, size_t *n);

/* xfrm_route.c */
int kernel_route_follow(struct xtable *t, const struct xprefix *p, uint32_t dev, uint32_t old);
void kernel_routes_drop(struct xtable *t);

#endif
