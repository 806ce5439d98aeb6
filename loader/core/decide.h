/* SPDX-License-Identifier: GPL-2.0-only */
/* What the data path would do with a flow (decide.c). */
#ifndef XFWD_DECIDE_H
#define XFWD_DECIDE_H

#include <stdbool.h>
#include <stdint.h>

#include "kio.h"
#include "prefix.h"

/* A flow as `xfwd route get` names it: src family 0 when not given. */
struct flow {
	struct xaddr dst, src;
	uint8_t proto;
	uint16_t sport, dport;
};

struct decision {
	const char *action; /* forward, pass, drop */
	const char *why;    /* NULL: nothing to add */
	char why_buf[96];
	struct xprefix match;
	uint32_t group, member, members, nh_id; /* 0: none */
	int bucket; /* the flow's bucket in a group of several, else -1 */
	struct xfwd_nh nh;
	char nh_tunnel[16]; /* XFWD_NH_TUNNEL: the tunnel's name */
	/* The destination as the next hop's translation rule rewrites it
	 * (docs/translation.md); xlat_slot 0: none applies. */
	uint32_t xlat_slot;
	struct xfwd_xlat_rule xlat;
	struct xaddr xlat_to;
};

void xt_decide(const struct kio *io, const struct flow *f, struct decision *d);

#endif
