/* SPDX-License-Identifier: GPL-2.0-only */
/* The kernel tunnel device that takes a tunnel's traffic for this host. */
#ifndef XFWD_TUNDEV_H
#define XFWD_TUNDEV_H

#include <stddef.h>

#include "kio.h"
#include "maps/xfwd_abi.h"

/* Create the device named like the tunnel, or adopt the existing one.
 * 0, or -errno with a message (a device of that name that does not
 * match: -EEXIST). */
int tundev_ensure(const struct xfwd_tunnel *t, enum tundev_result *res,
		  char *err, size_t len);
int tundev_delete(const char *name);
/* Give the existing device t's remote, key and TTL (the kernel refuses
 * some changes, e.g. a VXLAN or GENEVE VNI: -EOPNOTSUPP with its reason). */
int tundev_change(const struct xfwd_tunnel *t, char *err, size_t len);

#endif
