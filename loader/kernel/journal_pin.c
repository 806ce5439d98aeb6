// SPDX-License-Identifier: GPL-2.0-only
/* The journal of a change being written (XFWD_JOURNAL_PIN, bpf.h): a
 * pinned array holding the change's bytes while it is applied
 * (docs/interrupted-changes.md). */
#include "bpf.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int xb_journal_begin(struct xb *b, const void *data, size_t len)
{
	size_t vsz = len < XFWD_JOURNAL_CHUNK ? (len + 7) / 8 * 8 : XFWD_JOURNAL_CHUNK;
	uint32_t n = vsz ? (uint32_t)((len + vsz - 1) / vsz) : 1;
	char path[PATH_MAX], *chunk;
	int fd, ret = 0;

	if (xb_pin_path(path, sizeof(path), b->pin_root, XFWD_JOURNAL_PIN))
		return -ENAMETOOLONG;
	if (!access(path, F_OK))
		return -EEXIST; /* a writer died: the table must be read again */
	vsz = vsz ? vsz : 8;
	if (!(chunk = calloc(1, vsz)))
		return -ENOMEM;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xfwd_journal", 4, (__u32)vsz, n, NULL);
	if (fd < 0)
		ret = -errno;
	for (uint32_t i = 0; !ret && i * vsz < len; i++) {
		size_t part = len - i * vsz < vsz ? len - i * vsz : vsz;

		memset(chunk, 0, vsz);
		memcpy(chunk, (const char *)data + i * vsz, part);
		if (bpf_map_update_elem(fd, &i, chunk, BPF_ANY))
			ret = -errno;
	}
	/* Pinned whole or not at all: the pin appears with every byte in. */
	if (!ret && bpf_obj_pin(fd, path))
		ret = -errno;
	if (fd >= 0)
		close(fd);
	free(chunk);
	/* A command that dies from here on is seen by a running daemon. */
	if (!ret)
		xb_bump(b);
	return ret;
}

int xb_journal_read(struct xb *b, void **data, size_t *len)
{
	struct bpf_map_info mi = { 0 };
	__u32 mlen = sizeof(mi);
	char path[PATH_MAX], *buf = NULL;
	int fd, ret = 0;

	*data = NULL;
	*len = 0;
	if (xb_pin_path(path, sizeof(path), b->pin_root, XFWD_JOURNAL_PIN))
		return -ENAMETOOLONG;
	if ((fd = bpf_obj_get(path)) < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	if (bpf_obj_get_info_by_fd(fd, &mi, &mlen) || mi.type != BPF_MAP_TYPE_ARRAY)
		ret = -EBADMSG;
	else if (!(buf = calloc(mi.max_entries, mi.value_size)))
		ret = -ENOMEM;
	for (uint32_t i = 0; !ret && i < mi.max_entries; i++)
		if (bpf_map_lookup_elem(fd, &i, buf + (size_t)i * mi.value_size))
			ret = -errno;
	close(fd);
	if (ret) {
		free(buf);
		return ret;
	}
	*data = buf;
	*len = (size_t)mi.max_entries * mi.value_size;
	return 0;
}

int xb_journal_end(struct xb *b)
{
	char path[PATH_MAX];

	if (xb_pin_path(path, sizeof(path), b->pin_root, XFWD_JOURNAL_PIN))
		return -ENAMETOOLONG;
	return unlink(path) && errno != ENOENT ? -errno : 0;
}
