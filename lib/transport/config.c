/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device configuration space ("Device Configuration Space", MMIO register
 * "Config"): field accesses of the width the field has, and atomic snapshots
 * through ConfigGeneration (Version 2) or repeated reads (Version 1, which
 * has no generation counter).
 */
#include <errno.h>
#include <string.h>

#include "transport.h"

/* Largest set of fields one snapshot may read (bytes). */
#define CFG_SNAPSHOT_MAX 256u

static bool cfg_size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

int vmmio_cfg_get(struct vmmio_dev *d, uint32_t off, unsigned size, uint64_t *val)
{
	const uint32_t reg = VMMIO_REG_CONFIG + off;
	const struct vmmio_regwin_ops *ops = d->win.ops;

	if (!cfg_size_ok(size) || off > UINT32_MAX - VMMIO_REG_CONFIG - size)
		return vmmio_dev_set_error(d, -EINVAL, "config read of %u bytes at +0x%x: bad field",
				     size, off);
	/* Fields are naturally aligned; 64-bit ones are two aligned 32-bit
	 * halves ("MMIO Device Register Layout", driver requirements). */
	if (off % (size > 4 ? 4 : size))
		return vmmio_dev_set_error(d, -EINVAL, "config field of %u bytes at +0x%x is misaligned",
				     size, off);

	if (dev_is_legacy(d)) {
		/* Legacy config is guest-native endian and read byte by byte. */
		uint8_t b[8];
		union {
			uint8_t u8;
			uint16_t u16;
			uint32_t u32;
			uint64_t u64;
		} v;

		for (unsigned i = 0; i < size; i++)
			b[i] = (uint8_t)ops->read(d->win.ctx, reg + i, 1);
		memcpy(&v, b, size);
		*val = size == 1 ? v.u8 : size == 2 ? v.u16 : size == 4 ? v.u32 : v.u64;
		return 0;
	}
	if (size == 8) {
		uint64_t lo = ops->read(d->win.ctx, reg, 4);
		uint64_t hi = ops->read(d->win.ctx, reg + 4, 4);

		*val = lo | hi << 32;
	} else {
		*val = ops->read(d->win.ctx, reg, size);
	}
	return 0;
}

int vmmio_cfg_snapshot(struct vmmio_dev *d, vmmio_cfg_reader_fn read, void *out, size_t size)
{
	if (dev_is_legacy(d)) {
		/* No ConfigGeneration: "drivers SHOULD read these fields multiple
		 * times until two reads generate a consistent result". */
		uint8_t again[CFG_SNAPSHOT_MAX];

		if (size > sizeof(again))
			return vmmio_dev_set_error(d, -EINVAL,
					     "config snapshot of %zu bytes is too large", size);
		int r = read(d, out);
		if (r)
			return r;
		for (unsigned i = 0; i < VMMIO_CFG_RETRIES; i++) {
			/* Read into a copy of @out, so what the reader takes from
			 * it and any bytes it leaves alone are the same in both. */
			memcpy(again, out, size);
			r = read(d, again);
			if (r)
				return r;
			if (!memcmp(again, out, size))
				return 0;
			memcpy(out, again, size);
		}
		return vmmio_dev_set_error(d, -EAGAIN,
				     "config space kept changing over %u reads (legacy)",
				     VMMIO_CFG_RETRIES);
	}

	uint32_t before = 0, after = 0;

	for (unsigned i = 0; i < VMMIO_CFG_RETRIES; i++) {
		before = reg_read(d, VMMIO_REG_CONFIG_GENERATION);
		int r = read(d, out);
		if (r)
			return r;
		after = reg_read(d, VMMIO_REG_CONFIG_GENERATION);
		if (after == before)
			return 0;
	}
	return vmmio_dev_set_error(d, -EAGAIN,
			     "ConfigGeneration changed during each of %u reads (last 0x%x -> 0x%x)",
			     VMMIO_CFG_RETRIES, before, after);
}

struct one_field {
	uint32_t off;
	unsigned size;
	uint64_t val;
};

static int read_one_field(struct vmmio_dev *d, void *out)
{
	struct one_field *f = out;

	return vmmio_cfg_get(d, f->off, f->size, &f->val);
}

int vmmio_cfg_read(struct vmmio_dev *d, uint32_t off, unsigned size, uint64_t *val)
{
	struct one_field f = { .off = off, .size = size };
	int r = vmmio_cfg_snapshot(d, read_one_field, &f, sizeof(f));

	if (!r)
		*val = f.val;
	return r;
}

int vmmio_cfg_write(struct vmmio_dev *d, uint32_t off, unsigned size, uint32_t val)
{
	const uint32_t reg = VMMIO_REG_CONFIG + off;

	if ((size != 1 && size != 2 && size != 4) || off > UINT32_MAX - VMMIO_REG_CONFIG - size ||
	    off % size)
		return vmmio_dev_set_error(d, -EINVAL, "config write of %u bytes at +0x%x: bad field",
				     size, off);
	/* "During this step the driver MAY read (but MUST NOT write) the
	 * device-specific configuration fields" (feature negotiation). */
	if (!dev_is_legacy(d) && (d->status & VMMIO_STATUS_DRIVER) &&
	    !(d->status & VMMIO_STATUS_FEATURES_OK))
		return vmmio_dev_set_error(d, -EPERM,
				     "config write at +0x%x during feature negotiation is not allowed",
				     off);
	if (dev_is_legacy(d)) {
		uint8_t b[4];

		memcpy(b, &val, sizeof(b)); /* guest-native endian, byte by byte */
		for (unsigned i = 0; i < size; i++)
			d->win.ops->write(d->win.ctx, reg + i, 1, b[i]);
	} else {
		d->win.ops->write(d->win.ctx, reg, size, val);
	}
	return 0;
}
