// SPDX-License-Identifier: GPL-2.0-only
/*
 * Millions of generated frames (frames.c) through the real XDP object
 * (BPF_PROG_TEST_RUN) on the fixture's table (fixture.c: direct, ECMP,
 * blackhole, kernel, local, unresolved, small-MTU, VLAN, tunnel and ipsec
 * routes), and for every frame the invariants no input may break:
 *
 *   counted   exactly one reason counter moved, once, and the reason's
 *             action (maps/xfwd_abi.h) is the action returned;
 *   passed    a frame for the kernel is the input, or (after
 *             decapsulation) its inner packet from a configured peer;
 *   forwarded out, the input's IP packet, or the inner packet of a
 *             configured tunnel with its key, unchanged but for TTL or
 *             hop limit - 1 (and the IPv4 checksum, which must be valid),
 *             behind a next hop's MACs (and VLAN); or that packet inside
 *             a configured tunnel whose outer headers are whole: lengths,
 *             checksums, TTL, key or VNI, peer MAC;
 *   answered  an ICMP error is valid (lengths, both checksums) and goes
 *             to the source of the packet it quotes;
 *   bounded   nothing out longer than the input plus the largest
 *             encapsulation plus a VLAN tag.
 *
 *   invariants [-n FRAMES] [-s SEED] [-v]     (make test: 200k; make fuzz: 10M)
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "frames.h"
#include "maps/xfwd_tunnel.h"

#define ACT_OF(name, act, desc) [XFWD_R_##name] = XDP_##act,
static const int ACT[XFWD_R_MAX] = { XFWD_REASONS(ACT_OF) };
#define NAME_OF(name, act, desc) [XFWD_R_##name] = #name,
static const char *const REASON[XFWD_R_MAX] = { XFWD_REASONS(NAME_OF) };

#define TUN_MAX 16
static struct xfwd_tunnel tun[TUN_MAX + 1];
static size_t max_growth;

/* ---- reading frames ---- */

struct ip {
	size_t off, len; /* the IP packet: offset, bytes to the frame's end */
	int fam;
	size_t hlen;     /* IPv4 header (with options), or 40 */
	uint8_t proto;
};

static uint16_t be16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)be16(b) << 16 | be16(b + 2);
}

/* The IP packet at off (an Ethernet type of proto before it). */
static bool ip_at(const uint8_t *f, size_t len, size_t off, uint16_t proto, struct ip *ip)
{
	if (off >= len)
		return false;
	ip->off = off;
	ip->len = len - off;
	if (proto == ETH_P_IP && ip->len >= 20 && f[off] >> 4 == 4) {
		ip->fam = AF_INET;
		ip->hlen = (f[off] & 15u) * 4;
		ip->proto = f[off + 9];
		return ip->hlen >= 20 && ip->hlen <= ip->len;
	}
	if (proto == ETH_P_IPV6 && ip->len >= 40 && f[off] >> 4 == 6) {
		ip->fam = AF_INET6;
		ip->hlen = 40;
		ip->proto = f[off + 6];
		return true;
	}
	return false;
}

/* The frame's IP packet after Ethernet and at most one VLAN tag. */
static bool frame_ip(const uint8_t *f, size_t len, struct ip *ip, uint16_t *vlan)
{
	size_t l2 = 14;
	uint16_t proto = len >= 14 ? be16(f + 12) : 0;

	*vlan = 0;
	if (proto == 0x8100 && len >= 18) {
		*vlan = be16(f + 14) & 0xfff;
		proto = be16(f + 16);
		l2 = 18;
	}
	return ip_at(f, len, l2, proto, ip);
}

/* The length the IP header gives the packet. */
static size_t ip_total(const uint8_t *f, const struct ip *ip)
{
	return ip->fam == AF_INET ? be16(f + ip->off + 2) : 40u + be16(f + ip->off + 4);
}

