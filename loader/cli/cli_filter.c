// SPDX-License-Identifier: GPL-2.0-only
/* The verbs of `xfwd filter ...`; a rule's own words are core/filter_parse.c's. */
#include "cli.h"
#include "words.h"

#include <stdbool.h>
#include <string.h>

#include "filter.h"

int parse_filter(struct args *a, struct cli_req *r)
{
	const char *c = arg_next(a);

	if (!c || arg_is(c, "show") || arg_is(c, "list")) {
		r->cmd = CMD_FILTER_SHOW;
		return arg_peek(a) ? arg_fail(a, "unexpected '%s' after filter show", arg_peek(a)) : 0;
	}
	if (arg_is(c, "replace") || arg_is(c, "add") || arg_is(c, "del") || arg_is(c, "delete")) {
		bool del = arg_is(c, "del") || arg_is(c, "delete");

		r->cmd = del ? CMD_FILTER_DEL : CMD_FILTER_REPLACE;
		return filter_spec_parse(a->argc - a->i, a->argv + a->i, &r->filter, !del, a->err, a->errlen);
	}
	return arg_fail(a, "unknown filter command '%s' (replace, del, show)", c);
}
