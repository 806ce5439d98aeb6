// SPDX-License-Identifier: GPL-2.0-only
/*
 * A gwlb tunnel in the table (docs/gwlb.md): its one decapsulation entry,
 * where its local endpoint's marker would be, naming it; no other GENEVE
 * tunnel on its address, either way round; no route over it; deleted
 * whole.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fake_kio.h"
#include "loader/core/spec_parse.h"
#include "loader/core/table.h"
#include "maps/xfwd_tunnel.h"

struct world {
	struct fake f;
	struct xtable t;
	char err[512];
};

static void setup(struct world *w)
{
	struct xfwd_info sizes = { .tbl8_groups = 16, .routes4_max = 16, .routes6_max = 16,
				   .nexthops_max = 8, .groups_max = 8 };
	struct kio io;

	memset(w, 0, sizeof(*w));
	fake_init(&w->f, &sizes);
	io = fake_kio(&w->f);
	if (xt_load(&w->t, &io, &w->f.info, true, w->err, sizeof(w->err)))
		fail_msg("load: %s", w->err);
	w->t.no_wait = true;
}

static int tunnel_add(struct world *w, const char *words)
{
	struct tunnel_spec c;
	char line[256];

	snprintf(line, sizeof(line), "%s", words);
	if (spec_parse_tunnel_line(line, &c, w->err, sizeof(w->err)))
		fail_msg("%s: %s", words, w->err);
	return xt_tunnel_add(&w->t, &c);
}

/* The value of the peers entry at local 192.0.2.1's marker, or 0. */
static uint32_t local_entry(struct world *w)
{
	struct xfwd_tunnel tun = { .type = XFWD_TUN_GENEVE, .family = AF_INET };
	struct xfwd_tunnel_key k;
	uint32_t v = 0;

	inet_pton(AF_INET, "192.0.2.1", tun.local);
	xfwd_peer_key(&k, &tun, XFWD_PEER_LOCAL);
	if (KIO(&w->t.io, map_get, XFWD_M_tunnel_peers, &k, &v))
		return 0;
	return v;
}

static void test_gwlb_table(void **s)
{
	struct world w;
	struct xprefix p;
	uint32_t id;
	struct nh_key kk = { .kind = XFWD_NH_TUNNEL };

	(void)s;
	setup(&w);
	assert_int_equal(tunnel_add(&w, "gwlb0 type gwlb local 192.0.2.1"), 0);
	id = xt_tunnel_find(&w.t, "gwlb0");
	assert_true(id && (xt_tunnel(&w.t, id)->flags & XFWD_TUN_F_GWLB));
	assert_int_equal(local_entry(&w), id); /* any remote, any VNI: this tunnel */
	/* Another GENEVE tunnel on its address would take some of its
	 * packets (or lose them to it): refused, naming the one there. */
	assert_int_equal(tunnel_add(&w, "g1 type geneve local 192.0.2.1 remote 198.51.100.2 vni 5 payload ip"),
			 -EEXIST);
	assert_non_null(strstr(w.err, "gwlb0"));
	assert_int_equal(tunnel_add(&w, "gwlb1 type gwlb local 192.0.2.1"), -EEXIST);
	/* A GRE tunnel on the address is another protocol: fine. */
	assert_int_equal(tunnel_add(&w, "gre1 type gre local 192.0.2.1 remote 198.51.100.2"), 0);
	/* No route goes into it. */
	kk.tunnel = id;
	assert_int_equal(xprefix_parse("10.9.0.0/16", &p, w.err, sizeof(w.err)), 0);
	assert_int_equal(xt_route_set(&w.t, &p, &kk, 1, XFWD_ORIGIN_STATIC, ROUTE_REPLACE), -EINVAL);
	assert_non_null(strstr(w.err, "gwlb tunnel"));
	/* Deleted: its entry goes, and a GENEVE tunnel may have the address. */
	assert_int_equal(xt_tunnel_del(&w.t, "gwlb0"), 0);
	assert_int_equal(local_entry(&w), 0);
	assert_int_equal(tunnel_add(&w, "g1 type geneve local 192.0.2.1 remote 198.51.100.2 vni 5 payload ip"), 0);
	assert_int_equal(local_entry(&w), XFWD_TUNNEL_ENDPOINT);
	assert_int_equal(tunnel_add(&w, "gwlb0 type gwlb local 192.0.2.1"), -EEXIST);
	assert_non_null(strstr(w.err, "g1"));
	assert_int_equal(w.f.violations, 0);
	xt_free(&w.t);
	fake_fini(&w.f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gwlb_table),
	};

	return cmocka_run_group_tests_name("gwlb", tests, NULL, NULL);
}
