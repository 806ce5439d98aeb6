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

/* Run a parsed request's command (commands.c; not `xfwd run`). */
int cli_run(const struct cli_req *r, char *err, size_t len);
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
int cmd_metrics(const struct cli_req *r, char *err, size_t len);
int cmd_tunnel_change(const struct cli_req *r, char *err, size_t len);
int cmd_tunnel_rekey(const struct cli_req *r, char *err, size_t len);
int cmd_tunnel_show(const struct cli_req *r, char *err, size_t len);
int cmd_health(const struct cli_req *r, char *err, size_t len);
int cmd_filter_change(const struct cli_req *r, char *err, size_t len);
int cmd_filter_show(const struct cli_req *r, char *err, size_t len);
/* Items 0..n-1 printed by each(arg, i, w): under one JSON array with
 * -j (w the writer), else as text (w NULL). */
struct jw;
typedef void (*show_item_fn)(void *arg, int i, struct jw *w);
void show_items(const struct cli_req *r, int n, show_item_fn each, void *arg);
/* Key's counters in a per-CPU array map, summed over CPUs. */
struct xfwd_counter counter_sum(int fd, uint32_t key);
int cmd_xlat_change(const struct cli_req *r, char *err, size_t len);
int cmd_xlat_show(const struct cli_req *r, char *err, size_t len);

struct jw;
struct xtable;
struct xfwd_nh;

/* Route changes on a loaded table (cmd_route.c): check a request against
 * it, or apply it with an origin (replace: an add may change a route). */
int route_check(struct xtable *t, const struct cli_req *r, bool replace);
struct nh_key;
int route_check_members(struct xtable *t, const struct cli_req *r, struct nh_key *k);
int route_check_exists(struct xtable *t, int cmd, const struct xprefix *p, bool exists,
		       bool replace, uint32_t earlier);
int route_apply(struct xtable *t, const struct cli_req *r, uint8_t origin, bool replace);

/* Open the pinned maps, adopt the table, run fn, release everything;
 * TABLE_WRITE holds the pin root's lock throughout, TABLE_READ only while
 * the table loads (fn reads the copy in memory). */
enum table_use { TABLE_WRITE, TABLE_READ, TABLE_NEXTHOPS,
		 TABLE_FILTERS /* the lock throughout, next hops and tunnels only */ };
int cmd_with_table(const struct cli_req *r, char *err, size_t len,
		   int (*fn)(struct xtable *t, const struct cli_req *r), enum table_use use);
/* The same without the routes (xt_load_nexthops): for commands that only
 * show next hops or tunnels. */
int cmd_with_nexthops(const struct cli_req *r, char *err, size_t len,
		      int (*fn)(struct xtable *t, const struct cli_req *r));
/* A next hop as a JSON object; refs < 0 leaves the count out. */
/* tname: the tunnel's name, for a tunnel next hop (its underlay hop is
 * gateway and dev). */
void nh_json(struct jw *w, uint32_t id, const struct xfwd_nh *n, long refs, const char *tname);
const char *kind_name(uint8_t kind);

/* "aa:bb:cc:dd:ee:ff" */
const char *mac_str(const unsigned char mac[6], char buf[18]);
/* Device name for an ifindex, or "if<N>" when gone. */
const char *dev_name(unsigned int ifindex, char buf[16]);

#endif
