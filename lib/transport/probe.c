/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Probe: "MMIO-specific Initialization And Device Operation / Device
 * Initialization". Read MagicValue and Version, then DeviceID. A DeviceID of
 * 0 is a placeholder: touch no other register and report no error; on
 * request wait for the hotplug interrupt and re-read DeviceID only (seed 000:
 * not even InterruptStatus or InterruptACK before the device exists).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "transport.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* One wait for the device: the interrupt, or on a poll-only bus (no
 * interrupt) a millisecond's sleep. 1: re-read DeviceID, 0: timed out. */
static int wait_once(struct vmmio_dev *d, bool *poll_only, int left_ms)
{
	if (!*poll_only) {
		int r = d->win.ops->wait_irq(d->win.ctx, left_ms);

		if (r != -ENOTSUP)
			return r;
		*poll_only = true;
	}
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 1000000 };

	nanosleep(&ts, NULL);
	return 1;
}

/* Wait until DeviceID reads non-zero, re-reading nothing but DeviceID. */
static int wait_hotplug(struct vmmio_dev *d, int timeout_ms)
{
	const uint64_t deadline = now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
	bool poll_only = false;

	for (;;) {
		const uint64_t now = now_ms();
		int r;

		if (now >= deadline)
			break;
		r = wait_once(d, &poll_only, (int)(deadline - now));
		if (r < 0)
			return vmmio_dev_set_error(d, r, "waiting for the hotplug interrupt failed (%s)",
					     strerror(-r));
		if (r == 0)
			break;
		d->device_id = reg_read(d, VMMIO_REG_DEVICE_ID);
		/* No InterruptStatus read or ACK before the device exists (seed
		 * 000): a masked line (UIO) is re-enabled as it is; a level
		 * that is still raised fires again, and the next wait (or the
		 * driver's first vmmio_irq_handle()) takes it. */
		if (!poll_only)
			vmmio_regwin_unmask(&d->win);
		if (d->device_id)
			return 0;
	}
	return vmmio_dev_set_error(d, -ETIMEDOUT,
			     "DeviceID still 0 (placeholder) after waiting %d ms for hotplug",
			     timeout_ms);
}

int vmmio_probe(struct vmmio_dev *d, const struct vmmio_regwin *win,
		const struct vmmio_probe_opts *opts)
{
	uint32_t magic, version;

	memset(d, 0, sizeof(*d));
	d->win = *win;
	d->timeout_ms = VMMIO_TIMEOUT_MS_DEFAULT;

	/* "The driver MUST ignore a device with MagicValue which is not
	 * 0x74726976, although it MAY report an error." */
	magic = reg_read(d, VMMIO_REG_MAGIC_VALUE);
	if (magic != VMMIO_MAGIC_VALUE)
		return vmmio_dev_set_error(d, -ENODEV,
				     "MagicValue is 0x%08x, not 0x74726976 (\"virt\"): not a virtio-mmio device, ignored",
				     magic);

	/* Version 2 is the current interface; 1 is driven through the legacy
	 * interface ("Legacy interface"); anything else is ignored. */
	version = reg_read(d, VMMIO_REG_VERSION);
	if (version != VMMIO_VERSION_MODERN && version != VMMIO_VERSION_LEGACY)
		return vmmio_dev_set_error(d, -EPROTONOSUPPORT,
				     "Version is %u, expected 2 (or 1, legacy): device ignored",
				     version);
	d->version = version;

	d->device_id = reg_read(d, VMMIO_REG_DEVICE_ID);
	if (!d->device_id) {
		if (!opts || !opts->hotplug_wait)
			return VMMIO_PROBE_PLACEHOLDER; /* "MUST NOT report any error" */
		int r = wait_hotplug(d, opts->hotplug_timeout_ms);
		if (r < 0)
			return r;
	}
	d->vendor_id = reg_read(d, VMMIO_REG_VENDOR_ID);
	return 0;
}
