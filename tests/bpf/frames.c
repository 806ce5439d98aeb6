// SPDX-License-Identifier: GPL-2.0-only
/* Generated frames for the invariant checker (frames.h). */
#include "frames.h"

#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "fixture.h"
#include "maps/xfwd_abi.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* One address under each route of the fixture, and some under none. */
static const char *const DST4[] = {
	"10.1.0.9",   "10.1.2.200", "10.2.0.9",  "10.3.1.1",  "10.3.77.5", "10.4.0.1",
	"10.5.0.1",   "10.0.0.1",   "10.6.0.1",  "10.7.0.1",  "10.8.0.1",  "10.12.0.1",
	"10.20.0.1",  "10.21.0.1",  "10.22.0.1", "10.23.0.1", "10.24.0.1", "10.25.0.1",
	"10.26.0.1",  "10.27.0.1",  "10.99.0.1", IF_IN_ADDR4, T4_LOCAL,    "224.0.0.5",
	"255.255.255.255", "127.0.0.1", "169.254.0.2", "0.0.0.0",
};
static const char *const DST6[] = {
	"2001:db8:1::9",    "2001:db8:2::9",     "2001:db8:3::9",   "2001:db8:3::77",
	"2001:db8:4::9",    "2001:db8::1",       "2001:db8:100::1", "2001:db8:100:7::1",
	"2001:db8:100:8::1", "2001:db8:20::1",   "2001:db8:25::1",  "2001:db8:27::1",
	"2001:db8:99::1",   IF_IN_ADDR6,         T6_LOCAL,          "ff02::1",
	"fe80::1",          "::1",
};
static const char *const SRC4[] = { "192.0.2.10", "10.1.0.77", "169.254.0.1", "0.0.0.0" };
static const char *const SRC6[] = { "2001:db8:9::10", "2001:db8:1::77", "fe80::2" };
static const uint8_t TTLS[] = { 0, 1, 2, 3, 64, 255 };

/* The tunnels of the fixture as a peer sends to them, and others. */
struct peer {
	int fam;
	const char *src, *dst;
	uint8_t type;  /* XFWD_TUN_* */
	int key;       /* -1: none */
	int inner_eth; /* UDP tunnels: an inner Ethernet header */
};
static const struct peer PEERS[] = {
	{ AF_INET, T4_REMOTE, T4_LOCAL, XFWD_TUN_GRE, 42, 0 },
	{ AF_INET, T4_REMOTE, T4_LOCAL, XFWD_TUN_GRE, 44, 0 },
	{ AF_INET, T4_REMOTE, T4_LOCAL, XFWD_TUN_GRE, 43, 0 },  /* wrong key */
	{ AF_INET, T4_REMOTE, T4_LOCAL, XFWD_TUN_GRE, -1, 0 },  /* missing key */
	{ AF_INET, T4_REMOTE3, T4_LOCAL, XFWD_TUN_GRE, -1, 0 },
	{ AF_INET, T4_REMOTE3, T4_LOCAL, XFWD_TUN_GRE, 9, 0 },  /* a key where none is */
	{ AF_INET, "198.51.100.99", T4_LOCAL, XFWD_TUN_GRE, 42, 0 }, /* unknown peer */
	{ AF_INET6, T6_REMOTE, T6_LOCAL, XFWD_TUN_IPIP, -1, 0 },
	{ AF_INET6, "2001:db8:ff::99", T6_LOCAL, XFWD_TUN_IPIP, -1, 0 },
	{ AF_INET, T4_REMOTE, T4_LOCAL, XFWD_TUN_IPIP, -1, 0 }, /* IPIP where GRE is */
	{ AF_INET, T4_REMOTE4, T4_LOCAL, XFWD_TUN_VXLAN, 100, 1 },
	{ AF_INET, T4_REMOTE4, T4_LOCAL, XFWD_TUN_VXLAN, 102, 1 },
	{ AF_INET, T4_REMOTE4, T4_LOCAL, XFWD_TUN_VXLAN, 101, 1 },
	{ AF_INET, "198.51.100.99", T4_LOCAL, XFWD_TUN_VXLAN, 100, 1 },
	{ AF_INET, T4_REMOTE5, T4_LOCAL, XFWD_TUN_GENEVE, 200, 1 },
	{ AF_INET, T4_REMOTE5, T4_LOCAL, XFWD_TUN_GENEVE, 200, 0 },
	{ AF_INET6, T6_REMOTE6, T6_LOCAL, XFWD_TUN_GENEVE, 300, 0 },
	{ AF_INET6, T6_REMOTE6, T6_LOCAL, XFWD_TUN_GENEVE, 300, 1 },
	{ AF_INET6, T6_REMOTE7, T6_LOCAL, XFWD_TUN_VXLAN, 400, 1 },
	{ AF_INET6, T6_REMOTE7, T6_LOCAL, XFWD_TUN_VXLAN, 7, 1 },
	{ AF_INET, T4_REMOTE8, T4_LOCAL, XFWD_TUN_GRE, -1, 0 }, /* the ipsec peer, in GRE */
};

