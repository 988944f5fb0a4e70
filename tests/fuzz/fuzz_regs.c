/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A lying device at the register level: every register and configuration
 * read returns bytes taken from the fuzz input (0 once it runs out, so any
 * polling loop ends), and the control plane is driven through everything
 * a driver does: probe, handshake, negotiation, configuration, queues,
 * interrupts, shared memory, queue reset, recovery. Nothing may crash, hang
 * or trip a sanitizer; every access the driver makes must also be one the
 * register window allows (a width of 1, 2 or 4, aligned, 32-bit below the
 * configuration space), or the target aborts.
 *
 * Input layout: byte 0 chooses which identity registers tell the truth
 * (MODE_* below), so that even random inputs get past the probe; the rest
 * is the stream of read values, little endian, @size bytes per read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "vmmio_dev.h"
#include "vmmio_net.h"

#define MODE_LIE_MAGIC 0x01u /* MagicValue from the input */
#define MODE_VERSION_MASK 0x06u /* 0: Version 2, 2: Version 1, else from the input */
#define MODE_LIE_DEVICE_ID 0x08u /* DeviceID from the input */
#define MODE_HOTPLUG_WAIT 0x10u /* probe with a (short) hotplug wait */
#define MODE_BLK 0x20u /* a truthful DeviceID says blk, not net */

/* Space behind the window: control registers and 256 bytes of configuration. */
#define WINDOW_SIZE (VMMIO_REG_CONFIG + 0x100u)
/* Keep wall-clock waits (reset, queue stop/reset, hotplug) short. */
#define TIMEOUT_MS 2

struct lying_dev {
	const uint8_t *data;
	size_t size, pos;
	uint8_t mode;
};

static void check_access(uint32_t off, unsigned size, const char *what)
{
	const int size_ok = size == 1 || size == 2 || size == 4;

	if (!size_ok || off % size || off + size > WINDOW_SIZE ||
	    (off < VMMIO_REG_CONFIG && size != 4)) {
		fprintf(stderr, "fuzz_regs: driver made a bad %s: %u bytes at 0x%03x\n", what, size,
			off);
		abort();
	}
}

static uint32_t take(struct lying_dev *L, unsigned size)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < size && L->pos < L->size; i++)
		v |= (uint32_t)L->data[L->pos++] << (8 * i);
	return v;
}

static uint32_t lying_read(void *ctx, uint32_t off, unsigned size)
{
	struct lying_dev *L = ctx;
	const unsigned version_mode = L->mode & MODE_VERSION_MASK;

	check_access(off, size, "read");
	if (off == VMMIO_REG_MAGIC_VALUE && !(L->mode & MODE_LIE_MAGIC))
		return VMMIO_MAGIC_VALUE;
	if (off == VMMIO_REG_VERSION && version_mode == 0)
		return VMMIO_VERSION_MODERN;
	if (off == VMMIO_REG_VERSION && version_mode == 2)
		return VMMIO_VERSION_LEGACY;
	if (off == VMMIO_REG_DEVICE_ID && !(L->mode & MODE_LIE_DEVICE_ID))
		return L->mode & MODE_BLK ? VMMIO_DEVICE_ID_BLK : VMMIO_DEVICE_ID_NET;
	return take(L, size);
}

static void lying_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
	(void)ctx;
	(void)val;
	check_access(off, size, "write");
}

/* The interrupt "fires" when the next input byte is odd; no input, no interrupt. */
static int lying_wait_irq(void *ctx, int timeout_ms)
{
	struct lying_dev *L = ctx;

	(void)timeout_ms;
	if (L->pos >= L->size)
		return 0;
	return L->data[L->pos++] & 1;
}

static const struct vmmio_regwin_ops lying_ops = {
	.read = lying_read,
	.write = lying_write,
	.wait_irq = lying_wait_irq,
};

/* Queue areas that satisfy both layouts (legacy: page aligned, fixed layout). */
static void queue_cfg(uint16_t idx, uint16_t max, struct vmmio_queue_cfg *c)
{
	struct vmmio_legacy_layout l;
	uint16_t num = 1;

	while (num * 2u <= max && num < 256)
		num *= 2;
	vmmio_legacy_layout(num, VMMIO_LEGACY_ALIGN, &l);
	c->num = num;
	c->desc = 0x100000ull * (idx + 1u);
	c->driver = c->desc + l.avail_off;
	c->device = c->desc + l.used_off;
}

static int setup_queue0(struct vmmio_dev *d, void *arg)
{
	struct vmmio_queue_cfg c;
	uint16_t max;
	int rc;

	(void)arg;
	rc = vmmio_queue_max(d, 0, &max);
	if (rc < 0 || max == 0)
		return rc;
	queue_cfg(0, max, &c);
	return vmmio_queue_enable(d, 0, &c);
}

static void drive(struct vmmio_dev *d)
{
	struct vmmio_features wanted;
	struct vmmio_net_config nc;
	struct vmmio_shm shm[4];
	uint64_t v;

	d->timeout_ms = TIMEOUT_MS;
	if (vmmio_begin(d) < 0)
		return;
	/* Configuration may be read during negotiation. */
	vmmio_net_config_read(d, &nc);
	vmmio_cfg_read(d, 0, 8, &v);
	vmmio_features_valid(d->device_id, d->version, &wanted);
	if (vmmio_negotiate(d, &wanted) < 0)
		return;
	for (uint16_t q = 0; q < 4; q++) {
		struct vmmio_queue_cfg c;
		uint16_t max;

		if (vmmio_queue_max(d, q, &max) < 0 || max == 0)
			continue;
		queue_cfg(q, max, &c);
		vmmio_queue_enable(d, q, &c);
	}
	vmmio_shm_list(d, 15, shm, 4);
	if (vmmio_driver_ok(d) < 0)
		return;
	vmmio_notify(d, 0);
	vmmio_irq_handle(d);
	vmmio_irq_handle(d);
	vmmio_net_config_read(d, &nc);
	vmmio_queue_reset(d, 0);
	vmmio_queue_disable(d, 1);
	if (vmmio_needs_reset(d))
		vmmio_recover(d, setup_queue0, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lying_dev L = { .data = data, .size = size };
	struct vmmio_regwin win = { .ops = &lying_ops, .ctx = &L, .name = "fuzz" };
	struct vmmio_probe_opts po = { .hotplug_timeout_ms = TIMEOUT_MS };
	struct vmmio_dev d;

	if (size == 0)
		return 0;
	L.mode = data[0];
	L.pos = 1;
	po.hotplug_wait = L.mode & MODE_HOTPLUG_WAIT;
	if (vmmio_probe(&d, &win, &po) != 0)
		return 0;
	drive(&d);
	vmmio_reset(&d);
	return 0;
}
