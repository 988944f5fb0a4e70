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

/* Wait until DeviceID reads non-zero: on each interrupt re-read it; on a
 * poll-only bus (no interrupt) re-read it every millisecond. */
static int wait_hotplug(struct vmmio_dev *d, int timeout_ms)
{
	const uint64_t deadline = now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
	bool poll_only = false;

	for (;;) {
		uint64_t now = now_ms();
		int left = now >= deadline ? 0 : (int)(deadline - now);
		int r;

		if (poll_only) {
			struct timespec ts = { .tv_sec = 0, .tv_nsec = 1000000 };

			if (!left)
				r = 0;
			else {
				nanosleep(&ts, NULL);
				r = 1;
			}
		} else {
			r = d->win.ops->wait_irq(d->win.ctx, left);
			if (r == -ENOTSUP) {
				poll_only = true;
				continue;
			}
		}
		if (r < 0)
			return dev_error(d, r, "waiting for the hotplug interrupt failed (%s)",
					 strerror(-r));
		if (r > 0) {
			d->device_id = reg_read(d, VMMIO_REG_DEVICE_ID);
			if (d->device_id)
				return 0;
		}
		if (!left || r == 0)
			return dev_error(d, -ETIMEDOUT,
					 "DeviceID still 0 (placeholder) after waiting %d ms for hotplug",
					 timeout_ms);
	}
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
		return dev_error(d, -ENODEV,
				 "MagicValue is 0x%08x, not 0x74726976 (\"virt\"): not a virtio-mmio device, ignored",
				 magic);

	/* Version 2 is the current interface; 1 is driven through the legacy
	 * interface ("Legacy interface"); anything else is ignored. */
	version = reg_read(d, VMMIO_REG_VERSION);
	if (version != VMMIO_VERSION_MODERN && version != VMMIO_VERSION_LEGACY)
		return dev_error(d, -EPROTONOSUPPORT,
				 "Version is %u, expected 2 (or 1, legacy): device ignored", version);
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
