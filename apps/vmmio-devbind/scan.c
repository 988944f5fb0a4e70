/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Finding the virtio-mmio devices and what the kernel says about each:
 * its driver, driver_override, register window, interrupt and UIO node.
 *
 * A virtio-mmio transport is a platform device described by
 *   - ACPI: _HID LNRO0005, named LNRO0005:NN, firmware_node/hid LNRO0005,
 *     modalias "acpi:LNRO0005:";
 *   - a device tree node compatible with "virtio,mmio" (of_node/compatible,
 *     modalias "of:N...C virtio,mmio"), named <address>.<node name>;
 *   - virtio_mmio.device=SIZE@BASE:IRQ on the kernel command line, named
 *     virtio-mmio.N (CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES: Firecracker);
 * or any platform device bound to virtio-mmio or uio_vmmio.
 *
 * The window: platform_device_add() inserts each memory resource into
 * /proc/iomem under the device's name whatever the binding (a bound driver
 * adds a busy child of the same name), so iomem serves bound and unbound
 * devices alike; a device tree resource is named after the node instead.
 * The UIO map (addr + offset) is the fallback. /proc/iomem shows zeros to
 * non-root readers: then the window is unknown.
 *
 * The interrupt: a platform device has no sysfs file for it. /proc/interrupts
 * names the handler: virtio-mmio requests it as the virtio device (virtioN),
 * a UIO driver under its info name; the command line gives it for
 * virtio-mmio.N. Otherwise (an unbound ACPI device) it is unknown.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devbind.h"

#define DEVICES "/sys/bus/platform/devices"
#define ACPI_HID "LNRO0005"

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* A device tree "compatible" value: NUL-separated strings. */
static bool compatible_has(const char *buf, int len, const char *want)
{
	for (int i = 0; i < len; i += (int)strlen(buf + i) + 1)
		if (strcmp(buf + i, want) == 0)
			return true;
	return false;
}

bool is_virtio_mmio_device(const char *name, enum fw_source *fw)
{
	char p[PATH_LEN], buf[1024];
	int n;

	strfmt(p, sizeof(p), DEVICES "/%s/firmware_node/hid", name);
	if (has_prefix(name, ACPI_HID ":") ||
	    (read_text(p, buf, sizeof(buf)) >= 0 && strcmp(buf, ACPI_HID) == 0)) {
		*fw = FW_ACPI;
		return true;
	}
	strfmt(p, sizeof(p), DEVICES "/%s/modalias", name);
	if (read_text(p, buf, sizeof(buf)) >= 0) {
		if (has_prefix(buf, "acpi:") && strstr(buf, ":" ACPI_HID ":")) {
			*fw = FW_ACPI;
			return true;
		}
		if (has_prefix(buf, "of:") && strstr(buf, "Cvirtio,mmio")) {
			*fw = FW_DT;
			return true;
		}
	}
	strfmt(p, sizeof(p), DEVICES "/%s/of_node/compatible", name);
	n = read_text(p, buf, sizeof(buf));
	if (n > 0 && compatible_has(buf, n, "virtio,mmio")) {
		*fw = FW_DT;
		return true;
	}
	if (has_prefix(name, "virtio-mmio.") && name[12] &&
	    strspn(name + 12, "0123456789") == strlen(name + 12)) {
		*fw = FW_CMDLINE;
		return true;
	}
	strfmt(p, sizeof(p), DEVICES "/%s/driver", name);
	if (read_link_base(p, buf, sizeof(buf)) == 0 &&
	    (strcmp(buf, DRV_VIRTIO) == 0 || strcmp(buf, DRV_UIO) == 0)) {
		*fw = FW_DRIVER;
		return true;
	}
	return false;
}

