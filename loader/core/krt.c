// SPDX-License-Identifier: GPL-2.0-only
/*
 * The routes of the mirrored kernel table that share a prefix (see krt.h).
 *
 * Rank: a selector route (tos, source prefix) first, then the lowest
 * metric. The kernel tries a prefix's tos routes before its plain ones
 * (and an IPv6 source-specific route for its sources); xfwd cannot
 * select by either, so while such a route exists the daemon hands the
 * prefix to the kernel, which can.
 */
#include "krt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct krt_alt {
	struct krt_alt *next; /* by rank */
	struct krt_id id;
	struct krt_route r;
};

struct krt_ent {
	struct krt_ent *next; /* in the bucket */
	struct xprefix p;
	struct krt_id best;   /* the route xfwd forwards by */
	struct krt_alt *alts; /* rivals, by rank */
};

bool krt_id_eq(struct krt_id a, struct krt_id b)
{
	return a.metric == b.metric && a.sel == b.sel;
}

static bool before(struct krt_id a, struct krt_id b)
{
	if (!a.sel != !b.sel)
		return a.sel;
	return a.metric != b.metric ? a.metric < b.metric : a.sel < b.sel;
}

static size_t hash(const struct xprefix *p)
{
	uint64_t h = 1469598103934665603ull ^ p->len ^ (uint64_t)p->addr.family << 8;

	for (int i = 0; i < 16; i++)
		h = (h ^ p->addr.bytes[i]) * 1099511628211ull;
	return (size_t)(h ^ h >> 29);
}

static struct krt_ent **slot(const struct krt *s, const struct xprefix *p)
{
	struct krt_ent **e = &s->bucket[hash(p) & (s->nbucket - 1)];

	while (*e && !xprefix_eq(&(*e)->p, p))
		e = &(*e)->next;
	return e;
}

static struct krt_ent *find(const struct krt *s, const struct xprefix *p)
{
	return s->nbucket ? *slot(s, p) : NULL;
}

static int grow(struct krt *s)
{
	size_t nb = s->nbucket ? s->nbucket * 2 : 64;
	struct krt_ent **b = calloc(nb, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < s->nbucket; i++)
		for (struct krt_ent *e = s->bucket[i], *next; e; e = next) {
			size_t h = hash(&e->p) & (nb - 1);

			next = e->next;
			e->next = b[h];
			b[h] = e;
		}
	free(s->bucket);
	s->bucket = b;
	s->nbucket = nb;
	return 0;
}

static struct krt_ent *ent_new(struct krt *s, const struct xprefix *p, struct krt_id best)
{
	struct krt_ent *e, **at;

	if (s->n >= s->nbucket && grow(s))
		return NULL;
	if (!(e = calloc(1, sizeof(*e))))
		return NULL;
	e->p = *p;
	e->best = best;
	at = slot(s, p);
	*at = e;
	s->n++;
	return e;
}

static void ent_drop(struct krt *s, struct krt_ent *e)
{
	*slot(s, &e->p) = e->next;
	while (e->alts) {
		struct krt_alt *a = e->alts;

		e->alts = a->next;
		free(a);
		s->nalt--;
	}
	free(e);
	s->n--;
}

static struct krt_id usual_id(const struct krt *s)
{
	return s->has_usual ? (struct krt_id){ s->usual, 0 } : (struct krt_id){ UINT32_MAX, UINT32_MAX };
}

/* An entry that says no more than its absence would goes: the prefix
 * (which xfwd forwards by it) becomes implicit. */
static void ent_trim(struct krt *s, struct krt_ent *e)
{
	if (e->alts || !krt_id_eq(e->best, usual_id(s)))
		return;
	ent_drop(s, e);
	s->implicit++;
}

/* Routes this short (a default route, an aggregate) are few and often
 * at a metric of their own: they never set the usual metric. */
static bool specific(const struct xprefix *p)
{
	return p->len >= (p->addr.family == AF_INET6 ? 16u : 8u);
}

