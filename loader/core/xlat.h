/* SPDX-License-Identifier: GPL-2.0-only */
/* 1:1 prefix translation (docs/translation.md): a rule's words, and the
 * two trie entries XDP reads for it (maps/xfwd_xlat.h). Pure: no system
 * calls. */
#ifndef XFWD_XLAT_CORE_H
#define XFWD_XLAT_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prefix.h"
#include "maps/xfwd_abi.h"

/* As `xfwd xlat add|del` and the config's [translations] lines write it:
 *   REAL to MAPPED tunnel NAME|dev DEV   (del: REAL tunnel NAME|dev DEV) */
struct xlat_spec {
	bool tunnel; /* tunnel NAME, else dev DEV */
	char name[16];
	struct xprefix real, mapped;
};

/* need_mapped: add ('to MAPPED' required); else del (optional). 0, or
 * -1 with err naming the word and the fix. */
int xlat_spec_parse(int argc, char **argv, struct xlat_spec *s, bool need_mapped, char *err,
		    size_t errlen);
/* "REAL to MAPPED tunnel NAME"; buf of at least 128 bytes. */
const char *xlat_spec_str(const struct xlat_spec *s, char *buf, size_t len);

/* The rule record of spec s on target (tunnel id or ifindex). */
void xlat_rule_of(const struct xlat_spec *s, uint32_t target, struct xfwd_xlat_rule *r);
/* Its prefixes back from a record. */
void xlat_rule_prefixes(const struct xfwd_xlat_rule *r, struct xprefix *real, struct xprefix *mapped);
/* The bind index of a record's target. */
uint32_t xlat_rule_bind(const struct xfwd_xlat_rule *r);
/* The trie entries of rule r in slot `slot`: [0] source real -> mapped
 * (packets from the target), [1] destination mapped -> real (to it). */
void xlat_entries(const struct xfwd_xlat_rule *r, uint32_t slot, struct xfwd_xlat_key k[2],
		  struct xfwd_xlat_val v[2]);
/* Do two rules of one target collide (a real or a mapped prefix of one
 * overlapping the other's)? Translation must be one-to-one both ways. */
bool xlat_rules_overlap(const struct xfwd_xlat_rule *a, const struct xfwd_xlat_rule *b);
/* Where an address goes by rule r: real -> mapped (out false) or mapped
 * -> real, as XDP computes it; false when r does not cover it or NPT
 * cannot map it. For `route get` and tests. */
bool xlat_addr(const struct xfwd_xlat_rule *r, bool out, const struct xaddr *a, struct xaddr *to);

#endif
