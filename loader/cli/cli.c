// SPDX-License-Identifier: GPL-2.0-only
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>

struct args {
	int argc;
	char **argv;
	int i;
	char *err;
	size_t errlen;
};

static int fail(struct args *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->err, a->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *peek(struct args *a)
{
	return a->i < a->argc ? a->argv[a->i] : NULL;
}

static const char *next(struct args *a)
{
	return a->i < a->argc ? a->argv[a->i++] : NULL;
}

static bool is(const char *s, const char *word)
{
	return s && !strcmp(s, word);
}

/* The value after a keyword; errors name the keyword. */
static const char *value(struct args *a, const char *kw)
{
	const char *v = next(a);

	if (!v)
		fail(a, "'%s' needs a value", kw);
	return v;
}

static int parse_u32(struct args *a, const char *kw, uint32_t min,
		     uint32_t max, uint32_t *out)
{
	const char *v = value(a, kw);
	unsigned long long n;
	char *end;

	if (!v)
		return -1;
	if (v[0] == '0' && v[1] >= '0' && v[1] <= '9')
		return fail(a, "'%s %s': a leading 0 reads as octal elsewhere; write %s (decimal) or 0x%llx (hex)",
			    kw, v, v + strspn(v, "0"), strtoull(v, NULL, 8));
	errno = 0;
	n = strtoull(v, &end, 0);
	if (errno || *end || end == v || *v == '-' || *v == '+' || n < min || n > max)
		return fail(a, "'%s %s': expected a number from %u to %u", kw,
			    v, min, max);
	*out = (uint32_t)n;
	return 0;
}

/* "02:0:ab:00:00:1": six groups of one or two hex digits. */
static int parse_mac(const char *v, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		size_t n = strspn(v, "0123456789abcdefABCDEF");

		if (n < 1 || n > 2 || v[n] != (i < 5 ? ':' : '\0'))
			return -1;
		mac[i] = (uint8_t)strtoul(v, NULL, 16);
		v += n + 1;
	}
	return 0;
}

/* The kernel's own rule (dev_valid_name): 1 to 15 characters, not "."
 * or "..", no '/', ':' or white space. */
static bool ifname_ok(const char *n)
{
	if (!*n || strlen(n) >= IFNAME_LEN || !strcmp(n, ".") || !strcmp(n, ".."))
		return false;
	for (; *n; n++)
		if (*n == '/' || *n == ':' || isspace((unsigned char)*n))
			return false;
	return true;
}

static int copy_dev(struct args *a, const char *name, char *dst)
{
	if (!name || !ifname_ok(name))
		return fail(a, "'%s' is not an interface name (1 to 15 characters, no '/', ':' or space)",
			    name ? name : "");
	strcpy(dst, name);
	return 0;
}

static int parse_attach(struct args *a, struct cli_req *r)
{
	static const struct {
		const char *kw;
		size_t off;
		uint32_t max;
	} sizes[] = {
		{ "tbl8-groups", offsetof(struct map_sizes, tbl8_groups), 1u << 16 },
		{ "routes4", offsetof(struct map_sizes, routes4), 1u << 24 },
		{ "routes6", offsetof(struct map_sizes, routes6), 1u << 24 },
		{ "nexthops", offsetof(struct map_sizes, nexthops), 1u << 20 },
		{ "groups", offsetof(struct map_sizes, groups), 1u << 20 },
	};
	const char *w;

	while ((w = next(a))) {
		size_t k;

		if (is(w, "mode")) {
			const char *m = value(a, "mode");

			if (!m)
				return -1;
			if (is(m, "native"))
				r->mode = XFWD_MODE_NATIVE;
			else if (is(m, "generic"))
				r->mode = XFWD_MODE_GENERIC;
			else
				return fail(a, "mode '%s': use 'native' or 'generic'", m);
			continue;
		}
		for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++)
			if (is(w, sizes[k].kw))
				break;
		if (k < sizeof(sizes) / sizeof(sizes[0])) {
			if (parse_u32(a, w, 1, sizes[k].max,
				      (uint32_t *)((char *)&r->sizes + sizes[k].off)))
				return -1;
			continue;
		}
		if (r->ndevs == CLI_MAX_DEVS)
			return fail(a, "at most %d devices at once", CLI_MAX_DEVS);
		if (copy_dev(a, w, r->devs[r->ndevs++]))
			return -1;
	}
	if (r->cmd == CMD_ATTACH && !r->ndevs)
		return fail(a, "attach needs at least one device: xfwd attach DEV... [mode native|generic]");
	return 0;
}

