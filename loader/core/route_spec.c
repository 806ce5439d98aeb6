// SPDX-License-Identifier: GPL-2.0-only
/* A route as a user writes it (struct route_spec) made into next-hop keys
 * and set: for `xfwd route add|replace`, -batch and the config's routes. */
#include "table_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A device's index opens a socket per lookup: a batch of a million routes
 * over a few devices asks for the same names again and again. The cache
 * lives only while a batch runs (devices can be renamed or recreated). */
static struct {
	bool on;
	char name[IFNAME_LEN];
	uint32_t index;
} dev_cache;

void xt_dev_cache(bool on)
{
	memset(&dev_cache, 0, sizeof(dev_cache));
	dev_cache.on = on;
}

static uint32_t dev_index(struct xtable *t, const char *name)
{
	if (!dev_cache.on)
		return KIO(&t->io, link_index, name);
	if (!dev_cache.index || strcmp(name, dev_cache.name)) {
		dev_cache.index = KIO(&t->io, link_index, name);
		snprintf(dev_cache.name, sizeof(dev_cache.name), "%s", name);
	}
	return dev_cache.index;
}

int xt_spec_members(struct xtable *t, const struct route_spec *s, struct nh_key *k)
{
	int n = 0;

	memset(k, 0, XFWD_ECMP_MAX * sizeof(*k));
	if (s->kind != XFWD_NH_DIRECT) {
		k->kind = (uint8_t)s->kind;
		return 1;
	}
	for (int i = 0; i < s->nvia; i++, n++) {
		k[n].kind = XFWD_NH_DIRECT;
		k[n].gw = s->via[i].gw;
		k[n].hops = s->via[i].share.hops;
		k[n].drained = s->via[i].share.drained;
		if (!(k[n].oif = dev_index(t, s->via[i].dev)))
			return xt_fail(t, -ENODEV, "no device '%s' (see 'ip link')", s->via[i].dev);
	}
	for (int i = 0; i < s->ntunnels; i++, n++) {
		k[n].kind = XFWD_NH_TUNNEL;
		k[n].hops = s->tshare[i].hops;
		k[n].drained = s->tshare[i].drained;
		if (!(k[n].tunnel = xt_tunnel_need(t, s->tunnels[i])))
			return -ENOENT;
	}
	return n;
}

int xt_route_apply(struct xtable *t, const struct route_spec *s, uint8_t origin, bool replace)
{
	struct nh_key k[XFWD_ECMP_MAX];
	int n = xt_spec_members(t, s, k);

	if (n < 0)
		return n;
	return xt_route_set(t, &s->prefix, k, n, origin, replace ? ROUTE_REPLACE : ROUTE_ADD);
}
