// SPDX-License-Identifier: GPL-2.0-only
#include "lpm4_int.h"
#include "lpm4c.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lpm4_rules.h"
#include "maps/xfwd_abi.h"


static uint32_t mask_of(unsigned int depth)
{
	return depth ? ~0u << (32 - depth) : 0;
}

static unsigned int depth_of(uint32_t e)
{
	return (e >> XFWD_LPM_DEPTH_SHIFT) & XFWD_LPM_DEPTH_MASK;
}

/* ---- lazy mirror ---- */

/* A chunk no rule reached when the table was adopted is zero in the live
 * map (mark_reached): it is cleared, not read. Written either way, so
 * its pages are never the shared zero page: copying that on the first
 * write after a read costs a TLB shootdown on every CPU the daemon's
 * threads run on. */
static void load24(struct lpm4 *t, uint32_t c)
{
	uint32_t *dst = t->tbl24 + c * LPM4_CHUNK;
	int err = 0;

	if (t->fetch && t->reached[c])
		err = t->fetch(t->fetch_arg, LPM4_TBL24, c * LPM4_CHUNK, LPM4_CHUNK, dst);
	else
		memset(dst, 0, LPM4_CHUNK * sizeof(*dst));
	if (err)
		t->io_err = err;
	t->loaded24[c] = 1;
}

uint32_t *lpm4_e24(struct lpm4 *t, uint32_t i)
{
	uint32_t c = i / LPM4_CHUNK;

	if (!t->loaded24[c])
		load24(t, c);
	return &t->tbl24[i];
}

static uint32_t *e8(struct lpm4 *t, uint32_t i)
{
	uint32_t g = i / G8;

	if (t->fetch && !t->loaded8[g]) {
		int err = t->fetch(t->fetch_arg, LPM4_TBL8, g * G8, G8,
				   t->tbl8 + g * G8);

		if (err)
			t->io_err = err;
		t->loaded8[g] = 1;
	}
	return &t->tbl8[i];
}


static void mark(uint64_t *bits, uint8_t *summary, uint32_t i, uint32_t per)
{
	bits[i / 64] |= 1ull << (i % 64);
	summary[i / per] = 1;
}

/* Mirror only real changes: the mirror equals the live map. */
void lpm4_set24(struct lpm4 *t, uint32_t i, uint32_t v)
{
	if (*lpm4_e24(t, i) == v)
		return;
	t->tbl24[i] = v;
	mark(t->dirty24, t->dirty24c, i, LPM4_CHUNK);
	t->ndirty++;
	if (t->copy)
		lpm4c_touch(t->copy, i >> 8);
}

void lpm4_set8(struct lpm4 *t, uint32_t i, uint32_t v)
{
	if (*e8(t, i) == v)
		return;
	t->tbl8[i] = v;
	mark(t->dirty8, t->dirty8g, i, G8);
	t->ndirty++;
}

/* Which entries a route of this depth writes: on add, those of no route
 * or of one no longer; on delete, its own (they fall to the cover). */
static bool takes(uint32_t e, unsigned int depth, bool del)
{
	if (del)
		return (e & XFWD_LPM_VALID) && depth_of(e) == depth;
	return !(e & XFWD_LPM_VALID) || depth_of(e) <= depth;
}

struct flush_run {
	struct lpm4_write w[LPM4_FLUSH_RUN];
	size_t n;
};

/* Emit the dirty entries of one table, by area (chunk or group). */
static int flush_table(struct lpm4 *t, uint32_t tbl, struct flush_run *r,
		       lpm4_emit_fn emit, void *arg)
{
	bool t24 = tbl == LPM4_TBL24;
	uint64_t *bits = t24 ? t->dirty24 : t->dirty8;
	uint8_t *area = t24 ? t->dirty24c : t->dirty8g;
	const uint32_t *val = t24 ? t->tbl24 : t->tbl8;
	uint32_t per = t24 ? LPM4_CHUNK : G8;
	uint32_t areas = t24 ? XFWD_TBL24_SIZE / LPM4_CHUNK : t->groups;
	int err = 0;

	r->n = 0;
	for (uint32_t a = 0; a < areas; a++) {
		if (!area[a])
			continue;
		area[a] = 0;
		for (uint32_t w = a * per / 64; w < (a + 1) * per / 64; w++) {
			for (uint64_t b = bits[w]; b && !err; b &= b - 1) {
				uint32_t i = w * 64 + (uint32_t)__builtin_ctzll(b);

				r->w[r->n++] = (struct lpm4_write){ tbl, i, val[i] };
				if (r->n == LPM4_FLUSH_RUN) {
					err = emit(arg, tbl, r->w, r->n);
					r->n = 0;
				}
			}
			bits[w] = 0;
		}
	}
	if (r->n && !err)
		err = emit(arg, tbl, r->w, r->n);
	return err;
}

