// SPDX-License-Identifier: GPL-2.0-only
/* The table as a whole: adopting it from the maps, the commit that makes
 * a batch of changes live in a hitless order, and the route records. */
#include "table_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <stdio.h>
#include <arpa/inet.h>

#include "grow.h"

void xt_error(struct xtable *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->err, t->errlen, fmt, ap);
	va_end(ap);
}

int xt_fail(struct xtable *t, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->err, t->errlen, fmt, ap);
	va_end(ap);
	return ret < 0 ? ret : -EINVAL;
}

/* ---- bulk map I/O ---- */

static int fetch_lpm(void *arg, uint32_t tbl, uint32_t start, uint32_t count,
		     uint32_t *dst)
{
	struct xtable *t = arg;

	return KIO(&t->io, lpm_read, tbl, start, count, dst);
}

static int emit_lpm(void *arg, uint32_t tbl, const struct lpm4_write *w, size_t n)
{
	struct xtable *t = arg;

	return KIO(&t->io, lpm_write, tbl, w, n);
}

/* Apply the table's changes to the live maps (lpm4_flush's and
 * lpm6_flush's order; the two tables are independent). */
static int flush_lpm(struct xtable *t)
{
	int ret = 0;

	if (!t->lpm.ndirty && !t->lpm6.ndirty)
		return 0;
	t->dirty = true;
	if (t->lpm.ndirty)
		ret = lpm4_flush(&t->lpm, emit_lpm, t);
	if (!ret && t->lpm6.ndirty)
		ret = lpm6_flush(&t->lpm6, emit_lpm, t);
	if (ret)
		t->broken = true; /* the live maps are unknown now */
	return ret;
}

/* A grace period: every XDP program run that began before has ended.
 * What is unlinked must be live first. */
static void grace(void *arg)
{
	struct xtable *t = arg;
	int ret = flush_lpm(t);

	if (ret)
		t->lpm.io_err = t->lpm6.io_err = ret;
	KIO(&t->io, grace);
}

/* ---- loading ---- */

/* A grace period alone: the compact copy calls it mid-flush, after its
 * own writes (lpm4c.h). */
static void sync_only(void *arg)
{
	struct xtable *t = arg;

	KIO(&t->io, grace);
}

/* The compact copy of tbl24, when XDP reads it (xfwd_info.ipv4_table). */
static int copy_init(struct xtable *t)
{
	if (t->info.ipv4_table != XFWD_IPV4_COMPACT)
		return 0;
	if (lpm4c_init(&t->lpmc, t->info.tblc_lines))
		return xt_fail(t, -ENOMEM, "out of memory loading the route table");
	t->lpmc.fetch = fetch_lpm;
	t->lpmc.fetch_arg = t;
	t->lpmc.sync = sync_only;
	t->lpmc.sync_arg = t;
	t->lpm.copy = &t->lpmc;
	return 0;
}

static void ref_group(struct xtable *t, uint32_t g)
{
	if (g && g < t->grp_max)
		t->grp_refs[g]++;
}

static int add_route4(void *arg, const void *key, const void *val)
{
	struct xtable *t = arg;
	const struct xfwd_route *r = val;
	const struct xfwd_route_key4 *k = key;
	uint32_t a = ntohl(k->addr);

	if (lpm4_rule_load(&t->lpm, a, k->prefixlen, r->group, r->origin))
		return -EBADMSG;
	ref_group(t, r->group);
	return 0;
}

static int add_route6(void *arg, const void *key, const void *val)
{
	struct xtable *t = arg;
	const struct xfwd_route *r = val;
	const struct xfwd_route_key6 *k = key;
	int ret = lpm6_rule_load(&t->lpm6, k->addr, k->prefixlen, r->group, r->origin);

	if (ret)
		return ret == -EINVAL ? -EBADMSG : ret;
	ref_group(t, r->group);
	return 0;
}

static void count_nh_refs(struct xtable *t)
{
	for (uint32_t g = 1; g < t->grp_max; g++) {
		const struct xfwd_group_set *s =
			&t->grp[g].set[t->grp[g].active & 1];

		for (uint32_t i = 0; i < s->count && i < XFWD_ECMP_MAX; i++)
			if (s->members[i] < t->nh_max)
				t->nh_refs[s->members[i]]++;
	}
	probe_holds_count(t);
}

