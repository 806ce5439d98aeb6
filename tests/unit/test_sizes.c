// SPDX-License-Identifier: GPL-2.0-only
/*
 * Map sizes (core/sizes.c, docs/table-sizes.md): the words `xfwd attach`
 * and the daemon's [xfwd] take, what maps made for them hold, and what
 * live maps lack of a later ask (said, since live maps cannot grow).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "loader/core/sizes.h"

/* Unset words take the defaults; tblc-lines means one line unless the
 * table is compact (the map exists, XDP never reads it). */
static void test_info(void **s)
{
	struct map_sizes sz = { 0 };
	struct xfwd_info in;
	char err[128];

	(void)s;
	memset(&in, 0xff, sizeof(in));
	map_sizes_info(&sz, &in);
	assert_int_equal(in.tbl6_nodes, XFWD_DEF_TBL6_NODES);
	assert_int_equal(in.routes4_max, XFWD_DEF_ROUTES4);
	assert_int_equal(in.groups_max, XFWD_DEF_GROUPS);
	assert_int_equal(in.ipv4_table, XFWD_IPV4_TBL24);
	assert_int_equal(in.tblc_lines, 1);
	assert_int_equal(in.tbl6_used, XFWD_TBL6_ROOT_NODES);
	assert_int_equal(in.abi_version, XFWD_ABI_VERSION);
	assert_int_equal(map_size_set(&sz, "ipv4-table", "compact", err, sizeof(err)), 0);
	assert_int_equal(map_size_set(&sz, "tbl6-nodes", "4096", err, sizeof(err)), 0);
	assert_int_equal(map_size_set(&sz, "nexthops", "0x2000", err, sizeof(err)), 0);
	map_sizes_info(&sz, &in);
	assert_int_equal(in.ipv4_table, XFWD_IPV4_COMPACT);
	assert_int_equal(in.tblc_lines, XFWD_DEF_TBLC_LINES);
	assert_int_equal(in.tbl6_nodes, 4096);
	assert_int_equal(in.nexthops_max, 8192);
}

/* Words that are not sizes are left alone (1); bad values name the word
 * and its range. */
static void test_words(void **s)
{
	struct map_sizes sz = { 0 };
	char err[128];

	(void)s;
	assert_int_equal(map_size_set(&sz, "eth0", "x", err, sizeof(err)), 1);
	assert_false(map_size_is("mode"));
	assert_true(map_size_is("tblc-lines"));
	assert_int_equal(map_size_set(&sz, "tblc-lines", "8", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'tblc-lines 8': expected a number from"));
	assert_int_equal(map_size_set(&sz, "groups", "010", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "leading 0"));
	assert_int_equal(map_size_set(&sz, "ipv4-table", "poptrie", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "use 'tbl24' or 'compact'"));
	assert_int_equal(sz.tblc_lines + sz.groups + sz.ipv4_table, 0); /* nothing half-set */
}

/* Live maps against a later ask: each setting they lack, named with
 * what they have; unset words and tblc-lines on tbl24 maps are no
 * difference. */
static void test_differ(void **s)
{
	struct map_sizes made = { .tbl6_nodes = 1024 }, ask = { 0 };
	struct xfwd_info in;
	char buf[512], err[128];
	bool ipv4;

	(void)s;
	map_sizes_info(&made, &in);
	assert_int_equal(map_sizes_differ(&ask, &in, buf, sizeof(buf), &ipv4), 0);
	assert_false(ipv4);
	assert_int_equal(map_sizes_differ(&made, &in, buf, sizeof(buf), &ipv4), 0);
	map_size_set(&ask, "tblc-lines", "4096", err, sizeof(err));
	assert_int_equal(map_sizes_differ(&ask, &in, buf, sizeof(buf), &ipv4), 0);
	map_size_set(&ask, "tbl6-nodes", "2048", err, sizeof(err));
	map_size_set(&ask, "routes6", "1000", err, sizeof(err));
	assert_int_equal(map_sizes_differ(&ask, &in, buf, sizeof(buf), &ipv4), 2);
	assert_string_equal(buf, "routes6 1000 (the maps have 524288), tbl6-nodes 2048 (the maps have 1024)");
	assert_false(ipv4);
	map_size_set(&ask, "ipv4-table", "compact", err, sizeof(err));
	assert_int_equal(map_sizes_differ(&ask, &in, buf, sizeof(buf), &ipv4), 3);
	assert_true(ipv4);
	assert_non_null(strstr(buf, "ipv4-table compact (the maps have tbl24), "));
	/* A buffer too small holds what fits, terminated. */
	assert_int_equal(map_sizes_differ(&ask, &in, buf, 20, &ipv4), 3);
	assert_int_equal(strlen(buf), 19);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_differ),
	};

	return cmocka_run_group_tests_name("sizes", tests, NULL, NULL);
}
