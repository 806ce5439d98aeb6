// SPDX-License-Identifier: GPL-2.0-only
/* xfwd -batch FILE: many route lines, all or nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "grow.h"
#include "journal.h"
#include "table.h"

static bool blank(const char *s)
{
	s += strspn(s, " \t\r\n");
	return !*s || *s == '#';
}

/* A batch line, for the checks that see the whole file. */
struct batch_ent {
	struct xprefix p;
	uint32_t line;
	uint8_t cmd;
	bool existed; /* the prefix had a route before this line */
};

/* The route a line replaced or deleted, to put back if a later line
 * fails. A line that added a new prefix needs none: it is deleted. */
struct batch_undo {
	size_t ent;
	int n;
	uint8_t origin;
	struct nh_key *k;
};

struct batch {
	struct xtable *t;
	const struct cli_req *outer;
	char **lines;
	size_t nlines;
	struct batch_ent *ent;
	size_t nent;
	struct batch_undo *undo;
	size_t nundo, capundo;
	struct jbuf journal; /* the lines, resolved: completed if we die */
};

/* Parse line n; errors name it. */
static int batch_parse(struct batch *b, size_t n, struct cli_req *r)
{
	char *line = strdup(b->lines[n - 1]), msg[512];
	int ret = 0;

	if (!line)
		return -ENOMEM;
	if (cli_parse_line(line, b->outer->pin_root, r, msg, sizeof(msg))) {
		xt_error(b->t, "%s line %zu: %s", b->outer->batch, n, msg);
		ret = -EINVAL;
	}
	free(line);
	return ret;
}

/* Put line n's name in front of the table's error. */
static int batch_fail(struct batch *b, size_t n, int ret)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s", xt_errmsg(b->t));
	xt_error(b->t, "%s line %zu: %s", b->outer->batch, n, msg);
	return ret;
}

/* Each line's words and next hops, each alone; each into the journal. */
static int batch_check_lines(struct batch *b)
{
	struct nh_key k[XFWD_ECMP_MAX];
	int ret;

	if (!(b->ent = calloc(b->nlines ? b->nlines : 1, sizeof(*b->ent))))
		return -ENOMEM;
	for (size_t i = 0; i < b->nlines; i++) {
		struct cli_req r;

		if (blank(b->lines[i]))
			continue;
		if ((ret = batch_parse(b, i + 1, &r)))
			return ret;
		if ((ret = route_check_members(b->t, &r, k)) < 0)
			return batch_fail(b, i + 1, ret);
		if (journal_add(&b->journal, &r.route.prefix, r.cmd == CMD_ROUTE_DEL, XFWD_ORIGIN_STATIC, k, ret)) {
			xt_error(b->t, "out of memory reading %s", b->outer->batch);
			return -ENOMEM;
		}
		b->ent[b->nent++] = (struct batch_ent){ r.route.prefix, (uint32_t)(i + 1), (uint8_t)r.cmd, false };
	}
	return 0;
}

static const struct batch_ent *sort_ent; /* for ent_cmp: qsort has no argument */

/* By prefix, then line; the entries are in line order. */
static int ent_cmp(const void *x, const void *y)
{
	uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
	int d = memcmp(&sort_ent[i].p, &sort_ent[j].p, sizeof(sort_ent[i].p));

	return d ? d : (i > j) - (i < j);
}

/* Each line against the table as the lines before it leave it: the
 * lines of one prefix, in order, from whether the table has it now. The
 * first line (in the file) that fails is reported. */
static int batch_check_order(struct batch *b)
{
	uint32_t *v = malloc((b->nent ? b->nent : 1) * sizeof(*v)), bad = 0;
	char why[512] = "";
	bool exists = false;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < b->nent; i++)
		v[i] = (uint32_t)i;
	sort_ent = b->ent;
	qsort(v, b->nent, sizeof(*v), ent_cmp);
	for (size_t i = 0; i < b->nent; i++) {
		struct batch_ent *e = &b->ent[v[i]];
		bool first = !i || !xprefix_eq(&e->p, &b->ent[v[i - 1]].p);

		if (first)
			exists = xt_route_group(b->t, &e->p) != 0;
		e->existed = exists;
		if ((!bad || e->line < bad) &&
		    route_check_exists(b->t, e->cmd, &e->p, exists, false, first ? 0 : b->ent[v[i - 1]].line)) {
			bad = e->line;
			snprintf(why, sizeof(why), "%s", xt_errmsg(b->t));
		}
		exists = e->cmd != CMD_ROUTE_DEL;
	}
	free(v);
	if (!bad)
		return 0;
	xt_error(b->t, "%s", why);
	return batch_fail(b, bad, -EINVAL);
}

