// SPDX-License-Identifier: GPL-2.0-only
/* xfwd route add|replace|del|show|get */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf.h"
#include "cmd.h"
#include "xlat.h"
#include "grow.h"
#include "json.h"
#include "buckets.h"
#include "decide.h"
#include "kio_kernel.h"
#include "rtnl.h"
#include "table.h"
#include "maps/xfwd_hash.h"
#include "maps/xfwd_special.h"

int route_apply(struct xtable *t, const struct cli_req *r, uint8_t origin, bool replace)
{
	if (r->cmd == CMD_ROUTE_DEL)
		return xt_route_del(t, &r->route.prefix);
	return xt_route_apply(t, &r->route, origin, r->cmd != CMD_ROUTE_ADD || replace);
}

static int route_change(struct xtable *t, const struct cli_req *r)
{
	int ret = xt_sync_local(t);

	return ret ? ret : route_apply(t, r, XFWD_ORIGIN_STATIC, false);
}

int cmd_route_change(const struct cli_req *r, char *err, size_t len)
{
	return cmd_with_table(r, err, len, route_change, TABLE_WRITE);
}

/* ---- checks (shared with -batch, cmd_batch.c) ---- */

/* A line's command and next hops, alone: how many (in k), or -errno. */
int route_check_members(struct xtable *t, const struct cli_req *r, struct nh_key *k)
{
	if (r->cmd != CMD_ROUTE_ADD && r->cmd != CMD_ROUTE_REPLACE && r->cmd != CMD_ROUTE_DEL) {
		xt_error(t, "only 'route add|replace|del' lines can be batched");
		return -EINVAL;
	}
	return r->cmd == CMD_ROUTE_DEL ? 0 : xt_spec_members(t, &r->route, k);
}

/* An add of a prefix that exists, or a delete of one that does not.
 * earlier: the line before that left it so (0: the table as it is). */
int route_check_exists(struct xtable *t, int cmd, const struct xprefix *p, bool exists,
		       bool replace, uint32_t earlier)
{
	char buf[XPREFIX_STRLEN], by[64] = "";

	if (earlier)
		snprintf(by, sizeof(by), " (after line %u)", earlier);
	if (cmd == CMD_ROUTE_ADD && exists && !replace) {
		xt_error(t, "route %s exists%s: use 'route replace' to change it",
			 xprefix_str(p, buf), by);
		return -EEXIST;
	}
	if (cmd == CMD_ROUTE_DEL && !exists) {
		xt_error(t, "no route %s%s", xprefix_str(p, buf), by);
		return -ENOENT;
	}
	return 0;
}

/* Could this line apply to the table as it is now? (replace: an add may
 * also change an existing route, as the daemon's config does) */
int route_check(struct xtable *t, const struct cli_req *r, bool replace)
{
	struct nh_key k[XFWD_ECMP_MAX];
	int ret = route_check_members(t, r, k);
	bool exists = xt_route_group(t, &r->route.prefix) != 0;

	return ret < 0 ? ret : route_check_exists(t, r->cmd, &r->route.prefix, exists, replace, 0);
}

/* ---- show ---- */

static int cmp_route(const void *a, const void *b)
{
	return xprefix_cmp(&((const struct xroute *)a)->p, &((const struct xroute *)b)->p);
}

/* A next hop as a line shows it; a tunnel by its name (tname), its
 * underlay hop after it as detail. */
static void nh_text(const struct xfwd_nh *n, const char *tname, char *buf, size_t len)
{
	char a[XADDR_STRLEN], d[16];
	struct xaddr gw = { .family = n->family };

	if (n->kind == XFWD_NH_TUNNEL) {
		memcpy(gw.bytes, n->addr, 16);
		snprintf(buf, len, "tunnel %s underlay via %s dev %s%s%s", tname, xaddr_str(&gw, a),
			 dev_name(n->oif, d), n->flags & XFWD_NH_F_NEIGH ? "" : " unresolved",
			 n->flags & XFWD_NH_F_DEAD ? " dead" : "");
		return;
	}
	if (n->kind != XFWD_NH_DIRECT) {
		snprintf(buf, len, "%s", kind_name(n->kind));
		return;
	}
	memcpy(gw.bytes, n->addr, 16);
	snprintf(buf, len, "via %s dev %s%s%s", xaddr_str(&gw, a), dev_name(n->oif, d),
		 n->flags & XFWD_NH_F_NEIGH ? "" : " unresolved",
		 n->flags & XFWD_NH_F_DEAD ? " dead" : "");
}

/* Where a route came from, in iproute2's word for it. */
static const char *origin_name(uint8_t origin)
{
	switch (origin) {
	case XFWD_ORIGIN_STATIC: return "static";
	case XFWD_ORIGIN_LOCAL: return "local";
	case XFWD_ORIGIN_MIRROR: return "mirror";
	}
	return "?";
}

/* The name of next hop id's tunnel ("" when it is not one). */
static const char *nh_tname(const struct xtable *t, uint32_t id)
{
	const struct xfwd_nh *n = xt_nexthop(t, id);

	return n->kind == XFWD_NH_TUNNEL ? xt_tunnel(t, n->tunnel)->name : "";
}

