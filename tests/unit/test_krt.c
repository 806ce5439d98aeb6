// SPDX-License-Identifier: GPL-2.0-only
/* The kernel-route set (loader/core/krt.c) against a plain model: after every
 * add or delete, in any order, xfwd forwards each prefix by the route the
 * kernel would use, or has no route when the kernel has none. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "loader/core/krt.h"

#define NP 6 /* prefixes */
#define NM 3 /* metrics */
#define NS 3 /* selectors: none, two tos values */

static const uint32_t metrics[NM] = { 10, 20, 30 };
static const uint32_t sels[NS] = { 0, 0x10, 0x18 };

/* The model: which (metric, selector) routes each prefix has, and each
 * one's next hop (a number, as the gateway's last byte). */
static int model[NP][NM][NS];    /* 0: none, else the gateway byte */
/* What the daemon's table holds: the forwarded route's gateway byte. */
static int table[NP];

static struct xprefix prefix(int i)
{
	struct xprefix p = { { AF_INET, { 10, (uint8_t)i, 0, 0 } }, 16 };

	return p;
}

static struct krt_route route(int gw)
{
	struct krt_route r = { 1, { { .kind = XFWD_NH_DIRECT, .oif = 2 } } };

	r.k[0].gw.family = AF_INET;
	r.k[0].gw.bytes[0] = 10;
	r.k[0].gw.bytes[3] = (uint8_t)gw;
	return r;
}

static int current(void *arg, const struct xprefix *p, struct krt_route *out)
{
	int i = p->addr.bytes[1];

	(void)arg;
	if (!table[i])
		return 0;
	*out = route(table[i]);
	return out->n;
}

/* The kernel's choice: a selector route first, then the lowest metric.
 * (Among selector routes the packet decides; the daemon gives all of
 * them to the kernel, so any fixed order will do: metric, then tos.) */
static int kernel_choice(int i)
{
	for (int m = 0; m < NM; m++)
		for (int sel = 1; sel < NS; sel++)
			if (model[i][m][sel])
				return model[i][m][sel];
	for (int m = 0; m < NM; m++)
		if (model[i][m][0])
			return model[i][m][0];
	return 0;
}

static void apply(int i, enum krt_do todo, const struct krt_route *r)
{
	if (todo == KRT_SET)
		table[i] = r->k[0].gw.bytes[3];
	else if (todo == KRT_DEL)
		table[i] = 0;
}

static void step(struct krt *s, unsigned int *seed)
{
	int i = rand_r(seed) % NP, m = rand_r(seed) % NM, sel = rand_r(seed) % NS;
	struct xprefix p = prefix(i);
	struct krt_id id = { metrics[m], sels[sel] };
	struct krt_route r, next;
	enum krt_do todo;

	if (rand_r(seed) % 2) {
		int gw = 1 + rand_r(seed) % 250;

		r = route(gw);
		assert_int_equal(krt_add(s, &p, id, &r, table[i] != 0, current, NULL, &todo), 0);
		model[i][m][sel] = gw;
		apply(i, todo, &r);
	} else {
		krt_del(s, &p, id, table[i] != 0, &todo, &next);
		model[i][m][sel] = 0;
		apply(i, todo, &next);
	}
}

static void test_random_against_model(void **state)
{
	unsigned int seed = 19;
	struct krt s = { 0 };

	(void)state;
	memset(model, 0, sizeof(model));
	memset(table, 0, sizeof(table));
	for (int n = 0; n < 200000; n++) {
		size_t in_table = 0;

		step(&s, &seed);
		for (int i = 0; i < NP; i++) {
			if (table[i] != kernel_choice(i))
				fail_msg("step %d, prefix %d: xfwd forwards by gw %d, the kernel by %d", n, i,
					 table[i], kernel_choice(i));
			in_table += table[i] != 0;
		}
		/* every prefix xfwd forwards is known: by an entry, or implicitly */
		assert_true(s.implicit <= in_table && s.implicit + s.n >= in_table);
	}
	krt_free(&s);
}