/* The first (outermost) /proc/iomem entry named @want. */
static bool iomem_find(const char *want, uint64_t *base, uint64_t *size)
{
	char p[PATH_LEN], line[512];
	bool found = false;
	FILE *f;

	if (!want[0] || rpath(p, sizeof(p), "/proc/iomem") < 0 || !(f = fopen(p, "re")))
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long long s, e;
		int off = 0;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, " %llx-%llx : %n", &s, &e, &off) != 2 || !off)
			continue;
		/* Unprivileged readers see 00000000-00000000 for everything. */
		if (strcmp(line + off, want) == 0 && e > s) {
			*base = s;
			*size = e - s + 1;
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* The irq whose action list in /proc/interrupts has one of @names; @shared
 * (a name all devices of a driver share) counts only when it occurs once
 * in the whole file: then it is the one device of that driver. */
static int interrupts_find(const char *const *names, size_t n, const char *shared)
{
	char p[PATH_LEN], line[1024];
	int irq = -1, shared_irq = -1, shared_seen = 0;
	FILE *f;

	if (rpath(p, sizeof(p), "/proc/interrupts") < 0 || !(f = fopen(p, "re")))
		return -1;
	while (irq < 0 && fgets(line, sizeof(line), f)) {
		char *save = NULL, *tok;
		int num;

		if (sscanf(line, " %d:", &num) != 1)
			continue; /* the CPU header, NMI, LOC, ... */
		strtok_r(line, " \t\n,", &save);
		while (irq < 0 && (tok = strtok_r(NULL, " \t\n,", &save))) {
			for (size_t i = 0; i < n; i++)
				if (names[i][0] && strcmp(tok, names[i]) == 0)
					irq = num;
			if (shared && strcmp(tok, shared) == 0 && shared_seen++ == 0)
				shared_irq = num;
		}
	}
	fclose(f);
	if (irq < 0 && shared_seen == 1)
		irq = shared_irq;
	return irq;
}

/* memparse()'s suffixes, as the kernel reads virtio_mmio.device=. */
static unsigned long long parse_size(const char *s, char **end)
{
	unsigned long long v = strtoull(s, end, 0);

	switch (**end) {
	case 'G':
	case 'g':
		v <<= 10;
		/* fall through */
	case 'M':
	case 'm':
		v <<= 10;
		/* fall through */
	case 'K':
	case 'k':
		v <<= 10;
		(*end)++;
		break;
	default:
		break;
	}
	return v;
}

/* The irq that virtio_mmio.device=SIZE@BASE:IRQ gives for @base, or -1. */
static int cmdline_irq(uint64_t base, uint64_t *size)
{
	static char buf[8192];
	char *save = NULL, *tok;

	if (read_text("/proc/cmdline", buf, sizeof(buf)) < 0)
		return -1;
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		const char *key = "virtio_mmio.device=";
		unsigned long long sz, b;
		long irq;
		char *end;

		if (!has_prefix(tok, key))
			continue;
		sz = parse_size(tok + strlen(key), &end);
		if (*end != '@')
			continue;
		b = strtoull(end + 1, &end, 0);
		if (*end != ':' || b != base)
			continue;
		irq = strtol(end + 1, &end, 0);
		if (irq < 0 || (*end && *end != ':'))
			continue;
		*size = sz;
		return (int)irq;
	}
	return -1;
}

static int read_u64(const char *path, uint64_t *v)
{
	char buf[64], *end;
	int rc = read_text(path, buf, sizeof(buf));

	if (rc < 0)
		return rc;
	errno = 0;
	*v = strtoull(buf, &end, 0);
	return errno || end == buf ? -EINVAL : 0;
}

/* The first child directory of @dir named PREFIX<digits>. */
static void find_child(const char *dir, const char *prefix, char *out, size_t len)
{
	char p[PATH_LEN];
	struct dirent *e;
	DIR *d;

	out[0] = '\0';
	if (rpath(p, sizeof(p), "%s", dir) < 0 || !(d = opendir(p)))
		return;
	while ((e = readdir(d))) {
		const char *rest = e->d_name + strlen(prefix);

		if (has_prefix(e->d_name, prefix) && *rest && isdigit((unsigned char)*rest) &&
		    strspn(rest, "0123456789") == strlen(rest) && strlen(e->d_name) < len) {
			strcpy(out, e->d_name);
			break;
		}
	}
	closedir(d);
}

static void scan_uio(struct vdev *d)
{
	char p[PATH_LEN];

	strfmt(p, sizeof(p), DEVICES "/%s/uio", d->name);
	find_child(p, "uio", d->uio, sizeof(d->uio));
	if (!d->uio[0])
		return;
	strfmt(p, sizeof(p), DEVICES "/%s/uio/%s/maps/map0/addr", d->name, d->uio);
	if (read_u64(p, &d->uio_addr) < 0)
		return;
	strfmt(p, sizeof(p), DEVICES "/%s/uio/%s/maps/map0/size", d->name, d->uio);
	read_u64(p, &d->uio_size);
	/* "offset" (Linux 4.x+): where the window starts inside the page. */
	strfmt(p, sizeof(p), DEVICES "/%s/uio/%s/maps/map0/offset", d->name, d->uio);
	read_u64(p, &d->uio_offset);
}