static const char *family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

static int parse_via(struct args *a, struct cli_req *r)
{
	struct cli_via *v;
	const char *gw = value(a, "via"), *kw;

	if (!gw)
		return -1;
	if (r->nvia == (int)XFWD_ECMP_MAX)
		return fail(a, "at most %u 'via' next hops per route", XFWD_ECMP_MAX);
	v = &r->via[r->nvia++];
	if (xaddr_parse(gw, &v->gw))
		return fail(a, "'via %s': not an IPv4 or IPv6 address", gw);
	kw = next(a);
	if (!is(kw, "dev"))
		return fail(a, "'via %s' needs 'dev DEV' after it (the interface the next hop is on)", gw);
	return copy_dev(a, value(a, "dev"), v->dev);
}

static int parse_route_target(struct args *a, struct cli_req *r)
{
	const char *w;

	while ((w = next(a))) {
		if (is(w, "via")) {
			if (parse_via(a, r))
				return -1;
		} else if (is(w, "tunnel")) {
			if (r->nvia + r->ntunnels == (int)XFWD_ECMP_MAX)
				return fail(a, "at most %u next hops per route", XFWD_ECMP_MAX);
			if (copy_dev(a, value(a, "tunnel"), r->tunnels[r->ntunnels++]))
				return -1;
		} else if (is(w, "blackhole") || is(w, "kernel")) {
			if (r->kind)
				return fail(a, "give one of 'blackhole', 'kernel' or 'via ... dev ...'");
			r->kind = is(w, "blackhole") ? XFWD_NH_BLACKHOLE : XFWD_NH_KERNEL;
		} else {
			return fail(a, "unexpected '%s' (expected 'via ADDR dev DEV', 'tunnel NAME', 'blackhole' or 'kernel')", w);
		}
	}
	if (r->kind && (r->nvia || r->ntunnels))
		return fail(a, "a route is either 'via ...' or '%s', not both",
			    r->kind == XFWD_NH_BLACKHOLE ? "blackhole" : "kernel");
	if (!r->kind && !r->nvia && !r->ntunnels)
		return fail(a, "missing next hop: add 'via ADDR dev DEV', 'tunnel NAME', 'blackhole' or 'kernel'");
	for (int i = 0; i < r->nvia; i++) {
		char g[XADDR_STRLEN], p[XPREFIX_STRLEN];

		if (r->via[i].gw.family != r->prefix.addr.family)
			return fail(a, "'via %s' is %s but %s is %s: a gateway is of the route's family",
				    xaddr_str(&r->via[i].gw, g), family_name(r->via[i].gw.family),
				    xprefix_str(&r->prefix, p), family_name(r->prefix.addr.family));
	}
	if (r->nvia || r->ntunnels)
		r->kind = XFWD_NH_DIRECT; /* members listed in via[] and tunnels[] */
	return 0;
}

static int parse_prefix_arg(struct args *a, struct cli_req *r, bool required)
{
	const char *p = peek(a);

	if (!p) {
		if (required)
			return fail(a, "missing PREFIX (e.g. 10.1.0.0/16)");
		return 0;
	}
	next(a);
	r->has_prefix = true;
	return xprefix_parse(p, &r->prefix, a->err, a->errlen) ? -1 : 0;
}