/* A table exported at one metric costs no entry; rivals cost one each. */
static void test_sparse(void **state)
{
	struct krt s = { 0 };
	struct krt_route r = route(1), next;
	enum krt_do todo;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		struct xprefix p = { { AF_INET, { 10, (uint8_t)(i >> 8), (uint8_t)i, 0 } }, 24 };

		assert_int_equal(krt_add(&s, &p, (struct krt_id){ 20, 0 }, &r, false, current, NULL, &todo), 0);
		assert_int_equal(todo, KRT_SET);
		/* a replace at the same metric: still nothing kept */
		assert_int_equal(krt_add(&s, &p, (struct krt_id){ 20, 0 }, &r, true, current, NULL, &todo), 0);
		assert_int_equal(todo, KRT_SET);
	}
	assert_int_equal(s.n, 0);
	{
		struct xprefix p = { { AF_INET, { 10, 0, 5, 0 } }, 24 };

		/* a backup at a higher metric: kept, xfwd's route stays */
		table[0] = 1;
		assert_int_equal(krt_add(&s, &p, (struct krt_id){ 200, 0 }, &r, true, current, NULL, &todo), 0);
		assert_int_equal(todo, KRT_KEEP);
		assert_int_equal(s.n, 1);
		assert_int_equal(s.nalt, 1);
		/* deleting the backup leaves the primary alone */
		krt_del(&s, &p, (struct krt_id){ 200, 0 }, true, &todo, &next);
		assert_int_equal(todo, KRT_KEEP);
		assert_int_equal(s.n, 0);
		/* deleting a route xfwd never saw (another metric) changes nothing */
		krt_del(&s, &p, (struct krt_id){ 99, 0 }, true, &todo, &next);
		assert_int_equal(todo, KRT_KEEP);
		krt_del(&s, &p, (struct krt_id){ 20, 0 }, true, &todo, &next);
		assert_int_equal(todo, KRT_DEL);
	}
	krt_free(&s);
}

static void add(struct krt *s, uint8_t a, uint8_t b, unsigned int len, uint32_t metric)
{
	struct xprefix p = { { AF_INET, { a, b, 0, 0 } }, len };
	struct krt_route r = route(1);
	enum krt_do todo;

	assert_int_equal(krt_add(s, &p, (struct krt_id){ metric, 0 }, &r, false, current, NULL, &todo), 0);
	assert_int_equal(todo, KRT_SET);
}

static void del(struct krt *s, uint8_t a, uint8_t b, unsigned int len, uint32_t metric)
{
	struct xprefix p = { { AF_INET, { a, b, 0, 0 } }, len };
	struct krt_route next;
	enum krt_do todo;

	krt_del(s, &p, (struct krt_id){ metric, 0 }, true, &todo, &next);
	assert_int_equal(todo, KRT_DEL);
}

/* What sets the usual metric: not a default route first in a dump (at a
 * metric of its own), and again once nothing relies on it (a table
 * withdrawn and learnt again at another metric). */
static void test_usual_metric(void **state)
{
	struct krt s = { 0 };

	(void)state;
	add(&s, 0, 0, 0, 0); /* a static default route, first in the dump */
	for (int i = 0; i < 1000; i++)
		add(&s, (uint8_t)(10 + i / 256), (uint8_t)i, 16, 32);
	assert_int_equal(s.n, 1); /* the default alone has an entry */
	assert_int_equal(s.implicit, 1000);
	for (int i = 0; i < 1000; i++)
		del(&s, (uint8_t)(10 + i / 256), (uint8_t)i, 16, 32);
	assert_int_equal(s.implicit, 0);
	for (int i = 0; i < 1000; i++)
		add(&s, (uint8_t)(10 + i / 256), (uint8_t)i, 16, 20);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.implicit, 1000);
	krt_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_against_model),
		cmocka_unit_test(test_sparse),
		cmocka_unit_test(test_usual_metric),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