/* The kernel's routes of the table the daemon mirrors, sorted: what a
 * mirrored route came from, its next hop as BGP gave it. */
struct kview {
	struct kroute *r;
	size_t n;
};

static int kroute_prefix_cmp(const void *key, const void *e)
{
	return xprefix_cmp(key, &((const struct kroute *)e)->p);
}

/* The kernel's route xfwd mirrored for p (its lowest metric), or NULL. */
static const struct kroute *kernel_of(const struct kview *k, const struct xroute *s)
{
	const struct kroute *r;

	if (s->origin != XFWD_ORIGIN_MIRROR || !k->n ||
	    !(r = bsearch(&s->p, k->r, k->n, sizeof(*k->r), kroute_prefix_cmp)))
		return NULL;
	while (r > k->r && !xprefix_cmp(&r[-1].p, &s->p))
		r--;
	return r;
}

/* " kernel via GW dev DEV (+N)": the hop the BGP daemon installed. */
static void kernel_text(const struct kroute *k, char *buf, size_t len)
{
	char a[XADDR_STRLEN], d[16], more[16] = "";

	buf[0] = 0;
	if (!k || !k->nvia)
		return;
	if (k->nvia > 1)
		snprintf(more, sizeof(more), " (+%d)", k->nvia - 1);
	if (k->gw.family)
		snprintf(buf, len, " kernel via %s dev %s%s", xaddr_str(&k->gw, a), dev_name(k->oif, d), more);
	else
		snprintf(buf, len, " kernel dev %s%s", dev_name(k->oif, d), more);
}

static uint32_t member_weight(const struct xfwd_group_set *s, uint32_t i)
{
	return (s->drained >> i) & 1 ? 0 : s->hops[i] + 1u;
}

