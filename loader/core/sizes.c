// SPDX-License-Identifier: GPL-2.0-only
/* Map sizes (sizes.h): one list of words for the CLI and the config. */
#include "sizes.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "words.h"

#define SIZE_OF(f) offsetof(struct map_sizes, f)
#define INFO_OF(f) offsetof(struct xfwd_info, f)

static const struct {
	const char *kw;
	size_t off, info_off;
	uint32_t min, max, def;
} sizes[] = {
	/* tblc-lines: room for the largest block; tbl6-nodes: the 256 root
	 * nodes and at least as many more, and at most 512 MiB, the largest
	 * variable offset into a map value the verifier lets XDP read
	 * (BPF_MAX_VAR_OFF; tbl6 is one value). */
	{ "tblc-lines", SIZE_OF(tblc_lines), INFO_OF(tblc_lines), XFWD_CBLK_MAX_LINES, 1u << 22, XFWD_DEF_TBLC_LINES },
	{ "tbl8-groups", SIZE_OF(tbl8_groups), INFO_OF(tbl8_groups), 1, 1u << 16, XFWD_DEF_TBL8_GROUPS },
	{ "routes4", SIZE_OF(routes4), INFO_OF(routes4_max), 1, 1u << 24, XFWD_DEF_ROUTES4 },
	{ "routes6", SIZE_OF(routes6), INFO_OF(routes6_max), 1, 1u << 24, XFWD_DEF_ROUTES6 },
	{ "tbl6-nodes", SIZE_OF(tbl6_nodes), INFO_OF(tbl6_nodes), 2 * XFWD_TBL6_ROOT_NODES, XFWD_MAX_TBL6_NODES, XFWD_DEF_TBL6_NODES },
	{ "nexthops", SIZE_OF(nexthops), INFO_OF(nexthops_max), 1, 1u << 20, XFWD_DEF_NEXTHOPS },
	{ "groups", SIZE_OF(groups), INFO_OF(groups_max), 1, 1u << 20, XFWD_DEF_GROUPS },
};
#define N_SIZES (sizeof(sizes) / sizeof(sizes[0]))

static uint32_t *field(void *base, size_t off)
{
	return (uint32_t *)((char *)base + off);
}

const char *ipv4_table_name(uint32_t t)
{
	return t == XFWD_IPV4_COMPACT ? "compact" : "tbl24";
}

int map_size_set(struct map_sizes *s, const char *kw, const char *value,
		 char *err, size_t len)
{
	char *argv[] = { (char *)value };
	struct args a = { .argc = 1, .argv = argv, .err = err, .errlen = len };

	if (!strcmp(kw, "ipv4-table")) {
		if (!strcmp(value, "tbl24") || !strcmp(value, "compact")) {
			s->ipv4_table = 1 + (!strcmp(value, "compact") ? XFWD_IPV4_COMPACT : XFWD_IPV4_TBL24);
			return 0;
		}
		snprintf(err, len, "ipv4-table '%s': use 'tbl24' or 'compact'", value);
		return -1;
	}
	for (size_t k = 0; k < N_SIZES; k++)
		if (!strcmp(kw, sizes[k].kw))
			return parse_u32(&a, kw, sizes[k].min, sizes[k].max, field(s, sizes[k].off));
	return 1;
}

bool map_size_is(const char *kw)
{
	for (size_t k = 0; k < N_SIZES; k++)
		if (!strcmp(kw, sizes[k].kw))
			return true;
	return !strcmp(kw, "ipv4-table");
}

const char *map_size_words(void)
{
	return "ipv4-table, tblc-lines, tbl8-groups, routes4, routes6, tbl6-nodes, nexthops, groups";
}

void map_sizes_info(const struct map_sizes *s, struct xfwd_info *in)
{
	for (size_t k = 0; k < N_SIZES; k++) {
		uint32_t v = *field((void *)s, sizes[k].off);

		*field(in, sizes[k].info_off) = v ? v : sizes[k].def;
	}
	in->magic = XFWD_ABI_MAGIC;
	in->abi_version = XFWD_ABI_VERSION;
	in->tbl6_used = XFWD_TBL6_ROOT_NODES;
	in->ipv4_table = s->ipv4_table ? s->ipv4_table - 1 : XFWD_IPV4_TBL24;
	if (in->ipv4_table != XFWD_IPV4_COMPACT)
		in->tblc_lines = 1; /* the map exists; XDP never reads it */
}

static void note(char *buf, size_t len, int n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void note(char *buf, size_t len, int n, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (n && used < len)
		used += (size_t)snprintf(buf + used, len - used, ", ");
	if (used >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

int map_sizes_differ(const struct map_sizes *s, const struct xfwd_info *in,
		     char *buf, size_t len, bool *ipv4)
{
	uint32_t table = s->ipv4_table ? s->ipv4_table - 1 : in->ipv4_table;
	int n = 0;

	buf[0] = 0;
	*ipv4 = table != in->ipv4_table;
	if (*ipv4)
		note(buf, len, n++, "ipv4-table %s (the maps have %s)", ipv4_table_name(table), ipv4_table_name(in->ipv4_table));
	for (size_t k = 0; k < N_SIZES; k++) {
		uint32_t want = *field((void *)s, sizes[k].off);
		uint32_t have = *field((void *)in, sizes[k].info_off);

		/* tblc-lines means nothing to maps made for tbl24. */
		if (!want || want == have || (sizes[k].off == SIZE_OF(tblc_lines) && in->ipv4_table != XFWD_IPV4_COMPACT))
			continue;
		note(buf, len, n++, "%s %u (the maps have %u)", sizes[k].kw, want, have);
	}
	return n;
}
