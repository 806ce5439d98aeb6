// SPDX-License-Identifier: GPL-2.0-only
/* One daemon per pin root. Two `xfwd run` on the same maps would each
 * rewrite them from their own copy of the table: routes flapping between
 * two versions, probes sent twice, verdicts undoing each other. The
 * pin root's own flock cannot say this: CLI commands take it for a
 * moment, and the daemon gives it up once started. So a second lock, a
 * file under /run (not on bpffs, which holds only BPF objects) with the
 * holder's pid in it, held for the daemon's life. */
#include "daemon_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* /run/xfwd/<pin root, '/' as '_'>.lock */
static int lock_path(char *buf, size_t len, const char *pin_root)
{
	int n = snprintf(buf, len, "%s/", XFWD_RUN_DIR);
	size_t at = (size_t)n;

	for (const char *p = pin_root; *p && at + 1 < len; p++)
		buf[at++] = *p == '/' ? '_' : *p;
	if (at + sizeof(".lock") > len)
		return -ENAMETOOLONG;
	memcpy(buf + at, ".lock", sizeof(".lock"));
	return 0;
}

static int holder_pid(int fd)
{
	char s[16] = { 0 };
	int pid = 0;

	if (pread(fd, s, sizeof(s) - 1, 0) > 0)
		sscanf(s, "%d", &pid);
	return pid;
}

/* Our lock, if the file at path is still the one we locked: a daemon
 * that was exiting may have removed it after we opened it. */
static bool still_ours(int fd, const char *path)
{
	struct stat a, b;

	return !fstat(fd, &a) && !stat(path, &b) && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static int take(const char *path, const char *pin_root, char *err, size_t len)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644), e;

	if (fd < 0)
		return -errno;
	if (!flock(fd, LOCK_EX | LOCK_NB)) {
		if (still_ours(fd, path))
			return fd;
		close(fd);
		return -EAGAIN;
	}
	e = errno;
	if (e == EWOULDBLOCK)
		snprintf(err, len,
			 "another xfwd run (pid %d) keeps pin root %s (%s): stop it first (systemctl stop xfwd), or give this one a pin-root of its own",
			 holder_pid(fd), pin_root, path);
	close(fd);
	return e == EWOULDBLOCK ? -EBUSY : -e;
}

/* The holder's pid, for the message of a daemon refused: 0 or -errno. */
static int write_pid(int fd)
{
	char pid[16];
	int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());

	if (ftruncate(fd, 0))
		return -errno;
	errno = EIO; /* what a short write reports: it sets none */
	return pwrite(fd, pid, (size_t)n, 0) == n ? 0 : -errno;
}

int daemon_lock(const char *pin_root, char *err, size_t len)
{
	char path[PATH_MAX];
	int fd = -EAGAIN, n;

	if (lock_path(path, sizeof(path), pin_root)) {
		snprintf(err, len, "pin root %s: name too long for a lock file", pin_root);
		return -ENAMETOOLONG;
	}
	if (mkdir(XFWD_RUN_DIR, 0755) && errno != EEXIST)
		fd = -errno;
	for (int i = 0; i < 10 && fd == -EAGAIN; i++)
		fd = take(path, pin_root, err, len);
	if (fd == -EBUSY)
		return fd;
	if (fd >= 0 && (n = write_pid(fd))) {
		daemon_unlock(fd, pin_root);
		fd = n;
	}
	if (fd < 0)
		snprintf(err, len, "cannot take %s: %s", path, strerror(-fd));
	return fd;
}

void daemon_unlock(int fd, const char *pin_root)
{
	char path[PATH_MAX];

	if (fd < 0)
		return;
	/* Removed while still held: a daemon starting meanwhile finds it
	 * gone (still_ours) and makes a new one. */
	if (!lock_path(path, sizeof(path), pin_root))
		unlink(path);
	close(fd);
}
