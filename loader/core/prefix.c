// SPDX-License-Identifier: GPL-2.0-only
#include "prefix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int xaddr_parse(const char *s, struct xaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->bytes) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->bytes) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

static unsigned int family_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* Is any bit at or after `len` set? */
static bool host_bits_set(const struct xaddr *a, unsigned int len)
{
	unsigned int bits = family_bits(a->family), i;

	for (i = len; i < bits; i++)
		if (a->bytes[i / 8] & (0x80 >> (i % 8)))
			return true;
	return false;
}

int xprefix_parse(const char *s, struct xprefix *p, char *err, size_t errlen)
{
	char buf[XPREFIX_STRLEN];
	char *slash, *end;
	unsigned long len;

	if (strlen(s) >= sizeof(buf)) {
		snprintf(err, errlen, "'%s' is not a prefix (too long)", s);
		return -EINVAL;
	}
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (xaddr_parse(buf, &p->addr)) {
		snprintf(err, errlen,
			 "'%s' is not an IPv4 or IPv6 address or prefix (e.g. 10.1.0.0/16, 2001:db8::/32)",
			 s);
		return -EINVAL;
	}
	p->len = family_bits(p->addr.family);
	if (!slash)
		return 0;
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end || len > p->len) {
		snprintf(err, errlen, "'%s': prefix length must be 0..%u", s,
			 p->len);
		return -EINVAL;
	}
	p->len = (unsigned int)len;
	if (host_bits_set(&p->addr, p->len)) {
		snprintf(err, errlen,
			 "'%s' has host bits set after /%u; did you mean the network address?",
			 s, p->len);
		return -EINVAL;
	}
	return 0;
}

const char *xaddr_str(const struct xaddr *a, char *buf)
{
	if (!inet_ntop(a->family, a->bytes, buf, XADDR_STRLEN))
		strcpy(buf, "?");
	return buf;
}

const char *xprefix_str(const struct xprefix *p, char *buf)
{
	char a[XADDR_STRLEN];

	snprintf(buf, XPREFIX_STRLEN, "%s/%u", xaddr_str(&p->addr, a), p->len);
	return buf;
}

uint32_t xaddr_v4(const struct xaddr *a)
{
	uint32_t v;

	memcpy(&v, a->bytes, 4);
	return ntohl(v);
}

void xaddr_set_v4(struct xaddr *a, uint32_t host_order)
{
	uint32_t v = htonl(host_order);

	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	memcpy(a->bytes, &v, 4);
}

bool xaddr_eq(const struct xaddr *a, const struct xaddr *b)
{
	return a->family == b->family &&
	       !memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16);
}

bool xprefix_eq(const struct xprefix *a, const struct xprefix *b)
{
	return a->len == b->len && xaddr_eq(&a->addr, &b->addr);
}

bool xprefix_contains(const struct xprefix *p, const struct xaddr *a)
{
	unsigned int i;

	if (a->family != p->addr.family)
		return false;
	for (i = 0; i < p->len; i++) {
		uint8_t m = 0x80 >> (i % 8);

		if ((a->bytes[i / 8] & m) != (p->addr.bytes[i / 8] & m))
			return false;
	}
	return true;
}

bool xprefix_masked(const struct xprefix *p)
{
	return !host_bits_set(&p->addr, p->len);
}

int xprefix_cmp(const struct xprefix *a, const struct xprefix *b)
{
	int c;

	if (a->addr.family != b->addr.family)
		return a->addr.family == AF_INET ? -1 : 1;
	c = memcmp(a->addr.bytes, b->addr.bytes, 16);
	return c ? c : (int)a->len - (int)b->len;
}

bool xprefix_covers(const struct xprefix *a, const struct xprefix *b)
{
	return a->addr.family == b->addr.family && a->len <= b->len && xprefix_contains(a, &b->addr);
}
