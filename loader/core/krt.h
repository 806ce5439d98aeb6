/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The routes of the mirrored kernel table that share a prefix (pure).
 *
 * The kernel tells routes of one prefix apart by metric (RTA_PRIORITY)
 * and selector (IPv4 tos, IPv6 source prefix) and forwards by the lowest
 * metric. xfwd forwards by the same route: this set decides which, as
 * routes of a prefix come and go in any order (docs/daemon.md, "Several
 * routes for one prefix").
 *
 * Memory: a prefix costs nothing here while it has one route at the
 * table's usual metric: a full table exported by one BGP daemon adds no
 * entry. The usual metric is that of the first specific route (/8 or
 * longer, IPv6 /16) seen while no prefix relies on it, so it is chosen
 * again after a resync or a full withdrawal. A prefix with another
 * metric, or with rival routes, has an entry (about 70 bytes); the
 * rivals xfwd does not forward by are kept with their next hops, to
 * promote when the one in use goes.
 */
#ifndef XFWD_KRT_H
#define XFWD_KRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nhkey.h"
#include "maps/xfwd_abi.h"

struct krt_id {
	uint32_t metric;
	uint32_t sel; /* 0: none; a selector route ranks first (see krt.c) */
};

struct krt_alt;
struct krt_ent;

struct krt {
	struct krt_ent **bucket;
	size_t nbucket, n; /* entries */
	size_t nalt;       /* rival routes kept */
	size_t implicit;   /* prefixes forwarded by a usual-metric route, without an entry */
	bool has_usual;
	uint32_t usual;    /* the metric a prefix without an entry has */
};

/* A route's members: what xfwd writes for it. */
struct krt_route {
	int n;
	struct nh_key k[XFWD_ECMP_MAX];
};

enum krt_do {
	KRT_KEEP, /* xfwd's route for the prefix stays as it is */
	KRT_SET,  /* write the route returned (or just given) */
	KRT_DEL,  /* the prefix has no kernel route left: delete xfwd's */
};

/* The members of the mirrored route xfwd forwards p by now (the one
 * about to step aside): the daemon reads them from its table. */
typedef int (*krt_current_fn)(void *arg, const struct xprefix *p, struct krt_route *out);

/* Kernel route (p, id) now forwards to r (RTM_NEWROUTE). exists: xfwd
 * forwards p by a mirrored route now. *todo: KRT_SET (write r) or
 * KRT_KEEP (r is a rival that ranks behind the one in use). 0 or -ENOMEM
 * (nothing changed). */
int krt_add(struct krt *s, const struct xprefix *p, struct krt_id id, const struct krt_route *r,
	    bool exists, krt_current_fn cur, void *arg, enum krt_do *todo);
/* Kernel route (p, id) is gone (RTM_DELROUTE). *todo: KRT_KEEP (it was
 * a rival, or unknown), KRT_SET (the next in rank takes over: *next), or
 * KRT_DEL. */
void krt_del(struct krt *s, const struct xprefix *p, struct krt_id id, bool exists,
	     enum krt_do *todo, struct krt_route *next);
/* Forget every entry (before a full dump rebuilds them). */
void krt_clear(struct krt *s);
void krt_free(struct krt *s);
bool krt_id_eq(struct krt_id a, struct krt_id b);

#endif