static int parse_proto(struct args *a, struct cli_req *r)
{
	const char *p = value(a, "proto");
	uint32_t n;

	if (!p)
		return -1;
	if (is(p, "tcp"))
		r->proto = IPPROTO_TCP;
	else if (is(p, "udp"))
		r->proto = IPPROTO_UDP;
	else if (is(p, "icmp"))
		r->proto = IPPROTO_ICMP;
	else if (is(p, "icmpv6"))
		r->proto = IPPROTO_ICMPV6;
	else {
		a->i--;
		if (parse_u32(a, "proto", 0, 255, &n))
			return -1;
		r->proto = (uint8_t)n;
	}
	return 0;
}

static int parse_route_get(struct args *a, struct cli_req *r)
{
	const char *d = next(a), *w;
	uint32_t n;

	if (!d || xaddr_parse(d, &r->dst))
		return fail(a, "route get needs an address: xfwd route get ADDR [from ADDR] [proto tcp|udp|N] [sport N] [dport N]");
	while ((w = next(a))) {
		if (is(w, "from")) {
			const char *s = value(a, "from");

			if (!s || xaddr_parse(s, &r->src))
				return fail(a, "'from' needs an address");
			r->has_src = true;
		} else if (is(w, "proto")) {
			if (parse_proto(a, r))
				return -1;
		} else if (is(w, "sport") || is(w, "dport")) {
			if (parse_u32(a, w, 0, 65535, &n))
				return -1;
			*(is(w, "sport") ? &r->sport : &r->dport) = (uint16_t)n;
		} else {
			return fail(a, "unexpected '%s' after route get", w);
		}
	}
	if (r->has_src && r->src.family != r->dst.family)
		return fail(a, "'from' and the destination must be the same family");
	return 0;
}

static int parse_route(struct args *a, struct cli_req *r)
{
	const char *c = next(a);

	if (!c || is(c, "show") || is(c, "list")) {
		r->cmd = CMD_ROUTE_SHOW;
		return parse_prefix_arg(a, r, false);
	}
	if (is(c, "get")) {
		r->cmd = CMD_ROUTE_GET;
		return parse_route_get(a, r);
	}
	if (is(c, "add") || is(c, "replace") || is(c, "del") || is(c, "delete")) {
		r->cmd = is(c, "add")	    ? CMD_ROUTE_ADD
			 : is(c, "replace") ? CMD_ROUTE_REPLACE
					    : CMD_ROUTE_DEL;
		if (parse_prefix_arg(a, r, true))
			return -1;
		if (r->cmd == CMD_ROUTE_DEL)
			return peek(a) ? fail(a, "unexpected '%s' after route del PREFIX", peek(a)) : 0;
		return parse_route_target(a, r);
	}
	return fail(a, "unknown route command '%s' (add, replace, del, show, get)", c);
}

/* probe udp | probe icmp PEER from SRC, probe-interval MS,
 * probe-multiplier N, hold-down MS (docs/health.md). */
static int parse_probe_opt(struct args *a, struct xfwd_probe_cfg *p, const char *w)
{
	struct xaddr dst, src;
	uint32_t v;
	const char *m;

	if (is(w, "probe-interval")) {
		if (parse_u32(a, w, 10, 60000, &v))
			return -1;
		p->interval_ms = (uint16_t)v;
		return 0;
	}
	if (is(w, "probe-multiplier")) {
		if (parse_u32(a, w, 1, 255, &v))
			return -1;
		p->multiplier = (uint8_t)v;
		return 0;
	}
	if (is(w, "hold-down"))
		return parse_u32(a, w, 0, 3600000, &p->holddown_ms);
	if (!(m = value(a, w)))
		return -1;
	if (is(m, "udp")) {
		p->mode = XFWD_PROBE_UDP;
		return 0;
	}
	if (!is(m, "icmp"))
		return fail(a, "'probe' is 'udp' (the peer runs xfwd) or 'icmp PEER from SRC' (inner IPv4 addresses)");
	if (!peek(a) || xaddr_parse(next(a), &dst) || dst.family != AF_INET || !peek(a) ||
	    !is(next(a), "from") || !peek(a) || xaddr_parse(next(a), &src) || src.family != AF_INET)
		return fail(a, "'probe icmp' needs 'PEER from SRC': the peer's inner IPv4 address and this host's on the tunnel");
	p->mode = XFWD_PROBE_ICMP;
	memcpy(&p->dst, dst.bytes, 4);
	memcpy(&p->src, src.bytes, 4);
	return 0;
}

