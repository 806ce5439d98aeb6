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
#include "grow.h"
#include "json.h"
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

/* A line's command and next hops, alone. */
int route_check_members(struct xtable *t, const struct cli_req *r)
{
	struct nh_key k[XFWD_ECMP_MAX];
	int n;

	if (r->cmd != CMD_ROUTE_ADD && r->cmd != CMD_ROUTE_REPLACE && r->cmd != CMD_ROUTE_DEL) {
		snprintf(t->err, t->errlen, "only 'route add|replace|del' lines can be batched");
		return -EINVAL;
	}
	if (r->cmd != CMD_ROUTE_DEL && (n = xt_spec_members(t, &r->route, k)) < 0)
		return n;
	return 0;
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
		snprintf(t->err, t->errlen, "route %s exists%s: use 'route replace' to change it",
			 xprefix_str(p, buf), by);
		return -EEXIST;
	}
	if (cmd == CMD_ROUTE_DEL && !exists) {
		snprintf(t->err, t->errlen, "no route %s%s", xprefix_str(p, buf), by);
		return -ENOENT;
	}
	return 0;
}

/* Could this line apply to the table as it is now? (replace: an add may
 * also change an existing route, as the daemon's config does) */
int route_check(struct xtable *t, const struct cli_req *r, bool replace)
{
	int ret = route_check_members(t, r);
	bool exists = xt_route_group(t, &r->route.prefix) != 0;

	return ret ? ret : route_check_exists(t, r->cmd, &r->route.prefix, exists, replace, 0);
}

/* ---- show ---- */

static int cmp_route(const void *a, const void *b)
{
	const struct xroute *x = a, *y = b;
	int c;

	if (x->p.addr.family != y->p.addr.family)
		return x->p.addr.family == AF_INET ? -1 : 1;
	c = memcmp(x->p.addr.bytes, y->p.addr.bytes, 16);
	return c ? c : (int)x->p.len - (int)y->p.len;
}

