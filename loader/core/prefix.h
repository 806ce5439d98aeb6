/* SPDX-License-Identifier: GPL-2.0-only */
/* Addresses and prefixes as users type them (pure: no I/O). */
#ifndef XFWD_PREFIX_H
#define XFWD_PREFIX_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct xaddr {
	int family;       /* AF_INET or AF_INET6 */
	uint8_t bytes[16]; /* network order; IPv4 in the first 4 */
};

struct xprefix {
	struct xaddr addr; /* host bits are zero */
	unsigned int len;
};

#define XADDR_STRLEN 46 /* INET6_ADDRSTRLEN */
#define XPREFIX_STRLEN (XADDR_STRLEN + 4)

int xaddr_parse(const char *s, struct xaddr *a);
/* "A.B.C.D/N", "X::/N", or a bare address (a host route). Host bits set
 * below the prefix length are an error, as in `ip route`. */
int xprefix_parse(const char *s, struct xprefix *p, char *err, size_t errlen);
const char *xaddr_str(const struct xaddr *a, char *buf);
const char *xprefix_str(const struct xprefix *p, char *buf);
uint32_t xaddr_v4(const struct xaddr *a); /* host order */
void xaddr_set_v4(struct xaddr *a, uint32_t host_order);
bool xaddr_eq(const struct xaddr *a, const struct xaddr *b);
bool xprefix_eq(const struct xprefix *a, const struct xprefix *b);
bool xprefix_contains(const struct xprefix *p, const struct xaddr *a);
/* Does a cover b (the same family, a no longer, b's address inside a)? */
bool xprefix_covers(const struct xprefix *a, const struct xprefix *b);
/* No address bit set past the prefix length. */
bool xprefix_masked(const struct xprefix *p);
/* Order: IPv4 first, then by address, then by length (route show's). */
int xprefix_cmp(const struct xprefix *a, const struct xprefix *b);

#endif
