// SPDX-License-Identifier: GPL-2.0-only
/*
 * Resilient ECMP (core/buckets.c, docs/ecmp.md), measured over 100k
 * flows hashed as XDP hashes them: adding an Nth member moves at most
 * 1/N + 2% of flows, all of them to it; removing or draining one moves
 * its flows alone; weights share the buckets; and a route whose members
 * change gets a group dealt from the one it had.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "fake_kio.h"
#include "loader/core/buckets.h"
#include "loader/core/spec_parse.h"
#include "loader/core/table.h"
#include "maps/xfwd_hash.h"

#define FLOWS 100000u

static uint32_t flow_hash[FLOWS];

/* 100k TCP flows from 10.0.0.0/16 to 172.16.0.0/16, ports varied. */
static int flows_setup(void **s)
{
	uint32_t x = 2463534242u;

	(void)s;
	for (uint32_t i = 0; i < FLOWS; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		flow_hash[i] = xfwd_flow_hash(0x0a000000u | (x & 0xffff), 0xac100000u | (x >> 16),
					      x * 2654435761u, 6);
	}
	return 0;
}

/* The next-hop id flow i takes in s (every member alive). */
static uint32_t member_for(const struct xfwd_group_set *s, uint32_t i)
{
	int m = xfwd_choose(flow_hash[i], s->count, s->bucket[xfwd_bucket(flow_hash[i])], 0,
			    s->drained);

	assert_true(m >= 0);
	return s->members[m];
}

static void set_make(struct xfwd_group_set *s, uint32_t n, const struct xfwd_group_set *prev)
{
	memset(s, 0, sizeof(*s));
	s->count = n;
	for (uint32_t i = 0; i < n; i++)
		s->members[i] = 100 + i;
	buckets_deal(s, prev);
}

/* Flows whose member differs between a and b; *to_id: how many of those
 * landed on id in b. */
static uint32_t moved(const struct xfwd_group_set *a, const struct xfwd_group_set *b,
		      uint32_t id, uint32_t *to_id)
{
	uint32_t n = 0;

	*to_id = 0;
	for (uint32_t i = 0; i < FLOWS; i++) {
		uint32_t x = member_for(a, i), y = member_for(b, i);

		n += x != y;
		*to_id += x != y && y == id;
	}
	return n;
}

static void test_fresh_even(void **s)
{
	(void)s;
	for (uint32_t n = 2; n <= XFWD_ECMP_MAX; n++) {
		struct xfwd_group_set g;

		set_make(&g, n, NULL);
		for (uint32_t m = 0; m < n; m++)
			assert_in_range(buckets_of(&g, m), XFWD_BUCKETS / n, (XFWD_BUCKETS + n - 1) / n);
	}
}

static void test_add_moves_its_share(void **s)
{
	double worst = 0;

	(void)s;
	for (uint32_t n = 2; n <= XFWD_ECMP_MAX; n++) {
		struct xfwd_group_set a, b;
		uint32_t to_new, m;

		set_make(&a, n - 1, NULL);
		set_make(&b, n, &a);
		m = moved(&a, &b, 100 + n - 1, &to_new);
		assert_int_equal(m, to_new); /* every moved flow went to the new member */
		if ((double)m / FLOWS - 1.0 / n > worst)
			worst = (double)m / FLOWS - 1.0 / n;
		assert_true((double)m / FLOWS <= 1.0 / n + 0.02);
	}
	printf("adding the Nth member, N = 2..16: at most 1/N %+.2f%% of 100k flows moved\n",
	       worst * 100);
}