/* 'inner ADDR/LEN': an interface address, host bits kept. */
static int parse_inner(struct args *a, struct tunnel_spec *t)
{
	const char *v = value(a, "inner");
	char addr[64], *slash, *end;
	unsigned long len;

	if (!v)
		return -1;
	snprintf(addr, sizeof(addr), "%s", v);
	if (!(slash = strchr(addr, '/')))
		return fail(a, "'inner %s': expected ADDR/LEN, e.g. 169.254.10.1/30", v);
	*slash = 0;
	len = strtoul(slash + 1, &end, 10);
	if (xaddr_parse(addr, &t->inner) || *end || end == slash + 1 ||
	    len > (t->inner.family == AF_INET ? 32u : 128u))
		return fail(a, "'inner %s': expected ADDR/LEN, e.g. 169.254.10.1/30", v);
	t->has_inner = true;
	t->inner_len = (uint32_t)len;
	return 0;
}

static int parse_ipsec_opt(struct args *a, struct tunnel_spec *t, const char *w)
{
	const char *v;

	if (is(w, "if-id"))
		return parse_u32(a, w, 1, UINT32_MAX, &t->if_id);
	if (is(w, "spi-out") || is(w, "spi-in")) /* 1-255 are reserved (RFC 4303) */
		return parse_u32(a, w, 256, UINT32_MAX, is(w, "spi-out") ? &t->spi_out : &t->spi_in);
	if (is(w, "inner"))
		return parse_inner(a, t);
	if (!(v = value(a, w)))
		return -1;
	if (is(w, "encap")) {
		if (!is(v, "udp"))
			return fail(a, "'encap' is 'udp': ESP in UDP 4500 (NAT traversal, RFC 3948)");
		t->udp_encap = true;
		return 0;
	}
	if (is(w, "keyed-by")) {
		if (!is(v, "static") && !is(v, "external"))
			return fail(a, "'keyed-by' is 'static' (spi-out, spi-in, key-out, key-in) or 'external' (an IKE daemon installs the SAs)");
		t->external = is(v, "external");
		return 0;
	}
	if (strlen(v) >= sizeof(t->key_out))
		return fail(a, "'%s': the path is too long", w);
	snprintf(is(w, "key-out") ? t->key_out : t->key_in, sizeof(t->key_out), "%s", v);
	return 0;
}

static int parse_tunnel_opt(struct args *a, struct tunnel_spec *t, const char *w)
{
	const char *v;

	if (is(w, "type")) {
		if (!(v = value(a, w)))
			return -1;
		if (is(v, "gre"))
			t->type = XFWD_TUN_GRE;
		else if (is(v, "ipip"))
			t->type = XFWD_TUN_IPIP;
		else if (is(v, "vxlan"))
			t->type = XFWD_TUN_VXLAN;
		else if (is(v, "geneve"))
			t->type = XFWD_TUN_GENEVE;
		else if (is(v, "ipsec"))
			t->type = XFWD_TUN_IPSEC;
		else
			return fail(a, "tunnel type '%s': use gre, ipip, vxlan, geneve or ipsec", v);
	} else if (is(w, "local") || is(w, "remote")) {
		if (!(v = value(a, w)) || xaddr_parse(v, is(w, "local") ? &t->local : &t->remote))
			return fail(a, "'%s' needs an IPv4 or IPv6 address", w);
	} else if (is(w, "key")) {
		t->has_key = true;
		return parse_u32(a, w, 0, UINT32_MAX, &t->key);
	} else if (is(w, "vni")) {
		t->has_key = t->key_is_vni = true;
		return parse_u32(a, w, 0, (1u << 24) - 1, &t->key);
	} else if (is(w, "peer-mac")) {
		if (!(v = value(a, w)))
			return -1;
		if (parse_mac(v, t->peer_mac))
			return fail(a, "'peer-mac %s': a MAC address is six pairs of hex digits, like 02:00:00:00:00:01", v);
		t->has_peer_mac = true;
	} else if (is(w, "payload")) {
		if (!(v = value(a, w)) || (!is(v, "ip") && !is(v, "eth")))
			return fail(a, "'payload' is 'eth' (Ethernet frames, the default) or 'ip' (IP packets, the kernel's innerprotoinherit)");
		t->inner_ip = is(v, "ip");
	} else if (is(w, "ttl")) {
		return parse_u32(a, w, 1, 255, &t->ttl);
	} else if (is(w, "mtu")) {
		return parse_u32(a, w, 68, 65535, &t->mtu);
	} else if (is(w, "dev")) {
		return copy_dev(a, value(a, w), t->dev);
	} else if (is(w, "if-id") || is(w, "spi-out") || is(w, "spi-in") || is(w, "key-out") ||
		   is(w, "key-in") || is(w, "keyed-by") || is(w, "inner") || is(w, "encap")) {
		return parse_ipsec_opt(a, t, w);
	} else if (is(w, "probe") || is(w, "probe-interval") || is(w, "probe-multiplier") ||
		   is(w, "hold-down")) {
		return parse_probe_opt(a, &t->probe, w);
	} else {
		return fail(a, "unexpected '%s' in tunnel add", w);
	}
	return 0;
}

