// SPDX-License-Identifier: GPL-2.0-only
/*
 * A tunnel with probes holds its next hop (core/probe_hold.c,
 * docs/health.md): it is probed whether or not a route uses it, the
 * hold is counted alike by every reader of the maps, it is taken and
 * given back as probes are set and removed, it does not keep a tunnel
 * from being deleted, and a hold taken later (the remote reachable only
 * then) keeps the daemon's down verdict on the new next hop.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fake_kio.h"
#include "loader/core/spec_parse.h"
#include "loader/core/table.h"

struct world {
	struct fake f;
	struct xtable t;
	char err[512];
};

static void load(struct world *w)
{
	struct kio io = fake_kio(&w->f);

	if (xt_load(&w->t, &io, &w->f.info, true, w->err, sizeof(w->err)))
		fail_msg("load: %s", w->err);
	w->t.no_wait = true;
}

static void setup(struct world *w)
{
	struct xfwd_info sizes = { .tbl8_groups = 16, .routes4_max = 16, .routes6_max = 16,
				   .nexthops_max = 8, .groups_max = 8 };

	memset(w, 0, sizeof(*w));
	fake_init(&w->f, &sizes);
	load(w);
}

static void teardown(struct world *w)
{
	assert_int_equal(w->f.violations, 0);
	xt_free(&w->t);
	fake_fini(&w->f);
}

static uint32_t tunnel_add(struct world *w, const char *words)
{
	struct tunnel_spec c;
	char line[256];

	snprintf(line, sizeof(line), "%s", words);
	if (spec_parse_tunnel_line(line, &c, w->err, sizeof(w->err)))
		fail_msg("%s: %s", words, w->err);
	if (xt_tunnel_add(&w->t, &c))
		fail_msg("tunnel add %s: %s", words, w->err);
	return xt_tunnel_find(&w->t, c.name);
}

static void route(struct world *w, const char *prefix, uint32_t tid, bool add)
{
	const struct nh_key k = { .kind = XFWD_NH_TUNNEL, .tunnel = tid };
	struct xprefix p;

	assert_int_equal(xprefix_parse(prefix, &p, w->err, sizeof(w->err)), 0);
	if (add ? xt_route_set(&w->t, &p, &k, 1, XFWD_ORIGIN_STATIC, ROUTE_REPLACE) : xt_route_del(&w->t, &p))
		fail_msg("%s: %s", prefix, w->err);
}

/* The references on tunnel tid's next hop, and that the maps have it. */
static uint32_t refs(const struct world *w, uint32_t tid)
{
	uint32_t id = xt_tunnel_nh(&w->t, tid);

	if (!id)
		return 0;
	assert_int_equal(w->f.nh[id].kind, XFWD_NH_TUNNEL);
	assert_int_equal(w->f.nh[id].tunnel, tid);
	return w->t.nh_refs[id];
}

static void restart(struct world *w)
{
	xt_free(&w->t);
	load(w);
}

/* Probed from the start: held with no route, a route adds to it, gone
 * again the hold stays; a new process counts the same; deleting the
 * tunnel takes the next hop first. */
static void held_without_routes(void **state)
{
	static struct world w;
	uint32_t t1, nh;

	(void)state;
	setup(&w);
	t1 = tunnel_add(&w, "t1 type gre local 192.0.2.1 remote 192.0.2.9 probe udp");
	assert_int_equal(refs(&w, t1), 1);
	route(&w, "10.1.0.0/16", t1, true);
	assert_int_equal(refs(&w, t1), 2);
	route(&w, "10.1.0.0/16", t1, false);
	assert_int_equal(refs(&w, t1), 1);
	restart(&w);
	assert_int_equal(refs(&w, t1), 1);
	route(&w, "10.1.0.0/16", t1, true);
	assert_int_equal(xt_tunnel_del(&w.t, "t1"), -EBUSY); /* a route, not the hold */
	assert_non_null(strstr(w.err, "carries routes"));
	route(&w, "10.1.0.0/16", t1, false);
	nh = xt_tunnel_nh(&w.t, t1);
	if (xt_tunnel_del(&w.t, "t1"))
		fail_msg("tunnel del: %s", w.err);
	assert_int_equal(w.f.nh[nh].kind, XFWD_NH_NONE);
	assert_int_equal(w.f.tun[t1].type, 0);
	teardown(&w);
}

