/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small packet builder for tests (in the spirit of cilium's pktgen.h):
 * push headers in order, then pkt_finish() fills lengths and checksums.
 */
#ifndef XFWD_TEST_PKT_H
#define XFWD_TEST_PKT_H

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct pkt {
	uint8_t b[2048];
	size_t len;
	long l3, l4; /* offsets, -1 when absent */
	int family;
};

static inline void pkt_init(struct pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->l3 = p->l4 = -1;
}

static inline void *pkt_push(struct pkt *p, const void *h, size_t n)
{
	void *at = p->b + p->len;

	memcpy(at, h, n);
	p->len += n;
	return at;
}

static inline void pkt_eth(struct pkt *p, const uint8_t dst[6],
			   const uint8_t src[6], uint16_t proto)
{
	struct ethhdr e;

	memcpy(e.h_dest, dst, 6);
	memcpy(e.h_source, src, 6);
	e.h_proto = htons(proto);
	pkt_push(p, &e, sizeof(e));
}

/* 802.1Q tag after an Ethernet header whose type was 0x8100. */
static inline void pkt_vlan(struct pkt *p, uint16_t tci, uint16_t proto)
{
	uint16_t v[2] = { htons(tci), htons(proto) };

	pkt_push(p, v, sizeof(v));
}

static inline void pkt_ipv4(struct pkt *p, const char *src, const char *dst,
			    uint8_t proto, uint8_t ttl, const uint8_t *opts,
			    size_t optlen)
{
	struct iphdr h = { .version = 4, .ihl = (uint8_t)(5 + optlen / 4),
			   .ttl = ttl, .protocol = proto };

	inet_pton(AF_INET, src, &h.saddr);
	inet_pton(AF_INET, dst, &h.daddr);
	p->l3 = (long)p->len;
	p->family = AF_INET;
	pkt_push(p, &h, sizeof(h));
	if (optlen)
		pkt_push(p, opts, optlen);
}

static inline void pkt_ipv6(struct pkt *p, const char *src, const char *dst,
			    uint8_t nexthdr, uint8_t hlim)
{
	struct ipv6hdr h = { .version = 6, .nexthdr = nexthdr, .hop_limit = hlim };

	inet_pton(AF_INET6, src, &h.saddr);
	inet_pton(AF_INET6, dst, &h.daddr);
	p->l3 = (long)p->len;
	p->family = AF_INET6;
	pkt_push(p, &h, sizeof(h));
}

static inline void pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	struct udphdr u = { .source = htons(sport), .dest = htons(dport) };

	p->l4 = (long)p->len;
	pkt_push(p, &u, sizeof(u));
}

static inline void pkt_tcp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	struct tcphdr t = { .source = htons(sport), .dest = htons(dport),
			    .doff = 5, .syn = 1 };

	p->l4 = (long)p->len;
	pkt_push(p, &t, sizeof(t));
}

static inline void pkt_payload(struct pkt *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p->b[p->len++] = (uint8_t)(i * 7 + 3);
}

static inline uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static inline uint32_t csum_add(uint32_t sum, const void *d, size_t n)
{
	const uint8_t *b = d;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	return sum;
}

/* UDP length and checksum, given the sum of the pseudo header's addresses
 * (a computed zero is sent as 0xffff, RFC 768). */
static inline void pkt_udp_csum(struct pkt *p, uint32_t addr_sum)
{
	struct udphdr *u = (void *)(p->b + p->l4);
	uint16_t ulen = (uint16_t)(p->len - (size_t)p->l4), c;

	u->len = htons(ulen);
	u->check = 0;
	c = csum_fold(csum_add(addr_sum + 17 + ulen, u, ulen));
	u->check = htons(c ? c : 0xffff);
}

/* Lengths and checksums of the IP header and of UDP. */
static inline void pkt_finish(struct pkt *p)
{
	if (p->family == AF_INET) {
		struct iphdr *h = (void *)(p->b + p->l3);

		h->tot_len = htons((uint16_t)(p->len - (size_t)p->l3));
		h->check = 0;
		h->check = htons(csum_fold(csum_add(0, h, h->ihl * 4u)));
	} else if (p->family == AF_INET6) {
		struct ipv6hdr *h = (void *)(p->b + p->l3);

		h->payload_len = htons((uint16_t)(p->len - (size_t)p->l3 - sizeof(*h)));
	}
	if (p->l4 >= 0 && p->family == AF_INET &&
	    ((struct iphdr *)(p->b + p->l3))->protocol == 17) {
		struct iphdr *h = (void *)(p->b + p->l3);

		pkt_udp_csum(p, csum_add(0, &h->saddr, 8));
	} else if (p->l4 >= 0 && p->family == AF_INET6 &&
		   ((struct ipv6hdr *)(p->b + p->l3))->nexthdr == 17) {
		struct ipv6hdr *h = (void *)(p->b + p->l3);

		pkt_udp_csum(p, csum_add(0, &h->saddr, 32));
	}
}

static inline void pkt_hexdump(const char *what, const uint8_t *b, size_t n)
{
	fprintf(stderr, "  %s (%zu bytes):", what, n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n    ", b[i]);
	fprintf(stderr, "\n");
}

#endif