int lpm4_flush(struct lpm4 *t, lpm4_emit_fn emit, void *arg)
{
	struct flush_run *r;
	int err;

	if (!t->ndirty)
		return 0;
	if (!(r = malloc(sizeof(*r))))
		return -ENOMEM;
	/* Groups whole before the tbl24 entries that link them. */
	err = flush_table(t, LPM4_TBL8, r, emit, arg);
	err = err ?: flush_table(t, LPM4_TBL24, r, emit, arg);
	/* The compact copy after tbl24, so it never leads it. */
	if (t->copy)
		err = err ?: lpm4c_flush(t->copy, t->tbl24, emit, arg);
	if (err) { /* leave nothing half-marked */
		memset(t->dirty24, 0, XFWD_TBL24_SIZE / 8);
		memset(t->dirty24c, 0, XFWD_TBL24_SIZE / LPM4_CHUNK);
		memset(t->dirty8, 0, (size_t)t->groups * G8 / 8);
		memset(t->dirty8g, 0, t->groups);
	}
	t->ndirty = 0;
	free(r);
	return err;
}

/* ---- tbl8 groups ---- */

int lpm4_group_alloc(struct lpm4 *t, uint32_t *g)
{
	if (!t->nready && t->npending) {
		/* Groups freed by this process may still be read by a lookup
		 * that loaded the old tbl24 entry: wait for one grace period. */
		if (t->grace)
			t->grace(t->grace_arg);
		for (uint32_t i = 0; i < t->npending; i++)
			t->ready[(t->ready_head + t->nready++) % t->groups] =
				t->pending[i];
		t->npending = 0;
	}
	if (!t->nready)
		return -ENOSPC;
	*g = t->ready[t->ready_head];
	t->ready_head = (t->ready_head + 1) % t->groups;
	t->nready--;
	return 0;
}

/* Write v into the entries of group g in [lo, lo+n) that `takes`. */
static void group_fill(struct lpm4 *t, uint32_t g, uint32_t lo, uint32_t n,
		       unsigned int depth, uint32_t v, bool del)
{
	for (uint32_t j = lo; j < lo + n; j++)
		if (takes(*e8(t, g * G8 + j), depth, del))
			lpm4_set8(t, g * G8 + j, v);
}

/* A route of /24 or shorter: its tbl24 range, and the groups in it. */
static void fill_short(struct lpm4 *t, uint32_t addr, unsigned int depth,
		       uint32_t v, bool del)
{
	uint32_t lo = addr >> 8, n = 1u << (24 - depth);

	for (uint32_t i = lo; i < lo + n; i++) {
		uint32_t e = *lpm4_e24(t, i);

		if (e & XFWD_LPM_EXT)
			group_fill(t, e & XFWD_LPM_TARGET_MASK, 0, G8, depth, v, del);
		else if (takes(e, depth, del))
			lpm4_set24(t, i, v);
	}
}

int lpm4_init(struct lpm4 *t, uint32_t groups)
{
	memset(t, 0, sizeof(*t));
	if (!groups || groups > XFWD_LPM_TARGET_MASK)
		return -EINVAL;
	t->groups = groups;
	t->tbl24 = calloc(XFWD_TBL24_SIZE, sizeof(uint32_t));
	t->tbl8 = calloc((size_t)groups * G8, sizeof(uint32_t));
	t->ready = calloc(groups, sizeof(uint32_t));
	t->pending = calloc(groups, sizeof(uint32_t));
	t->loaded24 = calloc(XFWD_TBL24_SIZE / LPM4_CHUNK, 1);
	t->reached = calloc(XFWD_TBL24_SIZE / LPM4_CHUNK, 1);
	t->loaded8 = calloc(groups, 1);
	t->dirty24 = calloc(XFWD_TBL24_SIZE / 64, 8);
	t->dirty24c = calloc(XFWD_TBL24_SIZE / LPM4_CHUNK, 1);
	t->dirty8 = calloc((size_t)groups * G8 / 64, 8);
	t->dirty8g = calloc(groups, 1);
	t->held8 = calloc(groups, sizeof(*t->held8));
	if (!t->tbl24 || !t->tbl8 || !t->ready || !t->pending || !t->loaded24 || !t->reached ||
	    !t->loaded8 || !t->dirty24 || !t->dirty24c || !t->dirty8 || !t->dirty8g || !t->held8) {
		lpm4_fini(t);
		return -ENOMEM;
	}
	return lpm4_adopt(t);
}

