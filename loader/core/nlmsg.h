/* SPDX-License-Identifier: GPL-2.0-only */
/* Links, addresses, SAs and error acks, as the kernel sends them (pure:
 * parsing only; loader/kernel/ asks, the daemon and the CLI act). Routes
 * and neighbours are in mirror.h. Every length is checked before a read:
 * tests/fuzz/fuzz_netlink.c and fuzz_xfrm.c feed them anything. */
#ifndef XFWD_NLMSG_H
#define XFWD_NLMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kio.h"
#include "prefix.h"

#include <linux/xfrm.h>

struct nlmsghdr;

/* Every message of a datagram lies inside it: each header's length is
 * at least a header's and at most what is left. libmnl's walk compares
 * that length as an int, so one of 2 GiB or more would pass it and move
 * its cursor outside the buffer: the loader checks this first. */
bool nl_datagram_ok(const void *buf, size_t len);

/* An RTM_NEWLINK or RTM_DELLINK message: 0, or -EBADMSG. A deleted link
 * is reported down. */
int rtnl_link_parse(const struct nlmsghdr *nlh, struct link_info *li);

/* An RTM_NEWADDR message. IFA_LOCAL is the address itself; IFA_ADDRESS
 * is the peer's on a point-to-point link, and the address itself
 * otherwise (the only one IPv6 sends). */
struct addr_event {
	uint32_t ifindex;
	uint8_t scope; /* RT_SCOPE_* */
	struct xaddr local, address; /* family 0: absent */
};
/* 0, or -1 when it is not an IPv4/IPv6 address message or is malformed. */
int rtnl_addr_parse(const struct nlmsghdr *nlh, struct addr_event *a);

/* An XFRM_MSG_NEWSA message (a dump's entry or a get's answer). */
struct sa_msg {
	/* A copy: inside a datagram it may lie at 4 bytes past an 8-byte
	 * boundary, and it holds 64-bit counters. */
	struct xfrm_usersa_info info;
	uint32_t if_id;                      /* XFRMA_IF_ID, 0 if none */
	const uint8_t *aead_key;             /* XFRMA_ALG_AEAD's key, NULL if none */
	size_t aead_key_len;                 /* bytes, all inside the message */
};
/* 0, or -1 when it is not a well-formed XFRM_MSG_NEWSA. */
int xfrm_sa_parse(const struct nlmsghdr *nlh, struct sa_msg *s);

/* An NLMSG_ERROR message: the error (0 for an ack, -errno otherwise) and
 * the kernel's extended ack text (NLMSGERR_ATTR_MSG) in msg, "" if none.
 * 0, or -EBADMSG when the message is too short to hold an error. */
int nl_ack_parse(const struct nlmsghdr *nlh, int *error, char *msg, size_t len);

#endif
