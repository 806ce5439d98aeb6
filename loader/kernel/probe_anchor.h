/* SPDX-License-Identifier: GPL-2.0-only */
/* The probe sender's anchor (docs/probe-batching.md): a device that
 * never carries a packet, holding the probe program in generic XDP so
 * that the kernel keeps it in its XDP dispatcher. */
#ifndef XFWD_PROBE_ANCHOR_H
#define XFWD_PROBE_ANCHOR_H

#include <stddef.h>

#define PROBE_ANCHOR_DEV "xfwd-probe"

/* The device made (or taken over from a daemon before) and prog_fd
 * attached to it: 0, or -errno with the reason in err. */
int probe_anchor_make(int prog_fd, char *err, size_t len);
/* The device deleted (with the program on it). */
void probe_anchor_drop(void);

#endif