/* Keep a rival (replacing one of the same id). */
static int alt_put(struct krt *s, struct krt_ent *e, struct krt_id id, const struct krt_route *r)
{
	struct krt_alt **at = &e->alts, *a;

	while (*at && !krt_id_eq((*at)->id, id) && before((*at)->id, id))
		at = &(*at)->next;
	if (*at && krt_id_eq((*at)->id, id)) {
		(*at)->r = *r;
		return 0;
	}
	if (!(a = malloc(sizeof(*a))))
		return -ENOMEM;
	a->id = id;
	a->r = *r;
	a->next = *at;
	*at = a;
	s->nalt++;
	return 0;
}

static bool alt_drop(struct krt *s, struct krt_ent *e, struct krt_id id)
{
	for (struct krt_alt **at = &e->alts; *at; at = &(*at)->next) {
		struct krt_alt *a = *at;

		if (!krt_id_eq(a->id, id))
			continue;
		*at = a->next;
		free(a);
		s->nalt--;
		return true;
	}
	return false;
}

/* The route in use steps aside for a better one: kept as a rival. */
static int displace(struct krt *s, struct krt_ent *e, krt_current_fn cur, void *arg)
{
	struct krt_route now = { 0 };

	if (cur(arg, &e->p, &now) <= 0)
		return 0; /* nothing to keep */
	return alt_put(s, e, e->best, &now);
}

int krt_add(struct krt *s, const struct xprefix *p, struct krt_id id, const struct krt_route *r,
	    bool exists, krt_current_fn cur, void *arg, enum krt_do *todo)
{
	struct krt_ent *e = find(s, p);
	struct krt_id usual;

	if (!e && !s->implicit)
		exists = false; /* not one krt knows: what xfwd has is replaced */
	if (!s->implicit && !e && !id.sel && specific(p)) {
		/* No prefix relies on the usual metric: (re)choose it, so a
		 * table relearned at another metric costs nothing either. */
		s->has_usual = true;
		s->usual = id.metric;
	}
	usual = usual_id(s);
	*todo = KRT_SET;
	if (!e && !exists) { /* the only one */
		if (krt_id_eq(id, usual))
			return s->implicit++, 0;
		return ent_new(s, p, id) ? 0 : -ENOMEM;
	}
	if (!e && krt_id_eq(id, usual))
		return 0; /* the usual route, replaced */
	if (!e) {
		if (!(e = ent_new(s, p, usual)))
			return -ENOMEM;
		s->implicit--; /* it has an entry now */
	}
	if (!exists) { /* an entry, but xfwd's route was deleted by hand: r takes over */
		alt_drop(s, e, id);
		e->best = id;
	} else if (krt_id_eq(id, e->best)) {
		/* the route in use, replaced (a rival never has its id) */
	} else if (before(id, e->best)) {
		if (displace(s, e, cur, arg))
			return ent_trim(s, e), -ENOMEM;
		alt_drop(s, e, id);
		e->best = id;
	} else {
		*todo = KRT_KEEP;
		if (alt_put(s, e, id, r))
			return ent_trim(s, e), -ENOMEM;
	}
	ent_trim(s, e);
	return 0;
}

void krt_del(struct krt *s, const struct xprefix *p, struct krt_id id, bool exists,
	     enum krt_do *todo, struct krt_route *next)
{
	struct krt_ent *e = find(s, p);
	struct krt_alt *a;

	*todo = KRT_KEEP;
	if (!e) {
		if (exists && s->implicit && krt_id_eq(id, usual_id(s))) {
			*todo = KRT_DEL;
			s->implicit--;
		}
		return;
	}
	if (!exists) { /* xfwd's route went by hand: the entry is stale */
		alt_drop(s, e, id);
		if (!e->alts)
			ent_drop(s, e);
		return;
	}
	if (!krt_id_eq(id, e->best)) {
		alt_drop(s, e, id);
		ent_trim(s, e);
		return;
	}
	if (!(a = e->alts)) {
		*todo = KRT_DEL;
		ent_drop(s, e);
		return;
	}
	*todo = KRT_SET;
	*next = a->r;
	e->best = a->id;
	e->alts = a->next;
	free(a);
	s->nalt--;
	ent_trim(s, e);
}

void krt_clear(struct krt *s)
{
	for (size_t i = 0; i < s->nbucket; i++)
		while (s->bucket[i])
			ent_drop(s, s->bucket[i]);
	s->implicit = 0;
	s->has_usual = false;
}

void krt_free(struct krt *s)
{
	krt_clear(s);
	free(s->bucket);
	memset(s, 0, sizeof(*s));
}
