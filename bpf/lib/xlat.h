/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * 1:1 prefix translation (maps/xfwd_xlat.h, docs/translation.md): the
 * source of a packet from a target with rules, real -> mapped; the
 * destination of a packet to one, mapped -> real. IPv4 and long IPv6
 * prefixes by replacing the prefix's bits (NETMAP), the IP, TCP, UDP and
 * ICMPv6 checksums updated incrementally (RFC 1624); IPv6 prefixes of 64
 * bits or fewer by NPTv6 (RFC 6296), which changes no checksum. An ICMP
 * error's quoted header is translated the other way round (it is the
 * packet that went the opposite direction). Later fragments carry no L4
 * header: only their IP header changes.
 */
#ifndef XFWD_BPF_XLAT_H
#define XFWD_BPF_XLAT_H

#include <linux/icmpv6.h>
#include "csum.h"
#include "maps.h"
#include "parse.h"

/* Is bind index i holding rules (ports: this port's)? */
static __always_inline __u32 xlat_bound(__u32 i, __u32 ifindex)
{
	struct xfwd_xlat_bind *b = bpf_map_lookup_elem(&xfwd_xlat_binds, &i);

	return b && b->rules && (!ifindex || b->ifindex == ifindex) ? i : 0;
}

/* The bind index of where the packet came from (its tunnel, else its
 * port) when rules are there, else 0. */
static __always_inline __u32 xlat_from(__u32 tunnel, __u32 ifindex)
{
	return tunnel ? xlat_bound(xfwd_xlat_bind_tunnel(tunnel), 0)
		      : xlat_bound(xfwd_xlat_bind_port(ifindex), ifindex);
}

static __always_inline struct xfwd_xlat_val *xlat_find(__u32 target, const __u8 *addr16)
{
	struct xfwd_xlat_key k = { .prefixlen = 160, .target = target };

	__builtin_memcpy(k.addr, addr16, 16);
	return bpf_map_lookup_elem(&xfwd_xlat, &k);
}

static __always_inline struct xfwd_xlat_val *xlat_find4(__u32 target, __be32 a)
{
	__u8 m[16] = { [10] = 0xff, [11] = 0xff };

	__builtin_memcpy(m + 12, &a, 4);
	return xlat_find(target, m);
}

/* The sum a checksum changes by when the n 16-bit words at o become
 * those at n_ (RFC 1624 eqn. 3: ~m + m'). */
static __always_inline __u32 csum_words_diff(const void *o, const void *n_, int n)
{
	const __u16 *a = o, *b = n_;
	__u32 d = 0;

#pragma unroll
	for (int i = 0; i < n; i++)
		d += (__u16)~a[i] + b[i];
	return d;
}

static __always_inline void csum_patch(__sum16 *check, __u32 diff)
{
	*check = (__sum16)~fold((__u16)~*check + fold(diff));
}

/* A UDP checksum of zero means none (IPv4); a computed zero is sent as
 * 0xffff (RFC 768). */
static __always_inline void udp_csum_patch(__sum16 *check, __u32 diff)
{
	if (!*check)
		return;
	csum_patch(check, diff);
	if (!*check)
		*check = 0xffff;
}

/* The L4 checksum of a packet whose pseudo-header changed by diff. Only
 * TCP, UDP and ICMPv6 have one; the field must lie in the packet. The
 * checksum's own change, for a quoting ICMP message. */
static __always_inline __u32 l4_patch(__u8 proto, void *l4, void *data_end, __u32 diff)
{
	__u32 off = proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 : 2;
	__sum16 *c = l4 + off, old;

	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != 58)
		return 0;
	if ((void *)(c + 1) > data_end)
		return 0;
	old = *c;
	if (proto == IPPROTO_UDP)
		udp_csum_patch(c, diff);
	else
		csum_patch(c, diff);
	return csum_words_diff(&old, c, 1);
}

