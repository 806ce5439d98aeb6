// SPDX-License-Identifier: GPL-2.0-only
/* What xfwd_info tells commands besides the maps' sizes: the table's
 * counts as of the last commit, the table the daemon mirrors. Each is a
 * read-modify-write of the one entry, made holding the pin root's lock. */
#include "bpf.h"

#include <bpf/bpf.h>
#include <errno.h>

static int info_update(struct xb *b, void (*set)(struct xfwd_info *in, const void *v), const void *v)
{
	struct xfwd_info in;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(b->fd.info, &zero, &in))
		return -errno;
	set(&in, v);
	if (bpf_map_update_elem(b->fd.info, &zero, &in, BPF_ANY))
		return -errno;
	b->info = in;
	return 0;
}

static void set_counts(struct xfwd_info *in, const void *arg)
{
	const struct table_counts *n = arg;

	in->routes4 = n->routes4;
	in->routes6 = n->routes6;
	in->tbl8_used = n->tbl8_used;
	in->tbl6_used = n->tbl6_used;
	in->tblc_used = n->tblc_used;
}

static void set_mirror(struct xfwd_info *in, const void *v)
{
	in->mirror_table = *(const uint32_t *)v;
}

int xb_set_counts(struct xb *b, const struct table_counts *n)
{
	return info_update(b, set_counts, n);
}

int xb_set_mirror_table(struct xb *b, uint32_t table)
{
	return info_update(b, set_mirror, &table);
}
