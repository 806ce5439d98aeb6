/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Masks that bound a variable offset before it is added to a packet
 * pointer. The verifier accepts `data + off` only with an upper bound on
 * off it can prove; each mask is the smallest 2^n - 1 above every value
 * the offset really takes, so masking changes nothing at run time.
 */
#ifndef XFWD_BPF_BOUNDS_H
#define XFWD_BPF_BOUNDS_H

/* An Ethernet header, with at most one VLAN tag: 14 or 18 bytes. */
#define L2_LEN_BOUND 0x1f
/* An outer IP header: 20 (IPv4, no options) or 40 (IPv6) bytes. */
#define IP_LEN_BOUND 0x3f
/* A tunnel header after the outer IP header: GRE 4 or 8; UDP + VXLAN or
 * GENEVE 16, or 30 with the inner Ethernet header. */
#define TUN_HDR_BOUND 0x3f
/* What decapsulation skips after the outer IP header: a tunnel header
 * with GENEVE options (up to 252 bytes) and an inner Ethernet header. */
#define DECAP_LEN_BOUND 0x1ff

#endif
