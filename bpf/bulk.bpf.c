// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bulk reads and writes of the route tables (IPv4 tbl24/tbl8 and the
 * compact tblc16/tblc, IPv6 tbl6) for the loader, run with
 * BPF_PROG_TEST_RUN. The kernel's batch map calls cost ~370 ns per array
 * element here (two user copies and checks each), so a full table took
 * seconds to read and seconds to write. This moves up to 16k entries per
 * call through one scratch value: a read copies a run of a table into it,
 * a write stores (index, value) pairs from it, each entry with one aligned
 * 32-bit store, in the order given, so a concurrent lookup reads the old
 * or the new entry (docs/bulk-table-io.md).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "../maps/xfwd_abi.h"
#include "../maps/xfwd_bulk.h"

/* Definitions only: the loader points these at the pinned maps. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xfwd_lpm_line);
} xfwd_tbl24 SEC(".maps"), xfwd_tbl8 SEC(".maps"), xfwd_tblc16 SEC(".maps"), xfwd_tblc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, 4);
	__uint(value_size, sizeof(struct xfwd_tbl6));
} xfwd_tbl6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xfwd_bulk_buf);
} xfwd_bulk_buf SEC(".maps");

struct run {
	struct xfwd_bulk_buf *buf;
	__u32 start, tbl, write;
	int missing;
};

/* The index of this call's k-th entry: reads fill v[] from a run at
 * start; writes are (index, value) pairs. */
static __always_inline int index_of(__u32 k, const struct run *r, __u32 *idx)
{
	if (k >= XFWD_BULK_MAX / 2 && r->write)
		return -1;
	*idx = r->write ? r->buf->v[(2 * k) & (XFWD_BULK_MAX - 1)] : r->start + k;
	return 0;
}

/* Stores or reads entry e (NULL: not in the table). */
static __always_inline long copy_entry(__u32 *e, __u32 k, struct run *r)
{
	if (!e) {
		r->missing = 1;
		return 1;
	}
	if (r->write)
		*(volatile __u32 *)e = r->buf->v[(2 * k + 1) & (XFWD_BULK_MAX - 1)];
	else
		r->buf->v[k & (XFWD_BULK_MAX - 1)] = *(volatile __u32 *)e; /* count <= MAX */
	return 0;
}

/* Inlined into one callback per table, so that each lookup names one map
 * and the verifier inlines it (a shared call site is not). */
static __always_inline long copy_one(void *map, __u32 k, struct run *r)
{
	struct xfwd_lpm_line *l = NULL;
	__u32 idx, line;

	if (!index_of(k, r, &idx)) {
		line = idx / XFWD_LPM_LINE;
		l = bpf_map_lookup_elem(map, &line);
	}
	return copy_entry(l ? &l->e[idx % XFWD_LPM_LINE] : NULL, k, r);
}

static long copy24(__u64 i, void *r)
{
	return copy_one(&xfwd_tbl24, (__u32)i, r);
}

static long copy8(__u64 i, void *r)
{
	return copy_one(&xfwd_tbl8, (__u32)i, r);
}

/* tbl6 is one value of tbl6_entries entries (set by the loader). */
const volatile __u32 tbl6_entries = XFWD_DEF_TBL6_ENTRIES;

static long copy6(__u64 i, void *arg)
{
	__u32 zero = 0, k = (__u32)i, idx, *t = NULL;
	struct run *r = arg;

	if (!index_of(k, r, &idx) && idx < tbl6_entries)
		t = bpf_map_lookup_elem(&xfwd_tbl6, &zero);
	return copy_entry(t ? &t[idx] : NULL, k, r);
}

static long copyc16(__u64 i, void *r)
{
	return copy_one(&xfwd_tblc16, (__u32)i, r);
}

static long copyc(__u64 i, void *r)
{
	return copy_one(&xfwd_tblc, (__u32)i, r);
}

SEC("syscall")
int xfwd_bulk(struct xfwd_bulk_args *a)
{
	__u32 zero = 0, count = a->count;
	struct run r = { .start = a->start, .tbl = a->tbl, .write = a->write };

	r.buf = bpf_map_lookup_elem(&xfwd_bulk_buf, &zero);
	if (!r.buf || count > (r.write ? XFWD_BULK_MAX / 2 : XFWD_BULK_MAX))
		return -1;
	switch (r.tbl) {
	case XFWD_BULK_TBL24:
		bpf_loop(count, copy24, &r, 0);
		break;
	case XFWD_BULK_TBL8:
		bpf_loop(count, copy8, &r, 0);
		break;
	case XFWD_BULK_TBL6:
		bpf_loop(count, copy6, &r, 0);
		break;
	case XFWD_BULK_TBLC16:
		bpf_loop(count, copyc16, &r, 0);
		break;
	case XFWD_BULK_TBLC:
		bpf_loop(count, copyc, &r, 0);
		break;
	default:
		return -1;
	}
	return r.missing ? -1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
