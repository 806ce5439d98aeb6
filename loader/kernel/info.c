// SPDX-License-Identifier: GPL-2.0-only
/* What xfwd_info tells commands besides the maps' sizes: the table's
 * counts as of the last commit, the table the daemon mirrors. Each is a
 * read-modify-write of the one entry, made holding the pin root's lock. */
#include "bpf.h"

#include <bpf/bpf.h>
#include <errno.h>

static int info_update(struct xb *b, void (*set)(struct xfwd_info *in, const uint32_t *v), const uint32_t *v)
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

static void set_counts(struct xfwd_info *in, const uint32_t *v)
{
	in->routes4 = v[0];
	in->routes6 = v[1];
	in->tbl8_used = v[2];
	in->tbl6_used = v[3];
}

static void set_mirror(struct xfwd_info *in, const uint32_t *v)
{
	in->mirror_table = v[0];
}

int xb_set_counts(struct xb *b, uint32_t routes4, uint32_t routes6, uint32_t tbl8_used,
		  uint32_t tbl6_used)
{
	const uint32_t v[4] = { routes4, routes6, tbl8_used, tbl6_used };

	return info_update(b, set_counts, v);
}

int xb_set_mirror_table(struct xb *b, uint32_t table)
{
	return info_update(b, set_mirror, &table);
}
