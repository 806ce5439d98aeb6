// SPDX-License-Identifier: GPL-2.0-only
/* The words of one filter rule, in the manner of `ip rule` and nft:
 *   [src PREFIX] [dst PREFIX] [proto tcp|udp|sctp|icmp|icmpv6|N]
 *   [sport N[-M]] [dport N[-M]] [icmp-type T[/CODE]] allow|deny|count
 * (docs/filters.md). */
#include "filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "prefix.h"
#include "words.h"
#include "maps/xfwd_hash.h"

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = { { "tcp", 6 }, { "udp", 17 }, { "sctp", 132 }, { "udplite", 136 },
	       { "icmp", 1 }, { "icmpv6", 58 }, { "gre", 47 }, { "esp", 50 } };

/* A prefix into the rule's v4-mapped form; its family in *fam. */
static int rule_prefix(struct args *a, const char *kw, uint8_t *addr, uint8_t *len, int *fam)
{
	const char *v = arg_value(a, kw);
	struct xprefix p;

	if (!v || xprefix_parse(v, &p, a->err, a->errlen))
		return -1;
	if (*fam && *fam != p.addr.family)
		return arg_fail(a, "'%s %s': src and dst of one rule must both be IPv4 or both IPv6", kw, v);
	*fam = p.addr.family;
	memset(addr, 0, 16);
	if (p.addr.family == AF_INET) {
		addr[10] = addr[11] = 0xff;
		memcpy(addr + 12, p.addr.bytes, 4);
		*len = (uint8_t)(96 + p.len);
	} else {
		memcpy(addr, p.addr.bytes, 16);
		*len = (uint8_t)p.len;
	}
	return 0;
}

static int rule_proto(struct args *a, struct xfwd_filter_rule *r)
{
	const char *v = arg_value(a, "proto");
	char *end;
	unsigned long n;

	if (!v)
		return -1;
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (arg_is(v, protos[i].name)) {
			r->proto = protos[i].proto;
			r->flags |= XFWD_FILTER_R_PROTO;
			return 0;
		}
	n = strtoul(v, &end, 10);
	if (!*v || *end || n > 255)
		return arg_fail(a, "'proto %s': use tcp, udp, sctp, udplite, icmp, icmpv6, gre, esp or a number 0-255", v);
	r->proto = (uint8_t)n;
	r->flags |= XFWD_FILTER_R_PROTO;
	return 0;
}

/* N or N-M, each 0..max; sep: '-' for ranges, '/' for type/code. */
static int rule_range(struct args *a, const char *kw, uint32_t max, char sep, uint16_t *lo,
		      uint16_t *hi)
{
	const char *v = arg_value(a, kw);
	char *end;
	unsigned long x, y;

	if (!v)
		return -1;
	x = strtoul(v, &end, 10);
	y = x;
	if (*end == sep && end[1])
		y = strtoul(end + 1, &end, 10);
	if (end == v || *end || x > max || y > max || (sep == '-' && y < x))
		return arg_fail(a, sep == '-' ? "'%s %s': a port or range LOW-HIGH of 0-65535" :
					     "'%s %s': a type 0-255, or TYPE/CODE", kw, v);
	*lo = (uint16_t)x;
	*hi = (uint16_t)y;
	return 0;
}

/* icmp-type T[/C] into sport: T << 8 | C, or T's 256 codes. */
static int rule_icmp(struct args *a, struct xfwd_filter_rule *r)
{
	uint16_t t, c;
	const char *v = arg_peek(a);
	bool code = v && strchr(v, '/');

	if (rule_range(a, "icmp-type", 255, '/', &t, &c))
		return -1;
	r->sport_lo = (uint16_t)(t << 8 | (code ? c : 0));
	r->sport_hi = (uint16_t)(t << 8 | (code ? c : 255));
	r->flags |= XFWD_FILTER_R_ICMP;
	return 0;
}

static int rule_action(struct xfwd_filter_rule *r, const char *w)
{
	if (arg_is(w, "allow") || arg_is(w, "accept"))
		r->action = XFWD_FILTER_ALLOW;
	else if (arg_is(w, "deny") || arg_is(w, "drop"))
		r->action = XFWD_FILTER_DENY;
	else if (arg_is(w, "count"))
		r->action = XFWD_FILTER_COUNT;
	else
		return -1;
	return 0;
}

