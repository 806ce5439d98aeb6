// SPDX-License-Identifier: GPL-2.0-only
/* What several commands share: opening the state, naming things. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "json.h"
#include "kio_kernel.h"
#include "table.h"

const char *mac_str(const unsigned char m[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
		 m[4], m[5]);
	return buf;
}

/* Each name is asked of the kernel once per command: if_indextoname is a
 * socket and an ioctl, and route show names every route's next hops
 * (1.8M at a full table with two paths took 19 s). */
const char *dev_name(unsigned int ifindex, char buf[16])
{
	static struct { unsigned int ifindex; char name[16]; } seen[32];
	static unsigned int nseen;

	for (unsigned int i = 0; i < nseen; i++)
		if (seen[i].ifindex == ifindex)
			return memcpy(buf, seen[i].name, 16);
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, 16, "if%u", ifindex);
	if (nseen < 32) {
		seen[nseen].ifindex = ifindex;
		memcpy(seen[nseen++].name, buf, 16);
	}
	return buf;
}

const char *kind_name(uint8_t kind)
{
	switch (kind) {
	case XFWD_NH_DIRECT: return "unicast";
	case XFWD_NH_BLACKHOLE: return "blackhole";
	case XFWD_NH_KERNEL: return "kernel";
	case XFWD_NH_LOCAL: return "local";
	case XFWD_NH_TUNNEL: return "tunnel";
	}
	return "unknown";
}

void nh_json(struct jw *w, uint32_t id, const struct xfwd_nh *n, long refs, const char *tname)
{
	char a[XADDR_STRLEN], d[16], m[18];
	struct xaddr gw = { .family = n->family };

	jw_obj_begin(w, NULL);
	jw_uint(w, "id", id);
	jw_str(w, "type", kind_name(n->kind));
	if (refs >= 0)
		jw_uint(w, "refs", (uint64_t)refs);
	if (n->kind == XFWD_NH_TUNNEL) {
		jw_str(w, "tunnel", tname);
		jw_uint(w, "tunnel_id", n->tunnel);
	}
	if (n->kind == XFWD_NH_DIRECT || n->kind == XFWD_NH_TUNNEL) {
		memcpy(gw.bytes, n->addr, 16);
		jw_str(w, "gateway", xaddr_str(&gw, a));
		jw_str(w, "dev", dev_name(n->oif, d));
		jw_str(w, "xdp_dev", dev_name(n->ifindex, d));
		jw_uint(w, "vlan", n->l2[n->active & 1].vlan);
		jw_uint(w, "mtu", n->mtu);
		jw_bool(w, "resolved", n->flags & XFWD_NH_F_NEIGH);
		if (n->flags & XFWD_NH_F_NEIGH)
			jw_str(w, "lladdr", mac_str(n->l2[n->active & 1].dmac, m));
		jw_bool(w, "dead", n->flags & XFWD_NH_F_DEAD);
	}
	jw_obj_end(w);
}

/* The command's result, after xt_finish: its own error (and message)
 * first. */
static int table_finish(struct xtable *t, int ret, char *err, size_t len)
{
	char keep[512];

	snprintf(keep, sizeof(keep), "%s", err);
	if (!xt_finish(t))
		return ret;
	if (ret) {
		snprintf(err, len, "%s", keep);
		return ret;
	}
	return -EIO; /* err says what */
}

/* Commands that change routes hold the pin root's lock throughout; those
 * that read them all (route show) hold it while they load, not while they
 * print. Those that only show next hops, groups and tunnels take none:
 * each entry is read whole, and a daemon waiting for the lock would wait. */
static int with_table(const struct cli_req *r, char *err, size_t len,
		      int (*fn)(struct xtable *t, const struct cli_req *r), enum table_use use)
{
	int lock = use != TABLE_NEXTHOPS ? xb_lock(r->pin_root, err, len) : -1, ret, load_ret;
	bool routes = use == TABLE_WRITE || use == TABLE_READ;
	struct xtable t;
	struct xb b;

	if (lock == -EBUSY)
		return lock;
	if ((ret = xb_open(&b, r->pin_root, err, len))) {
		xb_unlock(lock);
		return ret;
	}
	ret = kio_table_load(&t, &b, routes, err, len);
	load_ret = ret;
	if (use == TABLE_READ) { /* a copy in memory: the daemon may go on */
		xb_unlock(lock);
		lock = -1;
	}
	if (!ret)
		ret = fn(&t, r);
	if (!load_ret && routes)
		ret = table_finish(&t, ret, err, len);
	if (t.dirty && !xb_bump(&b) && !ret) { /* a running daemon reads the table again */
		snprintf(err, len, "%s", XB_BUMP_FAILED);
		ret = -EIO;
	}
	xt_free(&t);
	xb_close(&b);
	xb_unlock(lock);
	return ret;
}

int cmd_with_table(const struct cli_req *r, char *err, size_t len,
		   int (*fn)(struct xtable *t, const struct cli_req *r), enum table_use use)
{
	return with_table(r, err, len, fn, use);
}

int cmd_with_nexthops(const struct cli_req *r, char *err, size_t len,
		      int (*fn)(struct xtable *t, const struct cli_req *r))
{
	return with_table(r, err, len, fn, TABLE_NEXTHOPS);
}

/* Key's counters in a per-CPU array, summed over CPUs. */
struct xfwd_counter counter_sum(int fd, uint32_t key)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xfwd_counter sum = { 0 }, *per = calloc((size_t)(ncpu > 0 ? ncpu : 1), sizeof(*per));

	if (per && !bpf_map_lookup_elem(fd, &key, per))
		for (int c = 0; c < ncpu; c++) {
			sum.packets += per[c].packets;
			sum.bytes += per[c].bytes;
		}
	free(per);
	return sum;
}

void show_items(const struct cli_req *r, int n, show_item_fn each, void *arg)
{
	struct jw w;

	jw_init(&w, stdout);
	if (r->json)
		jw_arr_begin(&w, NULL);
	for (int i = 0; i < n; i++)
		each(arg, i, r->json ? &w : NULL);
	if (r->json)
		jw_arr_end(&w);
}
