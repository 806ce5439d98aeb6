// SPDX-License-Identifier: GPL-2.0-only
/* The kernel interface over maps in memory (fake_kio.h). */
#include "fake_kio.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "loader/core/lpm6.h"

/* ---- a small hash map (linear probing, tombstones) ---- */

static void hash_init(struct fake_hash *h, size_t ksz, size_t vsz, size_t cap)
{
	*h = (struct fake_hash){ .ksz = ksz, .vsz = vsz, .cap = cap };
	h->keys = calloc(cap, ksz);
	h->vals = calloc(cap, vsz);
	h->used = calloc(cap, 1);
}

static void hash_fini(struct fake_hash *h)
{
	free(h->keys);
	free(h->vals);
	free(h->used);
}

static size_t hash_of(const struct fake_hash *h, const void *key)
{
	const uint8_t *k = key;
	uint32_t x = 2166136261u;

	for (size_t i = 0; i < h->ksz; i++)
		x = (x ^ k[i]) * 16777619u;
	return x % h->cap;
}

/* The slot of key, or (missing) SIZE_MAX. */
static size_t hash_find(const struct fake_hash *h, const void *key)
{
	for (size_t i = hash_of(h, key), n = 0; n < h->cap && h->used[i]; n++, i = (i + 1) % h->cap)
		if (h->used[i] == 1 && !memcmp(h->keys + i * h->ksz, key, h->ksz))
			return i;
	return SIZE_MAX;
}

static int hash_put(struct fake_hash *h, const void *key, const void *val, uint64_t flags)
{
	size_t i = hash_find(h, key);

	if (i != SIZE_MAX && flags == KIO_NOEXIST)
		return -EEXIST;
	if (i == SIZE_MAX && flags == KIO_EXIST)
		return -ENOENT;
	if (i == SIZE_MAX) {
		if (2 * (h->n + 1) > h->cap)
			return -ENOSPC;
		for (i = hash_of(h, key); h->used[i] == 1; i = (i + 1) % h->cap)
			;
		h->used[i] = 1;
		memcpy(h->keys + i * h->ksz, key, h->ksz);
		h->n++;
	}
	memcpy(h->vals + i * h->vsz, val, h->vsz);
	return 0;
}

/* Exactly this key's value. */
static bool hash_get(const struct fake_hash *h, const void *key, void *val)
{
	size_t i = hash_find(h, key);

	if (i == SIZE_MAX)
		return false;
	memcpy(val, h->vals + i * h->vsz, h->vsz);
	return true;
}

static int hash_del(struct fake_hash *h, const void *key)
{
	size_t i = hash_find(h, key);

	if (i == SIZE_MAX)
		return -ENOENT;
	h->used[i] = 2;
	h->n--;
	return 0;
}

/* ---- the order checks ---- */

static void violation(struct fake *f, const char *fmt, ...)
{
	va_list ap;

	if (!f->violations++) {
		va_start(ap, fmt);
		vsnprintf(f->why, sizeof(f->why), fmt, ap);
		va_end(ap);
	}
}

static const struct xfwd_group_set *active_set(const struct xfwd_group *g)
{
	return &g->set[g->active & 1];
}

/* A group the data path may be sent to: written whole, members written. */
static void need_group(struct fake *f, uint32_t g, const char *what)
{
	const struct xfwd_group_set *s;

	if (!g || g >= f->info.groups_max) {
		violation(f, "%s points at group %u, out of range", what, g);
		return;
	}
	s = active_set(&f->grp[g]);
	if (!s->count)
		violation(f, "%s points at group %u before it is written", what, g);
	for (uint32_t i = 0; i < s->count && i < XFWD_ECMP_MAX; i++)
		if (s->members[i] >= f->info.nexthops_max || !f->nh[s->members[i]].kind)
			violation(f, "group %u, read by %s, has member %u not written", g, what,
				  s->members[i]);
}

