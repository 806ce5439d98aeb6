// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IPv6 multibit trie builder against a plain reference model: over
 * 100k random add / replace / delete operations every checked lookup must
 * agree, the flushed writes replayed onto a separate "live map" must give
 * the same answers, and while they are replayed one write at a time, a
 * lookup must only ever see a route its address had at some point since
 * the last flush (hitless). Adopting the live map must give back the same
 * free nodes; a flush cut short and rebuilt must end in the same answers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/core/lpm6.h"
#include "maps/xfwd_abi.h"
#include "rnd.h"

#define NODES 1024u /* few: allocation, collapse, reuse and ENOSPC happen often */
#define N6 XFWD_TBL6_NODE

/* ---- reference model: (prefix, length) -> target, searched by length ---- */
#define MODEL_CAP (1u << 18)

struct mrule {
	uint8_t a[16];
	uint8_t d, used;
	uint32_t target;
};

static struct mrule *model;
static unsigned int model_depths[129]; /* rules of each length */

static uint8_t netmask(unsigned int d, unsigned int i);

static void mask(uint8_t out[16], const uint8_t *a, unsigned int d)
{
	for (unsigned int i = 0; i < 16; i++)
		out[i] = a[i] & netmask(d, i);
}

static size_t mslot(const uint8_t *a, unsigned int d)
{
	uint32_t h = 2166136261u ^ d;

	for (int i = 0; i < 16; i++)
		h = (h ^ a[i]) * 16777619u;
	for (size_t s = h % MODEL_CAP;; s = (s + 1) % MODEL_CAP)
		if (!model[s].used || (model[s].d == d && !memcmp(model[s].a, a, 16)))
			return s;
}

static uint32_t model_get(const uint8_t *a, unsigned int d)
{
	struct mrule *r = &model[mslot(a, d)];

	return r->used ? r->target : 0;
}

/* Deleted slots keep used = 1, target 0 (a tombstone the search skips). */
static void model_set(const uint8_t *a, unsigned int d, uint32_t target)
{
	struct mrule *r = &model[mslot(a, d)];

	model_depths[d] += !r->target && target;
	model_depths[d] -= r->target && !target;
	memcpy(r->a, a, 16);
	r->d = (uint8_t)d;
	r->used = 1;
	r->target = target;
}

/* The entry value the table must hold for addr: the longest rule's. */
static uint32_t model_lookup(const uint8_t *addr)
{
	uint8_t a[16];

	for (int d = 128; d >= 0; d--) {
		uint32_t t;

		if (!model_depths[d])
			continue;
		mask(a, addr, (unsigned int)d);
		if ((t = model_get(a, (unsigned int)d)))
			return XFWD_LPM6_VALID | (uint32_t)d << XFWD_LPM6_DEPTH_SHIFT | t;
	}
	return 0;
}

/* ---- the replayed "live map" ---- */
static uint32_t *live;

static uint32_t live_lookup(const uint8_t *a, uint8_t *path)
{
	uint32_t v = live[a[0] * N6 + a[1]];

	for (int b = 2; b < 16 && (v & XFWD_LPM6_EXT); b++) {
		if (path)
			path[v & XFWD_LPM6_TARGET_MASK] = 1;
		v = live[(v & XFWD_LPM6_TARGET_MASK) * N6 + a[b]];
	}
	return v;
}

/* ---- random prefixes, nested often: most inside 2001:db8::/32 ---- */

static uint8_t rbyte(void)
{
	static const uint8_t few[] = { 0, 1, 2, 0x80, 0xff };

	return rnd() % 4 ? few[rnd() % sizeof(few)] : (uint8_t)rnd();
}

static void random_addr(uint8_t a[16])
{
	for (int i = 0; i < 16; i++)
		a[i] = rbyte();
	if (rnd() % 8) { /* the dense part */
		a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;
	}
}

static unsigned int random_depth(void)
{
	static const unsigned char depths[] = { 0,  3,  8,  12, 16, 17, 20, 24, 28, 31,
						32, 33, 36, 40, 44, 47, 48, 48, 48, 52,
						56, 60, 64, 64, 96, 112, 120, 127, 128 };
	unsigned int d = depths[rnd() % sizeof(depths)];

	/* Short-route churn rare, as are hosts' routes (14 nodes each). */
	if ((d < 16 && rnd() % 64) || (d > 64 && rnd() % 8))
		return 48;
	return d;
}

