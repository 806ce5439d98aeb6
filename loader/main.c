// SPDX-License-Identifier: GPL-2.0-only
/* xfwd: parse the command line, run one command (the CLI's, or the
 * daemon for `xfwd run`), map errors to exit codes (0 ok, 1 bad input or
 * refused, 2 system error). Above both rooms: neither includes the other. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "run.h"

#define XFWD_VERSION "0.1.0"

static int exit_code(int ret)
{
	switch (-ret) {
	case 0:
		return 0;
	case EINVAL: case EEXIST: case ENOENT: case ENOSPC: case ENODEV:
	case EPERM: case EPROTO: case ENOTSUP: case EBUSY: case ENETUNREACH:
		return 1;
	}
	return 2;
}

static int run(const struct cli_req *r, char *err, size_t len)
{
	switch (r->cmd) {
	case CMD_HELP:
		fputs(cli_usage(), stdout);
		return 0;
	case CMD_VERSION:
		printf("xfwd %s (ABI %u)\n", XFWD_VERSION, XFWD_ABI_VERSION);
		return 0;
	case CMD_ATTACH: return cmd_attach(r, err, len);
	case CMD_DETACH: return cmd_detach(r, err, len);
	case CMD_ROUTE_ADD:
	case CMD_ROUTE_REPLACE:
	case CMD_ROUTE_DEL: return cmd_route_change(r, err, len);
	case CMD_ROUTE_SHOW: return cmd_route_show(r, err, len);
	case CMD_ROUTE_GET: return cmd_route_get(r, err, len);
	case CMD_NEXTHOP_SHOW: return cmd_nexthop_show(r, err, len);
	case CMD_NEXTHOP_REFRESH: return cmd_nexthop_refresh(r, err, len);
	case CMD_STATS: return cmd_stats(r, err, len);
	case CMD_STATS_RESET: return cmd_stats_reset(r, err, len);
	case CMD_STATUS: return cmd_status(r, err, len);
	case CMD_TUNNEL_ADD:
	case CMD_TUNNEL_DEL: return cmd_tunnel_change(r, err, len);
	case CMD_TUNNEL_SHOW: return cmd_tunnel_show(r, err, len);
	case CMD_TUNNEL_REKEY: return cmd_tunnel_rekey(r, err, len);
	case CMD_HEALTH: return cmd_health(r, err, len);
	case CMD_BATCH: return cmd_batch(r, err, len);
	case CMD_RUN: return daemon_run(r->config, err, len);
	}
	return -EINVAL;
}

int main(int argc, char **argv)
{
	char err[4096] = "";
	struct cli_req r;
	int ret;

	if (cli_parse(argc, argv, &r, err, sizeof(err))) {
		fprintf(stderr, "xfwd: %s\n", err);
		return 1;
	}
	ret = run(&r, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "xfwd: %s\n", err[0] ? err : strerror(-ret));
		return exit_code(ret);
	}
	return 0;
}
