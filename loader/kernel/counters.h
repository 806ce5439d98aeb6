/* SPDX-License-Identifier: GPL-2.0-only */
/* The data path's counters, summed over CPUs, and every figure of
 * core/metrics.h the maps hold (kernel I/O: map reads). */
#ifndef XFWD_COUNTERS_H
#define XFWD_COUNTERS_H

#include "bpf.h"
#include "metrics.h"

/* Per reason: 0, or -errno (nothing read). */
int xc_reasons(const struct xb *b, struct xfwd_counter sum[XFWD_R_MAX]);
/* Every slot of xfwd_tunnels, read in one call (free() it), or NULL
 * with errno set. */
struct xfwd_tunnel *xc_tunnels(const struct xb *b);
/* Every counter of the data path to zero: the reasons', the tunnels',
 * the filter rules' and the translations'. 0 or -errno. */
int xc_reset(const struct xb *b);
/* One tunnel's counters (zero when unreadable). */
void xc_tunnel(const struct xb *b, uint32_t id, struct xfwd_tunnel_counters *sum);
/* m from the maps: the reasons, the tunnels into tun (room for
 * XFWD_MAX_TUNNELS), the table's use as of the last commit with the
 * next hops and groups given; m->daemon is left alone. 0 or -errno. */
int xc_metrics(const struct xb *b, uint32_t nexthops, uint32_t groups, struct metrics *m,
	       struct metrics_tunnel *tun);

#endif
