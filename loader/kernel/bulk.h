/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bulk I/O of the route tables (tbl24, tbl8, tblc16, tblc, tbl6) through a small BPF program (bpf/bulk.bpf.c)
 * instead of per-element batch syscalls: a full table is read or written
 * in a few hundred calls (docs/bulk-table-io.md). Loaded on first use.
 */
#ifndef XFWD_BULK_IO_H
#define XFWD_BULK_IO_H

#include <stddef.h>
#include <stdint.h>

#include "lpm4c.h"
#include "lpm6.h"

struct bulk;

struct xbulk {
	struct bulk *skel;
	void *buf; /* one scratch value */
	int tbl24, tbl8, tbl6, tblc16, tblc;
};

/* -errno; the program is loaded on the first call. */
int xbulk_read(struct xbulk *x, uint32_t tbl, uint32_t start, uint32_t n, uint32_t *dst);
/* Store the writes in order (all of one table: LPM4_TBL24, LPM4_TBL8 or LPM6_TBL). */
int xbulk_write(struct xbulk *x, uint32_t tbl, const struct lpm4_write *w, size_t n);
void xbulk_close(struct xbulk *x);

#endif
