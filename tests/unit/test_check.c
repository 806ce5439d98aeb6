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
#include <string.h>
#include <sys/socket.h>

#include "loader/core/check.h"
#include "loader/core/spec_parse.h"
#include "loader/core/words.h"

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
		cmocka_unit_test_teardown(test_xlat_and_format, teardown),
	};

	return cmocka_run_group_tests_name("check", tests, NULL, NULL);
}