static int rule_word(struct args *a, struct xfwd_filter_rule *r, const char *w, int *fam,
		     bool *acted)
{
	if (arg_is(w, "src"))
		return rule_prefix(a, w, r->src, &r->src_len, fam);
	if (arg_is(w, "dst"))
		return rule_prefix(a, w, r->dst, &r->dst_len, fam);
	if (arg_is(w, "proto"))
		return rule_proto(a, r);
	if (arg_is(w, "sport"))
		return rule_range(a, w, 65535, '-', &r->sport_lo, &r->sport_hi);
	if (arg_is(w, "dport"))
		return rule_range(a, w, 65535, '-', &r->dport_lo, &r->dport_hi);
	if (arg_is(w, "icmp-type"))
		return rule_icmp(a, r);
	if (*acted || rule_action(r, w))
		return arg_fail(a, "unexpected '%s' in a filter rule: [src PREFIX] [dst PREFIX] [proto P] [sport N[-M]] [dport N[-M]] [icmp-type T[/C]] allow|deny|count", w);
	*acted = true;
	return 0;
}

/* What the words cannot say alone: ports need a protocol with ports,
 * ICMP types ICMP of the rule's family. */
static int rule_check(struct args *a, struct xfwd_filter_rule *r, int fam, bool acted, bool ports)
{
	bool icmp = r->flags & XFWD_FILTER_R_ICMP;

	if (!acted)
		return arg_fail(a, "a filter rule ends in allow, deny or count");
	if (ports && icmp)
		return arg_fail(a, "'icmp-type' and ports exclude each other");
	if (ports && (!(r->flags & XFWD_FILTER_R_PROTO) || !xfwd_proto_has_ports(r->proto)))
		return arg_fail(a, "'sport'/'dport' need 'proto tcp', 'udp', 'sctp' or 'udplite'");
	if (icmp && (!(r->flags & XFWD_FILTER_R_PROTO) || (r->proto != 1 && r->proto != 58)))
		return arg_fail(a, "'icmp-type' needs 'proto icmp' or 'proto icmpv6'");
	if ((r->flags & XFWD_FILTER_R_PROTO) && ((r->proto == 1 && fam == AF_INET6) ||
						 (r->proto == 58 && fam == AF_INET)))
		return arg_fail(a, "'proto %s' does not match the rule's %s prefixes", r->proto == 1 ? "icmp" : "icmpv6",
				fam == AF_INET ? "IPv4" : "IPv6");
	return 0;
}

int filter_rule_parse(int argc, char **argv, struct xfwd_filter_rule *r, char *err, size_t errlen)
{
	struct args a = { argc, argv, 0, err, errlen };
	bool acted = false, ports = false;
	const char *w;
	int fam = 0;

	memset(r, 0, sizeof(*r));
	r->sport_hi = r->dport_hi = 65535;
	while ((w = arg_next(&a))) {
		ports |= arg_is(w, "sport") || arg_is(w, "dport");
		if (rule_word(&a, r, w, &fam, &acted))
			return -1;
	}
	return rule_check(&a, r, fam, acted, ports);
}

/* (tunnel NAME | dev DEV) in|out */
static int spec_target(struct args *a, struct filter_spec *f)
{
	const char *w = arg_next(a), *d;

	if (!w || (!arg_is(w, "tunnel") && !arg_is(w, "dev")))
		return arg_fail(a, "a filter applies to 'tunnel NAME' or 'dev DEV', then 'in' or 'out'");
	f->tunnel = arg_is(w, "tunnel");
	if (copy_dev(a, arg_value(a, w), f->name))
		return -1;
	if (!(d = arg_next(a)) || (!arg_is(d, "in") && !arg_is(d, "out")))
		return arg_fail(a, "after '%s %s': 'in' (what it receives; a tunnel's after decapsulation) or 'out' (what it sends)",
				w, f->name);
	f->dir = arg_is(d, "in") ? XFWD_FILTER_IN : XFWD_FILTER_OUT;
	return 0;
}

int filter_spec_parse(int argc, char **argv, struct filter_spec *f, bool need_rules, char *err,
		      size_t errlen)
{
	struct args a = { argc, argv, 0, err, errlen };
	const char *w, *v;

	memset(f, 0, sizeof(*f));
	if (spec_target(&a, f))
		return -1;
	while (need_rules && (w = arg_next(&a))) {
		if (arg_is(w, "default")) {
			if (!(v = arg_value(&a, w)) || (!arg_is(v, "allow") && !arg_is(v, "deny")))
				return arg_fail(&a, "'default' is 'allow' or 'deny'");
			f->deflt = arg_is(v, "deny") ? XFWD_FILTER_DENY : XFWD_FILTER_ALLOW;
		} else if (arg_is(w, "rules")) {
			if (!(v = arg_value(&a, w)))
				return -1;
			if (strlen(v) >= sizeof(f->rules))
				return arg_fail(&a, "'rules %s': the path is too long", v);
			snprintf(f->rules, sizeof(f->rules), "%s", v);
		} else {
			return arg_fail(&a, "unexpected '%s' (TARGET in|out [default allow|deny] rules FILE)", w);
		}
	}
	if (!need_rules && arg_peek(&a))
		return arg_fail(&a, "unexpected '%s' after the filter's target", arg_peek(&a));
	if (need_rules && !f->rules[0])
		return arg_fail(&a, "a filter needs 'rules FILE' (a rule a line; '-' reads standard input; an empty file binds the default alone)");
	return 0;
}

