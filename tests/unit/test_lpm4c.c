// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IPv4 compact copy (lpm4c) against the table it copies: lpm4's tbl24
 * (itself proven against a model in test_lpm4). Over 100k random route
 * changes, flushed singly and in batches, the flushed writes are replayed
 * one at a time onto a separate "live" tbl24, tblc16 and tblc, and after
 * every write:
 *   - a block line is written only while nothing links it and no lookup
 *     can still be reading it (free since a sync, not merely unlinked);
 *   - a tblc16 write links only lines written since, and every /24 of
 *     its /16 then reads through the copy exactly what live tbl24 holds
 *     (tbl24 is written first: the copy never leads it).
 * After each flush every /16 that changed reads through the copy as tbl24.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "loader/core/lpm4.h"
#include "loader/core/lpm4c.h"
#include "maps/xfwd_abi.h"
#define RND_SEED 0x9e3779b97f4a7c15ull
#include "rnd.h"

enum { FREE = 0, WRITTEN, LINKED, UNLINKED };

struct fixture {
	struct lpm4 t;
	struct lpm4c c;
	uint32_t *tbl24, *tbl8, *c16, *pool; /* the live maps, as replayed */
	uint8_t *state;               /* per pool line */
	uint32_t lines;
	size_t writes, syncs, links;
	uint32_t ntargets;
};


static uint32_t mask_of(unsigned int d)
{
	return d ? ~0u << (32 - d) : 0;
}

static uint32_t lines_of(uint32_t v)
{
	return v & XFWD_C16_BLOCK ? v >> XFWD_C16_LINES_SHIFT & XFWD_C16_LINES_MASK : 0;
}

static void set_lines(struct fixture *f, uint32_t v, uint8_t from, uint8_t to)
{
	for (uint32_t l = v & XFWD_LPM_TARGET_MASK; l < (v & XFWD_LPM_TARGET_MASK) + lines_of(v); l++) {
		if (f->state[l] != from)
			fail_msg("write %zu: line %u is %d, expected %d", f->writes, l, f->state[l], from);
		f->state[l] = to;
	}
}

/* Every /24 of the /16 through the live copy reads live tbl24. */
static void check_16(struct fixture *f, uint32_t s)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t a = s << 16 | i << 8;

		if (lpm4c_lookup(f->c16, f->pool, f->tbl24, a) != lpm4c_strip(f->tbl24[a >> 8]))
			fail_msg("write %zu: %08x reads %08x through the copy, tbl24 %08x", f->writes, a,
				 lpm4c_lookup(f->c16, f->pool, f->tbl24, a), f->tbl24[a >> 8]);
	}
}

static void apply(struct fixture *f, const struct lpm4_write *w)
{
	f->writes++;
	switch (w->tbl) {
	case LPM4_TBL24:
		f->tbl24[w->idx] = w->val;
		break;
	case LPM4_TBLC:
		if (f->state[w->idx / XFWD_LPM_LINE] != FREE && f->state[w->idx / XFWD_LPM_LINE] != WRITTEN)
			fail_msg("write %zu: line %u written while %s", f->writes, w->idx / XFWD_LPM_LINE,
				 f->state[w->idx / XFWD_LPM_LINE] == LINKED ? "linked" : "a lookup may read it");
		f->state[w->idx / XFWD_LPM_LINE] = WRITTEN;
		f->pool[w->idx] = w->val;
		break;
	case LPM4_TBLC16:
		set_lines(f, w->val, WRITTEN, LINKED);
		set_lines(f, f->c16[w->idx], LINKED, UNLINKED);
		f->c16[w->idx] = w->val;
		f->links++;
		check_16(f, w->idx);
		break;
	default: /* tbl8: lpm4's own test proves its order */
		f->tbl8[w->idx] = w->val;
		break;
	}
}

static int replay(void *arg, uint32_t tbl, const struct lpm4_write *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(w[i].tbl, tbl);
		apply(arg, &w[i]);
	}
	return 0;
}

/* A grace period: what was unlinked before can no longer be read. */
static void sync_lines(void *arg)
{
	struct fixture *f = arg;

	for (uint32_t l = 0; l < f->lines; l++)
		if (f->state[l] == UNLINKED)
			f->state[l] = FREE;
	f->syncs++;
}

static void grace_flush(void *arg)
{
	struct fixture *f = arg;

	assert_int_equal(lpm4_flush(&f->t, replay, f), 0);
	sync_lines(f);
}

static struct fixture *fixture_new(uint32_t lines)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(lpm4_init(&f->t, 256), 0);
	assert_int_equal(lpm4c_init(&f->c, lines), 0);
	f->t.copy = &f->c;
	f->t.grace = grace_flush;
	f->t.grace_arg = f;
	f->c.sync = sync_lines;
	f->c.sync_arg = f;
	f->lines = lines;
	f->ntargets = 12;
	f->tbl24 = calloc(XFWD_TBL24_SIZE, 4);
	f->tbl8 = calloc(256 * 256, 4);
	f->c16 = calloc(XFWD_TBLC16_SIZE, 4);
	f->pool = calloc((size_t)lines * XFWD_LPM_LINE, 4);
	f->state = calloc(lines, 1);
	assert_true(f->tbl24 && f->tbl8 && f->c16 && f->pool && f->state);
	return f;
}

