/* SPDX-License-Identifier: GPL-2.0-only */
/* Reading an array map's entries in bulk: as memory, when it is made
 * BPF_F_MMAPABLE (maps/xfwd_maps.h; no system call, docs/probe-batching.md),
 * or a range of them in batch lookups. */
#ifndef XFWD_MAP_VIEW_H
#define XFWD_MAP_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* NULL: errno says why. */
void *map_view(int fd, size_t bytes, bool write);
void map_unview(void *view, size_t bytes);
/* Entries [start, start + n) of the array map fd, each vsz bytes (per-CPU
 * maps: vsz is the CPUs' values together), into out: 0 or -errno. */
int map_read_range(int fd, uint32_t start, uint32_t n, size_t vsz, void *out);
/* Entries [0, n) of the array map fd set to zero, vsz bytes each (as
 * above), in batch updates: 0 or -errno. */
int map_zero_range(int fd, uint32_t n, size_t vsz);

#endif
