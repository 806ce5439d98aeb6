/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The XDP object loaded in a network namespace of its own, with one table
 * of every kind of next hop, group, route and tunnel (fixture.c), and a
 * run of one frame through it: shared by the packet tests (test_xdp.c)
 * and the invariant checker (invariants.c).
 */
#ifndef XFWD_TEST_FIXTURE_H
#define XFWD_TEST_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "loader/core/lpm4.h"
#include "loader/core/lpm4c.h"
#include "loader/core/lpm6.h"
#include "maps/xfwd_abi.h"
#include "xfwd.skel.h"

extern struct xfwd *skel;
extern int prog_fd, if_in, if_out;
extern struct lpm4 lpm;
extern struct lpm6 lpm6;

extern const uint8_t MAC_IN_SRC[6], MAC_ROUTER[6], MAC_SMAC[6], MAC_NH[6][6], MAC_PEER_VTEP[6];
#define IF_IN_ADDR4 "192.0.2.254"
#define IF_IN_ADDR6 "2001:db8:9::fe"
enum { NH_OUT = 1, NH_TX, NH_E1, NH_E2, NH_E3, NH_UNRES, NH_SMALL, NH_VLAN,
       NH_BH, NH_KERNEL, NH_LOCAL, NH_NOTATT, NH_TUN1, NH_TUN2, NH_TUN3, NH_TUN4,
       NH_TUN5, NH_TUN6, NH_TUN7, NH_XFRM, NH_VIA6, NH_MAX };
#define GRP_TUN_ECMP 31 /* out and tunnel 1 (uRPF: every member counts) */
#define GRP_XFRM 30 /* groups 20 and 22 are ECMP sets; each next hop below 20 has its own */
#define T4_REMOTE4 "198.51.100.4" /* tunnel 4: VXLAN VNI 100 */
#define T4_LOCAL "198.51.100.1"
#define T4_REMOTE "198.51.100.2"
#define T4_REMOTE3 "198.51.100.3"
#define T6_LOCAL "2001:db8:ff::1"
#define T6_REMOTE "2001:db8:ff::2"
#define T4_REMOTE5 "198.51.100.5"   /* tunnel 5: GENEVE VNI 200, Ethernet */
#define T6_REMOTE6 "2001:db8:ff::6" /* tunnel 6: GENEVE VNI 300, IP payload */
#define T6_REMOTE7 "2001:db8:ff::7" /* tunnel 7: VXLAN VNI 400 over IPv6 */
#define T4_REMOTE8 "198.51.100.8"   /* tunnel 8: ipsec, if_id 8 */

void put_nh(uint32_t id, uint8_t kind, uint32_t ifindex, int mac, uint16_t vlan, uint32_t mtu,
	    uint8_t flags);
void put_tunnel(uint32_t id, uint8_t type, int family, const char *local, const char *remote,
		int key, uint8_t ttl);
void set_inner_ip(uint32_t id);
void put_gwlb(uint32_t id, const char *local);
void set_urpf(uint32_t id, uint8_t mode);
void put_urpf_allow(uint32_t id, int fam, const char *addr, unsigned int len);
void put_tunnel_nh(uint32_t id, uint32_t tunnel, uint32_t mtu);
void put_port_mac(uint32_t ifindex, const uint8_t *mac);
void put_nh_flags(uint32_t id, uint8_t flags);
void put_group(uint32_t id, const uint32_t *m, uint32_t n);
struct xfwd_group_set;
void put_set(uint32_t id, const struct xfwd_group_set *s);
void get_set(uint32_t id, struct xfwd_group_set *s);
void flush_lpm(void);
void route4(const char *prefix, unsigned int len, uint32_t group);
void route6(const char *prefix, unsigned int len, uint32_t group);
/* Every reason's packet count, summed over CPUs. */
void read_counts(uint64_t *pk);
/* One frame through the program from if_in: its action (or -errno);
 * *reason: the one counter that moved, -1 none, -2 more than one. */
int run(const uint8_t *in, size_t len, uint8_t *out, uint32_t *outlen, int *reason);
/* Root, a namespace with veths xt0 (in) and xt1 (out), the object loaded
 * with private maps, the fixture written. 0, or -1 having said why. */
int setup(void);

/* Checks: each prints its line and counts. */
extern int passes, fails;
struct pkt;
void report(bool ok, const char *name);
/* The frame out is want byte for byte (else both are dumped). */
bool same_bytes(const struct pkt *want, const uint8_t *got, uint32_t glen);
/* in through the program: this action, this one reason counted, and
 * want out (NULL: in unchanged). */
bool expect_frame(const struct pkt *in, int action, int reason, const struct pkt *want);
/* The packets of key in a per-CPU counter map, summed over CPUs. */
uint64_t percpu_packets(const struct bpf_map *m, uint32_t key);
/* Outer IPv4 (DF) + GRE with key 42 (tunnel 1's) around inner's IP packet. */
void gre4_wrap(struct pkt *p, const uint8_t *dmac, const uint8_t *smac, const char *src,
	       const char *dst, uint8_t ttl, uint8_t tos, const struct pkt *inner);

#endif
