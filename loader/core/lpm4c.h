/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IPv4 compact table builder (pure: no I/O): a copy of tbl24 small enough
 * for the last-level cache (xfwd_tblc16 and xfwd_tblc, layout in
 * maps/xfwd_abi.h, reasons in docs/route-table-compact.md).
 *
 * The copy is derived from tbl24, a /16 at a time: lpm4 marks the /16s
 * whose tbl24 entries changed, and its flush calls lpm4c_flush after
 * tbl24's writes, so the copy never leads tbl24. Hitless, however many
 * /16s changed:
 *   - a changed /16 gets a new block on free lines, written whole before
 *     the tblc16 entry that links it (one aligned 32-bit store);
 *   - the old block's lines are reused only after a grace period;
 *   - a /16 whose block finds no free line reads tbl24 (still correct).
 * A lookup through the copy returns the tbl24 entry without its depth
 * (XDP does not read it), so tbl8 and covering routes work unchanged.
 */
#ifndef XFWD_LPM4C_H
#define XFWD_LPM4C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lpm4.h"
#include "maps/xfwd_abi.h"

/* Table ids beside LPM4_TBL24/LPM4_TBL8 for fetch and emit. */
enum { LPM4_TBLC16 = 16, LPM4_TBLC = 17 };

struct lpm4c {
	uint32_t *c16;  /* mirror of xfwd_tblc16 */
	uint32_t lines; /* xfwd_tblc's size */
	uint64_t *used; /* a bit per line: linked, or freed since the last sync */
	uint32_t nused, rover;
	uint32_t *pend; /* blocks freed since the last sync: line << 5 | lines */
	size_t npend;
	uint32_t pend_lines; /* their lines */
	uint64_t *dirty; /* a bit per /16 to encode again */
	size_t ndirty;
	bool loaded;     /* c16 read from the live map */
	lpm4_fetch_fn fetch;
	void *fetch_arg;
	/* A grace period only (no flush: lpm4c_flush calls it mid-flush). */
	void (*sync)(void *arg);
	void *sync_arg;
};

/* What the copy keeps of a tbl24 entry: what XDP reads (no depth). */
static inline uint32_t lpm4c_strip(uint32_t e)
{
	return e & ~(XFWD_LPM_DEPTH_MASK << XFWD_LPM_DEPTH_SHIFT);
}

/* The encoded block of 256 tbl24 entries into w (XFWD_CBLK_MAX_LINES
 * lines); returns its words, 0 when all 256 read the same (no block), or
 * LPM4C_NO_BLOCK when a target does not fit a run's 15 bits. */
#define LPM4C_NO_BLOCK ((size_t)-1)
size_t lpm4c_encode(const uint32_t e[256], uint32_t *w);
/* Entry i (0-255) of an encoded block: what XDP computes. */
uint32_t lpm4c_block_entry(const uint32_t *w, uint32_t i);

int lpm4c_init(struct lpm4c *c, uint32_t lines);
void lpm4c_fini(struct lpm4c *c);
/* Read tblc16 (once) and take the lines its blocks hold as used. */
int lpm4c_adopt(struct lpm4c *c);
static inline void lpm4c_touch(struct lpm4c *c, uint32_t s16)
{
	uint64_t bit = 1ull << (s16 % 64);

	if (!(c->dirty[s16 / 64] & bit)) {
		c->dirty[s16 / 64] |= bit;
		c->ndirty++;
	}
}
void lpm4c_touch_all(struct lpm4c *c);
/* Encode every touched /16 from tbl24 (its chunks loaded) and hand out
 * the writes: blocks first, then the tblc16 entries. */
int lpm4c_flush(struct lpm4c *c, const uint32_t *tbl24, lpm4_emit_fn emit, void *arg);
/* The entry XDP reads for addr, from the copy (pool: xfwd_tblc's words),
 * tbl24 where the copy says so; depth 0. */
uint32_t lpm4c_lookup(const uint32_t *c16, const uint32_t *pool, const uint32_t *tbl24,
		      uint32_t addr);
/* Lines linked (not those freed and waiting for a grace period). */
static inline uint32_t lpm4c_used(const struct lpm4c *c)
{
	return c->nused - c->pend_lines;
}

#endif
