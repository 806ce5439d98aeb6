/* SPDX-License-Identifier: GPL-2.0-only */
/* The daemon's BFD sessions (docs/bfd.md): one per tunnel probed with
 * 'probe bfd', run by a thread of their own so that nothing the main
 * loop does (a full table's routes, a command's lock) delays a packet.
 * The main loop sets the sessions and reads their states; the thread
 * wakes it (bfd_fd) when one changes. */
#ifndef XFWD_BFD_ENGINE_H
#define XFWD_BFD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maps/xfwd_abi.h"

struct bfd_engine;

/* A session as the main loop sees it. */
struct bfd_view {
	uint8_t state, remote_state, diag, remote_diag;
	uint8_t down_diag; /* why it last left Up */
	uint32_t my_discr, your_discr;
	uint32_t tx_us, detect_us; /* in force */
	uint64_t sent, received, downs, dropped;
	int err; /* the last sending error (-errno), 0 none */
	int rx_err; /* why it has no listener (-errno; retried each second), 0: it has */
};

/* The engine and its thread; realtime: the thread asks for SCHED_FIFO
 * (docs/bfd.md: a busy CPU then cannot starve it). NULL with err set. */
struct bfd_engine *bfd_start(bool realtime, char *err, size_t len);
void bfd_stop(struct bfd_engine *e);
/* Why the thread runs without the realtime priority asked ("": it has it). */
const char *bfd_sched_note(const struct bfd_engine *e);
/* A tunnel's session: started, its timers changed (Poll/Final), or
 * ended (c NULL). */
void bfd_set(struct bfd_engine *e, uint32_t tid, const struct xfwd_probe_cfg *c);
void bfd_get(struct bfd_engine *e, uint32_t tid, struct bfd_view *v);
/* Readable when a session changed state; bfd_drain reads it. */
int bfd_fd(const struct bfd_engine *e);
void bfd_drain(struct bfd_engine *e);

#endif
