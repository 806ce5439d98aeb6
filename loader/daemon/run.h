/* SPDX-License-Identifier: GPL-2.0-only */
/* xfwd run: the daemon's entry (docs/daemon.md). */
#ifndef XFWD_RUN_H
#define XFWD_RUN_H

#include <stdbool.h>
#include <stddef.h>

/* Run until SIGTERM with the config file at config (NULL: the default).
 * 0, or -errno with a one-line message in err. */
int daemon_run(const char *config, char *err, size_t len);

/* xfwd check (docs/check.md): the findings printed, text or JSON; its
 * exit status: 0 clean, CHECK_EXIT_WARNINGS, CHECK_EXIT_ERRORS, or
 * -errno with err said (a config that does not parse: -EINVAL). */
#define CHECK_EXIT_WARNINGS 3
#define CHECK_EXIT_ERRORS 4
int check_command(const char *config, bool json, char *err, size_t len);

#endif
