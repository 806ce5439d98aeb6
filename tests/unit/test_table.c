// SPDX-License-Identifier: GPL-2.0-only
/*
 * The routing core (loader/core/table*.c) over a fake kernel
 * (fake_kio.c) against a plain model: over 100k random operations —
 * route replace and delete, IPv4 and IPv6, ECMP member sets, batches,
 * links going down and up, neighbour MACs changing, and the process
 * restarting to adopt the maps — after every step the maps hold exactly
 * the model's routes, groups and next hops (none leaked), the IPv4 table
 * answers every probed address as the model's longest live route does,
 * and no write broke the hitless order: a table entry or IPv6 route
 * written only to a group written whole, a group cleared only once no
 * entry points at it, a next hop cleared only once no group holds it. And
 * `xfwd route get`'s decision (core/decide.c), read from those maps,
 * names the model's longest live route and one of its live members.
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
#include <sys/socket.h>

#include "fake_kio.h"
#include "loader/core/decide.h"
#include "loader/core/journal.h"
#include "loader/core/table.h"
#define RND_SEED 0x9e3779b97f4a7c15ull
#include "rnd.h"

#define N4 500 /* IPv4 prefixes in the universe */
#define N6 100
#define NP (N4 + N6)
#define NK4 6 /* next-hop keys per family */
#define NK6 3
#define STEPS 100000

struct mroute {
	struct xprefix p;
	bool present;
	uint8_t members; /* a bit per key of its family's pool */
	uint8_t origin;
};

struct world {
	struct fake f;
	struct xtable t;
	char err[512];
	struct mroute r[NP];
	struct nh_key k4[NK4], k6[NK6];
	bool dead4[NK4], dead6[NK6];   /* as the core marks them */
	bool used4[NK4], used6[NK6];   /* some route held the key at the last step's end */
	unsigned long steps, batches, flips, restarts, neigh, drains, deaths;
	struct jbuf *plan; /* set: route operations only go into this journal */
};

/* ---- the universe: nested IPv4 prefixes in 10.0.0.0/14, IPv6 in fd00::/16 ---- */

static void make_prefixes(struct world *w)
{
	static const uint8_t depths[] = { 8, 12, 14, 16, 18, 20, 22, 23, 24, 24, 25, 26, 28, 30, 32 };

	for (int i = 0; i < NP; i++) {
		struct xprefix *p = &w->r[i].p;
		bool dup;

		do {
			memset(p, 0, sizeof(*p));
			if (i < N4) {
				unsigned int d = depths[rnd() % sizeof(depths)];
				uint32_t a = (0x0a000000u | (rnd() % (4u << 16) << 2)) &
					     (d ? ~0u << (32 - d) : 0);

				xaddr_set_v4(&p->addr, a);
				p->len = d;
			} else {
				p->addr.family = AF_INET6;
				p->addr.bytes[0] = 0xfd;
				p->addr.bytes[2] = (uint8_t)(rnd() % 64);
				p->addr.bytes[3] = (uint8_t)(rnd() % 8) << 5;
				p->len = 24 + 8 * (rnd() % 2);
				if (p->len == 24)
					p->addr.bytes[3] = 0;
			}
			dup = false;
			for (int j = 0; j < i && !dup; j++)
				dup = xprefix_eq(&w->r[j].p, p);
		} while (dup);
	}
}

static void make_keys(struct world *w)
{
	for (int i = 0; i < NK4; i++) {
		w->k4[i] = (struct nh_key){ .kind = XFWD_NH_DIRECT, .oif = 1 + (uint32_t)i % FAKE_LINKS };
		xaddr_set_v4(&w->k4[i].gw, 0x0aff0001u + (uint32_t)i);
	}
	for (int i = 0; i < NK6; i++) {
		w->k6[i] = (struct nh_key){ .kind = XFWD_NH_DIRECT, .oif = 1 + (uint32_t)i,
					    .gw.family = AF_INET6 };
		w->k6[i].gw.bytes[0] = 0xfe;
		w->k6[i].gw.bytes[1] = 0x80;
		w->k6[i].gw.bytes[15] = (uint8_t)(i + 1);
	}
}

static bool is6(int i)
{
	return i >= N4;
}

static const struct nh_key *pool(const struct world *w, int i, int *n)
{
	*n = is6(i) ? NK6 : NK4;
	return is6(i) ? w->k6 : w->k4;
}

/* ---- model operations, applied to the core and the model ---- */

