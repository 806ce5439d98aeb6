// SPDX-License-Identifier: GPL-2.0-only
/* The core's kernel interface over the real kernel: each call is a thin
 * wrapper of bpf(2), the bulk program, the record writer, rtnetlink,
 * tundev or xfrm, errors as -errno. */
#include "kio_kernel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/membarrier.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bulk.h"
#include "map_view.h"
#include "recwriter.h"
#include "rtnl.h"
#include "tundev.h"
#include "xfrm.h"

struct kk {
	struct xb *b;
	struct xbulk bulk;
	struct recw *recw; /* during a batch: writes records of new routes */
};

static int fd_of(const struct kk *k, enum xfwd_map m)
{
#define MAP_FD_CASE(name, ...) case XFWD_M_##name: return k->b->fd.name;
	switch (m) {
	XFWD_MAPS(MAP_FD_CASE)
	default:
		return -1;
	}
#undef MAP_FD_CASE
}

static int kk_map_read(void *c, enum xfwd_map m, uint32_t start, uint32_t n, size_t vsz, void *out)
{
	return map_read_range(fd_of(c, m), start, n, vsz, out);
}

/* A map of routes in batches (two syscalls per route with
 * get_next_key took seconds at a full table). The batch token is a
 * bucket index for a hash map but a whole key for the LPM trie (the
 * kernel's generic batch): a 4-byte token let a trie of more than one
 * batch overwrite the stack beyond it. */
static int kk_map_each(void *c, enum xfwd_map m, size_t ksz, kio_entry_fn fn, void *arg)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	size_t n = 4096;
	uint8_t *keys = malloc(n * ksz), *token = calloc(1, ksz < 4 ? 4 : ksz);
	struct xfwd_route *vals = malloc(n * sizeof(*vals));
	bool first = true, more = true;
	int fd = fd_of(c, m), ret = 0;

	if (!keys || !vals || !token)
		ret = -ENOMEM;
	while (!ret && more) {
		__u32 cnt = (__u32)n;

		if (bpf_map_lookup_batch(fd, first ? NULL : token, token, keys, vals, &cnt, &o)) {
			if (errno != ENOENT) {
				ret = -errno;
				break;
			}
			more = false;
		}
		first = false;
		for (__u32 i = 0; i < cnt && !ret; i++)
			ret = fn(arg, keys + i * ksz, &vals[i]);
	}
	free(keys);
	free(vals);
	free(token);
	return ret;
}

static int kk_map_get(void *c, enum xfwd_map m, const void *key, void *val)
{
	return bpf_map_lookup_elem(fd_of(c, m), key, val) ? -errno : 0;
}

static int kk_map_put(void *c, enum xfwd_map m, const void *key, const void *val, uint64_t flags)
{
	return bpf_map_update_elem(fd_of(c, m), key, val, flags) ? -errno : 0;
}

static int kk_map_del(void *c, enum xfwd_map m, const void *key)
{
	return bpf_map_delete_elem(fd_of(c, m), key) ? -errno : 0;
}

static int kk_map_next(void *c, enum xfwd_map m, const void *key, void *next)
{
	return bpf_map_get_next_key(fd_of(c, m), key, next) ? -errno : 0;
}

static int kk_percpu_clear(void *c, enum xfwd_map m, uint32_t key)
{
	int ncpu = libbpf_num_possible_cpus();
	void *zero = calloc((size_t)(ncpu > 0 ? ncpu : 1), sizeof(struct xfwd_tunnel_counters));
	int ret = zero ? kk_map_put(c, m, &key, zero, BPF_ANY) : -ENOMEM;

	free(zero);
	return ret;
}

static int kk_lpm_read(void *c, uint32_t tbl, uint32_t start, uint32_t n, uint32_t *dst)
{
	return xbulk_read(&((struct kk *)c)->bulk, tbl, start, n, dst);
}

static int kk_lpm_write(void *c, uint32_t tbl, const struct lpm4_write *w, size_t n)
{
	return xbulk_write(&((struct kk *)c)->bulk, tbl, w, n);
}

/* MEMBARRIER_CMD_GLOBAL waits for an RCU grace period; XDP runs inside
 * an RCU read-side section. */
static void kk_grace(void *c)
{
	(void)c;
	syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
}

static int kk_rec_put(void *c, const struct xfwd_route_key4 *k, const struct xfwd_route *v, size_t n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	struct kk *x = c;

	for (size_t i = 0; i < n; i += 4096) {
		__u32 cnt = n - i < 4096 ? (__u32)(n - i) : 4096;

		if (bpf_map_update_batch(x->b->fd.routes4, k + i, v + i, &cnt, &o))
			return -errno;
	}
	return 0;
}

static bool kk_rec_queue_start(void *c)
{
	struct kk *x = c;

	if (!x->recw)
		x->recw = recw_start(x->b->fd.routes4);
	return x->recw != NULL;
}

static bool kk_rec_queued(void *c)
{
	return ((struct kk *)c)->recw != NULL;
}

static int kk_rec_queue_put(void *c, const struct xfwd_route_key4 *k, const struct xfwd_route *v)
{
	return recw_put(((struct kk *)c)->recw, k, v);
}

static int kk_rec_del(void *c, struct xfwd_route_key4 *k, size_t n)
{
	struct kk *x = c;

	return x->recw ? recw_del(x->recw, k, n) : recw_delete_now(x->b->fd.routes4, k, (__u32)n);
}

static bool kk_rec_busy(void *c)
{
	struct kk *x = c;

	return x->recw && recw_busy(x->recw);
}

