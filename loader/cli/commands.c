// SPDX-License-Identifier: GPL-2.0-only
/* The CLI's commands, declared as a table: what a parsed request runs. */
#include <errno.h>
#include <stdio.h>

#include "cli.h"
#include "cmd.h"

#define XFWD_VERSION "0.1.0"

static int cmd_help(const struct cli_req *r, char *err, size_t len)
{
	(void)r, (void)err, (void)len;
	fputs(cli_usage(), stdout);
	return 0;
}

static int cmd_version(const struct cli_req *r, char *err, size_t len)
{
	(void)r, (void)err, (void)len;
	printf("xfwd %s (ABI %u)\n", XFWD_VERSION, XFWD_ABI_VERSION);
	return 0;
}

typedef int (*cmd_fn)(const struct cli_req *r, char *err, size_t len);

static const cmd_fn commands[] = {
	[CMD_HELP] = cmd_help,
	[CMD_VERSION] = cmd_version,
	[CMD_ATTACH] = cmd_attach,
	[CMD_DETACH] = cmd_detach,
	[CMD_ROUTE_ADD] = cmd_route_change,
	[CMD_ROUTE_REPLACE] = cmd_route_change,
	[CMD_ROUTE_DEL] = cmd_route_change,
	[CMD_ROUTE_SHOW] = cmd_route_show,
	[CMD_ROUTE_GET] = cmd_route_get,
	[CMD_NEXTHOP_SHOW] = cmd_nexthop_show,
	[CMD_NEXTHOP_REFRESH] = cmd_nexthop_refresh,
	[CMD_STATS] = cmd_stats,
	[CMD_STATS_RESET] = cmd_stats_reset,
	[CMD_STATUS] = cmd_status,
	[CMD_METRICS] = cmd_metrics,
	[CMD_TUNNEL_ADD] = cmd_tunnel_change,
	[CMD_TUNNEL_DEL] = cmd_tunnel_change,
	[CMD_TUNNEL_CHANGE] = cmd_tunnel_change,
	[CMD_TUNNEL_SHOW] = cmd_tunnel_show,
	[CMD_TUNNEL_REKEY] = cmd_tunnel_rekey,
	[CMD_HEALTH] = cmd_health,
	[CMD_BATCH] = cmd_batch,
	[CMD_FILTER_REPLACE] = cmd_filter_change,
	[CMD_FILTER_DEL] = cmd_filter_change,
	[CMD_FILTER_SHOW] = cmd_filter_show,
	[CMD_XLAT_ADD] = cmd_xlat_change,
	[CMD_XLAT_DEL] = cmd_xlat_change,
	[CMD_XLAT_SHOW] = cmd_xlat_show,
	/* CMD_RUN is the daemon's (loader/main.c) */
};

int cli_run(const struct cli_req *r, char *err, size_t len)
{
	if ((size_t)r->cmd >= sizeof(commands) / sizeof(commands[0]) || !commands[r->cmd]) {
		snprintf(err, len, "no command for this request (%d)", r->cmd);
		return -EINVAL;
	}
	return commands[r->cmd](r, err, len);
}