static uint32_t entry_group(uint32_t e)
{
	return (e & XFWD_LPM_VALID) && !(e & XFWD_LPM_EXT) ? e & XFWD_LPM_TARGET_MASK : 0;
}

static void group_written(struct fake *f, uint32_t id, const struct xfwd_group *g)
{
	const struct xfwd_group_set *s = active_set(g);

	if (!s->count && f->grp_live[id])
		violation(f, "group %u cleared while %u live entries point at it", id, f->grp_live[id]);
	if (!s->count && active_set(&f->grp[id])->count && f->grp_left[id] == f->graces)
		violation(f, "group %u cleared with no grace period since its last entry left", id);
	for (uint32_t i = 0; i < s->count && i < XFWD_ECMP_MAX; i++)
		if (!f->nh[s->members[i]].kind)
			violation(f, "group %u written with member %u not written", id, s->members[i]);
}

static void nh_written(struct fake *f, uint32_t id, const struct xfwd_nh *n)
{
	if (n->kind)
		return;
	for (uint32_t g = 1; g < f->info.groups_max; g++) {
		const struct xfwd_group_set *s = active_set(&f->grp[g]);

		for (uint32_t i = 0; i < s->count && i < XFWD_ECMP_MAX; i++)
			if (s->members[i] == id)
				violation(f, "next hop %u cleared while group %u holds it", id, g);
	}
}

static void entry_ref(struct fake *f, uint32_t e, int by)
{
	uint32_t g = entry_group(e);

	if (!g)
		return;
	if (by > 0)
		need_group(f, g, "a tbl24/tbl8 entry");
	f->grp_live[g] += (uint32_t)by;
	if (!f->grp_live[g])
		f->grp_left[g] = f->graces;
}

/* A tbl8 group counts only while a tbl24 entry links it: lpm4 fills a
 * new one before it links it and leaves a freed one as it was. */
static void tbl8_link(struct fake *f, uint32_t e, int by)
{
	uint32_t x = e & XFWD_LPM_TARGET_MASK;

	if (!(e & XFWD_LPM_VALID) || !(e & XFWD_LPM_EXT) || x >= f->info.tbl8_groups)
		return;
	f->tbl8_links[x] += (uint32_t)by;
	if ((by > 0 && f->tbl8_links[x] == 1) || (by < 0 && !f->tbl8_links[x]))
		for (uint32_t i = 0; i < XFWD_TBL8_GROUP_SIZE; i++)
			entry_ref(f, f->tbl8[x * XFWD_TBL8_GROUP_SIZE + i], by);
}

static void entry_set(struct fake *f, uint32_t tbl, uint32_t idx, uint32_t val)
{
	if (tbl == LPM6_TBL) { /* groups are counted from the IPv6 records */
		f->tbl6[idx] = val;
		return;
	}
	if (tbl == LPM4_TBL24) {
		tbl8_link(f, f->tbl24[idx], -1);
		entry_ref(f, f->tbl24[idx], -1);
		f->tbl24[idx] = val;
		entry_ref(f, val, 1);
		tbl8_link(f, val, 1);
		return;
	}
	if (f->tbl8_links[idx / XFWD_TBL8_GROUP_SIZE]) {
		entry_ref(f, f->tbl8[idx], -1);
		entry_ref(f, val, 1);
	}
	f->tbl8[idx] = val;
}

/* ---- maps ---- */

static struct fake_hash *hash_map(struct fake *f, enum xfwd_map m)
{
	switch (m) {
	case XFWD_M_routes4: return &f->routes4;
	case XFWD_M_routes6: return &f->routes6;
	case XFWD_M_ifaces: return &f->ifaces;
	case XFWD_M_tunnel_peers: return &f->peers;
	case XFWD_M_urpf_allow: return &f->urpf_allow;
	default: return NULL;
	}
}

