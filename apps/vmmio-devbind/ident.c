/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a device is: DeviceID, VendorID and Version, learnt the one way
 * that is safe for its binding.
 *   - bound to virtio-mmio: the kernel's virtio device already read them;
 *     its sysfs view (virtioN/device, vendor) says, and we keep off the
 *     registers a kernel driver owns. Version is not in that view: the
 *     negotiated VIRTIO_F_VERSION_1 (features bit 32) tells it once a
 *     virtio driver is bound, as virtio-mmio requires it of Version 2
 *     devices and a Version 1 device cannot offer it.
 *   - bound to a UIO driver: through its map, /dev/uioN at map0's offset.
 *   - unbound: through /dev/mem at the window. The kernel may refuse
 *     (STRICT_DEVMEM / IO_STRICT_DEVMEM while another device in the same
 *     page has a driver): that is reported, never fatal.
 * Only MagicValue, Version, DeviceID and VendorID are ever read: they are
 * read-only and reading them has no effect on the device.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devbind.h"
#include "vmmio_regs.h"

#define VIRTIO_F_VERSION_1 32

/* "Device Types" in the virtio specification: short names. */
const char *device_type_name(uint32_t id)
{
	static const char *const names[] = {
		[0] = "empty",
		[1] = "net",
		[2] = "blk",
		[3] = "console",
		[4] = "rng",
		[5] = "balloon",
		[6] = "iomemory",
		[7] = "rpmsg",
		[8] = "scsi",
		[9] = "9p",
		[10] = "mac80211-wlan",
		[11] = "rproc-serial",
		[12] = "caif",
		[13] = "memory-balloon",
		[16] = "gpu",
		[17] = "rtc",
		[18] = "input",
		[19] = "vsock",
		[20] = "crypto",
		[21] = "signal-dist",
		[22] = "pstore",
		[23] = "iommu",
		[24] = "mem",
		[25] = "sound",
		[26] = "fs",
		[27] = "pmem",
		[28] = "rpmb",
		[29] = "mac80211-hwsim",
		[30] = "video-encoder",
		[31] = "video-decoder",
		[32] = "scmi",
		[33] = "nitro-sec-mod",
		[34] = "i2c",
		[35] = "watchdog",
		[36] = "can",
		[38] = "param-server",
		[39] = "audio-policy",
		[40] = "bluetooth",
		[41] = "gpio",
		[42] = "rdma",
		[43] = "camera",
		[44] = "ism",
		[45] = "spi",
		[46] = "tee",
		[47] = "cpu-balloon",
		[48] = "media",
		[49] = "usb",
	};

	if (id < sizeof(names) / sizeof(names[0]) && names[id])
		return names[id];
	return "unknown";
}

static void why(struct vdev *d, const char *fmt, const char *a, int err)
{
	char what[160];

	strfmt(what, sizeof(what), fmt, a);
	strfmt(d->id_why, sizeof(d->id_why), "%s: %s", what, strerror(err));
}

/* Map @path at @map_off (page aligned) and read the four identity
 * registers at @in bytes into the mapping. */