/* ---- probes: what an address may read while a flush is replayed ---- */
#define PROBES 64
#define HISTORY 80

struct fixture {
	struct lpm6 t;
	uint8_t addr[PROBES][16];
	uint32_t seen[PROBES][HISTORY];
	int nprobes, nseen[PROBES];
	uint8_t onpath[NODES]; /* a probe's live path went through the node */
	int graces;
	size_t writes;
};

static void probes_reset(struct fixture *f)
{
	f->nprobes = 0;
	memset(f->onpath, 0, sizeof(f->onpath));
}

static void probe_add(struct fixture *f, const uint8_t *a)
{
	if (f->nprobes == PROBES)
		return;
	memcpy(f->addr[f->nprobes], a, 16);
	f->seen[f->nprobes][0] = live_lookup(a, f->onpath); /* as at the last flush */
	f->onpath[a[0]] = 1;
	f->nseen[f->nprobes++] = 1;
}

static void probes_note(struct fixture *f)
{
	for (int k = 0; k < f->nprobes; k++)
		if (f->nseen[k] < HISTORY)
			f->seen[k][f->nseen[k]++] = model_lookup(f->addr[k]);
}

static void check_probes(struct fixture *f)
{
	for (int k = 0; k < f->nprobes; k++) {
		uint32_t got = live_lookup(f->addr[k], f->onpath);
		int j = 0;

		while (j < f->nseen[k] && f->seen[k][j] != got)
			j++;
		if (j == f->nseen[k])
			fail_msg("write %zu: probe %d reads %08x, never its route since the last flush",
				 f->writes, k, got);
	}
}

static int replay_write(void *arg, uint32_t tbl, const struct lpm4_write *w, size_t n)
{
	struct fixture *f = arg;

	for (size_t i = 0; i < n; i++) {
		assert_int_equal(w[i].tbl, LPM6_TBL);
		assert_int_equal(tbl, LPM6_TBL);
		assert_true(w[i].idx < NODES * N6);
		live[w[i].idx] = w[i].val;
		f->writes++;
		if (f->onpath[w[i].idx / N6]) /* else no probe's lookup can change */
			check_probes(f);
	}
	return 0;
}

