/* SPDX-License-Identifier: GPL-2.0-only */
/* The core's kernel interface (loader/core/kio.h) over the real kernel:
 * the pinned maps of b, rtnetlink, tunnel devices, xfrm. */
#ifndef XFWD_KIO_KERNEL_H
#define XFWD_KIO_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "bpf.h"
#include "table.h"

/* The interface over b's maps (b must outlive it): KIO(io, close) ends it. */
int kio_open(struct kio *io, struct xb *b, char *err, size_t len);
/* Load the table of b's maps (routes: false for next hops, groups and
 * tunnels only; see xt_load). b must outlive the table. */
int kio_table_load(struct xtable *t, struct xb *b, bool routes, char *err, size_t len);
/* The maps a table loaded by kio_table_load reads. */
struct xb *kio_xb(const struct xtable *t);

#endif