static void test_remove_moves_its_own(void **s)
{
	(void)s;
	for (uint32_t n = 2; n <= XFWD_ECMP_MAX; n++) {
		for (uint32_t gone = 0; gone < n; gone++) {
			struct xfwd_group_set a, b = { 0 };
			uint32_t m, to;

			set_make(&a, n, NULL);
			for (uint32_t i = 0, j = 0; i < n; i++)
				if (i != gone)
					b.members[j++] = a.members[i];
			b.count = n - 1;
			buckets_deal(&b, &a);
			for (uint32_t i = 0; i < FLOWS; i++) {
				uint32_t x = member_for(&a, i);

				if (x != a.members[gone])
					assert_int_equal(member_for(&b, i), x);
			}
			/* And back: only flows onto the returning member move. */
			set_make(&a, n, &b);
			m = moved(&b, &a, 100 + gone, &to);
			assert_int_equal(m, to);
		}
	}
}

static void test_drain(void **s)
{
	struct xfwd_group_set a, b, c;
	uint32_t to, m;

	(void)s;
	set_make(&a, 4, NULL);
	b = a;
	b.drained = 1u << 2;
	buckets_deal(&b, &a);
	assert_int_equal(buckets_of(&b, 2), 0);
	for (uint32_t i = 0; i < FLOWS; i++) {
		uint32_t x = member_for(&a, i), y = member_for(&b, i);

		assert_int_not_equal(y, 102); /* no flow to the drained member */
		if (x != 102)
			assert_int_equal(y, x); /* and only its flows moved */
	}
	/* Undrained: it takes its share back from the others. */
	c = b;
	c.drained = 0;
	buckets_deal(&c, &b);
	m = moved(&b, &c, 102, &to);
	assert_int_equal(m, to);
	assert_true((double)m / FLOWS <= 0.25 + 0.02);
	/* Every member drained: the flows still go somewhere, spread. */
	c.drained = 0xf;
	buckets_deal(&c, &a);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(buckets_of(&c, i), 64);
}

static void test_weights(void **s)
{
	struct xfwd_group_set g;
	uint32_t seen[3] = { 0 };

	(void)s;
	memset(&g, 0, sizeof(g));
	g.count = 3;
	g.members[0] = 7, g.members[1] = 8, g.members[2] = 9;
	g.hops[0] = 1; /* weight 2 */
	buckets_deal(&g, NULL);
	assert_int_equal(buckets_of(&g, 0), 128);
	assert_int_equal(buckets_of(&g, 1), 64);
	assert_int_equal(buckets_of(&g, 2), 64);
	for (uint32_t i = 0; i < FLOWS; i++)
		seen[member_for(&g, i) - 7]++;
	assert_in_range(seen[0], 48000, 52000);
	assert_in_range(seen[1], 23000, 27000);
	/* 3:1:1 (256 is not a multiple of 5): the remainder goes by fraction. */
	g.hops[0] = 2;
	buckets_deal(&g, NULL);
	assert_int_equal(buckets_of(&g, 0) + buckets_of(&g, 1) + buckets_of(&g, 2), 256);
	assert_in_range(buckets_of(&g, 0), 153, 154);
}

/* Through the table: a route's members change, its new group is dealt
 * from the group it had, so the flows of the members that stay stay. */
struct world {
	struct fake f;
	struct xtable t;
	char err[512];
};

static void route(struct world *w, const char *words)
{
	struct route_spec r;
	char line[256];

	snprintf(line, sizeof(line), "%s", words);
	if (spec_parse_route_line(line, &r, w->err, sizeof(w->err)))
		fail_msg("%s: %s", words, w->err);
	if (xt_route_apply(&w->t, &r, XFWD_ORIGIN_STATIC, true))
		fail_msg("%s: %s", words, w->err);
}

static const struct xfwd_group_set *route_set(struct world *w, const char *prefix)
{
	struct xprefix p;

	assert_int_equal(xprefix_parse(prefix, &p, w->err, sizeof(w->err)), 0);
	return xt_group_set(&w->t, xt_route_group(&w->t, &p));
}