static const char *pick(uint64_t *s, const char *const *v, uint32_t n)
{
	return v[below(s, n)];
}

static void ipv4_extras(uint64_t *s, struct pkt *p)
{
	struct iphdr *h = (void *)(p->b + p->l3);

	if (below(s, 8) == 0)
		h->frag_off = htons(below(s, 2) ? 0x2000 : (uint16_t)(below(s, 0x2000)));
	else if (below(s, 2))
		h->frag_off = htons(0x4000); /* DF */
	h->tos = (uint8_t)(below(s, 4) == 0 ? rnd(s) : 0);
	h->id = (uint16_t)rnd(s);
}

static void l4(uint64_t *s, struct pkt *p, uint8_t proto, int probe)
{
	if (probe) {
		uint16_t type = below(s, 2) ? XFWD_PROBE_REQUEST : XFWD_PROBE_REPLY;
		/* comp: the other type, as xfwd sends them; sometimes not. */
		struct xfwd_probe pr = { .magic = htonl(XFWD_PROBE_MAGIC), .type = htons(type),
					 .comp = htons(below(s, 4) ? type ^ 3 : (uint16_t)below(s, 4)),
					 .tunnel = below(s, 12), .seq = rnd(s), .tx_ns = rnd(s) };

		pkt_udp(p, (uint16_t)(40000 + below(s, 100)), XFWD_PROBE_PORT);
		pkt_push(p, &pr, sizeof(pr));
		return;
	}
	if (proto == IPPROTO_UDP)
		pkt_udp(p, (uint16_t)rnd(s), (uint16_t)rnd(s));
	else if (proto == IPPROTO_TCP)
		pkt_tcp(p, (uint16_t)rnd(s), (uint16_t)rnd(s));
	else if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6)
		pkt_push(p, (uint8_t[8]){ proto == IPPROTO_ICMP ? 8 : 128, 0, 0, 0, 0, 1, 0, 1 }, 8);
	/* Mostly small; sometimes past the fixture's MTUs (500, 1400, 1500). */
	pkt_payload(p, below(s, 8) == 0 ? 400 + below(s, 1200) : below(s, 120));
}

/* An IP packet (no Ethernet) of family fam into p, from p->len on. */
static void inner_ip(uint64_t *s, struct pkt *p, int fam)
{
	static const uint8_t protos[] = { IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP, IPPROTO_GRE, 132 };
	int probe = below(s, 16) == 0;
	uint8_t proto = probe ? IPPROTO_UDP : protos[below(s, N(protos))];
	uint8_t ttl = below(s, 2) ? 64 : TTLS[below(s, N(TTLS))];

	if (fam == AF_INET) {
		static const uint8_t opts[8] = { 1, 1, 1, 1, 7, 3, 4, 0 };
		size_t optlen = below(s, 10) == 0 ? 4 * (1 + below(s, 2)) : 0;

		pkt_ipv4(p, probe ? "169.254.0.1" : pick(s, SRC4, N(SRC4)),
			 probe ? "169.254.0.2" : pick(s, DST4, N(DST4)), proto, ttl, opts, optlen);
		ipv4_extras(s, p);
	} else {
		int ext = below(s, 10) == 0;

		if (proto == IPPROTO_ICMP)
			proto = IPPROTO_ICMPV6;
		pkt_ipv6(p, pick(s, SRC6, N(SRC6)), pick(s, DST6, N(DST6)),
			 ext ? (below(s, 2) ? 0 : 44) : proto, ttl);
		if (ext) /* hop-by-hop (PadN) or a fragment header */
			pkt_push(p, (uint8_t[8]){ proto, 0, 1, 4, 0, 0, 0, 0 }, 8);
	}
	l4(s, p, proto, probe);
	pkt_finish(p);
}

static const uint8_t *dmac_of(uint64_t *s)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	switch (below(s, 16)) {
	case 0:
		return bcast;
	case 1:
		return MAC_NH[0]; /* someone else's */
	default:
		return MAC_ROUTER;
	}
}

static void ethernet(uint64_t *s, struct pkt *p, uint16_t proto)
{
	if (below(s, 8) == 0) {
		pkt_eth(p, dmac_of(s), MAC_IN_SRC, 0x8100);
		pkt_vlan(p, (uint16_t)below(s, 4096), proto);
	} else {
		pkt_eth(p, dmac_of(s), MAC_IN_SRC, proto);
	}
}