void lpm4_fini(struct lpm4 *t)
{
	free(t->tbl24);
	free(t->tbl8);
	free(t->ready);
	free(t->pending);
	free(t->loaded24);
	free(t->reached);
	free(t->loaded8);
	free(t->rules.keys);
	free(t->rules.vals);
	free(t->dirty24);
	free(t->dirty24c);
	free(t->dead);
	free(t->held8);
	free(t->dirty8);
	free(t->dirty8g);
	memset(t, 0, sizeof(*t));
}

/* A tbl24 chunk no rule reaches holds only zeros in the live map: a
 * route's record is written before its entries and deleted after them.
 * Such chunks need no read (at a first start, none is read at all). */
static void mark_reached(struct lpm4 *t)
{
	memset(t->reached, 0, XFWD_TBL24_SIZE / LPM4_CHUNK);
	for (size_t k = 0; k < t->rules.cap; k++) {
		uint64_t key = t->rules.keys[k];
		unsigned int depth = (unsigned int)((key - 1) & 63);
		uint32_t lo, n;

		if (!key)
			continue;
		lo = (uint32_t)((key - 1) >> 6) >> 8;
		n = depth < 24 ? 1u << (24 - depth) : 1;
		for (uint32_t c = lo / LPM4_CHUNK; c <= (lo + n - 1) / LPM4_CHUNK; c++)
			t->reached[c] = 1;
	}
}

int lpm4_adopt(struct lpm4 *t)
{
	uint8_t *used = calloc(t->groups, 1);
	int err = 0;

	if (!used)
		return -ENOMEM;
	mark_reached(t);
	memset(t->held8, 0, t->groups * sizeof(*t->held8));
	for (size_t k = 0; k < t->rules.cap && !err; k++) {
		uint64_t key = t->rules.keys[k];
		uint32_t e;

		if (!key || ((key - 1) & 63) <= 24)
			continue;
		e = *lpm4_e24(t, (uint32_t)((key - 1) >> 6) >> 8);
		if (!(e & XFWD_LPM_EXT) || (e & XFWD_LPM_TARGET_MASK) >= t->groups)
			err = -EBADMSG;
		else
			used[e & XFWD_LPM_TARGET_MASK] = 1;
		if (!err && is_dead(t, t->rules.vals[k] & LPM4_MAX_TARGET))
			t->held8[e & XFWD_LPM_TARGET_MASK]++;
	}
	t->nready = t->ready_head = t->npending = 0;
	for (uint32_t g = 0; g < t->groups; g++)
		if (!used[g])
			t->ready[t->nready++] = g;
	free(used);
	return err ? err : t->io_err;
}

int lpm4_rule_load(struct lpm4 *t, uint32_t addr, unsigned int depth,
		   uint32_t target, uint8_t tag)
{
	if (depth > 32 || target > LPM4_MAX_TARGET)
		return -EINVAL;
	return rules_put(&t->rules, rule_key(addr & mask_of(depth), depth),
			 target | (uint32_t)tag << 24);
}

/* The tbl8 group of addr's /24, made (inheriting the /24's entry) when
 * missing: the whole group is written before the tbl24 entry that links
 * it (the flush keeps that order too). */
static int group_of(struct lpm4 *t, uint32_t addr, uint32_t *g)
{
	uint32_t i = addr >> 8, e = *lpm4_e24(t, i);
	int err;

	if (e & XFWD_LPM_EXT) {
		*g = e & XFWD_LPM_TARGET_MASK;
		return 0;
	}
	if ((err = lpm4_group_alloc(t, g)))
		return err;
	for (uint32_t j = 0; j < G8; j++)
		lpm4_set8(t, *g * G8 + j, e);
	lpm4_set24(t, i, XFWD_LPM_VALID | XFWD_LPM_EXT | *g);
	return 0;
}

