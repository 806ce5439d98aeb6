// SPDX-License-Identifier: GPL-2.0-only
/* The rules of `xfwd check` (loader/core/check.c) on small models: the
 * ENA readiness rule with the driver's own figures (MTU 3498, half the
 * channels), the MTU budget per encapsulation, EC2's per-flow limit,
 * probe timers, single points of failure, overlaps, translations, the
 * worst level and the JSON text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "loader/core/check.h"
#include "loader/core/spec_parse.h"
#include "loader/core/words.h"
#define RND_SEED 0x2545f4914f6cdd1dull
#include "rnd.h"

static struct check_findings f;

static int teardown(void **s)
{
	(void)s;
	check_free(&f);
	return 0;
}

/* The findings of one rule, as "level subject text" lines. */
static bool found(const char *rule, int level, const char *needle)
{
	for (size_t i = 0; i < f.n; i++)
		if (!strcmp(f.v[i].rule, rule) && f.v[i].level == level && strstr(f.v[i].text, needle))
			return true;
	for (size_t i = 0; i < f.n; i++)
		fprintf(stderr, "  have: %s %d %s: %s\n", f.v[i].rule, f.v[i].level, f.v[i].subject, f.v[i].text);
	return false;
}

static void test_ena(void **s)
{
	struct dev_facts d = { .name = "ens5", .driver = "ena", .mtu = 9001, .queues = 8, .max_queues = 8 };

	(void)s;
	assert_int_equal(check_ena(&d, &f), -1);
	assert_true(found("ena", CHECK_ERROR, "MTU 9001: the ena driver takes native XDP only up to MTU 3498"));
	assert_true(found("ena", CHECK_ERROR, "ip link set ens5 mtu 3498"));
	assert_true(found("ena", CHECK_ERROR, "8 of 8 channels in use"));
	assert_true(found("ena", CHECK_ERROR, "ethtool -L ens5 combined 4"));
	check_free(&f);
	d.mtu = 3498;
	d.queues = 4;
	assert_int_equal(check_ena(&d, &f), 0); /* the limits themselves are fine */
	assert_int_equal(f.n, 0);
	d.mtu = 3499;
	assert_int_equal(check_ena(&d, &f), -1);
	check_free(&f);
	snprintf(d.driver, sizeof(d.driver), "virtio_net");
	d.mtu = 9000;
	d.queues = 8;
	assert_int_equal(check_ena(&d, &f), 0); /* other drivers: not this rule's */
}

static struct tunnel_spec tunnel(const char *words)
{
	char line[256], err[256], *argv[32];
	struct tunnel_spec t = { 0 };
	struct args a;
	int argc;

	snprintf(line, sizeof(line), "%s", words);
	argc = words_split(line, argv, 32, err, sizeof(err));
	snprintf(t.name, sizeof(t.name), "%s", argv[0]);
	a = (struct args){ argc - 1, argv + 1, 0, err, sizeof(err) };
	if (spec_tunnel_opts(&a, &t))
		fail_msg("%s: %s", words, err);
	return t;
}

static void test_tunnels(void **s)
{
	struct tunnel_spec t[] = {
		tunnel("g1 type gre local 192.0.2.1 remote 192.0.2.2 key 1"),
		tunnel("v6 type vxlan local 2001:db8::1 remote 2001:db8::2 vni 5 probe udp probe-interval 500 probe-multiplier 3"),
		tunnel("v4 type vxlan local 192.0.2.1 remote 192.0.2.3 vni 6 dev ens6 probe udp"),
		tunnel("tiny type geneve local 192.0.2.1 remote 192.0.2.4 vni 7 mtu 1250 probe udp"),
	};
	/* Without 'dev' a tunnel may leave by any attached device: the smallest MTU. */
	struct dev_facts devs[] = { { .name = "ens5", .mtu = 1500 }, { .name = "ens6", .mtu = 9001 } };
	struct check_model m = { .tunnels = t, .ntunnels = 4, .devs = devs, .ndevs = 2 };

	(void)s;
	assert_int_equal(check_run(&m, &f), 0);
	/* GRE with a key over IPv4: 20 + 8 bytes; VXLAN over IPv6: 40 + 8 + 8 + 14. */
	assert_true(found("mtu", CHECK_WARN, "inner MTU 1472 (underlay 1500 - 28 bytes"));
	assert_true(found("mtu", CHECK_WARN, "inner MTU 1430 (underlay 1500 - 70 bytes"));
	assert_true(found("mtu", CHECK_INFO, "inner MTU 8951 (underlay 9001 - 50 bytes"));
	assert_true(found("mtu", CHECK_ERROR, "inner MTU 1250"));
	assert_true(found("flow", CHECK_WARN, "GRE carries everything as one flow, which EC2 limits to 5 Gbps"));
	assert_true(found("probe", CHECK_WARN, "not probed"));
	assert_true(found("probe", CHECK_WARN, "after 1500 ms (500 ms x 3)"));
	assert_true(found("probe", CHECK_INFO, "fails over 300 ms"));
	assert_int_equal(check_worst(&f), CHECK_ERROR);
}

