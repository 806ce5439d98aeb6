// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DIR-24-8 builder against a plain reference model: over 100k random
 * add / replace / delete operations every checked lookup must agree, the
 * flushed writes replayed onto a separate "live map" must give the same
 * answers, and while they are replayed one write at a time, lookups must
 * only ever see the old or the new route (hitless). In batches of many
 * changes flushed at once, a lookup must only ever see a route its
 * address had at some point of the batch.
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

#include "loader/core/lpm4.h"
#include "maps/xfwd_abi.h"
#include "rnd.h"

/* ---- reference model: one open-addressing set per prefix length ---- */
#define MODEL_CAP (1u << 18)

struct model {
	uint32_t addr[33][MODEL_CAP];
	uint32_t target[33][MODEL_CAP]; /* 0 = empty (targets start at 1) */
	uint8_t dead[1024]; /* targets whose rules are skipped */
};

static uint32_t mask_of(unsigned int d)
{
	return d ? ~0u << (32 - d) : 0;
}

static uint32_t *model_slot(struct model *m, uint32_t a, unsigned int d)
{
	uint32_t i = (a * 2654435761u) >> 14;

	while (m->target[d][i] && m->addr[d][i] != a)
		i = (i + 1) & (MODEL_CAP - 1);
	return &m->target[d][i];
}

static void model_set(struct model *m, uint32_t a, unsigned int d, uint32_t t)
{
	uint32_t *s = model_slot(m, a, d);

	m->addr[d][s - m->target[d]] = a;
	*s = t;
}

/* Deletion by tombstone-free rebuild is overkill here: mark target with
 * UINT32_MAX ("deleted") so probe chains stay intact. */
static uint32_t model_get(struct model *m, uint32_t a, unsigned int d)
{
	uint32_t t = *model_slot(m, a, d);

	return t == UINT32_MAX ? 0 : t;
}

static uint32_t model_lookup(struct model *m, uint32_t addr)
{
	for (int d = 32; d >= 0; d--) {
		uint32_t t = model_get(m, addr & mask_of(d), d);

		if (t && !m->dead[t])
			return t;
	}
	return 0;
}

/* ---- the replayed "live map" ---- */
struct live {
	uint32_t *tbl24, *tbl8;
};

static uint32_t live_lookup(const struct live *l, uint32_t addr)
{
	uint32_t e = l->tbl24[addr >> 8];

	if (e & XFWD_LPM_EXT)
		e = l->tbl8[(e & XFWD_LPM_TARGET_MASK) * 256 + (addr & 0xff)];
	return e & XFWD_LPM_VALID ? e & XFWD_LPM_TARGET_MASK : 0;
}

static uint32_t table_lookup(struct lpm4 *t, uint32_t addr)
{
	uint32_t e = lpm4_lookup(t, addr);

	return e & XFWD_LPM_VALID ? e & XFWD_LPM_TARGET_MASK : 0;
}

static void apply(struct live *l, const struct lpm4_write *w)
{
	if (w->tbl == LPM4_TBL24)
		l->tbl24[w->idx] = w->val;
	else
		l->tbl8[w->idx] = w->val;
}

/* ---- random prefixes, nested often: most inside 10.0.0.0/14 ---- */

static void random_prefix(uint32_t *addr, unsigned int *depth)
{
	static const unsigned char depths[] = { 0,  8,  12, 14, 16, 18, 20,
						22, 23, 24, 24, 25, 26, 28,
						30, 31, 32, 32 };
	unsigned int d = depths[rnd() % sizeof(depths)];
	uint32_t a;

	if (d == 0 && rnd() % 256)
		d = 24; /* keep default-route churn rare */
	/* Long prefixes stay in a dense range so groups fill and empty. */
	a = (d <= 24 && rnd() % 8 == 0) ? rnd() : (0x0a000000u | (rnd() % (72u << 8)));
	*depth = d;
	*addr = a & mask_of(d);
}

/* Addresses worth checking after a change to addr/depth. */
static void probe_addrs(uint32_t addr, unsigned int depth, uint32_t out[8])
{
	uint32_t span = ~mask_of(depth);

	out[0] = addr;
	out[1] = addr | span;
	out[2] = addr | (rnd() & span);
	out[3] = addr - 1;
	out[4] = (addr | span) + 1;
	out[5] = 0x0a000000u | (rnd() % (72u << 8));
	out[6] = rnd();
	out[7] = addr | (rnd() & span & 0xff);
}

