/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one logging path, for every room: "xfwd: MESSAGE" on stderr, with
 * journald's "<N>" level prefix when stderr is the journal (the daemon
 * under systemd), so `journalctl -p warning` finds warnings. Levels are
 * syslog's (LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO).
 */
#ifndef XFWD_LOG_H
#define XFWD_LOG_H

#include <stdbool.h>
#include <syslog.h>

__attribute__((format(printf, 2, 3)))
void xlog(int level, const char *fmt, ...);
/* Level prefixes on (stderr is the journal) or off. */
void xlog_journal(bool on);

#endif
