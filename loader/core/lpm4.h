/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IPv4 DIR-24-8 table builder (pure: no I/O), after DPDK's rte_lpm.
 *
 * Holds an exact mirror of the xfwd_tbl24/xfwd_tbl8 arrays and the rule
 * set they are built from. Changes mark entries dirty; lpm4_flush hands
 * out the dirty entries (their final values) in an order that keeps
 * lookups hitless when applied to the live maps one write at a time,
 * however many changes were made since the last flush:
 *   - every tbl8 entry before any tbl24 entry, so a group is written
 *     whole before the tbl24 entry that links it;
 *   - a collapsed group is unlinked first and only reused after a grace
 *     period (the `grace` callback, which must flush first), so no lookup
 *     still in flight reads it.
 * Each write is one aligned 32-bit value, so a lookup sees old or new.
 * Batching many changes into one flush writes each entry once.
 *
 * A target can be marked dead (xfwd: a group whose next hops all died):
 * its rules stay in the rule set but leave the tables, so their addresses
 * read the longest covering rule that is not dead, or nothing. A dead
 * rule longer than /24 keeps its tbl8 group, so coming back never needs
 * a free one.
 */
#ifndef XFWD_LPM4_H
#define XFWD_LPM4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { LPM4_TBL24 = 24, LPM4_TBL8 = 8 };

struct lpm4_write {
	uint32_t tbl; /* LPM4_TBL24 or LPM4_TBL8 */
	uint32_t idx;
	uint32_t val;
};

struct lpm4_rules {
	uint64_t *keys; /* (addr << 6 | depth) + 1; 0 = empty slot */
	uint32_t *vals; /* target | tag << 24 */
	size_t cap, count;
};

/* Lazy mirror: with a fetch callback, tbl24 chunks and tbl8 groups are
 * read from the live maps the first time they are touched (reading all
 * 16M entries costs seconds; a route change touches a few). */
#define LPM4_CHUNK 4096u
typedef int (*lpm4_fetch_fn)(void *arg, uint32_t tbl, uint32_t start,
			     uint32_t count, uint32_t *dst);

struct lpm4 {
	uint32_t *tbl24;
	uint32_t *tbl8;
	lpm4_fetch_fn fetch;
	void *fetch_arg;
	uint8_t *loaded24, *loaded8;
	uint8_t *reached; /* tbl24 chunks a rule reached at lpm4_adopt */
	int io_err;
	uint32_t groups;
	/* Free tbl8 groups: ready to use, and freed since the last grace. */
	uint32_t *ready, nready, ready_head;
	uint32_t *pending, npending;
	struct lpm4_rules rules;
	/* Entries changed since the last flush: a bit per entry, and a
	 * byte per tbl24 chunk / tbl8 group so a small flush scans little. */
	uint64_t *dirty24, *dirty8;
	uint8_t *dirty24c, *dirty8g;
	size_t ndirty;
	void (*grace)(void *arg);
	void *grace_arg;
	uint64_t *dead;  /* a bit per target; allocated when first needed */
	uint32_t ndead;  /* targets marked dead now */
	uint16_t *held8; /* per tbl8 group: dead rules longer than /24 in it */
	struct lpm4c *copy; /* the compact copy of tbl24 to keep (lpm4c.h), or NULL */
};

#define LPM4_MAX_TARGET 0xffffffu

int lpm4_init(struct lpm4 *t, uint32_t groups);
void lpm4_fini(struct lpm4 *t);

/* Add or replace addr/depth (addr in host order, host bits ignored).
 * -ENOSPC: no tbl8 group left; -EINVAL: bad depth or target. */
int lpm4_add(struct lpm4 *t, uint32_t addr, unsigned int depth,
	     uint32_t target);
/* The same, keeping a tag with the rule (see lpm4_tag). */
int lpm4_add_tagged(struct lpm4 *t, uint32_t addr, unsigned int depth,
		    uint32_t target, uint8_t tag);
/* -ENOENT when the rule is not there. */
int lpm4_del(struct lpm4 *t, uint32_t addr, unsigned int depth);
/* The rule's target and (tag may be NULL) its tag, in one probe. */
bool lpm4_find(const struct lpm4 *t, uint32_t addr, unsigned int depth,
	       uint32_t *target, uint8_t *tag);
/* A byte the caller keeps with a rule (xfwd: the route's origin): the
 * rule's tag, or -1 when there is no rule. */
int lpm4_tag(const struct lpm4 *t, uint32_t addr, unsigned int depth);
/* The entry the data path would read (XFWD_LPM_VALID clear: no route). */
uint32_t lpm4_lookup(struct lpm4 *t, uint32_t addr);

/* Adopting live tables: set fetch (or fill tbl24/tbl8), add the rules
 * with lpm4_rule_load, then lpm4_adopt rebuilds the free group list from
 * the rules longer than /24 (a /24 has a group iff it has such a rule).
 * Returns -EBADMSG when the tables reference a group out of range. */
int lpm4_adopt(struct lpm4 *t);
/* Instead of lpm4_adopt, when the live tables may disagree with the
 * rules anywhere (a writer died in the middle of a flush): every entry
 * is read and set to what the rules give; what differs is dirty for the
 * next flush. A /24's live group is kept when it is its own. Reads all
 * 16M entries (seconds); -ENOSPC when the groups do not suffice. */
int lpm4_rebuild(struct lpm4 *t);
int lpm4_rule_load(struct lpm4 *t, uint32_t addr, unsigned int depth,
		   uint32_t target, uint8_t tag);

/* Mark targets dead (or alive again) and move their rules out of (into)
 * the tables, in one pass over the rules. Targets already in that state
 * are left alone. Returns how many rules moved, -ENOMEM, or the fetch
 * callback's error. */
int lpm4_set_dead(struct lpm4 *t, const uint32_t *targets, size_t n, bool dead);
/* Only the mark: before lpm4_adopt (the live tables already leave the
 * rules of dead targets out), or for a target no rule uses. */
int lpm4_mark_dead(struct lpm4 *t, uint32_t target, bool dead);
bool lpm4_is_dead(const struct lpm4 *t, uint32_t target);

/* Visit every rule. */
typedef void (*lpm4_rule_fn)(uint32_t addr, unsigned int depth,
			     uint32_t target, uint8_t tag, void *arg);
void lpm4_for_each(const struct lpm4 *t, lpm4_rule_fn fn, void *arg);
size_t lpm4_rule_count(const struct lpm4 *t);
uint32_t lpm4_groups_used(const struct lpm4 *t);

/* Hand every dirty entry to emit, tbl8 first, in runs of at most
 * LPM4_FLUSH_RUN writes of one table; stops at emit's first error. The
 * entries are clean afterwards (also after an error: the live maps are
 * then unknown, and the caller must read them again). */
#define LPM4_FLUSH_RUN 8192u
typedef int (*lpm4_emit_fn)(void *arg, uint32_t tbl,
			    const struct lpm4_write *w, size_t n);
int lpm4_flush(struct lpm4 *t, lpm4_emit_fn emit, void *arg);

#endif