/* What a probe address may read while writes are replayed: any of the
 * values it had from the last flush to now. */
#define PROBES 64
#define HISTORY 80

struct probes {
	uint8_t *at24; /* a probe lies in this /24: skip other tbl24 writes fast */
	uint32_t addr[PROBES];
	uint32_t seen[PROBES][HISTORY];
	int n, nseen[PROBES];
};

struct fixture {
	struct lpm4 t;
	struct model *m;
	struct live l;
	struct probes pr;
	int graces;
	size_t writes;
	uint32_t ntargets; /* targets are 1..ntargets */
	int toggle_every;  /* about one op in this many marks targets dead or alive */
	int toggles;
};

static void probes_reset(struct probes *pr)
{
	for (int k = 0; k < pr->n; k++)
		pr->at24[pr->addr[k] >> 8] = 0;
	pr->n = 0;
}

static void probe_add(struct probes *pr, uint32_t a, uint32_t now)
{
	if (pr->n < PROBES) {
		pr->at24[a >> 8] = 1;
		pr->addr[pr->n] = a;
		pr->seen[pr->n][0] = now;
		pr->nseen[pr->n++] = 1;
	}
}

static void probes_note(struct fixture *f)
{
	for (int k = 0; k < f->pr.n; k++)
		if (f->pr.nseen[k] < HISTORY)
			f->pr.seen[k][f->pr.nseen[k]++] =
				model_lookup(f->m, f->pr.addr[k]);
}

static int replay_write(void *arg, uint32_t tbl, const struct lpm4_write *w, size_t n)
{
	struct fixture *f = arg;

	for (size_t i = 0; i < n; i++) {
		assert_int_equal(w[i].tbl, tbl);
		apply(&f->l, &w[i]);
		f->writes++;
		if (tbl == LPM4_TBL24 && !f->pr.at24[w[i].idx])
			continue;
		for (int k = 0; k < f->pr.n; k++) {
			uint32_t a = f->pr.addr[k], e = f->l.tbl24[a >> 8], got;
			int j = 0;

			if (tbl == LPM4_TBL24 ? w[i].idx != a >> 8
					      : !(e & XFWD_LPM_EXT) ||
						(e & XFWD_LPM_TARGET_MASK) != w[i].idx / 256)
				continue; /* this write cannot change its lookup */
			got = live_lookup(&f->l, a);

			while (j < f->pr.nseen[k] && f->pr.seen[k][j] != got)
				j++;
			if (j == f->pr.nseen[k])
				fail_msg("write %zu: %08x -> %u, never its route in this batch",
					 f->writes, f->pr.addr[k], got);
		}
	}
	return 0;
}