static bool ipv4_csum_ok(const uint8_t *h, size_t hlen)
{
	return csum_fold(csum_add(0, h, hlen)) == 0;
}

/* The checksum of a UDP, ICMPv6 (or any) payload with its pseudo header. */
static bool l4_csum_ok(const uint8_t *f, const struct ip *ip, uint8_t proto)
{
	const uint8_t *h = f + ip->off, *l4 = h + ip->hlen;
	size_t n = ip->len - ip->hlen;
	uint32_t sum = ip->fam == AF_INET ? csum_add(0, h + 12, 8) : csum_add(0, h + 8, 32);

	return csum_fold(csum_add(sum + proto + (uint32_t)n, l4, n)) == 0;
}

/* ---- the tunnel a frame came in ---- */

struct tunnelled {
	int id;           /* the configured tunnel it matches (type, endpoints, key), 0 none */
	size_t inner;     /* offset of the inner IP packet */
	uint16_t inner_proto;
};

static bool tunnel_is(const struct xfwd_tunnel *t, int fam, const uint8_t *local, const uint8_t *remote,
		      uint8_t type)
{
	size_t n = fam == AF_INET ? 4 : 16;

	return t->type == type && t->family == fam && !memcmp(t->local, local, n) &&
	       !memcmp(t->remote, remote, n);
}

/* The configured tunnel of these endpoints, type and key (-1: none). */
static int tunnel_find(int fam, const uint8_t *local, const uint8_t *remote, uint8_t type, int64_t key)
{
	for (int id = 1; id <= TUN_MAX; id++) {
		bool keyed = tun[id].flags & XFWD_TUN_F_KEY || xfwd_tunnel_udp(&tun[id]);

		if (tunnel_is(&tun[id], fam, local, remote, type) &&
		    (keyed ? key == tun[id].key : key < 0))
			return id;
	}
	return 0;
}

/* What a tunnel header after the IP header ip says: type, key, inner;
 * sent (from the local end) or received (to it). */
static bool tunnel_parse(const uint8_t *f, const struct ip *ip, struct tunnelled *tn, bool sent)
{
	const uint8_t *h = f + ip->off, *p = h + ip->hlen;
	size_t left = ip->len - ip->hlen;
	const uint8_t *src = h + (ip->fam == AF_INET ? 12 : 8), *dst = src + (ip->fam == AF_INET ? 4 : 16);
	int64_t key = -1;
	uint8_t type;

	if (ip->proto == IPPROTO_GRE && left >= 4 && !(p[0] & 0x40) && !(p[1] & 7)) {
		/* RFC 2890: checksum, key, sequence, each 4 bytes when its flag
		 * is set (the checksum is not verified: docs/reliability.md). */
		size_t hl = 4 + (p[0] & 0x80 ? 4 : 0), at_key = hl;

		hl += (p[0] & 0x20 ? 4 : 0) + (p[0] & 0x10 ? 4 : 0);
		if (left < hl)
			return false;
		type = XFWD_TUN_GRE;
		if (p[0] & 0x20)
			key = be32(p + at_key);
		tn->inner_proto = be16(p + 2);
		tn->inner = ip->off + ip->hlen + hl;
	} else if (ip->proto == IPPROTO_IPIP || ip->proto == IPPROTO_IPV6) {
		type = XFWD_TUN_IPIP;
		tn->inner_proto = ip->proto == IPPROTO_IPIP ? ETH_P_IP : ETH_P_IPV6;
		tn->inner = ip->off + ip->hlen;
	} else if (ip->proto == IPPROTO_UDP && left >= 16 &&
		   (be16(p + 2) == XFWD_VXLAN_PORT || be16(p + 2) == XFWD_GENEVE_PORT)) {
		bool vx = be16(p + 2) == XFWD_VXLAN_PORT;
		size_t opt = vx ? 0 : (p[8] & 0x3fu) * 4;
		uint16_t proto = vx ? ETH_P_TEB : be16(p + 10);

		type = vx ? XFWD_TUN_VXLAN : XFWD_TUN_GENEVE;
		key = be32(p + 12) >> 8;
		tn->inner = ip->off + ip->hlen + 16 + opt;
		if (proto == ETH_P_TEB) {
			if (tn->inner + 14 > ip->off + ip->len)
				return false;
			proto = be16(f + tn->inner + 12);
			tn->inner += 14;
		}
		tn->inner_proto = proto;
	} else {
		return false;
	}
	tn->id = sent ? tunnel_find(ip->fam, src, dst, type, key) : tunnel_find(ip->fam, dst, src, type, key);
	return true;
}

