/* SPDX-License-Identifier: GPL-2.0-only */
/* Resilient ECMP: a group's buckets (maps/xfwd_abi.h, docs/ecmp.md). */
#ifndef XFWD_CORE_BUCKETS_H
#define XFWD_CORE_BUCKETS_H

#include <stdbool.h>
#include <stdint.h>

#include "maps/xfwd_abi.h"

/*
 * Fill s->bucket for s's members, weights (hops) and drained mask. With
 * prev (the set the group's routes had), every bucket whose member is
 * still in s keeps it while the member is within its share; only the
 * rest are dealt again. Without prev, a layout of s alone.
 */
void buckets_deal(struct xfwd_group_set *s, const struct xfwd_group_set *prev);
/* How many buckets member index m holds. */
uint32_t buckets_of(const struct xfwd_group_set *s, uint32_t m);

/* The members (a mask of indices) the flows of the members in `gone`
 * move to when those fail: the others not drained, or, when none is
 * left, the drained others (the last resort, as XDP picks). */
uint32_t buckets_takers(const struct xfwd_group_set *s, uint32_t gone);

#endif
