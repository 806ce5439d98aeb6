// SPDX-License-Identifier: GPL-2.0-only
#include "bpf.h"
#include "devfacts.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/file.h>
#include <unistd.h>

#include "log.h"
#include "sizes.h"
#include "xfwd.skel.h"

#define LOG_TAIL 2048

/* Per thread: the daemon verifies its XDP program on one thread while
 * another loads the bulk I/O program. */
static __thread char libbpf_log[65536];
static __thread size_t libbpf_log_len;

/* Keep libbpf's messages (the verifier log among them) to show the tail
 * of on failure, instead of printing them as they come. */
static int capture_print(enum libbpf_print_level lvl, const char *fmt,
			 va_list ap)
{
	int n;

	if (lvl == LIBBPF_DEBUG)
		return 0;
	if (libbpf_log_len > sizeof(libbpf_log) - 512)
		libbpf_log_len = 0; /* keep the most recent part */
	n = vsnprintf(libbpf_log + libbpf_log_len,
		      sizeof(libbpf_log) - libbpf_log_len, fmt, ap);
	if (n > 0)
		libbpf_log_len += (size_t)n;
	return n;
}

static const char *log_tail(void)
{
	return libbpf_log_len > LOG_TAIL ? libbpf_log + libbpf_log_len - LOG_TAIL
					 : libbpf_log;
}

int xb_check_root(char *err, size_t len)
{
	if (geteuid() == 0)
		return 0;
	snprintf(err, len, "xfwd needs root (CAP_BPF, CAP_NET_ADMIN): run it with sudo");
	return -EPERM;
}

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

int xb_prepare_root(const char *pin_root, char *err, size_t len)
{
	char parent[PATH_MAX], *slash;

	if (!is_bpffs("/sys/fs/bpf") && !strncmp(pin_root, "/sys/fs/bpf/", 12) &&
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
		snprintf(err, len, "cannot mount bpffs at /sys/fs/bpf: %s (try: mount -t bpf bpf /sys/fs/bpf)",
			 strerror(errno));
		return -errno;
	}
	snprintf(parent, sizeof(parent), "%s", pin_root);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	if (!is_bpffs(parent)) {
		snprintf(err, len, "%s is not on a bpf filesystem: mount one (mount -t bpf bpf %s) or pick another --pin-root",
			 pin_root, parent);
		return -ENOTSUP;
	}
	if (mkdir(pin_root, 0700) && errno != EEXIST) {
		snprintf(err, len, "cannot create %s: %s", pin_root, strerror(errno));
		return -errno;
	}
	return 0;
}

