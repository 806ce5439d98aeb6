// SPDX-License-Identifier: GPL-2.0-only
#include "recwriter.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "thread.h"

#define BLOCK 4096u

struct block {
	struct block *next;
	__u32 n;
	bool del; /* delete these keys (values unused) */
	struct xfwd_route_key4 k[BLOCK];
	struct xfwd_route v[BLOCK];
};

struct recw {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct block *head, *tail, *cur;
	bool busy, stop;
	int err, fd;
};

int recw_delete_now(int fd, struct xfwd_route_key4 *k, __u32 n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);

	while (n) {
		__u32 cnt = n;

		if (!bpf_map_delete_batch(fd, k, &cnt, &o))
			return 0;
		if (errno != ENOENT)
			return -errno;
		k += cnt + 1; /* skip the missing one */
		n -= cnt + 1 < n ? cnt + 1 : n;
	}
	return 0;
}

static int write_block(int fd, struct block *b)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	__u32 cnt = b->n;

	if (b->del)
		return recw_delete_now(fd, b->k, b->n);
	return bpf_map_update_batch(fd, b->k, b->v, &cnt, &o) ? -errno : 0;
}

static void *writer(void *arg)
{
	struct recw *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct block *b;
		int err;

		while (!w->head && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->head)
			break;
		b = w->head;
		w->head = b->next;
		if (!w->head)
			w->tail = NULL;
		w->busy = true;
		pthread_mutex_unlock(&w->mu);
		err = write_block(w->fd, b);
		free(b);
		pthread_mutex_lock(&w->mu);
		w->busy = false;
		if (err && !w->err)
			w->err = err;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct recw *recw_start(int fd)
{
	struct recw *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->fd = fd;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (thread_start(&w->th, writer, w)) {
		free(w);
		return NULL;
	}
	return w;
}

static void enqueue(struct recw *w)
{
	if (!w->cur)
		return;
	pthread_mutex_lock(&w->mu);
	if (w->tail)
		w->tail->next = w->cur;
	else
		w->head = w->cur;
	w->tail = w->cur;
	w->cur = NULL;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* The block to add to: puts and deletes are never mixed in one. */
static struct block *block_for(struct recw *w, bool del)
{
	if (w->cur && w->cur->del != del)
		enqueue(w);
	if (!w->cur && (w->cur = calloc(1, sizeof(*w->cur))))
		w->cur->del = del;
	return w->cur;
}

int recw_put(struct recw *w, const struct xfwd_route_key4 *k, const struct xfwd_route *v)
{
	struct block *b = block_for(w, false);

	if (!b)
		return -ENOMEM;
	b->k[b->n] = *k;
	b->v[b->n++] = *v;
	if (b->n == BLOCK)
		enqueue(w);
	return 0;
}

int recw_del(struct recw *w, const struct xfwd_route_key4 *k, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct block *b = block_for(w, true);

		if (!b)
			return -ENOMEM;
		b->k[b->n++] = k[i];
		if (b->n == BLOCK)
			enqueue(w);
	}
	enqueue(w); /* now: it comes after a flush the caller waits for */
	return 0;
}

bool recw_busy(struct recw *w)
{
	bool busy;

	pthread_mutex_lock(&w->mu);
	busy = w->head || w->busy || w->cur;
	pthread_mutex_unlock(&w->mu);
	return busy;
}

int recw_wait(struct recw *w)
{
	int err;

	enqueue(w);
	pthread_mutex_lock(&w->mu);
	while (w->head || w->busy)
		pthread_cond_wait(&w->cv, &w->mu);
	err = w->err;
	w->err = 0;
	pthread_mutex_unlock(&w->mu);
	return err;
}

void recw_stop(struct recw *w)
{
	if (!w)
		return;
	recw_wait(w);
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}
