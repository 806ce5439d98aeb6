// SPDX-License-Identifier: GPL-2.0-only
/* Attaching and detaching (attach.h). */
#include "attach.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bpf.h"
#include "maps/xfwd_maps.h"
#include "rtnl.h"
#include "kio_kernel.h"
#include "table.h"
#include "thread.h"
#include "tundev.h"
#include "xfrm.h"

/* Every device must exist and be attachable before anything changes. */
static int resolve_devs(const struct attach_req *r, struct link_info *li,
			char *err, size_t len)
{
	for (int i = 0; i < r->ndevs; i++) {
		if (rtnl_link_by_name(r->devs[i], &li[i])) {
			snprintf(err, len, "no device '%s' (see 'ip link')", r->devs[i]);
			return -ENODEV;
		}
		if (li[i].is_vlan) {
			snprintf(err, len, "%s is a VLAN device: attach its lower device; routes may still name %s",
				 r->devs[i], r->devs[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/* Local routes and MACs for the (new) devices: a writer like any other,
 * so it takes the pin root's lock and tells a daemon to re-read. */
static int sync_tables(struct xb *b, char *err, size_t len)
{
	int lock = xb_lock(b->pin_root, err, len), changed, ret;
	struct xtable t;

	if (lock == -EBUSY)
		return lock;
	ret = kio_table_load(&t, b, true, err, len);
	if (!ret)
		ret = xt_sync_local(&t);
	if (!ret)
		ret = xt_refresh_neigh(&t, &changed);
	if (t.dirty && !xb_bump(b) && !ret) {
		snprintf(err, len, "%s", XB_BUMP_FAILED);
		ret = -EIO;
	}
	xt_free(&t);
	xb_unlock(lock);
	return ret;
}

int attach_devices(const struct attach_req *r, char *err, size_t len)
{
	struct link_info li[CLI_MAX_DEVS];
	bool was[CLI_MAX_DEVS] = { false };
	char info[PATH_MAX];
	bool fresh;
	struct xb b;
	int ret, i;

	if ((ret = xb_check_root(err, len)) || (ret = resolve_devs(r, li, err, len)) ||
	    (ret = xb_prepare_root(r->pin_root, err, len)))
		return ret;
	snprintf(info, sizeof(info), "%s/" XFWD_PIN(info), r->pin_root);
	fresh = access(info, F_OK) != 0;
	ret = xb_load(&b, r->pin_root, &r->sizes, err, len);
	for (i = 0; i < r->ndevs && !ret; i++) {
		was[i] = xb_dev_attached(&b, li[i].ifindex);
		ret = xb_attach_dev(&b, &li[i], r->mode, err, len);
	}
	if (ret) {
		/* Nothing half-applied: undo the attachments this call made. */
		char ignore[256];

		while (--i >= 0)
			if (!was[i])
				xb_detach_dev(&b, li[i].ifindex, ignore, sizeof(ignore));
	} else if (!r->no_table_sync) {
		ret = sync_tables(&b, err, len);
	}
	xb_close(&b);
	if (ret && fresh) {
		char ignore[256];

		xb_remove_all(r->pin_root, ignore, sizeof(ignore));
	}
	return ret;
}

/* A full detach also removes the kernel tunnel devices and the ipsec SAs
 * and policies xfwd created (the tunnels go with the pins). Read straight
 * from the pinned map, and only if its entries have this build's layout. */
static void remove_tunnel_devs(const char *pin_root)
{
	struct bpf_map_info info = { 0 };
	uint32_t info_len = sizeof(info);
	struct xfwd_tunnel tun;
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_root, XFWD_PIN(tunnels));
	if ((fd = bpf_obj_get(path)) < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &info_len) && info.value_size == sizeof(tun))
		for (uint32_t id = 1; id < info.max_entries; id++)
			if (!bpf_map_lookup_elem(fd, &id, &tun)) {
				if (tun.flags & XFWD_TUN_F_OWN_SA)
					xfrm_remove(tun.key);
				if (tun.flags & XFWD_TUN_F_OWN_DEV)
					tundev_delete(tun.name);
			}
	close(fd);
}

int detach_devices(const char *pin_root, const char (*devs)[IFNAME_LEN], int ndevs,
		   char *err, size_t len)
{
	struct link_info li;
	struct xb b;
	int ret;

	if ((ret = xb_check_root(err, len)))
		return ret;
	/* Everything: pins are removed without reading them, so this also
	 * clears pins of an incompatible build. */
	if (!ndevs) {
		remove_tunnel_devs(pin_root);
		return xb_remove_all(pin_root, err, len);
	}
	if ((ret = xb_open(&b, pin_root, err, len)))
		return ret;
	for (int i = 0; i < ndevs && !ret; i++) {
		if (rtnl_link_by_name(devs[i], &li)) {
			snprintf(err, len, "no device '%s' (see 'ip link')", devs[i]);
			ret = -ENODEV;
		} else if (!xb_dev_attached(&b, li.ifindex)) {
			snprintf(err, len, "xfwd is not attached to %s (see 'xfwd status')", devs[i]);
			ret = -ENOENT;
		} else {
			ret = xb_detach_dev(&b, li.ifindex, err, len);
		}
	}
	xb_close(&b);
	return ret;
}

/* ---- the daemon's start: attach on a thread ---- */

/* Verifying the XDP program takes the kernel half a second or more:
 * the daemon mirrors its routes meanwhile. The maps and the devices'
 * entries in them are made first, so the route table sees the devices
 * as attached (docs/parallel-start.md). */
static void *attach_thread(void *arg)
{
	struct attach_job *j = arg;

	j->ret = attach_devices(&j->r, j->err, sizeof(j->err));
	return NULL;
}

static int register_devs(struct attach_job *j, const struct link_info *li,
			 char *err, size_t len)
{
	struct xb b;
	int ret = xb_load_maps(&b, j->r.pin_root, &j->r.sizes, err, len);

	for (int i = 0; i < j->r.ndevs && !ret; i++) {
		j->ifindex[i] = li[i].ifindex;
		j->added[i] = !xb_dev_attached(&b, li[i].ifindex);
		ret = xb_register_dev(&b, &li[i], j->r.mode, err, len);
	}
	xb_close(&b);
	return ret;
}

/* Undo what attach_begin did: the devices it registered, and the pins
 * (with the tunnel devices) if there were none before. */
static void attach_undo(struct attach_job *j)
{
	char ignore[256];
	struct xb b;

	if (j->fresh) {
		detach_devices(j->r.pin_root, NULL, 0, ignore, sizeof(ignore));
		return;
	}
	if (xb_open(&b, j->r.pin_root, ignore, sizeof(ignore)))
		return;
	for (int i = 0; i < j->r.ndevs; i++)
		if (j->added[i])
			xb_detach_dev(&b, j->ifindex[i], ignore, sizeof(ignore));
	xb_close(&b);
}

int attach_begin(struct attach_job *j, const struct attach_req *r, char *err, size_t len)
{
	struct link_info li[CLI_MAX_DEVS];
	char info[PATH_MAX];
	int ret;

	memset(j, 0, sizeof(*j));
	j->r = *r;
	j->r.no_table_sync = true; /* the daemon syncs its own table */
	if ((ret = xb_check_root(err, len)) || (ret = resolve_devs(r, li, err, len)) ||
	    (ret = xb_prepare_root(r->pin_root, err, len)))
		return ret;
	snprintf(info, sizeof(info), "%s/" XFWD_PIN(info), r->pin_root);
	j->fresh = access(info, F_OK) != 0;
	if ((ret = register_devs(j, li, err, len))) {
		attach_undo(j);
		return ret;
	}
	/* The maps exist from here: what they lack of the sizes was said. */
	memset(&j->r.sizes, 0, sizeof(j->r.sizes));
	if ((ret = thread_start(&j->th, attach_thread, j))) {
		snprintf(err, len, "cannot start a thread: %s", strerror(-ret));
		attach_undo(j);
		return ret;
	}
	j->started = true;
	return 0;
}

void attach_abort(struct attach_job *j)
{
	if (!j->r.pin_root)
		return; /* attach_begin never ran */
	if (j->started)
		pthread_join(j->th, NULL);
	j->started = false;
	attach_undo(j);
}

int attach_end(struct attach_job *j, char *err, size_t len)
{
	if (!j->started)
		return 0;
	pthread_join(j->th, NULL);
	j->started = false;
	if (j->ret) {
		snprintf(err, len, "%s", j->err);
		attach_undo(j);
	}
	return j->ret;
}