static void scan_irq(struct vdev *d)
{
	char p[PATH_LEN], uio_name[NAME_LEN] = "";
	const char *names[4] = { d->virtio, d->name, d->uio, uio_name };
	const char *shared = NULL;
	uint64_t size;

	if (d->uio[0]) {
		/* A UIO driver's handler is named after its info name, which
		 * uio_vmmio makes its own name, the same for all its devices. */
		strfmt(p, sizeof(p), DEVICES "/%s/uio/%s/name", d->name, d->uio);
		if (read_text(p, uio_name, sizeof(uio_name)) >= 0 &&
		    strcmp(uio_name, d->driver) == 0) {
			shared = d->driver;
			uio_name[0] = '\0';
		}
	}
	d->irq = interrupts_find(names, 4, shared);
	/* Without the window, virtio-mmio.N is the Nth virtio_mmio.device=
	 * only if every one before it parsed: no guessing. */
	if (d->irq < 0 && d->has_window)
		d->irq = cmdline_irq(d->base, &size);
}

int scan_one(const char *name, struct vdev *d)
{
	char p[PATH_LEN];
	enum fw_source fw;

	strfmt(p, sizeof(p), DEVICES "/%s", name);
	if (strlen(name) >= sizeof(d->name) || !path_exists(p))
		return -ENODEV;
	if (!is_virtio_mmio_device(name, &fw))
		return -ENOTTY;
	memset(d, 0, sizeof(*d));
	strcpy(d->name, name);
	d->fw = fw;
	d->irq = -1;
	strfmt(p, sizeof(p), DEVICES "/%s/driver", name);
	if (read_link_base(p, d->driver, sizeof(d->driver)) < 0)
		d->driver[0] = '\0';
	strfmt(p, sizeof(p), DEVICES "/%s/driver_override", name);
	if (read_text(p, d->override, sizeof(d->override)) < 0 ||
	    strcmp(d->override, "(null)") == 0)
		d->override[0] = '\0';
	strfmt(p, sizeof(p), DEVICES "/%s/of_node", name);
	if (read_link_base(p, d->of_name, sizeof(d->of_name)) < 0)
		d->of_name[0] = '\0';
	strfmt(p, sizeof(p), DEVICES "/%s", name);
	find_child(p, "virtio", d->virtio, sizeof(d->virtio));
	scan_uio(d);

	d->has_window = iomem_find(d->name, &d->base, &d->size) ||
			iomem_find(d->of_name, &d->base, &d->size);
	if (!d->has_window && d->uio[0] && d->uio_size) {
		/* The map is whole pages (uio_vmmio: PAGE_ALIGN(offset +
		 * size)): the base is exact, the size is not known. */
		d->base = d->uio_addr + d->uio_offset;
		d->size = 0;
		d->has_window = true;
	}
	scan_irq(d);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct vdev *)a)->name, ((const struct vdev *)b)->name);
}

int scan_devices(struct vdev_list *l)
{
	char p[PATH_LEN];
	struct dirent *e;
	DIR *dir;
	int rc = 0;

	memset(l, 0, sizeof(*l));
	if ((rc = rpath(p, sizeof(p), DEVICES)) < 0)
		return rc;
	dir = opendir(p);
	if (!dir)
		return -errno;
	while ((e = readdir(dir))) {
		struct vdev d;

		if (e->d_name[0] == '.' || scan_one(e->d_name, &d) < 0)
			continue;
		identify(&d);
		if (l->n == l->cap) {
			size_t cap = l->cap ? 2 * l->cap : 32;
			struct vdev *v = realloc(l->v, cap * sizeof(*v));

			if (!v) {
				rc = -ENOMEM;
				break;
			}
			l->v = v;
			l->cap = cap;
		}
		l->v[l->n++] = d;
	}
	closedir(dir);
	if (l->n)
		qsort(l->v, l->n, sizeof(l->v[0]), by_name);
	return rc;
}

void vdev_list_free(struct vdev_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* DEVICE on the command line: a platform name, or a window base address. */
struct vdev *find_device(struct vdev_list *l, const char *arg)
{
	unsigned long long base;
	char *end;

	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, arg) == 0)
			return &l->v[i];
	errno = 0;
	base = strtoull(arg, &end, 16);
	if (errno || end == arg || *end || !isxdigit((unsigned char)arg[0]))
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].has_window && l->v[i].base == base)
			return &l->v[i];
	return NULL;
}