/* ---- one frame's verdict ---- */

struct verdict {
	const char *broken; /* the invariant, NULL when all hold */
};

/* out (from off) is packet want (of n bytes) but for TTL - 1 and the
 * IPv4 checksum, which is valid. */
static bool same_but_ttl(const uint8_t *want, size_t n, int fam, const uint8_t *got, size_t glen)
{
	size_t ttl = fam == AF_INET ? 8 : 7;

	if (glen != n || n < ttl + 1 || want[ttl] < 2 || got[ttl] != want[ttl] - 1)
		return false;
	for (size_t i = 0; i < n; i++)
		if (i != ttl && (fam == AF_INET6 || (i != 10 && i != 11)) && want[i] != got[i])
			return false;
	return fam == AF_INET6 || ((got[0] & 15u) * 4 <= n && ipv4_csum_ok(got, (got[0] & 15u) * 4));
}

/* The next hop's Ethernet header: xfwd's source MAC, a next hop's MAC,
 * the VLAN tag exactly when that next hop has one. */
static bool l2_ok(const uint8_t *out, uint16_t vlan)
{
	bool vlan_nh = !memcmp(out, MAC_NH[5], 6);

	if (memcmp(out + 6, MAC_SMAC, 6) || (vlan_nh ? vlan != 100 : vlan != 0))
		return false;
	for (int i = 0; i < 6; i++)
		if (!memcmp(out, MAC_NH[i], 6))
			return true;
	return false;
}

/* The outer headers of an encapsulated frame are whole: it is one of the
 * configured tunnels, from its local address to its remote, with its
 * TTL, key or VNI, lengths and checksums; tn: where the inner packet
 * starts. Bytes after the outer packet are the input's Ethernet padding,
 * carried (the inner comparison covers them). */
/* What outer_ok checks besides: the UDP checksum, the peer's MAC inside,
 * the header xfwd writes (a probe answer keeps the request's). */
enum { SUM_UDP = 1, PEER_MAC = 2, OWN_HDR = 4 };

static bool outer_ok(const uint8_t *out, const struct ip *o, struct tunnelled *tn, int also)
{
	const uint8_t *h = out + o->off;
	const struct xfwd_tunnel *t;
	struct ip pkt = *o; /* without the frame's padding after it */

	if (!tunnel_parse(out, o, tn, true) || !tn->id)
		return false;
	t = &tun[tn->id];
	pkt.len = ip_total(out, o);
	if (pkt.len > o->len || h[o->fam == AF_INET ? 8 : 7] != t->ttl)
		return false;
	if (o->fam == AF_INET && (o->hlen != 20 || !ipv4_csum_ok(h, 20)))
		return false;
	if (xfwd_tunnel_udp(t)) {
		const uint8_t *u = h + o->hlen;
		bool zero = be16(u + 6) == 0;

		if (be16(u + 4) != pkt.len - o->hlen || (o->fam == AF_INET6 && zero) ||
		    ((also & SUM_UDP) && !zero && !l4_csum_ok(out, &pkt, IPPROTO_UDP)))
			return false;
		if ((also & PEER_MAC) && xfwd_tunnel_inner_eth(t) && memcmp(out + tn->inner - 14, t->peer_mac, 6))
			return false;
	}
	return !(also & OWN_HDR) || tn->inner == o->off + xfwd_tunnel_overhead(t);
}

