// SPDX-License-Identifier: GPL-2.0-only
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>

#include "sizes.h"
#include "spec_parse.h"
#include "words.h"

static int parse_attach(struct args *a, struct cli_req *r)
{
	const char *w;

	while ((w = arg_next(a))) {
		if (arg_is(w, "mode")) {
			const char *m = arg_value(a, "mode");

			if (!m)
				return -1;
			if (arg_is(m, "native"))
				r->mode = XFWD_MODE_NATIVE;
			else if (arg_is(m, "generic"))
				r->mode = XFWD_MODE_GENERIC;
			else
				return arg_fail(a, "mode '%s': use 'native' or 'generic'", m);
			continue;
		}
		if (map_size_is(w)) {
			const char *v = arg_value(a, w);

			if (!v || map_size_set(&r->sizes, w, v, a->err, a->errlen))
				return -1;
			continue;
		}
		if (r->ndevs == CLI_MAX_DEVS)
			return arg_fail(a, "at most %d devices at once", CLI_MAX_DEVS);
		if (copy_dev(a, w, r->devs[r->ndevs++]))
			return -1;
	}
	if (r->cmd == CMD_ATTACH && !r->ndevs)
		return arg_fail(a, "attach needs at least one device: xfwd attach DEV... [mode native|generic]");
	return 0;
}

static int parse_prefix_arg(struct args *a, struct cli_req *r, bool required)
{
	const char *p = arg_peek(a);

	if (!p) {
		if (required)
			return arg_fail(a, "missing PREFIX (e.g. 10.1.0.0/16)");
		return 0;
	}
	arg_next(a);
	r->has_prefix = true;
	return xprefix_parse(p, &r->route.prefix, a->err, a->errlen) ? -1 : 0;
}

static int parse_proto(struct args *a, struct cli_req *r)
{
	const char *p = arg_value(a, "proto");
	uint32_t n;

	if (!p)
		return -1;
	if (arg_is(p, "tcp"))
		r->proto = IPPROTO_TCP;
	else if (arg_is(p, "udp"))
		r->proto = IPPROTO_UDP;
	else if (arg_is(p, "icmp"))
		r->proto = IPPROTO_ICMP;
	else if (arg_is(p, "icmpv6"))
		r->proto = IPPROTO_ICMPV6;
	else {
		a->i--;
		if (parse_u32(a, "proto", 0, 255, &n))
			return -1;
		r->proto = (uint8_t)n;
	}
	return 0;
}

static int parse_route_get(struct args *a, struct cli_req *r)
{
	const char *d = arg_next(a), *w;
	uint32_t n;

	if (!d || xaddr_parse(d, &r->dst))
		return arg_fail(a, "route get needs an address: xfwd route get ADDR [from ADDR] [proto tcp|udp|N] [sport N] [dport N]");
	while ((w = arg_next(a))) {
		if (arg_is(w, "from")) {
			const char *s = arg_value(a, "from");

			if (!s || xaddr_parse(s, &r->src))
				return arg_fail(a, "'from' needs an address");
			r->has_src = true;
		} else if (arg_is(w, "proto")) {
			if (parse_proto(a, r))
				return -1;
		} else if (arg_is(w, "sport") || arg_is(w, "dport")) {
			if (parse_u32(a, w, 0, 65535, &n))
				return -1;
			*(arg_is(w, "sport") ? &r->sport : &r->dport) = (uint16_t)n;
		} else {
			return arg_fail(a, "unexpected '%s' after route get", w);
		}
	}
	if (r->has_src && r->src.family != r->dst.family)
		return arg_fail(a, "'from' and the destination must be the same family");
	return 0;
}

static int parse_route(struct args *a, struct cli_req *r)
{
	const char *c = arg_next(a);

	if (!c || arg_is(c, "show") || arg_is(c, "list")) {
		r->cmd = CMD_ROUTE_SHOW;
		return parse_prefix_arg(a, r, false);
	}
	if (arg_is(c, "get")) {
		r->cmd = CMD_ROUTE_GET;
		return parse_route_get(a, r);
	}
	if (arg_is(c, "add") || arg_is(c, "replace") || arg_is(c, "del") || arg_is(c, "delete")) {
		r->cmd = arg_is(c, "add")	    ? CMD_ROUTE_ADD
			 : arg_is(c, "replace") ? CMD_ROUTE_REPLACE
					    : CMD_ROUTE_DEL;
		if (parse_prefix_arg(a, r, true))
			return -1;
		if (r->cmd == CMD_ROUTE_DEL)
			return arg_peek(a) ? arg_fail(a, "unexpected '%s' after route del PREFIX", arg_peek(a)) : 0;
		return spec_route_target(a, &r->route);
	}
	return arg_fail(a, "unknown route command '%s' (add, replace, del, show, get)", c);
}

/* probe udp | probe icmp PEER from SRC, probe-interval MS,
 * probe-multiplier N, hold-down MS (docs/health.md). */
