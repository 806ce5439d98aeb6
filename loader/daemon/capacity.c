// SPDX-License-Identifier: GPL-2.0-only
/*
 * Backup capacity (docs/capacity.md). Every second the daemon samples
 * what each path with a [capacity] line sends — a tunnel: the bytes XDP
 * encapsulated into it; a device: its transmit counter — and averages it
 * over capacity-window seconds. A path is short of backup when its
 * traffic would not fit in what its survivors have spare (their capacity
 * less their own traffic): the other members of an ECMP group it is in,
 * or, when it is a group's only member, the members of the covering
 * routes of that group's routes. If it failed, its flows would land on
 * them and overrun them. Said once per transition, and in the metrics.
 */
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buckets.h"
#include "counters.h"
#include "daemon.h"
#include "log.h"

#define CAPACITY_WINDOW_DEFAULT 10

int capacity_check(struct daemon *d, const struct xconfig *c)
{
	size_t ndev = 0;

	for (size_t i = 0; i < c->ncaps; i++) {
		if (target_check(d, c, !c->caps[i].dev, c->caps[i].name, c->caps[i].lineno, "capacity"))
			return -1;
		if (c->caps[i].dev && ++ndev > CAP_DEVS) {
			snprintf(d->err, sizeof(d->err), "%s:%d: more than %d devices with a capacity", d->path,
				 c->caps[i].lineno, CAP_DEVS);
			return -1;
		}
	}
	return 0;
}

/* One sample of a path's bytes out at `at`; its rate over the window. */
static void sample_one(struct path_load *l, uint64_t bytes, uint64_t at, unsigned int window)
{
	unsigned int oldest;

	l->bytes[l->head] = bytes;
	l->at[l->head] = at;
	l->n += l->n <= window;
	oldest = (l->head + LOAD_SLOTS - (l->n - 1)) % LOAD_SLOTS;
	l->bps = l->n > 1 && at > l->at[oldest] && bytes >= l->bytes[oldest]
			 ? (bytes - l->bytes[oldest]) * 8000 / (at - l->at[oldest])
			 : 0;
	l->head = (l->head + 1) % LOAD_SLOTS;
}

/* The configured capacity of a tunnel or device by name, 0: none. */
static uint64_t cap_of(const struct daemon *d, bool dev, const char *name)
{
	for (size_t i = 0; i < d->cfg.ncaps; i++)
		if (d->cfg.caps[i].dev == dev && !strncmp(d->cfg.caps[i].name, name, sizeof(d->cfg.caps[i].name)))
			return d->cfg.caps[i].bps;
	return 0;
}

static void sample(struct daemon *d, uint64_t at, unsigned int window)
{
	size_t nd = 0;

	for (uint32_t id = 1; id < XFWD_MAX_TUNNELS; id++) {
		struct path_load *l = &d->load[id];
		const struct xfwd_tunnel *tun = xt_tunnel(&d->t, id);
		struct xfwd_tunnel_counters c;

		if (!(tun->type && (l->cap = cap_of(d, false, tun->name)))) {
			memset(l, 0, sizeof(*l));
			continue;
		}
		snprintf(l->name, sizeof(l->name), "%s", tun->name);
		xc_tunnel(&d->b, id, &c);
		sample_one(l, c.tx_bytes, at, window);
	}
	for (size_t i = 0; i < d->cfg.ncaps && nd < CAP_DEVS; i++) {
		struct path_load *l = &d->devload[nd];
		uint32_t ifindex = d->cfg.caps[i].dev ? if_nametoindex(d->cfg.caps[i].name) : 0;
		struct link_info li;

		if (!ifindex || KIO(&d->t.io, link_get, ifindex, &li))
			continue;
		if (l->ifindex != ifindex)
			memset(l, 0, sizeof(*l));
		l->ifindex = ifindex;
		l->cap = d->cfg.caps[i].bps;
		snprintf(l->name, sizeof(l->name), "%s", d->cfg.caps[i].name);
		sample_one(l, li.tx_bytes, at, window);
		nd++;
	}
	for (size_t i = nd; i < CAP_DEVS; i++)
		memset(&d->devload[i], 0, sizeof(d->devload[i]));
}

/* A next hop's path with a capacity: its tunnel, or the device it leaves
 * by; NULL when it has none. */
static struct path_load *path_of(struct daemon *d, const struct xfwd_nh *n)
{
	if (n->kind == XFWD_NH_TUNNEL)
		return n->tunnel < XFWD_MAX_TUNNELS && d->load[n->tunnel].cap ? &d->load[n->tunnel] : NULL;
	for (size_t i = 0; n->kind == XFWD_NH_DIRECT && i < CAP_DEVS; i++)
		if (d->devload[i].cap && d->devload[i].ifindex == n->ifindex)
			return &d->devload[i];
	return NULL;
}

/* The members of g that would take path p's flows (docs/ecmp.md). */
static uint32_t takers(struct daemon *d, const struct xfwd_group_set *g, const struct path_load *p)
{
	uint32_t mine = 0;

	for (uint32_t m = 0; m < g->count && m < XFWD_ECMP_MAX; m++)
		if (path_of(d, xt_nexthop(&d->t, g->members[m])) == p)
			mine |= 1u << m;
	return buckets_takers(g, mine);
}

/* What g's members that would take path p's flows have spare, or -1 when
 * one of them has no capacity (unknown: nothing said). */
