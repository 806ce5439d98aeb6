// SPDX-License-Identifier: GPL-2.0-only
/* The filter compiler (loader/core/filter.c) against the plainest model:
 * rules tried in order, the first that decides wins, count rules on the
 * way counted. Random rule sets and packets; the grammar both ways; the
 * limits refused with their reason. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "loader/core/filter.h"
#include "loader/core/words.h"

static uint32_t seed = 7;

static uint32_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

/* Addresses from a few networks, so rules and packets meet often. */
static void some_addr(uint8_t *a, bool v4)
{
	static const uint8_t nets4[][2] = { { 10, 1 }, { 10, 2 }, { 10, 3 }, { 192, 168 } };
	static const uint8_t nets6[][2] = { { 0x20, 0x01 }, { 0xfd, 0x00 } };

	memset(a, 0, 16);
	if (v4) {
		a[10] = a[11] = 0xff;
		memcpy(a + 12, nets4[rnd() % 4], 2);
		a[14] = (uint8_t)(rnd() % 4);
		a[15] = (uint8_t)rnd();
	} else {
		memcpy(a, nets6[rnd() % 2], 2);
		a[3] = (uint8_t)(rnd() % 4);
		a[15] = (uint8_t)rnd();
	}
}

static bool prefix_has(const uint8_t *p, uint8_t len, const uint8_t *a)
{
	for (unsigned int i = 0; i < len; i++)
		if ((p[i / 8] ^ a[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

static void mask_to(uint8_t *a, uint8_t len)
{
	for (unsigned int i = len; i < 128; i++)
		a[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

/* Ports as rule sets write them: one port mostly, or a usual range. */
static void range(uint16_t *lo, uint16_t *hi)
{
	static const uint16_t usual[][2] = { { 1024, 65535 }, { 0, 1023 }, { 8000, 8099 },
					     { 33434, 33534 } };
	uint32_t k = rnd() % 8;

	if (k < 4) {
		*lo = usual[k][0];
		*hi = usual[k][1];
		return;
	}
	*lo = *hi = (uint16_t)(rnd() % 4000);
}

/* Prefix lengths as rule sets write them: a few, since the search's cost
 * (and the set's limit) is the number of distinct shapes. */
static unsigned int nlens = 4; /* how many of them a set uses */

static uint8_t some_len(void)
{
	static const uint8_t lens[] = { 16, 24, 32, 8 };

	return lens[rnd() % nlens];
}

static void random_rule(struct xfwd_filter_rule *r)
{
	bool v4 = rnd() % 3;
	uint32_t kind = rnd() % 10;

	memset(r, 0, sizeof(*r));
	r->sport_hi = r->dport_hi = 65535;
	if (rnd() % 4) {
		some_addr(r->src, v4);
		r->src_len = (uint8_t)((v4 ? 96 : 16) + some_len());
		mask_to(r->src, r->src_len);
	}
	if (rnd() % 2) {
		some_addr(r->dst, v4);
		r->dst_len = (uint8_t)((v4 ? 96 : 16) + some_len());
		mask_to(r->dst, r->dst_len);
	}
	if (kind < 6) {
		r->flags |= XFWD_FILTER_R_PROTO;
		r->proto = kind < 3 ? 6 : 17;
		if (rnd() % 2)
			range(&r->dport_lo, &r->dport_hi);
		if (rnd() % 8 == 0)
			range(&r->sport_lo, &r->sport_hi);
	} else if (kind < 8) {
		uint16_t t = (uint16_t)(rnd() % 4 * 3);

		r->flags |= XFWD_FILTER_R_PROTO | XFWD_FILTER_R_ICMP;
		r->proto = v4 ? 1 : 58;
		r->sport_lo = (uint16_t)(t << 8);
		r->sport_hi = (uint16_t)(t << 8 | 255);
	}
	r->action = (uint8_t)(rnd() % 10 < 2 ? XFWD_FILTER_COUNT : rnd() % 2);
}

static void random_pkt(struct filter_pkt *p, uint16_t set)
{
	bool v4 = rnd() % 3;
	uint32_t k = rnd() % 10;

	memset(p, 0, sizeof(*p));
	p->k.set = set;
	some_addr(p->k.src, v4);
	some_addr(p->k.dst, v4);
	p->k.proto = k < 4 ? 6 : k < 8 ? 17 : (v4 ? 1 : 58);
	p->later_frag = rnd() % 10 == 0;
	if (p->later_frag)
		return;
	if (p->k.proto == 1 || p->k.proto == 58) {
		p->k.sport = htons((uint16_t)(rnd() % 10 << 8 | rnd() % 3));
		return;
	}
	p->k.sport = htons((uint16_t)rnd());
	p->k.dport = htons((uint16_t)(rnd() % 2 ? rnd() % 4000 : rnd()));
}

static bool rule_matches(const struct xfwd_filter_rule *r, const struct filter_pkt *p)
{
	bool ports = r->sport_lo || r->sport_hi != 65535 || r->dport_lo || r->dport_hi != 65535;
	uint16_t sp = ntohs(p->k.sport), dp = ntohs(p->k.dport);

	if (!prefix_has(r->src, r->src_len, p->k.src) || !prefix_has(r->dst, r->dst_len, p->k.dst))
		return false;
	if ((r->flags & XFWD_FILTER_R_PROTO) && r->proto != p->k.proto)
		return false;
	if (!ports)
		return true;
	return !p->later_frag && sp >= r->sport_lo && sp <= r->sport_hi && dp >= r->dport_lo &&
	       dp <= r->dport_hi;
}

/* First match wins; count rules counted on the way, at most
 * XFWD_FILTER_PASSES slots counted, then the default decides. */
static uint8_t linear(const struct xfwd_filter_rule *r, uint32_t n, uint32_t base, uint8_t deflt,
		      const struct filter_pkt *p, uint32_t *counted, int *nc)
{
	*nc = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (!rule_matches(&r[i], p))
			continue;
		counted[(*nc)++] = base + i;
		if (r[i].action != XFWD_FILTER_COUNT)
			return r[i].action;
		if (*nc == (int)XFWD_FILTER_PASSES)
			return deflt;
	}
	counted[(*nc)++] = base + n;
	return deflt;
}

static int compare_sets(uint32_t n, uint32_t packets)
{
	struct xfwd_filter_rule *r = calloc(n, sizeof(*r));
	struct filter_build b;
	uint32_t want[16], got[16], base = 100;
	int nw, ng, tries = 0;
	char err[256];

	assert_non_null(r);
	do { /* a random set may need more than 32 tuples: draw again */
		for (uint32_t i = 0; i < n; i++)
			random_rule(&r[i]);
		tries++;
	} while (filter_compile(r, n, base, 5, XFWD_FILTER_DENY, &b, err, sizeof(err)) && tries < 50);
	if (tries == 50)
		fail_msg("no set of %u rules compiled: %s", n, err);
	for (uint32_t i = 0; i < packets; i++) {
		struct filter_pkt p;
		uint8_t w, g;

		random_pkt(&p, 5);
		w = linear(r, n, base, XFWD_FILTER_DENY, &p, want, &nw);
		g = filter_decide_model(&b, &p, got, &ng);
		if (w != g || nw != ng || memcmp(want, got, (size_t)nw * sizeof(*want)))
			fail_msg("packet %u: linear says %u after %d rules (first %u), compiled %u after %d (first %u)",
				 i, w, nw, want[0], g, ng, got[0]);
	}
	print_message("filter: %u rules, %u tuples, %zu entries, %u packets agree\n", n, b.set.ntuples,
		      b.n, packets);
	filter_build_free(&b);
	free(r);
	return 0;
}

static void random_sets(void **s)
{
	(void)s;
	for (int i = 0; i < 40; i++)
		compare_sets(1 + rnd() % 40, 5000);
	nlens = 2; /* a large set of few shapes, as real ones are */
	compare_sets(400, 50000);
	nlens = 4;
}

static int parse_line(const char *line, struct xfwd_filter_rule *r, char *err)
{
	char buf[256], *argv[32];
	int argc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = words_split(buf, argv, 32, err, 256);
	return argc < 0 ? -1 : filter_rule_parse(argc, argv, r, err, 256);
}

static void refused(const char *line, const char *why)
{
	struct xfwd_filter_rule r;
	char err[256] = "";

	assert_int_equal(parse_line(line, &r, err), -1);
	if (!strstr(err, why))
		fail_msg("'%s': error '%s' lacks '%s'", line, err, why);
}

static void grammar(void **s)
{
	static const char *const good[] = {
		"src 10.1.0.0/16 dst 10.2.0.0/16 proto tcp dport 443 allow",
		"proto udp sport 1024-65535 dport 53 count",
		"src 2001:db8::/32 proto icmpv6 icmp-type 128 allow",
		"proto icmp icmp-type 3/4 deny",
		"dst 192.0.2.0/24 proto 47 deny",
		"allow",
	};
	struct xfwd_filter_rule r, r2;
	char err[256], text[256];

	(void)s;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (parse_line(good[i], &r, err))
			fail_msg("'%s': %s", good[i], err);
		assert_string_equal(filter_rule_str(&r, text, sizeof(text)),
				    strcmp(good[i], "dst 192.0.2.0/24 proto 47 deny") ? good[i]
										 : "dst 192.0.2.0/24 proto gre deny");
		assert_int_equal(parse_line(text, &r2, err), 0);
		assert_memory_equal(&r, &r2, sizeof(r));
	}
	refused("src 10.0.0.0/8 dst 2001:db8::/32 allow", "must both be IPv4 or both IPv6");
	refused("dport 80 allow", "need 'proto tcp'");
	refused("proto icmp dport 80 allow", "need 'proto tcp'");
	refused("icmp-type 8 allow", "needs 'proto icmp'");
	refused("src 10.0.0.0/8 proto icmpv6 allow", "does not match the rule's IPv4");
	refused("proto tcp dport 90-80 allow", "a port or range LOW-HIGH");
	refused("proto tcp", "ends in allow, deny or count");
	refused("allow deny", "unexpected 'deny'");
	refused("proto bogus allow", "use tcp, udp");
	refused("src 10.0.0.1/8 allow", "host bits");
}

/* The limits, refused whole with the rule that passed them. */
static void limits(void **s)
{
	struct xfwd_filter_rule r[70] = { 0 };
	struct filter_build b;
	char err[256];

	(void)s;
	for (int i = 0; i < 70; i++) { /* 70 shapes: source lengths, dst or not */
		r[i].src_len = (uint8_t)(96 + i % 33);
		r[i].src[10] = r[i].src[11] = 0xff;
		r[i].sport_hi = r[i].dport_hi = 65535;
		r[i].action = XFWD_FILTER_ALLOW;
		r[i].dst_len = (uint8_t)(i / 33);
	}
	assert_int_equal(filter_compile(r, 70, 0, 1, 0, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "rule 65: the set needs more than 64 tuples"));
	for (int i = 0; i < 9; i++) { /* nine ranges of one key */
		memset(&r[i], 0, sizeof(r[i]));
		r[i].flags = XFWD_FILTER_R_PROTO;
		r[i].proto = 6;
		r[i].sport_hi = 65535;
		r[i].dport_lo = (uint16_t)(1000 * i);
		r[i].dport_hi = (uint16_t)(1000 * i + 10);
		r[i].action = XFWD_FILTER_DENY;
	}
	assert_int_equal(filter_compile(r, 9, 0, 1, 0, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "rule 9: more than 8 rules share its addresses"));
	assert_int_equal(filter_compile(r, 8, 0, 1, 0, &b, err, sizeof(err)), 0);
	assert_int_equal(b.set.ntuples, 1);
	filter_build_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grammar),
		cmocka_unit_test(limits),
		cmocka_unit_test(random_sets),
	};

	return cmocka_run_group_tests_name("filter", tests, NULL, NULL);
}
