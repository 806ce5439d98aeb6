// SPDX-License-Identifier: GPL-2.0-only
/* The verbs of `xfwd filter ...`; a rule's own words are core/filter_parse.c's. */
#include "cli.h"
#include "words.h"

#include <string.h>

/* (tunnel NAME | dev DEV) in|out */
static int parse_target(struct args *a, struct filter_req *f)
{
	const char *w = arg_next(a), *d;

	if (!w || (!arg_is(w, "tunnel") && !arg_is(w, "dev")))
		return arg_fail(a, "a filter applies to 'tunnel NAME' or 'dev DEV', then 'in' or 'out'");
	f->tunnel = arg_is(w, "tunnel");
	if (copy_dev(a, arg_value(a, w), f->name))
		return -1;
	if (!(d = arg_next(a)) || (!arg_is(d, "in") && !arg_is(d, "out")))
		return arg_fail(a, "after '%s %s': 'in' (what it receives; a tunnel's after decapsulation) or 'out' (what it sends)",
				w, f->name);
	f->dir = arg_is(d, "in") ? XFWD_FILTER_IN : XFWD_FILTER_OUT;
	f->has_target = true;
	return 0;
}

static int parse_replace(struct args *a, struct filter_req *f)
{
	const char *w, *v;

	f->deflt = XFWD_FILTER_ALLOW;
	if (parse_target(a, f))
		return -1;
	while ((w = arg_next(a))) {
		if (arg_is(w, "default")) {
			if (!(v = arg_value(a, w)) || (!arg_is(v, "allow") && !arg_is(v, "deny")))
				return arg_fail(a, "'default' is 'allow' or 'deny'");
			f->deflt = arg_is(v, "deny") ? XFWD_FILTER_DENY : XFWD_FILTER_ALLOW;
		} else if (arg_is(w, "rules")) {
			if (!(f->rules = arg_value(a, w)))
				return -1;
		} else {
			return arg_fail(a, "unexpected '%s' (filter replace TARGET in|out [default allow|deny] rules FILE)", w);
		}
	}
	if (!f->rules)
		return arg_fail(a, "filter replace needs 'rules FILE' (a rule a line; '-' reads standard input; an empty file binds the default alone)");
	return 0;
}

int parse_filter(struct args *a, struct cli_req *r)
{
	const char *c = arg_next(a);

	if (!c || arg_is(c, "show") || arg_is(c, "list")) {
		r->cmd = CMD_FILTER_SHOW;
		return arg_peek(a) ? arg_fail(a, "unexpected '%s' after filter show", arg_peek(a)) : 0;
	}
	if (arg_is(c, "replace") || arg_is(c, "add")) {
		r->cmd = CMD_FILTER_REPLACE;
		return parse_replace(a, &r->filter);
	}
	if (arg_is(c, "del") || arg_is(c, "delete")) {
		r->cmd = CMD_FILTER_DEL;
		if (parse_target(a, &r->filter))
			return -1;
		return arg_peek(a) ? arg_fail(a, "unexpected '%s' after filter del", arg_peek(a)) : 0;
	}
	return arg_fail(a, "unknown filter command '%s' (replace, del, show)", c);
}