static int kk_rec_wait(void *c)
{
	struct kk *x = c;

	return x->recw ? recw_wait(x->recw) : 0;
}

static int kk_journal_begin(void *c, const void *data, size_t len)
{
	return xb_journal_begin(((struct kk *)c)->b, data, len);
}

static int kk_journal_read(void *c, void **data, size_t *len)
{
	return xb_journal_read(((struct kk *)c)->b, data, len);
}

static int kk_journal_end(void *c)
{
	return xb_journal_end(((struct kk *)c)->b);
}

static int kk_set_counts(void *c, const struct table_counts *n)
{
	return xb_set_counts(((struct kk *)c)->b, n);
}

static bool kk_dev_attached(void *c, uint32_t ifindex)
{
	return xb_dev_attached(((struct kk *)c)->b, ifindex);
}

static int kk_link_get(void *c, uint32_t ifindex, struct link_info *li)
{
	(void)c;
	return rtnl_link_get(ifindex, li);
}

static uint32_t kk_link_index(void *c, const char *name)
{
	(void)c;
	return if_nametoindex(name);
}

static int kk_neigh_mac(void *c, const struct xaddr *a, uint32_t oif, uint8_t mac[6])
{
	(void)c;
	return rtnl_neigh_mac(a, oif, mac);
}

static int kk_neigh_manage(void *c, const struct xaddr *a, uint32_t oif)
{
	(void)c;
	return rtnl_neigh_manage(a, oif);
}

static void kk_pause_ms(void *c, unsigned int ms)
{
	(void)c;
	usleep(ms * 1000);
}

static int kk_route_get(void *c, const struct xaddr *dst, uint32_t *oif, struct xaddr *gw)
{
	(void)c;
	return rtnl_route_get(dst, oif, gw);
}

static int kk_route_dev(void *c, enum route_dev_op op, const struct xprefix *p, uint32_t dev)
{
	(void)c;
	return rtnl_route_dev(op, p, dev);
}

static int kk_route_dev_each(void *c, route_dev_cb cb, void *data)
{
	(void)c;
	return rtnl_route_dev_each(cb, data);
}

static int kk_local_addrs(void *c, struct xaddr **out, size_t *n)
{
	(void)c;
	return rtnl_local_addrs(out, n);
}

static int kk_iface_addrs(void *c, uint32_t ifindex, uint8_t a4[4], uint8_t a6[16])
{
	(void)c;
	return rtnl_iface_addrs(ifindex, a4, a6);
}

static int kk_addr_add(void *c, uint32_t ifindex, const struct xaddr *a, unsigned int len)
{
	(void)c;
	return rtnl_addr_add(ifindex, a, len);
}

static int kk_tundev_ensure(void *c, const struct xfwd_tunnel *t, enum tundev_result *res,
			  char *err, size_t len)
{
	(void)c;
	return tundev_ensure(t, res, err, len);
}

static int kk_tundev_delete(void *c, const char *name)
{
	(void)c;
	return tundev_delete(name);
}

static int kk_tundev_change(void *c, const struct xfwd_tunnel *t, char *err, size_t len)
{
	(void)c;
	return tundev_change(t, err, len);
}

/* Both directions' SAs, [0] out and [1] in. */
static int kk_sa_read(void *c, const struct tunnel_spec *s, struct xfrm_sa **sa, char *err, size_t len)
{
	(void)c;
	if (!(*sa = calloc(2, sizeof(**sa))))
		return -ENOMEM;
	return xfrm_sa_read(s, &(*sa)[0], &(*sa)[1], err, len);
}

static int kk_sa_install(void *c, const struct tunnel_spec *s, uint32_t if_id,
		      const struct xfrm_sa *sa, char *err, size_t len)
{
	static const struct xfrm_sa none[2];

	(void)c;
	if (!sa)
		sa = none;
	return xfrm_install(&s->local, &s->remote, if_id, &sa[0], &sa[1], err, len);
}

static void kk_sa_free(void *c, struct xfrm_sa *sa)
{
	(void)c;
	if (sa)
		explicit_bzero(sa, 2 * sizeof(*sa));
	free(sa);
}

static void kk_sa_remove(void *c, uint32_t if_id)
{
	(void)c;
	xfrm_remove(if_id);
}

static void kk_close(void *c)
{
	struct kk *x = c;

	xbulk_close(&x->bulk);
	recw_stop(x->recw);
	free(x);
}

static const struct kio_ops kernel_ops = KIO_OPS_INIT(kk_);

int kio_open(struct kio *io, struct xb *b, char *err, size_t len)
{
	struct kk *x = calloc(1, sizeof(*x));

	if (!x) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	x->b = b;
	x->bulk.tbl24 = b->fd.tbl24;
	x->bulk.tbl8 = b->fd.tbl8;
	x->bulk.tbl6 = b->fd.tbl6;
	x->bulk.tblc16 = b->fd.tblc16;
	x->bulk.tblc = b->fd.tblc;
	*io = (struct kio){ &kernel_ops, x };
	return 0;
}

int kio_table_load(struct xtable *t, struct xb *b, bool routes, char *err, size_t len)
{
	struct kio io;
	int ret = kio_open(&io, b, err, len);

	if (ret) {
		memset(t, 0, sizeof(*t));
		return ret;
	}
	return xt_load(t, &io, &b->info, routes, err, len);
}

struct xb *kio_xb(const struct xtable *t)
{
	return ((const struct kk *)t->io.c)->b;
}
