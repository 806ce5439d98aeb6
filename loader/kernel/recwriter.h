/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writes IPv4 route records (xfwd_routes4) from a thread of its own, in
 * the order queued. A hash insert costs ~1.5 us here, so a full table's
 * records took 2 s; written while the daemon still parses the dump, they
 * cost nothing on the way to a full data path (docs/bulk-table-io.md).
 */
#ifndef XFWD_RECWRITER_H
#define XFWD_RECWRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "maps/xfwd_abi.h"

struct recw;

/* NULL when no thread can be started (then write in line). */
struct recw *recw_start(int fd);
int recw_put(struct recw *w, const struct xfwd_route_key4 *k, const struct xfwd_route *v);
/* Queue deletes (a key already gone is fine), after all queued before. */
int recw_del(struct recw *w, const struct xfwd_route_key4 *k, size_t n);
/* Anything queued or being written? */
bool recw_busy(struct recw *w);
/* Delete keys in line, from this thread; one missing is fine. */
int recw_delete_now(int fd, struct xfwd_route_key4 *k, __u32 n);
/* Wait until everything queued is written: 0 or the first error. */
int recw_wait(struct recw *w);
void recw_stop(struct recw *w);

#endif
