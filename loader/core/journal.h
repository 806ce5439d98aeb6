/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The journal of a change being written (maps/xfwd_maps.h,
 * XFWD_JOURNAL_PIN; docs/interrupted-changes.md): the route operations
 * of a -batch, resolved, as bytes (pure: no I/O). A later xfwd that finds
 * the journal replays them, so a command killed while it wrote leaves
 * the table as after it, never half.
 */
#ifndef XFWD_JOURNAL_H
#define XFWD_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nhkey.h"
#include "prefix.h"
#include "maps/xfwd_abi.h"

struct jop {
	struct xprefix p;
	uint8_t del;    /* else add or replace with these members */
	uint8_t origin; /* XFWD_ORIGIN_* */
	uint8_t n;
	struct nh_key k[XFWD_ECMP_MAX];
};

/* Writing: operations appended one by one; the bytes valid after each. */
struct jbuf {
	char *p;
	size_t len, cap;
};
int journal_add(struct jbuf *j, const struct xprefix *p, bool del, uint8_t origin,
		const struct nh_key *k, int n);
void journal_free(struct jbuf *j);

/* Reading. No bytes, or zeros (a journal without operations): none.
 * -EBADMSG when the bytes are not a journal of this build's layout. */
struct jread {
	const char *p, *end;
	uint32_t left;
};
int journal_open(struct jread *r, const void *buf, size_t len);
/* 1 with the next operation in *o, 0 after the last, -EBADMSG. */
int journal_next(struct jread *r, struct jop *o);

#endif
