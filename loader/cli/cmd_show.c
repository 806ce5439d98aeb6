// SPDX-License-Identifier: GPL-2.0-only
/* xfwd nexthop, stats, status */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf.h"
#include "cmd.h"
#include "json.h"
#include "kio_kernel.h"
#include "table.h"

/* ---- nexthop ---- */

static void nh_line(const struct xtable *t, uint32_t id, struct jw *w)
{
	const struct xfwd_nh *n = xt_nexthop(t, id);
	const struct xfwd_l2 *l2 = &n->l2[n->active & 1];
	struct xaddr gw = { .family = n->family };
	char a[XADDR_STRLEN], d1[16], d2[16], m[18];

	if (w) {
		nh_json(w, id, n, t->nh_refs[id]);
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

/* ---- stats ---- */

#define REASON_ROW(name, act, desc) { #name, XFWD_ACT_##act, desc },
static const struct {
	const char *name;
	int action;
	const char *desc;
} reasons[XFWD_R_MAX] = { XFWD_REASONS(REASON_ROW) };
static const char *action_names[XFWD_ACT_MAX] = { "tx", "redirect", "pass", "drop" };

static const char *lower(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	buf[i] = '\0';
	return buf;
}

static int read_stats(const struct xb *b, struct xfwd_counter *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xfwd_counter *per;

	if (ncpu <= 0)
		return -EINVAL;
	per = calloc((size_t)ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	for (uint32_t r = 0; r < XFWD_R_MAX; r++) {
		memset(&sum[r], 0, sizeof(sum[r]));
		if (bpf_map_lookup_elem(b->fd.stats, &r, per))
			continue;
		for (int c = 0; c < ncpu; c++) {
			sum[r].packets += per[c].packets;
			sum[r].bytes += per[c].bytes;
		}
	}
	free(per);
	return 0;
}

/* Per probed tunnel: probes sent and answered (the daemon's), and
 * replies the XDP program noted. */
static void probes_print(const struct xb *b, struct jw *w)
{
	bool head = false;

	for (uint32_t id = 1; id < XFWD_MAX_TUNNELS; id++) {
		struct xfwd_tunnel t;
		struct xfwd_health h;
		struct xfwd_probe_rx rx = { 0 };

		if (bpf_map_lookup_elem(b->fd.tunnels, &id, &t) || !t.type || !t.probe.mode ||
		    bpf_map_lookup_elem(b->fd.health, &id, &h))
			continue;
		bpf_map_lookup_elem(b->fd.probe_rx, &id, &rx);
		if (w) {
			if (!head)
				jw_obj_begin(w, "probes");
			jw_obj_begin(w, t.name);
			jw_uint(w, "probes_sent", h.sent);
			jw_uint(w, "probes_received", h.received);
			jw_uint(w, "replies_seen", rx.replies);
			jw_obj_end(w);
		} else {
			if (!head)
				printf("\n%-20s %14s %14s %14s\n", "tunnel probes", "sent", "received", "replies seen");
			printf("%-20s %14llu %14llu %14llu\n", t.name, (unsigned long long)h.sent,
			       (unsigned long long)h.received, (unsigned long long)rx.replies);
		}
		head = true;
	}
	if (w && head)
		jw_obj_end(w);
}

static void stats_print(const struct xb *b, const struct xfwd_counter *s, bool json)
{
	struct xfwd_counter act[XFWD_ACT_MAX] = { 0 };
	char name[32];
	struct jw w;

	for (int r = 0; r < XFWD_R_MAX; r++) {
		act[reasons[r].action].packets += s[r].packets;
		act[reasons[r].action].bytes += s[r].bytes;
	}
	if (json) {
		jw_init(&w, stdout);
		jw_obj_begin(&w, NULL);
		jw_obj_begin(&w, "actions");
		for (int a = 0; a < XFWD_ACT_MAX; a++) {
			jw_obj_begin(&w, action_names[a]);
			jw_uint(&w, "packets", act[a].packets);
			jw_uint(&w, "bytes", act[a].bytes);
			jw_obj_end(&w);
		}
		jw_obj_end(&w);
		jw_obj_begin(&w, "reasons");
		for (int r = 0; r < XFWD_R_MAX; r++) {
			jw_obj_begin(&w, lower(reasons[r].name, name, sizeof(name)));
			jw_str(&w, "action", action_names[reasons[r].action]);
			jw_uint(&w, "packets", s[r].packets);
			jw_uint(&w, "bytes", s[r].bytes);
			jw_obj_end(&w);
		}
		jw_obj_end(&w);
		probes_print(b, &w);
		jw_obj_end(&w);
		return;
	}
	printf("%-20s %14s %16s\n", "action", "packets", "bytes");
	for (int a = 0; a < XFWD_ACT_MAX; a++)
		printf("%-20s %14llu %16llu\n", action_names[a],
		       (unsigned long long)act[a].packets, (unsigned long long)act[a].bytes);
	printf("\n%-20s %-8s %14s %16s  %s\n", "reason", "action", "packets", "bytes", "meaning");
	for (int r = 0; r < XFWD_R_MAX; r++)
		printf("%-20s %-8s %14llu %16llu  %s\n", lower(reasons[r].name, name, sizeof(name)),
		       action_names[reasons[r].action], (unsigned long long)s[r].packets,
		       (unsigned long long)s[r].bytes, reasons[r].desc);
	probes_print(b, NULL);
}

int cmd_stats(const struct cli_req *r, char *err, size_t len)
{
	struct xfwd_counter s[XFWD_R_MAX];
	struct xb b;
	int ret;

	if ((ret = xb_open(&b, r->pin_root, err, len)))
		return ret;
	ret = read_stats(&b, s);
	if (ret)
		snprintf(err, len, "cannot read counters: %s", strerror(-ret));
	else
		stats_print(&b, s, r->json);
	xb_close(&b);
	return ret;
}

int cmd_stats_reset(const struct cli_req *r, char *err, size_t len)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xfwd_counter *zero;
	struct xb b;
	int ret;

	if ((ret = xb_open(&b, r->pin_root, err, len)))
		return ret;
	zero = calloc((size_t)(ncpu > 0 ? ncpu : 1), sizeof(*zero));
	for (uint32_t k = 0; zero && k < XFWD_R_MAX && !ret; k++)
		if (bpf_map_update_elem(b.fd.stats, &k, zero, BPF_ANY))
			ret = -errno;
	if (!zero)
		ret = -ENOMEM;
	if (ret)
		snprintf(err, len, "cannot reset counters: %s", strerror(-ret));
	free(zero);
	xb_close(&b);
	return ret;
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

static uint32_t used_groups(const struct xtable *t)
{
	uint32_t n = 0;

	for (uint32_t g = 1; g < t->grp_max; g++)
		n += xt_group_set(t, g)->count > 0;
	return n;
}

static uint32_t used_nexthops(const struct xtable *t)
{
	uint32_t n = 0;

	for (uint32_t i = 1; i < t->nh_max; i++)
		n += xt_nexthop(t, i)->kind != XFWD_NH_NONE;
	return n;
}

static void status_json(const struct xtable *t, const struct xb *b)
{
	struct jw w;

	jw_init(&w, stdout);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "pin_root", b->pin_root);
	jw_uint(&w, "abi_version", b->info.abi_version);
	print_ifaces(b, &w);
	jw_uint(&w, "routes4", b->info.routes4);
	jw_uint(&w, "routes6", b->info.routes6);
	jw_uint(&w, "tbl8_groups_used", b->info.tbl8_used);
	jw_uint(&w, "tbl8_groups", b->info.tbl8_groups);
	jw_uint(&w, "nexthops_used", used_nexthops(t));
	jw_uint(&w, "nexthops", b->info.nexthops_max - 1);
	jw_uint(&w, "groups_used", used_groups(t));
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
	printf("IPv4 second-level groups: %u of %u\n", b->info.tbl8_used, b->info.tbl8_groups);
	printf("next hops: %u of %u, groups: %u of %u\n", used_nexthops(t),
	       b->info.nexthops_max - 1, used_groups(t), b->info.groups_max - 1);
	return 0;
}

/* No lock and no route read: the counts are the last commit's (in
 * xfwd_info), so a monitor polling status never holds up the daemon. */
int cmd_status(const struct cli_req *r, char *err, size_t len)
{
	return cmd_with_nexthops(r, err, len, status);
}