static void route_json(const struct xtable *t, const struct xroute *s, const struct kroute *k, struct jw *w)
{
	const struct xfwd_group_set *gs = xt_group_set(t, s->group);
	uint32_t n = gs ? gs->count : 0;
	char p[XPREFIX_STRLEN], a[XADDR_STRLEN], d[16];

	jw_obj_begin(w, NULL);
	jw_str(w, "dst", xprefix_str(&s->p, p));
	jw_str(w, "type", n ? kind_name(xt_nexthop(t, gs->members[0])->kind) : "unknown");
	jw_str(w, "proto", origin_name(s->origin));
	jw_uint(w, "group", s->group);
	jw_arr_begin(w, "nexthops");
	for (uint32_t i = 0; i < n; i++)
		nh_json(w, gs->members[i], xt_nexthop(t, gs->members[i]), -1, nh_tname(t, gs->members[i]));
	jw_arr_end(w);
	if (n > 1) {
		jw_arr_begin(w, "weights"); /* per next hop: 0 is drained (docs/ecmp.md) */
		for (uint32_t i = 0; i < n; i++)
			jw_uint(w, NULL, member_weight(gs, i));
		jw_arr_end(w);
		jw_arr_begin(w, "buckets"); /* of XFWD_BUCKETS, per next hop */
		for (uint32_t i = 0; i < n; i++)
			jw_uint(w, NULL, buckets_of(gs, i));
		jw_arr_end(w);
	}
	if (k && k->nvia) {
		jw_obj_begin(w, "kernel");
		if (k->gw.family)
			jw_str(w, "gateway", xaddr_str(&k->gw, a));
		jw_str(w, "dev", dev_name(k->oif, d));
		jw_uint(w, "paths", (uint64_t)k->nvia);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

static void route_print(const struct xtable *t, const struct xroute *s, const struct kroute *k, struct jw *w)
{
	const struct xfwd_group_set *gs = xt_group_set(t, s->group);
	char p[XPREFIX_STRLEN], nh[160], kt[96];
	uint32_t n = gs ? gs->count : 0;

	if (w) {
		route_json(t, s, k, w);
		return;
	}
	kernel_text(k, kt, sizeof(kt));
	if (n == 1) {
		nh_text(xt_nexthop(t, gs->members[0]), nh_tname(t, gs->members[0]), nh, sizeof(nh));
		printf("%s %s proto %s%s\n", xprefix_str(&s->p, p), nh, origin_name(s->origin), kt);
		return;
	}
	printf("%s group %u proto %s%s\n", xprefix_str(&s->p, p), s->group, origin_name(s->origin), kt);
	for (uint32_t i = 0; i < n; i++) {
		nh_text(xt_nexthop(t, gs->members[i]), nh_tname(t, gs->members[i]), nh, sizeof(nh));
		printf("\tnexthop %s weight %u%s buckets %u\n", nh, member_weight(gs, i),
		       member_weight(gs, i) ? "" : " (drained)", buckets_of(gs, i));
	}
}

/* The mirrored table's routes, read before the table's lock is taken (a
 * full table's dump takes a second: the daemon must not wait for it). */
static struct kview kview;

static void kview_load(const struct cli_req *r)
{
	char err[256];
	struct xb b;

	kview.n = 0;
	if (xb_open(&b, r->pin_root, err, sizeof(err)))
		return; /* said by the command itself */
	if (b.info.mirror_table && rtnl_table_routes(b.info.mirror_table, &kview.r, &kview.n))
		kview.n = 0;
	xb_close(&b);
}

static int route_show(struct xtable *t, const struct cli_req *r)
{
	struct xroute *v;
	size_t n;
	struct jw w;

	if (xt_routes(t, -1, &v, &n))
		return -ENOMEM;
	qsort(v, n, sizeof(*v), cmp_route);
	jw_init(&w, stdout);
	if (r->json)
		jw_arr_begin(&w, NULL);
	for (size_t i = 0; i < n; i++)
		if (!r->has_prefix || xprefix_contains(&r->route.prefix, &v[i].p.addr))
			route_print(t, &v[i], kernel_of(&kview, &v[i]), r->json ? &w : NULL);
	if (r->json)
		jw_arr_end(&w);
	free(v);
	return 0;
}

int cmd_route_show(const struct cli_req *r, char *err, size_t len)
{
	int ret;

	kview_load(r);
	ret = cmd_with_table(r, err, len, route_show, TABLE_READ);
	free(kview.r);
	kview = (struct kview){ NULL, 0 };
	return ret;
}

/* ---- get: the decision the data path would take (core/decide.c) ---- */

/* The translation rule as its words. */
static const char *xlat_text(const struct decision *d, char *buf, size_t len)
{
	char rp[XPREFIX_STRLEN], mp[XPREFIX_STRLEN], dev[IF_NAMESIZE] = "?";
	struct xprefix real, mapped;
	bool tun = d->xlat.flags & XFWD_XLAT_R_TUNNEL;

	xlat_rule_prefixes(&d->xlat, &real, &mapped);
	snprintf(buf, len, "rule %s to %s %s %s", xprefix_str(&real, rp), xprefix_str(&mapped, mp),
		 tun ? "tunnel" : "dev", tun ? d->nh_tunnel : if_indextoname(d->xlat.target, dev) ? dev : "?");
	return buf;
}

static void decision_print(const struct cli_req *r, const struct decision *d)
{
	char a[XADDR_STRLEN], p[XPREFIX_STRLEN], nh[160], m[18], x[192];
	struct jw w;

	nh_text(&d->nh, d->nh_tunnel, nh, sizeof(nh));
	if (!r->json) {
		printf("%s action %s", xaddr_str(&r->dst, a), d->action);
		if (d->why)
			printf(" (%s)", d->why);
		if (d->group)
			printf(" route %s group %u", xprefix_str(&d->match, p), d->group);
		if (d->nh_id && d->bucket >= 0)
			printf(" member %u/%u bucket %d %s", d->member + 1, d->members, d->bucket, nh);
		else if (d->nh_id)
			printf(" member %u/%u %s", d->member + 1, d->members, nh);
		if (d->nh.kind == XFWD_NH_DIRECT && (d->nh.flags & XFWD_NH_F_NEIGH))
			printf(" lladdr %s", mac_str(d->nh.l2[d->nh.active & 1].dmac, m));
		if (d->xlat_slot)
			printf(" xlat dst %s (%s)", xaddr_str(&d->xlat_to, a), xlat_text(d, x, sizeof(x)));
		printf("\n");
		return;
	}
	jw_init(&w, stdout);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "dst", xaddr_str(&r->dst, a));
	jw_str(&w, "action", d->action);
	if (d->why)
		jw_str(&w, "reason", d->why);
	if (d->group) {
		jw_str(&w, "route", xprefix_str(&d->match, p));
		jw_uint(&w, "group", d->group);
	}
	if (d->xlat_slot) {
		jw_str(&w, "xlat_dst", xaddr_str(&d->xlat_to, a));
		jw_str(&w, "xlat_rule", xlat_text(d, x, sizeof(x)));
		jw_uint(&w, "xlat_slot", d->xlat_slot);
	}
	if (d->nh_id) {
		jw_uint(&w, "member", d->member);
		jw_uint(&w, "members", d->members);
		if (d->bucket >= 0)
			jw_uint(&w, "bucket", (uint64_t)d->bucket);
		jw_arr_begin(&w, "nexthop");
		nh_json(&w, d->nh_id, &d->nh, -1, d->nh_tunnel);
		jw_arr_end(&w);
	}
	jw_obj_end(&w);
}

int cmd_route_get(const struct cli_req *r, char *err, size_t len)
{
	const struct flow f = { .dst = r->dst, .src = r->has_src ? r->src : (struct xaddr){ 0 }, .proto = r->proto,
				.sport = r->sport, .dport = r->dport };
	struct decision d;
	struct kio io;
	struct xb b;
	int ret;

	if ((ret = xb_open(&b, r->pin_root, err, len)))
		return ret;
	if (!(ret = kio_open(&io, &b, err, len))) {
		xt_decide(&io, &f, &d);
		decision_print(r, &d);
		KIO(&io, close);
	}
	xb_close(&b);
	return ret;
}
