// SPDX-License-Identifier: GPL-2.0-only
/* xfwd: parse the command line, run one command (the CLI's, or the
 * daemon for `xfwd run`), map errors to exit codes (0 ok, 1 bad input or
 * refused, 2 system error). Above both rooms: neither includes the other. */
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "log.h"
#include "run.h"

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
	return r->cmd == CMD_RUN ? daemon_run(r->config, err, len) : cli_run(r, err, len);
}

/* xfwd check's status says what it found: 0, warnings or errors. */
static int check(const struct cli_req *r)
{
	char err[4096] = "";
	int ret = check_command(r->config, r->json, err, sizeof(err));

	if (ret >= 0)
		return ret;
	xlog(LOG_ERR, "%s", err[0] ? err : strerror(-ret));
	return exit_code(ret);
}

int main(int argc, char **argv)
{
	char err[4096] = "";
	struct cli_req r;
	int ret;

	if (cli_parse(argc, argv, &r, err, sizeof(err))) {
		xlog(LOG_ERR, "%s", err);
		return 1;
	}
	if (r.cmd == CMD_CHECK)
		return check(&r);
	ret = run(&r, err, sizeof(err));
	if (ret) {
		xlog(LOG_ERR, "%s", err[0] ? err : strerror(-ret));
		return exit_code(ret);
	}
	return 0;
}