static void *array_slot(struct fake *f, enum xfwd_map m, uint32_t key, size_t *vsz)
{
	switch (m) {
	case XFWD_M_nexthops:
		*vsz = sizeof(*f->nh);
		return key < f->info.nexthops_max ? &f->nh[key] : NULL;
	case XFWD_M_groups:
		*vsz = sizeof(*f->grp);
		return key < f->info.groups_max ? &f->grp[key] : NULL;
	case XFWD_M_tunnels:
		*vsz = sizeof(*f->tun);
		return key < XFWD_MAX_TUNNELS ? &f->tun[key] : NULL;
	case XFWD_M_filter_binds:
		*vsz = sizeof(*f->fbinds);
		return key < XFWD_FILTER_BINDS ? &f->fbinds[key] : NULL;
	case XFWD_M_filter_rules:
		*vsz = sizeof(*f->frules);
		return key < XFWD_FILTER_RULES ? &f->frules[key] : NULL;
	case XFWD_M_xlat_rules:
		*vsz = sizeof(*f->xrules);
		return key < XFWD_XLAT_RULES ? &f->xrules[key] : NULL;
	default:
		return NULL;
	}
}

static int fake_map_read(void *c, enum xfwd_map m, uint32_t start, uint32_t n, size_t vsz, void *out)
{
	for (uint32_t i = 0; i < n; i++) {
		size_t sz;
		void *v = array_slot(c, m, start + i, &sz);

		if (!v || sz != vsz)
			return -EINVAL;
		memcpy((char *)out + i * vsz, v, vsz);
	}
	return 0;
}

static int fake_map_each(void *c, enum xfwd_map m, size_t ksz, kio_entry_fn fn, void *arg)
{
	struct fake_hash *h = hash_map(c, m);
	int ret = 0;

	if (!h || h->ksz != ksz)
		return -EINVAL;
	for (size_t i = 0; i < h->cap && !ret; i++)
		if (h->used[i] == 1)
			ret = fn(arg, h->keys + i * h->ksz, h->vals + i * h->vsz);
	return ret;
}

/* The trie's answer: the longest route of at most key's length that
 * holds key's address. */
static int routes6_lookup(const struct fake *f, const struct xfwd_route_key6 *key, void *val)
{
	const struct fake_hash *h = &f->routes6;
	int best = -1;
	__u32 best_len = 0;

	for (size_t i = 0; i < h->cap; i++) {
		const struct xfwd_route_key6 *k = (const void *)(h->keys + i * h->ksz);
		bool in = h->used[i] == 1 && k->prefixlen <= key->prefixlen;

		for (__u32 b = 0; in && b < k->prefixlen; b++)
			in = !((k->addr[b / 8] ^ key->addr[b / 8]) & (0x80 >> (b % 8)));
		if (in && (best < 0 || k->prefixlen > best_len)) {
			best = (int)i;
			best_len = k->prefixlen;
		}
	}
	if (best < 0)
		return -ENOENT;
	memcpy(val, h->vals + (size_t)best * h->vsz, h->vsz);
	return 0;
}

/* A line of the IPv4 tables, as the data path reads them. */
static int lpm_line(const struct fake *f, enum xfwd_map m, uint32_t key, void *val)
{
	uint32_t n = m == XFWD_M_tbl24 ? XFWD_TBL24_SIZE : f->info.tbl8_groups * XFWD_TBL8_GROUP_SIZE;
	const uint32_t *tbl = m == XFWD_M_tbl24 ? f->tbl24 : f->tbl8;

	if ((uint64_t)(key + 1) * XFWD_LPM_LINE > n)
		return -ENOENT;
	memcpy(val, tbl + (size_t)key * XFWD_LPM_LINE, sizeof(struct xfwd_lpm_line));
	return 0;
}

