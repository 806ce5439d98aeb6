// SPDX-License-Identifier: GPL-2.0-only
/* 1:1 prefix translation rules: grammar, records, trie entries
 * (docs/translation.md). */
#include "xlat.h"
#include "words.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static int prefix_word(struct args *a, const char *w, struct xprefix *p)
{
	char msg[160];

	if (!w)
		return arg_fail(a, "a translation starts with its real prefix (REAL to MAPPED tunnel NAME|dev DEV)");
	if (xprefix_parse(w, p, msg, sizeof(msg)))
		return arg_fail(a, "'%s': %s", w, msg);
	if (!p->len)
		return arg_fail(a, "'%s': a translation maps a prefix, not the default route", w);
	return 0;
}

static int spec_target(struct args *a, const char *w, struct xlat_spec *s)
{
	if (!arg_is(w, "tunnel") && !arg_is(w, "dev"))
		return arg_fail(a, "unexpected '%s' (REAL to MAPPED tunnel NAME|dev DEV)", w);
	if (s->name[0])
		return arg_fail(a, "a translation has one target: 'tunnel NAME' or 'dev DEV'");
	s->tunnel = arg_is(w, "tunnel");
	return copy_dev(a, arg_value(a, w), s->name);
}

static int spec_check(struct args *a, const struct xlat_spec *s, bool need_mapped)
{
	char r[XPREFIX_STRLEN], m[XPREFIX_STRLEN];

	if (!s->name[0])
		return arg_fail(a, "a translation needs its target: 'tunnel NAME' (after decapsulation) or 'dev DEV'");
	if (!s->mapped.addr.family)
		return need_mapped ? arg_fail(a, "a translation needs 'to MAPPED', a prefix of the same length") : 0;
	xprefix_str(&s->real, r);
	xprefix_str(&s->mapped, m);
	if (s->real.addr.family != s->mapped.addr.family)
		return arg_fail(a, "%s to %s: both prefixes must be IPv4 or both IPv6", r, m);
	if (s->real.len != s->mapped.len)
		return arg_fail(a, "%s to %s: a 1:1 translation maps prefixes of the same length", r, m);
	return 0;
}

int xlat_spec_parse(int argc, char **argv, struct xlat_spec *s, bool need_mapped, char *err,
		    size_t errlen)
{
	struct args a = { argc, argv, 0, err, errlen };
	const char *w;

	memset(s, 0, sizeof(*s));
	if (prefix_word(&a, arg_next(&a), &s->real))
		return -1;
	while ((w = arg_next(&a))) {
		if (arg_is(w, "to")) {
			if (s->mapped.addr.family)
				return arg_fail(&a, "'to' given twice");
			if (prefix_word(&a, arg_value(&a, w), &s->mapped))
				return -1;
		} else if (spec_target(&a, w, s)) {
			return -1;
		}
	}
	return spec_check(&a, s, need_mapped);
}

const char *xlat_spec_str(const struct xlat_spec *s, char *buf, size_t len)
{
	char r[XPREFIX_STRLEN], m[XPREFIX_STRLEN];

	snprintf(buf, len, "%s to %s %s %s", xprefix_str(&s->real, r), xprefix_str(&s->mapped, m),
		 s->tunnel ? "tunnel" : "dev", s->name);
	return buf;
}

static void to16(const struct xaddr *a, uint8_t out[16])
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (a->family == AF_INET) {
		memcpy(out, mapped, 12);
		memcpy(out + 12, a->bytes, 4);
	} else {
		memcpy(out, a->bytes, 16);
	}
}

static void from16(const uint8_t in[16], bool v4, struct xaddr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = v4 ? AF_INET : AF_INET6;
	memcpy(a->bytes, v4 ? in + 12 : in, v4 ? 4 : 16);
}

void xlat_rule_of(const struct xlat_spec *s, uint32_t target, struct xfwd_xlat_rule *r)
{
	memset(r, 0, sizeof(*r));
	to16(&s->real.addr, r->real);
	to16(&s->mapped.addr, r->mapped);
	r->target = target;
	r->len = (uint8_t)s->real.len;
	r->flags = XFWD_XLAT_R_USED | (s->tunnel ? XFWD_XLAT_R_TUNNEL : 0) |
		   (s->real.addr.family == AF_INET ? XFWD_XLAT_R_V4 : 0);
}

void xlat_rule_prefixes(const struct xfwd_xlat_rule *r, struct xprefix *real, struct xprefix *mapped)
{
	bool v4 = r->flags & XFWD_XLAT_R_V4;

	from16(r->real, v4, &real->addr);
	from16(r->mapped, v4, &mapped->addr);
	real->len = mapped->len = r->len;
}

uint32_t xlat_rule_bind(const struct xfwd_xlat_rule *r)
{
	return r->flags & XFWD_XLAT_R_TUNNEL ? xfwd_xlat_bind_tunnel(r->target)
					     : xfwd_xlat_bind_port(r->target);
}