/* out carries the IP packet want: forwarded as it is, or encapsulated. */
static bool carried(const uint8_t *want, size_t n, int fam, const uint8_t *out, size_t olen)
{
	struct tunnelled tn;
	uint16_t vlan;
	struct ip o, in;

	if (!frame_ip(out, olen, &o, &vlan) || !l2_ok(out, vlan))
		return false;
	if (o.fam == fam && same_but_ttl(want, n, fam, out + o.off, o.len))
		return true;
	return outer_ok(out, &o, &tn, SUM_UDP | PEER_MAC | OWN_HDR) &&
	       ip_at(out, olen, tn.inner, tn.inner_proto, &in) && in.fam == fam &&
	       same_but_ttl(want, n, fam, out + in.off, in.len);
}

/* An ICMP "too big" for the packet q (n bytes): to its source, quoting it,
 * lengths and checksums right. */
static bool icmp_ok(const uint8_t *q, size_t n, int fam, const uint8_t *out, size_t olen)
{
	struct ip o;
	uint16_t vlan;
	const uint8_t *h, *m;
	size_t quoted, alen = fam == AF_INET ? 4 : 16;

	if (!frame_ip(out, olen, &o, &vlan) || o.fam != fam || ip_total(out, &o) != o.len)
		return false;
	h = out + o.off;
	m = h + o.hlen;
	if (o.len < o.hlen + 8 || memcmp(h + (fam == AF_INET ? 16 : 24), q + (fam == AF_INET ? 12 : 8), alen))
		return false;
	quoted = o.len - o.hlen - 8;
	if (quoted > n || memcmp(m + 8, q, quoted))
		return false;
	if (fam == AF_INET)
		return o.proto == IPPROTO_ICMP && m[0] == ICMP_DEST_UNREACH && m[1] == ICMP_FRAG_NEEDED &&
		       ipv4_csum_ok(h, o.hlen) && csum_fold(csum_add(0, m, o.len - o.hlen)) == 0;
	return o.proto == IPPROTO_ICMPV6 && m[0] == ICMPV6_PKT_TOOBIG && l4_csum_ok(out, &o, IPPROTO_ICMPV6);
}

/* The IP packets a frame could come out as: its own, and (when it came
 * in a tunnel) its inner packet. inner_ok: that tunnel is configured,
 * with that key. */
struct cands {
	struct ip own, inner;
	bool has_own, has_inner, inner_ok;
	uint8_t inner_b[2048]; /* the inner packet as decapsulated: RFC 6040 applied */
};

/* RFC 6040: an outer CE over an ECN-capable inner marks the inner CE. */
static void ecn_decap(const uint8_t *in, struct cands *c)
{
	const uint8_t *o = in + c->own.off;
	uint8_t *h = c->inner_b;
	bool ce = c->own.fam == AF_INET ? (o[1] & 3) == 3 : ((o[1] >> 4) & 3) == 3;

	if (!ce)
		return;
	if (c->inner.fam == AF_INET && (h[1] & 3)) {
		/* RFC 1624, as xfwd updates it: a wrong sum stays as wrong. */
		uint32_t sum = (uint16_t)~be16(h + 10) + (uint16_t)~be16(h);

		h[1] |= 3;
		sum = csum_fold(sum + be16(h));
		h[10] = (uint8_t)(sum >> 8);
		h[11] = (uint8_t)sum;
	} else if (c->inner.fam == AF_INET6 && ((h[1] >> 4) & 3)) {
		h[1] |= 0x30;
	}
}

