// SPDX-License-Identifier: GPL-2.0-only
/* The kernel's routes into xfrm interfaces that go with the routes over
 * ipsec tunnels (docs/ipsec.md). */
#include "table_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "log.h"

/* xfwd's routes into xfrm interfaces as the kernel has them, read once
 * when needed (loaded). */
struct kroutes {
	struct kroute { struct xprefix p; uint32_t dev; } *r;
	size_t n, cap;
	bool loaded;
	int err;
};

static void kroute_seen(const struct xprefix *p, uint32_t dev, void *data)
{
	struct kroutes *k = data;

	if (GROW(k->r, k->n, k->cap, 16))
		k->err = -ENOMEM;
	else
		k->r[k->n++] = (struct kroute){ *p, dev };
}

/* Is the kernel's route for p xfwd's: its device, or 0 (another's). */
static int kroute_dev(struct xtable *t, struct kroutes *k, const struct xprefix *p, uint32_t *dev)
{
	int ret;

	if (!k->loaded && (ret = KIO(&t->io, route_dev_each, kroute_seen, k) ?: k->err))
		return ret;
	k->loaded = true;
	*dev = 0;
	for (size_t i = 0; i < k->n && !*dev; i++)
		if (xprefix_eq(&k->r[i].p, p))
			*dev = k->r[i].dev;
	return 0;
}

/* Put the kernel's route p dev dev in the main table at metric 0: 1 new,
 * 0 there (xfwd's, set to dev), or -errno. A route of someone else's
 * for the prefix at metric 0 is refused, not replaced: deleting ours
 * later would take it with it. */
static int kernel_route_put(struct xtable *t, const struct xprefix *p, uint32_t dev,
			    struct kroutes *k)
{
	char buf[XPREFIX_STRLEN];
	uint32_t cur;
	int ret = KIO(&t->io, route_dev, ROUTE_DEV_NEW, p, dev);

	if (!ret)
		return 1;
	xprefix_str(p, buf);
	if (ret == -EEXIST && !(ret = kroute_dev(t, k, p, &cur))) {
		if (!cur)
			return xt_fail(t, -EEXIST, "the kernel's main table has a route %s of someone else's at metric 0, which xfwd's route into the ipsec tunnel would replace: delete it or give it a metric (ip route del %s; ip route add %s ... metric 100)",
				    buf, buf, buf);
		if (cur == dev || !(ret = KIO(&t->io, route_dev, ROUTE_DEV_SET, p, dev)))
			return 0;
	}
	return xt_fail(t, ret, "cannot add the kernel route %s into the ipsec tunnel: %s", buf,
		    strerror(-ret));
}

/* The kernel's route into the xfrm interface dev for p (dev 0: none),
 * where there was the one into old (0: none). It comes before XDP passes
 * the prefix up, and goes only once the committed maps no longer do
 * (commit): a packet passed up with no route into the interface would
 * leave by a shorter prefix, in clear. */
int kernel_route_follow(struct xtable *t, const struct xprefix *p, uint32_t dev,
			       uint32_t old)
{
	char buf[XPREFIX_STRLEN];
	int ret;

	if (!dev && old) {
		if (GROW(t->xgone, t->nxgone, t->capxgone, 4))
			return xt_fail(t, -ENOMEM, "out of memory");
		t->xgone[t->nxgone++] = (struct xfrm_gone){ *p, old };
		return 0;
	}
	for (size_t i = 0; dev && i < t->nxgone; i++) /* back before the commit: keep it */
		if (xprefix_eq(&t->xgone[i].p, p))
			t->xgone[i--] = t->xgone[--t->nxgone];
	if (!dev || dev == old)
		return 0;
	if (!old) { /* none of ours known: never replace another's */
		struct kroutes k = { 0 };

		ret = kernel_route_put(t, p, dev, &k);
		free(k.r);
		return ret < 0 ? ret : 0;
	}
	if (!(ret = KIO(&t->io, route_dev, ROUTE_DEV_SET, p, dev))) /* ours, moved */
		return 0;
	return xt_fail(t, ret, "cannot add the kernel route %s into the ipsec tunnel: %s",
		    xprefix_str(p, buf), strerror(-ret));
}

void kernel_routes_drop(struct xtable *t)
{
	char buf[XPREFIX_STRLEN];
	int ret;

	for (size_t i = 0; i < t->nxgone; i++)
		if ((ret = KIO(&t->io, route_dev, ROUTE_DEV_DEL, &t->xgone[i].p, t->xgone[i].dev)) &&
		    ret != -ESRCH)
			xlog(LOG_WARNING, "warning: could not delete the kernel route %s into an ipsec tunnel: %s (ip route del %s proto %d)",
				xprefix_str(&t->xgone[i].p, buf), strerror(-ret), buf, XFWD_RTPROT);
	t->nxgone = 0;
}

/* Does a live route send into an xfrm interface (ifindex; 0: any)? */
static bool xfrm_in_use(const struct xtable *t, uint32_t ifindex)
{
	for (uint32_t id = 1; id < t->nh_max; id++)
		if ((t->nh[id].flags & XFWD_NH_F_XFRM) && t->nh_refs[id] &&
		    (!ifindex || t->nh[id].oif == ifindex))
			return true;
	return false;
}

int xt_kernel_routes_restore(struct xtable *t, uint32_t ifindex)
{
	struct kroutes k = { 0 };
	struct xroute *r;
	size_t n;
	int ret = 0, count = 0;

	if (!xfrm_in_use(t, ifindex))
		return 0;
	if (routes_of(t, (struct route_list){ .origin = -1, .xfrm = t, .xfrm_dev = ifindex }, &r, &n))
		return xt_fail(t, -ENOMEM, "out of memory");
	/* Only the lost count; one of ours there already is set to its
	 * device. One that fails leaves the others to be put back. */
	for (size_t i = 0; i < n; i++) {
		int one = kernel_route_put(t, &r[i].p, group_xfrm_dev(t, r[i].group), &k);

		if (one > 0)
			count++;
		else if (one < 0 && !ret)
			ret = one;
	}
	free(r);
	free(k.r);
	return ret ? ret : count;
}
