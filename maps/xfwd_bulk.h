/* SPDX-License-Identifier: GPL-2.0-only */
/* The loader's bulk table I/O program (bpf/bulk.bpf.c): its arguments
 * (the BPF_PROG_TEST_RUN context) and scratch value. Private to the
 * loader, not part of the pinned maps' ABI. */
#ifndef XFWD_BULK_H
#define XFWD_BULK_H

#include <linux/types.h>

#define XFWD_BULK_MAX 16384u /* entries per call: a 64 KiB scratch value */

enum { XFWD_BULK_TBL24 = 0, XFWD_BULK_TBL8 = 1, XFWD_BULK_TBL6 = 2, XFWD_BULK_TBLC16 = 3, XFWD_BULK_TBLC = 4 };

struct xfwd_bulk_args {
	__u32 tbl;   /* XFWD_BULK_TBL24, _TBL8, _TBL6, _TBLC16 or _TBLC */
	__u32 start; /* first index */
	__u32 count; /* read: entries (<= XFWD_BULK_MAX); write: pairs (<= half) */
	__u32 write; /* 1: store (index, value) pairs; 0: read a run from start */
};

struct xfwd_bulk_buf {
	__u32 v[XFWD_BULK_MAX];
};

#endif
