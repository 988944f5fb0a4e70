/* SPDX-License-Identifier: BSD-3-Clause */
/* What every transport file shares: error text, status writes, polling. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "transport.h"

const char *vmmio_dev_error(const struct vmmio_dev *d)
{
	return d->err;
}

int vmmio_dev_set_error(struct vmmio_dev *d, int err, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(d->err, sizeof(d->err), "%s: ", d->win.name ? d->win.name : "virtio-mmio");

	if (n < 0 || (size_t)n >= sizeof(d->err))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(d->err + n, sizeof(d->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return err;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int vmmio_reg_poll(struct vmmio_dev *d, uint32_t off, uint32_t mask, uint32_t want, uint32_t *last)
{
	const uint64_t deadline = now_ns() + (uint64_t)d->timeout_ms * 1000000u;
	/* Devices usually finish at once: spin a little before sleeping. */
	unsigned spins = 0;

	for (;;) {
		uint32_t v = reg_read(d, off);

		*last = v;
		if ((v & mask) == want)
			return 0;
		if (now_ns() >= deadline)
			return -ETIMEDOUT;
		if (++spins > 64) {
			struct timespec ts = { .tv_sec = 0, .tv_nsec = 10000 };

			nanosleep(&ts, NULL);
		}
	}
}

void vmmio_status_set(struct vmmio_dev *d, uint8_t bits)
{
	d->status |= bits;
	reg_write(d, VMMIO_REG_STATUS, d->status);
}
