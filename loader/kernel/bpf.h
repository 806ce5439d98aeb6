/* SPDX-License-Identifier: GPL-2.0-only */
/* The BPF object, its pinned maps and links (the only place that loads
 * or attaches anything). */
#ifndef XFWD_BPF_H
#define XFWD_BPF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec.h"
#include "rtnl.h"
#include "maps/xfwd_maps.h"

/* One fd per map of maps/xfwd_maps.h, named as there. */
#define XB_MAP_FD(name, ...) int name;
struct xfwd_maps {
	XFWD_MAPS(XB_MAP_FD)
};

struct xb {
	char pin_root[PATH_MAX];
	struct xfwd_maps fd;
	struct xfwd_info info;
	struct xfwd *skel; /* set only while a program is loaded */
};

/* Errors: -errno, with a one-line message (problem and fix) in err. */
int xb_check_root(char *err, size_t len);
/* Mount bpffs at /sys/fs/bpf if missing; create the pin root. */
int xb_prepare_root(const char *pin_root, char *err, size_t len);
/* Take the pin root's lock (waits up to a minute): an fd for xb_unlock,
 * -ENOENT when there is no pin root, or -EBUSY with a message. */
int xb_lock(const char *pin_root, char *err, size_t len);
/* One try: the lock's fd, -EBUSY (held), -ENOENT (nothing attached). */
int xb_trylock(const char *pin_root);
void xb_unlock(int fd);
/* The table's generation: a writer bumps it (holding the lock) so that a
 * daemon keeping the table in memory knows to read it again. */
uint32_t xb_generation(const struct xb *b);
uint32_t xb_bump(struct xb *b); /* the new generation; 0: not written */
/* root/name in buf: 0, or -ENAMETOOLONG. */
int xb_pin_path(char *buf, size_t len, const char *root, const char *name);
/* The journal of a change being written (XFWD_JOURNAL_PIN): pinned with
 * data (may be empty) before the change's first write, -EEXIST if one
 * is there (a writer died); read back (-ENOENT: none; *data: free(),
 * zero-padded to whole entries); removed once the change is whole. */
int xb_journal_begin(struct xb *b, const void *data, size_t len);
int xb_journal_read(struct xb *b, void **data, size_t *len);
int xb_journal_end(struct xb *b);
/* A change went in, but the generation that tells a running daemon to
 * read the table again could not be written. */
#define XB_BUMP_FAILED "the change is in the maps, but a running daemon was not told (xfwd_info's generation could not be written): restart it (systemctl restart xfwd) so it reads the table again"
/* The table's size as of a commit (holding the lock), for 'status'. */
int xb_set_counts(struct xb *b, const struct table_counts *n);
/* The kernel table the daemon mirrors, for route show's kernel next hops
 * (info.c, as xb_set_counts). */
int xb_set_mirror_table(struct xb *b, uint32_t table);
/* Point another BPF object's maps at the pinned ones of the same name. */
struct bpf_object;
int xb_reuse_maps(const struct xb *b, struct bpf_object *obj);
/* Open the pinned maps of a running xfwd and check their ABI. */
int xb_open(struct xb *b, const char *pin_root, char *err, size_t len);
/* Load the XDP program, reusing pinned maps or creating them. Sizes sz
 * asks for that live maps lack are warned of (core/sizes.h); a different
 * ipv4-table is refused. */
int xb_load(struct xb *b, const char *pin_root, const struct map_sizes *sz,
	    char *err, size_t len);
/* The same without the programs: only create or open the maps (the
 * daemon's start: a different ipv4-table is warned of too, not refused,
 * so that a restart never leaves the maps unfed). */
int xb_load_maps(struct xb *b, const char *pin_root, const struct map_sizes *sz,
		 char *err, size_t len);
/* Attach the loaded program to a device and register it in the maps. */
int xb_attach_dev(struct xb *b, const struct link_info *li, int mode,
		  char *err, size_t len);
/* Only the registration: the tx port and interface entries. */
int xb_register_dev(struct xb *b, const struct link_info *li, int mode,
		    char *err, size_t len);
int xb_detach_dev(struct xb *b, uint32_t ifindex, char *err, size_t len);
/* Remove every link and map pin, then the pin root itself. */
int xb_remove_all(const char *pin_root, char *err, size_t len);
bool xb_dev_attached(const struct xb *b, uint32_t ifindex);
void xb_close(struct xb *b);

#endif