/* As the loader's grace: what was unlinked goes live before the wait. */
static void grace_flush(void *arg)
{
	struct fixture *f = arg;

	f->graces++;
	assert_int_equal(lpm4_flush(&f->t, replay_write, f), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	/* Few groups: allocation, collapse and reuse are exercised often. */
	assert_int_equal(lpm4_init(&f->t, 64), 0);
	f->t.grace = grace_flush;
	f->t.grace_arg = f;
	f->m = calloc(1, sizeof(*f->m));
	f->ntargets = 1000;
	f->l.tbl24 = calloc(XFWD_TBL24_SIZE, 4);
	f->l.tbl8 = calloc(64 * 256, 4);
	f->pr.at24 = calloc(XFWD_TBL24_SIZE, 1);
	assert_non_null(f->pr.at24);
	assert_non_null(f->m);
	assert_non_null(f->l.tbl24);
	assert_non_null(f->l.tbl8);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	lpm4_fini(&f->t);
	free(f->m);
	free(f->l.tbl24);
	free(f->l.tbl8);
	free(f->pr.at24);
	free(f);
	return 0;
}

static int one_op(struct fixture *f, uint32_t addr, unsigned int depth,
		  uint32_t *target)
{
	uint32_t cur = model_get(f->m, addr, depth);

	if (cur && rnd() % 4) {
		*target = 0;
		assert_int_equal(lpm4_del(&f->t, addr, depth), 0);
		model_set(f->m, addr, depth, UINT32_MAX);
		return 0;
	}
	*target = 1 + rnd() % f->ntargets;
	int err = lpm4_add(&f->t, addr, depth, *target);

	if (err == -ENOSPC) /* out of groups: nothing may have changed */
		return err;
	assert_int_equal(err, 0);
	model_set(f->m, addr, depth, *target);
	return 0;
}

/* Up to three targets die or come back together (one next hop failing
 * takes several groups with it); their rules leave or rejoin the tables
 * and never need a free group for that. */
static void toggle_targets(struct fixture *f)
{
	uint32_t tg[3];
	size_t n = 1 + rnd() % 3;
	bool dead = rnd() % 2;

	for (size_t i = 0; i < n; i++) {
		tg[i] = 1 + rnd() % f->ntargets;
		f->m->dead[tg[i]] = dead;
	}
	assert_true(lpm4_set_dead(&f->t, tg, n, dead) >= 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(lpm4_is_dead(&f->t, tg[i]), dead);
	f->toggles++;
}

/* Random operations, flushed every `batch` of them; every write of a
 * flush is checked against the probes' histories. */
static void random_ops(struct fixture *f, int ops, int batch)
{
	int nospc = 0;

	for (int op = 0; op < ops; op++) {
		uint32_t addr, target, p[8];
		unsigned int depth;

		if (op % batch == 0)
			probes_reset(&f->pr);
		random_prefix(&addr, &depth);
		probe_addrs(addr, depth, p);
		for (int k = 0; k < (batch == 1 && depth < 16 ? 0 : 8); k++)
			probe_add(&f->pr, p[k], live_lookup(&f->l, p[k])); /* as at the last flush */
		if (f->toggle_every && rnd() % f->toggle_every == 0)
			toggle_targets(f);
		else if (one_op(f, addr, depth, &target) == -ENOSPC) {
			nospc++;
			if (batch == 1)
				assert_int_equal(f->t.ndirty, 0);
		}
		probes_note(f);
		for (int k = 0; k < 8; k++)
			if (table_lookup(&f->t, p[k]) != model_lookup(f->m, p[k]))
				fail_msg("op %d %08x/%u: lookup %08x = %u, model %u",
					 op, addr, depth, p[k],
					 table_lookup(&f->t, p[k]), model_lookup(f->m, p[k]));
		if ((op + 1) % batch == 0 || op + 1 == ops) {
			assert_int_equal(lpm4_flush(&f->t, replay_write, f), 0);
			for (int k = 0; k < f->pr.n; k++)
				assert_int_equal(live_lookup(&f->l, f->pr.addr[k]),
						 model_lookup(f->m, f->pr.addr[k]));
		}
	}
	/* Sweep: every address of the dense range, and 2M random ones. */
	for (uint32_t i = 0; i < (72u << 8) + (2u << 20); i++) {
		uint32_t a = i < (72u << 8) ? 0x0a000000u | i : rnd();

		assert_int_equal(table_lookup(&f->t, a), model_lookup(f->m, a));
		assert_int_equal(live_lookup(&f->l, a), model_lookup(f->m, a));
	}
	assert_memory_equal(f->t.tbl24, f->l.tbl24, XFWD_TBL24_SIZE * 4);
	print_message("rules %zu, groups used %u, graces %d, ENOSPC %d, writes %zu, toggles %d\n",
		      lpm4_rule_count(&f->t), lpm4_groups_used(&f->t),
		      f->graces, nospc, f->writes, f->toggles);
	if (!f->toggle_every) /* dead rules hold most groups */
		assert_true(f->graces > 0); /* reuse after grace was exercised */
}

static void test_random_ops_match_model(void **state)
{
	random_ops(*state, 120000, 1);
}

/* As the daemon: many changes in memory, one flush. */
static void test_batches_are_hitless(void **state)
{
	random_ops(*state, 30000, 8);
}

/* Dead targets (groups whose next hops all died): few targets, so each
 * toggle moves many rules, nested in each other and in live ones. */
static void test_dead_targets_match_model(void **state)
{
	struct fixture *f = *state;

	f->ntargets = 40;
	f->toggle_every = 40;
	random_ops(f, 60000, 1);
	assert_true(f->toggles > 1000);
}

static void test_dead_targets_in_batches(void **state)
{
	struct fixture *f = *state;

	f->ntargets = 40;
	f->toggle_every = 20;
	random_ops(f, 30000, 8);
}

/* Reads the first table's arrays, as the loader reads the live maps. */
static int fetch_from(void *arg, uint32_t tbl, uint32_t start, uint32_t n,
		      uint32_t *dst)
{
	const struct lpm4 *src = arg;

	memcpy(dst, (tbl == LPM4_TBL24 ? src->tbl24 : src->tbl8) + start, n * 4);
	return 0;
}

static void test_adopt_reproduces_free_groups(void **state)
{
	struct fixture *f = *state;
	struct lpm4 t2;

	assert_int_equal(lpm4_add(&f->t, 0x0a000100, 25, 7), 0);
	assert_int_equal(lpm4_add(&f->t, 0x0a000200, 26, 8), 0);
	assert_int_equal(lpm4_add(&f->t, 0x0a000000, 16, 9), 0);
	assert_int_equal(lpm4_add(&f->t, 0x0b000000, 26, 10), 0);
	assert_int_equal(lpm4_del(&f->t, 0x0b000000, 26), 0); /* freed again */
	assert_int_equal(lpm4_init(&t2, 64), 0);
	t2.fetch = fetch_from;
	t2.fetch_arg = &f->t;
	assert_int_equal(lpm4_rule_load(&t2, 0x0a000100, 25, 7, 0), 0);
	assert_int_equal(lpm4_rule_load(&t2, 0x0a000200, 26, 8, 0), 0);
	assert_int_equal(lpm4_rule_load(&t2, 0x0a000000, 16, 9, 3), 0);
	assert_int_equal(lpm4_adopt(&t2), 0);
	assert_int_equal(lpm4_groups_used(&t2), 2); /* one per /24 with a long rule */
	assert_int_equal(lpm4_tag(&t2, 0x0a000000, 16), 3);
	assert_int_equal(lpm4_tag(&t2, 0x0a000000, 17), -1);
	assert_int_equal(table_lookup(&t2, 0x0a000221), 8);
	assert_int_equal(table_lookup(&t2, 0x0a000141), 7);
	assert_int_equal(table_lookup(&t2, 0x0a00ff01), 9);
	/* The adopted table keeps working: delete falls back to the /16,
	 * and the group collapses once its last long route is gone. */
	assert_int_equal(lpm4_del(&t2, 0x0a000100, 25), 0);
	assert_int_equal(table_lookup(&t2, 0x0a000101), 9);
	assert_int_equal(lpm4_groups_used(&t2), 1);
	assert_int_equal(lpm4_del(&t2, 0x0a000200, 26), 0);
	assert_int_equal(lpm4_groups_used(&t2), 0);
	assert_int_equal(table_lookup(&t2, 0x0a000221), 9);
	assert_int_equal(lpm4_del(&t2, 0x0a000100, 25), -ENOENT);
	lpm4_fini(&t2);
}

static void load_rule(uint32_t addr, unsigned int depth, uint32_t target,
		      uint8_t tag, void *arg)
{
	assert_int_equal(lpm4_rule_load(arg, addr, depth, target, tag), 0);
}

/* Rules moved by one target's change. */
static int set_dead(struct lpm4 *t, uint32_t target, bool dead)
{
	return lpm4_set_dead(t, &target, 1, dead);
}

/* A cover chain: a dead rule's addresses read the longest live rule
 * covering it, then nothing (the kernel). A dead rule longer than /24
 * keeps its tbl8 group, so coming back never needs a free one; an
 * adopted copy knows that too. */
static void test_dead_rules_fall_to_covers(void **state)
{
	struct fixture *f = *state;
	struct lpm4 t2;

	assert_int_equal(lpm4_add(&f->t, 0x0a000000, 8, 9), 0);
	assert_int_equal(lpm4_add(&f->t, 0x0a000000, 16, 8), 0);
	assert_int_equal(lpm4_add(&f->t, 0x0a000100, 25, 7), 0);
	assert_int_equal(set_dead(&f->t, 7, true), 1);
	assert_int_equal(table_lookup(&f->t, 0x0a000101), 8);
	assert_int_equal(lpm4_groups_used(&f->t), 1); /* kept */
	assert_int_equal(set_dead(&f->t, 8, true), 1);
	assert_int_equal(table_lookup(&f->t, 0x0a000101), 9);
	assert_int_equal(table_lookup(&f->t, 0x0a00ff01), 9);
	assert_int_equal(set_dead(&f->t, 9, true), 1);
	assert_int_equal(table_lookup(&f->t, 0x0a000101), 0);
	/* A route added to a dead target stays out of the tables. */
	assert_int_equal(lpm4_add(&f->t, 0x0b000080, 25, 9), 0);
	assert_int_equal(table_lookup(&f->t, 0x0b000081), 0);
	assert_int_equal(lpm4_groups_used(&f->t), 2);
	assert_int_equal(set_dead(&f->t, 9, false), 2);
	assert_int_equal(table_lookup(&f->t, 0x0a000101), 9);
	assert_int_equal(table_lookup(&f->t, 0x0b000081), 9);
	/* Every other group taken: the /25 still comes back. */
	for (uint32_t g = 0; g < 62; g++)
		assert_int_equal(lpm4_add(&f->t, 0x14000000 | g << 8 | 128, 25, 1), 0);
	assert_int_equal(lpm4_add(&f->t, 0x15000080, 25, 2), -ENOSPC);
	assert_int_equal(lpm4_flush(&f->t, replay_write, f), 0);

	/* Adopted with the dead targets marked: same groups, same answers. */
	assert_int_equal(lpm4_init(&t2, 64), 0);
	t2.fetch = fetch_from;
	t2.fetch_arg = &f->t;
	lpm4_for_each(&f->t, load_rule, &t2);
	lpm4_mark_dead(&t2, 7, true);
	lpm4_mark_dead(&t2, 8, true);
	assert_int_equal(lpm4_adopt(&t2), 0);
	assert_int_equal(lpm4_groups_used(&t2), 64);
	assert_int_equal(set_dead(&t2, 8, false), 1);
	assert_int_equal(table_lookup(&t2, 0x0a000101), 8);
	assert_int_equal(set_dead(&t2, 7, false), 1);
	assert_int_equal(table_lookup(&t2, 0x0a000101), 7);
	/* A dead rule deleted gives its group back once no other needs it. */
	assert_int_equal(set_dead(&t2, 7, true), 1);
	assert_int_equal(lpm4_del(&t2, 0x0a000100, 25), 0);
	assert_int_equal(lpm4_groups_used(&t2), 63);
	assert_int_equal(table_lookup(&t2, 0x0a000101), 8);
	lpm4_fini(&t2);
}

static int fetches24;

static int count_fetch(void *arg, uint32_t tbl, uint32_t start, uint32_t n,
		       uint32_t *dst)
{
	fetches24 += tbl == LPM4_TBL24;
	return fetch_from(arg, tbl, start, n, dst);
}

/* A second table that reads the first one's arrays, counting reads. */
static void counting_copy(struct lpm4 *t2, struct lpm4 *of)
{
	assert_int_equal(lpm4_init(t2, 64), 0);
	t2->fetch = count_fetch;
	t2->fetch_arg = of;
	fetches24 = 0;
}

/* Only tbl24 chunks some loaded rule reaches are read from the live map
 * (the rest are zero there): at a first start nothing is read. */
static void test_adopt_reads_only_reached_chunks(void **state)
{
	struct fixture *f = *state;
	struct lpm4 t2;

	assert_int_equal(lpm4_add(&f->t, 0x0a000000, 16, 9), 0);
	assert_int_equal(lpm4_add(&f->t, 0x0a100100, 25, 7), 0);
	counting_copy(&t2, &f->t);
	assert_int_equal(lpm4_rule_load(&t2, 0x0a000000, 16, 9, 0), 0);
	assert_int_equal(lpm4_rule_load(&t2, 0x0a100100, 25, 7, 0), 0);
	assert_int_equal(lpm4_adopt(&t2), 0);
	assert_int_equal(fetches24, 1); /* the /25's chunk, to find its group */
	assert_int_equal(lpm4_add(&t2, 0x14000000, 24, 3), 0); /* unreached */
	assert_int_equal(fetches24, 1);
	assert_int_equal(table_lookup(&t2, 0x14000001), 3);
	assert_int_equal(lpm4_add(&t2, 0x0a00ff00, 24, 4), 0); /* the /16's */
	assert_int_equal(fetches24, 2);
	assert_int_equal(table_lookup(&t2, 0x0a00fe01), 9); /* read, not zero */
	assert_int_equal(table_lookup(&t2, 0x0a100141), 7);
	assert_int_equal(table_lookup(&t2, 0x0a100181), 0);
	lpm4_fini(&t2);

	/* A default route reaches every chunk. */
	assert_int_equal(lpm4_add(&f->t, 0, 0, 5), 0);
	counting_copy(&t2, &f->t);
	assert_int_equal(lpm4_rule_load(&t2, 0, 0, 5, 0), 0);
	assert_int_equal(lpm4_adopt(&t2), 0);
	assert_int_equal(lpm4_add(&t2, 0x14000000, 24, 3), 0);
	assert_int_equal(fetches24, 1);
	assert_int_equal(table_lookup(&t2, 0x14000101), 5);
	lpm4_fini(&t2);
}

/* ---- a writer that died in the middle of a flush ---- */

struct cut {
	struct live *l;
	size_t left; /* writes that reach the live arrays before the kill */
};

static int cut_write(void *arg, uint32_t tbl, const struct lpm4_write *w, size_t n)
{
	struct cut *c = arg;

	(void)tbl;
	for (size_t i = 0; i < n && c->left; i++, c->left--)
		apply(c->l, &w[i]);
	return 0;
}

static int live_write(void *arg, uint32_t tbl, const struct lpm4_write *w, size_t n)
{
	(void)tbl;
	for (size_t i = 0; i < n; i++)
		apply(arg, &w[i]);
	return 0;
}

static int fetch_live(void *arg, uint32_t tbl, uint32_t start, uint32_t n, uint32_t *dst)
{
	const struct live *l = arg;

	memcpy(dst, (tbl == LPM4_TBL24 ? l->tbl24 : l->tbl8) + start, n * 4);
	return 0;
}

struct rule_list {
	uint32_t addr[8192], target[8192];
	uint8_t depth[8192];
	size_t n;
};

static void keep_rule(uint32_t addr, unsigned int depth, uint32_t target, uint8_t tag, void *arg)
{
	struct rule_list *r = arg;

	(void)tag;
	assert_true(r->n < 8192);
	r->addr[r->n] = addr;
	r->depth[r->n] = (uint8_t)depth;
	r->target[r->n++] = target;
}

static const uint32_t dead_targets[] = { 3, 17, 29 };

/* A table built from scratch from these rules: what the live tables must answer. */
static void build_ref(struct lpm4 *ref, const struct rule_list *r)
{
	assert_int_equal(lpm4_init(ref, 256), 0);
	for (size_t i = 0; i < r->n; i++)
		assert_int_equal(lpm4_add(ref, r->addr[i], r->depth[i], r->target[i]), 0);
	assert_true(lpm4_set_dead(ref, dead_targets, 3, true) >= 0);
}

static void rebuild_after_cut(struct fixture *f, bool rules_after)
{
	struct rule_list *before = calloc(1, sizeof(*before)), *after = calloc(1, sizeof(*after));
	const struct rule_list *r;
	struct lpm4 t2, ref;
	struct cut c = { &f->l, 0 };
	uint32_t target, addr;
	unsigned int depth;

	assert_non_null(before);
	assert_non_null(after);
	f->ntargets = 40; /* many rules per target: dead ones move many */
	for (int op = 0; op < 3000; op++) {
		random_prefix(&addr, &depth);
		one_op(f, addr, depth, &target);
	}
	assert_true(lpm4_set_dead(&f->t, dead_targets, 3, true) >= 0);
	assert_int_equal(lpm4_flush(&f->t, replay_write, f), 0);
	lpm4_for_each(&f->t, keep_rule, before);
	for (int op = 0; op < 400; op++) {
		random_prefix(&addr, &depth);
		one_op(f, addr, depth, &target);
	}
	lpm4_for_each(&f->t, keep_rule, after);
	c.left = rnd() % (f->t.ndirty + 1); /* killed after this many writes */
	assert_int_equal(lpm4_flush(&f->t, cut_write, &c), 0);

	r = rules_after ? after : before;
	assert_int_equal(lpm4_init(&t2, 64), 0);
	t2.fetch = fetch_live;
	t2.fetch_arg = &f->l;
	for (size_t i = 0; i < r->n; i++)
		assert_int_equal(lpm4_rule_load(&t2, r->addr[i], r->depth[i], r->target[i], 0), 0);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(lpm4_mark_dead(&t2, dead_targets[i], true), 0);
	assert_int_equal(lpm4_rebuild(&t2), 0);
	assert_int_equal(lpm4_flush(&t2, live_write, &f->l), 0);
	build_ref(&ref, r);
	for (uint32_t i = 0; i < (72u << 8) + (1u << 20); i++) {
		uint32_t a = i < (72u << 8) ? 0x0a000000u | i : rnd();

		if (live_lookup(&f->l, a) != table_lookup(&ref, a))
			fail_msg("%08x: live %u, rules %u (cut after %zu writes)", a,
				 live_lookup(&f->l, a), table_lookup(&ref, a), c.left);
	}
	assert_memory_equal(t2.tbl24, f->l.tbl24, XFWD_TBL24_SIZE * 4);
	assert_int_equal(lpm4_groups_used(&t2), lpm4_groups_used(&ref));
	/* The rebuilt table goes on: changes after it land right. */
	for (int op = 0; op < 2000; op++) {
		uint32_t cur;
		int err;

		random_prefix(&addr, &depth);
		if (lpm4_find(&ref, addr, depth, &cur, NULL) && rnd() % 2) {
			assert_int_equal(lpm4_del(&t2, addr, depth), 0);
			assert_int_equal(lpm4_del(&ref, addr, depth), 0);
			continue;
		}
		target = 1 + rnd() % 40;
		if ((err = lpm4_add(&t2, addr, depth, target)) == -ENOSPC)
			break; /* t2 has fewer groups than ref */
		assert_int_equal(err, 0);
		assert_int_equal(lpm4_add(&ref, addr, depth, target), 0);
	}
	assert_int_equal(lpm4_flush(&t2, live_write, &f->l), 0);
	for (uint32_t i = 0; i < (72u << 8); i++)
		assert_int_equal(live_lookup(&f->l, 0x0a000000u | i), table_lookup(&ref, 0x0a000000u | i));
	lpm4_fini(&t2);
	lpm4_fini(&ref);
	free(before);
	free(after);
}

/* Killed in the middle of a flush, the live tables hold part of a batch;
 * rebuilt from the records (written before the flush: the rules after
 * the batch; or those before it), they answer as the rules do. */
static void test_rebuild_after_half_flush(void **state)
{
	struct fixture *f = *state;

	for (int round = 0; round < 4; round++) {
		rebuild_after_cut(f, round % 2 == 0);
		lpm4_fini(&f->t);
		memset(f->m, 0, sizeof(*f->m));
		memset(f->l.tbl24, 0, XFWD_TBL24_SIZE * 4);
		memset(f->l.tbl8, 0, 64 * 256 * 4);
		assert_int_equal(lpm4_init(&f->t, 64), 0);
		f->t.grace = grace_flush;
		f->t.grace_arg = f;
	}
}

static void test_bad_arguments(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(lpm4_add(&f->t, 0, 33, 1), -EINVAL);
	assert_int_equal(lpm4_add(&f->t, 0, 8, LPM4_MAX_TARGET + 1), -EINVAL);
	assert_int_equal(lpm4_del(&f->t, 0x01000000, 8), -ENOENT);
}

static void test_group_exhaustion_changes_nothing(void **state)
{
	struct fixture *f = *state;
	uint32_t before;

	for (uint32_t g = 0; g < 64; g++)
		assert_int_equal(lpm4_add(&f->t, 0x14000000 | g << 8 | 128, 25, 1), 0);
	assert_int_equal(lpm4_flush(&f->t, replay_write, f), 0);
	before = table_lookup(&f->t, 0x15000080);
	assert_int_equal(lpm4_add(&f->t, 0x15000080, 25, 2), -ENOSPC);
	assert_int_equal(f->t.ndirty, 0);
	assert_int_equal(table_lookup(&f->t, 0x15000080), before);
	assert_false(lpm4_find(&f->t, 0x15000080, 25, &before, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_random_ops_match_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batches_are_hitless, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_targets_match_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_targets_in_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_rules_fall_to_covers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopt_reproduces_free_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopt_reads_only_reached_chunks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebuild_after_half_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_exhaustion_changes_nothing, setup, teardown),
	};

	return cmocka_run_group_tests_name("lpm4", tests, NULL, NULL);
}
