// SPDX-License-Identifier: GPL-2.0-only
/* The words of a tunnel and of a route, as `xfwd tunnel add NAME ...`,
 * `xfwd route add PREFIX ...` and the config's [tunnels] and [routes]
 * lines write them: one grammar, here, for the CLI and the config. */
#include "spec_parse.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int parse_probe_opt(struct args *a, struct xfwd_probe_cfg *p, const char *w)
{
	struct xaddr dst, src;
	uint32_t v;
	const char *m;

	if (arg_is(w, "probe-interval")) {
		if (parse_u32(a, w, 10, 60000, &v))
			return -1;
		p->interval_ms = (uint16_t)v;
		return 0;
	}
	if (arg_is(w, "probe-multiplier")) {
		if (parse_u32(a, w, 1, 255, &v))
			return -1;
		p->multiplier = (uint8_t)v;
		return 0;
	}
	if (arg_is(w, "hold-down"))
		return parse_u32(a, w, 0, 3600000, &p->holddown_ms);
	if (!(m = arg_value(a, w)))
		return -1;
	if (arg_is(m, "udp")) {
		p->mode = XFWD_PROBE_UDP;
		return 0;
	}
	if (arg_is(m, "icmp"))
		p->mode = XFWD_PROBE_ICMP;
	else if (arg_is(m, "bfd"))
		p->mode = XFWD_PROBE_BFD;
	else if (arg_is(m, "bfd-multihop"))
		p->mode = XFWD_PROBE_BFD_MH;
	else
		return arg_fail(a, "'probe' is 'udp' (the peer runs xfwd), 'icmp PEER from SRC' (any peer answering echoes) or 'bfd PEER from SRC' / 'bfd-multihop PEER from SRC' (a BFD session: docs/bfd.md), with inner IPv4 addresses");
	if (!arg_peek(a) || xaddr_parse(arg_next(a), &dst) || dst.family != AF_INET || !arg_peek(a) ||
	    !arg_is(arg_next(a), "from") || !arg_peek(a) || xaddr_parse(arg_next(a), &src) || src.family != AF_INET)
		return arg_fail(a, "'probe %s' needs 'PEER from SRC': the peer's inner IPv4 address and this host's on the tunnel", m);
	memcpy(&p->dst, dst.bytes, 4);
	memcpy(&p->src, src.bytes, 4);
	return 0;
}

/* 'urpf strict|loose|off', 'urpf-allow PREFIX' (docs/urpf.md). */
static int parse_urpf_opt(struct args *a, struct tunnel_spec *t, const char *w)
{
	const char *v = arg_value(a, w);

	if (!v)
		return -1;
	if (arg_is(w, "urpf")) {
		if (arg_is(v, "strict"))
			t->urpf = XFWD_URPF_STRICT;
		else if (arg_is(v, "loose"))
			t->urpf = XFWD_URPF_LOOSE;
		else if (arg_is(v, "off"))
			t->urpf = XFWD_URPF_OFF;
		else
			return arg_fail(a, "'urpf %s': use strict (sources routed back over this tunnel), loose (sources routed at all) or off", v);
		return 0;
	}
	if (t->nurpf_allow == XFWD_URPF_ALLOW_TUNNEL)
		return arg_fail(a, "at most %d 'urpf-allow' prefixes per tunnel: route the rest over it, or use a shorter prefix",
				XFWD_URPF_ALLOW_TUNNEL);
	if (xprefix_parse(v, &t->urpf_allow[t->nurpf_allow], a->err, a->errlen))
		return -1;
	t->nurpf_allow++;
	return 0;
}

/* 'inner ADDR/LEN': an interface address, host bits kept. */
static int parse_inner(struct args *a, struct tunnel_spec *t)
{
	const char *v = arg_value(a, "inner");
	char addr[64], *slash, *end;
	unsigned long len;

	if (!v)
		return -1;
	snprintf(addr, sizeof(addr), "%s", v);
	if (!(slash = strchr(addr, '/')))
		return arg_fail(a, "'inner %s': expected ADDR/LEN, e.g. 169.254.10.1/30", v);
	*slash = 0;
	len = strtoul(slash + 1, &end, 10);
	if (xaddr_parse(addr, &t->inner) || *end || end == slash + 1 ||
	    len > (t->inner.family == AF_INET ? 32u : 128u))
		return arg_fail(a, "'inner %s': expected ADDR/LEN, e.g. 169.254.10.1/30", v);
	t->has_inner = true;
	t->inner_len = (uint32_t)len;
	return 0;
}

