/* SPDX-License-Identifier: GPL-2.0-only */
/* One function per CLI command. Each returns 0, or -errno with a
 * one-line message (what is wrong, what to do) in err. */
#ifndef XFWD_CMD_H
#define XFWD_CMD_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <stdbool.h>

#include "cli.h"

int cmd_attach(const struct cli_req *r, char *err, size_t len);
int cmd_detach(const struct cli_req *r, char *err, size_t len);
int cmd_route_change(const struct cli_req *r, char *err, size_t len);
int cmd_batch(const struct cli_req *r, char *err, size_t len);
int cmd_route_show(const struct cli_req *r, char *err, size_t len);
int cmd_route_get(const struct cli_req *r, char *err, size_t len);
int cmd_nexthop_show(const struct cli_req *r, char *err, size_t len);
int cmd_nexthop_refresh(const struct cli_req *r, char *err, size_t len);
int cmd_stats(const struct cli_req *r, char *err, size_t len);
int cmd_stats_reset(const struct cli_req *r, char *err, size_t len);
int cmd_status(const struct cli_req *r, char *err, size_t len);
int cmd_tunnel_change(const struct cli_req *r, char *err, size_t len);
int cmd_tunnel_rekey(const struct cli_req *r, char *err, size_t len);
int cmd_tunnel_show(const struct cli_req *r, char *err, size_t len);
int cmd_health(const struct cli_req *r, char *err, size_t len);

struct jw;
struct xtable;
struct xfwd_nh;

/* Route changes on a loaded table (cmd_route.c): check a request against
 * it, or apply it with an origin (replace: an add may change a route). */
int route_check(struct xtable *t, const struct cli_req *r, bool replace);
int route_check_members(struct xtable *t, const struct cli_req *r);
/* While on, device names are looked up once per name (a batch of a
 * million routes over a few devices); off again when the batch ends. */
void route_dev_cache(bool on);
int route_check_exists(struct xtable *t, int cmd, const struct xprefix *p, bool exists,
		       bool replace, uint32_t earlier);
int route_apply(struct xtable *t, const struct cli_req *r, uint8_t origin, bool replace);
int cmd_run(const struct cli_req *r, char *err, size_t len);

/* A change went in, but the generation that tells a running daemon to
 * read the table again could not be written. */
#define BUMP_FAILED "the change is in the maps, but a running daemon was not told (xfwd_info's generation could not be written): restart it (systemctl restart xfwd) so it reads the table again"

/* The daemon's attach (cmd_attach.c): attach_begin creates or opens the
 * maps and registers the devices in them, then loads, verifies and
 * attaches the program on a thread; attach_end waits for it and, if it
 * failed, undoes everything attach_begin did. */
struct attach_job {
	struct cli_req r;
	pthread_t th;
	bool started, fresh;
	bool added[CLI_MAX_DEVS];
	uint32_t ifindex[CLI_MAX_DEVS];
	int ret;
	char err[2048];
};
int attach_begin(struct attach_job *j, const struct cli_req *r, char *err, size_t len);
int attach_end(struct attach_job *j, char *err, size_t len);
/* A start refused after attach_begin: undo it whatever the thread did,
 * so the system is left as it was found. The pin root's lock must not be
 * held (a fresh root is removed by a detach, which takes it). */
void attach_abort(struct attach_job *j);

/* Open the pinned maps, adopt the table, run fn, release everything;
 * TABLE_WRITE holds the pin root's lock throughout, TABLE_READ only while
 * the table loads (fn reads the copy in memory). */
enum table_use { TABLE_WRITE, TABLE_READ, TABLE_NEXTHOPS };
int cmd_with_table(const struct cli_req *r, char *err, size_t len,
		   int (*fn)(struct xtable *t, const struct cli_req *r), enum table_use use);
/* The same without the routes (xt_load_nexthops): for commands that only
 * show next hops or tunnels. */
int cmd_with_nexthops(const struct cli_req *r, char *err, size_t len,
		      int (*fn)(struct xtable *t, const struct cli_req *r));
/* A next hop as a JSON object; refs < 0 leaves the count out. */
void nh_json(struct jw *w, uint32_t id, const struct xfwd_nh *n, long refs);
const char *kind_name(uint8_t kind);

/* "aa:bb:cc:dd:ee:ff" */
const char *mac_str(const unsigned char mac[6], char buf[18]);
/* Device name for an ifindex, or "if<N>" when gone. */
const char *dev_name(unsigned int ifindex, char buf[16]);

#endif