/* VXLAN and GENEVE: a VNI, and the peer's MAC where Ethernet is carried. */
static int udp_tunnel_check(struct args *a, const struct tunnel_spec *t)
{
	const char *type = t->type == XFWD_TUN_VXLAN ? "vxlan" : "geneve";

	if (!t->has_key || !t->key_is_vni)
		return fail(a, "a %s tunnel needs 'vni N'%s", type, t->has_key ? ", not 'key N'" : "");
	if (t->inner_ip && t->type == XFWD_TUN_VXLAN)
		return fail(a, "'payload ip' applies to GENEVE only: VXLAN always carries Ethernet");
	if (t->inner_ip && t->has_peer_mac)
		return fail(a, "'payload ip' carries no Ethernet header: drop 'peer-mac'");
	if (!t->inner_ip && !t->has_peer_mac)
		return fail(a, "a %s tunnel carrying Ethernet needs 'peer-mac MAC' (the MAC of the peer's %s device)%s",
			    type, type, t->type == XFWD_TUN_GENEVE ? ", or 'payload ip'" : "");
	return 0;
}

/* ipsec: static keys (both SPIs, both key files) or keyed by an IKE
 * daemon (its if_id); nothing of the other tunnel types. */
static int ipsec_check(struct args *a, const struct tunnel_spec *t)
{
	bool any_static = t->spi_out || t->spi_in || t->key_out[0] || t->key_in[0];

	if (t->has_key || t->has_peer_mac || t->inner_ip || t->ttl)
		return fail(a, "key, vni, peer-mac, payload and ttl do not apply to ipsec tunnels");
	if (t->probe.mode == XFWD_PROBE_UDP)
		return fail(a, "an ipsec tunnel is probed with 'probe icmp PEER from SRC' (its inner addresses; the kernel answers), not udp: only xfwd's XDP answers those, and ESP reaches it encrypted");
	if (t->external && any_static)
		return fail(a, "'keyed-by external' takes no spi-out, spi-in, key-out or key-in: the IKE daemon installs the SAs");
	if (t->external && t->udp_encap)
		return fail(a, "'keyed-by external' takes no 'encap udp': the IKE daemon chooses the encapsulation (strongSwan: encap = yes)");
	if (t->external && !t->if_id)
		return fail(a, "'keyed-by external' needs 'if-id N', the if_id the IKE daemon's SAs carry (strongSwan: if_id_in/if_id_out)");
	if (!t->external && (!t->spi_out || !t->spi_in || !t->key_out[0] || !t->key_in[0]))
		return fail(a, "an ipsec tunnel needs 'spi-out N spi-in N key-out FILE key-in FILE' (static keys) or 'keyed-by external if-id N'");
	return 0;
}

