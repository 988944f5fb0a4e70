/* SPDX-License-Identifier: BSD-3-Clause */
/* Heap-backed DMA memory for in-process devices (IOVA = VA). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmmio_mem.h"

int vmmio_dma_heap_alloc(struct vmmio_dma *m, size_t len, size_t align)
{
	void *p;

	memset(m, 0, sizeof(*m));
	if (!len || !align || (align & (align - 1)))
		return -EINVAL;
	if (align < sizeof(void *))
		align = sizeof(void *);
	/* aligned_alloc wants a size that is a multiple of the alignment. */
	if (len > SIZE_MAX - align)
		return -ENOMEM;
	p = aligned_alloc(align, (len + align - 1) & ~(align - 1));
	if (!p)
		return -ENOMEM;
	memset(p, 0, len);
	m->va = p;
	m->iova = (uint64_t)(uintptr_t)p;
	m->len = len;
	m->fd = -1;
	m->node = VMMIO_NUMA_ANY;
	return 0;
}

void vmmio_dma_heap_free(struct vmmio_dma *m)
{
	free(m->va);
	memset(m, 0, sizeof(*m));
}
