/* SPDX-License-Identifier: GPL-2.0-only */
/* Bounds-checked header parsing in the style of xdp-tools'
 * parsing_helpers.h: each parser checks, then advances the cursor. */
#ifndef XFWD_BPF_PARSE_H
#define XFWD_BPF_PARSE_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include "../../maps/xfwd_hash.h"

/* ICMP's header and the codes used here, as <linux/icmp.h> has them. That
 * header is not included: through <linux/if.h> it pulls glibc's
 * <sys/socket.h>, which under -target bpf wants the 32-bit libc headers
 * (gnu/stubs-32.h, libc6-dev-i386) that a fresh Debian lacks. */
#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_FRAG_NEEDED 4

struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	union {
		struct {
			__be16 id;
			__be16 sequence;
		} echo;
		__be32 gateway;
		struct {
			__be16 __unused;
			__be16 mtu;
		} frag;
		__u8 reserved[4];
	} un;
};

/* 802.1Q tag and tagged Ethernet header (the kernel's are not UAPI). */
struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

struct vlan_ethhdr {
	unsigned char h_dest[ETH_ALEN];
	unsigned char h_source[ETH_ALEN];
	__be16 h_vlan_proto;
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

struct hdr_cursor {
	void *pos;
};

/* What the parsers learned about the frame. */
struct pkt {
	void *l3;      /* start of the IP header */
	__u16 proto;   /* L3 ethertype, host order */
	__u16 tci;     /* 802.1Q TCI (host order) when tagged */
	__u8 tagged;   /* one 802.1Q tag was present */
	__u8 tos;      /* IPv4 TOS / IPv6 traffic class (for encapsulation) */
	__u16 l3_len;  /* IP packet length, from its header */
	__u32 hash;    /* flow hash (for a tunnel's UDP source port) */
	__u8 probe;    /* this host's health probe (bpf/probe.bpf.c) */
	__u32 tunnel;  /* the tunnel it was decapsulated from, 0 = none */
};

/* Ethernet plus at most one 802.1Q tag. Returns -1 if truncated. */
static __always_inline int parse_eth(struct hdr_cursor *c, void *data_end,
				     struct pkt *p)
{
	struct ethhdr *eth = c->pos;
	struct vlan_hdr *vh;

	if ((void *)(eth + 1) > data_end)
		return -1;
	p->proto = bpf_ntohs(eth->h_proto);
	c->pos = eth + 1;
	if (p->proto != ETH_P_8021Q && p->proto != ETH_P_8021AD)
		return 0;
	vh = c->pos;
	if ((void *)(vh + 1) > data_end)
		return -1;
	p->tagged = 1;
	p->tci = bpf_ntohs(vh->h_vlan_TCI);
	p->proto = bpf_ntohs(vh->h_vlan_encapsulated_proto);
	c->pos = vh + 1;
	return 0;
}

/* IPv4 header, options included: version, IHL and total length must be
 * sane and the whole packet present. Returns -1 when malformed. */
static __always_inline int parse_ipv4(struct hdr_cursor *c, void *data_end,
				      struct iphdr **iphp)
{
	struct iphdr *iph = c->pos;
	__u32 hlen, tot;

	if ((void *)(iph + 1) > data_end)
		return -1;
	if (iph->version != 4 || iph->ihl < 5)
		return -1;
	hlen = iph->ihl * 4;
	tot = bpf_ntohs(iph->tot_len);
	/* Compare lengths as scalars: the frame may carry Ethernet padding
	 * after the packet, but never less than the header claims. */
	if (tot < hlen || tot > (__u32)(data_end - (void *)iph))
		return -1;
	c->pos = (void *)iph + hlen;
	*iphp = iph;
	return 0;
}

/* Fixed IPv6 header with the whole payload present. -1 when malformed. */
static __always_inline int parse_ipv6(struct hdr_cursor *c, void *data_end,
				      struct ipv6hdr **ip6p)
{
	struct ipv6hdr *ip6 = c->pos;

	if ((void *)(ip6 + 1) > data_end)
		return -1;
	if (ip6->version != 6)
		return -1;
	if (sizeof(*ip6) + bpf_ntohs(ip6->payload_len) >
	    (__u32)(data_end - (void *)ip6))
		return -1;
	c->pos = ip6 + 1;
	*ip6p = ip6;
	return 0;
}

/* Ports word for the flow hash, or 0 when the L4 header is not there. */
static __always_inline __u32 read_ports(void *l4, void *data_end, __u8 proto)
{
	__u32 *ports = l4;

	if (!xfwd_proto_has_ports(proto) || (void *)(ports + 1) > data_end)
		return 0;
	return *ports;
}

#endif