int filter_rules_parse(char *text, const char *name, struct xfwd_filter_rule **out, char *err,
		       size_t errlen)
{
	struct xfwd_filter_rule *v = NULL, *nv;
	char msg[256], *argv[64], *line, *next, *hash;
	int n = 0, lineno = 0, argc;

	for (line = text; line; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')))
			*next++ = 0;
		if ((hash = strchr(line, '#')))
			*hash = 0;
		if ((argc = words_split(line, argv, 64, msg, sizeof(msg))) == 0)
			continue;
		if (n == (int)XFWD_FILTER_SET_RULES) {
			snprintf(msg, sizeof(msg), "more than %u rules in one set", XFWD_FILTER_SET_RULES);
			argc = -1;
		}
		if (argc > 0 && (nv = realloc(v, (size_t)(n + 1) * sizeof(*v))))
			v = nv;
		else if (argc > 0)
			snprintf(msg, sizeof(msg), "out of memory"), argc = -1;
		if (argc < 0 || filter_rule_parse(argc, argv, &v[n], msg, sizeof(msg))) {
			snprintf(err, errlen, "%s:%d: %s", name, lineno, msg);
			free(v);
			return -1;
		}
		n++;
	}
	*out = v;
	return n;
}

static const char *proto_name(uint8_t p, char *buf)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].proto == p)
			return protos[i].name;
	snprintf(buf, 4, "%u", p);
	return buf;
}

static void prefix_words(const char *kw, const uint8_t *addr, uint8_t len, char *out, size_t n)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	struct xprefix p = { .len = len };
	char buf[XPREFIX_STRLEN];

	if (len >= 96 && !memcmp(addr, mapped, 12)) {
		p.addr.family = AF_INET;
		memcpy(p.addr.bytes, addr + 12, 4);
		p.len = len - 96u;
	} else {
		p.addr.family = AF_INET6;
		memcpy(p.addr.bytes, addr, 16);
	}
	snprintf(out + strlen(out), n - strlen(out), "%s %s ", kw, xprefix_str(&p, buf));
}

static void range_words(const char *kw, uint16_t lo, uint16_t hi, char *out, size_t n)
{
	if (lo == hi)
		snprintf(out + strlen(out), n - strlen(out), "%s %u ", kw, lo);
	else
		snprintf(out + strlen(out), n - strlen(out), "%s %u-%u ", kw, lo, hi);
}

const char *filter_rule_str(const struct xfwd_filter_rule *r, char *buf, size_t len)
{
	static const char *const act[] = { "allow", "deny", "count", "?" };
	char pb[4];

	buf[0] = 0;
	if (r->src_len)
		prefix_words("src", r->src, r->src_len, buf, len);
	if (r->dst_len)
		prefix_words("dst", r->dst, r->dst_len, buf, len);
	if (r->flags & XFWD_FILTER_R_PROTO)
		snprintf(buf + strlen(buf), len - strlen(buf), "proto %s ", proto_name(r->proto, pb));
	if (r->flags & XFWD_FILTER_R_ICMP) {
		snprintf(buf + strlen(buf), len - strlen(buf), "icmp-type %u", r->sport_lo >> 8);
		if ((r->sport_lo & 0xff) == (r->sport_hi & 0xff))
			snprintf(buf + strlen(buf), len - strlen(buf), "/%u", r->sport_lo & 0xff);
		snprintf(buf + strlen(buf), len - strlen(buf), " ");
	} else {
		if (r->sport_lo || r->sport_hi != 65535)
			range_words("sport", r->sport_lo, r->sport_hi, buf, len);
		if (r->dport_lo || r->dport_hi != 65535)
			range_words("dport", r->dport_lo, r->dport_hi, buf, len);
	}
	snprintf(buf + strlen(buf), len - strlen(buf), "%s", act[r->action & 3]);
	return buf;
}
