/* SPDX-License-Identifier: GPL-2.0-only */
/* One function per CLI command. Each returns 0, or -errno with a
 * one-line message (what is wrong, what to do) in err. */
#ifndef XFWD_CMD_H
#define XFWD_CMD_H

#include <stddef.h>

#include "cli.h"

int cmd_attach(const struct cli_req *r, char *err, size_t len);
int cmd_detach(const struct cli_req *r, char *err, size_t len);
int cmd_route_change(const struct cli_req *r, char *err, size_t len);
int cmd_route_show(const struct cli_req *r, char *err, size_t len);
int cmd_route_get(const struct cli_req *r, char *err, size_t len);
int cmd_nexthop_show(const struct cli_req *r, char *err, size_t len);
int cmd_nexthop_refresh(const struct cli_req *r, char *err, size_t len);
int cmd_stats(const struct cli_req *r, char *err, size_t len);
int cmd_stats_reset(const struct cli_req *r, char *err, size_t len);
int cmd_status(const struct cli_req *r, char *err, size_t len);

/* "aa:bb:cc:dd:ee:ff" */
const char *mac_str(const unsigned char mac[6], char buf[18]);
/* Device name for an ifindex, or "if<N>" when gone. */
const char *dev_name(unsigned int ifindex, char buf[16]);

#endif