int spec_ipsec_opt(struct args *a, struct tunnel_spec *t, const char *w)
{
	const char *v;

	if (arg_is(w, "if-id"))
		return parse_u32(a, w, 1, UINT32_MAX, &t->if_id);
	if (arg_is(w, "spi-out") || arg_is(w, "spi-in")) /* 1-255 are reserved (RFC 4303) */
		return parse_u32(a, w, 256, UINT32_MAX, arg_is(w, "spi-out") ? &t->spi_out : &t->spi_in);
	if (!(v = arg_value(a, w)))
		return -1;
	if (arg_is(w, "encap")) {
		if (!arg_is(v, "udp"))
			return arg_fail(a, "'encap' is 'udp': ESP in UDP 4500 (NAT traversal, RFC 3948)");
		t->udp_encap = true;
		return 0;
	}
	if (arg_is(w, "keyed-by")) {
		if (!arg_is(v, "static") && !arg_is(v, "external"))
			return arg_fail(a, "'keyed-by' is 'static' (spi-out, spi-in, key-out, key-in) or 'external' (an IKE daemon installs the SAs)");
		t->external = arg_is(v, "external");
		return 0;
	}
	if (strlen(v) >= sizeof(t->key_out))
		return arg_fail(a, "'%s': the path is too long", w);
	snprintf(arg_is(w, "key-out") ? t->key_out : t->key_in, sizeof(t->key_out), "%s", v);
	return 0;
}

static int parse_tunnel_opt(struct args *a, struct tunnel_spec *t, const char *w)
{
	const char *v;

	if (arg_is(w, "type")) {
		if (!(v = arg_value(a, w)))
			return -1;
		if (arg_is(v, "gre"))
			t->type = XFWD_TUN_GRE;
		else if (arg_is(v, "ipip"))
			t->type = XFWD_TUN_IPIP;
		else if (arg_is(v, "vxlan"))
			t->type = XFWD_TUN_VXLAN;
		else if (arg_is(v, "geneve"))
			t->type = XFWD_TUN_GENEVE;
		else if (arg_is(v, "ipsec"))
			t->type = XFWD_TUN_IPSEC;
		else if (arg_is(v, "gwlb"))
			t->type = XFWD_TUN_GENEVE, t->gwlb = t->inner_ip = true;
		else
			return arg_fail(a, "tunnel type '%s': use gre, ipip, vxlan, geneve, ipsec or gwlb", v);
	} else if (arg_is(w, "local") || arg_is(w, "remote")) {
		if (!(v = arg_value(a, w)) || xaddr_parse(v, arg_is(w, "local") ? &t->local : &t->remote))
			return arg_fail(a, "'%s' needs an IPv4 or IPv6 address", w);
	} else if (arg_is(w, "key")) {
		t->has_key = true;
		return parse_u32(a, w, 0, UINT32_MAX, &t->key);
	} else if (arg_is(w, "vni")) {
		t->has_key = t->key_is_vni = true;
		return parse_u32(a, w, 0, (1u << 24) - 1, &t->key);
	} else if (arg_is(w, "peer-mac")) {
		if (!(v = arg_value(a, w)))
			return -1;
		if (parse_mac(v, t->peer_mac))
			return arg_fail(a, "'peer-mac %s': a MAC address is six pairs of hex digits, like 02:00:00:00:00:01", v);
		t->has_peer_mac = true;
	} else if (arg_is(w, "payload")) {
		if (!(v = arg_value(a, w)) || (!arg_is(v, "ip") && !arg_is(v, "eth")))
			return arg_fail(a, "'payload' is 'eth' (Ethernet frames, the default) or 'ip' (IP packets, the kernel's innerprotoinherit)");
		t->inner_ip = arg_is(v, "ip");
	} else if (arg_is(w, "ttl")) {
		return parse_u32(a, w, 1, 255, &t->ttl);
	} else if (arg_is(w, "mtu")) {
		return parse_u32(a, w, 68, 65535, &t->mtu);
	} else if (arg_is(w, "dev")) {
		return copy_dev(a, arg_value(a, w), t->dev);
	} else if (arg_is(w, "inner")) {
		return parse_inner(a, t);
	} else if (arg_is(w, "if-id") || arg_is(w, "spi-out") || arg_is(w, "spi-in") || arg_is(w, "key-out") ||
		   arg_is(w, "key-in") || arg_is(w, "keyed-by") || arg_is(w, "encap")) {
		return spec_ipsec_opt(a, t, w);
	} else if (arg_is(w, "urpf") || arg_is(w, "urpf-allow")) {
		return parse_urpf_opt(a, t, w);
	} else if (arg_is(w, "probe") || arg_is(w, "probe-interval") || arg_is(w, "probe-multiplier") ||
		   arg_is(w, "hold-down")) {
		return parse_probe_opt(a, &t->probe, w);
	} else {
		return arg_fail(a, "unexpected '%s' in tunnel add", w);
	}
	return 0;
}

