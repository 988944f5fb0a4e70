/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A packet-buffer pool: N buffers of one size from any allocator
 * (vmmio_mem.h), each contiguous for the device, spread over as many DMA
 * ranges as the allocator's max_contig needs (2 MiB hugepages need not be
 * adjacent). Buffer i's address, the driver's and the device's, is a shift,
 * a mask, one multiply and one table load: no division, inline.
 *
 * Layout: buffers are stride = size rounded up to the alignment apart;
 * each range holds 2^shift of them, the largest power of 2 that fits
 * max_contig (the last range only what is left). A stride that divides
 * the range size (2048 in 2 MiB) wastes nothing; an awkward one (2176)
 * leaves the rest of each range's hugepage to the allocator's other users.
 *
 * The pool hands out addresses, not ownership: which buffers are free is
 * the caller's business (a ring of indices, say). Not thread-safe to create
 * and destroy; lookups are read-only.
 */
#ifndef VMMIO_PKTPOOL_H
#define VMMIO_PKTPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "vmmio_api.h"
#include "vmmio_mem.h"

struct vmmio_pktpool_opts {
	uint32_t count; /* buffers, at least 1, at most 2^31 */
	size_t size; /* bytes in each, at least 1 */
	size_t align; /* of each buffer (va and iova), a power of 2; 0: 64 */
	int node; /* NUMA node, or VMMIO_NUMA_ANY */
	uint64_t iova_limit; /* as vmmio_dma_req's: 0 for none */
};

/* Private: the layout the inline lookups read; it changes with any release. */
struct vmmio_pktpool_range {
	uint8_t *va;
	uint64_t iova;
};

struct vmmio_pktpool {
	const struct vmmio_pktpool_range *range; /* buffer i is in range i >> shift */
	size_t stride;
	uint32_t mask; /* (1 << shift) - 1 */
	uint8_t shift;
	uint32_t count;
	size_t size;
	int node; /* every range's node, or VMMIO_NUMA_ANY when they differ */
	unsigned nranges;
	const struct vmmio_allocator *alloc;
	struct vmmio_dma *dma; /* nranges ranges */
};

/*
 * @o->count buffers of @o->size bytes from @a. 0 and *@out, or a negative
 * errno with the reason in @err (a buffer larger than the allocator gives
 * contiguous; the allocator's own message for memory it could not give).
 */
VMMIO_API int vmmio_pktpool_create(const struct vmmio_allocator *a,
				   const struct vmmio_pktpool_opts *o, struct vmmio_pktpool **out,
				   char *err, size_t errlen);
/* Give every range back to the allocator; NULL is left alone. */
VMMIO_API void vmmio_pktpool_destroy(struct vmmio_pktpool *p);

/* Buffer @i's address for the driver; @i < count (unchecked). */
VMMIO_INLINE void *vmmio_pktpool_va(const struct vmmio_pktpool *p, uint32_t i)
{
	return p->range[i >> p->shift].va + (size_t)(i & p->mask) * p->stride;
}

/* Buffer @i's address for the device; @i < count (unchecked). */
VMMIO_INLINE uint64_t vmmio_pktpool_iova(const struct vmmio_pktpool *p, uint32_t i)
{
	return p->range[i >> p->shift].iova + (uint64_t)(i & p->mask) * p->stride;
}

static inline uint32_t vmmio_pktpool_count(const struct vmmio_pktpool *p)
{
	return p->count;
}

/* The bytes of each buffer, as asked (the stride may be more). */
static inline size_t vmmio_pktpool_size(const struct vmmio_pktpool *p)
{
	return p->size;
}

/* The NUMA node of every buffer, VMMIO_NUMA_ANY when unknown or mixed. */
static inline int vmmio_pktpool_node(const struct vmmio_pktpool *p)
{
	return p->node;
}

#endif /* VMMIO_PKTPOOL_H */