static int setup(void **state)
{
	*state = fixture_new(4096);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	lpm4_fini(&f->t);
	lpm4c_fini(&f->c);
	free(f->tbl24);
	free(f->tbl8);
	free(f->c16);
	free(f->pool);
	free(f->state);
	free(f);
	return 0;
}

/* Mostly inside 10.0.0.0/10 (64 /16s), so /16s change again and again. */
static void random_change(struct fixture *f)
{
	static const unsigned char depths[] = { 8, 12, 14, 16, 17, 18, 20, 22, 23, 24, 24, 24, 24, 25, 28, 32 };
	unsigned int d = depths[rnd() % sizeof(depths)];
	uint32_t a = (rnd() % 16 ? 0x0a000000u | (rnd() % (64u << 16)) : rnd() << 8) & mask_of(d);
	uint32_t target;

	if (lpm4_find(&f->t, a, d, &target, NULL) && rnd() % 3) {
		assert_int_equal(lpm4_del(&f->t, a, d), 0);
		return;
	}
	int err = lpm4_add(&f->t, a, d, 1 + rnd() % f->ntargets);

	if (err != -ENOSPC) /* out of tbl8 groups: lpm4's test proves nothing changed */
		assert_int_equal(err, 0);
}

/* The live copy reads tbl24 everywhere (a full sweep: every /24). */
static void check_all(struct fixture *f)
{
	for (uint32_t s = 0; s < XFWD_TBLC16_SIZE; s++) {
		uint32_t v = f->c16[s];

		if (!(v & XFWD_C16_BLOCK) || lines_of(v)) /* what reads tbl24 is right by definition */
			check_16(f, s);
	}
	assert_memory_equal(f->c.c16, f->c16, XFWD_TBLC16_SIZE * 4);
	assert_memory_equal(f->t.tbl24, f->tbl24, XFWD_TBL24_SIZE * 4);
}

static void random_ops(struct fixture *f, int ops, int batch)
{
	for (int op = 0; op < ops; op++) {
		random_change(f);
		if ((op + 1) % batch == 0)
			assert_int_equal(lpm4_flush(&f->t, replay, f), 0);
	}
	assert_int_equal(lpm4_flush(&f->t, replay, f), 0);
	check_all(f);
	uint32_t linked = 0;

	for (uint32_t l = 0; l < f->lines; l++)
		linked += f->state[l] == LINKED;
	assert_int_equal(lpm4c_used(&f->c), linked); /* what status shows */
	print_message("rules %zu, lines used %u of %u, writes %zu, links %zu, syncs %zu\n",
		      lpm4_rule_count(&f->t), lpm4c_used(&f->c), f->lines, f->writes, f->links, f->syncs);
	assert_true(f->links > 1000);
}

static void test_singly(void **state)
{
	random_ops(*state, 100000, 1);
}

static void test_in_batches(void **state)
{
	random_ops(*state, 100000, 16);
}

/* A tbl24 entry: no route, a group or a tbl8 group, at some depth. */
static uint32_t random_entry(void)
{
	if (rnd() % 8 == 0)
		return 0;
	return XFWD_LPM_VALID | (rnd() % 2 ? XFWD_LPM_EXT : 1) | rnd() % XFWD_CRUN_TARGET |
	       (rnd() % 25) << XFWD_LPM_DEPTH_SHIFT;
}

/* A target past a run's 15 bits: no block; the flush leaves the /16 to
 * tbl24, which reads right. */
static void test_wide_target(void **state)
{
	struct fixture *f = *state;
	uint32_t e[256] = { 0 }, w[XFWD_CBLK_MAX_LINES * XFWD_LPM_LINE];

	e[7] = XFWD_LPM_VALID | (XFWD_CRUN_TARGET + 1);
	assert_true(lpm4c_encode(e, w) == LPM4C_NO_BLOCK);
	assert_int_equal(lpm4_add(&f->t, 0x0a000700u, 24, XFWD_CRUN_TARGET + 1), 0);
	assert_int_equal(lpm4_add(&f->t, 0x0a000000u, 16, 3), 0);
	assert_int_equal(lpm4_flush(&f->t, replay, f), 0);
	assert_int_equal(f->c16[0x0a00], XFWD_C16_BLOCK);
	check_all(f);
	assert_int_equal(lpm4_del(&f->t, 0x0a000700u, 24), 0);
	assert_int_equal(lpm4_flush(&f->t, replay, f), 0);
	assert_int_equal(f->c16[0x0a00], XFWD_LPM_VALID | 3); /* one route again: no block */
	check_all(f);
}