/* cli_tunnel.c */
/* stats [show] [-i SECONDS [-n COUNT]] | stats reset */
static int parse_stats(struct args *a, struct cli_req *r)
{
	const char *c = arg_peek(a);

	r->cmd = CMD_STATS;
	if (c && arg_is(c, "reset")) {
		arg_next(a);
		r->cmd = CMD_STATS_RESET;
	} else if (c && arg_is(c, "show")) {
		arg_next(a);
	}
	while (r->cmd == CMD_STATS && (c = arg_next(a))) {
		if (arg_is(c, "-i") || arg_is(c, "interval")) {
			if (parse_u32(a, "-i", 1, 3600, &r->interval_s))
				return -1;
		} else if (arg_is(c, "-n") || arg_is(c, "count")) {
			if (parse_u32(a, "-n", 1, 1000000, &r->count))
				return -1;
		} else {
			return arg_fail(a, "unknown stats command '%s' (show, reset, -i SECONDS [-n COUNT])", c);
		}
	}
	if (r->count && !r->interval_s)
		return arg_fail(a, "-n COUNT counts intervals: give -i SECONDS too%s", "");
	return arg_peek(a) ? arg_fail(a, "unexpected '%s'", arg_peek(a)) : 0;
}

int parse_tunnel(struct args *a, struct cli_req *r);
/* cli_filter.c */
int parse_filter(struct args *a, struct cli_req *r);
/* cli_xlat.c */
int parse_xlat(struct args *a, struct cli_req *r);

static int parse_object(struct args *a, struct cli_req *r)
{
	const char *o = arg_next(a), *c;

	if (!o || arg_is(o, "help") || arg_is(o, "-h") || arg_is(o, "--help")) {
		r->cmd = CMD_HELP;
		return 0;
	}
	if (arg_is(o, "version") || arg_is(o, "-V") || arg_is(o, "--version")) {
		r->cmd = CMD_VERSION;
		return 0;
	}
	if (arg_is(o, "attach") || arg_is(o, "detach")) {
		r->cmd = arg_is(o, "attach") ? CMD_ATTACH : CMD_DETACH;
		return parse_attach(a, r);
	}
	if (arg_is(o, "route") || arg_is(o, "routes") || arg_is(o, "r"))
		return parse_route(a, r);
	if (arg_is(o, "health")) {
		r->cmd = CMD_HEALTH;
		return arg_peek(a) ? arg_fail(a, "unexpected '%s' after health", arg_peek(a)) : 0;
	}
	if (arg_is(o, "run") || arg_is(o, "check")) {
		r->cmd = arg_is(o, "run") ? CMD_RUN : CMD_CHECK;
		while ((c = arg_next(a))) {
			if (!arg_is(c, "-c") && !arg_is(c, "--config"))
				return arg_fail(a, "unexpected '%s' (xfwd %s [-c FILE])", c, r->cmd == CMD_RUN ? "run" : "check");
			if (!(r->config = arg_value(a, c)))
				return -1;
		}
		return 0;
	}
	if (arg_is(o, "tunnel") || arg_is(o, "tunnels"))
		return parse_tunnel(a, r);
	if (arg_is(o, "filter") || arg_is(o, "filters"))
		return parse_filter(a, r);
	if (arg_is(o, "xlat") || arg_is(o, "translation"))
		return parse_xlat(a, r);
	if (arg_is(o, "nexthop") || arg_is(o, "nh")) {
		c = arg_next(a);
		if (!c || arg_is(c, "show") || arg_is(c, "list"))
			r->cmd = CMD_NEXTHOP_SHOW;
		else if (arg_is(c, "refresh"))
			r->cmd = CMD_NEXTHOP_REFRESH;
		else
			return arg_fail(a, "unknown nexthop command '%s' (show, refresh)", c);
	} else if (arg_is(o, "stats")) {
		return parse_stats(a, r);
	} else if (arg_is(o, "status")) {
		r->cmd = CMD_STATUS;
	} else if (arg_is(o, "metrics")) {
		r->cmd = CMD_METRICS;
	} else {
		return arg_fail(a, "unknown object '%s'; try 'xfwd help'", o);
	}
	return arg_peek(a) ? arg_fail(a, "unexpected '%s'", arg_peek(a)) : 0;
}

int cli_parse(int argc, char **argv, struct cli_req *r, char *err,
	      size_t errlen)
{
	struct args a = { argc, argv, 1, err, errlen };
	const char *w;

	memset(r, 0, sizeof(*r));
	r->pin_root = XFWD_PIN_ROOT_DEFAULT;
	while ((w = arg_peek(&a)) && w[0] == '-' && w[1]) {
		arg_next(&a);
		if (arg_is(w, "-j") || arg_is(w, "--json"))
			r->json = true;
		else if (arg_is(w, "--pin-root")) {
			r->pin_root = arg_value(&a, "--pin-root");
			if (!r->pin_root)
				return -1;
			if (strlen(r->pin_root) > XFWD_PIN_ROOT_MAX)
				return arg_fail(&a, "--pin-root: a path of at most %d characters", XFWD_PIN_ROOT_MAX);
		} else if (arg_is(w, "-b") || arg_is(w, "-batch") || arg_is(w, "--batch")) {
			if (!(r->batch = arg_value(&a, w)))
				return -1;
			r->cmd = CMD_BATCH;
			return arg_peek(&a) ? arg_fail(&a, "unexpected '%s' after %s FILE", arg_peek(&a), w) : 0;
		} else if (arg_is(w, "-h") || arg_is(w, "--help")) {
			r->cmd = CMD_HELP;
			return 0;
		} else if (arg_is(w, "-V") || arg_is(w, "--version")) {
			r->cmd = CMD_VERSION;
			return 0;
		} else
			return arg_fail(&a, "unknown option '%s'; try 'xfwd help'", w);
	}
	return parse_object(&a, r);
}

