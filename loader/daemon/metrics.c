// SPDX-License-Identifier: GPL-2.0-only
/*
 * The metrics file (docs/metrics.md): every metrics-interval seconds the
 * daemon writes Prometheus text for node_exporter's textfile collector,
 * whole or not at all (a new file renamed over the old: a scrape never
 * reads half of one). No listener: the daemon holds CAP_BPF and
 * CAP_NET_ADMIN, and a socket it answers would be one more way in.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "counters.h"
#include "daemon.h"
#include "log.h"

#define METRICS_INTERVAL_DEFAULT 10

double unix_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Into path's directory as a hidden file (node_exporter reads only
 * *.prom), then renamed over path: 0 or -errno. */
static int write_file(struct daemon *d, const char *path)
{
	struct metrics_tunnel *tun = calloc(XFWD_MAX_TUNNELS, sizeof(*tun));
	struct metrics m = { .daemon = &d->stats };
	struct metrics_path paths[XFWD_MAX_TUNNELS + CAP_DEVS];
	char tmp[300];
	const char *slash = strrchr(path, '/');
	FILE *f;
	int ret;

	d->stats.probe_calls = d->h.calls;

	if (!tun)
		return -ENOMEM;
	snprintf(tmp, sizeof(tmp), "%.*s/.xfwd-metrics.%d", (int)(slash - path), path, (int)getpid());
	ret = xc_metrics(&d->b, xt_used_nexthops(&d->t), xt_used_groups(&d->t), &m, tun);
	m.paths = paths;
	m.npaths = capacity_paths(d, paths);
	if (!ret && !(f = fopen(tmp, "w")))
		ret = -errno;
	if (!ret) {
		ret = metrics_write(f, &m) ? -EIO : 0;
		if (fclose(f) && !ret)
			ret = -errno;
		if (!ret && (chmod(tmp, 0644) || rename(tmp, path)))
			ret = -errno;
		if (ret)
			unlink(tmp);
	}
	free(tun);
	return ret;
}

int metrics_run(struct daemon *d)
{
	unsigned int every = d->cfg.metrics_interval ? d->cfg.metrics_interval : METRICS_INTERVAL_DEFAULT;
	uint64_t now = mono_ms();
	int ret;

	if (!d->cfg.metrics_file[0])
		return -1;
	if (now < d->metrics_due)
		return (int)(d->metrics_due - now);
	d->metrics_due = now + (uint64_t)every * 1000;
	ret = write_file(d, d->cfg.metrics_file);
	if (ret && ret != -d->metrics_errno)
		xlog(LOG_ERR, "cannot write the metrics file %s: %s (retrying every %u s)", d->cfg.metrics_file,
		     strerror(-ret), every);
	else if (!ret && d->metrics_errno)
		xlog(LOG_INFO, "the metrics file %s is written again", d->cfg.metrics_file);
	d->metrics_errno = -ret;
	return (int)(every * 1000);
}