/* Write a rule's entry v into its range (del: the cover's, into the
 * entries that are its own). A long rule's group must exist for del. */
static int fill(struct lpm4 *t, uint32_t addr, unsigned int depth, uint32_t v,
		bool del)
{
	uint32_t g;
	int err;

	if (depth <= 24) {
		fill_short(t, addr, depth, v, del);
		return 0;
	}
	if ((err = group_of(t, addr, &g)))
		return err;
	group_fill(t, g, addr & 0xff, 1u << (32 - depth), depth, v, del);
	return 0;
}

static uint32_t cover_entry(const struct lpm4 *t, uint32_t addr,
			    unsigned int depth);

/* A dead rule longer than /24 holds its group (see group_collapse). */
static int hold(struct lpm4 *t, uint32_t addr, unsigned int depth, int by)
{
	uint32_t g;
	int err;

	if (depth <= 24)
		return 0;
	if ((err = group_of(t, addr, &g)))
		return err;
	t->held8[g] = (uint16_t)(t->held8[g] + by);
	return 0;
}

int lpm4_add(struct lpm4 *t, uint32_t addr, unsigned int depth,
	     uint32_t target)
{
	return lpm4_add_tagged(t, addr, depth, target, 0);
}

int lpm4_add_tagged(struct lpm4 *t, uint32_t addr, unsigned int depth,
		    uint32_t target, uint8_t tag)
{
	uint32_t old;
	bool had, was_dead, dead;
	int err;

	if (depth > 32 || target > LPM4_MAX_TARGET)
		return -EINVAL;
	addr &= mask_of(depth);
	/* The rule it replaces matters only while some target is dead: the
	 * route-update loop pays no extra probe otherwise. */
	had = t->ndead && rules_get(&t->rules, rule_key(addr, depth), &old);
	was_dead = had && is_dead(t, old & LPM4_MAX_TARGET);
	dead = is_dead(t, target);
	if (!dead)
		err = fill(t, addr, depth, entry(target, depth), false);
	else if (had && !was_dead) /* out of the tables: to the cover */
		err = fill(t, addr, depth, cover_entry(t, addr, depth), true);
	else
		err = 0;
	if (!err && dead != was_dead)
		err = hold(t, addr, depth, dead ? 1 : -1);
	if (!err && t->io_err)
		err = t->io_err;
	if (err)
		return err;
	return rules_put(&t->rules, rule_key(addr, depth),
			 target | (uint32_t)tag << 24);
}

/* Longest rule strictly shorter than depth covering addr, as an entry. */
static uint32_t cover_entry(const struct lpm4 *t, uint32_t addr,
			    unsigned int depth)
{
	for (int d = (int)depth - 1; d >= 0; d--) {
		uint32_t target;

		if (rules_get(&t->rules, rule_key(addr & mask_of(d), d),
			      &target) && !is_dead(t, target & LPM4_MAX_TARGET))
			return entry(target & LPM4_MAX_TARGET, d);
	}
	return 0;
}

/* A group holding no route longer than /24 is uniform: fold it back
 * (unless a dead one holds it). */
static void group_collapse(struct lpm4 *t, uint32_t i, uint32_t g)
{
	if (t->held8[g])
		return;
	for (uint32_t j = 0; j < G8; j++)
		if (depth_of(*e8(t, g * G8 + j)) > 24)
			return;
	lpm4_set24(t, i, *e8(t, g * G8));
	t->pending[t->npending++] = g;
}

int lpm4_del(struct lpm4 *t, uint32_t addr, unsigned int depth)
{
	uint32_t target, i = (addr & mask_of(depth)) >> 8, e = 0;
	bool dead;
	uint64_t key;
	int err = 0;

	if (depth > 32)
		return -EINVAL;
	addr &= mask_of(depth);
	key = rule_key(addr, depth);
	if (!rules_get(&t->rules, key, &target))
		return -ENOENT;
	dead = is_dead(t, target & LPM4_MAX_TARGET);
	if (depth > 24 && !((e = *lpm4_e24(t, i)) & XFWD_LPM_EXT))
		return -EBADMSG; /* rule set and table disagree */
	if (!dead)
		err = fill(t, addr, depth, cover_entry(t, addr, depth), true);
	else
		err = hold(t, addr, depth, -1);
	if (!err && depth > 24)
		group_collapse(t, i, e & XFWD_LPM_TARGET_MASK);
	if (!err && t->io_err)
		err = t->io_err;
	if (err)
		return err;
	rules_del(&t->rules, key);
	return 0;
}

