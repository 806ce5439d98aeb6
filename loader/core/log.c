// SPDX-License-Identifier: GPL-2.0-only
/* The core's one output: a log line on stderr. Kept whole (one write per
 * line) so lines of two threads never interleave. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static bool journal;

void xlog_journal(bool on)
{
	journal = on;
}

void xlog(int level, const char *fmt, ...)
{
	char line[4096];
	int n = journal ? snprintf(line, sizeof(line), "<%d>xfwd: ", level)
			: snprintf(line, sizeof(line), "xfwd: ");
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}