static void candidates(const uint8_t *in, size_t len, struct cands *c)
{
	struct tunnelled tn;
	uint16_t vlan;

	memset(c, 0, sizeof(*c));
	c->has_own = frame_ip(in, len, &c->own, &vlan);
	if (c->has_own && tunnel_parse(in, &c->own, &tn, false) &&
	    ip_at(in, len, tn.inner, tn.inner_proto, &c->inner)) {
		size_t end = c->own.off + ip_total(in, &c->own); /* padding after it is not inner */

		c->has_inner = tn.inner < end;
		c->inner.len = end - tn.inner < c->inner.len ? end - tn.inner : c->inner.len;
		c->inner_ok = tn.id != 0;
		memcpy(c->inner_b, in + c->inner.off, c->inner.len);
		ecn_decap(in, c);
	}
}

static const char *forwarded(const uint8_t *in, const struct cands *c, const uint8_t *out, size_t olen)
{
	if (c->has_own && carried(in + c->own.off, c->own.len, c->own.fam, out, olen))
		return NULL;
	if (c->has_inner && carried(c->inner_b, c->inner.len, c->inner.fam, out, olen))
		return c->inner_ok ? NULL : "decapsulated from an unconfigured peer or with a wrong key";
	return "forwarded, but not the input (or its inner packet) with TTL - 1 behind valid headers";
}

/* Decapsulation may drop what followed the inner packet in the tunnel. */
static const char *passed(const uint8_t *in, size_t len, const struct cands *c, const uint8_t *out,
			  size_t olen)
{
	struct ip o;
	uint16_t vlan;

	if (olen == len && !memcmp(in, out, len))
		return NULL;
	if (c->has_inner && frame_ip(out, olen, &o, &vlan) &&
	    (o.len == c->inner.len || o.len == ip_total(in, &c->inner)) && o.len <= c->inner.len &&
	    (!memcmp(out + o.off, in + c->inner.off, o.len) || !memcmp(out + o.off, c->inner_b, o.len)))
		return c->inner_ok ? NULL : "decapsulated from an unconfigured peer or with a wrong key";
	return "passed to the kernel changed";
}

static const char *answered(const uint8_t *in, const struct cands *c, const uint8_t *out, size_t olen)
{
	if (c->has_own && icmp_ok(in + c->own.off, c->own.len, c->own.fam, out, olen))
		return NULL;
	if (c->has_inner && c->inner_ok && icmp_ok(c->inner_b, c->inner.len, c->inner.fam, out, olen))
		return NULL;
	return "an invalid ICMP error";
}

/* A probe answer goes back into the tunnel it came in, its outer headers
 * whole, to the inner MAC the request came from. It changes no word the
 * UDP checksum covers, so that is as valid as the request's was (xfwd
 * does not verify outer UDP checksums). */
static const char *probe_answer(const uint8_t *in, const struct cands *c, const uint8_t *out, size_t olen)
{
	struct ip o, req = c->own;
	struct tunnelled tn;
	uint16_t vlan;
	bool valid;

	req.len = ip_total(in, &c->own) <= c->own.len ? ip_total(in, &c->own) : c->own.len;
	valid = c->has_own && l4_csum_ok(in, &req, IPPROTO_UDP);
	return frame_ip(out, olen, &o, &vlan) && outer_ok(out, &o, &tn, valid ? SUM_UDP : 0) ? NULL :
		"a probe answer with broken outer headers";
}

static const char *judge(const uint8_t *in, size_t len, int act, int reason, const uint8_t *out,
			 size_t olen)
{
	struct cands c;

	if (act < 0)
		return "BPF_PROG_TEST_RUN failed";
	if (reason < 0)
		return "not exactly one counter moved, once";
	if (ACT[reason] != act)
		return "the counter's action is not the action returned";
	if (act != XDP_DROP && olen > len + max_growth)
		return "out longer than in plus the largest encapsulation";
	candidates(in, len, &c);
	switch (reason) {
	case XFWD_R_FWD_TX:
	case XFWD_R_FWD_REDIRECT:
		return forwarded(in, &c, out, olen);
	case XFWD_R_TX_ICMP_TOO_BIG:
		return answered(in, &c, out, olen);
	case XFWD_R_TX_PROBE_ANSWER:
		return probe_answer(in, &c, out, olen);
	case XFWD_R_FWD_PROBE:
		return "a probe sent from a frame that came in";
	case XFWD_R_FWD_GWLB:
		return "returned to a Gateway Load Balancer the fixture does not have";
	}
	return act == XDP_PASS ? passed(in, len, &c, out, olen) : NULL;
}