/* VXLAN and GENEVE: a VNI; the peer's MAC where Ethernet is carried is
 * given, or learned (docs/peer-mac.md). */
static int udp_tunnel_check(struct args *a, const struct tunnel_spec *t)
{
	const char *type = t->type == XFWD_TUN_VXLAN ? "vxlan" : "geneve";

	if (!t->has_key || !t->key_is_vni)
		return arg_fail(a, "a %s tunnel needs 'vni N'%s", type, t->has_key ? ", not 'key N'" : "");
	if (t->inner_ip && t->type == XFWD_TUN_VXLAN)
		return arg_fail(a, "'payload ip' applies to GENEVE only: VXLAN always carries Ethernet");
	if (t->inner_ip && t->has_peer_mac)
		return arg_fail(a, "'payload ip' carries no Ethernet header: drop 'peer-mac'");
	/* No peer-mac: learned from the kernel device beside the tunnel. */
	return 0;
}

/* ipsec: static keys (both SPIs, both key files) or keyed by an IKE
 * daemon (its if_id); nothing of the other tunnel types. */
static int ipsec_check(struct args *a, const struct tunnel_spec *t)
{
	bool any_static = t->spi_out || t->spi_in || t->key_out[0] || t->key_in[0];

	if (t->has_key || t->has_peer_mac || t->inner_ip || t->ttl)
		return arg_fail(a, "key, vni, peer-mac, payload and ttl do not apply to ipsec tunnels");
	if (t->probe.mode == XFWD_PROBE_UDP)
		return arg_fail(a, "an ipsec tunnel is probed with 'probe icmp PEER from SRC' (its inner addresses; the kernel answers), not udp: only xfwd's XDP answers those, and ESP reaches it encrypted");
	if (t->external && any_static)
		return arg_fail(a, "'keyed-by external' takes no spi-out, spi-in, key-out or key-in: the IKE daemon installs the SAs");
	if (t->external && t->udp_encap)
		return arg_fail(a, "'keyed-by external' takes no 'encap udp': the IKE daemon chooses the encapsulation (strongSwan: encap = yes)");
	if (t->external && !t->if_id)
		return arg_fail(a, "'keyed-by external' needs 'if-id N', the if_id the IKE daemon's SAs carry (strongSwan: if_id_in/if_id_out)");
	if (!t->external && (!t->spi_out || !t->spi_in || !t->key_out[0] || !t->key_in[0]))
		return arg_fail(a, "an ipsec tunnel needs 'spi-out N spi-in N key-out FILE key-in FILE' (static keys) or 'keyed-by external if-id N'");
	return 0;
}

/* Settings not given: every 100 ms, down after 3 missed, 2 s hold-down. */
static int probe_defaults(struct args *a, struct xfwd_probe_cfg *p)
{
	bool hold = p->holddown_ms != UINT32_MAX;

	if (!p->mode) {
		if (p->interval_ms || p->multiplier || hold)
			return arg_fail(a, "probe settings without 'probe udp', 'probe icmp PEER from SRC' or 'probe bfd PEER from SRC'");
		p->holddown_ms = 0;
		return 0;
	}
	p->interval_ms = p->interval_ms ? p->interval_ms : 100;
	p->multiplier = p->multiplier ? p->multiplier : 3;
	p->holddown_ms = hold ? p->holddown_ms : 2000;
	return 0;
}