/* tunnel rekey NAME [spi-in N key-in FILE] [spi-out N key-out FILE]
 * [retire-in N]: each direction whole, at least one step
 * (docs/ipsec-rekey.md). */
static int parse_rekey(struct args *a, struct tunnel_spec *t)
{
	const char *w;

	while ((w = next(a))) {
		if (is(w, "retire-in")) {
			if (parse_u32(a, w, 256, UINT32_MAX, &t->retire_in))
				return -1;
		} else if (is(w, "spi-out") || is(w, "spi-in") || is(w, "key-out") || is(w, "key-in")) {
			if (parse_ipsec_opt(a, t, w))
				return -1;
		} else {
			return fail(a, "unexpected '%s' in tunnel rekey (spi-in, key-in, spi-out, key-out, retire-in)", w);
		}
	}
	if (!t->spi_in != !t->key_in[0] || !t->spi_out != !t->key_out[0])
		return fail(a, "a rekey step names both its SPI and its key file: 'spi-in N key-in FILE', 'spi-out N key-out FILE'");
	if (!t->spi_in && !t->spi_out && !t->retire_in)
		return fail(a, "tunnel rekey needs a step: 'spi-in N key-in FILE' (accept a new key), 'spi-out N key-out FILE' (send with it) or 'retire-in N' (docs/ipsec-rekey.md)");
	if (t->retire_in && t->retire_in == t->spi_in)
		return fail(a, "'retire-in 0x%x' is the inbound SA this rekey adds", t->retire_in);
	return 0;
}

/* Settings not given: every 100 ms, down after 3 missed, 2 s hold-down. */
static int probe_defaults(struct args *a, struct xfwd_probe_cfg *p)
{
	bool hold = p->holddown_ms != UINT32_MAX;

	if (!p->mode) {
		if (p->interval_ms || p->multiplier || hold)
			return fail(a, "probe settings without 'probe udp' or 'probe icmp PEER from SRC'");
		p->holddown_ms = 0;
		return 0;
	}
	p->interval_ms = p->interval_ms ? p->interval_ms : 100;
	p->multiplier = p->multiplier ? p->multiplier : 3;
	p->holddown_ms = hold ? p->holddown_ms : 2000;
	return 0;
}

static int parse_tunnel(struct args *a, struct cli_req *r)
{
	const char *c = next(a), *w;

	if (!c || is(c, "show") || is(c, "list")) {
		r->cmd = CMD_TUNNEL_SHOW;
		return 0;
	}
	if (!is(c, "add") && !is(c, "del") && !is(c, "delete") && !is(c, "rekey"))
		return fail(a, "unknown tunnel command '%s' (add, del, rekey, show)", c);
	r->cmd = is(c, "add") ? CMD_TUNNEL_ADD : is(c, "rekey") ? CMD_TUNNEL_REKEY : CMD_TUNNEL_DEL;
	if (!peek(a))
		return fail(a, "missing tunnel NAME");
	if (copy_dev(a, next(a), r->tun.name))
		return -1;
	if (r->cmd == CMD_TUNNEL_REKEY)
		return parse_rekey(a, &r->tun);
	if (r->cmd == CMD_TUNNEL_DEL)
		return peek(a) ? fail(a, "unexpected '%s' after tunnel del NAME", peek(a)) : 0;
	r->tun.probe.holddown_ms = UINT32_MAX; /* not given */
	while ((w = next(a)))
		if (parse_tunnel_opt(a, &r->tun, w))
			return -1;
	if (probe_defaults(a, &r->tun.probe))
		return -1;
	if (!r->tun.type || !r->tun.local.family || !r->tun.remote.family)
		return fail(a, "tunnel add needs: NAME type gre|ipip|vxlan|geneve|ipsec local ADDR remote ADDR [key N | vni N [peer-mac MAC | payload ip]] [ttl N] [mtu N] [dev DEV] (ipsec: docs/ipsec.md)");
	if (r->tun.type == XFWD_TUN_VXLAN || r->tun.type == XFWD_TUN_GENEVE)
		return udp_tunnel_check(a, &r->tun);
	if (r->tun.type == XFWD_TUN_IPSEC)
		return ipsec_check(a, &r->tun);
	if (r->tun.if_id || r->tun.spi_out || r->tun.spi_in || r->tun.key_out[0] ||
	    r->tun.key_in[0] || r->tun.external || r->tun.has_inner || r->tun.udp_encap)
		return fail(a, "if-id, spi-out, spi-in, key-out, key-in, keyed-by, inner and encap apply to ipsec tunnels only");
	if (r->tun.has_key && (r->tun.type != XFWD_TUN_GRE || r->tun.key_is_vni))
		return fail(a, "'%s' applies to %s tunnels only", r->tun.key_is_vni ? "vni" : "key",
			    r->tun.key_is_vni ? "VXLAN and GENEVE" : "GRE");
	if (r->tun.has_peer_mac || r->tun.inner_ip)
		return fail(a, "'%s' applies to VXLAN and GENEVE tunnels only",
			    r->tun.inner_ip ? "payload" : "peer-mac");
	return 0;
}