int xt_load(struct xtable *t, const struct kio *io, const struct xfwd_info *in,
	    bool routes, char *err, size_t errlen)
{
	void *journal = NULL;
	size_t jlen = 0;
	int ret, jret;

	memset(t, 0, sizeof(*t));
	t->io = *io;
	t->info = *in;
	t->err = err;
	t->errlen = errlen;
	t->nh_max = in->nexthops_max;
	t->grp_max = in->groups_max;
	t->nh = calloc(t->nh_max, sizeof(*t->nh));
	t->nh_refs = calloc(t->nh_max, sizeof(*t->nh_refs));
	t->grp = calloc(t->grp_max, sizeof(*t->grp));
	t->grp_refs = calloc(t->grp_max, sizeof(*t->grp_refs));
	t->tun = calloc(XFWD_MAX_TUNNELS, sizeof(*t->tun));
	if (!t->nh || !t->nh_refs || !t->grp || !t->grp_refs || !t->tun ||
	    lpm4_init(&t->lpm, in->tbl8_groups) || lpm6_init(&t->lpm6, in->tbl6_nodes))
		return xt_fail(t, -ENOMEM, "out of memory loading the route table");
	t->lpm.grace = t->lpm6.grace = grace;
	t->lpm.grace_arg = t->lpm6.grace_arg = t;
	t->lpm.fetch = t->lpm6.fetch = fetch_lpm;
	t->lpm.fetch_arg = t->lpm6.fetch_arg = t;
	if ((ret = copy_init(t)))
		return ret;
	ret = KIO(io, map_read, XFWD_M_nexthops, 0, t->nh_max, sizeof(*t->nh), t->nh);
	if (!ret)
		ret = KIO(io, map_read, XFWD_M_groups, 0, t->grp_max, sizeof(*t->grp), t->grp);
	if (!ret)
		ret = KIO(io, map_read, XFWD_M_tunnels, 0, XFWD_MAX_TUNNELS, sizeof(*t->tun), t->tun);
	if (ret)
		return xt_fail(t, ret, "cannot read the pinned maps: %s", strerror(-ret));
	if (!routes) {
		count_nh_refs(t);
		return 0;
	}
	/* A journal: its writer died in the middle of a change (recover.c). */
	jret = KIO(io, journal_read, &journal, &jlen);
	if (jret && jret != -ENOENT)
		return xt_fail(t, jret, "cannot read the journal of an interrupted change: %s", strerror(-jret));
	ret = KIO(io, map_each, XFWD_M_routes4, sizeof(struct xfwd_route_key4), add_route4, t);
	if (!ret)
		ret = KIO(io, map_each, XFWD_M_routes6, sizeof(struct xfwd_route_key6), add_route6, t);
	for (uint32_t g = 1; g < t->grp_max && !ret; g++)
		if (group_dead(t, g)) /* the live table leaves its routes out */
			ret = lpm4_mark_dead(&t->lpm, g, true);
	if (!ret)
		ret = jret ? lpm4_adopt(&t->lpm) : lpm4_rebuild(&t->lpm);
	if (!ret && t->lpm.copy)
		ret = lpm4c_adopt(&t->lpmc);
	if (!ret)
		ret = jret ? lpm6_adopt(&t->lpm6) : lpm6_rebuild(&t->lpm6);
	if (ret) {
		free(journal);
		return xt_fail(t, ret, "the pinned route maps are inconsistent (%s): run 'xfwd detach' and attach again",
			    strerror(-ret));
	}
	count_nh_refs(t);
	if (!jret) {
		ret = xt_recover(t, journal, jlen);
		free(journal);
	}
	return ret;
}

void xt_free(struct xtable *t)
{
	lpm4_fini(&t->lpm);
	lpm4c_fini(&t->lpmc);
	lpm6_fini(&t->lpm6);
	if (t->io.ops && t->io.ops->close)
		KIO(&t->io, close);
	free(t->gone);
	free(t->xgone);
	free(t->pend4);
	free(t->nh);
	free(t->nh_refs);
	free(t->grp);
	free(t->grp_refs);
	free(t->tun);
	memset(t, 0, sizeof(*t));
}

/* ---- the route record (xfwd_routes4), written at the commit ---- */

int pend4(struct xtable *t, const struct xprefix *p)
{
	struct xfwd_route_key4 k = { p->len, 0 };

	if (GROW(t->pend4, t->npend4, t->cappend4, 256))
		return -ENOMEM;
	memcpy(&k.addr, p->addr.bytes, 4);
	t->pend4[t->npend4++] = k;
	return 0;
}

static int cmp_key4(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct xfwd_route_key4));
}

/* The records a commit writes: of each changed prefix (once), a put if
 * the rule set has it, a delete if not. One lookup per prefix. */
struct rec_plan {
	struct xfwd_route_key4 *put, *del;
	struct xfwd_route *val;
	__u32 nput, ndel;
};