int cli_parse_line(char *line, const char *pin_root, struct cli_req *r,
		   char *err, size_t errlen)
{
	char *argv[128];
	int argc = words_split(line, argv + 1, 127, err, errlen);

	if (argc < 0)
		return -1;
	argv[0] = "xfwd";
	if (cli_parse(argc + 1, argv, r, err, errlen))
		return -1;
	r->pin_root = pin_root;
	return 0;
}

const char *cli_usage(void)
{
	return "Usage: xfwd [OPTIONS] OBJECT COMMAND [ARGS]\n"
	       "       xfwd run [-c FILE]   the daemon (default /etc/xfwd/xfwd.conf; docs/daemon.md)\n"
	       "       xfwd [-j] check [-c FILE]   the deployment's findings; exit 0 clean, 3 warnings, 4 errors (docs/check.md)\n"
	       "       xfwd [--pin-root DIR] -batch FILE   (route add|replace|del, one per line;\n"
	       "                                        FILE - is standard input)\n"
	       "OPTIONS: -j (JSON output)  --pin-root DIR (default " XFWD_PIN_ROOT_DEFAULT ")\n"
	       "  xfwd attach DEV... [mode native|generic] [ipv4-table tbl24|compact] [tblc-lines N] [tbl8-groups N] [routes4 N]\n"
	       "              [routes6 N] [nexthops N] [groups N]\n"
	       "  xfwd detach [DEV...]          (no DEV: detach all, remove pins)\n"
	       "  xfwd route add|replace PREFIX via ADDR dev DEV [via ADDR dev DEV]...\n"
	       "  xfwd route add|replace PREFIX tunnel NAME [tunnel NAME]... (may mix with via)\n"
	       "  xfwd route add|replace PREFIX blackhole|kernel\n"
	       "  xfwd route del PREFIX\n"
	       "  xfwd route show [PREFIX]\n"
	       "  xfwd route get ADDR [from ADDR] [proto tcp|udp|N] [sport N] [dport N]\n"
	       "  xfwd tunnel add NAME type gre|ipip|vxlan|geneve local ADDR remote ADDR\n"
	       "              [key N | vni N [peer-mac MAC | payload ip]] [ttl N] [mtu N] [dev DEV]\n"
	       "              [probe udp | probe icmp PEER from SRC] [probe-interval MS]\n"
	       "              [probe-multiplier N] [hold-down MS]\n"
	       "  xfwd tunnel add NAME type ipsec local ADDR remote ADDR [inner ADDR/LEN] [dev DEV]\n"
	       "              (spi-out N spi-in N key-out FILE key-in FILE [if-id N] [encap udp] | keyed-by external if-id N)\n"
	       "  xfwd tunnel change NAME ...   (the words of add: remote, key/vni, ttl, mtu, peer-mac, inner,\n"
	       "              probes, urpf change in place; type, local and payload do not)\n"
	       "  xfwd tunnel rekey NAME [spi-in N key-in FILE] [spi-out N key-out FILE] [retire-in N]\n"
	       "  xfwd tunnel del NAME | show\n"
	       "  xfwd filter replace (tunnel NAME | dev DEV) in|out [default allow|deny] rules FILE\n"
	       "              (FILE: a rule a line, [src P] [dst P] [proto P] [sport N[-M]] [dport N[-M]]\n"
	       "               [icmp-type T[/C]] allow|deny|count; - is standard input)\n"
	       "  xfwd filter del (tunnel NAME | dev DEV) in|out\n"
	       "  xfwd filter show              per set: its rules, each with its counters\n"
	       "  xfwd xlat add REAL to MAPPED (tunnel NAME | dev DEV)   1:1 prefix translation\n"
	       "  xfwd xlat del REAL (tunnel NAME | dev DEV)\n"
	       "  xfwd xlat show                per rule: its counters in and out\n"
	       "  xfwd health                   per tunnel: probe state, RTT, loss, last change\n"
	       "  xfwd nexthop show | refresh\n"
	       "  xfwd stats [show | reset]\n"
	       "  xfwd stats -i SECONDS [-n COUNT]   live rates per reason and per tunnel\n"
	       "  xfwd status\n"
	       "  xfwd metrics                  the counters as Prometheus text (docs/metrics.md)\n"
	       "Exit status: 0 ok, 1 bad input or refused, 2 system error.\n";
}
