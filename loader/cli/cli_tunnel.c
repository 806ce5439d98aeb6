// SPDX-License-Identifier: GPL-2.0-only
/* The verbs of `xfwd tunnel ...`; a tunnel's own words are core/spec_parse.c's. */
#include "cli.h"
#include "spec_parse.h"
#include "words.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>

/* tunnel rekey NAME [spi-in N key-in FILE] [spi-out N key-out FILE]
 * [retire-in N]: each direction whole, at least one step
 * (docs/ipsec-rekey.md). */
static int parse_rekey(struct args *a, struct tunnel_spec *t)
{
	const char *w;

	while ((w = arg_next(a))) {
		if (arg_is(w, "retire-in")) {
			if (parse_u32(a, w, 256, UINT32_MAX, &t->retire_in))
				return -1;
		} else if (arg_is(w, "spi-out") || arg_is(w, "spi-in") || arg_is(w, "key-out") || arg_is(w, "key-in")) {
			if (spec_ipsec_opt(a, t, w))
				return -1;
		} else {
			return arg_fail(a, "unexpected '%s' in tunnel rekey (spi-in, key-in, spi-out, key-out, retire-in)", w);
		}
	}
	if (!t->spi_in != !t->key_in[0] || !t->spi_out != !t->key_out[0])
		return arg_fail(a, "a rekey step names both its SPI and its key file: 'spi-in N key-in FILE', 'spi-out N key-out FILE'");
	if (!t->spi_in && !t->spi_out && !t->retire_in)
		return arg_fail(a, "tunnel rekey needs a step: 'spi-in N key-in FILE' (accept a new key), 'spi-out N key-out FILE' (send with it) or 'retire-in N' (docs/ipsec-rekey.md)");
	if (t->retire_in && t->retire_in == t->spi_in)
		return arg_fail(a, "'retire-in 0x%x' is the inbound SA this rekey adds", t->retire_in);
	return 0;
}

int parse_tunnel(struct args *a, struct cli_req *r)
{
	const char *c = arg_next(a);

	if (!c || arg_is(c, "show") || arg_is(c, "list")) {
		r->cmd = CMD_TUNNEL_SHOW;
		return 0;
	}
	if (!arg_is(c, "add") && !arg_is(c, "change") && !arg_is(c, "del") && !arg_is(c, "delete") &&
	    !arg_is(c, "rekey"))
		return arg_fail(a, "unknown tunnel command '%s' (add, change, del, rekey, show)", c);
	r->cmd = arg_is(c, "add") ? CMD_TUNNEL_ADD : arg_is(c, "change") ? CMD_TUNNEL_CHANGE :
		 arg_is(c, "rekey") ? CMD_TUNNEL_REKEY : CMD_TUNNEL_DEL;
	if (!arg_peek(a))
		return arg_fail(a, "missing tunnel NAME");
	if (copy_dev(a, arg_next(a), r->tun.name))
		return -1;
	if (r->cmd == CMD_TUNNEL_REKEY)
		return parse_rekey(a, &r->tun);
	if (r->cmd == CMD_TUNNEL_DEL)
		return arg_peek(a) ? arg_fail(a, "unexpected '%s' after tunnel del NAME", arg_peek(a)) : 0;
	return spec_tunnel_opts(a, &r->tun);
}