static void op_set(struct world *w, int i)
{
	struct nh_key m[XFWD_ECMP_MAX];
	int npool, n = 0, want = 1 + (int)(rnd() % 3);
	const struct nh_key *k = pool(w, i, &npool);
	uint8_t bits = 0, origin = rnd() % 2 ? XFWD_ORIGIN_STATIC : XFWD_ORIGIN_MIRROR;
	int ret;

	while (n < want) {
		int b = (int)(rnd() % (uint32_t)npool);

		if (!(bits & (1u << b))) {
			bits |= (uint8_t)(1u << b);
			m[n++] = k[b];
		}
	}
	if (w->plan) {
		assert_int_equal(journal_add(w->plan, &w->r[i].p, false, origin, m, n), 0);
		return;
	}
	ret = xt_route_set(&w->t, &w->r[i].p, m, n, origin, ROUTE_REPLACE);
	if (ret)
		fail_msg("route %d replace: %s", i, w->err);
	w->r[i].present = true;
	w->r[i].members = bits;
	w->r[i].origin = origin;
}

static void op_del(struct world *w, int i)
{
	int ret;

	if (w->plan) {
		assert_int_equal(journal_add(w->plan, &w->r[i].p, true, 0, NULL, 0), 0);
		return;
	}
	ret = xt_route_del(&w->t, &w->r[i].p);

	if (w->r[i].present && ret)
		fail_msg("route %d delete: %s", i, w->err);
	if (!w->r[i].present && ret != -ENOENT)
		fail_msg("route %d absent: delete gave %d, not -ENOENT", i, ret);
	w->r[i].present = false;
}

static void op_route(struct world *w)
{
	int i = (int)(rnd() % NP);

	if (rnd() % 100 < 60)
		op_set(w, i);
	else
		op_del(w, i);
}

static void op_batch(struct world *w)
{
	int n = 1 + (int)(rnd() % 40);

	xt_batch_begin(&w->t);
	for (int j = 0; j < n; j++)
		op_route(w);
	if (xt_batch_end(&w->t))
		fail_msg("batch end: %s", w->err);
	w->batches++;
}

/* Every route withdrawn at once (a BGP session lost), in one batch. */
static void op_withdraw_all(struct world *w)
{
	xt_batch_begin(&w->t);
	for (int i = 0; i < NP; i++)
		if (w->r[i].present)
			op_del(w, i);
	if (xt_batch_end(&w->t))
		fail_msg("batch end: %s", w->err);
	w->drains++;
}

/* A link changes state: the next hops over it that exist die or live. */
static void op_link(struct world *w)
{
	uint32_t l = 1 + rnd() % FAKE_LINKS;
	bool up = w->f.link_down[l];
	int changed;

	w->f.link_down[l] = !up;
	if (xt_link_state(&w->t, l, up, &changed))
		fail_msg("link %u %s: %s", l, up ? "up" : "down", w->err);
	for (int i = 0; i < NK4; i++)
		if (w->k4[i].oif == l && w->used4[i])
			w->dead4[i] = !up;
	for (int i = 0; i < NK6; i++)
		if (w->k6[i].oif == l && w->used6[i])
			w->dead6[i] = !up;
	w->flips++;
}

/* A neighbour's MAC changes: its next hop's active MAC follows. */
static void op_neigh(struct world *w)
{
	const struct nh_key *k = &w->k4[rnd() % NK4];
	uint8_t mac[6] = { 0x0e, 0, 0, 0, 0, (uint8_t)rnd() };

	if (xt_neigh_set(&w->t, &k->gw, k->oif, mac))
		fail_msg("neighbour: %s", w->err);
	for (uint32_t id = 1; id < w->f.info.nexthops_max; id++) {
		const struct xfwd_nh *n = &w->f.nh[id];

		if (n->kind && n->oif == k->oif && !memcmp(n->addr, k->gw.bytes, 4))
			assert_memory_equal(n->l2[n->active & 1].dmac, mac, 6);
	}
	w->neigh++;
}

static void load(struct world *w)
{
	struct kio io = fake_kio(&w->f);

	if (xt_load(&w->t, &io, &w->f.info, true, w->err, sizeof(w->err)))
		fail_msg("load: %s", w->err);
	w->t.no_wait = true;
}

/* The process stops and a new one adopts the maps. */
static void op_restart(struct world *w)
{
	xt_free(&w->t);
	load(w);
	w->restarts++;
}

/* ---- checks ---- */

