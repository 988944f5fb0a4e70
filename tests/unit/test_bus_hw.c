/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The buses that reach real devices, uio and mem, against a fake system in
 * a temporary directory (vmmio_bus_open_env(), lib/bus/bus_internal.h):
 * sysfs files for UIO's maps, a regular file standing in for /dev/uioN and
 * /dev/mem (it can be mapped; the "device" is the bytes we put in it), a
 * socket pair standing in for the interrupt (poll, the count, the unmask).
 * What they prove: the platform name resolves, the right map is mapped at
 * the window's offset, register accesses have the width, byte order and
 * bounds asked, the interrupt is one wake-up per firing and the unmask is
 * UIO's irqcontrol write, every refusal names its path and fix, and a
 * failed open leaves no fd behind. On the real system, only what cannot
 * touch physical memory: /dev/mem missing or refused.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "bus_internal.h"
#include "mmio_win.h"
#include "tap.h"
#include "vmmio_dev.h"
#include "vmmio_regs.h"

static char root[64];
static char err[1024];

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void mkdirs(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	mkdir(path, 0755);
}

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A "device" file of @len bytes with a virtio-mmio window at @at (magic
 * only when @magic): Version 2, a net device. */
static void put_device(const char *rel, size_t len, size_t at, bool magic)
{
	unsigned char *buf = calloc(1, len);
	char path[512];
	FILE *f;

	if (magic)
		put_le32(buf + at + VMMIO_REG_MAGIC_VALUE, VMMIO_MAGIC_VALUE);
	put_le32(buf + at + VMMIO_REG_VERSION, 2);
	put_le32(buf + at + VMMIO_REG_DEVICE_ID, VMMIO_DEVICE_ID_NET);
	put_le32(buf + at + VMMIO_REG_VENDOR_ID, 0x554d4551);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(fwrite(buf, 1, len, f), len);
		fclose(f);
	}
	free(buf);
}

/* @n bytes of the device file at @off, as the "device" sees them. */
static uint32_t dev_bytes(const char *rel, size_t off, unsigned n)
{
	char path[512];
	unsigned char b[4] = { 0 };
	uint32_t v = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	CHECK_EQ(pread(fd, b, n, (off_t)off), n);
	close(fd);
	for (unsigned i = 0; i < n; i++)
		v |= (uint32_t)b[i] << (8 * i);
	return v;
}

/* A UIO device uio@n: its map @k (earlier maps too small to hold a window)
 * with the window @offset bytes into a page, the device node, NUMA node. */
static void put_uio(unsigned n, unsigned k, unsigned offset, const char *numa, bool node)
{
	char rel[256], val[64];

	for (unsigned i = 0; i <= k; i++) {
		snprintf(rel, sizeof(rel), "sys/class/uio/uio%u/maps/map%u", n, i);
		mkdirs(rel);
		snprintf(rel, sizeof(rel), "sys/class/uio/uio%u/maps/map%u/addr", n, i);
		snprintf(val, sizeof(val), "0x%016x\n", 0xfeb02000u + 0x1000u * n);
		put(rel, val);
		snprintf(rel, sizeof(rel), "sys/class/uio/uio%u/maps/map%u/size", n, i);
		put(rel, i == k ? "0x0000000000001000\n" : "0x0000000000000080\n");
		snprintf(rel, sizeof(rel), "sys/class/uio/uio%u/maps/map%u/offset", n, i);
		snprintf(val, sizeof(val), "0x%x\n", i == k ? offset : 0);
		put(rel, val);
	}
	snprintf(rel, sizeof(rel), "sys/class/uio/uio%u/device", n);
	mkdirs(rel);
	if (numa) {
		snprintf(rel, sizeof(rel), "sys/class/uio/uio%u/device/numa_node", n);
		put(rel, numa);
	}
	if (node) {
		snprintf(rel, sizeof(rel), "dev/uio%u", n);
		put_device(rel, 0x1000u * (k + 1), 0x1000u * k + offset, true);
	}
}

