/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtqueue configuration over MMIO ("Virtqueue Configuration" and the
 * legacy procedure), queue stop, per-queue reset ("Virtqueue Reset") and the
 * available buffer notification.
 */
#include <errno.h>

#include "transport.h"

static void reg_write64(struct vmmio_dev *d, uint32_t lo_off, uint64_t v)
{
	reg_write(d, lo_off, (uint32_t)v);
	reg_write(d, lo_off + 4, (uint32_t)(v >> 32));
}

void vmmio_legacy_layout(uint16_t num, uint32_t align, struct vmmio_legacy_layout *out)
{
	/* "Legacy Interfaces: A Note on Virtqueue Layout": the descriptor
	 * table (16 bytes each), the available ring (flags, idx, ring[num],
	 * used_event), padding to @align, then the used ring (flags, idx,
	 * ring[num] of 8 bytes, avail_event). */
	const uint64_t a = align ? align : 1;
	const uint64_t avail_end = 16ull * num + 2ull * (3u + num);

	out->avail_off = 16ull * num;
	out->used_off = (avail_end + a - 1) / a * a;
	out->size = out->used_off + 2ull * 3u + 8ull * num;
}

/* Discovery belongs after FEATURES_OK ("Device Initialization", step 7). */
static int check_negotiated(struct vmmio_dev *d, const char *what, uint16_t idx)
{
	if (!d->features_locked)
		return vmmio_dev_set_error(d, -EPERM,
				     "%s of queue %u before feature negotiation completed", what,
				     idx);
	return 0;
}

int vmmio_queue_max(struct vmmio_dev *d, uint16_t idx, uint16_t *max)
{
	const uint32_t in_use_reg = dev_is_legacy(d) ? VMMIO_REG_LEGACY_QUEUE_PFN
						     : VMMIO_REG_QUEUE_READY;
	uint32_t in_use, m;
	int r = check_negotiated(d, "discovery", idx);

	if (r)
		return r;
	reg_write(d, VMMIO_REG_QUEUE_SEL, idx);
	/* "Check if the queue is not already in use": QueueReady (QueuePFN on
	 * legacy, where QueueSizeMax may only be read while it is 0). */
	in_use = reg_read(d, in_use_reg);
	if (in_use)
		return vmmio_dev_set_error(d, -EBUSY, "queue %u is already in use (%s reads 0x%x)", idx,
				     dev_is_legacy(d) ? "QueuePFN" : "QueueReady", in_use);
	m = reg_read(d, VMMIO_REG_QUEUE_NUM_MAX);
	*max = (uint16_t)(m > VMMIO_QUEUE_SIZE_MAX ? VMMIO_QUEUE_SIZE_MAX : m);
	return 0;
}

static int enable_legacy(struct vmmio_dev *d, uint16_t idx, const struct vmmio_queue_cfg *c)
{
	struct vmmio_legacy_layout l;
	uint64_t pfn;

	/* Legacy queues are split rings, whose size is a power of 2. */
	if (c->num & (c->num - 1))
		return vmmio_dev_set_error(d, -EINVAL,
				     "legacy queue %u: QueueSize %u is not a power of 2", idx,
				     c->num);
	vmmio_legacy_layout(c->num, VMMIO_LEGACY_ALIGN, &l);
	if (c->desc % VMMIO_LEGACY_PAGE_SIZE || !c->desc)
		return vmmio_dev_set_error(d, -EINVAL,
				     "legacy queue %u: descriptor area 0x%llx is not a non-zero page address",
				     idx, (unsigned long long)c->desc);
	if (c->driver != c->desc + l.avail_off || c->device != c->desc + l.used_off)
		return vmmio_dev_set_error(d, -EINVAL,
				     "legacy queue %u: areas must follow the legacy layout (driver 0x%llx, device 0x%llx expected)",
				     idx, (unsigned long long)(c->desc + l.avail_off),
				     (unsigned long long)(c->desc + l.used_off));
	pfn = c->desc / VMMIO_LEGACY_PAGE_SIZE;
	if (pfn > UINT32_MAX)
		return vmmio_dev_set_error(d, -EINVAL,
				     "legacy queue %u: page number 0x%llx exceeds QueuePFN", idx,
				     (unsigned long long)pfn);
	reg_write(d, VMMIO_REG_QUEUE_NUM, c->num);
	reg_write(d, VMMIO_REG_LEGACY_QUEUE_ALIGN, VMMIO_LEGACY_ALIGN);
	reg_write(d, VMMIO_REG_LEGACY_QUEUE_PFN, (uint32_t)pfn);
	return 0;
}

