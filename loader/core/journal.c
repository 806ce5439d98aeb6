// SPDX-License-Identifier: GPL-2.0-only
/* The journal's bytes: a header, then per operation its fixed part and
 * its members. Structs are copied whole: a journal lives only as long as
 * the pins of one build (the header's sizes refuse another layout). */
#include "journal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "grow.h"

#define JOURNAL_MAGIC 0x58464a31u /* "XFJ1" */

struct jhdr {
	uint32_t magic;
	uint16_t prefix_size, key_size;
	uint32_t count;
	uint32_t bytes; /* header included */
};

struct jfix {
	struct xprefix p;
	uint8_t del, origin, n;
};

static int reserve(struct jbuf *j, size_t more)
{
	char *p;
	size_t cap = j->cap ? j->cap : 4096;

	while (cap < j->len + more)
		cap *= 2;
	if (cap == j->cap)
		return 0;
	if (cap > UINT32_MAX || !(p = realloc(j->p, cap)))
		return -ENOMEM;
	j->p = p;
	j->cap = cap;
	return 0;
}

int journal_add(struct jbuf *j, const struct xprefix *p, bool del, uint8_t origin,
		const struct nh_key *k, int n)
{
	size_t keys = (size_t)n * sizeof(*k);
	struct jhdr h = { JOURNAL_MAGIC, sizeof(struct xprefix), sizeof(struct nh_key), 0, 0 };
	struct jfix f;

	if (n < 0 || n > (int)XFWD_ECMP_MAX)
		return -EINVAL;
	if (reserve(j, sizeof(h) + sizeof(f) + keys))
		return -ENOMEM;
	if (!j->len)
		j->len = sizeof(h);
	else
		memcpy(&h, j->p, sizeof(h));
	memset(&f, 0, sizeof(f)); /* padding too: the same bytes each time */
	f.p = *p;
	f.del = del;
	f.origin = origin;
	f.n = (uint8_t)n;
	memcpy(j->p + j->len, &f, sizeof(f));
	memcpy(j->p + j->len + sizeof(f), k, keys);
	j->len += sizeof(f) + keys;
	h.count++;
	h.bytes = (uint32_t)j->len;
	memcpy(j->p, &h, sizeof(h));
	return 0;
}

void journal_free(struct jbuf *j)
{
	free(j->p);
	memset(j, 0, sizeof(*j));
}

int journal_open(struct jread *r, const void *buf, size_t len)
{
	struct jhdr h = { 0 };

	memset(r, 0, sizeof(*r));
	if (len >= sizeof(h))
		memcpy(&h, buf, sizeof(h));
	if (!h.magic)
		return 0; /* a change without operations */
	if (h.magic != JOURNAL_MAGIC || h.prefix_size != sizeof(struct xprefix) ||
	    h.key_size != sizeof(struct nh_key) || h.bytes > len || h.bytes < sizeof(h))
		return -EBADMSG;
	r->p = (const char *)buf + sizeof(h);
	r->end = (const char *)buf + h.bytes;
	r->left = h.count;
	return 0;
}

static bool prefix_ok(const struct xprefix *p)
{
	return (p->addr.family == AF_INET && p->len <= 32) ||
	       (p->addr.family == AF_INET6 && p->len <= 128);
}

int journal_next(struct jread *r, struct jop *o)
{
	struct jfix f;
	size_t keys;

	if (!r->left)
		return 0;
	if ((size_t)(r->end - r->p) < sizeof(f))
		return -EBADMSG;
	memcpy(&f, r->p, sizeof(f));
	keys = (size_t)f.n * sizeof(struct nh_key);
	if (f.n > XFWD_ECMP_MAX || f.del > 1 || !prefix_ok(&f.p) ||
	    (size_t)(r->end - r->p) - sizeof(f) < keys)
		return -EBADMSG;
	memset(o, 0, sizeof(*o));
	o->p = f.p;
	o->del = f.del;
	o->origin = f.origin;
	o->n = f.n;
	memcpy(o->k, r->p + sizeof(f), keys);
	r->p += sizeof(f) + keys;
	r->left--;
	return 1;
}