int xb_pin_path(char *buf, size_t len, const char *root, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", root, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Read and check the ABI entry of the pins under root. -ENOENT: none. */
static int check_abi(const char *root, struct xfwd_info *info, char *err,
		     size_t len)
{
	char path[PATH_MAX];
	__u32 zero = 0;
	int fd, ret = 0;

	if (xb_pin_path(path, sizeof(path), root, XFWD_PIN(info)))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -ENOENT;
	if (bpf_map_lookup_elem(fd, &zero, info) || info->magic != XFWD_ABI_MAGIC ||
	    info->abi_version != XFWD_ABI_VERSION) {
		snprintf(err, len,
			 "pinned maps under %s are from an incompatible xfwd build (ABI %u, this build %u): run 'xfwd --pin-root %s detach' first",
			 root, info->magic == XFWD_ABI_MAGIC ? info->abi_version : 0,
			 XFWD_ABI_VERSION, root);
		ret = -EPROTO;
	}
	close(fd);
	return ret;
}

#define MAP_PIN(name, ...) { XFWD_PIN(name), offsetof(struct xfwd_maps, name) },
static const struct {
	const char *name;
	size_t off;
} map_pins[] = { XFWD_MAPS(MAP_PIN) };
#define N_PINS (sizeof(map_pins) / sizeof(map_pins[0]))

static int *map_fd(struct xfwd_maps *m, size_t i)
{
	return (int *)((char *)m + map_pins[i].off);
}

static void maps_reset(struct xfwd_maps *m)
{
	for (size_t i = 0; i < N_PINS; i++)
		*map_fd(m, i) = -1;
}

/* One writer at a time: the daemon while it applies a batch of changes,
 * or a CLI command while it reads or changes the table. flock() on the
 * pin directory itself (bpffs holds no regular files). */
int xb_trylock(const char *pin_root)
{
	int fd = open(pin_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), e;

	if (fd < 0)
		return -ENOENT; /* nothing attached: the caller says so */
	if (!flock(fd, LOCK_EX | LOCK_NB))
		return fd;
	e = errno == EWOULDBLOCK ? -EBUSY : -errno;
	close(fd);
	return e;
}

int xb_lock(const char *pin_root, char *err, size_t len)
{
	int fd = -EBUSY;

	for (int i = 0; i < 60 * 100 && fd == -EBUSY; i++) { /* up to a minute */
		if ((fd = xb_trylock(pin_root)) == -EBUSY)
			usleep(10000);
	}
	if (fd == -EBUSY)
		snprintf(err, len, "%s is locked by another xfwd (the daemon applying a large change?): try again",
			 pin_root);
	return fd;
}

uint32_t xb_generation(const struct xb *b)
{
	struct xfwd_info in = { 0 };
	__u32 zero = 0;

	bpf_map_lookup_elem(b->fd.info, &zero, &in);
	return in.generation;
}

uint32_t xb_bump(struct xb *b)
{
	struct xfwd_info in;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(b->fd.info, &zero, &in))
		return 0;
	if (!++in.generation)
		in.generation = 1; /* 0 says the bump failed */
	return bpf_map_update_elem(b->fd.info, &zero, &in, BPF_ANY) ? 0 : in.generation;
}

void xb_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

int xb_open(struct xb *b, const char *pin_root, char *err, size_t len)
{
	char path[PATH_MAX];
	int ret;

	memset(b, 0, sizeof(*b));
	maps_reset(&b->fd);
	snprintf(b->pin_root, sizeof(b->pin_root), "%s", pin_root);
	if ((ret = xb_check_root(err, len)))
		return ret;
	ret = check_abi(pin_root, &b->info, err, len);
	if (ret == -ENOENT)
		snprintf(err, len, "xfwd is not attached (no maps under %s): run 'xfwd attach DEV...' first",
			 pin_root);
	if (ret)
		return ret;
	for (size_t i = 0; i < N_PINS; i++) {
		xb_pin_path(path, sizeof(path), pin_root, map_pins[i].name);
		*map_fd(&b->fd, i) = bpf_obj_get(path);
		if (*map_fd(&b->fd, i) < 0) {
			snprintf(err, len, "pinned map %s is missing: run 'xfwd detach' and attach again",
				 path);
			return -ENOENT;
		}
	}
	return 0;
}

static void set_sizes(struct xfwd *s, const struct xfwd_info *in)
{
	bpf_map__set_max_entries(s->maps.xfwd_tbl8,
				 in->tbl8_groups * XFWD_TBL8_GROUP_SIZE / XFWD_LPM_LINE);
	bpf_map__set_max_entries(s->maps.xfwd_routes4, in->routes4_max);
	bpf_map__set_max_entries(s->maps.xfwd_routes6, in->routes6_max);
	bpf_map__set_value_size(s->maps.xfwd_tbl6, in->tbl6_nodes * sizeof(struct xfwd_tbl6_node));
	s->rodata->xfwd_tbl6_entries = in->tbl6_nodes * XFWD_TBL6_NODE;
	bpf_map__set_max_entries(s->maps.xfwd_nexthops, in->nexthops_max);
	bpf_map__set_max_entries(s->maps.xfwd_groups, in->groups_max);
	bpf_map__set_max_entries(s->maps.xfwd_tblc, in->tblc_lines);
	s->rodata->xfwd_ipv4_table = in->ipv4_table; /* the program reads what the maps hold */
}