static void build_tree(void)
{
	char rel[256];

	snprintf(root, sizeof(root), "/tmp/vmmio-bus-hw-XXXXXX");
	CHECK(mkdtemp(root) != NULL);
	mkdirs("dev");
	mkdirs("proc");
	/* uio3: the ACPI device LNRO0005:00, window at 0xe00 of map0. */
	put_uio(3, 0, 0xe00, "1\n", true);
	mkdirs("sys/bus/platform/devices/LNRO0005:00/uio/uio3");
	/* uio4: the window at 0x400 of map1 (map0 too small to hold one); the
	 * page also holds the windows of other devices after it, which only
	 * /proc/iomem tells apart. */
	put_uio(4, 1, 0x400, "-1\n", true);
	put("proc/iomem", "00100000-bfffffff : System RAM\n"
			  "feb04000-febfffff : Reserved\n"
			  "  feb06400-feb065ff : LNRO0005:04\n");
	/* LNRO0005:01 bound to the kernel's virtio-mmio; :02 bound to nothing. */
	mkdirs("sys/bus/platform/devices/LNRO0005:01");
	mkdirs("sys/bus/platform/drivers/virtio-mmio");
	CHECK_EQ(symlink("../../../bus/platform/drivers/virtio-mmio",
			 strcat(strcpy(rel, root), "/sys/bus/platform/devices/LNRO0005:01/driver")),
		 0);
	mkdirs("sys/bus/platform/devices/LNRO0005:02");
	mkdirs("sys/bus/platform/devices/LNRO0005:03/uio");
	/* uio5: no magic; uio6: no device node; uio7: no maps. */
	put_uio(5, 0, 0, NULL, false);
	put_device("dev/uio5", 0x1000, 0, false);
	put_uio(6, 0, 0, NULL, false);
	mkdirs("sys/class/uio/uio7");
	/* uio8: a map whose size leaves no room for the registers. */
	mkdirs("sys/class/uio/uio8/maps/map0");
	put("sys/class/uio/uio8/maps/map0/addr", "0xfeb08000\n");
	put("sys/class/uio/uio8/maps/map0/size", "0x1000\n");
	put("sys/class/uio/uio8/maps/map0/offset", "0xf80\n");
	/* uio9: a map file that is not a number. */
	mkdirs("sys/class/uio/uio9/maps/map0");
	put("sys/class/uio/uio9/maps/map0/addr", "banana\n");
	/* /dev/mem: a "physical memory" of 16 KiB with a window at 0x2e00. */
	put_device("dev/mem", 0x4000, 0x2e00, true);
}

