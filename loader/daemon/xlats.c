// SPDX-License-Identifier: GPL-2.0-only
/* The config's [translations] against the running rules
 * (docs/translation.md): a rule added where it is missing, removed when
 * the file drops it (a changed mapping is both); rules the CLI added
 * and the file never had are left alone. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "table.h"

#include "daemon.h"

int xlats_check(struct daemon *d, const struct xconfig *c)
{
	for (size_t i = 0; i < c->nxlats; i++) {
		const struct xlat_spec *s = &c->xlats[i].spec;

		if (target_check(d, c, s->tunnel, s->name, c->xlats[i].lineno, "translation"))
			return -1;
	}
	return 0;
}

/* The spec's record on its running target; false: no such target. */
static bool record_of(struct daemon *d, const struct xlat_spec *s, struct xfwd_xlat_rule *r)
{
	uint32_t id = s->tunnel ? xt_tunnel_find(&d->t, s->name) : if_nametoindex(s->name);

	if (id)
		xlat_rule_of(s, id, r);
	return id != 0;
}

static bool running(const struct xlat_rule_at *v, int n, const struct xfwd_xlat_rule *r)
{
	for (int i = 0; i < n; i++)
		if (!memcmp(&v[i].r, r, sizeof(*r)))
			return true;
	return false;
}

static void rule_text(struct daemon *d, const struct xfwd_xlat_rule *r, char *buf, size_t len)
{
	struct xlat_spec s = { .tunnel = r->flags & XFWD_XLAT_R_TUNNEL };
	char dev[IF_NAMESIZE] = "?";

	xlat_rule_prefixes(r, &s.real, &s.mapped);
	snprintf(s.name, sizeof(s.name), "%s",
		 s.tunnel ? xt_tunnel(&d->t, r->target)->name : if_indextoname(r->target, dev) ? dev : "?");
	xlat_spec_str(&s, buf, len);
}

/* A running rule the file does not have that overlaps one it has: the
 * file changed that mapping (or the CLI added one in its way). It goes
 * first, or the new rule would be refused as overlapping it. */
static void remove_replaced(struct daemon *d, const struct xconfig *c, const struct xlat_rule_at *v, int n)
{
	struct xfwd_xlat_rule r;
	char text[160];

	for (int j = 0; j < n; j++) {
		bool wanted = false, in_way = false;

		for (size_t i = 0; i < c->nxlats && !wanted; i++) {
			if (!record_of(d, &c->xlats[i].spec, &r))
				continue;
			wanted = !memcmp(&r, &v[j].r, sizeof(r));
			in_way = in_way || xlat_rules_overlap(&r, &v[j].r);
		}
		if (wanted || !in_way)
			continue;
		rule_text(d, &v[j].r, text, sizeof(text));
		if (xt_xlat_del(&d->t, &v[j].r))
			xlog(LOG_WARNING, "could not remove the translation %s the file replaces: %s", text, d->err);
		else
			xlog(LOG_INFO, "xlat %s removed", text);
	}
}

/* Add what is missing: the number of rules that could not be. */
int xlats_apply(struct daemon *d, const struct xconfig *c)
{
	struct xlat_rule_at *v = NULL;
	int n = c->nxlats ? xt_xlat_list(&d->t, &v) : 0, fails = 0;
	struct xfwd_xlat_rule r;
	char text[160];

	if (n < 0) {
		xlog(LOG_ERR, "cannot read the running translations: %s", d->err);
		return (int)c->nxlats;
	}
	remove_replaced(d, c, v, n);
	for (size_t i = 0; i < c->nxlats; i++) {
		const struct config_xlat *x = &c->xlats[i];

		xlat_spec_str(&x->spec, text, sizeof(text));
		if (!record_of(d, &x->spec, &r)) {
			xlog(LOG_ERR, "%s:%d: no target for %s", d->path, x->lineno, text);
			fails++;
		} else if (!running(v, n, &r)) {
			if (xt_xlat_add(&d->t, &r)) {
				xlog(LOG_ERR, "%s:%d: %s: %s", d->path, x->lineno, text, d->err);
				fails++;
			} else {
				xlog(LOG_INFO, "xlat %s", text);
			}
		}
	}
	free(v);
	return fails;
}

static bool has_rule(const struct xconfig *c, const struct xlat_spec *s)
{
	for (size_t i = 0; i < c->nxlats; i++) {
		const struct xlat_spec *o = &c->xlats[i].spec;

		if (o->tunnel == s->tunnel && !strcmp(o->name, s->name) &&
		    xprefix_eq(&o->real, &s->real) && xprefix_eq(&o->mapped, &s->mapped))
			return true;
	}
	return false;
}

/* The rules old had and now does not. */
void xlats_dropped(struct daemon *d, const struct xconfig *old, const struct xconfig *now)
{
	struct xfwd_xlat_rule r;
	char text[160];

	for (size_t i = 0; i < old->nxlats; i++) {
		const struct xlat_spec *s = &old->xlats[i].spec;
		int ret;

		if (has_rule(now, s) || !record_of(d, s, &r))
			continue;
		xlat_spec_str(s, text, sizeof(text));
		if ((ret = xt_xlat_del(&d->t, &r)) && ret != -ENOENT)
			xlog(LOG_WARNING, "could not remove the translation %s the file no longer has: %s", text,
			     d->err);
		else if (!ret)
			xlog(LOG_INFO, "xlat %s removed", text);
	}
}
