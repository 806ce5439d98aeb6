/* SPDX-License-Identifier: GPL-2.0-only */
/* xfwd run: the daemon's entry (docs/daemon.md). */
#ifndef XFWD_RUN_H
#define XFWD_RUN_H

#include <stddef.h>

/* Run until SIGTERM with the config file at config (NULL: the default).
 * 0, or -errno with a one-line message in err. */
int daemon_run(const char *config, char *err, size_t len);

#endif
