// SPDX-License-Identifier: GPL-2.0-only
/* The data path's per-CPU counters summed, for stats, stats -i, the
 * metrics and tunnel show. */
#include "counters.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "map_view.h"

/* Whole maps in batch lookups: one system call, not one per slot (the
 * metrics read every tunnel slot each interval). */
struct xfwd_tunnel *xc_tunnels(const struct xb *b)
{
	struct xfwd_tunnel *all = calloc(XFWD_MAX_TUNNELS, sizeof(*all));
	int ret = all ? map_read_range(b->fd.tunnels, 0, XFWD_MAX_TUNNELS, sizeof(*all), all) : -ENOMEM;

	if (ret) {
		free(all);
		errno = -ret;
		return NULL;
	}
	return all;
}

int xc_reasons(const struct xb *b, struct xfwd_counter sum[XFWD_R_MAX])
{
	int ncpu = libbpf_num_possible_cpus(), ret;
	struct xfwd_counter *per;

	if (ncpu <= 0)
		return -EINVAL;
	per = calloc((size_t)ncpu * XFWD_R_MAX, sizeof(*per));
	if (!per)
		return -ENOMEM;
	ret = map_read_range(b->fd.stats, 0, XFWD_R_MAX, (size_t)ncpu * sizeof(*per), per);
	for (uint32_t r = 0; r < XFWD_R_MAX; r++) {
		memset(&sum[r], 0, sizeof(sum[r]));
		for (int c = 0; !ret && c < ncpu; c++) {
			sum[r].packets += per[(size_t)r * ncpu + c].packets;
			sum[r].bytes += per[(size_t)r * ncpu + c].bytes;
		}
	}
	free(per);
	return ret;
}

int xc_reset(const struct xb *b)
{
	const struct {
		int fd;
		uint32_t n;
		size_t vsz;
	} m[] = {
		{ b->fd.stats, XFWD_R_MAX, sizeof(struct xfwd_counter) },
		{ b->fd.tunnel_stats, XFWD_MAX_TUNNELS, sizeof(struct xfwd_tunnel_counters) },
		{ b->fd.filter_stats, XFWD_FILTER_RULES, sizeof(struct xfwd_counter) },
		{ b->fd.xlat_stats, 2 * XFWD_XLAT_RULES, sizeof(struct xfwd_counter) },
	};
	int ncpu = libbpf_num_possible_cpus(), ret = 0;

	if (ncpu <= 0)
		return -EINVAL;
	/* both counter structs are whole 8-byte words: no per-CPU padding */
	for (size_t i = 0; !ret && i < sizeof(m) / sizeof(m[0]); i++)
		ret = map_zero_range(m[i].fd, m[i].n, (size_t)ncpu * m[i].vsz);
	return ret;
}

void xc_tunnel(const struct xb *b, uint32_t id, struct xfwd_tunnel_counters *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xfwd_tunnel_counters *per = calloc((size_t)(ncpu > 0 ? ncpu : 1), sizeof(*per));

	memset(sum, 0, sizeof(*sum));
	if (!per || bpf_map_lookup_elem(b->fd.tunnel_stats, &id, per)) {
		free(per);
		return;
	}
	for (int c = 0; c < ncpu; c++) {
		sum->rx_packets += per[c].rx_packets;
		sum->rx_bytes += per[c].rx_bytes;
		sum->tx_packets += per[c].tx_packets;
		sum->tx_bytes += per[c].tx_bytes;
		sum->urpf_drops += per[c].urpf_drops;
	}
	free(per);
}

int xc_metrics(const struct xb *b, uint32_t nexthops, uint32_t groups, struct metrics *m,
	       struct metrics_tunnel *tun)
{
	struct xfwd_tunnel *all;
	struct xfwd_info info;
	uint32_t zero = 0;
	int ret = xc_reasons(b, m->reason);

	if (ret)
		return ret;
	if (bpf_map_lookup_elem(b->fd.info, &zero, &info))
		return -errno;
	if (!(all = xc_tunnels(b)))
		return -errno;
	m->ntun = 0;
	for (uint32_t id = 1; id < XFWD_MAX_TUNNELS; id++) {
		struct metrics_tunnel *mt = &tun[m->ntun];
		const struct xfwd_tunnel t = all[id];

		if (!t.type)
			continue;
		memset(mt, 0, sizeof(*mt));
		memcpy(mt->name, t.name, sizeof(mt->name) - 1);
		mt->id = id;
		xc_tunnel(b, id, &mt->c);
		mt->probed = t.probe.mode && !bpf_map_lookup_elem(b->fd.health, &id, &mt->h);
		mt->bfd = mt->probed && mt->h.state &&
			  (t.probe.mode == XFWD_PROBE_BFD || t.probe.mode == XFWD_PROBE_BFD_MH);
		m->ntun++;
	}
	free(all);
	m->tun = tun;
	m->routes4 = info.routes4;
	m->routes6 = info.routes6;
	m->tbl8 = info.tbl8_used;
	m->routes4_max = info.routes4_max;
	m->routes6_max = info.routes6_max;
	m->tbl8_max = info.tbl8_groups;
	m->tbl6 = info.tbl6_used;
	m->tbl6_max = info.tbl6_nodes;
	m->tblc = info.tblc_used;
	m->tblc_max = info.tblc_lines;
	m->nexthops = nexthops;
	m->nexthops_max = info.nexthops_max - 1;
	m->groups = groups;
	m->groups_max = info.groups_max - 1;
	return 0;
}