static int fake_map_get(void *c, enum xfwd_map m, const void *key, void *val)
{
	struct fake_hash *h = hash_map(c, m);
	size_t i, vsz;
	void *v;

	if (m == XFWD_M_routes6)
		return routes6_lookup(c, key, val);
	if (m == XFWD_M_tbl24 || m == XFWD_M_tbl8)
		return lpm_line(c, m, *(const uint32_t *)key, val);
	if (m == XFWD_M_tbl6) /* one value of the whole table: as the kernel's, too large to read */
		return -E2BIG;
	if (h) {
		if ((i = hash_find(h, key)) == SIZE_MAX)
			return -ENOENT;
		memcpy(val, h->vals + i * h->vsz, h->vsz);
		return 0;
	}
	if (m == XFWD_M_probe_rx || m == XFWD_M_health)
		return -ENOENT;
	if (!(v = array_slot(c, m, *(const uint32_t *)key, &vsz)))
		return -ENOENT;
	memcpy(val, v, vsz);
	return 0;
}

/* The writer died (die_after): this write never reaches the maps. */
static bool lost(struct fake *f)
{
	if (!f->dead && f->die_after && !--f->die_after)
		f->dead = true;
	return f->dead;
}

static int fake_map_put(void *c, enum xfwd_map m, const void *key, const void *val, uint64_t flags)
{
	struct fake *f = c;
	struct fake_hash *h = hash_map(f, m);
	size_t vsz;
	void *v;

	if (lost(f))
		return 0;
	f->writes++;
	if (m == XFWD_M_routes6) {
		const struct xfwd_route *r = val;
		struct xfwd_route old;
		bool had = hash_get(&f->routes6, key, &old);

		need_group(f, r->group, "an IPv6 route");
		if (had && !--f->grp_live[old.group])
			f->grp_left[old.group] = f->graces;
		f->grp_live[r->group]++;
	}
	if (h)
		return hash_put(h, key, val, flags);
	if (m == XFWD_M_probe_rx || m == XFWD_M_health)
		return 0; /* the daemon's: not modelled */
	if (!(v = array_slot(f, m, *(const uint32_t *)key, &vsz)))
		return -E2BIG;
	if (m == XFWD_M_groups)
		group_written(f, *(const uint32_t *)key, val);
	if (m == XFWD_M_nexthops)
		nh_written(f, *(const uint32_t *)key, val);
	memcpy(v, val, vsz);
	return 0;
}

static int fake_map_del(void *c, enum xfwd_map m, const void *key)
{
	struct fake *f = c;
	struct fake_hash *h = hash_map(f, m);
	struct xfwd_route old;

	if (lost(f))
		return 0;
	f->writes++;
	if (!h)
		return -EINVAL;
	if (m == XFWD_M_routes6 && hash_get(h, key, &old) && !--f->grp_live[old.group])
		f->grp_left[old.group] = f->graces;
	return hash_del(h, key);
}

static int fake_map_next(void *c, enum xfwd_map m, const void *key, void *next)
{
	struct fake_hash *h = hash_map(c, m);
	size_t i = key ? hash_find(h, key) + 1 : 0;

	for (; i < h->cap; i++)
		if (h->used[i] == 1) {
			memcpy(next, h->keys + i * h->ksz, h->ksz);
			return 0;
		}
	return -ENOENT;
}

static int fake_percpu_clear(void *c, enum xfwd_map m, uint32_t key)
{
	(void)c, (void)m, (void)key;
	return 0;
}

/* ---- the IPv4 tables ---- */

static int fake_lpm_read(void *c, uint32_t tbl, uint32_t start, uint32_t n, uint32_t *dst)
{
	struct fake *f = c;

	if (tbl == LPM6_TBL && (uint64_t)start + n > (uint64_t)f->info.tbl6_nodes * XFWD_TBL6_NODE)
		return -ERANGE;
	memcpy(dst, (tbl == LPM4_TBL24 ? f->tbl24 : tbl == LPM6_TBL ? f->tbl6 : f->tbl8) + start,
	       n * sizeof(*dst));
	return 0;
}

