/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command-line grammar (pure: no I/O), in iproute2's shape:
 *   xfwd [GLOBAL OPTIONS] OBJECT COMMAND [ARGS]
 * Parsing fills a request; main.c runs it.
 */
#ifndef XFWD_CLI_H
#define XFWD_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prefix.h"
#include "spec.h"
#include "filter.h"
#include "xlat.h"
#include "maps/xfwd_abi.h"

enum cli_cmd {
	CMD_HELP,
	CMD_VERSION,
	CMD_ATTACH,
	CMD_DETACH,
	CMD_ROUTE_ADD,
	CMD_ROUTE_REPLACE,
	CMD_ROUTE_DEL,
	CMD_ROUTE_SHOW,
	CMD_ROUTE_GET,
	CMD_NEXTHOP_SHOW,
	CMD_NEXTHOP_REFRESH,
	CMD_STATS,
	CMD_STATS_RESET,
	CMD_STATUS,
	CMD_METRICS,
	CMD_TUNNEL_ADD,
	CMD_TUNNEL_DEL,
	CMD_TUNNEL_CHANGE,
	CMD_TUNNEL_SHOW,
	CMD_TUNNEL_REKEY,
	CMD_HEALTH,
	CMD_BATCH,
	CMD_FILTER_REPLACE,
	CMD_FILTER_DEL,
	CMD_FILTER_SHOW,
	CMD_XLAT_ADD,
	CMD_XLAT_DEL,
	CMD_XLAT_SHOW,
	CMD_RUN,
	CMD_CHECK,
};


struct cli_req {
	enum cli_cmd cmd;
	bool json;
	const char *pin_root;
	const char *batch; /* -batch FILE ("-": standard input) */
	const char *config; /* run -c FILE */
	/* attach / detach */
	char devs[CLI_MAX_DEVS][IFNAME_LEN];
	int ndevs;
	int mode; /* enum xfwd_xdp_mode */
	bool no_table_sync; /* the daemon's start: it syncs the table itself */
	struct map_sizes sizes;
	/* route */
	struct route_spec route;
	bool has_prefix;
	/* tunnel add|del|show */
	struct tunnel_spec tun;
	/* filter replace|del|show (docs/filters.md) */
	struct filter_spec filter;
	/* xlat add|del|show (docs/translation.md) */
	struct xlat_spec xlat;
	/* route get: the flow whose decision to show */
	struct xaddr dst, src;
	bool has_src;
	uint8_t proto;
	uint16_t sport, dport;
	/* stats -i SECONDS [-n COUNT]: live rates */
	uint32_t interval_s, count;
};

/* Returns 0, or -1 with a one-line message (problem and fix) in err. */
/* One batch line ("route add ..."): split at blanks (the line is
 * modified), parsed as if after "xfwd"; pin_root carried over. */
int cli_parse_line(char *line, const char *pin_root, struct cli_req *r,
		   char *err, size_t errlen);
int cli_parse(int argc, char **argv, struct cli_req *r, char *err,
	      size_t errlen);
const char *cli_usage(void);

#endif
