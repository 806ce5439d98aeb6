/* SPDX-License-Identifier: GPL-2.0-only */
/* The maps' sizes and the IPv4 table's layout: set when the maps are made
 * (`xfwd attach ... tbl6-nodes N`, or the same words in the daemon's
 * [xfwd] section), fixed while they live (docs/table-sizes.md). */
#ifndef XFWD_SIZES_H
#define XFWD_SIZES_H

#include <stdbool.h>
#include <stddef.h>

#include "spec.h"
#include "maps/xfwd_abi.h"

/* kw = value, when kw is one of the size words: 0, or -1 with a message
 * naming the word and its range in err; 1 when kw is not a size word. */
int map_size_set(struct map_sizes *s, const char *kw, const char *value,
		 char *err, size_t len);
/* Is kw one of the size words? */
bool map_size_is(const char *kw);
/* The size words, for messages: "ipv4-table, tblc-lines, ...". */
const char *map_size_words(void);
/* XFWD_IPV4_TBL24 or XFWD_IPV4_COMPACT as the word that sets it. */
const char *ipv4_table_name(uint32_t t);
/* What maps made for s hold: s's settings, the defaults for the rest. */
void map_sizes_info(const struct map_sizes *s, struct xfwd_info *in);
/* The settings s asks for that maps already made (in) do not have, as
 * "tbl6-nodes 200000 (the maps have 65536)", comma-separated, in buf:
 * how many. ipv4 says whether ipv4-table is among them. */
int map_sizes_differ(const struct map_sizes *s, const struct xfwd_info *in,
		     char *buf, size_t len, bool *ipv4);

#endif
