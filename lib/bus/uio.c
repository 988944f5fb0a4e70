/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The uio bus: a virtio-mmio device bound to a UIO driver (our uio_vmmio,
 * kmod/). The UIO core exports the device's register window as a memory map
 * and its interrupt as /dev/uioN:
 *
 *   - /sys/class/uio/uioN/maps/mapK/{addr,size,offset}: the K-th map
 *     starts at physical page addr, is size bytes long, and the region it
 *     was made for starts offset bytes into it (several virtio-mmio windows
 *     share a 4 KiB page: QEMU's microvm puts them 0x200 apart). mmap() of
 *     /dev/uioN at K pages maps it;
 *   - read() of 4 bytes from /dev/uioN blocks until the line fires and
 *     returns the count of interrupts so far; poll() says when one is due;
 *   - write() of the 4-byte value 1 re-enables the line (the driver's
 *     irqcontrol): uio_vmmio masks the level-triggered line when it fires,
 *     since only the InterruptACK userspace writes lowers it.
 *
 * A platform device name (uio:LNRO0005:00) is resolved through
 * /sys/bus/platform/devices/<name>/uio/uioN. Every path is under
 * env->root, so the unit tests run this against a fake tree.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mmio_win.h"
#include "vmmio_regs.h"

/* The UIO core's MAX_UIO_MAPS. */
#define UIO_MAX_MAPS 5u

struct uio_bus {
	struct vmmio_mmio_win win; /* first: the ctx of the window's read/write */
	int fd; /* /dev/uioN: the mapping's file */
	int irq_fd; /* fd, or the test's stand-in (a dup, ours to close) */
	bool no_irqcontrol; /* the driver cannot unmask: nothing to do */
	uint32_t irq_count; /* the last event count read */
	struct vmmio_allocator *dma;
	char name[VMMIO_BUS_NAME_MAX];
};

static void uio_close(void *ctx)
{
	struct uio_bus *u = ctx;

	vmmio_mmio_win_unmap(&u->win);
	if (u->irq_fd >= 0 && u->irq_fd != u->fd)
		close(u->irq_fd);
	if (u->fd >= 0)
		close(u->fd);
	if (u->dma)
		vmmio_hugemem_destroy(u->dma);
	free(u);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One wake-up per firing: poll, then take the event with read(), whose
 * 4 bytes are the count of interrupts so far (several firings while the
 * driver was away coalesce into one wake-up, as the regwin contract has). */
static int uio_wait_irq(void *ctx, int timeout_ms)
{
	struct uio_bus *u = ctx;
	struct pollfd pfd = { .fd = u->irq_fd, .events = POLLIN };
	int64_t deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	uint32_t count;
	ssize_t n;
	int rc;

	for (;;) {
		rc = poll(&pfd, 1, timeout_ms);
		if (rc >= 0 || errno != EINTR)
			break;
		/* a signal: wait for what is left of the time */
		if (timeout_ms > 0) {
			int64_t left = deadline - now_ms();

			timeout_ms = left > 0 ? (int)left : 0;
		}
	}
	if (rc < 0)
		return -errno;
	if (rc == 0)
		return 0;
	if (!(pfd.revents & POLLIN))
		return -EIO; /* POLLERR/POLLHUP/POLLNVAL: the device went away */
	do
		n = read(u->irq_fd, &count, sizeof(count));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n != sizeof(count))
		return -EIO;
	u->irq_count = count;
	return 1;
}

/* UIO's irqcontrol: write the 4-byte value 1 to re-enable the line. */
static int uio_irq_unmask(void *ctx)
{
	struct uio_bus *u = ctx;
	const uint32_t on = 1;
	ssize_t n;

	if (u->no_irqcontrol)
		return 0;
	do
		n = write(u->irq_fd, &on, sizeof(on));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(on))
		return 0;
	if (n < 0 && errno == ENOSYS) {
		/* A driver without irqcontrol never masks the line. */
		u->no_irqcontrol = true;
		return 0;
	}
	return n < 0 ? -errno : -EIO;
}

