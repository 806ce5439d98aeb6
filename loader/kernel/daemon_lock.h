/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XFWD_DAEMON_LOCK_H
#define XFWD_DAEMON_LOCK_H
#include <stddef.h>

/* Where the one-daemon locks live (systemd/xfwd.service: RuntimeDirectory). */
#define XFWD_RUN_DIR "/run/xfwd"

/* One `xfwd run` per pin root (docs/daemon-lock.md): an fd to keep open
 * while the daemon runs (closing it, or exiting, releases it); -EBUSY with
 * a message naming the other daemon's pid; another -errno with a message
 * when the lock cannot be taken at all (the caller runs without it). */
int daemon_lock(const char *pin_root, char *err, size_t len);
/* Release it, and remove its file (nothing of a stopped daemon stays). */
void daemon_unlock(int fd, const char *pin_root);

#endif
