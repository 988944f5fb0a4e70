/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mem bus: the register window mapped from /dev/mem, for a device no
 * kernel driver holds and no UIO driver is at hand for. Poll-only: there is
 * no interrupt (wait_irq says -ENOTSUP, irq_fd is -1; the transport then
 * polls, as its hotplug wait does).
 *
 * What the kernel allows: with STRICT_DEVMEM only ranges that are not RAM,
 * and with IO_STRICT_DEVMEM only pages that no driver has claimed (a busy
 * resource): the device must be unbound from virtio-mmio first, and so must
 * every other device whose window is in the same 4 KiB page (QEMU's microvm
 * packs eight 0x200-byte windows into one), or the kernel booted with
 * iomem=relaxed. The error says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mmio_win.h"

struct mem_bus {
	struct vmmio_mmio_win win; /* first: the ctx of the window's read/write */
	struct vmmio_allocator *dma;
	char name[VMMIO_BUS_NAME_MAX];
};

static void mem_close(void *ctx)
{
	struct mem_bus *b = ctx;

	vmmio_mmio_win_unmap(&b->win);
	if (b->dma)
		vmmio_hugemem_destroy(b->dma);
	free(b);
}

static int mem_wait_irq(void *ctx, int timeout_ms)
{
	(void)ctx;
	(void)timeout_ms;
	return -ENOTSUP;
}

static const struct vmmio_regwin_ops mem_ops = {
	.read = vmmio_mmio_win_read,
	.write = vmmio_mmio_win_write,
	.wait_irq = mem_wait_irq,
	.irq_unmask = NULL, /* no interrupt, nothing to unmask */
	.close = mem_close,
};

static void open_error(const struct vmmio_bus_dev *dev, const char *path, int e, char *err,
		       size_t errlen)
{
	const char *fix = "";

	if (e == EACCES || e == EPERM)
		fix = ": run as root (/dev/mem needs CAP_SYS_RAWIO)";
	else if (e == ENXIO || e == ENODEV)
		fix = ": this kernel has no /dev/mem (CONFIG_DEVMEM is off); use uio: instead";
	else if (e == ENOENT)
		fix = ": no /dev/mem node (a kernel without CONFIG_DEVMEM, or mknod /dev/mem c "
		      "1 1)";
	snprintf(err, errlen, "--device \"%s\": cannot open %s: %s%s", dev->name, path,
		 strerror(e), fix);
}

int vmmio_bus_mem_open(struct vmmio_bus_dev *dev, const struct vmmio_bus_opts *opts,
		       const struct vmmio_bus_env *env, char *err, size_t errlen)
{
	const struct vmmio_devarg_mem *a = &dev->arg.mem;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	/* mmap() takes whole pages: those that hold [base, base + size). The
	 * parser keeps base + size below 2^63, so neither sum wraps. */
	uint64_t first = a->base & ~(page - 1);
	uint64_t end = (a->base + a->size + page - 1) & ~(page - 1);
	char path[PATH_MAX], where[64];
	struct mem_bus *b;
	void *map;
	int fd, rc;

	b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "--device \"%s\": out of memory", dev->name);
		return -ENOMEM;
	}
	snprintf(b->name, sizeof(b->name), "%s", dev->name);
	vmmio_mmio_win_init(&b->win, b->name);

	/* O_SYNC: the kernel maps the range uncached, as MMIO must be. */
	snprintf(path, sizeof(path), "%s/dev/mem", env->root);
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		open_error(dev, path, errno, err, errlen);
		goto fail;
	}
	map = mmap(NULL, (size_t)(end - first), PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   (off_t)first);
	rc = map == MAP_FAILED ? -errno : 0;
	close(fd); /* the mapping outlives the file */
	if (rc == -EPERM || rc == -EACCES) {
		snprintf(err, errlen,
			 "--device \"%s\": the kernel refuses to map 0x%" PRIx64 "..0x%" PRIx64
			 " from %s (%s): STRICT_DEVMEM / IO_STRICT_DEVMEM allow only ranges no "
			 "driver holds. Unbind the device first (vmmio-devbind --unbind <dev>), "
			 "and every other device bound to a kernel driver in the same 4 KiB page, "
			 "or boot with iomem=relaxed on the kernel command line",
			 dev->name, first, end - 1, path, strerror(-rc));
		goto fail;
	}
	if (rc < 0) {
		snprintf(err, errlen, "--device \"%s\": cannot map 0x%" PRIx64 "..0x%" PRIx64
			 " from %s: %s", dev->name, first, end - 1, path, strerror(-rc));
		goto fail;
	}
	vmmio_mmio_win_set(&b->win, map, (size_t)(end - first), (size_t)(a->base - first),
			   a->size);
	snprintf(where, sizeof(where), "0x%" PRIx64, a->base);
	rc = vmmio_mmio_win_check_magic(&b->win, dev->name, where, err, errlen);
	if (rc < 0)
		goto fail;
	/* Which node a bare physical address is near is not known here. */
	rc = vmmio_bus_hw_dma(dev, opts, env, VMMIO_NUMA_ANY, &b->dma, err, errlen);
	if (rc < 0)
		goto fail;

	dev->win = (struct vmmio_regwin){
		.ops = &mem_ops,
		.ctx = b,
		.name = dev->name,
		.irq_fd = -1,
	};
	dev->priv = b;
	return 0;

fail:
	mem_close(b);
	return rc;
}