static void remove_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char sub[1024];

	if (lstat(path, &st) < 0)
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path))) {
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			remove_tree(sub);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static const struct vmmio_bus_opts no_dma = { .hw = { .no_dma = true } };

static int open_env(const char *arg, const struct vmmio_bus_opts *o, int irq_fd,
		    struct vmmio_bus_dev *bd)
{
	const struct vmmio_bus_env env = { .root = root, .uio_irq_fd = irq_fd };

	memset(err, 0, sizeof(err));
	return vmmio_bus_open_env(&env, arg, o, bd, err, sizeof(err));
}

/* The window behind a uio or mem device (the bus state starts with it). */
static struct vmmio_mmio_win *win_of(struct vmmio_bus_dev *bd)
{
	return bd->win.ctx;
}

static uint32_t rd(struct vmmio_bus_dev *bd, uint32_t off, unsigned size)
{
	return bd->win.ops->read(bd->win.ctx, off, size);
}

static void wr(struct vmmio_bus_dev *bd, uint32_t off, unsigned size, uint32_t v)
{
	bd->win.ops->write(bd->win.ctx, off, size, v);
}

/* uio by platform name: resolution, map0 at its offset, registers. */
static void t_uio_by_name(void)
{
	struct vmmio_bus_dev bd;
	struct vmmio_dev d;
	int fds = count_fds();

	CHECK_EQ(open_env("uio:LNRO0005:00", &no_dma, -1, &bd), 0);
	CHECK_EQ(err[0], '\0');
	CHECK_EQ(bd.arg.bus, VMMIO_DEVARG_BUS_UIO);
	CHECK(bd.win.name == bd.name);
	CHECK(bd.win.irq_fd >= 0); /* the device node itself */
	CHECK(bd.dma == NULL);
	CHECK_EQ(bd.numa_node, 1); /* the device's, from sysfs */
	CHECK_EQ(win_of(&bd)->size, 0x200); /* the rest of the page */
	CHECK_EQ(rd(&bd, VMMIO_REG_MAGIC_VALUE, 4), VMMIO_MAGIC_VALUE);
	/* the driver's probe through the window */
	CHECK_EQ(vmmio_probe(&d, &bd.win, NULL), 0);
	CHECK_EQ(d.device_id, VMMIO_DEVICE_ID_NET);
	vmmio_bus_close(&bd);
	vmmio_bus_close(&bd);
	CHECK_EQ(count_fds(), fds);
}

/* Widths, byte order, bounds: a write lands on exactly its bytes, little
 * endian; a read returns them; anything outside the window or misaligned is
 * refused and does not touch the bytes beyond. */
static void t_uio_access(void)
{
	struct vmmio_bus_dev bd;

	CHECK_EQ(open_env("uio:/dev/uio4", &no_dma, -1, &bd), 0);
	CHECK_EQ(err[0], '\0');
	CHECK_EQ(bd.numa_node, VMMIO_NUMA_ANY); /* numa_node -1 */
	/* map1 is mapped (at page 1 of the node), the window 0x400 into it; it
	 * ends where /proc/iomem says, not at the page's end */
	CHECK_EQ(win_of(&bd)->size, 0x200);
	CHECK_EQ(rd(&bd, VMMIO_REG_DEVICE_ID, 4), VMMIO_DEVICE_ID_NET);
	CHECK_EQ(rd(&bd, VMMIO_REG_VENDOR_ID, 2), 0x4551);
	CHECK_EQ(rd(&bd, VMMIO_REG_VENDOR_ID + 2, 2), 0x554d);
	CHECK_EQ(rd(&bd, VMMIO_REG_VENDOR_ID + 3, 1), 0x55);

	wr(&bd, VMMIO_REG_STATUS, 4, 0x0000000f);
	CHECK_EQ(dev_bytes("dev/uio4", 0x1400 + VMMIO_REG_STATUS, 4), 0x0f);
	wr(&bd, VMMIO_REG_QUEUE_DESC_LOW, 4, 0x12345678);
	CHECK_EQ(dev_bytes("dev/uio4", 0x1400 + VMMIO_REG_QUEUE_DESC_LOW, 1), 0x78);
	CHECK_EQ(dev_bytes("dev/uio4", 0x1400 + VMMIO_REG_QUEUE_DESC_LOW + 3, 1), 0x12);
	wr(&bd, VMMIO_REG_CONFIG + 6, 2, 0xabcd);
	CHECK_EQ(dev_bytes("dev/uio4", 0x1400 + VMMIO_REG_CONFIG + 6, 4), 0xabcd);
	wr(&bd, VMMIO_REG_CONFIG + 9, 1, 0x1ee);
	CHECK_EQ(dev_bytes("dev/uio4", 0x1400 + VMMIO_REG_CONFIG + 8, 4), 0xee00);
	CHECK_EQ(rd(&bd, VMMIO_REG_CONFIG + 6, 2), 0xabcd);
	CHECK_EQ(rd(&bd, VMMIO_REG_CONFIG + 8, 4), 0xee00);
	CHECK_EQ(rd(&bd, VMMIO_REG_CONFIG + 9, 1), 0xee);
	CHECK_EQ(win_of(&bd)->refused, 0);

	/* The last word is in; anything past it, misaligned or of a width the
	 * spec does not have is refused: reads all ones, writes dropped. */
	CHECK_EQ(rd(&bd, 0x1fc, 4), 0);
	CHECK_EQ(rd(&bd, 0x1ff, 1), 0);
	CHECK_EQ(rd(&bd, 0x200, 4), UINT32_MAX);
	CHECK_EQ(rd(&bd, 0x1fe, 4), UINT32_MAX);
	CHECK_EQ(rd(&bd, UINT32_MAX - 1, 2), UINT32_MAX);
	CHECK_EQ(rd(&bd, 0x102, 4), UINT32_MAX);
	CHECK_EQ(rd(&bd, 0x101, 2), UINT32_MAX);
	CHECK_EQ(rd(&bd, 0x100, 8), UINT32_MAX);
	CHECK_EQ(rd(&bd, 0x100, 3), UINT32_MAX);
	wr(&bd, 0x200, 4, 0xdeadbeef); /* the next device's window */
	wr(&bd, 0x1fe, 4, 0xdeadbeef);
	wr(&bd, 0x0ff, 4, 0xdeadbeef);
	CHECK_EQ(dev_bytes("dev/uio4", 0x1600, 4), 0);
	CHECK_EQ(dev_bytes("dev/uio4", 0x15fc, 4), 0);
	CHECK_EQ(dev_bytes("dev/uio4", 0x14fc, 4), 0);
	CHECK_EQ(win_of(&bd)->refused, 10);
	vmmio_bus_close(&bd);
}

/* The interrupt: poll, one wake-up per firing (the count read), unmask =
 * UIO's irqcontrol write of 1. A socket pair stands in for /dev/uioN. */
static void t_uio_irq(void)
{
	struct vmmio_bus_dev bd;
	struct timespec t0, t1;
	uint32_t v = 7;
	int sv[2];
	long ms;

	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(open_env("uio:/dev/uio3", &no_dma, sv[0], &bd), 0);
	CHECK(bd.win.irq_fd >= 0 && bd.win.irq_fd != sv[0]); /* the bus's own dup */
	CHECK_EQ(bd.win.ops->wait_irq(bd.win.ctx, 0), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ(bd.win.ops->wait_irq(bd.win.ctx, 30), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(ms >= 29);
	/* the line fires: one wake-up, then nothing until it fires again */
	CHECK_EQ(write(sv[1], &v, 4), 4);
	CHECK_EQ(bd.win.ops->wait_irq(bd.win.ctx, 0), 1);
	CHECK_EQ(bd.win.ops->wait_irq(bd.win.ctx, 0), 0);
	v = 8;
	CHECK_EQ(write(sv[1], &v, 4), 4);
	CHECK_EQ(bd.win.ops->wait_irq(bd.win.ctx, -1), 1);
	/* unmask writes the 4-byte value 1 */
	CHECK_EQ(vmmio_regwin_unmask(&bd.win), 0);
	v = 0;
	CHECK_EQ(read(sv[1], &v, 4), 4);
	CHECK_EQ(v, 1);
	/* the device went away (the other end hangs up): an error, not a firing */
	close(sv[1]);
	CHECK(bd.win.ops->wait_irq(bd.win.ctx, 0) < 0);
	vmmio_bus_close(&bd);
	close(sv[0]);
}

/* hw.node overrides the device's node, node 0 included. */
static void t_uio_node(void)
{
	struct vmmio_bus_opts o = { .hw = { .no_dma = true, .node_set = true, .node = 0 } };
	struct vmmio_bus_dev bd;

	CHECK_EQ(open_env("uio:LNRO0005:00", &o, -1, &bd), 0);
	CHECK_EQ(bd.numa_node, 0);
	vmmio_bus_close(&bd);
}

struct refusal {
	const char *arg;
	int rc;
	const char *msg; /* after the root, where a path is named */
};

static const struct refusal uio_refusals[] = {
	{ "uio:NOPE", -ENODEV, "no platform device NOPE (" },
	{ "uio:LNRO0005:01", -ENODEV,
	  "LNRO0005:01 is bound to virtio-mmio, not to a UIO driver: vmmio-devbind --bind "
	  "uio_vmmio LNRO0005:01" },
	{ "uio:LNRO0005:02", -ENODEV,
	  "LNRO0005:02 is not bound to a UIO driver (" },
	{ "uio:LNRO0005:03", -ENODEV, "/uio has no uioN: the UIO driver registered no device" },
	{ "uio:/dev/uio42", -ENODEV, "no UIO device uio42 (" },
	{ "uio:/dev/uio5", -ENODEV,
	  "uio5 (0xfeb07000) is not a virtio-mmio device: MagicValue reads 0x00000000, not "
	  "0x74726976 (\"virt\")" },
	{ "uio:/dev/uio6", -ENOENT, "/dev/uio6 (uio6): No such file or directory: no device node" },
	{ "uio:/dev/uio7", -ENODEV, "/maps/map0 is missing: the UIO driver exports no register" },
	{ "uio:/dev/uio8", -ENODEV, "none of the 1 maps in " },
	{ "uio:/dev/uio9", -EINVAL, "/maps/map0/addr holds \"banana\", not a number" },
};

static void t_uio_refusal(const void *arg)
{
	const struct refusal *r = arg;
	struct vmmio_bus_dev bd;
	char prefix[128];
	int fds = count_fds();

	CHECK_EQ(open_env(r->arg, &no_dma, -1, &bd), r->rc);
	snprintf(prefix, sizeof(prefix), "--device \"%s\": ", r->arg);
	CHECK(strncmp(err, prefix, strlen(prefix)) == 0);
	CHECK_STR_HAS(err, r->msg);
	CHECK(bd.win.ops == NULL);
	CHECK_EQ(bd.win.irq_fd, -1);
	CHECK_EQ(bd.numa_node, VMMIO_NUMA_ANY);
	vmmio_bus_close(&bd);
	CHECK_EQ(count_fds(), fds);
}

/* With DMA asked for, the fake tree has no hugetlbfs: the open fails with
 * the allocator's reason, after the window opened, and releases it all. */
static void t_dma_refused(void)
{
	struct vmmio_bus_dev bd;
	int fds = count_fds();

	CHECK(open_env("uio:LNRO0005:00", NULL, -1, &bd) < 0);
	CHECK_STR_HAS(err, "--device \"uio:LNRO0005:00\": DMA memory: ");
	printf("# %s\n", err);
	CHECK(bd.win.ops == NULL && bd.dma == NULL);
	CHECK_EQ(count_fds(), fds);
	CHECK(open_env("mem:0x2e00", NULL, -1, &bd) < 0);
	CHECK_STR_HAS(err, "--device \"mem:0x2e00\": DMA memory: ");
	CHECK_EQ(count_fds(), fds);
}

/* mem: the page(s) holding the window, poll-only. */
static void t_mem(void)
{
	struct vmmio_bus_opts o = { .hw = { .no_dma = true, .node_set = true, .node = 0 } };
	struct vmmio_bus_dev bd;
	struct vmmio_dev d;
	int fds = count_fds();

	CHECK_EQ(open_env("mem:0x2e00", &no_dma, -1, &bd), 0);
	CHECK_EQ(err[0], '\0');
	CHECK_EQ(bd.arg.bus, VMMIO_DEVARG_BUS_MEM);
	CHECK_EQ(bd.win.irq_fd, -1);
	CHECK_EQ(bd.numa_node, VMMIO_NUMA_ANY);
	CHECK_EQ(win_of(&bd)->size, 0x200);
	CHECK_EQ(bd.win.ops->wait_irq(bd.win.ctx, 0), -ENOTSUP);
	CHECK_EQ(bd.win.ops->wait_irq(bd.win.ctx, -1), -ENOTSUP);
	CHECK_EQ(vmmio_regwin_unmask(&bd.win), 0);
	CHECK_EQ(vmmio_probe(&d, &bd.win, NULL), 0);
	CHECK_EQ(d.device_id, VMMIO_DEVICE_ID_NET);
	wr(&bd, VMMIO_REG_STATUS, 4, 0x01);
	CHECK_EQ(dev_bytes("dev/mem", 0x2e00 + VMMIO_REG_STATUS, 4), 1);
	wr(&bd, 0x200, 4, 0xdeadbeef);
	CHECK_EQ(dev_bytes("dev/mem", 0x3000, 4), 0);
	CHECK_EQ(win_of(&bd)->refused, 1);
	vmmio_bus_close(&bd);
	vmmio_bus_close(&bd);
	CHECK_EQ(count_fds(), fds); /* /dev/mem is closed once mapped */

	/* size= bounds the window: the configuration space of a 0x100 window
	 * is refused; a window that straddles two pages maps both. */
	CHECK_EQ(open_env("mem:0x2e00,size=0x100", &o, -1, &bd), 0);
	CHECK_EQ(bd.numa_node, 0);
	CHECK_EQ(rd(&bd, VMMIO_REG_CONFIG, 4), UINT32_MAX);
	CHECK_EQ(win_of(&bd)->map_len, 0x1000);
	vmmio_bus_close(&bd);
	CHECK(open_env("mem:0x2f00,size=0x200", &no_dma, -1, &bd) < 0);
	CHECK_EQ(bd.win.ops == NULL, 1);
	CHECK_STR_HAS(err, "0x2f00 is not a virtio-mmio device: MagicValue reads 0x00000000");
	CHECK_EQ(count_fds(), fds);
}

/* A kernel that refuses the range (EPERM from mmap): a memfd sealed
 * against writes refuses a writable shared mapping with EPERM, as
 * STRICT_DEVMEM does; /dev/mem in the fake tree is a link to it. */
static void t_mem_refused(void)
{
	struct vmmio_bus_dev bd;
	char link[512], target[64];
	int fd = memfd_create("fake-devmem", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	CHECK(fd >= 0);
	CHECK_EQ(ftruncate(fd, 0x4000), 0);
	CHECK_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), 0);
	snprintf(target, sizeof(target), "/proc/%d/fd/%d", (int)getpid(), fd);
	snprintf(link, sizeof(link), "%s/dev/mem", root);
	unlink(link);
	CHECK_EQ(symlink(target, link), 0);
	CHECK_EQ(open_env("mem:0xfeb02e00", &no_dma, -1, &bd), -EPERM);
	CHECK_STR_HAS(err, "--device \"mem:0xfeb02e00\": the kernel refuses to map "
			   "0xfeb02000..0xfeb02fff from ");
	CHECK_STR_HAS(err, "STRICT_DEVMEM / IO_STRICT_DEVMEM");
	CHECK_STR_HAS(err, "vmmio-devbind --unbind <dev>");
	CHECK_STR_HAS(err, "same 4 KiB page");
	CHECK_STR_HAS(err, "iomem=relaxed");
	unlink(link);
	close(fd);

	/* no /dev/mem at all */
	CHECK_EQ(open_env("mem:0xfeb02e00", &no_dma, -1, &bd), -ENOENT);
	CHECK_STR_HAS(err, "/dev/mem: No such file or directory: no /dev/mem node");
}

/* The real system, where nothing can be mapped here: this host's kernel
 * has no /dev/mem. Never maps anything where /dev/mem works. */
static void t_mem_real(void)
{
	struct vmmio_bus_env env = { .root = root, .uio_irq_fd = -1 };
	struct vmmio_bus_dev bd;
	char node[512];
	int fd;

	if (access("/dev/mem", F_OK) < 0) {
		CHECK_EQ(vmmio_bus_open("mem:0xfeb02e00", &no_dma, &bd, err, sizeof(err)),
			 -ENOENT);
		CHECK_STR_HAS(err, "--device \"mem:0xfeb02e00\": cannot open /dev/mem: No such "
				   "file or directory: no /dev/mem node (a kernel without "
				   "CONFIG_DEVMEM, or mknod /dev/mem c 1 1)");
	}
	/* The memory device's node, where the kernel has no driver for it:
	 * tried only when opening it fails (nothing is mapped). */
	snprintf(node, sizeof(node), "%s/dev/mem", root);
	unlink(node);
	if (mknod(node, S_IFCHR | 0600, makedev(1, 1)) < 0) {
		printf("# cannot mknod %s: %s; skipped\n", node, strerror(errno));
		return;
	}
	fd = open(node, O_RDWR | O_SYNC);
	if (fd >= 0) {
		close(fd); /* a working /dev/mem: not touched */
		printf("# this kernel has /dev/mem; the ENXIO case is skipped\n");
	} else if (errno == ENXIO) {
		CHECK_EQ(vmmio_bus_open_env(&env, "mem:0xfeb02e00", &no_dma, &bd, err,
					    sizeof(err)),
			 -ENXIO);
		CHECK_STR_HAS(err, "this kernel has no /dev/mem (CONFIG_DEVMEM is off); use uio: "
				   "instead");
	}
	unlink(node);
}

static void t_names(void)
{
	const char *want =
#ifdef VMMIO_BUS_SIM
		"sim, uio, mem"
#else
		"uio, mem"
#endif
#ifdef VMMIO_BUS_VHOST
		", vhost"
#endif
		;
	CHECK(strcmp(vmmio_bus_names(), want) == 0);
}

int main(void)
{
	build_tree();
	TAP_RUN(t_uio_by_name);
	TAP_RUN(t_uio_access);
	TAP_RUN(t_uio_irq);
	TAP_RUN(t_uio_node);
	for (size_t i = 0; i < sizeof(uio_refusals) / sizeof(uio_refusals[0]); i++) {
		char name[160];

		snprintf(name, sizeof(name), "refuses %s", uio_refusals[i].arg);
		tap_run_arg(name, t_uio_refusal, &uio_refusals[i]);
	}
	TAP_RUN(t_dma_refused);
	TAP_RUN(t_mem);
	TAP_RUN(t_mem_refused);
	TAP_RUN(t_mem_real);
	TAP_RUN(t_names);
	remove_tree(root);
	return tap_end();
}