static int plan_records(struct xtable *t, struct rec_plan *pl)
{
	struct xfwd_route_key4 *k = t->pend4;

	memset(pl, 0, sizeof(*pl));
	if (!t->npend4)
		return 0;
	pl->put = malloc(t->npend4 * sizeof(*pl->put));
	pl->del = malloc(t->npend4 * sizeof(*pl->del));
	pl->val = malloc(t->npend4 * sizeof(*pl->val));
	if (!pl->put || !pl->del || !pl->val)
		return -ENOMEM;
	qsort(k, t->npend4, sizeof(*k), cmp_key4);
	for (size_t i = 0; i < t->npend4; i++) {
		uint32_t g;
		uint8_t tag;

		if (i && !cmp_key4(&k[i], &k[i - 1]))
			continue;
		if (!lpm4_find(&t->lpm, ntohl(k[i].addr), k[i].prefixlen, &g, &tag)) {
			pl->del[pl->ndel++] = k[i];
			continue;
		}
		pl->val[pl->nput] = (struct xfwd_route){ .group = g, .origin = tag,
							 .prefixlen = (uint8_t)k[i].prefixlen };
		pl->put[pl->nput++] = k[i];
	}
	t->npend4 = 0;
	return 0;
}

static int write_puts(struct xtable *t, const struct rec_plan *pl)
{
	return pl->nput ? KIO(&t->io, rec_put, pl->put, pl->val, pl->nput) : 0;
}

/* In a batch, on the writer thread: the daemon keeps the lock until it
 * is done (xt_records_busy). */
static int write_dels(struct xtable *t, const struct rec_plan *pl)
{
	if (!pl->ndel)
		return 0;
	return KIO(&t->io, rec_del, pl->del, pl->ndel);
}

/* Make what changed live. Records of new routes go first and records of
 * removed ones last: a process that dies in between leaves a record the
 * next one reconciles, never a live route without a record. Groups no
 * route uses any more are cleared once nothing live points at them. */
int xt_commit(struct xtable *t)
{
	struct rec_plan pl = { 0 };
	int ret = KIO(&t->io, rec_wait);

	ret = ret ?: plan_records(t, &pl);
	if (!ret && (pl.nput || pl.ndel || t->lpm.ndirty || t->lpm6.ndirty))
		ret = xt_mark_writing(t);
	ret = ret ?: write_puts(t, &pl);
	ret = ret ?: flush_lpm(t);
	ret = ret ?: write_dels(t, &pl);
	free(pl.put);
	free(pl.del);
	free(pl.val);
	if (ret) {
		t->npend4 = 0;
		t->nxgone = 0; /* the live maps are unknown: kernel routes stay */
		t->broken = true;
		return xt_fail(t, ret, "cannot write the route maps: %s", strerror(-ret));
	}
	/* A lookup that read an entry before the flush may still be on its
	 * way to the group: let it finish first. */
	if (t->ngone)
		KIO(&t->io, grace);
	for (size_t i = 0; i < t->ngone; i++)
		group_release(t, t->gone[i]);
	t->ngone = 0;
	t->rec4_gone = 0;
	kernel_routes_drop(t);
	/* Records still being deleted by the writer thread: the journal goes
	 * once they are (xt_records_wait). */
	if (KIO(&t->io, rec_queued))
		t->journal_late = t->journaled;
	else if ((ret = xt_journal_done(t)))
		return ret;
	struct table_counts n = { (uint32_t)lpm4_rule_count(&t->lpm), (uint32_t)lpm6_rule_count(&t->lpm6),
				  lpm4_groups_used(&t->lpm), t->lpm6.used, lpm4c_used(&t->lpmc) };

	if ((ret = KIO(&t->io, set_counts, &n)))
		return xt_fail(t, ret, "the routes are in, but their counts for 'xfwd status' could not be written: %s",
			    strerror(-ret));
	return 0;
}

void xt_batch_begin(struct xtable *t)
{
	t->batch = true;
	if (!KIO(&t->io, rec_queued))
		KIO(&t->io, rec_queue_start); /* false: written at the end */
}

int xt_batch_end(struct xtable *t)
{
	t->batch = false;
	return xt_commit(t); /* the writer thread stays for the next batch */
}

bool xt_records_busy(struct xtable *t)
{
	return KIO(&t->io, rec_busy);
}

/* The records written; the journal of a committed change goes with them
 * (end_journal: not while a batch runs that it covers too). */
static int records_wait(struct xtable *t, bool end_journal)
{
	int ret = KIO(&t->io, rec_wait);

	if (ret) {
		t->broken = true;
		return xt_fail(t, ret, "cannot write the route records: %s", strerror(-ret));
	}
	if (t->journal_late && end_journal) {
		t->journal_late = false;
		return xt_journal_done(t);
	}
	return 0;
}

int xt_records_wait(struct xtable *t)
{
	return records_wait(t, !t->batch);
}

int xt_records_end(struct xtable *t)
{
	return records_wait(t, true);
}
