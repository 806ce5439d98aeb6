// SPDX-License-Identifier: GPL-2.0-only
/* This host's addresses as "local" routes, and the attached interfaces'
 * ICMP source addresses. */
#include "table_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static uint32_t local_group(struct xtable *t)
{
	for (uint32_t g = 1; g < t->grp_max; g++) {
		const struct xfwd_group_set *s = &t->grp[g].set[t->grp[g].active & 1];

		if (s->count == 1 && s->members[0] < t->nh_max &&
		    t->nh[s->members[0]].kind == XFWD_NH_LOCAL)
			return g;
	}
	return 0;
}

static bool addr_in(const struct xaddr *v, size_t n, const struct xprefix *p)
{
	for (size_t i = 0; i < n; i++)
		if (xaddr_eq(&v[i], &p->addr))
			return true;
	return false;
}

static int remove_stale_local(struct xtable *t, const struct xaddr *addrs,
			      size_t n)
{
	uint32_t lg = local_group(t);
	struct xroute *v = NULL;
	size_t nv = 0;
	int ret = lg ? xt_routes(t, -1, &v, &nv) : 0;

	for (size_t i = 0; i < nv && !ret; i++)
		if (v[i].group == lg && !addr_in(addrs, n, &v[i].p))
			ret = xt_route_del(t, &v[i].p);
	free(v);
	return ret;
}

/* Attached interfaces' ICMP source addresses follow their addresses. */
static int sync_iface_addrs(struct xtable *t)
{
	__u32 key, *prev = NULL;
	struct xfwd_iface ifc;
	int ret = 0;

	while (!KIO(&t->io, map_next, XFWD_M_ifaces, prev, &key)) {
		struct xfwd_iface now;
		int one;

		prev = &key;
		if (KIO(&t->io, map_get, XFWD_M_ifaces, &key, &ifc))
			continue;
		now = ifc;
		if (KIO(&t->io, iface_addrs, key, (uint8_t *)&now.addr4, now.addr6) ||
		    !memcmp(&now, &ifc, sizeof(now)))
			continue;
		if ((one = KIO(&t->io, map_put, XFWD_M_ifaces, &key, &now, KIO_EXIST)))
			ret = xt_fail(t, one, "cannot write interface %u's addresses: %s", key, strerror(-one));
	}
	return ret;
}

int xt_sync_local(struct xtable *t)
{
	const struct nh_key local = { .kind = XFWD_NH_LOCAL };
	struct xaddr *addrs;
	size_t n;
	int ret = KIO(&t->io, local_addrs, &addrs, &n);

	if (ret)
		return xt_fail(t, ret, "cannot list local addresses: %s", strerror(-ret));
	ret = sync_iface_addrs(t);
	ret = ret ?: remove_stale_local(t, addrs, n);
	for (size_t i = 0; i < n && !ret; i++) {
		struct xprefix p = { .addr = addrs[i],
				     .len = addrs[i].family == AF_INET ? 32 : 128 };
		uint32_t g = xt_route_group(t, &p);

		if (g && g == local_group(t))
			continue;
		ret = xt_route_set(t, &p, &local, 1, XFWD_ORIGIN_LOCAL, ROUTE_REPLACE);
	}
	free(addrs);
	return ret;
}
