// SPDX-License-Identifier: GPL-2.0-only
/* The config's [filters] against the running sets (docs/filters.md):
 * checked with the rest of the file, a set replaced only where its rules
 * or default differ from what is bound, removed when the file drops it. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "table.h"

#include "daemon.h"

static const char *where(const struct filter_spec *f, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s %s", f->tunnel ? "tunnel" : "dev", f->name, f->dir ? "out" : "in");
	return buf;
}

static bool tunnel_in_config(const struct xconfig *c, const char *name)
{
	for (size_t i = 0; i < c->ntunnels; i++)
		if (!strcmp(c->tunnels[i].tun.name, name))
			return true;
	return false;
}

int target_check(struct daemon *d, const struct xconfig *c, bool tunnel, const char *name,
		 int lineno, const char *what)
{
	if (tunnel ? tunnel_in_config(c, name) || xt_tunnel_find(&d->t, name) : if_nametoindex(name) != 0)
		return 0;
	snprintf(d->err, sizeof(d->err), "%s:%d: no %s '%s' for this %s (%s)", d->path, lineno,
		 tunnel ? "tunnel" : "device", name, what, tunnel ? "add it to [tunnels]" : "see 'ip link'");
	return -1;
}

/* Each set's tunnel is in the file or running, each device exists. */
int filters_check(struct daemon *d, const struct xconfig *c)
{
	for (size_t i = 0; i < c->nfilters; i++) {
		const struct filter_spec *f = &c->filters[i].spec;

		if (target_check(d, c, f->tunnel, f->name, c->filters[i].lineno, "filter"))
			return -1;
	}
	return 0;
}

static bool target_of(struct daemon *d, const struct filter_spec *f, struct filter_target *tg)
{
	tg->tunnel = f->tunnel;
	tg->dir = f->dir;
	tg->id = f->tunnel ? xt_tunnel_find(&d->t, f->name) : if_nametoindex(f->name);
	return tg->id != 0;
}

/* The rule as the config has it, against a record (which carries its
 * set and flags). */
static bool same_rule(const struct xfwd_filter_rule *rec, const struct xfwd_filter_rule *r)
{
	struct xfwd_filter_rule a = *rec;

	a.set = 0;
	a.nrules = 0;
	a.flags &= (uint8_t)~XFWD_FILTER_R_USED;
	return !memcmp(&a, r, sizeof(a));
}

/* Is the set bound at tg already these rules and this default? */
static bool bound_same(const struct filter_bound *v, int n, const struct filter_target *tg,
		       const struct config_filter *f)
{
	for (int i = 0; i < n; i++) {
		if (v[i].tg.tunnel != tg->tunnel || v[i].tg.id != tg->id || v[i].tg.dir != tg->dir)
			continue;
		if (v[i].n != f->n || v[i].deflt != f->spec.deflt)
			return false;
		for (uint32_t j = 0; j < f->n; j++)
			if (!same_rule(&v[i].rules[j], &f->rules[j]))
				return false;
		return true;
	}
	return false;
}

/* Bind what differs: the number of sets that could not be. */
int filters_apply(struct daemon *d, const struct xconfig *c)
{
	struct filter_bound *v = NULL;
	int n = c->nfilters ? xt_filter_list(&d->t, &v) : 0, fails = 0;
	struct filter_target tg;
	char w[64];

	if (n < 0) {
		xlog(LOG_ERR, "cannot read the running filters: %s", d->err);
		return (int)c->nfilters;
	}
	for (size_t i = 0; i < c->nfilters; i++) {
		const struct config_filter *f = &c->filters[i];

		if (!target_of(d, &f->spec, &tg)) {
			xlog(LOG_ERR, "%s:%d: no %s to filter", d->path, f->lineno, where(&f->spec, w, sizeof(w)));
			fails++;
		} else if (!bound_same(v, n, &tg, f)) {
			if (xt_filter_replace(&d->t, &tg, f->rules, f->n, f->spec.deflt)) {
				xlog(LOG_ERR, "%s:%d: %s", d->path, f->lineno, d->err);
				fails++;
			} else {
				xlog(LOG_INFO, "filter %s: %u rules, default %s", where(&f->spec, w, sizeof(w)), f->n,
				     f->spec.deflt == XFWD_FILTER_DENY ? "deny" : "allow");
			}
		}
	}
	xt_filter_list_free(v, n > 0 ? n : 0);
	return fails;
}

static bool has_target(const struct xconfig *c, const struct filter_spec *f)
{
	for (size_t i = 0; i < c->nfilters; i++) {
		const struct filter_spec *g = &c->filters[i].spec;

		if (g->tunnel == f->tunnel && g->dir == f->dir && !strcmp(g->name, f->name))
			return true;
	}
	return false;
}

/* The sets old bound and now does not. */
void filters_dropped(struct daemon *d, const struct xconfig *old, const struct xconfig *now)
{
	struct filter_target tg;
	char w[64];

	for (size_t i = 0; i < old->nfilters; i++) {
		const struct filter_spec *f = &old->filters[i].spec;
		int ret;

		if (has_target(now, f) || !target_of(d, f, &tg))
			continue;
		if ((ret = xt_filter_del(&d->t, &tg)) && ret != -ENOENT)
			xlog(LOG_WARNING, "could not remove the filter on %s the file no longer has: %s",
			     where(f, w, sizeof(w)), d->err);
		else if (!ret)
			xlog(LOG_INFO, "filter %s removed", where(f, w, sizeof(w)));
	}
}
