// SPDX-License-Identifier: GPL-2.0-only
/*
 * BFD's control packet and session state machine (core/bfd.c, RFC 5880;
 * docs/bfd.md): the bytes of a packet, the packets 6.8.6 drops, the
 * three-way handshake, the slow rate until up and the configured one
 * after through Poll/Final, detection, a neighbour's Down and AdminDown,
 * timer changes while up, and the jitter's bounds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "loader/core/bfd.h"

#define MS 1000000ull

/* a's packet at now, parsed and given to b; its flags. */
static uint8_t pass(struct bfd_session *a, struct bfd_session *b, uint64_t now)
{
	uint8_t p[BFD_LEN];
	struct bfd_ctrl c;
	const char *why = NULL;

	assert_int_equal(bfd_tx(a, p, now), BFD_LEN);
	if (bfd_parse(p, sizeof(p), &c, &why))
		fail_msg("its own packet dropped: %s", why);
	bfd_rx(b, &c, now);
	return c.flags;
}

static void handshake(struct bfd_session *a, struct bfd_session *b, uint64_t now)
{
	bfd_init(a, 0x10001, 10000, 10000, 3, now);
	bfd_init(b, 0x20002, 10000, 10000, 3, now);
	pass(a, b, now); /* b: down -> init */
	assert_int_equal(b->state, BFD_INIT);
	pass(b, a, now); /* a: down, sees init -> up */
	assert_int_equal(a->state, BFD_UP);
	pass(a, b, now); /* b: init, sees up -> up */
	assert_int_equal(b->state, BFD_UP);
}

static void up_and_settled(struct bfd_session *a, struct bfd_session *b)
{
	handshake(a, b, 0);
	for (int i = 0; i < 3; i++) {
		pass(a, b, 1);
		pass(b, a, 1);
	}
	assert_false(a->poll);
	assert_false(b->poll);
	assert_int_equal(bfd_detect_us(a), 30000);
}

static void test_packet_bytes(void **st)
{
	static const uint8_t want[BFD_LEN] = {
		0x20, 0xc0, 3, 24,                          /* version 1, diag 0; Up; mult 3; length */
		0x00, 0x01, 0x00, 0x01, 0x00, 0x02, 0x00, 0x02, /* discriminators */
		0x00, 0x00, 0x27, 0x10, 0x00, 0x00, 0x27, 0x10, /* 10 ms tx, 10 ms rx */
		0, 0, 0, 0,                                 /* no echo */
	};
	struct bfd_session a, b;
	uint8_t p[BFD_LEN];

	(void)st;
	up_and_settled(&a, &b);
	assert_int_equal(bfd_tx(&a, p, 1), BFD_LEN);
	assert_memory_equal(p, want, BFD_LEN);
}

static void dropped(const uint8_t *p, size_t len, const char *want)
{
	struct bfd_ctrl c;
	const char *why = "";

	assert_int_equal(bfd_parse(p, len, &c, &why), -1);
	if (!strstr(why, want))
		fail_msg("dropped for '%s', not '%s'", why, want);
}

static void test_drops(void **st)
{
	uint8_t good[BFD_LEN] = { 0x20, 0x40, 3, 24, 0, 0, 0, 7 }, p[BFD_LEN];
	struct bfd_ctrl c;
	const char *why;

	(void)st;
	assert_int_equal(bfd_parse(good, sizeof(good), &c, &why), 0);
	assert_int_equal(c.state, BFD_DOWN);
	assert_int_equal(c.my_discr, 7);
	dropped(good, 23, "shorter");
#define BAD(i, v, what) do { memcpy(p, good, sizeof(p)); p[i] = (v); dropped(p, sizeof(p), what); } while (0)
	BAD(0, 0x40, "version");
	BAD(3, 25, "length");
	BAD(3, 20, "length");
	BAD(1, 0x40 | BFD_F_AUTH, "authenticated");
	BAD(2, 0, "multiplier 0");
	BAD(1, 0x40 | BFD_F_MULTI, "multipoint");
	BAD(7, 0, "my discriminator 0");
	BAD(1, 0xc0, "your discriminator 0");
	BAD(1, 0x40 | BFD_F_POLL | BFD_F_FINAL, "both poll and final");
#undef BAD
}

/* Slow (1 s) until up; the configured 10 ms after, asked with Poll and
 * in force from the Final. */
static void test_handshake_rates(void **st)
{
	struct bfd_session a, b;

	(void)st;
	bfd_init(&a, 1, 10000, 10000, 3, 0);
	assert_int_equal(a.adv_tx_us, BFD_SLOW_US);
	handshake(&a, &b, 0);
	assert_true(a.poll);
	assert_int_equal(a.adv_tx_us, 10000);
	assert_int_equal(pass(&a, &b, 1), BFD_F_POLL);
	assert_true(b.final_due);
}

static void test_final_first(void **st)
{
	struct bfd_session a, b;
	uint8_t p[BFD_LEN];
	struct bfd_ctrl c;
	const char *why;

	(void)st;
	handshake(&a, &b, 0);
	pass(&a, &b, 1); /* a's Poll */
	assert_int_equal(bfd_tx(&b, p, 1), BFD_LEN);
	assert_int_equal(bfd_parse(p, sizeof(p), &c, &why), 0);
	assert_int_equal(c.flags & (BFD_F_FINAL | BFD_F_POLL), BFD_F_FINAL);
	bfd_rx(&a, &c, 1);
	assert_false(a.poll);
	assert_int_equal(a.eff_tx_us, 10000);
	assert_int_equal(bfd_detect_us(&a), 30000); /* b advertised its faster tx at once (and sends so) */
	pass(&b, &a, 2); /* b's Poll */
	pass(&a, &b, 2); /* a's Final */
	assert_false(b.poll);
	pass(&b, &a, 3);
	assert_int_equal(bfd_detect_us(&a), 30000);
	assert_int_equal(bfd_tx_interval_us(&a), 10000);
}

