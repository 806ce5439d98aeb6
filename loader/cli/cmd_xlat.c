// SPDX-License-Identifier: GPL-2.0-only
/* xfwd xlat add|del|show (docs/translation.md) */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "json.h"
#include "kio_kernel.h"
#include "table.h"
#include "xlat.h"

/* The spec's target as a record's: a tunnel's id or a device's ifindex. */
static int target_of(struct xtable *t, const struct xlat_spec *s, uint32_t *id)
{
	*id = s->tunnel ? xt_tunnel_need(t, s->name) : if_nametoindex(s->name);
	if (!*id && !s->tunnel)
		xt_error(t, "no device '%s' (see 'ip link')", s->name);
	return *id ? 0 : -ENOENT;
}

static int xlat_change(struct xtable *t, const struct cli_req *r)
{
	struct xfwd_xlat_rule rule;
	uint32_t id;
	int ret;

	if ((ret = target_of(t, &r->xlat, &id)))
		return ret;
	xlat_rule_of(&r->xlat, id, &rule);
	return r->cmd == CMD_XLAT_DEL ? xt_xlat_del(t, &rule) : xt_xlat_add(t, &rule);
}

int cmd_xlat_change(const struct cli_req *r, char *err, size_t len)
{
	return cmd_with_table(r, err, len, xlat_change, TABLE_FILTERS);
}

/* A record back as its spec (the target by name). */
static void spec_of(struct xtable *t, const struct xfwd_xlat_rule *rule, struct xlat_spec *s)
{
	char dev[IF_NAMESIZE] = "?";

	s->tunnel = rule->flags & XFWD_XLAT_R_TUNNEL;
	xlat_rule_prefixes(rule, &s->real, &s->mapped);
	snprintf(s->name, sizeof(s->name), "%s",
		 s->tunnel ? xt_tunnel(t, rule->target)->name : if_indextoname(rule->target, dev) ? dev : "?");
}

static void rule_out(struct xtable *t, const struct xlat_rule_at *x, int fd, struct jw *w)
{
	struct xfwd_counter in = counter_sum(fd, 2 * x->slot), out = counter_sum(fd, 2 * x->slot + 1);
	char text[160], rp[XPREFIX_STRLEN], mp[XPREFIX_STRLEN];
	struct xlat_spec s;

	spec_of(t, &x->r, &s);
	if (!w) {
		printf("%-64s in %llu pkts %llu bytes, out %llu pkts %llu bytes\n",
		       xlat_spec_str(&s, text, sizeof(text)), (unsigned long long)in.packets,
		       (unsigned long long)in.bytes, (unsigned long long)out.packets,
		       (unsigned long long)out.bytes);
		return;
	}
	jw_obj_begin(w, NULL);
	jw_str(w, "real", xprefix_str(&s.real, rp));
	jw_str(w, "mapped", xprefix_str(&s.mapped, mp));
	jw_str(w, s.tunnel ? "tunnel" : "dev", s.name);
	jw_str(w, "mode", !(x->r.flags & XFWD_XLAT_R_V4) && x->r.len <= 64 ? "nptv6" : "netmap");
	jw_uint(w, "slot", x->slot);
	jw_uint(w, "in_packets", in.packets);
	jw_uint(w, "in_bytes", in.bytes);
	jw_uint(w, "out_packets", out.packets);
	jw_uint(w, "out_bytes", out.bytes);
	jw_obj_end(w);
}

struct rules_shown {
	struct xtable *t;
	struct xlat_rule_at *v;
	int fd;
};

static void rule_item(void *arg, int i, struct jw *w)
{
	struct rules_shown *s = arg;

	rule_out(s->t, &s->v[i], s->fd, w);
}

static int xlat_show(struct xtable *t, const struct cli_req *r)
{
	struct rules_shown s = { t, NULL, kio_xb(t)->fd.xlat_stats };
	int n = xt_xlat_list(t, &s.v);

	if (n < 0)
		return n;
	show_items(r, n, rule_item, &s);
	free(s.v);
	return 0;
}

int cmd_xlat_show(const struct cli_req *r, char *err, size_t len)
{
	return cmd_with_nexthops(r, err, len, xlat_show);
}
