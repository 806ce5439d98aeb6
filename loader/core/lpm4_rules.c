// SPDX-License-Identifier: GPL-2.0-only
/* The builder's rule set (lpm4_rules.h): open addressing, linear probing,
 * backward-shift delete. */
#include "lpm4_rules.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static size_t rule_slot(const struct lpm4_rules *r, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 20) & (r->cap - 1);
}

static size_t rule_probe(const struct lpm4_rules *r, uint64_t key)
{
	size_t i = rule_slot(r, key);

	while (r->keys[i] && r->keys[i] != key)
		i = (i + 1) & (r->cap - 1);
	return i;
}

static int rules_grow(struct lpm4_rules *r)
{
	struct lpm4_rules n = { .cap = r->cap ? r->cap * 2 : 1024 };
	size_t i;

	n.keys = malloc(n.cap * sizeof(*n.keys));
	n.vals = malloc(n.cap * sizeof(*n.vals));
	if (!n.keys || !n.vals) {
		free(n.keys);
		free(n.vals);
		return -ENOMEM;
	}
	/* Written, not calloc'ed: see load24 on the zero page. */
	memset(n.keys, 0, n.cap * sizeof(*n.keys));
	for (i = 0; i < r->cap; i++) {
		size_t j;

		if (!r->keys[i])
			continue;
		j = rule_probe(&n, r->keys[i]);
		n.keys[j] = r->keys[i];
		n.vals[j] = r->vals[i];
	}
	n.count = r->count;
	free(r->keys);
	free(r->vals);
	*r = n;
	return 0;
}

int rules_put(struct lpm4_rules *r, uint64_t key, uint32_t val)
{
	size_t i;

	if ((r->count + 1) * 2 > r->cap && rules_grow(r))
		return -ENOMEM;
	i = rule_probe(r, key);
	if (!r->keys[i])
		r->count++;
	r->keys[i] = key;
	r->vals[i] = val;
	return 0;
}

bool rules_get(const struct lpm4_rules *r, uint64_t key, uint32_t *val)
{
	size_t i;

	if (!r->cap)
		return false;
	i = rule_probe(r, key);
	if (!r->keys[i])
		return false;
	*val = r->vals[i];
	return true;
}

void rules_del(struct lpm4_rules *r, uint64_t key)
{
	size_t i = rule_probe(r, key), j = i;

	if (!r->keys[i])
		return;
	r->count--;
	/* Shift back later members of the probe run into the hole. */
	for (;;) {
		size_t home;

		r->keys[i] = 0;
		do {
			j = (j + 1) & (r->cap - 1);
			if (!r->keys[j])
				return;
			home = rule_slot(r, r->keys[j]);
		} while (i <= j ? (i < home && home <= j)
				: (i < home || home <= j));
		r->keys[i] = r->keys[j];
		r->vals[i] = r->vals[j];
		i = j;
	}
}

/* ---- dirty entries ---- */
