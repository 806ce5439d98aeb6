// SPDX-License-Identifier: GPL-2.0-only
/* The decision the data path would take for a flow, read from the live
 * maps through the kernel interface, as XDP reads them: what `xfwd route
 * get` prints. Special destinations, the flow hash and the member choice
 * are maps/'s, so the two cannot disagree. */
#include "decide.h"
#include "xlat.h"
#include "lpm4c.h"
#include "lpm6.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "maps/xfwd_hash.h"
#include "maps/xfwd_special.h"

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

/* Entry idx of a live table stored in lines (0 if it cannot be read). */
static uint32_t live_entry(const struct kio *io, enum xfwd_map m, uint32_t idx)
{
	struct xfwd_lpm_line line;
	uint32_t key = idx / XFWD_LPM_LINE;

	return KIO(io, map_get, m, &key, &line) ? 0 : line.e[idx % XFWD_LPM_LINE];
}

/* The compact copy's entry for ip (lpm4c.h: no depth). */
static uint32_t live_entry_copy(const struct kio *io, uint32_t ip)
{
	uint32_t w[XFWD_CBLK_MAX_LINES * XFWD_LPM_LINE], v, n, at;

	v = live_entry(io, XFWD_M_tblc16, ip >> 16);
	if (!(v & XFWD_C16_BLOCK))
		return v;
	if (!(n = v >> XFWD_C16_LINES_SHIFT & XFWD_C16_LINES_MASK))
		return lpm4c_strip(live_entry(io, XFWD_M_tbl24, ip >> 8));
	at = v & XFWD_LPM_TARGET_MASK;
	for (uint32_t l = 0; l < n; l++)
		if (KIO(io, map_get, XFWD_M_tblc, &(uint32_t){ at + l }, w + l * XFWD_LPM_LINE))
			return 0;
	return lpm4c_block_entry(w, ip >> 8 & 0xff);
}

/* tbl24's entry for ip as XDP reads it: through the compact copy when
 * attached with it, the depth (the matched prefix's length) from tbl24,
 * which the copy follows. */
static uint32_t live_entry24(const struct kio *io, uint32_t ip)
{
	uint32_t e = live_entry(io, XFWD_M_tbl24, ip >> 8), zero = 0;
	struct xfwd_info in;

	if (KIO(io, map_get, XFWD_M_info, &zero, &in) || in.ipv4_table != XFWD_IPV4_COMPACT)
		return e;
	return live_entry_copy(io, ip) | (e & XFWD_LPM_DEPTH_MASK << XFWD_LPM_DEPTH_SHIFT);
}