static void nh_text(const struct xfwd_nh *n, char *buf, size_t len)
{
	char a[XADDR_STRLEN], d[16];
	struct xaddr gw = { .family = n->family };

	if (n->kind == XFWD_NH_TUNNEL) {
		memcpy(gw.bytes, n->addr, 16);
		snprintf(buf, len, "tunnel %u via %s dev %s%s%s", n->tunnel, xaddr_str(&gw, a),
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

static const struct xfwd_group_set *group_set(const struct xtable *t, uint32_t g)
{
	return g < t->grp_max ? &t->grp[g].set[t->grp[g].active & 1] : NULL;
}

static void route_print(const struct xtable *t, const struct xroute *s, struct jw *w)
{
	const struct xfwd_group_set *gs = group_set(t, s->group);
	char p[XPREFIX_STRLEN], nh[160];
	uint32_t n = gs ? gs->count : 0;

	if (w) {
		jw_obj_begin(w, NULL);
		jw_str(w, "dst", xprefix_str(&s->p, p));
		jw_str(w, "type", n ? kind_name(t->nh[gs->members[0]].kind) : "unknown");
		jw_uint(w, "group", s->group);
		jw_arr_begin(w, "nexthops");
		for (uint32_t i = 0; i < n; i++)
			nh_json(w, gs->members[i], &t->nh[gs->members[i]], -1);
		jw_arr_end(w);
		jw_obj_end(w);
		return;
	}
	if (n == 1) {
		nh_text(&t->nh[gs->members[0]], nh, sizeof(nh));
		printf("%s %s\n", xprefix_str(&s->p, p), nh);
		return;
	}
	printf("%s group %u\n", xprefix_str(&s->p, p), s->group);
	for (uint32_t i = 0; i < n; i++) {
		nh_text(&t->nh[gs->members[i]], nh, sizeof(nh));
		printf("\tnexthop %s\n", nh);
	}
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
			route_print(t, &v[i], r->json ? &w : NULL);
	if (r->json)
		jw_arr_end(&w);
	free(v);
	return 0;
}

int cmd_route_show(const struct cli_req *r, char *err, size_t len)
{
	return cmd_with_table(r, err, len, route_show, TABLE_READ);
}

/* ---- get: the decision the data path would take, from the live maps ---- */

struct decision {
	const char *action; /* forward, pass, drop */
	const char *why;
	char why_buf[96];
	struct xprefix match;
	uint32_t group, member, members, nh_id;
	struct xfwd_nh nh;
};

static uint32_t word(const struct xaddr *a, int i)
{
	uint32_t w;

	memcpy(&w, a->bytes + 4 * i, 4);
	return ntohl(w);
}

/* The data path's rule (maps/xfwd_special.h); src: family 0 if not given. */
static bool special(const struct xaddr *dst, const struct xaddr *src)
{
	if (dst->family == AF_INET)
		return xfwd_special4(word(dst, 0), src->family ? word(src, 0) : 0);
	return xfwd_special6(word(dst, 0), word(dst, 1), word(dst, 2), word(dst, 3),
			     src->family ? word(src, 0) : 0);
}

/* Entry idx of a live IPv4 table (0 if it cannot be read). */
static uint32_t live_entry(int fd, uint32_t idx)
{
	struct xfwd_lpm_line line;
	uint32_t key = idx / XFWD_LPM_LINE;

	return bpf_map_lookup_elem(fd, &key, &line) ? 0 : line.e[idx % XFWD_LPM_LINE];
}

/* The route's group from the live maps (0 = none) and the matched prefix;
 * IPv6: among routes of at most max6 bits. */
static uint32_t live_lookup(const struct xb *b, const struct xaddr *a,
			    unsigned int max6, struct xprefix *match)
{
	match->addr = *a;
	if (a->family == AF_INET) {
		uint32_t ip = xaddr_v4(a), e = live_entry(b->fd.tbl24, ip >> 8);

		if (e & XFWD_LPM_EXT)
			e = live_entry(b->fd.tbl8, (e & XFWD_LPM_TARGET_MASK) * XFWD_TBL8_GROUP_SIZE + (ip & 0xff));
		match->len = (e >> XFWD_LPM_DEPTH_SHIFT) & XFWD_LPM_DEPTH_MASK;
		xaddr_set_v4(&match->addr, match->len ? ip & (~0u << (32 - match->len)) : 0);
		return e & XFWD_LPM_VALID ? e & XFWD_LPM_TARGET_MASK : 0;
	}
	struct xfwd_route_key6 k = { .prefixlen = max6 };
	struct xfwd_route rt;

	memcpy(k.addr, a->bytes, 16);
	if (bpf_map_lookup_elem(b->fd.routes6, &k, &rt))
		return 0;
	match->len = rt.prefixlen;
	for (unsigned int i = rt.prefixlen; i < 128; i++)
		match->addr.bytes[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	return rt.group;
}

static uint32_t fold(const struct xaddr *a)
{
	uint32_t w[4];

	memcpy(w, a->bytes, 16);
	return a->family == AF_INET ? w[0] : w[0] ^ w[1] ^ w[2] ^ w[3];
}

/* The member the flow hash picks, skipping dead members as XDP does. */
static int pick_member(const struct xb *b, const struct cli_req *r,
		       const struct xfwd_group_set *s, struct decision *d)
{
	uint32_t dead = 0, ports = 0, hash = 0;
	int i;

	for (uint32_t m = 0; m < s->count && m < XFWD_ECMP_MAX; m++) {
		struct xfwd_nh n;

		if (bpf_map_lookup_elem(b->fd.nexthops, &s->members[m], &n) ||
		    (n.flags & XFWD_NH_F_DEAD))
			dead |= 1u << m;
	}
	if (r->proto == 6 || r->proto == 17 || r->proto == 132 || r->proto == 136)
		ports = htonl((uint32_t)r->sport << 16 | r->dport);
	if (s->count > 1)
		hash = xfwd_flow_hash(r->has_src ? fold(&r->src) : 0, fold(&r->dst), ports,
				      r->proto);
	i = xfwd_choose(hash, s->count, dead);
	if (i < 0)
		return -1;
	d->member = (uint32_t)i;
	d->members = s->count;
	d->nh_id = s->members[i];
	return bpf_map_lookup_elem(b->fd.nexthops, &d->nh_id, &d->nh) ? -1 : 0;
}

static int group_member(const struct xb *b, const struct cli_req *r, struct decision *d)
{
	struct xfwd_group g;

	if (bpf_map_lookup_elem(b->fd.groups, &d->group, &g))
		return -1;
	return pick_member(b, r, &g.set[g.active & 1], d);
}

/* IPv6, as XDP does: a route whose next hops are all dead gives way to
 * the longest covering route with a live one (IPv4's table has already
 * moved such routes out: the lookup finds the cover itself). */
static int cover_member(const struct xb *b, const struct cli_req *r, struct decision *d)
{
	struct xprefix dead = d->match;
	uint32_t gid = d->group;
	char p[XPREFIX_STRLEN];

	if (r->dst.family != AF_INET6)
		return -1;
	for (unsigned int i = 0; i < XFWD_COVER_MAX && d->match.len > 0; i++) {
		if (!(d->group = live_lookup(b, &r->dst, d->match.len - 1, &d->match)))
			break;
		if (!group_member(b, r, d)) {
			snprintf(d->why_buf, sizeof(d->why_buf), "covering route: every next hop of %s is dead",
				 xprefix_str(&dead, p));
			return 0;
		}
	}
	d->group = gid;
	d->match = dead;
	return -1;
}

static void decide(const struct xb *b, const struct cli_req *r, struct decision *d)
{

	memset(d, 0, sizeof(*d));
	d->action = "pass";
	if (special(&r->dst, &r->src)) {
		d->why = "multicast, broadcast, link-local or loopback";
		return;
	}
	d->group = live_lookup(b, &r->dst, 128, &d->match);
	if (!d->group) {
		d->why = "no matching route";
		return;
	}
	if (group_member(b, r, d) && cover_member(b, r, d)) {
		d->why = "every member of the group is dead";
		return;
	}
	switch (d->nh.kind) {
	case XFWD_NH_DIRECT:
	case XFWD_NH_TUNNEL:
		d->action = d->nh.flags & XFWD_NH_F_NEIGH ? "forward" : "pass";
		d->why = d->nh.flags & XFWD_NH_F_NEIGH ? (d->why_buf[0] ? d->why_buf : NULL)
						       : "next hop MAC not yet resolved";
		break;
	case XFWD_NH_LOCAL: d->why = "addressed to this host"; break;
	case XFWD_NH_KERNEL: d->why = "route says: kernel"; break;
	case XFWD_NH_BLACKHOLE: d->action = "drop"; d->why = "blackhole route"; break;
	default: d->action = "drop"; d->why = "inconsistent maps";
	}
}

static void decision_print(const struct cli_req *r, const struct decision *d)
{
	char a[XADDR_STRLEN], p[XPREFIX_STRLEN], nh[160], m[18];
	struct jw w;

	nh_text(&d->nh, nh, sizeof(nh));
	if (!r->json) {
		printf("%s action %s", xaddr_str(&r->dst, a), d->action);
		if (d->why)
			printf(" (%s)", d->why);
		if (d->group)
			printf(" route %s group %u", xprefix_str(&d->match, p), d->group);
		if (d->nh_id)
			printf(" member %u/%u %s", d->member + 1, d->members, nh);
		if (d->nh.kind == XFWD_NH_DIRECT && (d->nh.flags & XFWD_NH_F_NEIGH))
			printf(" lladdr %s", mac_str(d->nh.l2[d->nh.active & 1].dmac, m));
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
	if (d->nh_id) {
		jw_uint(&w, "member", d->member);
		jw_uint(&w, "members", d->members);
		jw_arr_begin(&w, "nexthop");
		nh_json(&w, d->nh_id, &d->nh, -1);
		jw_arr_end(&w);
	}
	jw_obj_end(&w);
}

int cmd_route_get(const struct cli_req *r, char *err, size_t len)
{
	struct decision d;
	struct xb b;
	int ret;

	if ((ret = xb_open(&b, r->pin_root, err, len)))
		return ret;
	decide(&b, r, &d);
	decision_print(r, &d);
	xb_close(&b);
	return 0;
}
