/* SPDX-License-Identifier: GPL-2.0-only */
/* IPsec tunnels: the kernel's xfrm states (SAs) and policies that xfwd
 * programs over NETLINK_XFRM for a tunnel of type ipsec with static keys,
 * bound to its xfrm interface by if_id. See docs/ipsec.md. */
#ifndef XFWD_XFRM_H
#define XFWD_XFRM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prefix.h"

/* AES-GCM (rfc4106) key material: 16, 24 or 32 bytes of key and 4 of salt. */
#define XFRM_KEY_MAX 36

struct xfrm_key {
	uint8_t bytes[XFRM_KEY_MAX];
	size_t len;
};

/* One direction's SA. */
struct xfrm_sa {
	uint32_t spi;
	struct xfrm_key key;
	bool udp_encap; /* ESP in UDP, port XFRM_ENCAP_PORT both ways */
};

/* ESP in UDP (RFC 3948): NAT-T's port, on both ends. */
#define XFRM_ENCAP_PORT 4500

/* Read a key file: hex digits (optionally 0x-prefixed, blanks ignored)
 * of 20, 28 or 36 bytes; the file must be a regular file that only its
 * owner, root, can read. 0, or -errno with the problem and fix in err. */
int xfrm_key_read(const char *path, struct xfrm_key *k, char *err, size_t len);

struct tunnel_spec;
/* The static keys and SPIs of an ipsec tunnel (its key files read): of
 * each direction whose SPI is given. */
int xfrm_sa_read(const struct tunnel_spec *c, struct xfrm_sa *out, struct xfrm_sa *in,
		 char *err, size_t len);

/* Does the kernel hold the SAs the tunnel's config names: xfwd's SA out
 * with spi-out and the key in key-out, and in likewise, bound to if_id?
 * 0, or -errno with what differs in err (a restarted daemon's check:
 * SPIs and keys live only in the kernel). */
int xfrm_sa_check(const struct tunnel_spec *c, uint32_t if_id, char *err, size_t len);

/* Install the SAs out (local -> remote) and in, and the policies that
 * send every IPv4 and IPv6 packet routed into the xfrm interface if_id
 * through them (out, in, fwd). All or nothing: on failure what was
 * installed is removed. 0 or -errno with err. */
int xfrm_install(const struct xaddr *local, const struct xaddr *remote, uint32_t if_id,
		 const struct xfrm_sa *out, const struct xfrm_sa *in, char *err, size_t len);

/* Remove every SA and policy of if_id that xfwd installed (its reqid). */
void xfrm_remove(uint32_t if_id);

/* The SAs bound to if_id (installed by xfwd or by an IKE daemon). */
struct xfrm_sa_state {
	uint32_t spi;
	int out; /* 1: from this host (source = local) */
	uint64_t packets, bytes;
	uint64_t add_time; /* unix seconds */
	uint32_t auth_failed, replay; /* ESP that failed its ICV, replays: dropped */
};
/* Up to max SAs into sa; returns how many there are, or -errno. */
int xfrm_sa_list(uint32_t if_id, const struct xaddr *local, struct xfrm_sa_state *sa,
		 int max);

/* Rekey a static-keyed tunnel (docs/ipsec-rekey.md): add the inbound SA
 * in beside the ones there, add the outbound SA out and then remove the
 * earlier outbound ones, remove the inbound SA retire_in; a step whose
 * SPI is 0 is not taken. Checked before anything changes; on failure what
 * this call added is removed again. 0 or -errno with err. */
int xfrm_rekey(const struct xaddr *local, const struct xaddr *remote, uint32_t if_id,
	       const struct xfrm_sa *in, const struct xfrm_sa *out, uint32_t retire_in,
	       char *err, size_t len);

/* ESP in UDP arrives decrypted only through a UDP socket marked
 * UDP_ENCAP_ESPINUDP on port XFRM_ENCAP_PORT: one for family (any
 * address), for the daemon to hold. The fd, or -errno with err. */
int xfrm_encap_socket(int family, char *err, size_t len);

#endif
