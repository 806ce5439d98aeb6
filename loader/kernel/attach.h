/* SPDX-License-Identifier: GPL-2.0-only */
/* Attaching xfwd to devices and detaching it: for `xfwd attach` and
 * `xfwd detach`, and for the daemon, which attaches on a thread while
 * its routes load (docs/parallel-start.md). Errors: -errno with a
 * one-line message (problem and fix) in err. */
#ifndef XFWD_ATTACH_H
#define XFWD_ATTACH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec.h"

struct attach_req {
	const char *pin_root;
	char devs[CLI_MAX_DEVS][IFNAME_LEN];
	int ndevs;
	int mode; /* enum xfwd_xdp_mode */
	struct map_sizes sizes;
	bool no_table_sync; /* the daemon syncs its own table */
};

/* Load (or reuse) the program and maps, attach to every device, and (unless
 * no_table_sync) add the devices' local routes and neighbours. Nothing
 * half-applied: on failure what this call attached is detached again,
 * and fresh pins removed. */
int attach_devices(const struct attach_req *r, char *err, size_t len);
/* Detach from these devices; with none, remove everything: links, pins,
 * and the tunnel devices and SAs xfwd created. */
int detach_devices(const char *pin_root, const char (*devs)[IFNAME_LEN], int ndevs,
		   char *err, size_t len);

/* The daemon's attach: attach_begin creates or opens the maps and
 * registers the devices in them, then loads, verifies and attaches the
 * program on a thread; attach_end waits for it and, if it failed, undoes
 * everything attach_begin did. */
struct attach_job {
	struct attach_req r;
	pthread_t th;
	bool started, fresh;
	bool added[CLI_MAX_DEVS];
	uint32_t ifindex[CLI_MAX_DEVS];
	int ret;
	char err[2048];
};
int attach_begin(struct attach_job *j, const struct attach_req *r, char *err, size_t len);
int attach_end(struct attach_job *j, char *err, size_t len);
/* A start refused after attach_begin: undo it whatever the thread did,
 * so the system is left as it was found. The pin root's lock must not be
 * held (a fresh root is removed by a detach, which takes it). */
void attach_abort(struct attach_job *j);

#endif