int vmmio_queue_enable(struct vmmio_dev *d, uint16_t idx, const struct vmmio_queue_cfg *c)
{
	uint16_t max;
	int r = vmmio_queue_max(d, idx, &max);

	if (r)
		return r;
	if (!max)
		return vmmio_dev_set_error(d, -ENOENT, "queue %u does not exist (QueueSizeMax is 0)",
				     idx);
	if (!c->num || c->num > max)
		return vmmio_dev_set_error(d, -EINVAL,
				     "queue %u: QueueSize %u is not within 1..QueueSizeMax %u", idx,
				     c->num, max);
	if (dev_is_legacy(d))
		return enable_legacy(d, idx, c);

	reg_write(d, VMMIO_REG_QUEUE_NUM, c->num);
	reg_write64(d, VMMIO_REG_QUEUE_DESC_LOW, c->desc);
	reg_write64(d, VMMIO_REG_QUEUE_DRIVER_LOW, c->driver);
	reg_write64(d, VMMIO_REG_QUEUE_DEVICE_LOW, c->device);
	reg_write(d, VMMIO_REG_QUEUE_READY, 1);
	return 0;
}

int vmmio_queue_disable(struct vmmio_dev *d, uint16_t idx)
{
	const uint32_t reg = dev_is_legacy(d) ? VMMIO_REG_LEGACY_QUEUE_PFN : VMMIO_REG_QUEUE_READY;
	uint32_t last;

	reg_write(d, VMMIO_REG_QUEUE_SEL, idx);
	/* "To stop using the queue the driver MUST write zero (0x0) to this
	 * QueueReady and MUST read the value back to ensure synchronization." */
	reg_write(d, reg, 0);
	if (vmmio_reg_poll(d, reg, 0xffffffffu, 0, &last))
		return vmmio_dev_set_error(d, -ETIMEDOUT,
				     "queue %u: %s still reads 0x%x %u ms after stop", idx,
				     dev_is_legacy(d) ? "QueuePFN" : "QueueReady", last,
				     d->timeout_ms);
	return 0;
}

int vmmio_queue_reset(struct vmmio_dev *d, uint16_t idx)
{
	uint32_t last;

	if (dev_is_legacy(d) || !vmmio_feat_has(&d->driver_features, VMMIO_F_RING_RESET))
		return vmmio_dev_set_error(d, -ENOTSUP,
				     "queue %u: QueueReset needs VIRTIO_F_RING_RESET, which was not negotiated",
				     idx);
	reg_write(d, VMMIO_REG_QUEUE_SEL, idx);
	reg_write(d, VMMIO_REG_QUEUE_RESET, 1);
	/* "the driver MUST NOT consider queue reset to be complete until it
	 * reads back 0 in QueueReset". */
	if (vmmio_reg_poll(d, VMMIO_REG_QUEUE_RESET, 0xffffffffu, 0, &last))
		return vmmio_dev_set_error(d, -ETIMEDOUT,
				     "queue %u: QueueReset still reads 0x%x after %u ms", idx, last,
				     d->timeout_ms);
	/* The device presents 0 in QueueReady once the reset completed: verify
	 * "that the queue has actually been reset". */
	last = reg_read(d, VMMIO_REG_QUEUE_READY);
	if (last)
		return vmmio_dev_set_error(d, -EIO, "queue %u: reset completed but QueueReady reads 0x%x",
				     idx, last);
	return 0;
}

int vmmio_notify(struct vmmio_dev *d, uint32_t value)
{
	/* "The driver MUST NOT send any buffer available notifications to the
	 * device before setting DRIVER_OK." */
	if (!(d->status & VMMIO_STATUS_DRIVER_OK))
		return vmmio_dev_set_error(d, -EPERM, "QueueNotify before DRIVER_OK");
	reg_write(d, VMMIO_REG_QUEUE_NOTIFY, value);
	return 0;
}
