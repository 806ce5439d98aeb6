/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XFWD_BPF_CSUM_H
#define XFWD_BPF_CSUM_H

#include <linux/ip.h>
#include <bpf/bpf_endian.h>

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
	__u16 *w = (__u16 *)iph;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < 10; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__sum16)~sum;
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
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

#define CSUM_CHUNK 64
/* An XDP frame without fragments is at most a page (4 KiB). */
#define CSUM_MAX_CHUNKS (4096 / CSUM_CHUNK)

/*
 * One's complement sum of the packet from p to the end: 64-byte blocks by
 * the kernel's csum_partial (bpf_csum_diff), then 4-byte words, then the
 * last 1-3 bytes. p must be at an even offset from the checksummed
 * header's start, so 16-bit words line up.
 */
static __always_inline __u64 csum_to_end(void *p, void *data_end, __u64 seed)
{
	__u32 sum = (__u32)csum_fold64(seed);
	__u64 acc;
	int i;

	for (i = 0; i < CSUM_MAX_CHUNKS; i++) {
		if (p + CSUM_CHUNK > data_end)
			break;
		sum = (__u32)bpf_csum_diff(NULL, 0, p, CSUM_CHUNK, sum);
		p += CSUM_CHUNK;
	}
	acc = sum;
	for (i = 0; i < CSUM_CHUNK / 4; i++) {
		if (p + 4 > data_end)
			break;
		acc += *(__u32 *)p;
		p += 4;
	}
	if (p + 2 <= data_end) {
		acc += *(__u16 *)p;
		p += 2;
	}
	if (p + 1 <= data_end) /* odd tail: the high byte of a zero-padded word */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		acc += *(__u8 *)p;
#else
		acc += (__u32)(*(__u8 *)p) << 8;
#endif
	return acc;
}

#endif
