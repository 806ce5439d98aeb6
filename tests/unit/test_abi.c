// SPDX-License-Identifier: GPL-2.0-only
/* The shared ABI: layouts both compilers must agree on (every struct in a
 * map, member by member, against the BPF objects' BTF), the reason table,
 * the LPM entry encoding and the ECMP member rule. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>

#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>

#include "maps/xfwd_abi.h"
#include "maps/xfwd_bulk.h"
#include "maps/xfwd_hash.h"

/* A member as clang laid it out (the BPF objects' BTF) and as gcc does. */
struct abi_member {
	const char *type, *member;
	size_t btf_off, gcc_off, btf_size, gcc_size;
};
#include "abi_btf.h" /* build/tests/, written by tests/unit/btf_layout.c */

static void test_layout(void **s)
{
	(void)s;
	/* Offsets the XDP program reads; clang (BPF) and gcc must agree. */
	assert_int_equal(offsetof(struct xfwd_nh, ifindex), 4);
	assert_int_equal(offsetof(struct xfwd_nh, addr), 16);
	assert_int_equal(offsetof(struct xfwd_nh, l2), 32);
	assert_int_equal(offsetof(struct xfwd_group, set), 4);
	assert_int_equal(offsetof(struct xfwd_route_key6, addr), 4);
	assert_int_equal(offsetof(struct xfwd_route, prefixlen), 5);
	assert_int_equal(XFWD_HASH_ECMP_MAX, XFWD_ECMP_MAX);
	assert_int_equal(XFWD_HASH_BUCKET_BITS, XFWD_BUCKET_BITS);
}

/* Every struct in a map's key or value, member by member: what the XDP
 * program reads must be where user space writes it. */
static void test_layout_btf(void **s)
{
	int bad = 0;

	(void)s;
	assert_true(sizeof(abi_btf) / sizeof(abi_btf[0]) > 40);
	for (size_t i = 0; i < sizeof(abi_btf) / sizeof(abi_btf[0]); i++) {
		const struct abi_member *m = &abi_btf[i];

		if (m->btf_off == m->gcc_off && m->btf_size == m->gcc_size)
			continue;
		fprintf(stderr, "struct %s: %s at %zu (size %zu) for clang, %zu (size %zu) for gcc\n", m->type,
			m->member, m->btf_off, m->btf_size, m->gcc_off, m->gcc_size);
		bad++;
	}
	assert_int_equal(bad, 0);
}

static void test_reasons(void **s)
{
#define ACT(name, act, desc) XFWD_ACT_##act,
	static const int action[] = { XFWD_REASONS(ACT) };
#undef ACT
	(void)s;
	assert_int_equal(sizeof(action) / sizeof(action[0]), XFWD_R_MAX);
	assert_int_equal(XFWD_R_FWD_TX, 0);
	/* The data path maps a reason to its action by position: drops
	 * last, passes before them, forwards first. */
	for (int r = 0; r < XFWD_R_MAX; r++) {
		if (r < XFWD_R_PASS_NOT_IP)
			assert_true(action[r] == XFWD_ACT_TX || action[r] == XFWD_ACT_REDIRECT);
		else if (r < XFWD_R_DROP_MALFORMED_L2)
			assert_int_equal(action[r], XFWD_ACT_PASS);
		else
			assert_int_equal(action[r], XFWD_ACT_DROP);
	}
}

static void test_lpm_encoding(void **s)
{
	(void)s;
	assert_int_equal(XFWD_LPM_VALID & XFWD_LPM_EXT, 0);
	assert_int_equal((XFWD_LPM_DEPTH_MASK << XFWD_LPM_DEPTH_SHIFT) &
				 (XFWD_LPM_VALID | XFWD_LPM_EXT | XFWD_LPM_TARGET_MASK), 0);
	assert_true(32 <= XFWD_LPM_DEPTH_MASK);
	assert_int_equal(XFWD_TBL24_SIZE, 1u << 24);
}

static void test_choose(void **s)
{
	int seen[16] = { 0 };

	(void)s;
	assert_int_equal(xfwd_choose(12345, 0, 0, 0, 0), -1);
	assert_int_equal(xfwd_choose(12345, 17, 0, 0, 0), -1);
	assert_int_equal(xfwd_choose(12345, 4, 1, 0xf, 0), -1);
	/* Every live member drained: the first live one still takes it. */
	assert_in_range(xfwd_choose(12345, 4, 1, 1u << 1, 0xf), 0, 3);
	for (uint32_t h = 0; h < 100000; h++) {
		uint32_t hash = xfwd_hash3(h, 0, 0), first = xfwd_bucket(hash) % 4;
		int live = xfwd_choose(hash, 4, first, 0, 0);
		int moved = xfwd_choose(hash, 4, first, 1u << 2, 0);
		int spared = xfwd_choose(hash, 4, first, 1u << 2, 1u << 3);

		assert_int_equal(live, (int)first);
		seen[live]++;
		/* Flows of live members stay; the dead member's never land on
		 * it, nor on a drained member while another is alive. */
		if (live != 2) {
			assert_int_equal(moved, live);
		} else {
			assert_int_not_equal(moved, 2);
			assert_true(spared == 0 || spared == 1);
		}
	}
	for (int m = 0; m < 4; m++)
		assert_in_range(seen[m], 22000, 28000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_layout_btf),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_lpm_encoding),
		cmocka_unit_test(test_choose),
	};

	return cmocka_run_group_tests_name("abi", tests, NULL, NULL);
}
