// SPDX-License-Identifier: GPL-2.0-only
/* A tunnel's inner-source validation: its mode lives in the tunnel's
 * entry, its configured sources in xfwd_urpf_allow (docs/urpf.md). */
#include "table_int.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

/* The trie's key of a tunnel's source prefix: IPv4 v4-mapped. */
static void urpf_key(struct xfwd_urpf_key *k, uint32_t id, const struct xprefix *p)
{
	memset(k, 0, sizeof(*k));
	k->tunnel = id;
	if (p->addr.family == AF_INET) {
		k->addr[10] = k->addr[11] = 0xff;
		memcpy(k->addr + 12, p->addr.bytes, 4);
		k->prefixlen = 32 + 96 + p->len;
	} else {
		memcpy(k->addr, p->addr.bytes, 16);
		k->prefixlen = 32 + p->len;
	}
}

static void urpf_prefix(const struct xfwd_urpf_key *k, struct xprefix *p)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	bool v4 = k->prefixlen >= 32 + 96 && !memcmp(k->addr, mapped, 12);

	memset(p, 0, sizeof(*p));
	p->addr.family = v4 ? AF_INET : AF_INET6;
	memcpy(p->addr.bytes, v4 ? k->addr + 12 : k->addr, v4 ? 4 : 16);
	p->len = k->prefixlen - 32 - (v4 ? 96 : 0);
}

struct urpf_read {
	uint32_t id;
	struct xprefix *out;
	int max, n;
};

static int urpf_read_one(void *arg, const void *key, const void *value)
{
	const struct xfwd_urpf_key *k = key;
	struct urpf_read *r = arg;

	(void)value;
	if (k->tunnel != r->id)
		return 0;
	if (r->n == r->max)
		return -E2BIG;
	urpf_prefix(k, &r->out[r->n++]);
	return 0;
}

/* Tunnel id's configured sources, as the map holds them: their count or
 * -errno. */
int xt_urpf_read(struct xtable *t, uint32_t id, struct xprefix *out, int max)
{
	struct urpf_read r = { id, out, max, 0 };
	int ret = KIO(&t->io, map_each, XFWD_M_urpf_allow, sizeof(struct xfwd_urpf_key),
		      urpf_read_one, &r);

	return ret ? ret : r.n;
}

static bool listed(const struct xprefix *p, const struct xprefix *v, int n)
{
	for (int i = 0; i < n; i++)
		if (xprefix_eq(p, &v[i]))
			return true;
	return false;
}

static int urpf_fail(struct xtable *t, uint32_t id, int ret)
{
	if (ret == -ENOSPC)
		return xt_fail(t, ret, "the urpf-allow map is full (%u prefixes over all tunnels): use fewer, shorter prefixes",
			       XFWD_URPF_ALLOW_MAX);
	return xt_fail(t, ret, "cannot write tunnel %u's urpf-allow prefixes: %s", id, strerror(-ret));
}

/* Write c's sources for tunnel id (those already there stay). */
int xt_urpf_add(struct xtable *t, uint32_t id, const struct tunnel_spec *c)
{
	struct xfwd_urpf_key k;
	uint32_t one = 1;
	int ret;

	for (int i = 0; i < c->nurpf_allow; i++) {
		urpf_key(&k, id, &c->urpf_allow[i]);
		if ((ret = KIO(&t->io, map_put, XFWD_M_urpf_allow, &k, &one, KIO_ANY)))
			return urpf_fail(t, id, ret);
	}
	return 0;
}

/* Remove tunnel id's sources that c does not list (c NULL: all). */
int xt_urpf_prune(struct xtable *t, uint32_t id, const struct tunnel_spec *c)
{
	struct xprefix have[XFWD_URPF_ALLOW_TUNNEL];
	int n = xt_urpf_read(t, id, have, XFWD_URPF_ALLOW_TUNNEL), ret;
	struct xfwd_urpf_key k;

	if (n < 0)
		return urpf_fail(t, id, n);
	for (int i = 0; i < n; i++) {
		if (c && listed(&have[i], c->urpf_allow, c->nurpf_allow))
			continue;
		urpf_key(&k, id, &have[i]);
		if ((ret = KIO(&t->io, map_del, XFWD_M_urpf_allow, &k)) && ret != -ENOENT)
			return urpf_fail(t, id, ret);
	}
	return 0;
}

/* Is c's validation the running tunnel's (mode and sources)? */
bool xt_urpf_same(struct xtable *t, uint32_t id, const struct tunnel_spec *c)
{
	struct xprefix have[XFWD_URPF_ALLOW_TUNNEL];
	int n = xt_urpf_read(t, id, have, XFWD_URPF_ALLOW_TUNNEL);

	if (n != c->nurpf_allow || t->tun[id].urpf != c->urpf)
		return false;
	for (int i = 0; i < n; i++)
		if (!listed(&have[i], c->urpf_allow, c->nurpf_allow))
			return false;
	return true;
}

/* New validation for a running tunnel, in place: the sources first (both
 * sets allowed meanwhile), then the mode in the tunnel's entry (one
 * byte: a packet sees the old or the new), then the old sources go. */
int xt_tunnel_set_urpf(struct xtable *t, uint32_t id, const struct tunnel_spec *c)
{
	struct xfwd_tunnel tun = t->tun[id];
	int ret;

	if ((ret = xt_urpf_add(t, id, c)))
		return ret;
	tun.urpf = c->urpf;
	if ((ret = KIO(&t->io, map_put, XFWD_M_tunnels, &id, &tun, KIO_ANY)))
		return xt_fail(t, ret, "cannot write the tunnel map: %s", strerror(-ret));
	t->tun[id] = tun;
	t->dirty = true;
	return xt_urpf_prune(t, id, c);
}