/* Probes set on a tunnel that carries a route, then removed: the hold
 * comes and goes; the route's reference stays throughout. */
static void set_and_removed(void **state)
{
	static struct world w;
	struct xfwd_probe_cfg none = { 0 }, udp;
	uint32_t t2, nh;

	(void)state;
	setup(&w);
	t2 = tunnel_add(&w, "t2 type gre local 192.0.2.1 remote 192.0.2.10");
	assert_int_equal(xt_tunnel_nh(&w.t, t2), 0); /* nothing to hold */
	route(&w, "10.2.0.0/16", t2, true);
	assert_int_equal(refs(&w, t2), 1);
	udp = w.t.tun[t2].probe;
	udp.mode = XFWD_PROBE_UDP;
	udp.interval_ms = 100;
	udp.multiplier = 3;
	assert_int_equal(xt_tunnel_set_probe(&w.t, t2, &udp), 0);
	assert_int_equal(refs(&w, t2), 2);
	restart(&w);
	assert_int_equal(refs(&w, t2), 2);
	assert_int_equal(xt_tunnel_set_probe(&w.t, t2, &none), 0);
	assert_int_equal(refs(&w, t2), 1);
	nh = xt_tunnel_nh(&w.t, t2);
	route(&w, "10.2.0.0/16", t2, false);
	assert_int_equal(w.f.nh[nh].kind, XFWD_NH_NONE);
	teardown(&w);
}

/* The remote unreachable when the tunnel is added: the tunnel is, its
 * hold is not (said); taken once the remote is reachable, with the
 * daemon's down verdict on the new next hop. */
static void held_later(void **state)
{
	static struct world w;
	uint8_t down[XFWD_MAX_TUNNELS] = { 0 };
	uint32_t t3, nh;

	(void)state;
	setup(&w);
	w.f.unreachable = true;
	t3 = tunnel_add(&w, "t3 type gre local 192.0.2.1 remote 192.0.2.11 probe udp");
	assert_true(t3 && xt_probed(&w.t, t3));
	assert_int_equal(xt_tunnel_nh(&w.t, t3), 0);
	assert_int_equal(xt_probe_hold(&w.t, t3), -ENETUNREACH);
	w.f.unreachable = false;
	down[t3] = 1;
	w.t.tun_down = down;
	assert_int_equal(xt_probe_hold(&w.t, t3), 0);
	nh = xt_tunnel_nh(&w.t, t3);
	assert_int_equal(refs(&w, t3), 1);
	assert_true(w.f.nh[nh].flags & XFWD_NH_F_DEAD);
	assert_int_equal(xt_probe_hold(&w.t, t3), 0); /* once */
	assert_int_equal(refs(&w, t3), 1);
	w.t.tun_down = NULL;
	teardown(&w);
}

/* The daemon's one pass (xt_tunnel_nhs) names each tunnel's next hop as
 * xt_tunnel_nh does: held, by a route, none. */
static void nhs_in_one_pass(void **state)
{
	static struct world w;
	static uint32_t nh_of[XFWD_MAX_TUNNELS];
	uint32_t t1, t2, t3;

	(void)state;
	setup(&w);
	t1 = tunnel_add(&w, "t1 type gre local 192.0.2.1 remote 192.0.2.9 probe udp");
	t2 = tunnel_add(&w, "t2 type gre local 192.0.2.1 remote 192.0.2.10");
	t3 = tunnel_add(&w, "t3 type gre local 192.0.2.1 remote 192.0.2.11");
	route(&w, "10.2.0.0/16", t2, true);
	xt_tunnel_nhs(&w.t, nh_of);
	for (uint32_t tid = 0; tid < XFWD_MAX_TUNNELS; tid++)
		assert_int_equal(nh_of[tid], xt_tunnel_nh(&w.t, tid));
	assert_true(nh_of[t1] && nh_of[t2] && nh_of[t1] != nh_of[t2]);
	assert_int_equal(nh_of[t3], 0);
	teardown(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(held_without_routes),
		cmocka_unit_test(set_and_removed),
		cmocka_unit_test(held_later),
		cmocka_unit_test(nhs_in_one_pass),
	};

	return cmocka_run_group_tests_name("probe_hold", tests, NULL, NULL);
}