static struct route_spec route(const char *prefix, const char *t1, const char *t2)
{
	struct route_spec r = { 0 };
	char err[64];

	assert_int_equal(xprefix_parse(prefix, &r.prefix, err, sizeof(err)), 0);
	snprintf(r.tunnels[r.ntunnels++], IFNAME_LEN, "%s", t1);
	if (t2)
		snprintf(r.tunnels[r.ntunnels++], IFNAME_LEN, "%s", t2);
	return r;
}

static void test_routes(void **s)
{
	struct route_spec r[] = {
		route("10.1.0.0/16", "a", NULL),     /* one path, nothing covers it */
		route("10.1.0.0/16", "b", NULL),     /* the same CIDR behind another spoke */
		route("10.2.0.0/16", "a", "b"),      /* two paths */
		route("10.3.0.0/24", "a", NULL),     /* covered by the /16 below */
		route("10.3.0.0/16", "b", NULL),
	};
	struct check_model m = { .routes = r, .nroutes = 5 };

	(void)s;
	assert_int_equal(check_run(&m, &f), 0);
	assert_true(found("spof", CHECK_WARN, "one path (tunnel a) and no covering route"));
	assert_true(found("overlap", CHECK_WARN, "overlaps 10.1.0.0/16: routed into tunnel a and into tunnel b"));
	assert_true(found("overlap", CHECK_WARN, "overlaps 10.3.0.0/16"));
	for (size_t i = 0; i < f.n; i++) /* 10.2/16 has two paths; 10.3.0.0/24 a cover */
		assert_false(!strcmp(f.v[i].rule, "spof") &&
			     (!strcmp(f.v[i].subject, "10.2.0.0/16") || !strcmp(f.v[i].subject, "10.3.0.0/24")));
	assert_int_equal(check_worst(&f), CHECK_WARN);
}

/* The sweep (check_routes.c) against every pair compared, as the rules
 * read: 600 random nested routes (lengths 8..24 inside 10/8, one or two
 * of three tunnels) give the same findings, as sorted lists of "rule
 * subject text". Then 300k routes that share their tunnels, which a
 * pairwise rule never finished. */
#define KEYLEN 128

static int keycmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Every pair compared: the findings' keys into keys, how many. */
static size_t reference(const struct route_spec *r, size_t n, char (*keys)[KEYLEN])
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		char s[XPREFIX_STRLEN], o[XPREFIX_STRLEN];
		bool covered = false;

		xprefix_str(&r[i].prefix, s);
		for (size_t j = 0; j < n; j++) {
			bool shared = false;

			covered |= j != i && r[j].prefix.len < r[i].prefix.len && xprefix_covers(&r[j].prefix, &r[i].prefix);
			for (int x = 0; x < r[i].ntunnels; x++)
				for (int y = 0; y < r[j].ntunnels; y++)
					shared |= !strcmp(r[i].tunnels[x], r[j].tunnels[y]);
			if (j <= i || shared || (!xprefix_covers(&r[i].prefix, &r[j].prefix) &&
						 !xprefix_covers(&r[j].prefix, &r[i].prefix)))
				continue;
			snprintf(keys[k++], KEYLEN, "overlap %s overlaps %s: routed into tunnel %s and into tunnel %s", s,
				 xprefix_str(&r[j].prefix, o), r[i].tunnels[0], r[j].tunnels[0]);
		}
		if (r[i].ntunnels == 1 && !covered)
			snprintf(keys[k++], KEYLEN, "spof %s", s);
	}
	return k;
}