static const struct vmmio_regwin_ops uio_ops = {
	.read = vmmio_mmio_win_read,
	.write = vmmio_mmio_win_write,
	.wait_irq = uio_wait_irq,
	.irq_unmask = uio_irq_unmask,
	.close = uio_close,
};

/* snprintf() of a path: a path longer than PATH_MAX comes out empty, which
 * no open() or stat() finds (ENOENT), rather than cut short to a path
 * that may name something else. */
static void mkpath(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void mkpath(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= PATH_MAX)
		buf[0] = '\0';
}

/* Read the small text file @path: 0 and @buf NUL-terminated without its
 * trailing newline, or -errno. */
static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* A sysfs number (UIO writes maps as 0x%llx; numa_node is decimal). */
static int read_u64(const char *path, uint64_t *v, char *err, size_t errlen, const char *arg)
{
	char buf[64], *end;
	int rc = read_text(path, buf, sizeof(buf));

	if (rc < 0) {
		snprintf(err, errlen, "--device \"%s\": cannot read %s: %s", arg, path,
			 strerror(-rc));
		return rc;
	}
	errno = 0;
	*v = strtoull(buf, &end, 0);
	if (errno || end == buf || *end || buf[0] == '-') {
		snprintf(err, errlen, "--device \"%s\": %s holds \"%s\", not a number", arg, path,
			 buf);
		return -EINVAL;
	}
	return 0;
}

/* uio:<platform device> -> N of its /sys/bus/platform/devices/<name>/uio/uioN. */
static int resolve_name(const struct vmmio_bus_dev *dev, const char *root, uint32_t *index,
			char *err, size_t errlen)
{
	const char *name = dev->arg.uio.name;
	char dir[PATH_MAX], path[PATH_MAX], drv[PATH_MAX];
	struct stat st;
	struct dirent *de;
	DIR *d;
	ssize_t n;

	mkpath(dir, "%s/sys/bus/platform/devices/%s", root, name);
	if (stat(dir, &st) < 0) {
		snprintf(err, errlen,
			 "--device \"%s\": no platform device %s (%s: %s; the names are in "
			 "/sys/bus/platform/devices)",
			 dev->name, name, dir, strerror(errno));
		return -ENODEV;
	}
	mkpath(path, "%s/uio", dir);
	d = opendir(path);
	if (!d) {
		int e = errno;

		mkpath(path, "%s/driver", dir);
		n = readlink(path, drv, sizeof(drv) - 1);
		if (n > 0) {
			drv[n] = '\0';
			snprintf(err, errlen,
				 "--device \"%s\": %s is bound to %s, not to a UIO driver: "
				 "vmmio-devbind --bind uio_vmmio %s",
				 dev->name, name, strrchr(drv, '/') ? strrchr(drv, '/') + 1 : drv,
				 name);
		} else {
			snprintf(err, errlen,
				 "--device \"%s\": %s is not bound to a UIO driver (%s/uio: %s): "
				 "vmmio-devbind --bind uio_vmmio %s",
				 dev->name, name, dir, strerror(e), name);
		}
		return -ENODEV;
	}
	while ((de = readdir(d))) {
		unsigned long long v;
		char *end;

		if (strncmp(de->d_name, "uio", 3) != 0 || de->d_name[3] < '0' ||
		    de->d_name[3] > '9')
			continue;
		errno = 0;
		v = strtoull(de->d_name + 3, &end, 10);
		if (errno || *end || v > VMMIO_DEVARG_MAX_UIO)
			continue;
		*index = (uint32_t)v;
		closedir(d);
		return 0;
	}
	closedir(d);
	snprintf(err, errlen,
		 "--device \"%s\": %s/uio has no uioN: the UIO driver registered no device "
		 "(see dmesg)",
		 dev->name, dir);
	return -ENODEV;
}

struct uio_map {
	unsigned k;
	uint64_t addr, size, offset;
};

/* The map that holds the register window: the first whose size covers at
 * least the registers (0x000..0x0ff) past its offset; map0 normally. */