static int fake_lpm_write(void *c, uint32_t tbl, const struct lpm4_write *w, size_t n)
{
	struct fake *f = c;

	for (size_t i = 0; i < n && !lost(f); i++) {
		f->writes++;
		entry_set(f, tbl, w[i].idx, w[i].val);
	}
	return 0;
}

static void fake_grace(void *c)
{
	((struct fake *)c)->graces++;
}

/* ---- route records ---- */

static int fake_rec_put(void *c, const struct xfwd_route_key4 *k, const struct xfwd_route *v, size_t n)
{
	struct fake *f = c;
	int ret = 0;

	for (size_t i = 0; i < n && !ret && !lost(f); i++)
		ret = hash_put(&f->routes4, &k[i], &v[i], KIO_ANY);
	return ret;
}

static bool fake_rec_queue_start(void *c)
{
	return ((struct fake *)c)->queued = true;
}

static bool fake_rec_queued(void *c)
{
	return ((struct fake *)c)->queued;
}

static int fake_rec_queue_put(void *c, const struct xfwd_route_key4 *k, const struct xfwd_route *v)
{
	return fake_rec_put(c, k, v, 1);
}

static int fake_rec_del(void *c, struct xfwd_route_key4 *k, size_t n)
{
	struct fake *f = c;

	for (size_t i = 0; i < n && !lost(f); i++)
		hash_del(&f->routes4, &k[i]);
	return 0;
}

static bool fake_rec_busy(void *c)
{
	(void)c;
	return false;
}

static int fake_rec_wait(void *c)
{
	(void)c;
	return 0;
}

static int fake_journal_begin(void *c, const void *data, size_t len)
{
	struct fake *f = c;

	if (f->journaled)
		return -EEXIST;
	free(f->journal);
	f->journal = malloc(len ? len : 1);
	if (!f->journal)
		return -ENOMEM;
	memcpy(f->journal, data, len);
	f->journal_len = len;
	f->journaled = true;
	f->journals++;
	return 0;
}

static int fake_journal_read(void *c, void **data, size_t *len)
{
	struct fake *f = c;

	if (!f->journaled)
		return -ENOENT;
	if (!(*data = malloc(f->journal_len + 8)))
		return -ENOMEM;
	memcpy(*data, f->journal, f->journal_len);
	memset((char *)*data + f->journal_len, 0, 8); /* as the kernel's whole entries */
	*len = f->journal_len + 8;
	return 0;
}

static int fake_journal_end(void *c)
{
	struct fake *f = c;

	if (!lost(f))
		f->journaled = false;
	return 0;
}

static int fake_set_counts(void *c, const struct table_counts *n)
{
	struct fake *f = c;

	f->info.tbl6_used = n->tbl6_used;
	f->info.routes4 = n->routes4;
	f->info.routes6 = n->routes6;
	f->info.tbl8_used = n->tbl8_used;
	f->info.tblc_used = n->tblc_used;
	return 0;
}

static bool fake_dev_attached(void *c, uint32_t ifindex)
{
	(void)c;
	return ifindex >= 1 && ifindex <= FAKE_LINKS;
}

/* ---- rtnetlink: links 1..FAKE_LINKS, every neighbour resolved ---- */

static int fake_link_get(void *c, uint32_t ifindex, struct link_info *li)
{
	struct fake *f = c;

	if (ifindex < 1 || ifindex > FAKE_LINKS)
		return -ENODEV;
	*li = (struct link_info){ .ifindex = ifindex, .mtu = 1500,
				  .mac = { 2, 0, 0, 0, 0, (uint8_t)ifindex },
				  .up = !f->link_down[ifindex], .carrier = !f->link_down[ifindex] };
	snprintf(li->name, sizeof(li->name), "eth%u", ifindex);
	return 0;
}

static uint32_t fake_link_index(void *c, const char *name)
{
	unsigned int i;

	(void)c;
	return sscanf(name, "eth%u", &i) == 1 && i >= 1 && i <= FAKE_LINKS ? i : 0;
}

