// SPDX-License-Identifier: GPL-2.0-only
/*
 * Backup capacity (docs/capacity.md). Every second the daemon samples
 * what each tunnel with a [capacity] line sends (XDP's encapsulated
 * bytes) and averages it over capacity-window seconds. A tunnel is short
 * of backup when its traffic would not fit in what the other members of
 * an ECMP group it is in have spare (their capacity less their own
 * traffic): if it failed, its flows would land on them and overrun them.
 * Said once per transition, and in the metrics.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "counters.h"
#include "daemon.h"
#include "log.h"

#define CAPACITY_WINDOW_DEFAULT 10

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int capacity_check(struct daemon *d, const struct xconfig *c)
{
	for (size_t i = 0; i < c->ncaps; i++)
		if (target_check(d, c, true, c->caps[i].tunnel, c->caps[i].lineno, "capacity"))
			return -1;
	return 0;
}

static uint64_t cap_of(const struct daemon *d, const char *name)
{
	for (size_t i = 0; i < d->cfg.ncaps; i++)
		if (!strncmp(d->cfg.caps[i].tunnel, name, sizeof(d->cfg.caps[i].tunnel)))
			return d->cfg.caps[i].bps;
	return 0;
}

/* One sample of each tunnel's bytes out; its rate over the window. */
static void sample(struct daemon *d, uint64_t at, unsigned int window)
{
	for (uint32_t id = 1; id < XFWD_MAX_TUNNELS; id++) {
		struct tun_load *l = &d->load[id];
		const struct xfwd_tunnel *tun = xt_tunnel(&d->t, id);
		struct xfwd_tunnel_counters c;
		unsigned int oldest;

		l->cap = tun->type ? cap_of(d, tun->name) : 0;
		if (!l->cap) {
			memset(l, 0, sizeof(*l));
			continue;
		}
		xc_tunnel(&d->b, id, &c);
		l->bytes[l->head] = c.tx_bytes;
		l->at[l->head] = at;
		l->n += l->n <= window;
		oldest = (l->head + LOAD_SLOTS - (l->n - 1)) % LOAD_SLOTS;
		l->bps = l->n > 1 && at > l->at[oldest] && c.tx_bytes >= l->bytes[oldest]
				 ? (c.tx_bytes - l->bytes[oldest]) * 8000 / (at - l->at[oldest])
				 : 0;
		l->head = (l->head + 1) % LOAD_SLOTS;
	}
}

/* The spare of g's members other than tunnel id, or -1 when one of them
 * is no tunnel with a capacity (unknown: nothing said). */
static int64_t spare_beside(const struct daemon *d, const struct xfwd_group_set *g, uint32_t id)
{
	int64_t spare = 0;

	for (uint32_t m = 0; m < g->count && m < XFWD_ECMP_MAX; m++) {
		const struct xfwd_nh *n = xt_nexthop(&d->t, g->members[m]);

		if (n->kind == XFWD_NH_TUNNEL && n->tunnel == id)
			continue;
		if (n->kind != XFWD_NH_TUNNEL || n->tunnel >= XFWD_MAX_TUNNELS || !d->load[n->tunnel].cap)
			return -1;
		if (d->load[n->tunnel].cap > d->load[n->tunnel].bps)
			spare += (int64_t)(d->load[n->tunnel].cap - d->load[n->tunnel].bps);
	}
	return spare;
}

/* Each tunnel's least spare beside it over the groups it is in. */
static void judge(struct daemon *d)
{
	for (uint32_t id = 1; id < XFWD_MAX_TUNNELS; id++)
		d->load[id].spare = -1;
	for (uint32_t gid = 1; gid < d->t.grp_max; gid++) {
		const struct xfwd_group_set *g = xt_group_set(&d->t, gid);

		for (uint32_t m = 0; g->count > 1 && m < g->count && m < XFWD_ECMP_MAX; m++) {
			const struct xfwd_nh *n = xt_nexthop(&d->t, g->members[m]);
			struct tun_load *l;
			int64_t s;

			if (n->kind != XFWD_NH_TUNNEL || n->tunnel >= XFWD_MAX_TUNNELS || !d->load[n->tunnel].cap)
				continue;
			l = &d->load[n->tunnel];
			if ((s = spare_beside(d, g, n->tunnel)) >= 0 && (l->spare < 0 || s < l->spare))
				l->spare = s;
		}
	}
}

static void say(struct daemon *d, uint32_t id, unsigned int window)
{
	struct tun_load *l = &d->load[id];
	/* A tunnel carrying next to nothing (its probes) loses nothing
	 * when it fails: judged from 1% of its capacity. */
	bool short_now = l->spare >= 0 && l->bps > (uint64_t)l->spare && l->bps >= l->cap / 100;

	if (short_now == l->is_short)
		return;
	l->is_short = short_now;
	if (short_now)
		xlog(LOG_WARNING, "tunnel %s: %.3f Mbit/s over the last %u s; if it failed, the rest of its group could take only %.3f Mbit/s more (docs/capacity.md)",
		     xt_tunnel(&d->t, id)->name, l->bps / 1e6, window, l->spare / 1e6);
	else
		xlog(LOG_INFO, "tunnel %s: the rest of its group could carry its traffic again (%.3f Mbit/s, %.3f spare)",
		     xt_tunnel(&d->t, id)->name, l->bps / 1e6, l->spare / 1e6);
}

int capacity_run(struct daemon *d)
{
	unsigned int window = d->cfg.capacity_window ? d->cfg.capacity_window : CAPACITY_WINDOW_DEFAULT;
	uint64_t at = now_ms();

	if (!d->cfg.ncaps)
		return -1;
	if (at < d->capacity_due)
		return (int)(d->capacity_due - at);
	d->capacity_due = at + 1000;
	sample(d, at, window < LOAD_SLOTS ? window : LOAD_SLOTS - 1);
	judge(d);
	for (uint32_t id = 1; id < XFWD_MAX_TUNNELS; id++)
		if (d->load[id].cap)
			say(d, id, window);
	return 1000;
}