/* One's complement sum of a 16-byte prefix's 16-bit words as memory
 * holds them (the order XDP sums them in). */
static uint16_t sum16(const uint8_t a[16])
{
	uint32_t s = 0;
	uint16_t w;

	for (int i = 0; i < 16; i += 2) {
		memcpy(&w, a + i, 2);
		s += w;
	}
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* NPTv6's adjustment from prefix `from` to prefix `to` (RFC 6296 3.1):
 * sum(from) - sum(to), one's complement. */
static uint16_t npt_adj(const uint8_t from[16], const uint8_t to[16])
{
	uint32_t s = (uint32_t)sum16(from) + (uint16_t)~sum16(to);

	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void entry(const uint8_t *from, const uint8_t *to, const struct xfwd_xlat_rule *r,
		  uint32_t target, uint32_t slot, struct xfwd_xlat_key *k, struct xfwd_xlat_val *v)
{
	bool v4 = r->flags & XFWD_XLAT_R_V4;

	memset(k, 0, sizeof(*k));
	memset(v, 0, sizeof(*v));
	k->prefixlen = 32 + (v4 ? 96 : 0) + r->len;
	k->target = target;
	memcpy(k->addr, from, 16);
	memcpy(v->to, to, 16);
	v->slot = slot;
	v->len = r->len;
	v->mode = !v4 && r->len <= 64 ? XFWD_XLAT_NPT : XFWD_XLAT_NETMAP;
	if (v->mode == XFWD_XLAT_NPT)
		v->adj = npt_adj(from, to);
}

void xlat_entries(const struct xfwd_xlat_rule *r, uint32_t slot, struct xfwd_xlat_key k[2],
		  struct xfwd_xlat_val v[2])
{
	uint32_t b = xlat_rule_bind(r);

	entry(r->real, r->mapped, r, b, slot, &k[0], &v[0]);
	entry(r->mapped, r->real, r, XFWD_XLAT_OUT | b, slot, &k[1], &v[1]);
}

static bool overlap16(const uint8_t *a, const uint8_t *b, unsigned int bits)
{
	unsigned int i;

	for (i = 0; i + 8 <= bits; i += 8)
		if (a[i / 8] != b[i / 8])
			return false;
	return bits % 8 == 0 || !((a[i / 8] ^ b[i / 8]) & (0xff00 >> (bits % 8)));
}

bool xlat_rules_overlap(const struct xfwd_xlat_rule *a, const struct xfwd_xlat_rule *b)
{
	unsigned int off = a->flags & XFWD_XLAT_R_V4 ? 96 : 0;
	unsigned int bits = off + (a->len < b->len ? a->len : b->len);

	if (xlat_rule_bind(a) != xlat_rule_bind(b) || (a->flags ^ b->flags) & XFWD_XLAT_R_V4)
		return false;
	return overlap16(a->real, b->real, bits) || overlap16(a->mapped, b->mapped, bits);
}

/* NPT: the word after the prefix that takes the difference (RFC 6296
 * 3.2; for prefixes longer than /48 the first interface-identifier word
 * that is not 0xffff, as Linux's ip6t_NPT), or -1. */
static int npt_word(const uint8_t a[16], unsigned int len)
{
	if (len <= 48)
		return 3;
	for (int i = 4; i < 8; i++)
		if (a[2 * i] != 0xff || a[2 * i + 1] != 0xff)
			return i;
	return -1;
}

bool xlat_addr(const struct xfwd_xlat_rule *r, bool out, const struct xaddr *a, struct xaddr *to)
{
	struct xfwd_xlat_key k[2];
	struct xfwd_xlat_val v[2];
	const struct xfwd_xlat_val *e = &v[out];
	unsigned int off = r->flags & XFWD_XLAT_R_V4 ? 96 : 0, bits = off + r->len;
	uint8_t n[16];
	uint32_t w;
	int i;

	xlat_entries(r, 0, k, v);
	to16(a, n);
	if (!overlap16(n, k[out].addr, bits))
		return false;
	for (unsigned int b = off; b < bits; b++) {
		uint8_t m = (uint8_t)(0x80 >> (b % 8));

		n[b / 8] = (uint8_t)((n[b / 8] & ~m) | (e->to[b / 8] & m));
	}
	if (e->mode == XFWD_XLAT_NPT) {
		uint16_t word;

		if ((i = npt_word(n, r->len)) < 0)
			return false;
		memcpy(&word, n + 2 * i, 2);
		w = (uint32_t)word + e->adj;
		w = (w & 0xffff) + (w >> 16);
		word = w == 0xffff ? 0 : (uint16_t)w;
		memcpy(n + 2 * i, &word, 2);
	}
	from16(n, off != 0, to);
	return true;
}
