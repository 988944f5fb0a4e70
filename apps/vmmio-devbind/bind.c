/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --bind and --unbind. A move is: unbind from the current driver, write
 * the new driver's name to driver_override (so that only it matches the
 * device: platform_match() checks the override before any id table), ask
 * the bus to probe the device (drivers_probe), then check the device's
 * "driver" link. drivers_probe reports no probe error, so when the driver
 * did not take the device we ask once more through the driver's own
 * "bind" file, which returns the probe's errno, to say why.
 *
 * A failed move restores the previous binding (driver_override pointing
 * at the old driver while it probes, then the old driver_override value):
 * a device is never left half-moved. Exit status 3 says the restore
 * failed too.
 *
 * After a move to uio_vmmio, driver_override stays "uio_vmmio": a later
 * probe (a reload of virtio_mmio registers its driver and attaches every
 * unbound device it matches) keeps the device with UIO. After a move to
 * virtio-mmio it is cleared: the kernel's own matching (the ACPI/DT id)
 * is the normal state.
 *
 * --unbind clears driver_override as well, back to that normal state: the
 * device stays unbound until something probes it: a write of its name to
 * drivers_probe, or loading virtio_mmio, binds it to virtio-mmio again.
 * --pin instead sets driver_override to "none", a name no driver has, so
 * no probe binds it until the next --bind.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "devbind.h"

#define DEVICES "/sys/bus/platform/devices"
#define SETTLE_MS 1000 /* drivers_probe probes synchronously; slack for async probes */
#define PIN_NAME "none"

static void current_driver(const char *name, char *buf, size_t len)
{
	char p[PATH_LEN];

	strfmt(p, sizeof(p), DEVICES "/%s/driver", name);
	if (read_link_base(p, buf, len) < 0)
		buf[0] = '\0';
}

/* Wait until the device's driver is @want ("" for none). */
static bool settle(const char *name, const char *want, char *got, size_t len)
{
	struct timespec ten_ms = { 0, 10 * 1000 * 1000 };

	for (int waited = 0;; waited += 10) {
		current_driver(name, got, len);
		if (strcmp(got, want) == 0)
			return true;
		if (waited >= SETTLE_MS)
			return false;
		nanosleep(&ten_ms, NULL);
	}
}

/* Write and say what failed: the device, the file, the value, the errno. */
static int write_or_say(const char *dev, const char *path, const char *value)
{
	int rc = sys_write(path, value);

	if (rc < 0)
		fprintf(stderr, "%s: %s: writing \"%s\" to %s: %s%s\n", DEVBIND_PROG, dev,
			strcmp(value, "\n") ? value : "\\n", path, strerror(-rc),
			errno_hint(-rc));
	return rc;
}

static int set_override(const char *dev, const char *value)
{
	char p[PATH_LEN];

	strfmt(p, sizeof(p), DEVICES "/%s/driver_override", dev);
	/* "\n" clears it on every kernel (an empty write may not reach the store). */
	return write_or_say(dev, p, value[0] ? value : "\n");
}

static int unbind_from(const char *dev, const char *driver)
{
	char p[PATH_LEN], got[NAME_LEN];
	int rc;

	strfmt(p, sizeof(p), "/sys/bus/platform/drivers/%s/unbind", driver);
	rc = write_or_say(dev, p, dev);
	if (rc < 0)
		return rc;
	if (!settle(dev, "", got, sizeof(got))) {
		fprintf(stderr, "%s: %s: still bound to %s after writing to %s\n", DEVBIND_PROG,
			dev, got, p);
		return -EBUSY;
	}
	return 0;
}

/* driver_override is set to @driver: probe and check. 0 when bound. */
static int probe_into(const char *dev, const char *driver, bool quiet)
{
	char p[PATH_LEN], got[NAME_LEN];
	int rc;

	rc = quiet ? sys_write("/sys/bus/platform/drivers_probe", dev)
		   : write_or_say(dev, "/sys/bus/platform/drivers_probe", dev);
	if (rc < 0)
		return rc;
	if (settle(dev, driver, got, sizeof(got)))
		return 0;
	if (got[0]) {
		if (!quiet)
			fprintf(stderr, "%s: %s: bound to %s instead of %s\n", DEVBIND_PROG, dev,
				got, driver);
		return -EBUSY;
	}
	/* Ask the driver itself: its bind file returns the probe's error. */
	strfmt(p, sizeof(p), "/sys/bus/platform/drivers/%s/bind", driver);
	rc = sys_write(p, dev);
	if (rc == 0 && settle(dev, driver, got, sizeof(got)))
		return 0;
	if (!quiet) {
		if (rc < 0)
			fprintf(stderr, "%s: %s: %s did not take the device: probe failed: %s%s\n",
				DEVBIND_PROG, dev, driver, strerror(-rc), errno_hint(-rc));
		else
			fprintf(stderr, "%s: %s: %s did not take the device and gave no error "
					"(see dmesg)\n",
				DEVBIND_PROG, dev, driver);
	}
	return rc < 0 ? rc : -ENODEV;
}