void fake_mac(const struct xaddr *gw, uint8_t mac[6])
{
	mac[0] = 0x0a;
	mac[1] = (uint8_t)gw->family;
	memcpy(mac + 2, gw->family == AF_INET ? gw->bytes : gw->bytes + 12, 4);
}

static int fake_neigh_mac(void *c, const struct xaddr *a, uint32_t oif, uint8_t mac[6])
{
	(void)c, (void)oif;
	fake_mac(a, mac);
	return 0;
}

static int fake_neigh_manage(void *c, const struct xaddr *a, uint32_t oif)
{
	(void)c, (void)a, (void)oif;
	return 0;
}

static void fake_pause_ms(void *c, unsigned int ms)
{
	(void)c, (void)ms;
}

static int fake_route_get(void *c, const struct xaddr *dst, uint32_t *oif, struct xaddr *gw)
{
	struct fake *f = c;

	if (f->unreachable)
		return -ENETUNREACH;
	*oif = 1;
	*gw = *dst;
	return 0;
}

static int fake_route_dev(void *c, enum route_dev_op op, const struct xprefix *p, uint32_t dev)
{
	(void)c, (void)op, (void)p, (void)dev;
	return 0;
}

static int fake_route_dev_each(void *c, route_dev_cb cb, void *data)
{
	(void)c, (void)cb, (void)data;
	return 0;
}

