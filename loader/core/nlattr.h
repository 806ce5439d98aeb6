/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Netlink attribute readers that check the payload's length first (pure).
 * mnl_attr_for_each only proves an attribute's header lies inside the
 * message; mnl_attr_get_u32 on a shorter payload would read past it.
 */
#ifndef XFWD_NLATTR_H
#define XFWD_NLATTR_H

#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* The message is long enough for its fixed header of size bytes. */
static inline bool nlmsg_fits(const struct nlmsghdr *nlh, size_t size)
{
	return nlh->nlmsg_len >= MNL_NLMSG_HDRLEN + MNL_ALIGN(size);
}

static inline int nla_u32(const struct nlattr *a, uint32_t *v)
{
	if (mnl_attr_get_payload_len(a) != sizeof(*v))
		return -EBADMSG;
	*v = mnl_attr_get_u32(a);
	return 0;
}

static inline int nla_u16(const struct nlattr *a, uint16_t *v)
{
	if (mnl_attr_get_payload_len(a) != sizeof(*v))
		return -EBADMSG;
	*v = mnl_attr_get_u16(a);
	return 0;
}

/* A NUL-terminated string attribute: its text, or NULL. */
static inline const char *nla_str(const struct nlattr *a)
{
	const char *s = mnl_attr_get_payload(a);
	size_t n = mnl_attr_get_payload_len(a);

	return n && memchr(s, '\0', n) ? s : NULL;
}

#endif
