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

#endif