/* Put @dev back as it was: @old_driver ("" none) and @old_override. */
static int restore(const char *dev, const char *old_driver, const char *old_override)
{
	char cur[NAME_LEN];
	bool ok = true;

	current_driver(dev, cur, sizeof(cur));
	if (cur[0] && strcmp(cur, old_driver) != 0)
		ok = unbind_from(dev, cur) == 0;
	if (ok && old_driver[0] && strcmp(cur, old_driver) != 0)
		ok = set_override(dev, old_driver) == 0 && probe_into(dev, old_driver, false) == 0;
	if (set_override(dev, old_override) < 0)
		ok = false;
	current_driver(dev, cur, sizeof(cur));
	if (!ok || strcmp(cur, old_driver) != 0) {
		fprintf(stderr, "%s: %s: could not restore the previous binding (%s); the device "
				"is now %s%s\n",
			DEVBIND_PROG, dev, old_driver[0] ? old_driver : "no driver",
			cur[0] ? "bound to " : "unbound", cur);
		return EXIT_NOT_RESTORED;
	}
	fprintf(stderr, "%s: %s: restored: %s%s\n", DEVBIND_PROG, dev,
		old_driver[0] ? "bound to " : "no driver, as before", old_driver);
	return EXIT_FAILED;
}

static bool refuse_if_busy(const struct vdev *d, const struct bind_opts *o)
{
	char why[256];

	if (o->force || !d->driver[0] || !device_in_use(d, why, sizeof(why)))
		return false;
	fprintf(stderr, "%s: %s: in use: %s (%s); not moved (--force moves it anyway)\n",
		DEVBIND_PROG, d->name, why, strerror(EBUSY));
	return true;
}

static int bind_one(const struct vdev *d, const char *driver, const struct bind_opts *o)
{
	char old_driver[NAME_LEN], old_override[NAME_LEN];
	struct vdev now;

	if (strcmp(d->driver, driver) == 0) {
		printf("%s: already bound to %s\n", d->name, driver);
		return EXIT_DONE;
	}
	if (refuse_if_busy(d, o))
		return EXIT_FAILED;
	if (ensure_driver(driver, o->module) < 0) {
		fprintf(stderr, "%s: %s: not moved: driver %s unavailable\n", DEVBIND_PROG,
			d->name, driver);
		return EXIT_FAILED;
	}
	strcpy(old_driver, d->driver);
	strcpy(old_override, d->override);

	if (old_driver[0] && unbind_from(d->name, old_driver) < 0)
		return restore(d->name, old_driver, old_override);
	if (set_override(d->name, driver) < 0 || probe_into(d->name, driver, false) < 0)
		return restore(d->name, old_driver, old_override);
	/* Bound. virtio-mmio needs no override: its id table matches. */
	if (strcmp(driver, DRV_VIRTIO) == 0 && set_override(d->name, "") < 0)
		fprintf(stderr, "%s: %s: bound, but driver_override still says %s\n",
			DEVBIND_PROG, d->name, driver);
	if (scan_one(d->name, &now) == 0 && now.uio[0])
		printf("%s: bound to %s (/dev/%s)\n", d->name, driver, now.uio);
	else
		printf("%s: bound to %s\n", d->name, driver);
	return EXIT_DONE;
}

static int unbind_one(const struct vdev *d, const struct bind_opts *o)
{
	const char *want = o->pin ? PIN_NAME : "";

	if (refuse_if_busy(d, o))
		return EXIT_FAILED;
	if (d->driver[0] && unbind_from(d->name, d->driver) < 0)
		return EXIT_FAILED;
	if (strcmp(d->override, want) != 0 && set_override(d->name, want) < 0) {
		fprintf(stderr, "%s: %s: %s, but driver_override is still \"%s\"\n",
			DEVBIND_PROG, d->name, d->driver[0] ? "unbound" : "not bound",
			d->override);
		return EXIT_FAILED;
	}
	if (d->driver[0])
		printf("%s: unbound from %s", d->name, d->driver);
	else
		printf("%s: not bound to any driver", d->name);
	if (o->pin)
		printf("; driver_override \"" PIN_NAME "\": no probe binds it until --bind\n");
	else
		printf("; driver_override cleared: a probe (drivers_probe, loading virtio_mmio) "
		       "binds it to virtio-mmio again (--pin prevents that)\n");
	return EXIT_DONE;
}

/* DEVICE arguments to devices; a message for each that is not one. */
static struct vdev *resolve(struct vdev_list *l, const char *arg)
{
	struct vdev *d = find_device(l, arg);
	struct vdev other;
	int rc;

	if (d)
		return d;
	rc = scan_one(arg, &other);
	if (rc == -ENOTTY)
		fprintf(stderr, "%s: %s: not a virtio-mmio device (see --status)\n", DEVBIND_PROG,
			arg);
	else
		fprintf(stderr, "%s: %s: no such virtio-mmio device in %s (%s; see --status)\n",
			DEVBIND_PROG, arg, DEVICES, strerror(ENODEV));
	return NULL;
}

static int for_each(const char *driver, char **devices, int n, const struct bind_opts *o)
{
	struct vdev_list l;
	int worst = EXIT_DONE, rc;

	rc = scan_devices(&l);
	if (rc < 0) {
		fprintf(stderr, "%s: reading %s: %s\n", DEVBIND_PROG, DEVICES, strerror(-rc));
		vdev_list_free(&l);
		return EXIT_FAILED;
	}
	for (int i = 0; i < n; i++) {
		struct vdev *d = resolve(&l, devices[i]);
		struct vdev now;

		/* An earlier argument may have moved the same device. */
		if (d && scan_one(d->name, &now) == 0)
			*d = now;
		if (!d)
			rc = EXIT_FAILED;
		else
			rc = driver ? bind_one(d, driver, o) : unbind_one(d, o);
		if (rc > worst)
			worst = rc;
	}
	vdev_list_free(&l);
	return worst;
}

int do_bind(const char *driver, char **devices, int n, const struct bind_opts *o)
{
	return for_each(driver, devices, n, o);
}

int do_unbind(char **devices, int n, const struct bind_opts *o)
{
	return for_each(NULL, devices, n, o);
}