/* The keys of group g's active members, as bits of the family's pool. */
static uint8_t group_bits(const struct world *w, uint32_t g, bool v6)
{
	const struct xfwd_group_set *s = &w->f.grp[g].set[w->f.grp[g].active & 1];
	const struct nh_key *k = v6 ? w->k6 : w->k4;
	int nk = v6 ? NK6 : NK4;
	uint8_t bits = 0;

	for (uint32_t m = 0; m < s->count; m++) {
		const struct xfwd_nh *n = &w->f.nh[s->members[m]];
		int hit = -1;

		for (int j = 0; j < nk && hit < 0; j++)
			if (n->oif == k[j].oif && n->family == k[j].gw.family &&
			    !memcmp(n->addr, k[j].gw.bytes, 16))
				hit = j;
		if (hit < 0)
			fail_msg("group %u member %u is no key of the pool", g, s->members[m]);
		bits |= (uint8_t)(1u << hit);
	}
	return bits;
}

static bool route_alive(const struct world *w, int i)
{
	for (int b = 0; b < (is6(i) ? NK6 : NK4); b++)
		if ((w->r[i].members & (1u << b)) && !(is6(i) ? w->dead6[b] : w->dead4[b]))
			return true;
	return false;
}

static void check_records(struct world *w)
{
	size_t n4 = 0, n6 = 0;

	for (int i = 0; i < NP; i++) {
		struct xfwd_route rec;
		bool has = is6(i) ? fake_route6(&w->f, &w->r[i].p, &rec)
				  : fake_route4(&w->f, &w->r[i].p, &rec);

		if (has != w->r[i].present)
			fail_msg("step %lu: route %d is %s the model but %s the maps", w->steps, i,
				 w->r[i].present ? "in" : "not in", has ? "in" : "not in");
		if (!has)
			continue;
		n4 += !is6(i);
		n6 += is6(i);
		assert_int_equal(rec.origin, w->r[i].origin);
		if (group_bits(w, rec.group, is6(i)) != w->r[i].members)
			fail_msg("step %lu: route %d's group %u has members %#x, the model %#x", w->steps,
				 i, rec.group, group_bits(w, rec.group, is6(i)), w->r[i].members);
	}
	assert_int_equal(w->f.routes4.n, n4);
	assert_int_equal(w->f.routes6.n, n6);
}

/* Exactly one group per distinct member set, one next hop per key in use. */
static void check_no_leak(struct world *w)
{
	uint16_t sets[2][256] = { { 0 } };
	unsigned int want_groups = 0, want_nh = 0, groups = 0, nhs = 0;
	uint8_t keys[2] = { 0, 0 };

	for (int i = 0; i < NP; i++)
		if (w->r[i].present) {
			want_groups += !sets[is6(i)][w->r[i].members]++;
			keys[is6(i)] |= w->r[i].members;
		}
	for (int f = 0; f < 2; f++)
		want_nh += (unsigned int)__builtin_popcount(keys[f]);
	for (uint32_t g = 1; g < w->f.info.groups_max; g++)
		groups += w->f.grp[g].set[w->f.grp[g].active & 1].count != 0;
	for (uint32_t n = 1; n < w->f.info.nexthops_max; n++)
		nhs += w->f.nh[n].kind != 0;
	if (groups != want_groups || nhs != want_nh)
		fail_msg("step %lu: %u groups and %u next hops in the maps, the model has %u and %u",
			 w->steps, groups, nhs, want_groups, want_nh);
	for (int i = 0; i < NK4; i++)
		if (!(w->used4[i] = keys[0] & (1u << i)))
			w->dead4[i] = false; /* made anew when next used */
	for (int i = 0; i < NK6; i++)
		if (!(w->used6[i] = keys[1] & (1u << i)))
			w->dead6[i] = false;
}

/* A writer killed in the middle of a batch (dying after a random number
 * of writes: those after never reach the maps). A -batch journals its
 * operations first: the next process completes them, and the model is
 * the state after the batch. The daemon journals none (it resyncs from
 * the kernel): the next process only makes the tables and records agree
 * and frees what no route holds, and the model is read back from the
 * records, which check_all then holds the tables, groups and lookups to. */