static void test_route_change(void **s)
{
	struct xfwd_info sizes = { .tbl8_groups = 16, .routes4_max = 16, .routes6_max = 16,
				   .nexthops_max = 16, .groups_max = 8 };
	struct world w = { 0 };
	struct kio io;
	struct xfwd_group_set before, after;

	(void)s;
	fake_init(&w.f, &sizes);
	io = fake_kio(&w.f);
	if (xt_load(&w.t, &io, &w.f.info, true, w.err, sizeof(w.err)))
		fail_msg("load: %s", w.err);
	w.t.no_wait = true;
	route(&w, "10.0.0.0/8 via 192.0.2.11 dev eth1 via 192.0.2.12 dev eth1 via 192.0.2.13 dev eth1");
	before = *route_set(&w, "10.0.0.0/8");
	route(&w, "10.0.0.0/8 via 192.0.2.11 dev eth1 via 192.0.2.13 dev eth1");
	after = *route_set(&w, "10.0.0.0/8");
	for (uint32_t i = 0; i < FLOWS; i++) {
		uint32_t x = member_for(&before, i);

		if (x != before.members[1])
			assert_int_equal(member_for(&after, i), x);
	}
	/* Weights and drains are the group's: 'weight 0' drains, and a route
	 * listing the same members with other weights is another group. */
	route(&w, "10.0.0.0/8 via 192.0.2.11 dev eth1 weight 0 via 192.0.2.13 dev eth1 weight 3");
	after = *route_set(&w, "10.0.0.0/8");
	assert_int_equal(after.drained, 1);
	assert_int_equal(after.hops[1], 2);
	assert_int_equal(buckets_of(&after, 0), 0);
	assert_int_equal(buckets_of(&after, 1), XFWD_BUCKETS);
	assert_int_equal(w.f.violations, 0);
	xt_free(&w.t);
	fake_fini(&w.f);
}

/* Where a failed member's flows go, as XDP picks: the capacity check's
 * survivors (daemon/capacity.c). */
static void test_takers(void **s)
{
	struct xfwd_group_set g = { .count = 4, .drained = 1u << 3 };

	(void)s;
	assert_int_equal(buckets_takers(&g, 1u << 0), 0x6);         /* not the drained one */
	assert_int_equal(buckets_takers(&g, 0x7), 0x8);             /* the last resort */
	assert_int_equal(buckets_takers(&g, 1u << 3), 0x7);
	g.drained = 0;
	assert_int_equal(buckets_takers(&g, 1u << 1), 0xd);
	assert_int_equal(buckets_takers(&g, 0xf), 0);
}

static void test_weight_words(void **s)
{
	const char *bad[] = {
		"10.0.0.0/8 weight 2 via 192.0.2.11 dev eth1",
		"10.0.0.0/8 via 192.0.2.11 dev eth1 weight 257",
		"10.0.0.0/8 via 192.0.2.11 dev eth1 weight 1 weight 2",
		"10.0.0.0/8 blackhole weight 2",
	};
	struct route_spec r;
	char line[128], err[256];

	(void)s;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "%s", bad[i]);
		assert_int_not_equal(spec_parse_route_line(line, &r, err, sizeof(err)), 0);
		assert_non_null(strstr(err, "weight"));
	}
	snprintf(line, sizeof(line), "10.0.0.0/8 tunnel a weight 256 tunnel b weight 0 tunnel c");
	assert_int_equal(spec_parse_route_line(line, &r, err, sizeof(err)), 0);
	assert_int_equal(r.tshare[0].hops, 255);
	assert_int_equal(r.tshare[1].drained, 1);
	assert_int_equal(r.tshare[2].hops, 0);
	assert_int_equal(r.tshare[2].drained, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_even),
		cmocka_unit_test(test_add_moves_its_share),
		cmocka_unit_test(test_remove_moves_its_own),
		cmocka_unit_test(test_drain),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_route_change),
		cmocka_unit_test(test_takers),
		cmocka_unit_test(test_weight_words),
	};

	return cmocka_run_group_tests_name("buckets", tests, flows_setup, NULL);
}
