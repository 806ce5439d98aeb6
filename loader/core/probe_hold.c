// SPDX-License-Identifier: GPL-2.0-only
/* A tunnel with probes holds its next hop (docs/health.md): the probes
 * go out through it whether or not a route uses it, and a route that
 * comes back (BGP re-enabled) finds the verdict still on it. The hold is
 * one reference more than the groups give, derived from the tunnel's
 * settings, so every reader of the maps counts it alike (count_nh_refs). */
#include "table_int.h"

#include <errno.h>
#include <string.h>

#include "log.h"

uint32_t xt_tunnel_nh(const struct xtable *t, uint32_t tid)
{
	for (uint32_t id = 1; id < t->nh_max; id++)
		if (t->nh[id].kind == XFWD_NH_TUNNEL && t->nh[id].tunnel == tid)
			return id;
	return 0;
}

void xt_tunnel_nhs(const struct xtable *t, uint32_t nh_of[XFWD_MAX_TUNNELS])
{
	memset(nh_of, 0, XFWD_MAX_TUNNELS * sizeof(*nh_of));
	for (uint32_t id = t->nh_max - 1; id >= 1 && id < t->nh_max; id--)
		if (t->nh[id].kind == XFWD_NH_TUNNEL && t->nh[id].tunnel < XFWD_MAX_TUNNELS)
			nh_of[t->nh[id].tunnel] = id;
}

bool xt_probed(const struct xtable *t, uint32_t tid)
{
	return tid && tid < XFWD_MAX_TUNNELS && t->tun[tid].type && t->tun[tid].probe.mode;
}

/* The references that holds add, after the groups' (table.c): one pass
 * over the next hops (a tunnel has at most one). */
void probe_holds_count(struct xtable *t)
{
	for (uint32_t id = 1; id < t->nh_max; id++)
		if (t->nh[id].kind == XFWD_NH_TUNNEL && xt_probed(t, t->nh[id].tunnel))
			t->nh_refs[id]++;
}

int xt_probe_hold(struct xtable *t, uint32_t tid)
{
	const struct nh_key k = { .kind = XFWD_NH_TUNNEL, .tunnel = tid };
	uint32_t id;
	int ret;

	if (!xt_probed(t, tid) || xt_tunnel_nh(t, tid))
		return 0;
	if ((ret = nh_get(t, &k, &id)))
		return ret;
	t->nh_refs[id]++;
	return 0;
}

/* Tunnel tid was probed (was) and now may not be, or the other way: the
 * hold taken or given back. One that cannot be taken now (no route to
 * the remote yet) is said, not refused: the daemon takes it when it can,
 * and counts the probes it could not send as lost meanwhile. */
void probe_hold_follow(struct xtable *t, uint32_t tid, bool was)
{
	uint32_t id = xt_tunnel_nh(t, tid);
	bool now = xt_probed(t, tid);

	if (was && !now && id)
		nh_unref(t, id);
	else if (!was && now && id)
		t->nh_refs[id]++;
	else if (now && !id && xt_probe_hold(t, tid))
		xlog(LOG_WARNING, "warning: tunnel %s cannot be probed yet: %s; until it can, it counts as down",
		     t->tun[tid].name, t->err);
}
