/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory: DMA ranges the device reaches, and the allocator interface that
 * hands them out together with the driver's private memory.
 *
 * A struct vmmio_dma is a range the driver owns with the address the device
 * uses for it (IOVA), contiguous for the device. Where its addresses come
 * from is the allocator's business: the heap allocator serves in-process
 * devices (devsim), for which the IOVA is the virtual address; hugepages
 * with physical addresses (UIO, /dev/mem), VFIO IOVAs and fd-backed memory
 * for a vhost-user peer plug in behind the same interface, which also
 * carries the NUMA node the memory should live on.
 */
#ifndef VMMIO_MEM_H
#define VMMIO_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "vmmio_api.h"

/* Any NUMA node: the allocator's choice (usually the caller's node). */
#define VMMIO_NUMA_ANY (-1)

struct vmmio_dma {
	void *va; /* the driver's view */
	uint64_t iova; /* the device's view of va[0] */
	size_t len;
	/* For a peer in another process (vhost-user): the file the range
	 * lives in and va[0]'s offset there; fd -1 when not fd-backed. */
	int fd;
	uint64_t fd_off;
	int node; /* the NUMA node it lives on, VMMIO_NUMA_ANY when unknown */
	const void *priv; /* the allocator's own: how to give it back */
};

/* What a DMA range must satisfy. */
struct vmmio_dma_req {
	size_t len;
	size_t align; /* of both va and iova: a power of 2 */
	int node; /* NUMA node, or VMMIO_NUMA_ANY */
	/* The device cannot address beyond this: iova + len must not exceed
	 * it (a legacy device's 32-bit QueuePFN reaches 16 TiB). 0: no limit. */
	uint64_t iova_limit;
};

struct vmmio_allocator_ops {
	/*
	 * A zeroed range as @req asks, contiguous for the device. 0, or a
	 * negative errno with the reason, naming the fix where there is one,
	 * in @err.
	 */
	int (*dma_alloc)(void *ctx, const struct vmmio_dma_req *req, struct vmmio_dma *out,
			 char *err, size_t errlen);
	void (*dma_free)(void *ctx, struct vmmio_dma *m);
	/* The driver's private memory (ring shadow state): zeroed, on @node.
	 * NULL when there is none. */
	void *(*zalloc)(void *ctx, size_t len, int node);
	void (*free)(void *ctx, void *p, size_t len);
};

struct vmmio_allocator {
	const struct vmmio_allocator_ops *ops;
	void *ctx;
	const char *name; /* for messages: "heap", "hugepages" */
	/* The largest range dma_alloc() gives contiguous for the device (a
	 * hugepage, say); 0 for no limit. A queue's ring must fit in one; its
	 * indirect tables are spread over as many as they need. */
	size_t max_contig;
};

/*
 * Heap memory for in-process devices: IOVA = VA; a request with an
 * iova_limit is served from low mappings (MAP_32BIT); the node is not
 * honoured (the memory is wherever the heap puts it).
 */
VMMIO_API const struct vmmio_allocator *vmmio_heap_allocator(void);

/* Allocate through @a (as its dma_alloc). */
VMMIO_API int vmmio_dma_alloc(const struct vmmio_allocator *a, const struct vmmio_dma_req *req,
			      struct vmmio_dma *out, char *err, size_t errlen);
/* Give a range back to @a; @m is zeroed (a zeroed @m is left alone). */
VMMIO_API void vmmio_dma_free(const struct vmmio_allocator *a, struct vmmio_dma *m);

/* Zeroed heap memory of @len bytes aligned to @align (a power of 2),
 * IOVA = VA. Returns 0 or -ENOMEM / -EINVAL. */
VMMIO_API int vmmio_dma_heap_alloc(struct vmmio_dma *m, size_t len, size_t align);
VMMIO_API void vmmio_dma_heap_free(struct vmmio_dma *m);

/*
 * Zeroed, page-aligned memory below 16 TiB (the reach of a legacy device's
 * 32-bit QueuePFN), IOVA = VA: for the rings of in-process Version 1
 * devices. Returns 0, -EINVAL or -ENOMEM.
 */
VMMIO_API int vmmio_dma_low_alloc(struct vmmio_dma *m, size_t len);
VMMIO_API void vmmio_dma_low_free(struct vmmio_dma *m);

/* The device address of @p, which must lie inside @m. */
static inline uint64_t vmmio_dma_iova(const struct vmmio_dma *m, const void *p)
{
	return m->iova + (uint64_t)((const char *)p - (const char *)m->va);
}

#endif /* VMMIO_MEM_H */