static int parse_object(struct args *a, struct cli_req *r)
{
	const char *o = next(a), *c;

	if (!o || is(o, "help") || is(o, "-h") || is(o, "--help")) {
		r->cmd = CMD_HELP;
		return 0;
	}
	if (is(o, "version") || is(o, "-V") || is(o, "--version")) {
		r->cmd = CMD_VERSION;
		return 0;
	}
	if (is(o, "attach") || is(o, "detach")) {
		r->cmd = is(o, "attach") ? CMD_ATTACH : CMD_DETACH;
		return parse_attach(a, r);
	}
	if (is(o, "route") || is(o, "routes") || is(o, "r"))
		return parse_route(a, r);
	if (is(o, "health")) {
		r->cmd = CMD_HEALTH;
		return peek(a) ? fail(a, "unexpected '%s' after health", peek(a)) : 0;
	}
	if (is(o, "run")) {
		r->cmd = CMD_RUN;
		while ((c = next(a))) {
			if (!is(c, "-c") && !is(c, "--config"))
				return fail(a, "unexpected '%s' (xfwd run [-c FILE])", c);
			if (!(r->config = value(a, c)))
				return -1;
		}
		return 0;
	}
	if (is(o, "tunnel") || is(o, "tunnels"))
		return parse_tunnel(a, r);
	if (is(o, "nexthop") || is(o, "nh")) {
		c = next(a);
		if (!c || is(c, "show") || is(c, "list"))
			r->cmd = CMD_NEXTHOP_SHOW;
		else if (is(c, "refresh"))
			r->cmd = CMD_NEXTHOP_REFRESH;
		else
			return fail(a, "unknown nexthop command '%s' (show, refresh)", c);
	} else if (is(o, "stats")) {
		c = next(a);
		if (!c || is(c, "show"))
			r->cmd = CMD_STATS;
		else if (is(c, "reset"))
			r->cmd = CMD_STATS_RESET;
		else
			return fail(a, "unknown stats command '%s' (show, reset)", c);
	} else if (is(o, "status")) {
		r->cmd = CMD_STATUS;
	} else {
		return fail(a, "unknown object '%s'; try 'xfwd help'", o);
	}
	return peek(a) ? fail(a, "unexpected '%s'", peek(a)) : 0;
}