/* The kernel adds BPF_F_RDONLY_PROG to every devmap it creates (and
 * refuses it from userspace), so libbpf 1.1 sees a pinned devmap as
 * incompatible on reuse: declare the pinned map's flags before loading. */
static void devmap_flags(struct xfwd *s, const char *pin_root)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);
	char path[PATH_MAX];
	int fd;

	xb_pin_path(path, sizeof(path), pin_root, XFWD_PIN(tx_ports));
	if ((fd = bpf_obj_get(path)) < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		bpf_map__set_map_flags(s->maps.xfwd_tx_ports, info.map_flags);
	close(fd);
}

int xb_reuse_maps(const struct xb *b, struct bpf_object *obj)
{
	struct bpf_map *m;
	int ret;

	bpf_object__for_each_map(m, obj) {
		bpf_map__set_pin_path(m, NULL);
		for (size_t i = 0; i < N_PINS; i++)
			if (!strcmp(bpf_map__name(m), map_pins[i].name) &&
			    (ret = bpf_map__reuse_fd(m, *map_fd((struct xfwd_maps *)&b->fd, i))))
				return ret;
	}
	return 0;
}

/* The loaded object's maps, found by their pin names. */
static void fds_from_skel(struct xb *b)
{
	for (size_t i = 0; i < N_PINS; i++)
		*map_fd(&b->fd, i) = bpf_map__fd(
			bpf_object__find_map_by_name(b->skel->obj, map_pins[i].name));
}

/* Live maps keep their sizes: what sz asks of them is said (refused when
 * strict and XDP would not read the IPv4 table asked for). */
static int sizes_kept(const char *pin_root, const struct map_sizes *sz,
		      const struct xfwd_info *in, bool strict, char *err, size_t len)
{
	char diff[512];
	bool ipv4;

	if (!map_sizes_differ(sz, in, diff, sizeof(diff), &ipv4))
		return 0;
	if (strict && ipv4) {
		snprintf(err, len, "the maps under %s were made with ipv4-table %s: run 'xfwd detach' and attach again to change it",
			 pin_root, ipv4_table_name(in->ipv4_table));
		return -EEXIST;
	}
	xlog(LOG_WARNING, "the maps under %s are kept as they were made, not as asked: %s; sizes are set when the maps are made: run 'xfwd detach', then attach (or start xfwd run) again to change them",
	     pin_root, diff);
	return 0;
}

