/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DMA memory: a range the driver owns, with the address the device uses
 * for it (IOVA). Rings and packet buffers live in such ranges.
 *
 * The heap and low sources serve in-process devices (devsim), for which the
 * IOVA is the virtual address. Hugepage memory with physical addresses (UIO,
 * /dev/mem) and VFIO IOVAs come with the real buses, behind this struct.
 */
#ifndef VMMIO_MEM_H
#define VMMIO_MEM_H

#include <stddef.h>
#include <stdint.h>

struct vmmio_dma {
	void *va; /* the driver's view */
	uint64_t iova; /* the device's view of va[0] */
	size_t len;
};

/* Zeroed heap memory of @len bytes aligned to @align (a power of 2),
 * IOVA = VA. Returns 0 or -ENOMEM / -EINVAL. */
int vmmio_dma_heap_alloc(struct vmmio_dma *m, size_t len, size_t align);
void vmmio_dma_heap_free(struct vmmio_dma *m);

/*
 * Zeroed, page-aligned memory below 16 TiB (the reach of a legacy device's
 * 32-bit QueuePFN), IOVA = VA: for the rings of in-process Version 1
 * devices. Returns 0, -EINVAL or -ENOMEM.
 */
int vmmio_dma_low_alloc(struct vmmio_dma *m, size_t len);
void vmmio_dma_low_free(struct vmmio_dma *m);

/* The device address of @p, which must lie inside @m. */
static inline uint64_t vmmio_dma_iova(const struct vmmio_dma *m, const void *p)
{
	return m->iova + (uint64_t)((const char *)p - (const char *)m->va);
}

#endif /* VMMIO_MEM_H */