/* gwlb: a local IPv4 address and nothing else of a tunnel's settings:
 * the load balancer's addresses, its VNI and its options are whatever
 * it sends (docs/gwlb.md). */
static int gwlb_check(struct args *a, const struct tunnel_spec *t)
{
	if (!t->local.family)
		return arg_fail(a, "tunnel add NAME type gwlb local ADDR: the appliance's IPv4 address the load balancer sends to");
	if (t->local.family != AF_INET)
		return arg_fail(a, "a gwlb tunnel's local address is IPv4: AWS GWLB sends GENEVE over IPv4 only, IPv6 traffic inside it");
	if (t->remote.family)
		return arg_fail(a, "a gwlb tunnel takes no 'remote': it answers each load balancer address that sends to it");
	if (t->has_key || t->has_peer_mac || t->ttl || t->mtu || t->dev[0] || t->has_inner ||
	    t->probe.mode || t->urpf || t->nurpf_allow || t->if_id || t->spi_out || t->external)
		return arg_fail(a, "a gwlb tunnel takes only 'local ADDR': vni, key, peer-mac, ttl, mtu, dev, inner, probes, urpf and ipsec settings do not apply (docs/gwlb.md)");
	return 0;
}

/* A tunnel's words after its name (`xfwd tunnel add NAME ...`, a
 * [tunnels] line), checked whole. */
int spec_tunnel_opts(struct args *a, struct tunnel_spec *t)
{
	const char *w;

	t->probe.holddown_ms = UINT32_MAX; /* not given */
	while ((w = arg_next(a)))
		if (parse_tunnel_opt(a, t, w))
			return -1;
	if (probe_defaults(a, &t->probe))
		return -1;
	if (t->gwlb)
		return gwlb_check(a, t);
	if (!t->type || !t->local.family || !t->remote.family)
		return arg_fail(a, "tunnel add needs: NAME type gre|ipip|vxlan|geneve|ipsec local ADDR remote ADDR [key N | vni N [peer-mac MAC | payload ip]] [ttl N] [mtu N] [dev DEV] [urpf strict|loose|off] [urpf-allow PREFIX]... (ipsec: docs/ipsec.md; gwlb: NAME type gwlb local ADDR, docs/gwlb.md)");
	if (t->type == XFWD_TUN_IPSEC && (t->urpf || t->nurpf_allow))
		return arg_fail(a, "'urpf' applies to tunnels xfwd decapsulates (gre, ipip, vxlan, geneve); the kernel decrypts ipsec: set rp_filter on its xfrm interface");
	if (t->type == XFWD_TUN_VXLAN || t->type == XFWD_TUN_GENEVE)
		return udp_tunnel_check(a, t);
	if (t->type == XFWD_TUN_IPSEC)
		return ipsec_check(a, t);
	if (t->if_id || t->spi_out || t->spi_in || t->key_out[0] ||
	    t->key_in[0] || t->external || t->udp_encap)
		return arg_fail(a, "if-id, spi-out, spi-in, key-out, key-in, keyed-by and encap apply to ipsec tunnels only");
	if (t->has_key && (t->type != XFWD_TUN_GRE || t->key_is_vni))
		return arg_fail(a, "'%s' applies to %s tunnels only", t->key_is_vni ? "vni" : "key",
			    t->key_is_vni ? "VXLAN and GENEVE" : "GRE");
	if (t->has_peer_mac || t->inner_ip)
		return arg_fail(a, "'%s' applies to VXLAN and GENEVE tunnels only",
			    t->inner_ip ? "payload" : "peer-mac");
	return 0;
}

static const char *family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

static int parse_via(struct args *a, struct route_spec *r)
{
	struct route_via *v;
	const char *gw = arg_value(a, "via"), *kw;

	if (!gw)
		return -1;
	if (r->nvia == (int)XFWD_ECMP_MAX)
		return arg_fail(a, "at most %u 'via' next hops per route", XFWD_ECMP_MAX);
	v = &r->via[r->nvia++];
	if (xaddr_parse(gw, &v->gw))
		return arg_fail(a, "'via %s': not an IPv4 or IPv6 address", gw);
	kw = arg_next(a);
	if (!arg_is(kw, "dev"))
		return arg_fail(a, "'via %s' needs 'dev DEV' after it (the interface the next hop is on)", gw);
	return copy_dev(a, arg_value(a, "dev"), v->dev);
}