/* One: 192.0.2.1, a tunnel's local end. */
static int fake_local_addrs(void *c, struct xaddr **out, size_t *n)
{
	(void)c;
	if (!(*out = calloc(1, sizeof(**out))))
		return -ENOMEM;
	(*out)->family = AF_INET;
	memcpy((*out)->bytes, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	*n = 1;
	return 0;
}

static int fake_iface_addrs(void *c, uint32_t ifindex, uint8_t a4[4], uint8_t a6[16])
{
	(void)c, (void)ifindex;
	memset(a4, 0, 4);
	memset(a6, 0, 16);
	return 0;
}

static int fake_addr_add(void *c, uint32_t ifindex, const struct xaddr *a, unsigned int len)
{
	(void)c, (void)ifindex, (void)a, (void)len;
	return 0;
}

static int fake_tundev_ensure(void *c, const struct xfwd_tunnel *t, enum tundev_result *res,
			 char *err, size_t len)
{
	(void)c, (void)t, (void)err, (void)len;
	*res = TUNDEV_NONE;
	return 0;
}

static int fake_tundev_delete(void *c, const char *name)
{
	(void)c, (void)name;
	return 0;
}

static int fake_tundev_change(void *c, const struct xfwd_tunnel *t, char *err, size_t len)
{
	(void)c, (void)t, (void)err, (void)len;
	return 0;
}

static int fake_sa_read(void *c, const struct tunnel_spec *s, struct xfrm_sa **sa, char *err, size_t len)
{
	(void)c, (void)s, (void)err, (void)len;
	*sa = NULL;
	return 0;
}

static int fake_sa_install(void *c, const struct tunnel_spec *s, uint32_t if_id,
		      const struct xfrm_sa *sa, char *err, size_t len)
{
	(void)c, (void)s, (void)if_id, (void)sa, (void)err, (void)len;
	return 0;
}

static void fake_sa_free(void *c, struct xfrm_sa *sa)
{
	(void)c, (void)sa;
}

static void fake_sa_remove(void *c, uint32_t if_id)
{
	(void)c, (void)if_id;
}

static void fake_close(void *c)
{
	((struct fake *)c)->queued = false; /* the maps stay: a new table adopts them */
}

static const struct kio_ops fake_ops = KIO_OPS_INIT(fake_);

void fake_init(struct fake *f, const struct xfwd_info *sizes)
{
	memset(f, 0, sizeof(*f));
	f->info = *sizes;
	if (!f->info.tbl6_nodes)
		f->info.tbl6_nodes = 2048;
	f->nh = calloc(sizes->nexthops_max, sizeof(*f->nh));
	f->grp = calloc(sizes->groups_max, sizeof(*f->grp));
	f->grp_live = calloc(sizes->groups_max, sizeof(*f->grp_live));
	f->grp_left = calloc(sizes->groups_max, sizeof(*f->grp_left));
	f->tun = calloc(XFWD_MAX_TUNNELS, sizeof(*f->tun));
	f->fbinds = calloc(XFWD_FILTER_BINDS, sizeof(*f->fbinds));
	f->frules = calloc(XFWD_FILTER_RULES, sizeof(*f->frules));
	f->xrules = calloc(XFWD_XLAT_RULES, sizeof(*f->xrules));
	f->tbl24 = calloc(XFWD_TBL24_SIZE, sizeof(*f->tbl24));
	f->tbl8 = calloc((size_t)sizes->tbl8_groups * XFWD_TBL8_GROUP_SIZE, sizeof(*f->tbl8));
	f->tbl6 = calloc((size_t)f->info.tbl6_nodes * XFWD_TBL6_NODE, sizeof(*f->tbl6));
	f->tbl8_links = calloc(sizes->tbl8_groups, sizeof(*f->tbl8_links));
	hash_init(&f->routes4, sizeof(struct xfwd_route_key4), sizeof(struct xfwd_route),
		  4 * sizes->routes4_max);
	hash_init(&f->routes6, sizeof(struct xfwd_route_key6), sizeof(struct xfwd_route),
		  4 * sizes->routes6_max);
	hash_init(&f->ifaces, sizeof(uint32_t), sizeof(struct xfwd_iface), 64);
	hash_init(&f->peers, sizeof(struct xfwd_tunnel_key), sizeof(uint32_t), 4 * XFWD_MAX_TUNNELS);
	hash_init(&f->urpf_allow, sizeof(struct xfwd_urpf_key), sizeof(uint32_t), 4096);
}

void fake_fini(struct fake *f)
{
	free(f->nh);
	free(f->journal);
	free(f->grp);
	free(f->grp_live);
	free(f->grp_left);
	free(f->tun);
	free(f->fbinds);
	free(f->frules);
	free(f->xrules);
	free(f->tbl24);
	free(f->tbl8);
	free(f->tbl6);
	free(f->tbl8_links);
	hash_fini(&f->routes4);
	hash_fini(&f->routes6);
	hash_fini(&f->ifaces);
	hash_fini(&f->peers);
	hash_fini(&f->urpf_allow);
}

struct kio fake_kio(struct fake *f)
{
	return (struct kio){ &fake_ops, f };
}

uint32_t fake_lookup4(const struct fake *f, uint32_t addr)
{
	uint32_t e = f->tbl24[addr >> 8];

	if (e & XFWD_LPM_EXT)
		e = f->tbl8[(e & XFWD_LPM_TARGET_MASK) * 256 + (addr & 0xff)];
	return e & XFWD_LPM_VALID ? e & XFWD_LPM_TARGET_MASK : 0;
}

bool fake_route4(const struct fake *f, const struct xprefix *p, struct xfwd_route *r)
{
	struct xfwd_route_key4 k = { .prefixlen = p->len };
	size_t i;

	memcpy(&k.addr, p->addr.bytes, 4);
	if ((i = hash_find(&f->routes4, &k)) == SIZE_MAX)
		return false;
	memcpy(r, f->routes4.vals + i * sizeof(*r), sizeof(*r));
	return true;
}

bool fake_route6(const struct fake *f, const struct xprefix *p, struct xfwd_route *r)
{
	struct xfwd_route_key6 k = { .prefixlen = p->len };
	size_t i;

	memcpy(k.addr, p->addr.bytes, 16);
	if ((i = hash_find(&f->routes6, &k)) == SIZE_MAX)
		return false;
	memcpy(r, f->routes6.vals + i * sizeof(*r), sizeof(*r));
	return true;
}
