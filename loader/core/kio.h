/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Everything the routing core asks of the kernel, as one interface: the
 * BPF maps, the IPv4 tables' bulk I/O, route records, rtnetlink (links,
 * neighbours, kernel routes, addresses), tunnel devices and IPsec SAs.
 * loader/kernel/kio.c implements it over the real kernel; the unit tests
 * over maps in memory (tests/unit/fake_kio.c). Every call returns 0 or
 * -errno unless it says otherwise; a missing map key is -ENOENT.
 */
#ifndef XFWD_KIO_H
#define XFWD_KIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lpm4.h"
#include "prefix.h"
#include "spec.h"
#include "maps/xfwd_maps.h"

struct link_info {
	uint32_t ifindex;
	char name[16];
	uint32_t mtu;
	uint8_t mac[6];
	uint32_t parent; /* IFLA_LINK (VLAN's lower device), 0 if none */
	uint16_t vlan;   /* 802.1Q id when is_vlan */
	bool is_vlan;
	bool up;
	bool carrier; /* IFF_LOWER_UP */
	/* The device's own counters (IFLA_STATS64): for a tunnel's kernel
	 * device, the host's own traffic in the tunnel (BGP, BFD). */
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
};

/* xfwd's kernel routes (into xfrm interfaces) carry this protocol. */
#define XFWD_RTPROT 88
enum route_dev_op { ROUTE_DEV_SET, ROUTE_DEV_NEW, ROUTE_DEV_DEL };
typedef void (*route_dev_cb)(const struct xprefix *p, uint32_t ifindex, void *data);

enum tundev_result {
	TUNDEV_NONE,    /* this kernel lacks the kind (a warning was printed) */
	TUNDEV_CREATED, /* xfwd made it: tunnel del removes it */
	TUNDEV_ADOPTED, /* it existed with the same kind and remote: left alone */
};

/* An ipsec tunnel's static SAs, read from its key files (opaque here). */
struct xfrm_sa;

/* Flags of map_put, as the kernel's (BPF_ANY, BPF_NOEXIST, BPF_EXIST). */
enum { KIO_ANY = 0, KIO_NOEXIST = 1, KIO_EXIST = 2 };

typedef int (*kio_entry_fn)(void *arg, const void *key, const void *value);

/* What xfwd_info keeps of the table as of a commit (xfwd status). */
struct table_counts {
	uint32_t routes4, routes6, tbl8_used, tbl6_used, tblc_used;
};