static int load(struct xb *b, const char *pin_root, const struct map_sizes *sz,
		bool progs, bool strict, char *err, size_t len)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_root);
	__u32 zero = 0;
	bool fresh;
	int ret;

	memset(b, 0, sizeof(*b));
	maps_reset(&b->fd);
	snprintf(b->pin_root, sizeof(b->pin_root), "%s", pin_root);
	ret = check_abi(pin_root, &b->info, err, len);
	if (ret && ret != -ENOENT)
		return ret;
	fresh = ret == -ENOENT;
	if (fresh)
		map_sizes_info(sz, &b->info);
	else if ((ret = sizes_kept(pin_root, sz, &b->info, strict, err, len)))
		return ret;
	libbpf_set_print(capture_print);
	b->skel = xfwd__open_opts(&opts);
	if (!b->skel) {
		snprintf(err, len, "cannot open the embedded XDP object: %s", strerror(errno));
		return -errno;
	}
	set_sizes(b->skel, &b->info);
	devmap_flags(b->skel, pin_root);
	if (!progs) {
		struct bpf_program *p;

		bpf_object__for_each_program(p, b->skel->obj)
			bpf_program__set_autoload(p, false);
	}
	ret = xfwd__load(b->skel);
	if (ret) {
		snprintf(err, len, "the kernel refused the XDP program or its maps (%s); libbpf said:\n%s\nIf pins under %s are from another build, run 'xfwd detach' first.",
			 strerror(-ret), log_tail(), pin_root);
		return ret;
	}
	fds_from_skel(b);
	if (fresh && bpf_map_update_elem(b->fd.info, &zero, &b->info, BPF_ANY)) {
		snprintf(err, len, "cannot write the ABI entry: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

int xb_load(struct xb *b, const char *pin_root, const struct map_sizes *sz,
	    char *err, size_t len)
{
	return load(b, pin_root, sz, true, true, err, len);
}

int xb_load_maps(struct xb *b, const char *pin_root, const struct map_sizes *sz,
		 char *err, size_t len)
{
	return load(b, pin_root, sz, false, false, err, len);
}

static int link_pin(char *buf, size_t len, const char *root, uint32_t ifindex)
{
	int n = snprintf(buf, len, "%s/" XFWD_LINK_PREFIX "%u", root, ifindex);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Already attached: swap the program in place (hitless upgrade). */
static int link_update(const char *path, int prog_fd, const char *dev,
		       char *err, size_t len)
{
	int fd = bpf_obj_get(path), ret = 0;

	if (fd < 0)
		return -ENOENT;
	if (bpf_link_update(fd, prog_fd, NULL)) {
		ret = -errno;
		snprintf(err, len, "cannot update the XDP program on %s: %s", dev,
			 strerror(errno));
	}
	close(fd);
	return ret;
}

static int link_create(struct xb *b, const struct link_info *li, int mode,
		       const char *path, char *err, size_t len)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo,
		    .flags = mode == XFWD_MODE_GENERIC ? XDP_FLAGS_SKB_MODE
						       : XDP_FLAGS_DRV_MODE);
	int prog = bpf_program__fd(b->skel->progs.xfwd_xdp);
	int fd = bpf_link_create(prog, (int)li->ifindex, BPF_XDP, &lo), ret = 0;

	if (fd < 0) {
		ret = -errno;
		if (ret == -EBUSY || ret == -EEXIST)
			snprintf(err, len, "%s already has an XDP program that is not xfwd's: remove it (ip link set dev %s xdp off) and retry",
				 li->name, li->name);
		else if (ret == -EOPNOTSUPP && mode == XFWD_MODE_NATIVE)
			snprintf(err, len, "%s has no native XDP support: use 'mode generic'", li->name);
		else if (mode == XFWD_MODE_GENERIC || !dev_xdp_refusal(li->name, err, len)) /* ENA: why */
			snprintf(err, len, "cannot attach XDP to %s: %s", li->name, strerror(-ret));
		return ret;
	}
	if (bpf_obj_pin(fd, path)) {
		ret = -errno;
		snprintf(err, len, "cannot pin the XDP link at %s: %s", path, strerror(errno));
	}
	close(fd); /* the pin keeps it attached; without one it detaches */
	return ret;
}

int xb_attach_dev(struct xb *b, const struct link_info *li, int mode,
		  char *err, size_t len)
{
	char path[PATH_MAX];
	int ret;

	if (link_pin(path, sizeof(path), b->pin_root, li->ifindex)) {
		snprintf(err, len, "pin root path too long");
		return -ENAMETOOLONG;
	}
	ret = link_update(path, bpf_program__fd(b->skel->progs.xfwd_xdp),
			  li->name, err, len);
	if (ret == -ENOENT)
		ret = link_create(b, li, mode, path, err, len);
	if (!ret && (ret = xb_register_dev(b, li, mode, err, len)))
		unlink(path);
	return ret;
}

int xb_register_dev(struct xb *b, const struct link_info *li, int mode,
		    char *err, size_t len)
{
	struct bpf_devmap_val dv = { .ifindex = li->ifindex };
	struct xfwd_iface ifc = { .ifindex = li->ifindex, .mtu = li->mtu,
				  .mode = (__u8)mode };
	struct xfwd_port_mac pm = { .ifindex = li->ifindex };
	uint32_t slot = li->ifindex % XFWD_PORT_SLOTS;

	memcpy(ifc.mac, li->mac, 6);
	memcpy(pm.mac, li->mac, 6);
	snprintf(ifc.name, sizeof(ifc.name), "%s", li->name);
	rtnl_iface_addrs(li->ifindex, (uint8_t *)&ifc.addr4, ifc.addr6);
	if (bpf_map_update_elem(b->fd.tx_ports, &li->ifindex, &dv, BPF_ANY) ||
	    bpf_map_update_elem(b->fd.ifaces, &li->ifindex, &ifc, BPF_ANY) ||
	    bpf_map_update_elem(b->fd.port_macs, &slot, &pm, BPF_ANY)) {
		snprintf(err, len, "cannot register %s in the xfwd maps: %s", li->name,
			 strerror(errno));
		return -errno;
	}
	return 0;
}

/* Its slot, unless another port has taken it since. */
static int port_mac_clear(struct xb *b, uint32_t ifindex)
{
	uint32_t slot = ifindex % XFWD_PORT_SLOTS;
	struct xfwd_port_mac pm;

	if (!bpf_map_lookup_elem(b->fd.port_macs, &slot, &pm) && pm.ifindex == ifindex) {
		memset(&pm, 0, sizeof(pm));
		return bpf_map_update_elem(b->fd.port_macs, &slot, &pm, BPF_ANY) ? -errno : 0;
	}
	return 0;
}

int xb_detach_dev(struct xb *b, uint32_t ifindex, char *err, size_t len)
{
	char path[PATH_MAX];

	if (link_pin(path, sizeof(path), b->pin_root, ifindex))
		return -ENAMETOOLONG;
	if ((bpf_map_delete_elem(b->fd.tx_ports, &ifindex) && errno != ENOENT) ||
	    (bpf_map_delete_elem(b->fd.ifaces, &ifindex) && errno != ENOENT) || port_mac_clear(b, ifindex)) {
		snprintf(err, len, "cannot remove interface %u from the xfwd maps: %s", ifindex, strerror(errno));
		return -errno;
	}
	if (unlink(path) && errno != ENOENT) {
		snprintf(err, len, "cannot remove %s: %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

bool xb_dev_attached(const struct xb *b, uint32_t ifindex)
{
	struct xfwd_iface ifc;

	return !bpf_map_lookup_elem(b->fd.ifaces, &ifindex, &ifc);
}

int xb_remove_all(const char *pin_root, char *err, size_t len)
{
	DIR *d = opendir(pin_root);
	struct dirent *e;
	char path[PATH_MAX];
	int ret = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	/* Links first: forwarding stops before its maps disappear. */
	for (int pass = 0; pass < 2; pass++) {
		rewinddir(d);
		while ((e = readdir(d))) {
			bool is_link = !strncmp(e->d_name, XFWD_LINK_PREFIX,
						strlen(XFWD_LINK_PREFIX));

			if (e->d_name[0] == '.' || is_link != (pass == 0))
				continue;
			if (xb_pin_path(path, sizeof(path), pin_root, e->d_name) ||
			    unlink(path)) {
				snprintf(err, len, "cannot remove %s/%s: %s", pin_root,
					 e->d_name, strerror(errno));
				ret = -errno;
			}
		}
	}
	closedir(d);
	if (!ret && rmdir(pin_root)) {
		snprintf(err, len, "cannot remove %s: %s", pin_root, strerror(errno));
		ret = -errno;
	}
	return ret;
}

void xb_close(struct xb *b)
{
	if (b->skel) {
		xfwd__destroy(b->skel); /* owns the map fds */
		b->skel = NULL;
		return;
	}
	for (size_t i = 0; i < N_PINS; i++)
		if (*map_fd(&b->fd, i) >= 0)
			close(*map_fd(&b->fd, i));
	maps_reset(&b->fd);
}
