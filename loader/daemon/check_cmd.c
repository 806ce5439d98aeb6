// SPDX-License-Identifier: GPL-2.0-only
/* `xfwd check [-c FILE] [-j]` (docs/check.md): the config, and where
 * xfwd runs the live routes, through the rules of core/check.c; the
 * attached devices' facts read from the kernel. Also what `xfwd run`
 * refuses a config for. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf.h"
#include "check.h"
#include "config.h"
#include "devfacts.h"
#include "kio_kernel.h"
#include "table.h"

#include "daemon.h"
#include "run.h"

/* A live route as the rules read it: its members' tunnels by name. */
static void route_of(const struct xtable *t, const struct xroute *x, struct route_spec *r)
{
	const struct xfwd_group_set *s = xt_group_set(t, x->group);

	memset(r, 0, sizeof(*r));
	r->prefix = x->p;
	for (uint32_t i = 0; s && i < s->count && i < XFWD_ECMP_MAX; i++) {
		const struct xfwd_nh *n = xt_nexthop(t, s->members[i]);

		if (n->kind == XFWD_NH_TUNNEL)
			snprintf(r->tunnels[r->ntunnels++], IFNAME_LEN, "%s", xt_tunnel(t, n->tunnel)->name);
		else if (n->kind == XFWD_NH_DIRECT)
			snprintf(r->via[r->nvia++].dev, IFNAME_LEN, "nh%u", s->members[i] % 100000);
	}
}

static bool in_config(const struct route_spec *v, size_t n, const struct xprefix *p)
{
	for (size_t i = 0; i < n; i++)
		if (xprefix_eq(&v[i].prefix, p))
			return true;
	return false;
}

/* The config's routes, then the live ones it does not name (the
 * mirrored BGP routes), where pins exist. */
static struct route_spec *routes_of(const struct xconfig *c, size_t *n)
{
	struct route_spec *v = calloc(c->nroutes + 1, sizeof(*v));
	struct xroute *live = NULL;
	size_t nlive = 0;
	struct xtable t;
	struct xb b;
	char err[256];

	if (!v)
		return NULL;
	for (*n = 0; *n < c->nroutes; (*n)++)
		v[*n] = c->routes[*n].route;
	if (xb_open(&b, c->pin_root, err, sizeof(err)))
		return v; /* not running: the config alone */
	if (!kio_table_load(&t, &b, true, err, sizeof(err))) {
		if (!xt_routes(&t, -1, &live, &nlive)) {
			struct route_spec *nv = realloc(v, (*n + nlive + 1) * sizeof(*v));

			size_t nconf = *n;

			for (size_t i = 0; nv && i < nlive; i++)
				if (live[i].origin != XFWD_ORIGIN_LOCAL && !in_config(nv, nconf, &live[i].p))
					route_of(&t, &live[i], &nv[(*n)++]);
			v = nv ? nv : v;
			free(live);
		}
		xt_free(&t);
	}
	xb_close(&b);
	return v;
}

int config_findings(const struct xconfig *c, bool live, struct check_findings *f)
{
	struct tunnel_spec *tun = calloc(c->ntunnels + 1, sizeof(*tun));
	struct xlat_spec *xl = calloc(c->nxlats + 1, sizeof(*xl));
	struct dev_facts *devs = calloc((size_t)c->nattach + 1, sizeof(*devs));
	struct check_model m = { .ntunnels = c->ntunnels, .nxlats = c->nxlats };
	struct route_spec *routes = NULL;
	size_t nroutes = c->nroutes;
	int ret = -1;

	if (!tun || !xl || !devs)
		goto out;
	for (size_t i = 0; i < c->ntunnels; i++)
		tun[i] = c->tunnels[i].tun;
	for (size_t i = 0; i < c->nxlats; i++)
		xl[i] = c->xlats[i].spec;
	for (int i = 0; i < c->nattach; i++)
		if (!dev_facts_read(c->attach[i], &devs[m.ndevs]))
			m.ndevs++;
	routes = live ? routes_of(c, &nroutes) : calloc(c->nroutes + 1, sizeof(*routes));
	if (!routes)
		goto out;
	for (size_t i = 0; !live && i < c->nroutes; i++)
		routes[i] = c->routes[i].route;
	m.tunnels = tun;
	m.xlats = xl;
	m.devs = devs;
	m.routes = routes;
	m.nroutes = nroutes;
	ret = check_run(&m, f);
out:
	free(tun);
	free(xl);
	free(devs);
	free(routes);
	return ret;
}

int check_command(const char *path, bool json, char *err, size_t len)
{
	struct check_findings f = { 0 };
	struct xconfig c;
	size_t need;
	char *buf;
	int worst;

	if (config_load(path ? path : "/etc/xfwd/xfwd.conf", &c, err, len))
		return -EINVAL; /* the first error, with its line */
	if (config_findings(&c, true, &f)) {
		config_free(&c);
		check_free(&f);
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	need = check_format(&f, json, NULL, 0) + 1;
	if ((buf = malloc(need))) {
		check_format(&f, json, buf, need);
		fputs(buf, stdout);
		free(buf);
	}
	worst = check_worst(&f);
	config_free(&c);
	check_free(&f);
	return worst == CHECK_ERROR ? CHECK_EXIT_ERRORS : worst == CHECK_WARN ? CHECK_EXIT_WARNINGS : 0;
}
