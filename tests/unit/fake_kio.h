/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The core's kernel interface (loader/core/kio.h) over maps in memory,
 * for unit tests: a host with links 1..FAKE_LINKS (all attached, up, each
 * neighbour resolved to a MAC made from its address, every address
 * routed out of link 1 unless unreachable), its one address 192.0.2.1. Every write is
 * checked against the hitless order of docs/hitless-updates.md as it
 * happens; a write that breaks it is counted in fake.violations with the
 * first one described in fake.why.
 */
#ifndef XFWD_FAKE_KIO_H
#define XFWD_FAKE_KIO_H

#include <stdbool.h>
#include <stdint.h>

#include "loader/core/kio.h"

#define FAKE_LINKS 4

struct fake_hash {
	uint8_t *keys, *vals, *used; /* used: 0 empty, 1 full, 2 deleted */
	size_t ksz, vsz, cap, n;
};

struct fake {
	struct xfwd_info info;
	struct xfwd_nh *nh;
	struct xfwd_group *grp;
	struct xfwd_tunnel *tun;
	struct xfwd_filter_bind *fbinds; /* no set bound: read, never written here */
	struct xfwd_filter_rule *frules;
	struct xfwd_xlat_rule *xrules;   /* likewise: no translation */
	uint32_t *tbl24, *tbl8, *tbl6;
	uint32_t *tbl8_links;    /* tbl24 entries linking each tbl8 group */
	uint32_t *grp_live;      /* table entries and IPv6 routes pointing at each group */
	unsigned long *grp_left; /* graces when the last of them left */
	struct fake_hash routes4, routes6, ifaces, peers, urpf_allow;
	bool queued;             /* the record "writer thread" runs */
	void *journal;           /* XFWD_JOURNAL_PIN's bytes while pinned */
	size_t journal_len;
	bool journaled;
	unsigned long journals;  /* how many were begun */
	unsigned long die_after; /* >0: the writer dies at this many more writes */
	bool dead;               /* ...and every write after that is lost */
	bool link_down[FAKE_LINKS + 1];
	bool unreachable;        /* the kernel has no route to any address */
	unsigned long writes, graces;
	unsigned long violations;
	char why[256];
};

/* A fake of these sizes, and the interface over it. */
void fake_init(struct fake *f, const struct xfwd_info *sizes);
void fake_fini(struct fake *f);
struct kio fake_kio(struct fake *f);
/* The group the data path reads for addr (0: none; the kernel). */
uint32_t fake_lookup4(const struct fake *f, uint32_t addr);
/* The record of a route: true with its value if there is one. */
bool fake_route4(const struct fake *f, const struct xprefix *p, struct xfwd_route *r);
bool fake_route6(const struct fake *f, const struct xprefix *p, struct xfwd_route *r);
/* The MAC the fake's neighbour table has for gw. */
void fake_mac(const struct xaddr *gw, uint8_t mac[6]);

#endif
