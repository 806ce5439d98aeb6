// SPDX-License-Identifier: GPL-2.0-only
/* A group's buckets dealt by weight, moving as few as a change allows
 * (docs/ecmp.md). */
#include "buckets.h"

#include <string.h>

/* Each member's share of the buckets: weight over the total, the
 * remainders to the largest fractions (ties: the lower index). Drained
 * members get none, unless every member is drained: then all count. */
static void shares(const struct xfwd_group_set *s, uint32_t *q)
{
	uint32_t w[XFWD_ECMP_MAX], rem[XFWD_ECMP_MAX], total = 0, dealt = 0;
	uint32_t n = s->count, all_drained = 1;

	for (uint32_t i = 0; i < n; i++)
		all_drained &= (s->drained >> i) & 1;
	for (uint32_t i = 0; i < n; i++) {
		w[i] = ((s->drained >> i) & 1) && !all_drained ? 0 : s->hops[i] + 1u;
		total += w[i];
	}
	for (uint32_t i = 0; i < n; i++) {
		q[i] = XFWD_BUCKETS * w[i] / total;
		rem[i] = XFWD_BUCKETS * w[i] % total;
		dealt += q[i];
	}
	while (dealt < XFWD_BUCKETS) {
		uint32_t best = 0;

		for (uint32_t i = 1; i < n; i++)
			if (rem[i] > rem[best])
				best = i;
		q[best]++;
		rem[best] = 0;
		dealt++;
	}
}

static int index_of(const struct xfwd_group_set *s, uint32_t id)
{
	for (uint32_t i = 0; i < s->count; i++)
		if (s->members[i] == id)
			return (int)i;
	return -1;
}

/* The member prev's bucket b held, or 0. */
static uint32_t prev_member(const struct xfwd_group_set *prev, uint32_t b)
{
	if (!prev || !prev->count || prev->count > XFWD_ECMP_MAX)
		return 0;
	if (prev->count == 1)
		return prev->members[0];
	return prev->bucket[b] < prev->count ? prev->members[prev->bucket[b]] : 0;
}

void buckets_deal(struct xfwd_group_set *s, const struct xfwd_group_set *prev)
{
	uint32_t q[XFWD_ECMP_MAX], have[XFWD_ECMP_MAX] = { 0 }, next = 0;
	bool left[XFWD_BUCKETS];

	memset(s->bucket, 0, sizeof(s->bucket));
	if (s->count < 2 || s->count > XFWD_ECMP_MAX)
		return;
	shares(s, q);
	/* Keep: a bucket stays with its member while the member's share has
	 * room. */
	for (uint32_t b = 0; b < XFWD_BUCKETS; b++) {
		int j = index_of(s, prev_member(prev, b));

		left[b] = j < 0 || have[j] >= q[j];
		if (!left[b]) {
			s->bucket[b] = (uint8_t)j;
			have[j]++;
		}
	}
	/* Deal the rest in turn to the members short of their share, so a
	 * new member's buckets spread over the whole hash space. */
	for (uint32_t b = 0; b < XFWD_BUCKETS; b++) {
		if (!left[b])
			continue;
		while (have[next] >= q[next])
			next = (next + 1) % s->count;
		s->bucket[b] = (uint8_t)next;
		have[next]++;
		next = (next + 1) % s->count;
	}
}

uint32_t buckets_of(const struct xfwd_group_set *s, uint32_t m)
{
	uint32_t n = 0;

	if (s->count == 1)
		return m == 0 ? XFWD_BUCKETS : 0;
	for (uint32_t b = 0; b < XFWD_BUCKETS; b++)
		n += s->bucket[b] == m;
	return n;
}

uint32_t buckets_takers(const struct xfwd_group_set *s, uint32_t gone)
{
	uint32_t all = s->count >= 32 ? ~0u : (1u << s->count) - 1;
	uint32_t other = all & ~gone, live = other & ~(uint32_t)s->drained;

	return live ? live : other;
}
