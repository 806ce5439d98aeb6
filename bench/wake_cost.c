// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CPU a bare wake-up costs on this host: a thread that only sleeps in
 * poll() for INTERVAL ms, COUNT times, as the daemon sleeps between probe
 * rounds. Prints the thread's CPU ns per wake-up (the floor under any
 * per-wake-up work; bench/health_run.sh).
 *   wake_cost INTERVAL-MS COUNT
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	int interval, count;
	long long t0;

	if (argc != 3 || (interval = atoi(argv[1])) <= 0 || (count = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: wake_cost INTERVAL-MS COUNT\n");
		return 2;
	}
	t0 = cpu_ns();
	for (int i = 0; i < count; i++)
		poll(NULL, 0, interval);
	printf("%lld\n", (cpu_ns() - t0) / count);
	return 0;
}