static void op_die(struct world *w)
{
	struct jbuf j = { 0 };
	unsigned long die_after = 1 + rnd() % 400;
	bool journal = rnd() % 2;
	uint64_t seed = rng;
	int n = 1 + (int)(rnd() % 40);

	w->plan = &j; /* the same operations twice: planned, then applied */
	for (int k = 0; k < n && journal; k++)
		op_route(w);
	w->plan = NULL;
	rng = seed;
	n = 1 + (int)(rnd() % 40);
	if (journal && xt_journal_ops(&w->t, &j))
		fail_msg("journal: %s", w->err);
	journal_free(&j);
	w->f.die_after = die_after;
	xt_batch_begin(&w->t);
	for (int k = 0; k < n; k++)
		op_route(w);
	xt_batch_end(&w->t);
	w->deaths += w->f.dead; /* else it lived to the batch's end */
	w->f.dead = false;
	w->f.die_after = 0;
	xt_free(&w->t);
	load(w);
	assert_int_equal(xt_records_wait(&w->t), 0);
	assert_false(w->f.journaled);
	for (int i = 0; i < NP && !journal; i++) {
		struct xfwd_route rec;

		w->r[i].present = is6(i) ? fake_route6(&w->f, &w->r[i].p, &rec)
					 : fake_route4(&w->f, &w->r[i].p, &rec);
		if (w->r[i].present) {
			w->r[i].members = group_bits(w, rec.group, is6(i));
			w->r[i].origin = rec.origin;
		}
	}
}

/* The data path's answer for addr against the model's longest live route. */
static void check_lookup(struct world *w, uint32_t addr)
{
	int best = -1;
	uint32_t g = fake_lookup4(&w->f, addr);

	for (int i = 0; i < N4; i++) {
		uint32_t a = xaddr_v4(&w->r[i].p.addr), len = w->r[i].p.len;
		uint32_t mask = len ? ~0u << (32 - len) : 0;

		if (w->r[i].present && (addr & mask) == a && route_alive(w, i) &&
		    (best < 0 || len > w->r[best].p.len))
			best = i;
	}
	if (best < 0 && g)
		fail_msg("step %lu: %08x reads group %u, the model has no live route", w->steps, addr, g);
	if (best >= 0 && (!g || group_bits(w, g, false) != w->r[best].members))
		fail_msg("step %lu: %08x reads group %u, the model route %d (/%u)", w->steps, addr, g,
			 best, w->r[best].p.len);
}

/* The model's longest route over a live next hop that holds a. */
static int model_best(const struct world *w, const struct xaddr *a)
{
	int best = -1;

	for (int i = 0; i < NP; i++)
		if (w->r[i].present && w->r[i].p.addr.family == a->family &&
		    xprefix_contains(&w->r[i].p, a) && route_alive(w, i) &&
		    (best < 0 || w->r[i].p.len > w->r[best].p.len))
			best = i;
	return best;
}

/* route get: the route the model would use, and a live member of it. */
static void check_decide(struct world *w, const struct xaddr *a)
{
	struct flow fl = { .dst = *a, .proto = 17, .sport = (uint16_t)rnd(), .dport = 53 };
	struct kio io = fake_kio(&w->f);
	int best = model_best(w, a), m = -1, npool;
	const struct nh_key *k = pool(w, a->family == AF_INET6 ? N4 : 0, &npool);
	char s[XADDR_STRLEN];
	struct decision d;

	xt_decide(&io, &fl, &d);
	if (best < 0) {
		if (strcmp(d.action, "pass"))
			fail_msg("step %lu: route get %s: %s, the model has no live route", w->steps,
				 xaddr_str(a, s), d.action);
		return;
	}
	if (strcmp(d.action, "forward") || !xprefix_eq(&d.match, &w->r[best].p))
		fail_msg("step %lu: route get %s: %s by /%u, the model forwards by route %d (/%u)",
			 w->steps, xaddr_str(a, s), d.action, d.match.len, best, w->r[best].p.len);
	for (int j = 0; j < npool; j++)
		if (d.nh.oif == k[j].oif && !memcmp(d.nh.addr, k[j].gw.bytes, 16))
			m = j;
	if (m < 0 || !(w->r[best].members & (1u << m)) || (a->family == AF_INET6 ? w->dead6[m] : w->dead4[m]))
		fail_msg("step %lu: route get %s picks next hop %u, not a live member of route %d",
			 w->steps, xaddr_str(a, s), d.nh_id, best);
}

static void check_all(struct world *w)
{
	if (w->f.violations)
		fail_msg("step %lu: %lu writes out of order; the first: %s", w->steps, w->f.violations,
			 w->f.why);
	check_records(w);
	check_no_leak(w);
	for (int k = 0; k < 4; k++) {
		int i = (int)(rnd() % N4);
		uint32_t span = w->r[i].p.len < 32 ? ~0u >> w->r[i].p.len : 0;

		check_lookup(w, xaddr_v4(&w->r[i].p.addr) | (rnd() & span));
	}
	if (w->steps % 8 == 0) {
		struct xaddr a4, a6 = w->r[N4 + rnd() % N6].p.addr;

		xaddr_set_v4(&a4, xaddr_v4(&w->r[rnd() % N4].p.addr) | (rnd() & 0xff));
		a6.bytes[15] = (uint8_t)rnd();
		check_decide(w, &a4);
		check_decide(w, &a6);
	}
}

