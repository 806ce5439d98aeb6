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

#endif
