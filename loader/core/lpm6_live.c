// SPDX-License-Identifier: GPL-2.0-only
/* The IPv6 builder and the live map: the flush's order, adopting the
 * live nodes, and setting them from the rules after a writer died. */
#include "lpm6_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TARGET XFWD_LPM6_TARGET_MASK

/* ---- flush ---- */

void lpm6_dirty_reset(struct lpm6 *t)
{
	for (size_t k = 0; k < t->ndnodes; k++) {
		uint32_t n = t->dnodes[k];

		memset(&t->dirty[(size_t)n * N6 / 64], 0, N6 / 8);
		t->dmark[n] = 0;
	}
	t->ndnodes = 0;
	t->ndirty = 0;
}

static int cmp_level_desc(const void *a, const void *b, void *arg)
{
	const uint8_t *level = arg;
	uint8_t x = level[*(const uint32_t *)a], y = level[*(const uint32_t *)b];

	return x == y ? 0 : x > y ? -1 : 1;
}

/* Deepest level first: a node is whole before the entry that links it.
 * (A freed node's level is 0: its writes, if any, go last; nothing reads
 * them.) */
int lpm6_flush(struct lpm6 *t, lpm4_emit_fn emit, void *arg)
{
	struct lpm4_write *w;
	size_t nw = 0;
	int err = 0;

	if (!t->ndirty)
		return 0;
	if (!(w = malloc(LPM4_FLUSH_RUN * sizeof(*w))))
		return -ENOMEM;
	qsort_r(t->dnodes, t->ndnodes, sizeof(*t->dnodes), cmp_level_desc, t->level);
	for (size_t k = 0; k < t->ndnodes && !err; k++) {
		uint32_t n = t->dnodes[k];

		for (uint32_t i = n * N6; i < (n + 1) * N6 && !err; i++) {
			if (!(t->dirty[i / 64] >> (i % 64) & 1))
				continue;
			w[nw++] = (struct lpm4_write){ LPM6_TBL, i, t->e[i] };
			if (nw == LPM4_FLUSH_RUN) {
				err = emit(arg, LPM6_TBL, w, nw);
				nw = 0;
			}
		}
	}
	if (!err && nw)
		err = emit(arg, LPM6_TBL, w, nw);
	lpm6_dirty_reset(t);
	free(w);
	return err;
}

/* ---- adopting the live nodes ---- */

int lpm6_nodes_read(struct lpm6 *t, uint32_t n, uint32_t count)
{
	if (!t->fetch)
		return 0; /* the caller filled the mirror */
	return t->fetch(t->fetch_arg, LPM6_TBL, n * N6, count * N6, &t->e[(size_t)n * N6]);
}

/* Nodes are read 64 at a time (16k entries, one bulk call): a node per
 * call took 0.5 s for the full table's 38k nodes. Nodes read and not
 * reached stay as the live map holds them, free. */
#define READ_RUN 64u

static int node_in(struct lpm6 *t, uint8_t *got, uint32_t n)
{
	uint32_t k = n / READ_RUN, first = k * READ_RUN;

	if (got[k])
		return 0;
	got[k] = 1;
	return lpm6_nodes_read(t, first, t->nodes - first < READ_RUN ? t->nodes - first : READ_RUN);
}

/* Node n, reached at level l: read it, then every node it links. */
static int reach(struct lpm6 *t, uint8_t *got, uint32_t n, unsigned int l, bool read)
{
	int ret;

	if (read && (ret = node_in(t, got, n)))
		return ret;
	for (uint32_t i = n * N6; i < (n + 1) * N6; i++) {
		uint32_t c = t->e[i] & TARGET;

		if (!is_ext(t->e[i]))
			continue;
		if (l >= MAX_LEVEL || c < ROOTS || c >= t->nodes || t->level[c])
			return -EBADMSG;
		t->level[c] = (uint8_t)(l + 1);
		if ((ret = reach(t, got, c, l + 1, true)))
			return ret;
	}
	return 0;
}

/* Nodes no entry reaches are free. */
static void free_unreached(struct lpm6 *t)
{
	t->nready = t->npending = 0;
	t->used = ROOTS;
	for (uint32_t n = t->nodes; n-- > ROOTS;) {
		if (t->level[n])
			t->used++;
		else
			t->ready[t->nready++] = n;
	}
}

static int adopt_walk(struct lpm6 *t)
{
	uint8_t *got = calloc(t->nodes / READ_RUN + 1, 1);
	int ret = got ? lpm6_nodes_read(t, 0, ROOTS) : -ENOMEM;

	memset(t->level + ROOTS, 0, t->nodes - ROOTS);
	for (uint32_t k = 0; k < ROOTS / READ_RUN && got; k++)
		got[k] = 1; /* the root, read whole above */
	for (uint32_t n = 0; n < ROOTS && !ret; n++)
		ret = reach(t, got, n, 1, false);
	if (!ret)
		free_unreached(t);
	free(got);
	return ret;
}

int lpm6_adopt(struct lpm6 *t)
{
	int ret = adopt_walk(t);

	lpm6_dirty_reset(t);
	return ret;
}

/* ---- setting the live nodes from the rules ---- */

static void free_subtree(struct lpm6 *t, uint32_t n)
{
	for (uint32_t i = n * N6; i < (n + 1) * N6; i++)
		if (is_ext(t->e[i]))
			free_subtree(t, t->e[i] & TARGET);
	lpm6_node_free(t, n);
}

/* Node n of t (level l) made to read as node s of the reference built
 * from the rules alone: live children kept where the reference has one. */
static int graft(struct lpm6 *t, uint32_t n, const struct lpm6 *ref, uint32_t s, unsigned int l)
{
	for (uint32_t i = 0; i < N6; i++) {
		uint32_t want = ref->e[s * N6 + i], cur = t->e[n * N6 + i], c;
		int ret;

		if (!is_ext(want)) {
			if (is_ext(cur))
				free_subtree(t, cur & TARGET);
			lpm6_set(t, n * N6 + i, want);
			continue;
		}
		if (is_ext(cur)) {
			c = cur & TARGET;
		} else {
			if ((ret = lpm6_node_alloc(t, &c, l + 1)))
				return ret;
			lpm6_node_fill(t, c, 0);
		}
		if ((ret = graft(t, c, ref, want & TARGET, l + 1)))
			return ret;
		lpm6_set(t, n * N6 + i, link6(c));
	}
	return 0;
}

static int ref_build(struct lpm6 *ref, const struct lpm6 *t)
{
	int ret = lpm6_init(ref, t->nodes);

	/* Shortest first: each add then only writes its own range. */
	for (unsigned int d = 0; d <= 128 && !ret; d++)
		for (size_t i = 0; i < t->rules.cap && !ret; i++) {
			const struct lpm6_rule *r = &t->rules.v[i];

			if (r->used && r->depth == d)
				ret = lpm6_add(ref, r->addr, d, r->target, r->tag);
		}
	return ret;
}

int lpm6_rebuild(struct lpm6 *t)
{
	struct lpm6 ref;
	int ret = adopt_walk(t);

	lpm6_dirty_reset(t);
	ret = ret ?: ref_build(&ref, t);
	for (uint32_t n = 0; n < ROOTS && !ret; n++)
		ret = graft(t, n, &ref, n, 1);
	lpm6_fini(&ref);
	return ret;
}
