// SPDX-License-Identifier: GPL-2.0-only
#include "map_view.h"

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
