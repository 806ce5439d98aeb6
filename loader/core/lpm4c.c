// SPDX-License-Identifier: GPL-2.0-only
/* IPv4 compact table builder: lpm4c.h says what and why. */
#include "lpm4c.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maps/xfwd_abi.h"

#define BLOCK_WORDS (XFWD_CBLK_MAX_LINES * XFWD_LPM_LINE)

/* A run's 16 bits for a tbl24 entry; false when its target needs more. */
static bool run_of(uint32_t e, uint32_t *r)
{
	uint32_t t = e & XFWD_LPM_TARGET_MASK;

	*r = 0;
	if (!(e & XFWD_LPM_VALID))
		return true;
	if (t > XFWD_CRUN_TARGET || (!t && !(e & XFWD_LPM_EXT))) /* 0 reads as no route */
		return false;
	*r = (e & XFWD_LPM_EXT ? XFWD_CRUN_EXT : 0) | t;
	return true;
}

size_t lpm4c_encode(const uint32_t e[256], uint32_t *w)
{
	uint32_t runs = 0, i, r, prev = 0;

	for (i = 1; i < 256 && lpm4c_strip(e[i]) == lpm4c_strip(e[0]); i++)
		;
	if (i == 256)
		return 0;
	memset(w, 0, XFWD_CBLK_MAX_LINES * XFWD_LPM_LINE * sizeof(*w));
	for (uint32_t q = 0; q < 4; q++) {
		w[XFWD_CBLK_BASES] |= runs << (8 * q);
		for (uint32_t j = 0; j < 64; j++) {
			if (!run_of(e[q * 64 + j], &r))
				return LPM4C_NO_BLOCK;
			if (j && r == prev)
				continue;
			w[2 * q + j / 32] |= 1u << (j % 32);
			w[XFWD_CBLK_RUNS + runs / 2] |= r << (16 * (runs % 2));
			runs++;
			prev = r;
		}
	}
	return XFWD_CBLK_RUNS + (runs + 1) / 2;
}

uint32_t lpm4c_block_entry(const uint32_t *w, uint32_t i)
{
	uint32_t q = i / 64, j = i % 64;
	uint64_t bm = (uint64_t)w[2 * q + 1] << 32 | w[2 * q];
	uint32_t r = (w[XFWD_CBLK_BASES] >> (8 * q) & 0xff) + (uint32_t)__builtin_popcountll(bm & (~0ull >> (63 - j))) - 1;
	uint32_t v = w[XFWD_CBLK_RUNS + r / 2] >> (16 * (r % 2)) & 0xffff;

	if (!v)
		return 0;
	return XFWD_LPM_VALID | (v & XFWD_CRUN_EXT ? XFWD_LPM_EXT : 0) | (v & XFWD_CRUN_TARGET);
}

uint32_t lpm4c_lookup(const uint32_t *c16, const uint32_t *pool, const uint32_t *tbl24,
		      uint32_t addr)
{
	uint32_t v = c16[addr >> 16];

	if (!(v & XFWD_C16_BLOCK))
		return v;
	if (!(v >> XFWD_C16_LINES_SHIFT & XFWD_C16_LINES_MASK))
		return lpm4c_strip(tbl24[addr >> 8]);
	return lpm4c_block_entry(pool + (size_t)(v & XFWD_LPM_TARGET_MASK) * XFWD_LPM_LINE,
				 addr >> 8 & 0xff);
}

int lpm4c_init(struct lpm4c *c, uint32_t lines)
{
	memset(c, 0, sizeof(*c));
	if (!lines || lines > XFWD_LPM_TARGET_MASK)
		return -EINVAL;
	c->lines = lines;
	c->c16 = calloc(XFWD_TBLC16_SIZE, sizeof(*c->c16));
	c->used = calloc((lines + 63) / 64, sizeof(*c->used));
	c->pend = calloc(lines, sizeof(*c->pend)); /* a freed block holds a line */
	c->dirty = calloc(XFWD_TBLC16_SIZE / 64, sizeof(*c->dirty));
	if (!c->c16 || !c->used || !c->pend || !c->dirty) {
		lpm4c_fini(c);
		return -ENOMEM;
	}
	return 0;
}