static void random_operations(void **state)
{
	static struct world w;
	struct xfwd_info sizes = { .tbl8_groups = 1024, .routes4_max = 1024, .routes6_max = 256,
				   .nexthops_max = 32, .groups_max = 128 };

	(void)state;
	fake_init(&w.f, &sizes);
	make_prefixes(&w);
	make_keys(&w);
	load(&w);
	for (w.steps = 0; w.steps < STEPS; w.steps++) {
		uint32_t r = rnd() % 1000;

		if (r < 900)
			op_route(&w);
		else if (r < 950)
			op_batch(&w);
		else if (r < 975)
			op_link(&w);
		else if (r < 990)
			op_neigh(&w);
		else if (r < 991 && rnd() % 4 == 0)
			op_die(&w);
		else if (r < 996)
			op_neigh(&w);
		else if (r < 997)
			op_withdraw_all(&w);
		else
			op_restart(&w);
		/* As the daemon before it lets the lock go. */
		if (xt_records_wait(&w.t))
			fail_msg("records: %s", w.err);
		check_all(&w);
	}
	print_message("table: %d steps (%lu batches, %lu link changes, %lu MAC changes, %lu withdrawals of all, %lu restarts, %lu writers killed in a batch), %lu map writes, %lu grace periods\n",
		      STEPS, w.batches, w.flips, w.neigh, w.drains, w.restarts, w.deaths, w.f.writes, w.f.graces);
	assert_true(w.batches > 1000 && w.flips > 1000 && w.drains > 50 && w.restarts > 100 &&
		    w.deaths > 10);
	xt_free(&w.t);
	fake_fini(&w.f);
}

/* The covering routes of a group's routes (core/cover.c, for backup
 * capacity): a /24 and its /16 over one group fall past both to the /8;
 * a route with no cover adds none; IPv6 likewise. */
static void set(struct world *w, const char *prefix, const struct nh_key *k, int n)
{
	struct xprefix p;

	assert_int_equal(xprefix_parse(prefix, &p, w->err, sizeof(w->err)), 0);
	if (xt_route_set(&w->t, &p, k, n, XFWD_ORIGIN_STATIC, ROUTE_REPLACE))
		fail_msg("%s: %s", prefix, w->err);
}

static uint32_t group_of(struct world *w, const char *prefix)
{
	struct xprefix p;

	assert_int_equal(xprefix_parse(prefix, &p, w->err, sizeof(w->err)), 0);
	return xt_route_group(&w->t, &p);
}

static void cover_groups(void **state)
{
	static struct world w;
	struct xfwd_info sizes = { .tbl8_groups = 64, .routes4_max = 64, .routes6_max = 64,
				   .nexthops_max = 32, .groups_max = 32 };
	uint32_t c[4];

	(void)state;
	fake_init(&w.f, &sizes);
	make_keys(&w);
	load(&w);
	set(&w, "10.0.0.0/8", &w.k4[0], 1);
	set(&w, "10.1.0.0/16", &w.k4[1], 1);
	set(&w, "10.1.2.0/24", &w.k4[1], 1);
	set(&w, "10.2.0.0/16", &w.k4[1], 1);
	set(&w, "10.1.2.128/25", &w.k4[2], 2); /* a group of two: covered by the /24 */
	set(&w, "2001:db8::/32", &w.k6[0], 1);
	set(&w, "2001:db8:1::/48", &w.k6[1], 1);
	assert_int_equal(xt_cover_groups(&w.t, group_of(&w, "10.1.0.0/16"), c, 4), 1);
	assert_int_equal(c[0], group_of(&w, "10.0.0.0/8"));
	assert_int_equal(xt_cover_groups(&w.t, group_of(&w, "10.0.0.0/8"), c, 4), 0);
	assert_int_equal(xt_cover_groups(&w.t, group_of(&w, "10.1.2.128/25"), c, 4), 1);
	assert_int_equal(c[0], group_of(&w, "10.1.2.0/24"));
	assert_int_equal(xt_cover_groups(&w.t, group_of(&w, "2001:db8:1::/48"), c, 4), 1);
	assert_int_equal(c[0], group_of(&w, "2001:db8::/32"));
	assert_int_equal(xt_cover_groups(&w.t, group_of(&w, "2001:db8::/32"), c, 4), 0);
	xt_free(&w.t);
	fake_fini(&w.f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cover_groups),
		cmocka_unit_test(random_operations),
	};

	return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
