/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Low DMA memory for in-process legacy devices: a Version 1 device takes a
 * ring's page number in the 32-bit QueuePFN, so the ring must lie below
 * 2^32 pages (16 TiB), which heap memory of a position-independent process
 * on x86-64 does not. Anonymous mappings asked for low (MAP_32BIT: the
 * first 2 GiB) do. IOVA = VA, as for the heap source.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "vmmio_dev.h"
#include "vmmio_mem.h"

/* Far below the heap and the libraries, and inside AddressSanitizer's low
 * application range too. */
#define LOW_HINT 0x40000000ull
/* The end of what a 32-bit QueuePFN can name. */
#define LOW_LIMIT ((uint64_t)VMMIO_LEGACY_PAGE_SIZE << 32)

int vmmio_dma_low_alloc(struct vmmio_dma *m, size_t len)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	void *va;

	memset(m, 0, sizeof(*m));
	if (!len)
		return -EINVAL;
#ifdef MAP_32BIT
	flags |= MAP_32BIT;
#endif
	va = mmap((void *)(uintptr_t)LOW_HINT, len, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (va == MAP_FAILED)
		return -ENOMEM;
	if ((uint64_t)(uintptr_t)va + len > LOW_LIMIT) {
		munmap(va, len);
		return -ENOMEM;
	}
	m->va = va; /* page aligned and zeroed */
	m->iova = (uint64_t)(uintptr_t)va;
	m->len = len;
	m->fd = -1;
	m->node = VMMIO_NUMA_ANY;
	return 0;
}

void vmmio_dma_low_free(struct vmmio_dma *m)
{
	if (m->va)
		munmap(m->va, m->len);
	memset(m, 0, sizeof(*m));
}