bool lpm4_find(const struct lpm4 *t, uint32_t addr, unsigned int depth,
	       uint32_t *target, uint8_t *tag)
{
	uint32_t v;

	if (depth > 32 ||
	    !rules_get(&t->rules, rule_key(addr & mask_of(depth), depth), &v))
		return false;
	*target = v & LPM4_MAX_TARGET;
	if (tag)
		*tag = (uint8_t)(v >> 24);
	return true;
}

int lpm4_tag(const struct lpm4 *t, uint32_t addr, unsigned int depth)
{
	uint32_t target;
	uint8_t tag;

	return lpm4_find(t, addr, depth, &target, &tag) ? tag : -1;
}

uint32_t lpm4_lookup(struct lpm4 *t, uint32_t addr)
{
	uint32_t e = *lpm4_e24(t, addr >> 8);

	if (e & XFWD_LPM_EXT)
		e = *e8(t, (e & XFWD_LPM_TARGET_MASK) * G8 + (addr & 0xff));
	return e;
}

void lpm4_for_each(const struct lpm4 *t, lpm4_rule_fn fn, void *arg)
{
	for (size_t i = 0; i < t->rules.cap; i++) {
		uint64_t k = t->rules.keys[i];
		uint32_t v = t->rules.vals[i];

		if (k)
			fn((uint32_t)((k - 1) >> 6), (k - 1) & 63,
			   v & LPM4_MAX_TARGET, (uint8_t)(v >> 24), arg);
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int lpm4_mark_dead(struct lpm4 *t, uint32_t target, bool dead)
{
	if (target > LPM4_MAX_TARGET)
		return -EINVAL;
	if (!t->dead && !dead)
		return 0;
	if (!t->dead && !(t->dead = calloc((LPM4_MAX_TARGET + 1) / 64, 8)))
		return -ENOMEM;
	if (is_dead(t, target) == dead)
		return 0;
	t->dead[target / 64] ^= 1ull << (target % 64);
	t->ndead = dead ? t->ndead + 1 : t->ndead - 1;
	return 0;
}

bool lpm4_is_dead(const struct lpm4 *t, uint32_t target)
{
	return target <= LPM4_MAX_TARGET && is_dead(t, target);
}

/* One rule of a target that just died (came back): out of (into) the
 * tables. Its group exists either way, so this never allocates one. */
static int move_rule(struct lpm4 *t, uint32_t addr, unsigned int depth,
		     uint32_t target, bool dead)
{
	uint32_t v = dead ? cover_entry(t, addr, depth) : entry(target, depth);
	int err = fill(t, addr, depth, v, dead);

	return err ?: hold(t, addr, depth, dead ? 1 : -1);
}

int lpm4_set_dead(struct lpm4 *t, const uint32_t *targets, size_t n, bool dead)
{
	uint32_t *chg = malloc((n ?: 1) * sizeof(*chg));
	size_t m = 0;
	int err = 0, moved = 0;

	if (!chg)
		return -ENOMEM;
	for (size_t i = 0; i < n && !err; i++)
		if (lpm4_is_dead(t, targets[i]) != dead &&
		    !(err = lpm4_mark_dead(t, targets[i], dead)))
			chg[m++] = targets[i];
	qsort(chg, m, sizeof(*chg), cmp_u32);
	for (size_t k = 0; k < t->rules.cap && m && !err; k++) {
		uint64_t key = t->rules.keys[k];
		uint32_t target = t->rules.vals[k] & LPM4_MAX_TARGET;

		if (!key || !bsearch(&target, chg, m, sizeof(*chg), cmp_u32))
			continue;
		err = move_rule(t, (uint32_t)((key - 1) >> 6), (key - 1) & 63, target, dead);
		moved++;
	}
	free(chg);
	err = err ?: t->io_err;
	return err ? err : moved;
}

size_t lpm4_rule_count(const struct lpm4 *t)
{
	return t->rules.count;
}

uint32_t lpm4_groups_used(const struct lpm4 *t)
{
	return t->groups - t->nready - t->npending;
}