/* Keep the route entry i is about to replace or delete. */
static int undo_keep(struct batch *b, size_t i)
{
	struct nh_key k[XFWD_ECMP_MAX];
	struct batch_undo *u;

	if (GROW(b->undo, b->nundo, b->capundo, 64))
		return -ENOMEM;
	u = &b->undo[b->nundo];
	*u = (struct batch_undo){ .ent = i, .n = xt_route_members(b->t, &b->ent[i].p, k),
				  .origin = (uint8_t)xt_route_origin(b->t, &b->ent[i].p) };
	if (!(u->k = malloc((size_t)(u->n ? u->n : 1) * sizeof(*k))))
		return -ENOMEM;
	memcpy(u->k, k, (size_t)u->n * sizeof(*k));
	b->nundo++;
	return 0;
}

/* Entries 0..applied-1 were applied and a later one failed: undo them,
 * newest first, so each prefix ends as it was before the batch. */
static void undo_all(struct batch *b, size_t applied)
{
	char keep[512], undo_err[256] = "";
	int ret = 0;

	snprintf(keep, sizeof(keep), "%s", xt_errmsg(b->t)); /* the failure is what to report */
	while (b->nundo && b->undo[b->nundo - 1].ent >= applied)
		free(b->undo[--b->nundo].k); /* kept for the line that failed */
	while (applied--) {
		const struct batch_ent *e = &b->ent[applied];
		struct batch_undo *u = b->nundo ? &b->undo[b->nundo - 1] : NULL;

		if (u && u->ent == applied) {
			ret = xt_route_set(b->t, &e->p, u->k, u->n, u->origin, ROUTE_REPLACE);
			free(u->k);
			b->nundo--;
		} else if (e->cmd != CMD_ROUTE_DEL) {
			ret = xt_route_del(b->t, &e->p); /* it added the prefix */
		}
		if (ret && !undo_err[0])
			snprintf(undo_err, sizeof(undo_err), "%s", xt_errmsg(b->t));
	}
	xt_error(b->t, "%s%s%s%s", keep,
		 undo_err[0] ? "; taking back the lines before it failed too (" : "", undo_err,
		 undo_err[0] ? "): compare 'xfwd route show' with the file" : "");
}

static int batch_apply(struct batch *b)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < b->nent; i++) {
		struct cli_req r;

		if ((ret = batch_parse(b, b->ent[i].line, &r)) ||
		    (b->ent[i].existed && (ret = undo_keep(b, i))))
			break;
		if ((ret = route_apply(b->t, &r, XFWD_ORIGIN_STATIC, false))) {
			ret = batch_fail(b, b->ent[i].line, ret);
			break;
		}
	}
	if (ret)
		undo_all(b, i); /* entry i failed and changed nothing */
	return ret;
}

static bool read_lines(struct batch *b, FILE *f)
{
	size_t cap = 0, len = 0;
	char *l = NULL;
	bool ok = true;

	while (ok && getline(&l, &len, f) > 0)
		ok = !GROW(b->lines, b->nlines, cap, 4096) && (b->lines[b->nlines++] = strdup(l));
	free(l);
	return ok;
}

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->nlines; i++)
		free(b->lines[i]);
	for (size_t i = 0; i < b->nundo; i++)
		free(b->undo[i].k);
	free(b->lines);
	free(b->ent);
	free(b->undo);
	journal_free(&b->journal);
}

/* All or nothing: every line is checked, alone and against the lines
 * before it, before the first applies; a line that fails while applying
 * (a table full) takes back what the lines before it did. */
static int batch_run(struct xtable *t, const struct cli_req *r)
{
	FILE *f = strcmp(r->batch, "-") ? fopen(r->batch, "r") : stdin;
	struct batch b = { .t = t, .outer = r };
	int ret;

	if (!f) {
		xt_error(t, "cannot read %s: %s", r->batch, strerror(errno));
		return -ENOENT;
	}
	ret = read_lines(&b, f) ? 0 : -ENOMEM;
	if (f != stdin)
		fclose(f);
	if (ret)
		xt_error(t, "out of memory reading %s", r->batch);
	if (!ret)
		ret = xt_sync_local(t);
	xt_dev_cache(true);
	/* One table batch, as the daemon's: each entry is written once. */
	xt_batch_begin(t);
	if (!ret && !(ret = batch_check_lines(&b)) && !(ret = batch_check_order(&b)) &&
	    !(ret = b.nent ? xt_journal_ops(t, &b.journal) : 0))
		ret = batch_apply(&b);
	if (xt_batch_end(t) && !ret)
		ret = -EIO; /* t->err says what */
	xt_dev_cache(false);
	batch_free(&b);
	return ret;
}

int cmd_batch(const struct cli_req *r, char *err, size_t len)
{
	return cmd_with_table(r, err, len, batch_run, TABLE_WRITE);
}
