/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to lib/bus: the register window of a device mapped into the
 * process (uio, mem), and what the buses that reach real devices share:
 * their DMA memory (hw_dma.c). The window's accesses are exactly the width asked,
 * bounds-checked, little endian, ordered as vmmio_regwin.h promises.
 */
#ifndef VMMIO_MMIO_WIN_H
#define VMMIO_MMIO_WIN_H

#include <stddef.h>
#include <stdint.h>

#include "bus_internal.h"
#include "vmmio_hugemem.h"

struct vmmio_mmio_win {
	volatile uint8_t *base; /* the register at offset 0 (MagicValue) */
	uint32_t size; /* bytes from base the device decodes */
	void *map; /* what mmap() returned, MAP_FAILED when nothing is mapped */
	size_t map_len;
	const char *name; /* for messages */
	/* Accesses refused as driver bugs (outside the window, misaligned,
	 * a width other than 1, 2 or 4), each reported on stderr. */
	unsigned long refused;
};

/* An unmapped window (closing it does nothing). */
void vmmio_mmio_win_init(struct vmmio_mmio_win *w, const char *name);

/* The window is [map + @off, map + @off + @size) of a mapping of @map_len
 * bytes, which the window owns from here. */
void vmmio_mmio_win_set(struct vmmio_mmio_win *w, void *map, size_t map_len, size_t off,
			uint32_t size);

/* The regwin read and write (vmmio_regwin.h): @ctx points at the window,
 * or at a bus's state whose first member is the window. */
uint32_t vmmio_mmio_win_read(void *ctx, uint32_t off, unsigned size);
void vmmio_mmio_win_write(void *ctx, uint32_t off, unsigned size, uint32_t val);

/* Unmap (idempotent). */
void vmmio_mmio_win_unmap(struct vmmio_mmio_win *w);

/* MagicValue must read 0x74726976 ("MMIO Device Register Layout": the
 * driver MUST ignore a device without it). 0, or -ENODEV with a message
 * naming @where (the device or address) in @err. */
int vmmio_mmio_win_check_magic(struct vmmio_mmio_win *w, const char *arg, const char *where,
			       char *err, size_t errlen);

/*
 * (hw_dma.c) The DMA memory of a real device: hugepages by physical address on
 * @device_node (VMMIO_NUMA_ANY when unknown) unless @opts->hw overrides
 * the node or asks for none, from the hugetlbfs mounts under @env's root.
 * Sets dev->numa_node and dev->dma, and *@out
 * (for vmmio_hugemem_destroy() at close; NULL with hw.no_dma). 0, or the
 * allocator's error with a message that names @dev.
 */
int vmmio_bus_hw_dma(struct vmmio_bus_dev *dev, const struct vmmio_bus_opts *opts,
		     const struct vmmio_bus_env *env, int device_node, struct vmmio_allocator **out,
		     char *err, size_t errlen);

#endif /* VMMIO_MMIO_WIN_H */