void lpm4c_fini(struct lpm4c *c)
{
	free(c->c16);
	free(c->used);
	free(c->pend);
	free(c->dirty);
	memset(c, 0, sizeof(*c));
}

static uint32_t block_lines(uint32_t v)
{
	return v & XFWD_C16_BLOCK ? v >> XFWD_C16_LINES_SHIFT & XFWD_C16_LINES_MASK : 0;
}

static void mark(struct lpm4c *c, uint32_t at, uint32_t n, bool used)
{
	for (uint32_t l = at; l < at + n; l++) {
		if (used)
			c->used[l / 64] |= 1ull << (l % 64);
		else
			c->used[l / 64] &= ~(1ull << (l % 64));
	}
	c->nused = used ? c->nused + n : c->nused - n;
}

int lpm4c_adopt(struct lpm4c *c)
{
	int ret;

	if (c->loaded)
		return 0;
	if (c->fetch && (ret = c->fetch(c->fetch_arg, LPM4_TBLC16, 0, XFWD_TBLC16_SIZE, c->c16)))
		return ret;
	memset(c->used, 0, (c->lines + 63) / 64 * sizeof(*c->used));
	c->nused = c->pend_lines = 0;
	c->npend = 0;
	for (uint32_t s = 0; s < XFWD_TBLC16_SIZE; s++) {
		uint32_t n = block_lines(c->c16[s]), at = c->c16[s] & XFWD_LPM_TARGET_MASK;

		if (!n)
			continue;
		if (n > XFWD_CBLK_MAX_LINES || at + n > c->lines)
			return -EBADMSG;
		mark(c, at, n, true);
	}
	c->loaded = true;
	return 0;
}

void lpm4c_touch_all(struct lpm4c *c)
{
	memset(c->dirty, 0xff, XFWD_TBLC16_SIZE / 8);
	c->ndirty = XFWD_TBLC16_SIZE;
}

/* ---- flush ---- */

struct wvec {
	struct lpm4_write *w;
	size_t n, cap;
};

struct pass {
	struct wvec pool, c16;
	uint32_t unlinked[XFWD_TBLC16_SIZE]; /* old blocks, free after the c16 writes + a sync */
	size_t nunlinked;
	uint32_t failed; /* smallest block size that found no room (0: none) */
	lpm4_emit_fn emit;
	void *arg;
};

static int push(struct wvec *v, uint32_t tbl, uint32_t idx, uint32_t val)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 4096;
		struct lpm4_write *w = realloc(v->w, cap * sizeof(*w));

		if (!w)
			return -ENOMEM;
		v->w = w;
		v->cap = cap;
	}
	v->w[v->n++] = (struct lpm4_write){ tbl, idx, val };
	return 0;
}

static int emit_vec(struct pass *p, struct wvec *v, uint32_t tbl)
{
	int err = 0;

	for (size_t i = 0; i < v->n && !err; i += LPM4_FLUSH_RUN)
		err = p->emit(p->arg, tbl, v->w + i, v->n - i < LPM4_FLUSH_RUN ? v->n - i : LPM4_FLUSH_RUN);
	v->n = 0;
	return err;
}

/* Blocks before the links to them; what they replaced waits for a sync. */
static int emit_pass(struct lpm4c *c, struct pass *p)
{
	int err = emit_vec(p, &p->pool, LPM4_TBLC) ?: emit_vec(p, &p->c16, LPM4_TBLC16);

	memcpy(c->pend + c->npend, p->unlinked, p->nunlinked * sizeof(*p->unlinked));
	c->npend += p->nunlinked;
	for (size_t i = 0; i < p->nunlinked; i++)
		c->pend_lines += p->unlinked[i] & 31;
	p->nunlinked = 0;
	return err;
}

