/* SPDX-License-Identifier: GPL-2.0-only */
/* Stateless filters (docs/filters.md): a rule's words, a rule set
 * compiled into the tuples and hash entries XDP searches
 * (maps/xfwd_filter.h), and the search itself as XDP runs it, for tests
 * and `xfwd filter test`. Pure: no system calls. */
#ifndef XFWD_FILTER_CORE_H
#define XFWD_FILTER_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maps/xfwd_abi.h"

/* Most rules one set holds (its default takes one slot more). */
#define XFWD_FILTER_SET_RULES 16384u

struct filter_entry {
	struct xfwd_filter_key k;
	struct xfwd_filter_hit h;
};

/* A compiled set: what the maps get. */
struct filter_build {
	struct xfwd_filter_set set;
	struct filter_entry *e;
	size_t n, cap;
	uint32_t *index; /* open addressing over e: compiling, and the model's lookups */
	size_t index_cap;
};

/* Where a set goes and from what file, as `xfwd filter replace` and the
 * config's [filters] lines write it:
 *   tunnel NAME|dev DEV in|out [default allow|deny] rules FILE */
struct filter_spec {
	bool tunnel; /* tunnel NAME, else dev DEV */
	char name[16];
	uint8_t dir;   /* enum xfwd_filter_dir */
	uint8_t deflt; /* enum xfwd_filter_action: allow or deny */
	char rules[256]; /* the rule file; "-": standard input */
};

/* need_rules: replace (rules FILE required); else only the target (del).
 * 0, or -1 with err naming the word and the fix. */
int filter_spec_parse(int argc, char **argv, struct filter_spec *f, bool need_rules, char *err,
		      size_t errlen);
/* The rules of a rule file's text (a rule a line, '#' starts a comment;
 * text is modified): how many, *out to free(); or -1 with
 * "NAME:LINE: why" in err. */
int filter_rules_parse(char *text, const char *name, struct xfwd_filter_rule **out, char *err,
		       size_t errlen);

/* One rule from its words ("src 10.1.0.0/16 proto tcp dport 443 allow");
 * 0, or -1 with err naming the word and the fix. */
int filter_rule_parse(int argc, char **argv, struct xfwd_filter_rule *r, char *err, size_t errlen);
/* A rule as its words again (for show); buf of at least 160 bytes. */
const char *filter_rule_str(const struct xfwd_filter_rule *r, char *buf, size_t len);

/* Rules r[0..n) (slots base.. in order; the default at base + n) of set
 * `set`. 0, or -1 with err naming the rule and the limit it passed. */
int filter_compile(const struct xfwd_filter_rule *r, uint32_t n, uint32_t base, uint16_t set,
		   uint8_t deflt, struct filter_build *b, char *err, size_t errlen);
void filter_build_free(struct filter_build *b);

/* The packet's fields for a search, as XDP reads them (IPv4 v4-mapped). */
struct filter_pkt {
	struct xfwd_filter_key k;
	bool later_frag;
};

/* XDP's search over a compiled set (bpf/lib/filter.h filter_search and
 * filter_decide): the verdict, and the slots counted on the way. */
uint8_t filter_decide_model(const struct filter_build *b, const struct filter_pkt *p,
			    uint32_t *counted, int *ncounted);

#endif
