/* SPDX-License-Identifier: GPL-2.0-only */
/* An array map made BPF_F_MMAPABLE (maps/xfwd_maps.h) as memory: its
 * entries read or written without a system call (docs/probe-batching.md). */
#ifndef XFWD_MAP_VIEW_H
#define XFWD_MAP_VIEW_H

#include <stdbool.h>
#include <stddef.h>

/* NULL: errno says why. */
void *map_view(int fd, size_t bytes, bool write);
void map_unview(void *view, size_t bytes);

#endif
