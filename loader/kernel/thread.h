/* SPDX-License-Identifier: GPL-2.0-only */
/* Helper threads (record writer, dump reader, attach at start). */
#ifndef XFWD_THREAD_H
#define XFWD_THREAD_H

#include <pthread.h>
#include <signal.h>

/* Start fn(arg) with every signal blocked: signals stay the main
 * thread's (the daemon reads them from a signalfd; a helper that took
 * SIGHUP would kill the process). 0 or -errno. */
static inline int thread_start(pthread_t *th, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int ret;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(th, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -ret;
}

#endif
