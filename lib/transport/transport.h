/* SPDX-License-Identifier: BSD-3-Clause */
/* Private helpers of the transport layer: register access and errors. */
#ifndef VMMIO_TRANSPORT_H
#define VMMIO_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "vmmio_dev.h"

/* Control registers are only ever accessed 32 bits wide and aligned
 * ("MMIO Device Register Layout", driver requirements). */
static inline uint32_t reg_read(struct vmmio_dev *d, uint32_t off)
{
	return d->win.ops->read(d->win.ctx, off, 4);
}

static inline void reg_write(struct vmmio_dev *d, uint32_t off, uint32_t val)
{
	d->win.ops->write(d->win.ctx, off, 4, val);
}

static inline bool dev_is_legacy(const struct vmmio_dev *d)
{
	return d->version == VMMIO_VERSION_LEGACY;
}

/* Record a failure of @d ("<device>: <message>") and return @err. */
int vmmio_dev_set_error(struct vmmio_dev *d, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Set the status bits @bits on top of those already set: the driver never
 * clears a status bit ("Device Status Field"). */
void vmmio_status_set(struct vmmio_dev *d, uint8_t bits);

/*
 * Poll the 32-bit register @off until (value & @mask) == @want or
 * d->timeout_ms passes. Returns 0, or -ETIMEDOUT with *last holding the
 * value last read.
 */
int vmmio_reg_poll(struct vmmio_dev *d, uint32_t off, uint32_t mask, uint32_t want, uint32_t *last);

#endif /* VMMIO_TRANSPORT_H */