static void release(struct lpm4c *c)
{
	if (!c->npend)
		return;
	if (c->sync)
		c->sync(c->sync_arg);
	for (size_t i = 0; i < c->npend; i++)
		mark(c, c->pend[i] >> 5, c->pend[i] & 31, false);
	c->npend = 0;
	c->pend_lines = 0;
}

static bool find_room(struct lpm4c *c, uint32_t n, uint32_t *at)
{
	uint32_t run = 0;

	for (uint32_t k = 0; k < c->lines; k++) {
		uint32_t l = (c->rover + k) % c->lines;

		if (!l)
			run = 0;
		if (c->used[l / 64] >> (l % 64) & 1) {
			run = 0;
			continue;
		}
		if (++run == n) {
			*at = l + 1 - n;
			c->rover = (l + 1) % c->lines;
			mark(c, *at, n, true);
			return true;
		}
	}
	return false;
}

/* n free lines: freed blocks are taken back (after a sync) before giving
 * up; returns -ENOSPC when there is no room even then. */
static int alloc_lines(struct lpm4c *c, struct pass *p, uint32_t n, uint32_t *at)
{
	int err;

	if (p->failed && n >= p->failed)
		return -ENOSPC;
	if (find_room(c, n, at))
		return 0;
	if (p->nunlinked && (err = emit_pass(c, p)))
		return err;
	release(c);
	if (find_room(c, n, at))
		return 0;
	p->failed = n;
	return -ENOSPC;
}

/* The /16's new tblc16 entry, its block (if any) queued first. */
static int encode_one(struct lpm4c *c, struct pass *p, const uint32_t *e, uint32_t *v)
{
	uint32_t w[BLOCK_WORDS], at;
	size_t n = lpm4c_encode(e, w);
	uint32_t lines = (uint32_t)(n + XFWD_LPM_LINE - 1) / XFWD_LPM_LINE;
	int err;

	if (!n) {
		*v = lpm4c_strip(e[0]);
		return 0;
	}
	if (n == LPM4C_NO_BLOCK || (err = alloc_lines(c, p, lines, &at)) == -ENOSPC) {
		*v = XFWD_C16_BLOCK; /* read tbl24 */
		return 0;
	}
	for (size_t k = 0; k < n && !err; k++)
		err = push(&p->pool, LPM4_TBLC, at * XFWD_LPM_LINE + (uint32_t)k, w[k]);
	*v = XFWD_C16_BLOCK | lines << XFWD_C16_LINES_SHIFT | at;
	return err;
}

static int encode_dirty(struct lpm4c *c, struct pass *p, const uint32_t *tbl24)
{
	int err = 0;

	for (uint32_t wd = 0; wd < XFWD_TBLC16_SIZE / 64 && !err; wd++) {
		for (uint64_t b = c->dirty[wd]; b && !err; b &= b - 1) {
			uint32_t s = wd * 64 + (uint32_t)__builtin_ctzll(b), v, old = c->c16[s];

			if ((err = encode_one(c, p, tbl24 + (size_t)s * 256, &v)) || v == old)
				continue;
			err = push(&p->c16, LPM4_TBLC16, s, v);
			c->c16[s] = v;
			if (block_lines(old))
				p->unlinked[p->nunlinked++] = (old & XFWD_LPM_TARGET_MASK) << 5 | block_lines(old);
		}
		c->dirty[wd] = 0;
	}
	return err ?: emit_pass(c, p);
}

int lpm4c_flush(struct lpm4c *c, const uint32_t *tbl24, lpm4_emit_fn emit, void *arg)
{
	struct pass *p;
	int err;

	if (!c->ndirty)
		return 0;
	if (!(p = calloc(1, sizeof(*p))))
		return -ENOMEM;
	p->emit = emit;
	p->arg = arg;
	err = lpm4c_adopt(c) ?: encode_dirty(c, p, tbl24);
	if (err) {
		memset(c->dirty, 0, XFWD_TBLC16_SIZE / 8);
		c->loaded = false; /* the live copy is unknown: read it again */
	}
	c->ndirty = 0;
	free(p->pool.w);
	free(p->c16.w);
	free(p);
	return err;
}
