// SPDX-License-Identifier: GPL-2.0-only
/* The route rules of `xfwd check` (docs/check.md): a prefix with one path
 * and no covering route (spof), and two routes into different tunnels
 * whose prefixes overlap (overlap). Both ask which routes cover which:
 * sorted by address then length, the routes covering one are exactly
 * the stack left after popping those that do not, so a full table (1M
 * routes in a config, or live) takes one sort and one sweep instead of
 * comparing every pair (which never ended at 900k). */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct route_spec *sort_routes; /* qsort has no argument */

static int by_prefix(const void *x, const void *y)
{
	const struct xprefix *a = &sort_routes[*(const size_t *)x].prefix;
	const struct xprefix *b = &sort_routes[*(const size_t *)y].prefix;
	int c = a->addr.family - b->addr.family;

	if (!c)
		c = memcmp(a->addr.bytes, b->addr.bytes, sizeof(a->addr.bytes));
	if (!c)
		c = (int)a->len - (int)b->len;
	return c ? c : (*(const size_t *)x > *(const size_t *)y) - (*(const size_t *)x < *(const size_t *)y);
}

static int paths(const struct route_spec *r)
{
	return r->nvia + r->ntunnels;
}

static bool share_tunnel(const struct route_spec *a, const struct route_spec *b)
{
	for (int i = 0; i < a->ntunnels; i++)
		for (int j = 0; j < b->ntunnels; j++)
			if (!strcmp(a->tunnels[i], b->tunnels[j]))
				return true;
	return false;
}

static int spof(const struct route_spec *r, struct check_findings *f)
{
	char s[XPREFIX_STRLEN];

	xprefix_str(&r->prefix, s);
	return check_add(f, CHECK_WARN, "spof", s,
			 "one path (%s %s) and no covering route: a single point of failure; add a second tunnel or a backup route",
			 r->ntunnels ? "tunnel" : "via", r->ntunnels ? r->tunnels[0] : r->via[0].dev);
}

/* a and b overlap, into different tunnels: said of the one first in the
 * model (the config's order), as a pairwise rule would. */
static int overlap(const struct route_spec *a, const struct route_spec *b, struct check_findings *f)
{
	char s[XPREFIX_STRLEN], o[XPREFIX_STRLEN];

	if (!a->ntunnels || !b->ntunnels || share_tunnel(a, b))
		return 0;
	if (a > b) {
		const struct route_spec *t = a;

		a = b;
		b = t;
	}
	xprefix_str(&a->prefix, s);
	return check_add(f, CHECK_WARN, "overlap", s,
			 "overlaps %s: routed into tunnel %s and into tunnel %s; if these are two spokes' address spaces, traffic for the overlap reaches one of them only: translate one (xfwd xlat)",
			 xprefix_str(&b->prefix, o), a->tunnels[0], b->tunnels[0]);
}

/* Route r, with the routes covering it on the stack. */
static int judge(const struct route_spec *v, const size_t *stack, size_t depth, size_t r,
		 struct check_findings *f)
{
	bool covered = false;

	for (size_t k = 0; k < depth; k++) {
		const struct route_spec *c = &v[stack[k]];

		covered |= c->prefix.len < v[r].prefix.len && paths(c);
		if (overlap(c, &v[r], f))
			return -1;
	}
	return paths(&v[r]) == 1 && !covered ? spof(&v[r], f) : 0;
}

int check_routes(const struct check_model *m, struct check_findings *f)
{
	size_t *order = malloc((m->nroutes + 1) * sizeof(*order));
	size_t *stack = malloc((m->nroutes + 1) * sizeof(*stack));
	size_t depth = 0;
	int ret = 0;

	if (!order || !stack)
		ret = -1;
	for (size_t i = 0; i < m->nroutes && !ret; i++)
		order[i] = i;
	if (!ret) {
		sort_routes = m->routes;
		qsort(order, m->nroutes, sizeof(*order), by_prefix);
	}
	for (size_t i = 0; i < m->nroutes && !ret; i++) {
		const struct xprefix *p = &m->routes[order[i]].prefix;

		while (depth && !xprefix_covers(&m->routes[stack[depth - 1]].prefix, p))
			depth--;
		ret = judge(m->routes, stack, depth, order[i], f);
		stack[depth++] = order[i];
	}
	free(order);
	free(stack);
	return ret;
}
