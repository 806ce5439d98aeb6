// SPDX-License-Identifier: GPL-2.0-only
/* Translation rules (loader/core/xlat.c): the grammar and its refusals,
 * the mapping both ways (IPv4 NETMAP, NPTv6 by RFC 6296's example, IPv6
 * NETMAP), NPTv6's checksum neutrality over many addresses, overlap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "loader/core/words.h"
#include "loader/core/xlat.h"

static int parse(const char *text, struct xlat_spec *s, bool add, char *err)
{
	char line[256], *argv[16];
	int argc;

	snprintf(line, sizeof(line), "%s", text);
	argc = words_split(line, argv, 16, err, 256);
	return argc < 0 ? -1 : xlat_spec_parse(argc, argv, s, add, err, 256);
}

static struct xfwd_xlat_rule rule(const char *text, uint32_t target)
{
	struct xfwd_xlat_rule r;
	struct xlat_spec s;
	char err[256];

	assert_int_equal(parse(text, &s, true, err), 0);
	xlat_rule_of(&s, target, &r);
	return r;
}

static void test_grammar(void **state)
{
	static const struct { const char *text, *want; } bad[] = {
		{ "10.1.0.0/16 to 100.64.0.0/24 tunnel a", "same length" },
		{ "10.1.0.0/16 to fd00::/16 tunnel a", "both prefixes must be IPv4 or both IPv6" },
		{ "10.1.0.0/16 tunnel a", "needs 'to MAPPED'" },
		{ "10.1.0.0/16 to 100.64.0.0/16", "needs its target" },
		{ "10.1.0.1/16 to 100.64.0.0/16 tunnel a", "host bits" },
		{ "0.0.0.0/0 to 0.0.0.0/0 tunnel a", "not the default route" },
		{ "10.1.0.0/16 to 100.64.0.0/16 tunnel a dev b", "one target" },
		{ "10.1.0.0/16 to 100.64.0.0/16 via a", "unexpected 'via'" },
	};
	struct xlat_spec s;
	char err[256], buf[160];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		assert_int_equal(parse(bad[i].text, &s, true, err), -1);
		if (!strstr(err, bad[i].want))
			fail_msg("'%s': got '%s', want '%s'", bad[i].text, err, bad[i].want);
	}
	assert_int_equal(parse("10.1.0.0/16 tunnel a", &s, false, err), 0); /* del */
	assert_int_equal(parse("fd01:203:405::/48 to 2001:db8:1::/48 dev eth2", &s, true, err), 0);
	assert_string_equal(xlat_spec_str(&s, buf, sizeof(buf)), "fd01:203:405::/48 to 2001:db8:1::/48 dev eth2");
}

static void expect_map(const char *text, bool out, const char *from, const char *want)
{
	struct xfwd_xlat_rule r = rule(text, 1);
	struct xaddr a, to;
	char got[XADDR_STRLEN];

	assert_int_equal(xaddr_parse(from, &a), 0);
	assert_true(xlat_addr(&r, out, &a, &to));
	assert_string_equal(xaddr_str(&to, got), want);
}

static void test_mapping(void **state)
{
	struct xfwd_xlat_rule r = rule("10.1.0.0/16 to 100.64.0.0/16 tunnel a", 1);
	struct xaddr a, to;

	(void)state;
	expect_map("10.1.0.0/16 to 100.65.0.0/16 tunnel a", false, "10.1.7.9", "100.65.7.9");
	expect_map("10.1.0.0/16 to 100.65.0.0/16 tunnel a", true, "100.65.7.9", "10.1.7.9");
	expect_map("10.1.2.0/23 to 172.16.8.0/23 tunnel a", false, "10.1.3.255", "172.16.9.255");
	/* RFC 6296 3.2's example, both ways. */
	expect_map("fd01:203:405::/48 to 2001:db8:1::/48 tunnel a", false, "fd01:203:405:1::1234",
		   "2001:db8:1:d550::1234");
	expect_map("fd01:203:405::/48 to 2001:db8:1::/48 tunnel a", true, "2001:db8:1:d550::1234",
		   "fd01:203:405:1::1234");
	expect_map("fd00:40::/120 to 2001:db8:64::100/120 tunnel a", false, "fd00:40::7", "2001:db8:64::107");
	assert_int_equal(xaddr_parse("10.2.0.1", &a), 0);
	assert_false(xlat_addr(&r, false, &a, &to)); /* outside the prefix */
}

static uint32_t sum(const uint8_t *a)
{
	uint32_t s = 0;

	for (int i = 0; i < 16; i += 2)
		s += (uint32_t)(a[i] << 8 | a[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff ? 0 : s; /* 0 and 0xffff are one value */
}

/* NPTv6 maps every address to one whose one's complement sum is the
 * same (so no checksum changes), and back to itself: /48 and /56. */
static void test_npt_neutral(void **state)
{
	static const char *const rules[] = { "fd01:203:405::/48 to 2001:db8:1::/48 tunnel a",
					     "fd77:1:2:300::/56 to 2001:db8:aa:bb00::/56 tunnel a" };
	uint32_t seed = 1;

	(void)state;
	for (int k = 0; k < 2; k++) {
		struct xfwd_xlat_rule r = rule(rules[k], 1);
		struct xprefix real, mapped;

		xlat_rule_prefixes(&r, &real, &mapped);
		for (int i = 0; i < 2000; i++) {
			struct xaddr a = real.addr, to, back;

			for (unsigned int b = real.len / 8; b < 16; b++) {
				seed = seed * 1103515245 + 12345;
				a.bytes[b] = (uint8_t)(b == real.len / 8 && real.len % 8 ? a.bytes[b] : seed >> 16);
			}
			if (a.bytes[6] == 0xff && a.bytes[7] == 0xff)
				continue; /* the subnet word 0xffff maps to 0 and back to 0: RFC 6296 4.3 */
			assert_true(xlat_addr(&r, false, &a, &to));
			assert_int_equal(sum(to.bytes), sum(a.bytes));
			assert_true(xlat_addr(&r, true, &to, &back));
			assert_memory_equal(back.bytes, a.bytes, 16);
		}
	}
}

static void test_overlap(void **state)
{
	struct xfwd_xlat_rule a = rule("10.1.0.0/16 to 100.64.0.0/16 tunnel a", 1);
	struct xfwd_xlat_rule b = rule("10.1.128.0/17 to 100.99.0.0/17 tunnel a", 1);
	struct xfwd_xlat_rule c = rule("10.2.0.0/16 to 100.64.0.0/16 tunnel a", 1);
	struct xfwd_xlat_rule d = rule("10.1.0.0/16 to 100.65.0.0/16 tunnel a", 2);
	struct xfwd_xlat_rule e = rule("10.2.0.0/16 to 100.65.0.0/16 tunnel a", 1);

	(void)state;
	assert_true(xlat_rules_overlap(&a, &b));  /* real inside real */
	assert_true(xlat_rules_overlap(&a, &c));  /* same mapped */
	assert_false(xlat_rules_overlap(&a, &d)); /* another tunnel: the point of it */
	assert_false(xlat_rules_overlap(&a, &e));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grammar),
		cmocka_unit_test(test_mapping),
		cmocka_unit_test(test_npt_neutral),
		cmocka_unit_test(test_overlap),
	};

	return cmocka_run_group_tests_name("xlat_rules", tests, NULL, NULL);
}