static __always_inline void xlat_count(__u32 slot, __u32 out, __u32 bytes)
{
	__u32 i = 2 * slot + out;
	struct xfwd_counter *c = bpf_map_lookup_elem(&xfwd_xlat_stats, &i);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/* ---- IPv4 ---- */

static __always_inline __be32 xlat4_map(__be32 a, const struct xfwd_xlat_val *v)
{
	__u32 len = v->len & 63;
	__be32 mask = bpf_htonl(len >= 32 ? 0xffffffffu : len ? ~(0xffffffffu >> len) : 0), to;

	__builtin_memcpy(&to, v->to + 12, 4);
	return (a & ~mask) | (to & mask);
}

/* Rewrite the address at a (in the IP header at iph) by v: the header's
 * checksum, and the L4 header's when the packet has it. The pseudo
 * header's change. */
static __always_inline __u32 xlat4_addr(struct iphdr *iph, __be32 *a, const struct xfwd_xlat_val *v)
{
	__be32 n = xlat4_map(*a, v);
	__u32 d = csum_words_diff(a, &n, 2);

	*a = n;
	csum_patch(&iph->check, d);
	return d;
}

/* The header an ICMP error quotes (its type 3, 11 or 12), at q: its
 * destination (from the target: the packet went to it) or its source
 * (to the target: it came from it). The ICMP checksum's change. */
static __always_inline __u32 xlat4_quoted(struct iphdr *q, void *data_end, __u32 target, int src)
{
	struct xfwd_xlat_val *v;
	__be32 *a;
	__sum16 oc;
	__u32 d, dq;

	if ((void *)(q + 1) > data_end || q->ihl != 5)
		return 0;
	a = src ? &q->saddr : &q->daddr;
	v = xlat_find4(target, *a);
	if (!v)
		return 0;
	oc = q->check;
	d = xlat4_addr(q, a, v);
	dq = d + csum_words_diff(&oc, &q->check, 1);
	if (!(q->frag_off & bpf_htons(0x1fff)))
		dq += l4_patch(q->protocol, q + 1, data_end, d);
	return dq;
}

static __always_inline int icmp4_is_error(__u8 type)
{
	return type == 3 || type == 11 || type == 12;
}

static __always_inline void xlat4_icmp(struct iphdr *iph, void *data_end, __u32 target, int src)
{
	struct icmphdr *ic = (void *)(iph + 1);
	__u32 d;

	if ((void *)(ic + 1) > data_end || !icmp4_is_error(ic->type))
		return;
	d = xlat4_quoted((void *)(ic + 1), data_end, target, src);
	if (d)
		csum_patch(&ic->checksum, d);
}

/* What a translation is given: where the IP header is, the bind indexes
 * of the targets the packet comes from and goes to (0: no rules), and
 * probe: the kernel will forward it, so only say whether the
 * destination would change (it cannot: the kernel does not translate). */
struct xlat_at {
	__u32 l3_off;
	__u32 v4;
	__u32 in, out;
	__u32 probe;
	__u32 bytes;
};

static __always_inline int xlat4(struct iphdr *iph, void *data_end, const struct xlat_at *at)
{
	struct xfwd_xlat_val *vi = NULL, *vo = NULL;
	void *l4 = iph + 1;
	int first;

	if (iph->ihl != 5) /* options go to the kernel before this */
		return 0;
	first = !(iph->frag_off & bpf_htons(0x1fff));
	if (at->out)
		vo = xlat_find4(XFWD_XLAT_OUT | at->out, iph->daddr);
	if (vo && at->probe)
		return 1;
	if (at->in)
		vi = xlat_find4(at->in, iph->saddr);
	if (vi) {
		__u32 d = xlat4_addr(iph, &iph->saddr, vi);

		if (first)
			l4_patch(iph->protocol, l4, data_end, d);
		xlat_count(vi->slot, 0, at->bytes);
	}
	if (vo && !at->probe) {
		__u32 d = xlat4_addr(iph, &iph->daddr, vo);

		if (first)
			l4_patch(iph->protocol, l4, data_end, d);
		xlat_count(vo->slot, 1, at->bytes);
	}
	if (first && iph->protocol == IPPROTO_ICMP) {
		if (at->in)
			xlat4_icmp(iph, data_end, at->in, 0);
		if (at->out && !at->probe)
			xlat4_icmp(iph, data_end, XFWD_XLAT_OUT | at->out, 1);
	}
	return 0;
}

/* ---- IPv6 ---- */

/* a by v into n: the prefix's bits replaced; NPT: then one 16-bit word
 * after the prefix takes the difference (RFC 6296 3.2: the subnet word
 * for /48 and shorter, else the first interface-identifier word that is
 * not 0xffff, as Linux's ip6t_NPT does). -1: no word can (all 0xffff). */
static __always_inline int xlat6_map(const __u8 *a, const struct xfwd_xlat_val *v, __u8 *n)
{
	__u32 len = v->len, w[4], t[4], i;
	__u16 *h = (__u16 *)n;

	__builtin_memcpy(w, a, 16);
	__builtin_memcpy(t, v->to, 16);
#pragma unroll
	for (i = 0; i < 4; i++) {
		__u32 bits = len > 32 * i ? len - 32 * i : 0;
		__be32 m = bpf_htonl(bits >= 32 ? 0xffffffffu : bits ? ~(0xffffffffu >> bits) : 0);

		w[i] = (w[i] & ~m) | (t[i] & m);
	}
	__builtin_memcpy(n, w, 16);
	if (v->mode != XFWD_XLAT_NPT)
		return 0;
	i = 3;
	if (len > 48)
		for (i = 4; i < 8 && h[i] == 0xffff; i++)
			;
	if (i >= 8)
		return -1;
	h[i & 7] = (__u16)fold((__u32)h[i & 7] + v->adj);
	if (h[i & 7] == 0xffff)
		h[i & 7] = 0;
	return 0;
}

/* Rewrite the 16 bytes at a by v; the pseudo-header's change (0: NPT,
 * checksum-neutral), or -1 when it cannot be translated. */
static __always_inline long xlat6_addr(__u8 *a, const struct xfwd_xlat_val *v)
{
	__u8 n[16];
	__u32 d;

	if (xlat6_map(a, v, n))
		return -1;
	d = v->mode == XFWD_XLAT_NPT ? 0 : csum_words_diff(a, n, 8);
	__builtin_memcpy(a, n, 16);
	return d;
}

static __always_inline __u32 xlat6_quoted(struct ipv6hdr *q, void *data_end, __u32 target, int src)
{
	struct xfwd_xlat_val *v;
	__u8 *a;
	long d;

	if ((void *)(q + 1) > data_end)
		return 0;
	a = src ? (__u8 *)&q->saddr : (__u8 *)&q->daddr;
	v = xlat_find(target, a);
	if (!v || (d = xlat6_addr(a, v)) <= 0)
		return 0;
	return (__u32)d + l4_patch(q->nexthdr, q + 1, data_end, (__u32)d);
}

static __always_inline void xlat6_icmp(void *l4, void *data_end, __u32 target, int src)
{
	struct icmp6hdr *ic = l4;
	__u32 d;

	if ((void *)(ic + 1) > data_end || ic->icmp6_type < 1 || ic->icmp6_type > 4)
		return;
	d = xlat6_quoted((void *)(ic + 1), data_end, target, src);
	if (d)
		csum_patch(&ic->icmp6_cksum, d);
}

/* One of the packet's addresses by v, its L4 checksum with it when the
 * packet has its L4 header. -1: cannot. */
static __always_inline int xlat6_one(__u8 *a, const struct xfwd_xlat_val *v, __u8 proto,
				     void *l4, void *data_end, int first)
{
	long d = xlat6_addr(a, v);

	if (d < 0)
		return -1;
	if (d && first)
		l4_patch(proto, l4, data_end, (__u32)d);
	return 0;
}

static __always_inline int xlat6(struct ipv6hdr *ip6, void *data_end, const struct xlat_at *at)
{
	struct xfwd_xlat_val *vi = NULL, *vo = NULL;
	__u8 proto = ip6->nexthdr, *fh = (void *)(ip6 + 1);
	void *l4 = fh;
	int first = 1;

	if (proto == 44) {
		if ((void *)(fh + 8) > data_end)
			return 0;
		proto = fh[0];
		first = !((fh[2] << 8 | fh[3]) >> 3);
		l4 = fh + 8;
	}
	if (at->out)
		vo = xlat_find(XFWD_XLAT_OUT | at->out, (__u8 *)&ip6->daddr);
	if (vo && at->probe)
		return 1;
	if (at->in)
		vi = xlat_find(at->in, (__u8 *)&ip6->saddr);
	if (vi) {
		if (xlat6_one((__u8 *)&ip6->saddr, vi, proto, l4, data_end, first))
			return 1;
		xlat_count(vi->slot, 0, at->bytes);
	}
	if (vo && !at->probe) {
		if (xlat6_one((__u8 *)&ip6->daddr, vo, proto, l4, data_end, first))
			return 1;
		xlat_count(vo->slot, 1, at->bytes);
	}
	if (first && proto == 58) {
		if (at->in)
			xlat6_icmp(l4, data_end, at->in, 0);
		if (at->out && !at->probe)
			xlat6_icmp(l4, data_end, XFWD_XLAT_OUT | at->out, 1);
	}
	return 0;
}

/* Translate the packet: 0, or 1 when it must not go on (an IPv6 address
 * NPT cannot map; under probe, a destination the kernel would not
 * translate). A global function: checked by the verifier once. */
__noinline int xlat_packet(struct xdp_md *ctx, const struct xlat_at *at)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	void *l3;

	if (!at)
		return 1;
	l3 = data + (at->l3_off & 0x3f);
	if (at->v4) {
		struct iphdr *iph = l3;

		if ((void *)(iph + 1) > data_end)
			return 1;
		return xlat4(iph, data_end, at);
	}
	struct ipv6hdr *ip6 = l3;

	if ((void *)(ip6 + 1) > data_end)
		return 1;
	return xlat6(ip6, data_end, at);
}