static void test_detection(void **st)
{
	struct bfd_session a, b;

	(void)st;
	up_and_settled(&a, &b);
	pass(&b, &a, 100 * MS);
	assert_false(bfd_expire(&a, 100 * MS + 29 * MS));
	assert_int_equal(bfd_due(&a) <= 100 * MS + 30 * MS, 1);
	assert_true(bfd_expire(&a, 100 * MS + 30 * MS));
	assert_int_equal(a.state, BFD_DOWN);
	assert_int_equal(a.diag, BFD_DIAG_EXPIRED);
	assert_int_equal(a.downs, 1);
	assert_int_equal(a.down_diag, BFD_DIAG_EXPIRED);
	assert_int_equal(a.your_discr, 0);
	assert_int_equal(a.adv_tx_us, BFD_SLOW_US); /* slow again at once: not up */
	assert_false(a.poll);
	assert_int_equal(a.next_tx, 100 * MS + 30 * MS); /* the peer is told now */
	assert_false(bfd_expire(&a, 200 * MS)); /* no timer any more */
}

static void test_neighbor_down(void **st)
{
	struct bfd_session a, b;

	(void)st;
	up_and_settled(&a, &b);
	b.state = BFD_DOWN;
	pass(&b, &a, 2);
	assert_int_equal(a.state, BFD_DOWN);
	assert_int_equal(a.diag, BFD_DIAG_NEIGHBOR_DOWN);
	up_and_settled(&a, &b);
	b.state = BFD_ADMIN_DOWN;
	pass(&b, &a, 2);
	assert_int_equal(a.state, BFD_DOWN);
	assert_int_equal(a.diag, BFD_DIAG_NEIGHBOR_DOWN);
	pass(&b, &a, 3); /* AdminDown again: stays down, never init */
	assert_int_equal(a.state, BFD_DOWN);
}

/* 6.8.3: while up, a slower tx and a faster rx wait for the Final. */
static void test_timer_change(void **st)
{
	struct bfd_session a, b;

	(void)st;
	up_and_settled(&a, &b);
	bfd_set_timers(&a, 100000, 5000, 3);
	assert_true(a.poll);
	assert_int_equal(a.eff_tx_us, 10000);
	assert_int_equal(a.eff_rx_us, 10000);
	assert_int_equal(pass(&a, &b, 2), BFD_F_POLL);
	assert_int_equal(bfd_tx_interval_us(&b), 10000); /* b may send as a asks: rx 5 ms, its own tx 10 */
	assert_int_equal(bfd_detect_us(&b), 300000);      /* b judges a by a's new 100 ms */
	assert_int_equal(pass(&b, &a, 2), BFD_F_FINAL);
	assert_false(a.poll);
	assert_int_equal(a.eff_tx_us, 100000);
	assert_int_equal(a.eff_rx_us, 5000);
	assert_int_equal(a.state, BFD_UP);
	/* faster tx, slower rx: at once */
	bfd_set_timers(&a, 10000, 10000, 3);
	assert_int_equal(a.eff_tx_us, 10000);
	assert_int_equal(a.eff_rx_us, 10000);
}

static void test_jitter(void **st)
{
	struct bfd_session a, b;
	uint8_t p[BFD_LEN];
	uint64_t lo = UINT64_MAX, hi = 0;

	(void)st;
	up_and_settled(&a, &b);
	for (uint64_t now = 10 * MS, i = 0; i < 2000; i++) {
		bfd_tx(&a, p, now);
		lo = a.next_tx - now < lo ? a.next_tx - now : lo;
		hi = a.next_tx - now > hi ? a.next_tx - now : hi;
		now = a.next_tx;
	}
	assert_true(lo >= 7500000 && lo < 7700000);
	assert_true(hi <= 10000000 && hi > 9800000);
	a.mult = 1;
	hi = 0;
	for (uint64_t now = 10 * MS, i = 0; i < 2000; i++) {
		bfd_tx(&a, p, now);
		hi = a.next_tx - now > hi ? a.next_tx - now : hi;
		now = a.next_tx;
	}
	assert_true(hi <= 9000000);
}

static void test_peer_wants_none(void **st)
{
	struct bfd_session a, b;
	uint8_t p[BFD_LEN];

	(void)st;
	up_and_settled(&a, &b);
	bfd_set_timers(&b, 10000, 0, 3); /* b: receive nothing */
	pass(&b, &a, 2);
	assert_int_equal(bfd_tx(&a, p, 3), BFD_LEN); /* the Final is still owed */
	assert_int_equal(bfd_tx(&a, p, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_packet_bytes),
		cmocka_unit_test(test_drops),
		cmocka_unit_test(test_handshake_rates),
		cmocka_unit_test(test_final_first),
		cmocka_unit_test(test_detection),
		cmocka_unit_test(test_neighbor_down),
		cmocka_unit_test(test_timer_change),
		cmocka_unit_test(test_jitter),
		cmocka_unit_test(test_peer_wants_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
