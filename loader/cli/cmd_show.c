// SPDX-License-Identifier: GPL-2.0-only
/* xfwd nexthop, status */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf.h"
#include "cmd.h"
#include "json.h"
#include "kio_kernel.h"
#include "sizes.h"
#include "table.h"

/* ---- nexthop ---- */

static void nh_line(const struct xtable *t, uint32_t id, struct jw *w)
{
	const struct xfwd_nh *n = xt_nexthop(t, id);
	const struct xfwd_l2 *l2 = &n->l2[n->active & 1];
	struct xaddr gw = { .family = n->family };
	char a[XADDR_STRLEN], d1[16], d2[16], m[18];

	if (w) {
		nh_json(w, id, n, t->nh_refs[id], n->kind == XFWD_NH_TUNNEL ? xt_tunnel(t, n->tunnel)->name : "");
		return;
	}
	memcpy(gw.bytes, n->addr, 16);
	printf("id %u %s", id, kind_name(n->kind));
	if (n->kind == XFWD_NH_DIRECT)
		printf(" via %s dev %s xdp-dev %s vlan %u mtu %u lladdr %s%s%s",
		       xaddr_str(&gw, a), dev_name(n->oif, d1), dev_name(n->ifindex, d2),
		       l2->vlan, n->mtu, mac_str(l2->dmac, m),
		       n->flags & XFWD_NH_F_NEIGH ? "" : " unresolved",
		       n->flags & XFWD_NH_F_DEAD ? " dead" : "");
	else if (n->kind == XFWD_NH_TUNNEL)
		printf(" %s underlay via %s dev %s%s", xt_tunnel(t, n->tunnel)->name, xaddr_str(&gw, a),
		       dev_name(n->oif, d1), n->flags & XFWD_NH_F_DEAD ? " dead" : "");
	printf(" refs %u\n", t->nh_refs[id]);
}

static int nexthop_show(struct xtable *t, const struct cli_req *r)
{
	struct jw w;

	jw_init(&w, stdout);
	if (r->json)
		jw_arr_begin(&w, NULL);
	for (uint32_t id = 1; id < t->nh_max; id++)
		if (xt_nexthop(t, id)->kind)
			nh_line(t, id, r->json ? &w : NULL);
	if (r->json)
		jw_arr_end(&w);
	return 0;
}

int cmd_nexthop_show(const struct cli_req *r, char *err, size_t len)
{
	return cmd_with_nexthops(r, err, len, nexthop_show);
}

static int nexthop_refresh(struct xtable *t, const struct cli_req *r)
{
	int changed = 0, ret = xt_sync_local(t);

	if (!ret)
		ret = xt_refresh_neigh(t, &changed);
	if (!ret && !r->json)
		printf("%d next hop%s updated\n", changed, changed == 1 ? "" : "s");
	return ret;
}

int cmd_nexthop_refresh(const struct cli_req *r, char *err, size_t len)
{
	return cmd_with_table(r, err, len, nexthop_refresh, TABLE_WRITE);
}

/* ---- status ---- */

static void print_ifaces(const struct xb *b, struct jw *w)
{
	__u32 key, *prev = NULL;
	struct xfwd_iface ifc;

	if (w)
		jw_arr_begin(w, "interfaces");
	while (!bpf_map_get_next_key(b->fd.ifaces, prev, &key)) {
		prev = &key;
		if (bpf_map_lookup_elem(b->fd.ifaces, &key, &ifc))
			continue;
		if (w) {
			jw_obj_begin(w, NULL);
			jw_str(w, "name", ifc.name);
			jw_uint(w, "ifindex", ifc.ifindex);
			jw_str(w, "mode", ifc.mode == XFWD_MODE_GENERIC ? "generic" : "native");
			jw_obj_end(w);
		} else {
			printf("  %s (ifindex %u, %s)\n", ifc.name, ifc.ifindex,
			       ifc.mode == XFWD_MODE_GENERIC ? "generic" : "native");
		}
	}
	if (w)
		jw_arr_end(w);
}

static bool compact(const struct xb *b)
{
	return b->info.ipv4_table == XFWD_IPV4_COMPACT;
}

static void status_json(const struct xtable *t, const struct xb *b)
{
	struct jw w;

	jw_init(&w, stdout);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "pin_root", b->pin_root);
	jw_uint(&w, "abi_version", b->info.abi_version);
	print_ifaces(b, &w);
	jw_uint(&w, "generation", b->info.generation);
	jw_uint(&w, "routes4", b->info.routes4);
	jw_uint(&w, "routes6", b->info.routes6);
	jw_uint(&w, "routes4_max", b->info.routes4_max);
	jw_uint(&w, "routes6_max", b->info.routes6_max);
	jw_uint(&w, "tbl8_groups_used", b->info.tbl8_used);
	jw_uint(&w, "tbl8_groups", b->info.tbl8_groups);
	jw_uint(&w, "tbl6_nodes_used", b->info.tbl6_used);
	jw_uint(&w, "tbl6_nodes", b->info.tbl6_nodes);
	jw_str(&w, "ipv4_table", ipv4_table_name(b->info.ipv4_table));
	if (compact(b)) {
		jw_uint(&w, "tblc_lines_used", b->info.tblc_used);
		jw_uint(&w, "tblc_lines", b->info.tblc_lines);
	}
	jw_uint(&w, "nexthops_used", xt_used_nexthops(t));
	jw_uint(&w, "nexthops", b->info.nexthops_max - 1);
	jw_uint(&w, "groups_used", xt_used_groups(t));
	jw_uint(&w, "groups", b->info.groups_max - 1);
	jw_obj_end(&w);
}

static int status(struct xtable *t, const struct cli_req *r)
{
	const struct xb *b = kio_xb(t);

	if (r->json) {
		status_json(t, b);
		return 0;
	}
	printf("xfwd: pinned at %s, ABI %u\ninterfaces:\n", b->pin_root, b->info.abi_version);
	print_ifaces(b, NULL);
	printf("routes: %u IPv4, %u IPv6\n", b->info.routes4, b->info.routes6);
	printf("route records: up to %u IPv4, %u IPv6\n", b->info.routes4_max, b->info.routes6_max);
	printf("table generation: %u (one more with each change)\n", b->info.generation);
	printf("IPv4 second-level groups: %u of %u\n", b->info.tbl8_used, b->info.tbl8_groups);
	if (compact(b)) /* a line is 64 bytes */
		printf("IPv4 table: compact, lines %u of %u (%.1f of %.1f MiB)\n", b->info.tblc_used,
		       b->info.tblc_lines, b->info.tblc_used / 16384.0, b->info.tblc_lines / 16384.0);
	else
		printf("IPv4 table: tbl24\n");
	printf("IPv6 table nodes: %u of %u (%.1f of %.1f MiB)\n", b->info.tbl6_used, b->info.tbl6_nodes,
	       b->info.tbl6_used / 1024.0, b->info.tbl6_nodes / 1024.0);
	printf("next hops: %u of %u, groups: %u of %u\n", xt_used_nexthops(t),
	       b->info.nexthops_max - 1, xt_used_groups(t), b->info.groups_max - 1);
	return 0;
}

/* No lock and no route read: the counts are the last commit's (in
 * xfwd_info), so a monitor polling status never holds up the daemon. */
int cmd_status(const struct cli_req *r, char *err, size_t len)
{
	return cmd_with_nexthops(r, err, len, status);
}