static void prefix_clear_host(struct xprefix *p)
{
	for (unsigned int i = p->len; i < 128; i++)
		p->addr.bytes[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

/* tbl6 is one map value (maps/xfwd_abi.h): an entry is read alone, through
 * the table reads, never as the value. */
static uint32_t live_entry6(const struct kio *io, uint32_t idx)
{
	uint32_t v;

	return KIO(io, lpm_read, LPM6_TBL, idx, 1, &v) ? 0 : v;
}

/* IPv6 as XDP reads it first: tbl6, a node per byte while entries link. */
static uint32_t live_lookup6(const struct kio *io, const uint8_t *a, struct xprefix *match)
{
	uint32_t e = live_entry6(io, (uint32_t)a[0] << 8 | a[1]);

	for (int b = 2; b < 16 && (e & XFWD_LPM6_EXT); b++)
		e = live_entry6(io, (e & XFWD_LPM6_TARGET_MASK) * XFWD_TBL6_NODE + a[b]);
	match->len = e >> XFWD_LPM6_DEPTH_SHIFT & XFWD_LPM6_DEPTH_MASK;
	prefix_clear_host(match);
	return e & XFWD_LPM6_VALID ? e & XFWD_LPM6_TARGET_MASK : 0;
}

/* The route's group from the live maps (0 = none) and the matched prefix;
 * IPv6: among routes of at most max6 bits (all: tbl6; fewer, a covering
 * route: the trie of records, as XDP asks it). */
static uint32_t live_lookup(const struct kio *io, const struct xaddr *a,
			    unsigned int max6, struct xprefix *match)
{
	match->addr = *a;
	if (a->family == AF_INET) {
		uint32_t ip = xaddr_v4(a), e = live_entry24(io, ip);

		if (e & XFWD_LPM_EXT)
			e = live_entry(io, XFWD_M_tbl8, (e & XFWD_LPM_TARGET_MASK) * XFWD_TBL8_GROUP_SIZE + (ip & 0xff));
		match->len = (e >> XFWD_LPM_DEPTH_SHIFT) & XFWD_LPM_DEPTH_MASK;
		xaddr_set_v4(&match->addr, match->len ? ip & (~0u << (32 - match->len)) : 0);
		return e & XFWD_LPM_VALID ? e & XFWD_LPM_TARGET_MASK : 0;
	}
	struct xfwd_route_key6 k = { .prefixlen = max6 };
	struct xfwd_route rt;

	if (max6 >= 128)
		return live_lookup6(io, a->bytes, match);
	memcpy(k.addr, a->bytes, 16);
	if (KIO(io, map_get, XFWD_M_routes6, &k, &rt))
		return 0;
	match->len = rt.prefixlen;
	prefix_clear_host(match);
	return rt.group;
}

static uint32_t fold(const struct xaddr *a)
{
	uint32_t w[4];

	memcpy(w, a->bytes, 16);
	return a->family == AF_INET ? w[0] : w[0] ^ w[1] ^ w[2] ^ w[3];
}

/* The member the flow hash picks, skipping dead members as XDP does. */
static int pick_member(const struct kio *io, const struct flow *r,
		       const struct xfwd_group_set *s, struct decision *d)
{
	uint32_t dead = 0, ports = 0, hash = 0;
	struct xfwd_tunnel tun;
	int i;

	for (uint32_t m = 0; m < s->count && m < XFWD_ECMP_MAX; m++) {
		struct xfwd_nh n;

		if (KIO(io, map_get, XFWD_M_nexthops, &s->members[m], &n) ||
		    (n.flags & XFWD_NH_F_DEAD))
			dead |= 1u << m;
	}
	if (xfwd_proto_has_ports(r->proto))
		ports = htonl((uint32_t)r->sport << 16 | r->dport);
	if (s->count > 1)
		hash = xfwd_flow_hash(r->src.family ? fold(&r->src) : 0, fold(&r->dst), ports,
				      r->proto);
	i = xfwd_choose(hash, s->count, s->count > 1 ? s->bucket[xfwd_bucket(hash)] : 0, dead,
			s->drained);
	if (i < 0)
		return -1;
	d->member = (uint32_t)i;
	d->members = s->count;
	d->bucket = s->count > 1 ? (int)xfwd_bucket(hash) : -1;
	d->nh_id = s->members[i];
	if (KIO(io, map_get, XFWD_M_nexthops, &d->nh_id, &d->nh))
		return -1;
	if (d->nh.kind == XFWD_NH_TUNNEL && !KIO(io, map_get, XFWD_M_tunnels, &d->nh.tunnel, &tun))
		memcpy(d->nh_tunnel, tun.name, sizeof(d->nh_tunnel) - 1);
	return 0;
}

static int group_member(const struct kio *io, const struct flow *r, struct decision *d)
{
	struct xfwd_group g;

	if (KIO(io, map_get, XFWD_M_groups, &d->group, &g))
		return -1;
	return pick_member(io, r, &g.set[g.active & 1], d);
}

/* IPv6, as XDP does: a route whose next hops are all dead gives way to
 * the longest covering route with a live one (IPv4's table has already
 * moved such routes out: the lookup finds the cover itself). */
static int cover_member(const struct kio *io, const struct flow *r, struct decision *d)
{
	struct xprefix dead = d->match;
	uint32_t gid = d->group;
	char p[XPREFIX_STRLEN];

	if (r->dst.family != AF_INET6)
		return -1;
	for (unsigned int i = 0; i < XFWD_COVER_MAX && d->match.len > 0; i++) {
		if (!(d->group = live_lookup(io, &r->dst, d->match.len - 1, &d->match)))
			break;
		if (!group_member(io, r, d)) {
			snprintf(d->why_buf, sizeof(d->why_buf), "covering route: every next hop of %s is dead",
				 xprefix_str(&dead, p));
			return 0;
		}
	}
	d->group = gid;
	d->match = dead;
	return -1;
}

/* The out rule of the next hop's target that covers the destination:
 * what XDP looks up before it sends the packet (bpf/lib/xlat.h). */
static void xlat_decide(const struct kio *io, const struct flow *r, struct decision *d)
{
	uint32_t b = d->nh.kind == XFWD_NH_TUNNEL ? xfwd_xlat_bind_tunnel(d->nh.tunnel)
						  : xfwd_xlat_bind_port(d->nh.ifindex);
	struct xfwd_xlat_key k = { .prefixlen = 160, .target = XFWD_XLAT_OUT | b };
	struct xfwd_xlat_bind bind;
	struct xfwd_xlat_val v;

	if (KIO(io, map_get, XFWD_M_xlat_binds, &b, &bind) || !bind.rules ||
	    (d->nh.kind != XFWD_NH_TUNNEL && bind.ifindex != d->nh.ifindex))
		return;
	if (r->dst.family == AF_INET) {
		k.addr[10] = k.addr[11] = 0xff;
		memcpy(k.addr + 12, r->dst.bytes, 4);
	} else {
		memcpy(k.addr, r->dst.bytes, 16);
	}
	if (KIO(io, map_get, XFWD_M_xlat, &k, &v) ||
	    KIO(io, map_get, XFWD_M_xlat_rules, &v.slot, &d->xlat) ||
	    !xlat_addr(&d->xlat, true, &r->dst, &d->xlat_to))
		return;
	d->xlat_slot = v.slot;
	if (strcmp(d->action, "forward")) {
		d->action = "drop";
		d->why = "its destination is translated, which only XDP does, and XDP would not send it";
	}
}

void xt_decide(const struct kio *io, const struct flow *r, struct decision *d)
{
	memset(d, 0, sizeof(*d));
	d->bucket = -1;
	d->action = "pass";
	if (special(&r->dst, &r->src)) {
		d->why = "multicast, broadcast, link-local or loopback";
		return;
	}
	d->group = live_lookup(io, &r->dst, 128, &d->match);
	if (!d->group) {
		d->why = "no matching route";
		return;
	}
	if (group_member(io, r, d) && cover_member(io, r, d)) {
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
	if (d->nh.kind == XFWD_NH_DIRECT || d->nh.kind == XFWD_NH_TUNNEL)
		xlat_decide(io, r, d);
}