/* 'weight N' after a member: its share of the group's flows. */
static int parse_weight(struct args *a, struct route_share *last)
{
	uint32_t w;

	if (!last)
		return arg_fail(a, "'weight' follows the next hop it weighs: 'via ADDR dev DEV weight N' or 'tunnel NAME weight N'");
	if (parse_u32(a, "weight", 0, 256, &w))
		return -1;
	*last = (struct route_share){ .hops = (uint8_t)(w ? w - 1 : 0), .drained = !w };
	return 0;
}

int spec_route_target(struct args *a, struct route_spec *r)
{
	struct route_share *last = NULL;
	const char *w;

	while ((w = arg_next(a))) {
		if (arg_is(w, "via")) {
			if (parse_via(a, r))
				return -1;
			last = &r->via[r->nvia - 1].share;
		} else if (arg_is(w, "tunnel")) {
			if (r->nvia + r->ntunnels == (int)XFWD_ECMP_MAX)
				return arg_fail(a, "at most %u next hops per route", XFWD_ECMP_MAX);
			last = &r->tshare[r->ntunnels];
			if (copy_dev(a, arg_value(a, "tunnel"), r->tunnels[r->ntunnels++]))
				return -1;
		} else if (arg_is(w, "weight")) {
			if (parse_weight(a, last))
				return -1;
			last = NULL;
		} else if (arg_is(w, "blackhole") || arg_is(w, "kernel")) {
			if (r->kind)
				return arg_fail(a, "give one of 'blackhole', 'kernel' or 'via ... dev ...'");
			r->kind = arg_is(w, "blackhole") ? XFWD_NH_BLACKHOLE : XFWD_NH_KERNEL;
		} else {
			return arg_fail(a, "unexpected '%s' (expected 'via ADDR dev DEV', 'tunnel NAME', 'weight N', 'blackhole' or 'kernel')", w);
		}
	}
	if (r->kind && (r->nvia || r->ntunnels))
		return arg_fail(a, "a route is either 'via ...' or '%s', not both",
			    r->kind == XFWD_NH_BLACKHOLE ? "blackhole" : "kernel");
	if (!r->kind && !r->nvia && !r->ntunnels)
		return arg_fail(a, "missing next hop: add 'via ADDR dev DEV', 'tunnel NAME', 'blackhole' or 'kernel'");
	for (int i = 0; i < r->nvia; i++) {
		char g[XADDR_STRLEN], p[XPREFIX_STRLEN];

		if (r->via[i].gw.family != r->prefix.addr.family)
			return arg_fail(a, "'via %s' is %s but %s is %s: a gateway is of the route's family",
				    xaddr_str(&r->via[i].gw, g), family_name(r->via[i].gw.family),
				    xprefix_str(&r->prefix, p), family_name(r->prefix.addr.family));
	}
	if (r->nvia || r->ntunnels)
		r->kind = XFWD_NH_DIRECT; /* members listed in via[] and tunnels[] */
	return 0;
}

int spec_parse_tunnel_line(char *line, struct tunnel_spec *t, char *err, size_t len)
{
	char *argv[128];
	int argc = words_split(line, argv, 128, err, len);
	struct args a = { argc, argv, 0, err, len };

	memset(t, 0, sizeof(*t));
	if (argc < 0)
		return -1;
	if (!argc)
		return arg_fail(&a, "missing tunnel NAME");
	if (copy_dev(&a, arg_next(&a), t->name))
		return -1;
	return spec_tunnel_opts(&a, t);
}

int spec_parse_route_line(char *line, struct route_spec *r, char *err, size_t len)
{
	char *argv[128];
	int argc = words_split(line, argv, 128, err, len);
	struct args a = { argc, argv, 0, err, len };

	memset(r, 0, sizeof(*r));
	if (argc < 0)
		return -1;
	if (!argc)
		return arg_fail(&a, "missing PREFIX (e.g. 10.1.0.0/16)");
	if (xprefix_parse(arg_next(&a), &r->prefix, err, len))
		return -1;
	return spec_route_target(&a, r);
}
