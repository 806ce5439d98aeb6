/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IPv6 multibit trie builder (pure: no I/O), after DPDK's rte_lpm6 with
 * a 16-bit first stride (docs/route-table-ipv6.md).
 *
 * Holds an exact mirror of the xfwd_tbl6 nodes reachable from the root
 * and the rule set they are built from. A rule of depth d lands in the
 * level whose entries are the first prefix length >= d and expands over
 * its range; an entry of a deeper rule is never overwritten by a shorter
 * one (each entry keeps the depth that wrote it). Changes mark entries
 * dirty; lpm6_flush hands them out deepest level first, so a new node is
 * written whole before the entry that links it, and a node freed when no
 * rule below it is left is reused only after a grace period. Each write
 * is one aligned 32-bit value: a lookup sees the old or the new route.
 */
#ifndef XFWD_LPM6_H
#define XFWD_LPM6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lpm4.h" /* struct lpm4_write, lpm4_emit_fn, lpm4_fetch_fn */

enum { LPM6_TBL = 6 }; /* the table id lpm_read/lpm_write see */

struct lpm6_rule {
	uint8_t addr[16]; /* host bits zero */
	uint8_t depth;
	uint8_t tag;
	uint8_t used;
	uint8_t pad;
	uint32_t target;
};

struct lpm6_rules {
	struct lpm6_rule *v;
	size_t cap, count;
};

struct lpm6 {
	uint32_t *e;      /* nodes * 256 entries */
	uint8_t *level;   /* per node: 1 root, 2..15 below; 0 free */
	uint32_t nodes, used;
	uint32_t *ready, nready;   /* free nodes, ready to use */
	uint32_t *pending, npending; /* freed since the last grace */
	uint64_t *dirty;  /* a bit per entry */
	uint32_t *dnodes; /* nodes with a dirty entry, each once */
	uint8_t *dmark;
	size_t ndnodes, ndirty;
	lpm4_fetch_fn fetch;
	void *fetch_arg;
	void (*grace)(void *arg);
	void *grace_arg;
	int io_err;
	struct lpm6_rules rules;
};

/* nodes: the map's size in nodes, at least XFWD_TBL6_ROOT_NODES + 1. */
int lpm6_init(struct lpm6 *t, uint32_t nodes);
void lpm6_fini(struct lpm6 *t);

/* Add or replace addr/depth (host bits ignored), keeping a tag with it.
 * -ENOSPC: not enough free nodes (nothing changed); -EINVAL: bad depth or
 * target. */
int lpm6_add(struct lpm6 *t, const uint8_t addr[16], unsigned int depth,
	     uint32_t target, uint8_t tag);
/* -ENOENT when the rule is not there. */
int lpm6_del(struct lpm6 *t, const uint8_t addr[16], unsigned int depth);
bool lpm6_find(const struct lpm6 *t, const uint8_t addr[16], unsigned int depth,
	       uint32_t *target, uint8_t *tag);
/* The entry the data path would read (XFWD_LPM6_VALID clear: no route). */
uint32_t lpm6_lookup(const struct lpm6 *t, const uint8_t addr[16]);

/* Adopting the live table: lpm6_rule_load every rule, then lpm6_adopt
 * reads the nodes reachable from the root (fetch) and frees the rest.
 * -EBADMSG: a link out of range or a node reached twice. */
int lpm6_rule_load(struct lpm6 *t, const uint8_t addr[16], unsigned int depth,
		   uint32_t target, uint8_t tag);
int lpm6_adopt(struct lpm6 *t);
/* Instead of lpm6_adopt, when a writer died in the middle of a flush:
 * every reachable entry is set to what the rules give, live nodes kept
 * where they still serve; what differs is dirty for the next flush. */
int lpm6_rebuild(struct lpm6 *t);

typedef void (*lpm6_rule_fn)(const uint8_t addr[16], unsigned int depth,
			     uint32_t target, uint8_t tag, void *arg);
void lpm6_for_each(const struct lpm6 *t, lpm6_rule_fn fn, void *arg);
size_t lpm6_rule_count(const struct lpm6 *t);

/* Every dirty entry to emit (tbl LPM6_TBL), deepest level first, in runs
 * of at most LPM4_FLUSH_RUN. Clean afterwards, also after an error (the
 * live map is then unknown and must be read again). */
int lpm6_flush(struct lpm6 *t, lpm4_emit_fn emit, void *arg);

#endif