static int64_t spare_beside(struct daemon *d, const struct xfwd_group_set *g, const struct path_load *p)
{
	uint32_t take = takers(d, g, p);
	int64_t spare = 0;

	for (uint32_t m = 0; m < g->count && m < XFWD_ECMP_MAX; m++) {
		struct path_load *o = path_of(d, xt_nexthop(&d->t, g->members[m]));

		if (!(take & (1u << m)))
			continue;
		if (!o)
			return -1;
		if (o->cap > o->bps)
			spare += (int64_t)(o->cap - o->bps);
	}
	return spare;
}

/* The covers of single-member group gid, from the cache: filled again
 * (a scan of every route per such group) when the table changed. */
static const uint32_t *covers_of(struct daemon *d, uint32_t gid, int *n)
{
	struct cover_cache *c = &d->covers;

	if (!c->valid || c->gen != d->gen) {
		c->n = 0;
		c->gen = d->gen;
		c->valid = true;
	}
	for (int i = 0; i < c->n; i++)
		if (c->e[i].gid == gid) {
			*n = c->e[i].n;
			return c->e[i].cover;
		}
	if (c->n == COVER_GROUPS) {
		*n = 0;
		return NULL;
	}
	c->e[c->n].gid = gid;
	c->e[c->n].n = xt_cover_groups(&d->t, gid, c->e[c->n].cover, 4);
	*n = c->e[c->n].n;
	return c->e[c->n++].cover;
}

/* A group's only member: if it failed, its routes' traffic would fall to
 * their covering routes, whose members are its survivors. */
static void judge_last(struct daemon *d, uint32_t gid, const struct xfwd_group_set *g)
{
	struct path_load *l = path_of(d, xt_nexthop(&d->t, g->members[0]));
	const uint32_t *cv;
	int n;

	if (!l || !(cv = covers_of(d, gid, &n)))
		return;
	for (int i = 0; i < n; i++) {
		const struct xfwd_group_set *cg = xt_group_set(&d->t, cv[i]);
		int64_t s = cg && cg->count ? spare_beside(d, cg, l) : -1;

		if (s >= 0 && (l->spare < 0 || s < l->spare))
			l->spare = s;
	}
}

/* Each path's least spare beside it over the groups it is in. */
static void judge(struct daemon *d)
{
	for (uint32_t id = 0; id < XFWD_MAX_TUNNELS; id++)
		d->load[id].spare = -1;
	for (size_t i = 0; i < CAP_DEVS; i++)
		d->devload[i].spare = -1;
	for (uint32_t gid = 1; gid < d->t.grp_max; gid++) {
		const struct xfwd_group_set *g = xt_group_set(&d->t, gid);

		if (g->count == 1)
			judge_last(d, gid, g);
		for (uint32_t m = 0; g->count > 1 && m < g->count && m < XFWD_ECMP_MAX; m++) {
			struct path_load *l = path_of(d, xt_nexthop(&d->t, g->members[m]));
			int64_t s;

			if (l && (s = spare_beside(d, g, l)) >= 0 && (l->spare < 0 || s < l->spare))
				l->spare = s;
		}
	}
}

static void say(struct path_load *l, unsigned int window)
{
	/* A path carrying next to nothing (a tunnel's probes) loses nothing
	 * when it fails: judged from 1% of its capacity. */
	bool short_now = l->spare >= 0 && l->bps > (uint64_t)l->spare && l->bps >= l->cap / 100;

	if (short_now == l->is_short)
		return;
	l->is_short = short_now;
	if (short_now)
		xlog(LOG_WARNING, "%s %s: %.3f Mbit/s over the last %u s; if it failed, the paths its traffic would move to could take only %.3f Mbit/s more (docs/capacity.md)",
		     l->ifindex ? "dev" : "tunnel", l->name, l->bps / 1e6, window, l->spare / 1e6);
	else
		xlog(LOG_INFO, "%s %s: the paths its traffic would move to could carry it again (%.3f Mbit/s, %.3f spare)",
		     l->ifindex ? "dev" : "tunnel", l->name, l->bps / 1e6, l->spare / 1e6);
}

int capacity_run(struct daemon *d)
{
	unsigned int window = d->cfg.capacity_window ? d->cfg.capacity_window : CAPACITY_WINDOW_DEFAULT;
	uint64_t at = mono_ms();

	if (!d->cfg.ncaps)
		return -1;
	if (at < d->capacity_due)
		return (int)(d->capacity_due - at);
	d->capacity_due = at + 1000;
	sample(d, at, window < LOAD_SLOTS ? window : LOAD_SLOTS - 1);
	judge(d);
	for (uint32_t id = 1; id < XFWD_MAX_TUNNELS; id++)
		if (d->load[id].cap)
			say(&d->load[id], window);
	for (size_t i = 0; i < CAP_DEVS; i++)
		if (d->devload[i].cap)
			say(&d->devload[i], window);
	return 1000;
}

static size_t path_out(const struct path_load *l, struct metrics_path *p)
{
	if (!l->cap)
		return 0;
	*p = (struct metrics_path){ .dev = l->ifindex != 0, .capacity_bps = l->cap, .load_bps = l->bps,
				    .backup_known = l->spare >= 0, .backup_short = l->is_short };
	memcpy(p->name, l->name, sizeof(p->name));
	return 1;
}

size_t capacity_paths(const struct daemon *d, struct metrics_path *out)
{
	size_t n = 0;

	for (uint32_t id = 1; id < XFWD_MAX_TUNNELS; id++)
		n += path_out(&d->load[id], &out[n]);
	for (size_t i = 0; i < CAP_DEVS; i++)
		n += path_out(&d->devload[i], &out[n]);
	return n;
}