/* Random blocks: encode then read each /24 back. */
static void test_encode_round_trip(void **state)
{
	uint32_t e[256], w[XFWD_CBLK_MAX_LINES * XFWD_LPM_LINE];

	(void)state;
	for (int k = 0; k < 20000; k++) {
		uint32_t runs = 1 + rnd() % (k % 3 ? 8 : 256), v = random_entry();
		size_t n;

		for (uint32_t i = 0; i < 256; i++) {
			if (i && rnd() % 256 < runs) /* an equal run may start again, at another depth */
				v = rnd() % 4 ? random_entry() : v ^ (rnd() % 2) << XFWD_LPM_DEPTH_SHIFT;
			e[i] = v;
		}
		n = lpm4c_encode(e, w);
		if (!n) {
			for (uint32_t i = 1; i < 256; i++)
				assert_int_equal(lpm4c_strip(e[i]), lpm4c_strip(e[0]));
			continue;
		}
		assert_true(n <= XFWD_CBLK_MAX_LINES * XFWD_LPM_LINE);
		for (uint32_t i = 0; i < 256; i++)
			assert_int_equal(lpm4c_block_entry(w, i), lpm4c_strip(e[i]));
	}
}

/* Too few lines: /16s read tbl24 instead, still right; freed blocks are
 * taken back after a sync rather than left unused. */
static void test_few_lines(void **state)
{
	struct fixture *f = fixture_new(48);

	(void)state;
	random_ops(f, 20000, 4);
	assert_true(f->syncs > 0);
	void *s = f;
	teardown(&s);
}

static int fetch_live(void *arg, uint32_t tbl, uint32_t start, uint32_t n, uint32_t *dst)
{
	struct fixture *f = arg;

	assert_int_equal(tbl, LPM4_TBLC16);
	memcpy(dst, f->c16 + start, n * 4);
	return 0;
}

/* A new process adopting the live copy takes exactly the linked lines. */
static void test_adopt(void **state)
{
	struct fixture *f = *state;
	struct lpm4c c2;
	uint32_t linked = 0;

	random_ops(f, 20000, 8);
	sync_lines(f); /* as between two processes */
	for (uint32_t l = 0; l < f->lines; l++)
		linked += f->state[l] == LINKED;
	assert_int_equal(lpm4c_init(&c2, f->lines), 0);
	c2.fetch = fetch_live;
	c2.fetch_arg = f;
	assert_int_equal(lpm4c_adopt(&c2), 0);
	assert_int_equal(lpm4c_used(&c2), linked);
	for (uint32_t l = 0; l < f->lines; l++)
		assert_int_equal(c2.used[l / 64] >> (l % 64) & 1, f->state[l] == LINKED);
	lpm4c_fini(&c2);
}

/* ---- a writer killed in the middle of a flush ---- */

struct cut {
	struct fixture *f;
	size_t left; /* writes that land before the kill */
};

static int cut_write(void *arg, uint32_t tbl, const struct lpm4_write *w, size_t n)
{
	struct cut *c = arg;

	(void)tbl;
	for (size_t i = 0; i < n && c->left; i++, c->left--)
		apply(c->f, &w[i]);
	return 0;
}

static int fetch_all(void *arg, uint32_t tbl, uint32_t start, uint32_t n, uint32_t *dst)
{
	struct fixture *f = arg;

	memcpy(dst, (tbl == LPM4_TBL24 ? f->tbl24 : tbl == LPM4_TBL8 ? f->tbl8 : f->c16) + start, n * 4);
	return 0;
}

static void load_rule(uint32_t addr, unsigned int depth, uint32_t target, uint8_t tag, void *arg)
{
	assert_int_equal(lpm4_rule_load(arg, addr, depth, target, tag), 0);
}

/* The live tables hold part of a flush (tbl24 and copy disagree, blocks
 * half written); a new process rebuilds from the rules: its flush encodes
 * every /16 again on lines no live block holds, and the copy reads tbl24
 * everywhere. */
static void test_rebuild_after_cut(void **state)
{
	struct fixture *f = *state;
	struct lpm4 t2;
	struct lpm4c c2;
	struct cut c = { f, 0 };

	random_ops(f, 5000, 8);
	for (int op = 0; op < 300; op++)
		random_change(f);
	c.left = rnd() % 20000;
	assert_int_equal(lpm4_flush(&f->t, cut_write, &c), 0);
	sync_lines(f); /* the writer is gone: nothing reads its unlinked lines */
	assert_int_equal(lpm4_init(&t2, 256), 0);
	assert_int_equal(lpm4c_init(&c2, f->lines), 0);
	t2.fetch = c2.fetch = fetch_all;
	t2.fetch_arg = c2.fetch_arg = f;
	t2.copy = &c2;
	c2.sync = sync_lines;
	c2.sync_arg = f;
	lpm4_for_each(&f->t, load_rule, &t2);
	assert_int_equal(lpm4_rebuild(&t2), 0);
	assert_int_equal(lpm4c_adopt(&c2), 0);
	assert_int_equal(lpm4_flush(&t2, replay, f), 0);
	lpm4_fini(&f->t);
	lpm4c_fini(&f->c);
	f->t = t2; /* check_all compares the live maps with this builder */
	f->c = c2;
	f->t.copy = &f->c;
	check_all(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_round_trip),
		cmocka_unit_test_setup_teardown(test_singly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_batches, setup, teardown),
		cmocka_unit_test(test_few_lines),
		cmocka_unit_test_setup_teardown(test_adopt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wide_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebuild_after_cut, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
