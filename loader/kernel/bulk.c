// SPDX-License-Identifier: GPL-2.0-only
#include "bulk.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maps/xfwd_bulk.h"
#include "bulk.skel.h"

static int bulk_open(struct xbulk *x)
{
	int ret;

	if (x->skel)
		return 0;
	x->buf = calloc(1, sizeof(struct xfwd_bulk_buf));
	x->skel = bulk__open();
	if (!x->buf || !x->skel) {
		ret = -ENOMEM;
		goto fail;
	}
	/* The program works on the pinned tables themselves. */
	if ((ret = bpf_map__reuse_fd(x->skel->maps.xfwd_tbl24, x->tbl24)) ||
	    (ret = bpf_map__reuse_fd(x->skel->maps.xfwd_tbl8, x->tbl8)) ||
	    (ret = bpf_map__reuse_fd(x->skel->maps.xfwd_tbl6, x->tbl6)) ||
	    (ret = bpf_map__reuse_fd(x->skel->maps.xfwd_tblc16, x->tblc16)) ||
	    (ret = bpf_map__reuse_fd(x->skel->maps.xfwd_tblc, x->tblc)))
		goto fail;
	x->skel->rodata->tbl6_entries = bpf_map__value_size(x->skel->maps.xfwd_tbl6) / 4;
	if ((ret = bulk__load(x->skel)))
		goto fail;
	return 0;
fail:
	xbulk_close(x);
	return ret < 0 ? ret : -EINVAL;
}

static uint32_t bulk_tbl(uint32_t tbl)
{
	switch (tbl) {
	case LPM4_TBL8:
		return XFWD_BULK_TBL8;
	case LPM6_TBL:
		return XFWD_BULK_TBL6;
	case LPM4_TBLC16:
		return XFWD_BULK_TBLC16;
	case LPM4_TBLC:
		return XFWD_BULK_TBLC;
	default:
		return XFWD_BULK_TBL24;
	}
}

static int bulk_run(struct xbulk *x, uint32_t tbl, uint32_t start, uint32_t n, uint32_t write)
{
	struct xfwd_bulk_args a = { bulk_tbl(tbl), start, n, write };
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &a, .ctx_size_in = sizeof(a));
	int ret = bpf_prog_test_run_opts(bpf_program__fd(x->skel->progs.xfwd_bulk), &o);

	if (ret)
		return -errno;
	return o.retval ? -ERANGE : 0; /* an index past the table's end */
}

int xbulk_read(struct xbulk *x, uint32_t tbl, uint32_t start, uint32_t n, uint32_t *dst)
{
	int fd, ret = bulk_open(x);
	uint32_t zero = 0;

	if (ret)
		return ret;
	fd = bpf_map__fd(x->skel->maps.xfwd_bulk_buf);
	while (n) {
		uint32_t k = n < XFWD_BULK_MAX ? n : XFWD_BULK_MAX;

		if ((ret = bulk_run(x, tbl, start, k, 0)))
			return ret;
		if (bpf_map_lookup_elem(fd, &zero, x->buf))
			return -errno;
		memcpy(dst, x->buf, k * 4);
		dst += k;
		start += k;
		n -= k;
	}
	return 0;
}

int xbulk_write(struct xbulk *x, uint32_t tbl, const struct lpm4_write *w, size_t n)
{
	int fd, ret = bulk_open(x);
	uint32_t zero = 0, *v = x->buf;

	if (ret)
		return ret;
	fd = bpf_map__fd(x->skel->maps.xfwd_bulk_buf);
	while (n) {
		uint32_t k = n < XFWD_BULK_MAX / 2 ? (uint32_t)n : XFWD_BULK_MAX / 2;

		for (uint32_t i = 0; i < k; i++) {
			v[2 * i] = w[i].idx;
			v[2 * i + 1] = w[i].val;
		}
		if (bpf_map_update_elem(fd, &zero, v, BPF_ANY))
			return -errno;
		if ((ret = bulk_run(x, tbl, 0, k, 1)))
			return ret;
		w += k;
		n -= k;
	}
	return 0;
}

void xbulk_close(struct xbulk *x)
{
	if (x->skel)
		bulk__destroy(x->skel); /* closes its own fds, not the pinned ones */
	free(x->buf);
	x->skel = NULL;
	x->buf = NULL;
}
