/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XFWD_BPF_CSUM_H
#define XFWD_BPF_CSUM_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>

/* Checksum arithmetic and the IP headers xfwd builds (tunnel outer
 * headers, ICMP errors). Sums are of 16-bit words as loaded (network
 * order in memory), folded at the end. */

static __always_inline __u32 fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	return (sum & 0xffff) + (sum >> 16);
}

/* Sum of n 16-bit words (n constant: the loop unrolls). */
static __always_inline __u32 sum16(const void *p, int n)
{
	const __u16 *w = p;
	__u32 s = 0;

#pragma unroll
	for (int i = 0; i < n; i++)
		s += w[i];
	return s;
}

/* TTL - 1 with the RFC 1624 incremental checksum update: the TTL is the
 * high byte of its 16-bit word, so the sum grows by 0x0100 (the kernel's
 * ip_decrease_ttl()). */
static __always_inline void ipv4_dec_ttl(struct iphdr *iph)
{
	__u32 check = iph->check;

	check += bpf_htons(0x0100);
	iph->check = (__sum16)(check + (check >= 0xFFFF));
	iph->ttl--;
}

/* Full checksum of a 20-byte IPv4 header we built (check field zero). */
static __always_inline __sum16 ipv4_csum(struct iphdr *iph)
{
	return (__sum16)~fold(sum16(iph, 10));
}

/* A received 20-byte IPv4 header's checksum is right: its words, the
 * checksum among them, sum to 0xffff (RFC 1071). */
static __always_inline int ipv4_csum_ok(struct iphdr *iph)
{
	return fold(sum16(iph, 10)) == 0xffff;
}

/* A 20-byte IPv4 header xfwd sends, checksum included. */
static __always_inline void ipv4_fill(struct iphdr *o, __u8 tos, __u16 len, __u8 ttl,
				      __u8 proto, __be32 saddr, __be32 daddr, __be16 frag_off)
{
	o->version = 4;
	o->ihl = 5;
	o->tos = tos;
	o->tot_len = bpf_htons(len);
	o->id = 0;
	o->frag_off = frag_off;
	o->ttl = ttl;
	o->protocol = proto;
	o->saddr = saddr;
	o->daddr = daddr;
	o->check = 0;
	o->check = ipv4_csum(o);
}

/* An IPv6 header xfwd sends (flow label zero). */
static __always_inline void ipv6_fill(struct ipv6hdr *o, __u8 tclass, __u16 payload,
				      __u8 hlim, __u8 proto, const void *saddr,
				      const void *daddr)
{
	o->version = 6;
	o->priority = tclass >> 4;
	o->flow_lbl[0] = (tclass & 0xf) << 4;
	o->flow_lbl[1] = 0;
	o->flow_lbl[2] = 0;
	o->payload_len = bpf_htons(payload);
	o->nexthdr = proto;
	o->hop_limit = hlim;
	__builtin_memcpy(&o->saddr, saddr, 16);
	__builtin_memcpy(&o->daddr, daddr, 16);
}

/* Set ECN to CE (RFC 6040 decapsulation) with an RFC 1624 update of the
 * 16-bit word holding version/IHL and TOS. */
static __always_inline void ipv4_set_ce(struct iphdr *iph)
{
	__u16 *word = (__u16 *)iph, old = *word, new_;
	__u32 sum;

	iph->tos |= 3;
	new_ = *word;
	sum = (__u16)~iph->check + (__u16)~old + new_;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	iph->check = (__sum16)~sum;
}

static __always_inline __u16 csum_fold64(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	return (__u16)fold((__u32)sum);
}

#define CSUM_CHUNK 64
/* An XDP frame without fragments is at most a page (4 KiB). */
#define CSUM_MAX_CHUNKS (4096 / CSUM_CHUNK)

/*
 * One's complement sum of the len bytes at p (fewer if the frame ends
 * first): 64-byte blocks by the kernel's csum_partial (bpf_csum_diff),
 * then 4-byte words, then the last 1-3 bytes. p must be at an even offset
 * from the checksummed header's start, so 16-bit words line up. Each
 * step checks data_end for the verifier and len for the datagram: a frame
 * can carry bytes after the packet (Ethernet padding) that no checksum
 * covers.
 */
static __always_inline __u64 csum_len(void *p, __u32 len, void *data_end, __u64 seed)
{
	__u32 sum = (__u32)csum_fold64(seed), done = 0;
	__u64 acc;
	int i;

	/* The length is counted apart from the pointer: pointer plus a
	 * length read from the packet is refused by older verifiers (6.1:
	 * "unbounded min value") however it is masked. */
	for (i = 0; i < CSUM_MAX_CHUNKS; i++) {
		if (p + CSUM_CHUNK > data_end || done + CSUM_CHUNK > len)
			break;
		sum = (__u32)bpf_csum_diff(NULL, 0, p, CSUM_CHUNK, sum);
		p += CSUM_CHUNK;
		done += CSUM_CHUNK;
	}
	acc = sum;
	for (i = 0; i < CSUM_CHUNK / 4; i++) {
		if (p + 4 > data_end || done + 4 > len)
			break;
		acc += *(__u32 *)p;
		p += 4;
		done += 4;
	}
	if (p + 2 <= data_end && done + 2 <= len) {
		acc += *(__u16 *)p;
		p += 2;
		done += 2;
	}
	if (p + 1 <= data_end && done + 1 <= len) /* odd tail: the high byte of a zero-padded word */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		acc += *(__u8 *)p;
#else
		acc += (__u32)(*(__u8 *)p) << 8;
#endif
	return acc;
}

#endif
