/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The register window: the one small interface through which every
 * control-path access reaches a virtio-mmio device, and its interrupt.
 * Real buses (UIO, VFIO, /dev/mem) back it with volatile loads and stores
 * on the mapped window; devsim backs it with direct calls into its register
 * handlers, so a write "traps" exactly as it would on hardware. A bus
 * (vmmio_bus.h) hands one out for each device it opens.
 *
 * Values are in host order: the bus converts from the little-endian layout
 * of the registers and of the modern configuration space. (The legacy
 * configuration space is guest-native endian, which is little endian on
 * every host this project builds for.)
 *
 * Ordering. A write through the window is ordered after every store the
 * caller made before it to memory the device reads (descriptors, the
 * available index or flags), as Linux's writel() is: the bus adds whatever
 * barrier its architecture needs between them, so a QueueNotify is never
 * seen before the ring entries it announces. A read through the window is
 * ordered before the caller's later loads from that memory (readl()), so
 * what InterruptStatus announces is there to be read. On x86 an uncached
 * MMIO access is ordered with normal memory by the CPU; the bus still
 * keeps the compiler from moving ring accesses across it.
 */
#ifndef VMMIO_REGWIN_H
#define VMMIO_REGWIN_H

#include <stddef.h>
#include <stdint.h>

struct vmmio_regwin_ops {
	/* Read 1, 2 or 4 bytes at @off from the window base. */
	uint32_t (*read)(void *ctx, uint32_t off, unsigned size);
	/* Write the low @size (1, 2 or 4) bytes of @val at @off. */
	void (*write)(void *ctx, uint32_t off, unsigned size, uint32_t val);
	/*
	 * Wait until the device's interrupt line fires or @timeout_ms passes
	 * (0: only look; negative: no limit), and take the interrupt: one
	 * wake-up per firing. Returns 1 on an interrupt, 0 on timeout,
	 * -ENOTSUP on a poll-only bus (no interrupt), another negative errno
	 * on failure. A bus whose line is masked while it fires (UIO) leaves
	 * it masked until irq_unmask.
	 */
	int (*wait_irq)(void *ctx, int timeout_ms);
	/* Let the line fire again, once the driver acknowledged what it read
	 * (InterruptACK): UIO re-enables the line here. NULL: nothing to do. */
	int (*irq_unmask)(void *ctx);
	/* Release the window and the device behind it (unmap, close files;
	 * devsim: the model). NULL: nothing to release. */
	void (*close)(void *ctx);
};

struct vmmio_regwin {
	const struct vmmio_regwin_ops *ops;
	void *ctx;
	const char *name; /* for messages: "sim:net", "uio0", ... */
	/* Readable when the interrupt fires, for epoll or DPDK's rte_intr;
	 * wait_irq(0) then takes it. -1 when the bus has none. */
	int irq_fd;
};

/* Re-enable the interrupt line after an interrupt was handled. */
static inline int vmmio_regwin_unmask(const struct vmmio_regwin *w)
{
	return w->ops->irq_unmask ? w->ops->irq_unmask(w->ctx) : 0;
}

/* Release @w (see close above); @w must not be used afterwards. */
static inline void vmmio_regwin_close(struct vmmio_regwin *w)
{
	if (w->ops && w->ops->close)
		w->ops->close(w->ctx);
	w->ops = NULL;
	w->ctx = NULL;
}

#endif /* VMMIO_REGWIN_H */