static int find_map(const struct vmmio_bus_dev *dev, const char *sysdir, struct uio_map *m,
		    char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	unsigned k;
	int rc;

	for (k = 0; k < UIO_MAX_MAPS; k++) {
		mkpath(path, "%s/maps/map%u", sysdir, k);
		if (stat(path, &st) < 0)
			break;
		m->k = k;
		mkpath(path, "%s/maps/map%u/addr", sysdir, k);
		rc = read_u64(path, &m->addr, err, errlen, dev->name);
		if (rc < 0)
			return rc;
		mkpath(path, "%s/maps/map%u/size", sysdir, k);
		rc = read_u64(path, &m->size, err, errlen, dev->name);
		if (rc < 0)
			return rc;
		mkpath(path, "%s/maps/map%u/offset", sysdir, k);
		rc = read_u64(path, &m->offset, err, errlen, dev->name);
		if (rc < 0)
			return rc;
		if (m->offset % 4 == 0 && m->offset < m->size &&
		    m->size - m->offset >= VMMIO_REG_CONFIG && m->size <= SIZE_MAX)
			return 0;
	}
	if (k == 0)
		snprintf(err, errlen,
			 "--device \"%s\": %s/maps/map0 is missing: the UIO driver exports no "
			 "register window",
			 dev->name, sysdir);
	else
		snprintf(err, errlen,
			 "--device \"%s\": none of the %u maps in %s/maps holds a register window "
			 "(0x%x bytes from a 4-byte aligned offset)",
			 dev->name, k, sysdir, VMMIO_REG_CONFIG);
	return -ENODEV;
}

/*
 * How many bytes the window has. The map is whole pages; the platform
 * resource it was made for (what the device decodes, 0x200 on QEMU) is in
 * /proc/iomem under the same start address when we can read addresses
 * there (root). Otherwise the rest of the map, at most a page: no
 * virtio-mmio window is larger.
 */
static uint32_t window_size(const char *root, uint64_t phys, uint64_t avail)
{
	char path[PATH_MAX], line[256];
	uint64_t size = avail < VMMIO_DEVARG_MEM_SIZE_MAX ? avail : VMMIO_DEVARG_MEM_SIZE_MAX;
	FILE *f;

	mkpath(path, "%s/proc/iomem", root);
	f = fopen(path, "re");
	if (!f)
		return (uint32_t)size;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end;

		if (sscanf(line, " %llx-%llx :", &start, &end) != 2 || start != phys || end < start)
			continue;
		if (end - start + 1 >= VMMIO_REG_CONFIG && end - start + 1 <= size) {
			size = end - start + 1;
			break;
		}
	}
	fclose(f);
	return (uint32_t)size;
}

/* The device's NUMA node, VMMIO_NUMA_ANY when sysfs does not know it. */
static int device_node(const char *sysdir)
{
	char path[PATH_MAX], buf[32], *end;
	long v;

	mkpath(path, "%s/device/numa_node", sysdir);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return VMMIO_NUMA_ANY;
	v = strtol(buf, &end, 10);
	if (end == buf || *end || v < 0 || v > INT_MAX)
		return VMMIO_NUMA_ANY;
	return (int)v;
}

/* Why /dev/uioN would not open, and the fix. */
static void open_error(const struct vmmio_bus_dev *dev, const char *path, uint32_t index, int e,
		       const char *sysdir, char *err, size_t errlen)
{
	if (e == ENOENT)
		snprintf(err, errlen,
			 "--device \"%s\": cannot open %s (uio%u): %s: no device node (udev made "
			 "none?): mknod %s c <major:minor in %s/dev>",
			 dev->name, path, index, strerror(e), path, sysdir);
	else
		snprintf(err, errlen, "--device \"%s\": cannot open %s (uio%u): %s%s", dev->name,
			 path, index, strerror(e),
			 e == EACCES || e == EPERM ? ": run as root" : "");
}

