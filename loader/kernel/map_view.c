// SPDX-License-Identifier: GPL-2.0-only
#include "map_view.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* The kernel maps whole pages of an array's values. */
static size_t pages(size_t bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (bytes + page - 1) / page * page;
}

void *map_view(int fd, size_t bytes, bool write)
{
	void *p = mmap(NULL, pages(bytes), PROT_READ | (write ? PROT_WRITE : 0), MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

void map_unview(void *view, size_t bytes)
{
	if (view)
		munmap(view, pages(bytes));
}

#define BATCH 65536u

/* Batch lookups resume after the key given, so a range starting at k
 * passes k - 1; the last batch ends with ENOENT. */
int map_read_range(int fd, uint32_t start, uint32_t n, size_t vsz, void *out)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	uint32_t *keys = malloc((n < BATCH ? n + 1 : BATCH) * sizeof(*keys)), in, next = 0, done = 0;
	int ret = keys ? 0 : -ENOMEM;

	while (!ret && done < n) {
		__u32 cnt = n - done < BATCH ? n - done : BATCH;
		uint32_t at = start + done;

		in = at - 1;
		if (bpf_map_lookup_batch(fd, at ? &in : NULL, &next, keys,
					 (char *)out + (size_t)done * vsz, &cnt, &o))
			ret = errno == ENOENT && done + cnt == n ? 0 : -errno;
		done += cnt;
		if (!cnt && !ret)
			ret = -EIO; /* no progress: never loop */
	}
	free(keys);
	return ret;
}

/* A chunk's zeroes: per-CPU values of 64 CPUs or more make a whole map's
 * a few MiB. */
#define ZERO_CHUNK 256u

int map_zero_range(int fd, uint32_t n, size_t vsz)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	uint32_t *keys = malloc(ZERO_CHUNK * sizeof(*keys));
	void *zero = calloc(ZERO_CHUNK, vsz);
	int ret = keys && zero ? 0 : -ENOMEM;

	for (uint32_t at = 0; !ret && at < n; at += ZERO_CHUNK) {
		__u32 cnt = n - at < ZERO_CHUNK ? n - at : ZERO_CHUNK;

		for (uint32_t i = 0; i < cnt; i++)
			keys[i] = at + i;
		if (bpf_map_update_batch(fd, keys, zero, &cnt, &o))
			ret = -errno;
	}
	free(keys);
	free(zero);
	return ret;
}
