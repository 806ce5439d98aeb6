// SPDX-License-Identifier: GPL-2.0-only
/* The verbs of `xfwd xlat ...`; a rule's own words are core/xlat.c's. */
#include "cli.h"
#include "words.h"

#include <stdbool.h>

#include "xlat.h"

int parse_xlat(struct args *a, struct cli_req *r)
{
	const char *c = arg_next(a);

	if (!c || arg_is(c, "show") || arg_is(c, "list")) {
		r->cmd = CMD_XLAT_SHOW;
		return arg_peek(a) ? arg_fail(a, "unexpected '%s' after xlat show", arg_peek(a)) : 0;
	}
	if (arg_is(c, "add") || arg_is(c, "del") || arg_is(c, "delete")) {
		bool del = !arg_is(c, "add");

		r->cmd = del ? CMD_XLAT_DEL : CMD_XLAT_ADD;
		return xlat_spec_parse(a->argc - a->i, a->argv + a->i, &r->xlat, !del, a->err, a->errlen);
	}
	return arg_fail(a, "unknown xlat command '%s' (add, del, show)", c);
}