static void random_route(struct route_spec *r)
{
	static const char *names[] = { "a", "b", "c" };
	uint32_t len = 8 + (uint32_t)(rnd() % 17);
	uint32_t a = (10u << 24 | (uint32_t)(rnd() % 4) << 16 | (uint32_t)(rnd() % 4) << 14) &
		     ~(0xffffffffu >> len);

	memset(r, 0, sizeof(*r));
	r->prefix.addr.family = AF_INET;
	for (int i = 0; i < 4; i++)
		r->prefix.addr.bytes[i] = (uint8_t)(a >> (24 - 8 * i));
	r->prefix.len = (uint8_t)len;
	snprintf(r->tunnels[r->ntunnels++], IFNAME_LEN, "%s", names[rnd() % 3]);
	if (rnd() % 3 == 0)
		snprintf(r->tunnels[r->ntunnels++], IFNAME_LEN, "%s", names[rnd() % 3]);
}

static void test_routes_sweep(void **s)
{
	enum { N = 600, BIG = 300000 };
	static struct route_spec r[BIG];
	static char want[N * N][KEYLEN], have[N * N][KEYLEN];
	struct check_model m = { .routes = r, .nroutes = N };
	size_t nwant;

	(void)s;
	for (size_t i = 0; i < N; i++)
		random_route(&r[i]);
	assert_int_equal(check_routes(&m, &f), 0);
	nwant = reference(r, N, want);
	assert_true(nwant > 100); /* both rules have work: checked below */
	assert_int_equal(f.n, nwant);
	for (size_t i = 0; i < f.n; i++)
		if (!strcmp(f.v[i].rule, "spof"))
			snprintf(have[i], KEYLEN, "spof %s", f.v[i].subject);
		else
			snprintf(have[i], KEYLEN, "%s %s %.*s", f.v[i].rule, f.v[i].subject,
				 (int)strcspn(f.v[i].text, ";"), f.v[i].text);
	qsort(want, nwant, KEYLEN, keycmp);
	qsort(have, f.n, KEYLEN, keycmp);
	for (size_t i = 0; i < nwant; i++)
		assert_string_equal(have[i], want[i]);
	assert_true(!strncmp(want[0], "overlap ", 8) && !strncmp(want[nwant - 1], "spof ", 5));
	check_free(&f);
	for (size_t i = 0; i < BIG; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].prefix.addr.family = AF_INET;
		r[i].prefix.addr.bytes[0] = (uint8_t)(1 + i / 65536);
		r[i].prefix.addr.bytes[1] = (uint8_t)(i / 256);
		r[i].prefix.addr.bytes[2] = (uint8_t)i;
		r[i].prefix.len = 24;
		snprintf(r[i].tunnels[0], IFNAME_LEN, "t1");
		snprintf(r[i].tunnels[1], IFNAME_LEN, "t2");
		r[i].ntunnels = 2;
	}
	m.nroutes = BIG;
	assert_int_equal(check_routes(&m, &f), 0);
	assert_int_equal(f.n, 0);
}

static void test_xlat_and_format(void **s)
{
	struct xlat_spec x[2] = { { .tunnel = true, .name = "a" }, { .tunnel = true, .name = "b" } };
	struct check_model m = { .xlats = x, .nxlats = 2 };
	char err[64], buf[2048];

	(void)s;
	xprefix_parse("10.1.0.0/16", &x[0].real, err, sizeof(err));
	xprefix_parse("100.65.0.0/16", &x[0].mapped, err, sizeof(err));
	xprefix_parse("10.1.0.0/16", &x[1].real, err, sizeof(err));
	xprefix_parse("100.65.0.0/16", &x[1].mapped, err, sizeof(err));
	assert_int_equal(check_run(&m, &f), 0);
	assert_true(found("xlat", CHECK_ERROR, "mapped prefix of tunnel a overlaps 100.65.0.0/16 of tunnel b"));
	check_format(&f, true, buf, sizeof(buf));
	assert_non_null(strstr(buf, "[{\"level\":\"error\",\"rule\":\"xlat\",\"subject\":\"100.65.0.0/16\""));
	check_free(&f);
	xprefix_parse("100.66.0.0/16", &x[1].mapped, err, sizeof(err));
	assert_int_equal(check_run(&m, &f), 0);
	assert_int_equal(check_worst(&f), -1); /* clean */
	assert_int_equal(check_format(&f, true, buf, sizeof(buf)), strlen("[]\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_ena, teardown),
		cmocka_unit_test_teardown(test_tunnels, teardown),
		cmocka_unit_test_teardown(test_routes, teardown),
		cmocka_unit_test_teardown(test_routes_sweep, teardown),
		cmocka_unit_test_teardown(test_xlat_and_format, teardown),
	};

	return cmocka_run_group_tests_name("check", tests, NULL, NULL);
}