/* Translate a forwarded packet where its targets hold rules (the common
 * case pays two array lookups, inline): 1 to drop it. act < 0: the
 * kernel will forward it. */
static __always_inline int xlat_forward(struct xdp_md *ctx, const struct pkt *p,
					const struct xfwd_nh *nh, void *l3, int act)
{
	struct xlat_at at = {
		.l3_off = (__u32)(l3 - (void *)(long)ctx->data),
		.v4 = p->proto == ETH_P_IP,
		.in = xlat_from(p->tunnel, ctx->ingress_ifindex),
		.out = nh->kind == XFWD_NH_TUNNEL ? xlat_bound(xfwd_xlat_bind_tunnel(nh->tunnel), 0)
						 : xlat_bound(xfwd_xlat_bind_port(nh->ifindex), nh->ifindex),
		.probe = act < 0,
		.bytes = p->l3_len,
	};

	if (!(at.in | at.out))
		return 0;
	return xlat_packet(ctx, &at);
}

/* An address for a global function (its argument's size is the struct's). */
struct xlat_addr {
	__u8 a[16];
};

/* The source as the filters see it (the hub's view: a translated
 * target's mapped addresses), into the 16 bytes at src (v4-mapped). A
 * global function: inline, its frame was added to the filter's, and the
 * deepest call chain passed the 6.1 kernel's 512-byte stack limit. */
__noinline int xlat_view_src(__u32 tunnel, __u32 ifindex, struct xlat_addr *src, __u32 v4)
{
	__u32 in = xlat_from(tunnel, ifindex);
	struct xfwd_xlat_val *v;
	__be32 a;

	if (!src || !in || !(v = xlat_find(in, src->a)))
		return 0;
	if (v4) {
		__builtin_memcpy(&a, src->a + 12, 4);
		a = xlat4_map(a, v);
		__builtin_memcpy(src->a + 12, &a, 4);
		return 1;
	}
	return !xlat6_map(src->a, v, src->a);
}

#endif