/* ---- the run ---- */

struct tally {
	uint64_t frames, broken, by_reason[XFWD_R_MAX];
	const char *kinds[16];
	uint64_t kind_n[16];
};

static void note(struct tally *t, const char *what, const struct pkt *in, const uint8_t *out, uint32_t olen,
		 int act, int reason, uint64_t frame, bool verbose)
{
	size_t k = 0;

	while (k < 16 && t->kinds[k] && t->kinds[k] != what)
		k++;
	if (k == 16)
		k = 15;
	t->kinds[k] = what;
	if (t->kind_n[k]++ < 3 || verbose) {
		fprintf(stderr, "VIOLATION (frame %llu): %s; action %d, reason %s\n", (unsigned long long)frame,
			what, act, reason >= 0 ? REASON[reason] : "(none or several)");
		pkt_hexdump("in", in->b, in->len);
		if (act != XDP_DROP)
			pkt_hexdump("out", out, olen);
	}
	t->broken++;
}

static void load_tunnels(void)
{
	int fd = bpf_map__fd(skel->maps.xfwd_tunnels);

	for (uint32_t id = 1; id <= TUN_MAX; id++) {
		if (bpf_map_lookup_elem(fd, &id, &tun[id]))
			abort();
		if (tun[id].type && xfwd_tunnel_overhead(&tun[id]) + 4 > max_growth)
			max_growth = xfwd_tunnel_overhead(&tun[id]) + 4; /* + a VLAN tag */
	}
}

static void summary(const struct tally *t, uint64_t seed)
{
	printf("invariants: %llu frames (seed %llu), %llu violations\n", (unsigned long long)t->frames,
	       (unsigned long long)seed, (unsigned long long)t->broken);
	for (int r = 0; r < XFWD_R_MAX; r++)
		if (t->by_reason[r])
			printf("  %-22s %llu\n", REASON[r], (unsigned long long)t->by_reason[r]);
	for (int k = 0; k < 16 && t->kinds[k]; k++)
		printf("  broken: %s: %llu\n", t->kinds[k], (unsigned long long)t->kind_n[k]);
	/* The whole run is one check for tests/run-all.sh. */
	printf("invariants: %d passed, %d failed\n", !t->broken, !!t->broken);
}

int main(int argc, char **argv)
{
	uint64_t n = 200000, seed = 1, s;
	struct tally t = { 0 };
	bool verbose = false;
	uint8_t out[4096];
	struct pkt in;
	int opt;

	while ((opt = getopt(argc, argv, "n:s:v")) != -1) {
		if (opt == 'n')
			n = strtoull(optarg, NULL, 0);
		else if (opt == 's')
			seed = strtoull(optarg, NULL, 0);
		else if (opt == 'v')
			verbose = true;
		else
			return fprintf(stderr, "usage: invariants [-n FRAMES] [-s SEED] [-v]\n"), 2;
	}
	if (setup()) {
		printf("invariants: 0 passed, 1 failed\n");
		return 1;
	}
	load_tunnels();
	s = seed * 0x9E3779B97F4A7C15ULL + 1;
	for (t.frames = 0; t.frames < n; t.frames++) {
		uint32_t olen = 0;
		int reason, act;
		const char *bad;

		frame_make(&s, &in);
		act = run(in.b, in.len, out, &olen, &reason);
		if (reason >= 0)
			t.by_reason[reason]++;
		if ((bad = judge(in.b, in.len, act, reason, out, olen)))
			note(&t, bad, &in, out, olen, act, reason, t.frames, verbose);
	}
	summary(&t, seed);
	return t.broken ? 1 : 0;
}