static void read_regs(struct vdev *d, const char *path, uint64_t map_off, uint64_t in)
{
	long pg = sysconf(_SC_PAGESIZE);
	char p[PATH_LEN];
	size_t len;
	void *m;
	int fd;

	if (in % 4) {
		strfmt(d->id_why, sizeof(d->id_why), "window not 4-byte aligned");
		return;
	}
	len = (size_t)((in + 0x10 + (uint64_t)pg - 1) & ~((uint64_t)pg - 1));
	if (rpath(p, sizeof(p), "%s", path) < 0) {
		why(d, "%s", path, ENAMETOOLONG);
		return;
	}
	/* O_SYNC: /dev/mem maps uncached, as registers need. */
	fd = open(p, O_RDONLY | O_SYNC | O_CLOEXEC);
	if (fd < 0) {
		why(d, "open %s", path, errno);
		return;
	}
	m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)map_off);
	if (m == MAP_FAILED) {
		int err = errno;

		if (err == EPERM && strcmp(path, "/dev/mem") == 0)
			strfmt(d->id_why, sizeof(d->id_why),
				 "/dev/mem refused (%s): IO_STRICT_DEVMEM while a device in the "
				 "same page has a driver; iomem=relaxed lifts it",
				 strerror(err));
		else
			why(d, "mmap %s", path, err);
		close(fd);
		return;
	}
	close(fd);
	{
		const volatile uint32_t *r = (const volatile uint32_t *)((char *)m + in);

		d->magic = le32toh(r[VMMIO_REG_MAGIC_VALUE / 4]);
		d->version = le32toh(r[VMMIO_REG_VERSION / 4]);
		d->device_id = le32toh(r[VMMIO_REG_DEVICE_ID / 4]);
		d->vendor_id = le32toh(r[VMMIO_REG_VENDOR_ID / 4]);
	}
	munmap(m, len);
	if (d->magic != VMMIO_MAGIC_VALUE) {
		d->bad_magic = true;
		d->version = 0;
		strfmt(d->id_why, sizeof(d->id_why),
			 "MagicValue 0x%08x is not \"virt\": not a virtio-mmio window?", d->magic);
		return;
	}
	d->id_known = true;
}

static void from_virtio_sysfs(struct vdev *d)
{
	char p[PATH_LEN], buf[160], *end;
	unsigned long v;
	int rc;

	strfmt(p, sizeof(p), "/sys/bus/platform/devices/%s/%s/device", d->name, d->virtio);
	rc = read_text(p, buf, sizeof(buf));
	if (rc < 0) {
		why(d, "%s", p, -rc);
		return;
	}
	v = strtoul(buf, &end, 16);
	if (end == buf) {
		strfmt(d->id_why, sizeof(d->id_why), "%s: \"%s\" is not a number", p, buf);
		return;
	}
	d->device_id = (uint32_t)v;
	d->id_known = true;
	strfmt(p, sizeof(p), "/sys/bus/platform/devices/%s/%s/vendor", d->name, d->virtio);
	if (read_text(p, buf, sizeof(buf)) >= 0)
		d->vendor_id = (uint32_t)strtoul(buf, NULL, 16);
	/* features: one '0'/'1' per bit, bit 0 first; meaningful once a
	 * virtio driver negotiated them. */
	strfmt(p, sizeof(p), "/sys/bus/platform/devices/%s/%s/driver", d->name, d->virtio);
	if (read_link_base(p, buf, sizeof(buf)) < 0)
		return;
	strfmt(p, sizeof(p), "/sys/bus/platform/devices/%s/%s/features", d->name, d->virtio);
	if (read_text(p, buf, sizeof(buf)) > VIRTIO_F_VERSION_1)
		d->version = buf[VIRTIO_F_VERSION_1] == '1' ? VMMIO_VERSION_MODERN
							    : VMMIO_VERSION_LEGACY;
}

void identify(struct vdev *d)
{
	char node[64];

	if (strcmp(d->driver, DRV_VIRTIO) == 0) {
		if (d->virtio[0])
			from_virtio_sysfs(d);
		else
			strfmt(d->id_why, sizeof(d->id_why),
				 "bound to virtio-mmio without a virtio device");
	} else if (d->uio[0]) {
		strfmt(node, sizeof(node), "/dev/%s", d->uio);
		/* map N is at offset N pages of /dev/uioN; map0 is the window. */
		read_regs(d, node, 0, d->uio_offset);
	} else if (d->driver[0]) {
		strfmt(d->id_why, sizeof(d->id_why), "bound to %s: registers not read",
			 d->driver);
	} else if (!d->has_window) {
		strfmt(d->id_why, sizeof(d->id_why),
			 "window unknown (/proc/iomem unreadable: not root?)");
	} else {
		long pg = sysconf(_SC_PAGESIZE);
		uint64_t page = d->base & ~((uint64_t)pg - 1);

		read_regs(d, "/dev/mem", page, d->base - page);
	}
}
