// SPDX-License-Identifier: GPL-2.0-only
/* Changes that survive their writer's death (docs/interrupted-changes.md):
 * the journal pinned before a change's first write, removed when it is
 * whole, and what the next xfwd does when it finds one. */
#include "table_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "journal.h"
#include "log.h"

static int journal_begin(struct xtable *t, const void *data, size_t len)
{
	int ret = KIO(&t->io, journal_begin, data, len);

	if (ret == -EEXIST)
		return xt_fail(t, ret, "another xfwd died in the middle of a change: read the table again");
	if (ret)
		return xt_fail(t, ret, "cannot pin the journal of this change: %s", strerror(-ret));
	t->journaled = true;
	t->dirty = true;
	return 0;
}

int xt_mark_writing(struct xtable *t)
{
	return t->journaled ? 0 : journal_begin(t, NULL, 0);
}

int xt_journal_ops(struct xtable *t, const struct jbuf *j)
{
	int ret;

	/* The change before (local addresses synced) is committed; its
	 * journal goes once its records are written. */
	if (t->journal_late && (ret = xt_records_end(t)))
		return ret;
	if (t->journaled)
		return xt_fail(t, -EBUSY, "a change is already being written");
	return journal_begin(t, j->p, j->len);
}

int xt_journal_done(struct xtable *t)
{
	int ret;

	if (!t->journaled)
		return 0;
	if ((ret = KIO(&t->io, journal_end)))
		return xt_fail(t, ret, "the change is in, but its journal could not be removed (%s): the next xfwd will check the tables again",
			       strerror(-ret));
	t->journaled = false;
	return 0;
}

int xt_finish(struct xtable *t)
{
	int ret = 0;

	/* A change refused half way: what it made and no route holds goes.
	 * (Broken: a write failed, the journal stays for the next xfwd.) */
	if (t->journaled && !t->broken && !t->batch && !t->journal_late)
		ret = xt_commit(t);
	return ret ? ret : xt_records_wait(t);
}

/* One operation again: what it asked for, whatever part of it is in. */
static int replay(struct xtable *t, const struct jop *o)
{
	if (o->del)
		return xt_route_group(t, &o->p) ? xt_route_del(t, &o->p) : 0;
	return xt_route_set(t, &o->p, o->k, o->n, o->origin, ROUTE_REPLACE);
}

/* Groups no route holds (made for routes whose records never came): freed
 * by the commit, as groups that lost their last route are. */
static void release_orphans(struct xtable *t)
{
	for (uint32_t g = 1; g < t->grp_max; g++)
		if (t->grp[g].set[t->grp[g].active & 1].count && !t->grp_refs[g] &&
		    !GROW(t->gone, t->ngone, t->capgone, 64))
			t->gone[t->ngone++] = g;
}

int xt_recover(struct xtable *t, const void *buf, size_t len)
{
	struct jread r;
	struct jop o;
	size_t n = 0, failed = 0;
	int ret = journal_open(&r, buf, len);

	t->journaled = true; /* removed by the commit below, once all is in */
	t->dirty = true;
	xt_batch_begin(t);
	while (!ret && (ret = journal_next(&r, &o)) == 1) {
		failed += replay(t, &o) != 0;
		n++;
		ret = 0;
	}
	if (ret)
		xlog(LOG_WARNING, "the journal of an interrupted change is not this build's or is cut short: operations after the %zu-th are not replayed",
		     n);
	release_orphans(t);
	if ((ret = xt_batch_end(t)))
		return ret;
	if (failed)
		xlog(LOG_WARNING, "an xfwd change was interrupted (its writer died): the tables are whole again, but %zu of its %zu route operations could not be completed (the last: %s); compare 'xfwd route show' with what was asked",
		     failed, n, t->err);
	else
		xlog(LOG_WARNING, "an xfwd change was interrupted (its writer died): the IPv4 tables were rebuilt from the route records and its %zu route operations completed",
		     n);
	return 0;
}
