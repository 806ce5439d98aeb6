// SPDX-License-Identifier: GPL-2.0-only
/* xfwd filter replace|del|show (docs/filters.md) */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "filter.h"
#include "json.h"
#include "kio_kernel.h"
#include "table.h"
#include "words.h"

/* The rules of FILE ("-": standard input): how many, or -1 with
 * "FILE:LINE: why" in err. */
static int rules_read(const char *path, struct xfwd_filter_rule **out, char *err, size_t len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *text = NULL;
	size_t cap = 0, n = 0, got;
	int ret;

	if (!f) {
		snprintf(err, len, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	do {
		if (n + 4096 + 1 > cap && !(text = realloc(text, cap = 2 * cap + 8192)))
			abort();
		got = fread(text + n, 1, cap - n - 1, f);
		n += got;
	} while (got);
	text[n] = 0;
	if (f != stdin)
		fclose(f);
	ret = filter_rules_parse(text, path, out, err, len);
	free(text);
	return ret;
}

static int target_of(struct xtable *t, const struct filter_spec *f, struct filter_target *tg)
{
	tg->tunnel = f->tunnel;
	tg->dir = f->dir;
	tg->id = f->tunnel ? xt_tunnel_need(t, f->name) : if_nametoindex(f->name);
	if (!tg->id && !f->tunnel)
		xt_error(t, "no device '%s' (see 'ip link')", f->name);
	return tg->id ? 0 : -ENOENT;
}

static int filter_change(struct xtable *t, const struct cli_req *r)
{
	struct xfwd_filter_rule *rules = NULL;
	struct filter_target tg;
	char msg[512];
	int n, ret;

	if ((ret = target_of(t, &r->filter, &tg)))
		return ret;
	if (r->cmd == CMD_FILTER_DEL)
		return xt_filter_del(t, &tg);
	if ((n = rules_read(r->filter.rules, &rules, msg, sizeof(msg))) < 0) {
		xt_error(t, "%s; nothing was changed", msg);
		return -EINVAL;
	}
	ret = xt_filter_replace(t, &tg, rules, (uint32_t)n, r->filter.deflt);
	free(rules);
	return ret;
}

int cmd_filter_change(const struct cli_req *r, char *err, size_t len)
{
	return cmd_with_table(r, err, len, filter_change, TABLE_FILTERS);
}

static const char *target_str(struct xtable *t, const struct filter_target *tg, char *buf)
{
	char dev[IF_NAMESIZE] = "?";

	if (tg->tunnel)
		snprintf(buf, 48, "tunnel %s %s", xt_tunnel(t, tg->id)->name, tg->dir ? "out" : "in");
	else
		snprintf(buf, 48, "dev %s %s", if_indextoname(tg->id, dev) ? dev : "?", tg->dir ? "out" : "in");
	return buf;
}

static void rule_out(struct jw *w, const char *text, uint32_t slot, struct xfwd_counter c)
{
	if (!w) {
		printf("  %5u  %-60s %llu pkts %llu bytes\n", slot, text, (unsigned long long)c.packets,
		       (unsigned long long)c.bytes);
		return;
	}
	jw_obj_begin(w, NULL);
	jw_str(w, "rule", text);
	jw_uint(w, "slot", slot);
	jw_uint(w, "packets", c.packets);
	jw_uint(w, "bytes", c.bytes);
	jw_obj_end(w);
}

static void set_out(struct xtable *t, const struct filter_bound *f, int fd, struct jw *w)
{
	static const char *const act[] = { "allow", "deny", "count", "?" };
	char where[48], text[256], dflt[32];

	target_str(t, &f->tg, where);
	snprintf(dflt, sizeof(dflt), "default %s", act[f->deflt & 3]);
	if (!w) {
		printf("%s: set %u, %u rules\n", where, f->set, f->n);
	} else {
		jw_obj_begin(w, NULL);
		jw_str(w, "target", where);
		jw_uint(w, "set", f->set);
		jw_str(w, "default", act[f->deflt & 3]);
		jw_arr_begin(w, "rules");
	}
	for (uint32_t i = 0; i < f->n; i++)
		rule_out(w, filter_rule_str(&f->rules[i], text, sizeof(text)), f->base + i,
			 counter_sum(fd, f->base + i));
	rule_out(w, dflt, f->base + f->n, counter_sum(fd, f->base + f->n));
	if (w) {
		jw_arr_end(w);
		jw_obj_end(w);
	}
}

struct sets_shown {
	struct xtable *t;
	struct filter_bound *v;
	int fd;
};

static void set_item(void *arg, int i, struct jw *w)
{
	struct sets_shown *s = arg;

	set_out(s->t, &s->v[i], s->fd, w);
}

static int filter_show(struct xtable *t, const struct cli_req *r)
{
	struct sets_shown s = { t, NULL, kio_xb(t)->fd.filter_stats };
	int n = xt_filter_list(t, &s.v);

	if (n < 0)
		return n;
	show_items(r, n, set_item, &s);
	xt_filter_list_free(s.v, n);
	return 0;
}

int cmd_filter_show(const struct cli_req *r, char *err, size_t len)
{
	return cmd_with_nexthops(r, err, len, filter_show);
}