int cli_parse(int argc, char **argv, struct cli_req *r, char *err,
	      size_t errlen)
{
	struct args a = { argc, argv, 1, err, errlen };
	const char *w;

	memset(r, 0, sizeof(*r));
	r->pin_root = XFWD_PIN_ROOT_DEFAULT;
	while ((w = peek(&a)) && w[0] == '-' && w[1]) {
		next(&a);
		if (is(w, "-j") || is(w, "--json"))
			r->json = true;
		else if (is(w, "--pin-root")) {
			r->pin_root = value(&a, "--pin-root");
			if (!r->pin_root)
				return -1;
			if (strlen(r->pin_root) > XFWD_PIN_ROOT_MAX)
				return fail(&a, "--pin-root: a path of at most %d characters", XFWD_PIN_ROOT_MAX);
		} else if (is(w, "-b") || is(w, "-batch") || is(w, "--batch")) {
			if (!(r->batch = value(&a, w)))
				return -1;
			r->cmd = CMD_BATCH;
			return peek(&a) ? fail(&a, "unexpected '%s' after %s FILE", peek(&a), w) : 0;
		} else if (is(w, "-h") || is(w, "--help")) {
			r->cmd = CMD_HELP;
			return 0;
		} else if (is(w, "-V") || is(w, "--version")) {
			r->cmd = CMD_VERSION;
			return 0;
		} else
			return fail(&a, "unknown option '%s'; try 'xfwd help'", w);
	}
	return parse_object(&a, r);
}

int cli_parse_line(char *line, const char *pin_root, struct cli_req *r,
		   char *err, size_t errlen)
{
	char *argv[128], *save = NULL;
	int argc = 0;

	argv[argc++] = "xfwd";
	for (char *w = strtok_r(line, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
		if (argc == 127) {
			snprintf(err, errlen, "too many words");
			return -1;
		}
		argv[argc++] = w;
	}
	argv[argc] = NULL;
	if (cli_parse(argc, argv, r, err, errlen))
		return -1;
	r->pin_root = pin_root;
	return 0;
}

const char *cli_usage(void)
{
	return "Usage: xfwd [OPTIONS] OBJECT COMMAND [ARGS]\n"
	       "       xfwd run [-c FILE]   the daemon (default /etc/xfwd/xfwd.conf; docs/daemon.md)\n"
	       "       xfwd [--pin-root DIR] -batch FILE   (route add|replace|del, one per line;\n"
	       "                                        FILE - is standard input)\n"
	       "OPTIONS: -j (JSON output)  --pin-root DIR (default " XFWD_PIN_ROOT_DEFAULT ")\n"
	       "  xfwd attach DEV... [mode native|generic] [tbl8-groups N] [routes4 N]\n"
	       "              [routes6 N] [nexthops N] [groups N]\n"
	       "  xfwd detach [DEV...]          (no DEV: detach all, remove pins)\n"
	       "  xfwd route add|replace PREFIX via ADDR dev DEV [via ADDR dev DEV]...\n"
	       "  xfwd route add|replace PREFIX tunnel NAME [tunnel NAME]... (may mix with via)\n"
	       "  xfwd route add|replace PREFIX blackhole|kernel\n"
	       "  xfwd route del PREFIX\n"
	       "  xfwd route show [PREFIX]\n"
	       "  xfwd route get ADDR [from ADDR] [proto tcp|udp|N] [sport N] [dport N]\n"
	       "  xfwd tunnel add NAME type gre|ipip|vxlan|geneve local ADDR remote ADDR\n"
	       "              [key N | vni N [peer-mac MAC | payload ip]] [ttl N] [mtu N] [dev DEV]\n"
	       "              [probe udp | probe icmp PEER from SRC] [probe-interval MS]\n"
	       "              [probe-multiplier N] [hold-down MS]\n"
	       "  xfwd tunnel add NAME type ipsec local ADDR remote ADDR [inner ADDR/LEN] [dev DEV]\n"
	       "              (spi-out N spi-in N key-out FILE key-in FILE [if-id N] [encap udp] | keyed-by external if-id N)\n"
	       "  xfwd tunnel rekey NAME [spi-in N key-in FILE] [spi-out N key-out FILE] [retire-in N]\n"
	       "  xfwd tunnel del NAME | show\n"
	       "  xfwd health                   per tunnel: probe state, RTT, loss, last change\n"
	       "  xfwd nexthop show | refresh\n"
	       "  xfwd stats [show | reset]\n"
	       "  xfwd status\n"
	       "Exit status: 0 ok, 1 bad input or refused, 2 system error.\n";
}
