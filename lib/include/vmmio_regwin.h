/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The register window: the one small interface through which every
 * control-path access reaches a virtio-mmio device. Real buses (UIO, VFIO,
 * /dev/mem) back it with volatile loads and stores on the mapped window;
 * devsim backs it with direct calls into its register handlers, so a write
 * "traps" exactly as it would on hardware.
 *
 * Values are in host order: the bus converts from the little-endian layout
 * of the registers and of the modern configuration space. (The legacy
 * configuration space is guest-native endian, which is little endian on
 * every host this project builds for.)
 */
#ifndef VMMIO_REGWIN_H
#define VMMIO_REGWIN_H

#include <stdint.h>

struct vmmio_regwin_ops {
	/* Read 1, 2 or 4 bytes at @off from the window base. */
	uint32_t (*read)(void *ctx, uint32_t off, unsigned size);
	/* Write the low @size (1, 2 or 4) bytes of @val at @off. */
	void (*write)(void *ctx, uint32_t off, unsigned size, uint32_t val);
	/*
	 * Block until the device's interrupt line fires or @timeout_ms passes.
	 * Returns 1 on an interrupt, 0 on timeout, -ENOTSUP on a poll-only bus
	 * (no interrupt), another negative errno on failure.
	 */
	int (*wait_irq)(void *ctx, int timeout_ms);
};

struct vmmio_regwin {
	const struct vmmio_regwin_ops *ops;
	void *ctx;
	const char *name; /* for messages: "sim:net", "uio0", ... */
};

#endif /* VMMIO_REGWIN_H */