struct kio_ops {
	/* ---- BPF maps ---- */
	/* Entries [start, start + n) of an array map. */
	int (*map_read)(void *c, enum xfwd_map m, uint32_t start, uint32_t n, size_t vsz, void *out);
	/* Every entry of a hash or trie map of routes (key size ksz). */
	int (*map_each)(void *c, enum xfwd_map m, size_t ksz, kio_entry_fn fn, void *arg);
	int (*map_get)(void *c, enum xfwd_map m, const void *key, void *val);
	int (*map_put)(void *c, enum xfwd_map m, const void *key, const void *val, uint64_t flags);
	int (*map_del)(void *c, enum xfwd_map m, const void *key);
	/* The key after key (NULL: the first); -ENOENT after the last. */
	int (*map_next)(void *c, enum xfwd_map m, const void *key, void *next);
	/* Zero every CPU's value of key in a per-CPU array. */
	int (*percpu_clear)(void *c, enum xfwd_map m, uint32_t key);
	/* ---- the IPv4 tables (lpm4's fetch and emit) ---- */
	int (*lpm_read)(void *c, uint32_t tbl, uint32_t start, uint32_t n, uint32_t *dst);
	int (*lpm_write)(void *c, uint32_t tbl, const struct lpm4_write *w, size_t n);
	/* Wait until every XDP run that began before has ended. */
	void (*grace)(void *c);
	/* ---- IPv4 route records (xfwd_routes4) ---- */
	int (*rec_put)(void *c, const struct xfwd_route_key4 *k, const struct xfwd_route *v, size_t n);
	/* Start the writer thread (true) or not (false: write in line). */
	bool (*rec_queue_start)(void *c);
	bool (*rec_queued)(void *c); /* the writer thread runs */
	int (*rec_queue_put)(void *c, const struct xfwd_route_key4 *k, const struct xfwd_route *v);
	/* Delete (a key already gone is fine): queued when the thread runs. */
	int (*rec_del)(void *c, struct xfwd_route_key4 *k, size_t n);
	bool (*rec_busy)(void *c);
	int (*rec_wait)(void *c); /* 0 or the first error of what was queued */
	/* ---- the journal of a change being written (XFWD_JOURNAL_PIN) ---- */
	/* Before a change's first write, with its operations (may be none):
	 * -EEXIST when one is there already (a writer died meanwhile). */
	int (*journal_begin)(void *c, const void *data, size_t len);
	/* -ENOENT: none. *data (free()) may carry zero bytes after the end. */
	int (*journal_read)(void *c, void **data, size_t *len);
	int (*journal_end)(void *c); /* the change is whole */
	/* The table's size for 'status'. */
	int (*set_counts)(void *c, const struct table_counts *n);
	bool (*dev_attached)(void *c, uint32_t ifindex);
	/* ---- rtnetlink ---- */
	int (*link_get)(void *c, uint32_t ifindex, struct link_info *li); /* -ENODEV */
	uint32_t (*link_index)(void *c, const char *name);                /* 0: none */
	/* a's MAC on oif; a->family 0: any neighbour's there (-ENOENT: none). */
	int (*neigh_mac)(void *c, const struct xaddr *a, uint32_t oif, uint8_t mac[6]);
	int (*neigh_manage)(void *c, const struct xaddr *a, uint32_t oif);
	void (*pause_ms)(void *c, unsigned int ms);
	int (*route_get)(void *c, const struct xaddr *dst, uint32_t *oif, struct xaddr *gw);
	int (*route_dev)(void *c, enum route_dev_op op, const struct xprefix *p, uint32_t dev);
	int (*route_dev_each)(void *c, route_dev_cb cb, void *data);
	int (*local_addrs)(void *c, struct xaddr **out, size_t *n); /* *out: free() */
	int (*iface_addrs)(void *c, uint32_t ifindex, uint8_t addr4[4], uint8_t addr6[16]);
	int (*addr_add)(void *c, uint32_t ifindex, const struct xaddr *a, unsigned int len);
	/* ---- tunnel devices, IPsec ---- */
	int (*tundev_ensure)(void *c, const struct xfwd_tunnel *t, enum tundev_result *res,
			     char *err, size_t len);
	int (*tundev_delete)(void *c, const char *name);
	/* The device takes the tunnel's new remote, key and TTL in place. */
	int (*tundev_change)(void *c, const struct xfwd_tunnel *t, char *err, size_t len);
	/* Read s's key files: *sa for sa_install, always given to sa_free. */
	int (*sa_read)(void *c, const struct tunnel_spec *s, struct xfrm_sa **sa, char *err, size_t len);
	int (*sa_install)(void *c, const struct tunnel_spec *s, uint32_t if_id,
			  const struct xfrm_sa *sa, char *err, size_t len);
	void (*sa_free)(void *c, struct xfrm_sa *sa); /* wipes the keys */
	void (*sa_remove)(void *c, uint32_t if_id);
	/* Release c (xt_free calls it). */
	void (*close)(void *c);
};

struct kio {
	const struct kio_ops *ops;
	void *c;
};

/* Every op, for implementations: KIO_OPS_INIT(p) is a struct kio_ops
 * initializer naming p##op for each (a missing one fails to compile). */
#define KIO_OPS(X, p) X(p, map_read) X(p, map_each) X(p, map_get) X(p, map_put) \
	X(p, map_del) X(p, map_next) X(p, percpu_clear) X(p, lpm_read) X(p, lpm_write) \
	X(p, grace) X(p, rec_put) X(p, rec_queue_start) X(p, rec_queued) X(p, rec_queue_put) \
	X(p, rec_del) X(p, rec_busy) X(p, rec_wait) X(p, journal_begin) X(p, journal_read) \
	X(p, journal_end) X(p, set_counts) X(p, dev_attached) \
	X(p, link_get) X(p, link_index) X(p, neigh_mac) X(p, neigh_manage) X(p, pause_ms) \
	X(p, route_get) X(p, route_dev) X(p, route_dev_each) X(p, local_addrs) \
	X(p, iface_addrs) X(p, addr_add) X(p, tundev_ensure) X(p, tundev_delete) X(p, tundev_change) \
	X(p, sa_read) X(p, sa_install) X(p, sa_free) X(p, sa_remove) X(p, close)
#define KIO_OP_INIT_(p, op) .op = p##op,
#define KIO_OPS_INIT(p) { KIO_OPS(KIO_OP_INIT_, p) }

/* io->ops->op(io->c, ...) */
#define KIO(io, op, ...) ((io)->ops->op((io)->c, ##__VA_ARGS__))

#endif