static void grace_flush(void *arg)
{
	struct fixture *f = arg;

	f->graces++;
	assert_int_equal(lpm6_flush(&f->t, replay_write, f), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(lpm6_init(&f->t, NODES), 0);
	f->t.grace = grace_flush;
	f->t.grace_arg = f;
	model = calloc(MODEL_CAP, sizeof(*model));
	memset(model_depths, 0, sizeof(model_depths));
	live = calloc(NODES * N6, sizeof(*live));
	assert_non_null(model);
	assert_non_null(live);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	lpm6_fini(&f->t);
	free(model);
	free(live);
	free(f);
	return 0;
}

/* One add, replace or delete of a random prefix; -ENOSPC: none done. */
static int one_op(struct fixture *f, const uint8_t *a, unsigned int d)
{
	uint32_t target = 1 + rnd() % 1000;
	int err;

	if (model_get(a, d) && rnd() % 4) {
		assert_int_equal(lpm6_del(&f->t, a, d), 0);
		model_set(a, d, 0);
		return 0;
	}
	err = lpm6_add(&f->t, a, d, target, (uint8_t)d);
	if (err == -ENOSPC)
		return err;
	assert_int_equal(err, 0);
	model_set(a, d, target);
	return 0;
}

static void check_lookups(struct fixture *f, int op, const uint8_t *a, unsigned int d,
			  uint8_t p[][16], int np)
{
	for (int k = 0; k < np; k++) {
		uint32_t got = lpm6_lookup(&f->t, p[k]), want = model_lookup(p[k]);

		if (got != want)
			fail_msg("op %d /%u (%02x%02x:%02x%02x...): probe %d reads %08x, model %08x",
				 op, d, a[0], a[1], a[2], a[3], k, got, want);
	}
}

static uint8_t netmask(unsigned int d, unsigned int i)
{
	return d >= 8 * (i + 1) ? 0xff : d <= 8 * i ? 0 : (uint8_t)(0xff00u >> (d - 8 * i));
}

static void step(uint8_t a[16], int by)
{
	for (int i = 15; i >= 0; i--) {
		a[i] = (uint8_t)(a[i] + by);
		if (by > 0 ? a[i] != 0 : a[i] != 0xff)
			break;
	}
}

/* Addresses worth checking after a change to m/d: its first and last,
 * one inside, one anywhere, and the two just outside. */
static void probe_addrs(const uint8_t *m, unsigned int d, uint8_t out[6][16])
{
	uint8_t r[16];

	random_addr(r);
	for (unsigned int i = 0; i < 16; i++) {
		uint8_t host = (uint8_t)~netmask(d, i);

		out[0][i] = m[i];
		out[1][i] = m[i] | host;
		out[2][i] = m[i] | (r[i] & host);
	}
	random_addr(out[3]);
	memcpy(out[4], out[1], 16);
	step(out[4], 1);
	memcpy(out[5], out[0], 16);
	step(out[5], -1);
}

/* A batch's operations are drawn first, so that every address they
 * touch is a probe from the batch's start: a write may show it any
 * route it had since the last flush. */
static void random_ops(struct fixture *f, int ops, int batch)
{
	uint8_t (*m)[16] = calloc((size_t)batch, 16);
	unsigned int *d = calloc((size_t)batch, sizeof(*d));
	int nospc = 0;

	assert_non_null(m);
	assert_non_null(d);
	for (int op = 0; op < ops; op += batch) {
		int n = ops - op < batch ? ops - op : batch;
		uint8_t p[6][16];

		probes_reset(f);
		for (int k = 0; k < n; k++) {
			uint8_t a[16];

			d[k] = random_depth();
			random_addr(a);
			mask(m[k], a, d[k]);
			probe_addrs(m[k], d[k], p);
			for (int j = 0; j < 6; j++)
				probe_add(f, p[j]);
		}
		for (int k = 0; k < n; k++) {
			if (one_op(f, m[k], d[k]) == -ENOSPC) {
				nospc++;
				if (batch == 1)
					assert_int_equal(f->t.ndirty, 0);
			}
			probes_note(f);
			for (int j = 0; j < f->nprobes; j++)
				check_lookups(f, op + k, m[k], d[k], &f->addr[j], 1);
		}
		assert_int_equal(lpm6_flush(&f->t, replay_write, f), 0);
		for (int k = 0; k < f->nprobes; k++)
			assert_int_equal(live_lookup(f->addr[k], NULL), model_lookup(f->addr[k]));
	}
	free(m);
	free(d);
	/* Sweep: 1M random addresses, and the live map equals the mirror on
	 * every node in use. */
	for (int i = 0; i < (1 << 20); i++) {
		uint8_t a[16];

		random_addr(a);
		assert_int_equal(lpm6_lookup(&f->t, a), model_lookup(a));
		assert_int_equal(live_lookup(a, NULL), model_lookup(a));
	}
	for (uint32_t n = 0; n < NODES; n++)
		if (f->t.level[n])
			assert_memory_equal(&f->t.e[n * N6], &live[n * N6], N6 * 4);
	print_message("rules %zu, nodes used %u of %u, graces %d, ENOSPC %d, writes %zu\n",
		      lpm6_rule_count(&f->t), f->t.used, NODES, f->graces, nospc, f->writes);
	if (ops >= 100000) { /* free and reuse, and the table full, were exercised */
		assert_true(f->graces > 0);
		assert_true(nospc > 0);
	}
}

static void test_random_ops_match_model(void **state)
{
	random_ops(*state, 100000, 1);
}

static void test_batches_are_hitless(void **state)
{
	random_ops(*state, 100000, 8);
}

/* ---- adopting and rebuilding ---- */

static int fetch_live(void *arg, uint32_t tbl, uint32_t start, uint32_t n, uint32_t *dst)
{
	(void)arg;
	assert_int_equal(tbl, LPM6_TBL);
	memcpy(dst, live + start, n * sizeof(*dst));
	return 0;
}

static void load_rule(const uint8_t addr[16], unsigned int depth, uint32_t target,
		      uint8_t tag, void *arg)
{
	assert_int_equal(lpm6_rule_load(arg, addr, depth, target, tag), 0);
}

static void adopted(struct lpm6 *t2, const struct lpm6 *from, bool rebuild)
{
	assert_int_equal(lpm6_init(t2, NODES), 0);
	t2->fetch = fetch_live;
	lpm6_for_each(from, load_rule, t2);
	assert_int_equal(rebuild ? lpm6_rebuild(t2) : lpm6_adopt(t2), 0);
}

static void test_adopt_gives_back_the_same_nodes(void **state)
{
	struct fixture *f = *state;
	struct lpm6 t2;

	random_ops(f, 20000, 4);
	adopted(&t2, &f->t, false);
	assert_int_equal(t2.used, f->t.used);
	assert_int_equal(t2.nready + t2.npending, f->t.nready + f->t.npending);
	for (uint32_t n = 0; n < NODES; n++)
		assert_int_equal(!!t2.level[n], !!f->t.level[n]);
	/* It goes on as the first would have. */
	lpm6_fini(&f->t);
	f->t = t2;
	f->t.fetch = NULL;
	f->t.grace = grace_flush;
	f->t.grace_arg = f;
	random_ops(f, 20000, 4);
}

/* A flush cut after half its writes (the writer died): a new process
 * rebuilds from the rules, and the live map ends up right. */
static int cut_at;

static int cut_write(void *arg, uint32_t tbl, const struct lpm4_write *w, size_t n)
{
	(void)arg;
	for (size_t i = 0; i < n && cut_at > 0; i++, cut_at--)
		live[w[i].idx] = w[i].val;
	(void)tbl;
	return 0;
}

static void test_rebuild_after_half_flush(void **state)
{
	struct fixture *f = *state;
	struct lpm6 t2;
	size_t before;

	random_ops(f, 20000, 4);
	before = f->t.ndirty;
	assert_int_equal(before, 0);
	for (int op = 0; op < 200; op++) {
		uint8_t a[16], m[16];
		unsigned int d = random_depth();

		random_addr(a);
		mask(m, a, d);
		one_op(f, m, d);
	}
	cut_at = (int)(f->t.ndirty / 2);
	assert_true(cut_at > 0);
	assert_int_equal(lpm6_flush(&f->t, cut_write, f), 0);
	adopted(&t2, &f->t, true);
	assert_true(t2.ndirty > 0);
	probes_reset(f);
	assert_int_equal(lpm6_flush(&t2, replay_write, f), 0);
	for (int i = 0; i < (1 << 20); i++) {
		uint8_t a[16];

		random_addr(a);
		assert_int_equal(live_lookup(a, NULL), model_lookup(a));
	}
	lpm6_fini(&t2);
}

static void test_bad_arguments(void **state)
{
	struct fixture *f = *state;
	uint8_t a[16] = { 0x20, 0x01 };

	assert_int_equal(lpm6_add(&f->t, a, 129, 1, 0), -EINVAL);
	assert_int_equal(lpm6_add(&f->t, a, 48, XFWD_LPM6_TARGET_MASK + 1, 0), -EINVAL);
	assert_int_equal(lpm6_del(&f->t, a, 48), -ENOENT);
	assert_int_equal(lpm6_init(&(struct lpm6){ 0 }, XFWD_TBL6_ROOT_NODES), -EINVAL);
}

/* A /128 needs 14 nodes below the root: with fewer free, nothing changes. */
static void test_no_nodes_changes_nothing(void **state)
{
	struct fixture *f = *state;
	uint8_t a[16];
	int i;

	memset(a, 0x11, 16);
	for (i = 0; f->t.nready + f->t.npending >= 14; i++) {
		a[0] = (uint8_t)i;
		assert_int_equal(lpm6_add(&f->t, a, 128, 7, 0), 0);
	}
	a[0] = (uint8_t)i;
	assert_int_equal(lpm6_flush(&f->t, replay_write, f), 0);
	assert_int_equal(lpm6_add(&f->t, a, 128, 7, 0), -ENOSPC);
	assert_int_equal(f->t.ndirty, 0);
	assert_false(lpm6_find(&f->t, a, 128, NULL, NULL));
	/* Deleting them all gives every node back. */
	for (int j = 0; j < i; j++) {
		a[0] = (uint8_t)j;
		assert_int_equal(lpm6_del(&f->t, a, 128), 0);
	}
	assert_int_equal(f->t.used, XFWD_TBL6_ROOT_NODES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_random_ops_match_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batches_are_hitless, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopt_gives_back_the_same_nodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebuild_after_half_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_nodes_changes_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