int vmmio_bus_uio_open(struct vmmio_bus_dev *dev, const struct vmmio_bus_opts *opts,
		       const struct vmmio_bus_env *env, char *err, size_t errlen)
{
	char sysdir[PATH_MAX], path[PATH_MAX], where[PATH_MAX + 32];
	long page = sysconf(_SC_PAGESIZE);
	uint32_t index = dev->arg.uio.index;
	struct uio_bus *u;
	struct uio_map m;
	struct stat st;
	void *map;
	int rc;

	if (dev->arg.uio.by_name) {
		rc = resolve_name(dev, env->root, &index, err, errlen);
		if (rc < 0)
			return rc;
	}
	mkpath(sysdir, "%s/sys/class/uio/uio%u", env->root, index);
	if (stat(sysdir, &st) < 0) {
		snprintf(err, errlen,
			 "--device \"%s\": no UIO device uio%u (%s: %s): is the device bound to "
			 "uio_vmmio? (vmmio-devbind --bind uio_vmmio <device>)",
			 dev->name, index, sysdir, strerror(errno));
		return -ENODEV;
	}
	rc = find_map(dev, sysdir, &m, err, errlen);
	if (rc < 0)
		return rc;

	u = calloc(1, sizeof(*u));
	if (!u) {
		snprintf(err, errlen, "--device \"%s\": out of memory", dev->name);
		return -ENOMEM;
	}
	snprintf(u->name, sizeof(u->name), "%s", dev->name);
	vmmio_mmio_win_init(&u->win, u->name);
	u->irq_fd = -1;
	mkpath(path, "%s/dev/uio%u", env->root, index);
	u->fd = open(path, O_RDWR | O_CLOEXEC);
	if (u->fd < 0) {
		rc = -errno;
		open_error(dev, path, index, errno, sysdir, err, errlen);
		goto fail;
	}
	/* The UIO core picks map K by the mmap offset: K pages. */
	map = mmap(NULL, (size_t)m.size, PROT_READ | PROT_WRITE, MAP_SHARED, u->fd,
		   (off_t)m.k * page);
	if (map == MAP_FAILED) {
		rc = -errno;
		snprintf(err, errlen,
			 "--device \"%s\": cannot map %s map%u (0x%" PRIx64 " bytes at 0x%" PRIx64
			 "): %s",
			 dev->name, path, m.k, m.size, m.addr, strerror(errno));
		goto fail;
	}
	vmmio_mmio_win_set(&u->win, map, (size_t)m.size, (size_t)m.offset,
			   window_size(env->root, m.addr + m.offset, m.size - m.offset));
	snprintf(where, sizeof(where), "uio%u (0x%" PRIx64 ")", index, m.addr + m.offset);
	rc = vmmio_mmio_win_check_magic(&u->win, dev->name, where, err, errlen);
	if (rc < 0)
		goto fail;

	if (env->uio_irq_fd >= 0) {
		u->irq_fd = fcntl(env->uio_irq_fd, F_DUPFD_CLOEXEC, 0);
		if (u->irq_fd < 0) {
			rc = -errno;
			snprintf(err, errlen, "--device \"%s\": dup of the interrupt fd: %s",
				 dev->name, strerror(errno));
			goto fail;
		}
	} else {
		u->irq_fd = u->fd;
	}
	/* The line may still be masked from a firing nobody handled (an
	 * earlier user of the device in poll mode): start with it enabled, as
	 * DPDK's UIO PMDs do. A firing for a stale InterruptStatus then wakes
	 * the first wait, and vmmio_irq_handle() ACKs it. */
	uio_irq_unmask(u);
	rc = vmmio_bus_hw_dma(dev, opts, env, device_node(sysdir), &u->dma, err, errlen);
	if (rc < 0)
		goto fail;

	dev->win = (struct vmmio_regwin){
		.ops = &uio_ops,
		.ctx = u,
		.name = dev->name,
		.irq_fd = u->irq_fd,
	};
	dev->priv = u;
	return 0;

fail:
	uio_close(u);
	return rc;
}