static void plain(uint64_t *s, struct pkt *p)
{
	int fam = below(s, 3) ? AF_INET : AF_INET6;

	ethernet(s, p, fam == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	inner_ip(s, p, fam);
}

/* The tunnel's own header, after the outer IP header. */
static void tunnel_header(uint64_t *s, struct pkt *p, const struct peer *t, int inner_fam)
{
	uint16_t eproto = inner_fam == AF_INET ? ETH_P_IP : ETH_P_IPV6;

	if (t->type == XFWD_TUN_GRE) {
		uint16_t g[2] = { htons(t->key >= 0 ? 0x2000 : 0), htons(eproto) };
		uint32_t k = htonl((uint32_t)t->key);

		pkt_push(p, g, sizeof(g));
		if (t->key >= 0)
			pkt_push(p, &k, sizeof(k));
	} else if (t->type == XFWD_TUN_VXLAN || t->type == XFWD_TUN_GENEVE) {
		int vx = t->type == XFWD_TUN_VXLAN;
		uint32_t w[2] = { htonl(vx ? 0x08000000 : (t->inner_eth ? ETH_P_TEB : eproto)),
				  htonl((uint32_t)t->key << 8) };

		pkt_udp(p, (uint16_t)(49152 + below(s, 16384)), vx ? XFWD_VXLAN_PORT : XFWD_GENEVE_PORT);
		pkt_push(p, w, sizeof(w));
		if (t->inner_eth)
			pkt_eth(p, MAC_ROUTER, MAC_PEER_VTEP, eproto);
	}
}

static void tunnelled(uint64_t *s, struct pkt *p)
{
	const struct peer *t = &PEERS[below(s, N(PEERS))];
	int inner_fam = below(s, 3) ? AF_INET : AF_INET6;
	uint8_t proto = t->type == XFWD_TUN_GRE ? IPPROTO_GRE :
			t->type == XFWD_TUN_IPIP ? (inner_fam == AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6) :
						   IPPROTO_UDP;
	struct pkt inner;
	long l3, l4;

	ethernet(s, p, t->fam == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	if (t->fam == AF_INET)
		pkt_ipv4(p, t->src, t->dst, proto, below(s, 8) ? 64 : TTLS[below(s, N(TTLS))], NULL, 0);
	else
		pkt_ipv6(p, t->src, t->dst, proto, 64);
	tunnel_header(s, p, t, inner_fam);
	l3 = p->l3;
	l4 = p->l4;
	pkt_init(&inner);
	inner_ip(s, &inner, inner_fam);
	pkt_push(p, inner.b, inner.len);
	p->l3 = l3; /* pkt_finish: the outer's lengths and checksums */
	p->l4 = l4;
	p->family = t->fam;
	pkt_finish(p);
	if (t->fam == AF_INET && p->l4 >= 0 && below(s, 2))
		((struct udphdr *)(p->b + p->l4))->check = 0; /* allowed over IPv4 */
}

static void random_bytes(uint64_t *s, struct pkt *p)
{
	size_t n = 14 + below(s, 200);

	for (size_t i = 0; i < n; i++)
		p->b[i] = (uint8_t)rnd(s);
	if (below(s, 2)) /* give most a chance past the Ethernet check */
		memcpy(p->b, MAC_ROUTER, 6);
	if (below(s, 2)) {
		p->b[12] = below(s, 2) ? 0x08 : 0x86;
		p->b[13] = p->b[12] == 0x08 ? 0x00 : 0xdd;
		p->b[14] = p->b[12] == 0x08 ? 0x45 : 0x60;
	}
	p->len = n;
}

/* Damage a valid frame: the faults a parser must survive. */
static void mutate(uint64_t *s, struct pkt *p)
{
	size_t at;

	switch (below(s, 6)) {
	case 0: /* truncated */
		p->len = 14 + below(s, (uint32_t)(p->len - 13));
		break;
	case 1: /* one byte flipped anywhere */
		p->b[below(s, (uint32_t)p->len)] ^= (uint8_t)(1 + below(s, 255));
		break;
	case 2: /* a byte of the headers set to anything (lengths, IHL, flags) */
		at = below(s, (uint32_t)(p->len < 90 ? p->len : 90));
		p->b[at] = (uint8_t)rnd(s);
		break;
	case 3: /* trailing bytes (Ethernet padding, or junk) */
		for (uint32_t n = 1 + below(s, 40); n-- && p->len < sizeof(p->b);)
			p->b[p->len++] = (uint8_t)rnd(s);
		break;
	case 4: /* the IPv4 IHL or IPv6 payload length */
		if (p->l3 >= 0 && (size_t)p->l3 + 6 < p->len)
			p->b[p->l3 + (p->family == AF_INET ? 0 : 5)] = (uint8_t)rnd(s);
		break;
	default: /* the TTL / hop limit: 0 or 1 */
		if (p->l3 >= 0 && (size_t)p->l3 + 9 < p->len)
			p->b[p->l3 + (p->family == AF_INET ? 8 : 7)] = (uint8_t)below(s, 2);
		break;
	}
}

void frame_make(uint64_t *s, struct pkt *p)
{
	uint32_t kind = below(s, 16);

	pkt_init(p);
	if (kind == 0)
		random_bytes(s, p);
	else if (kind < 8)
		plain(s, p);
	else
		tunnelled(s, p);
	for (uint32_t n = below(s, 2) ? 0 : 1 + below(s, 3); n--;)
		mutate(s, p);
	if (p->len < 14)
		p->len = 14;
}
