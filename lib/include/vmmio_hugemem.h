/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DMA memory for real devices: 2 MiB hugepages from a hugetlbfs mount,
 * each page physically contiguous, so a ring of up to 2 MiB is contiguous
 * for the device. The device's address of a range comes from an IOVA
 * source: the physical address from /proc/self/pagemap (UIO and /dev/mem:
 * no IOMMU between device and memory), or whatever a VFIO container maps
 * it at (a VFIO bus fills one in later).
 *
 * NUMA: pages are bound to the node asked for (libnuma, mbind) before they
 * are touched, and each range reports the node it landed on, which a DPDK
 * PMD passes on as the queue's socket id. A single-node machine needs no
 * set-up beyond the hugepages themselves.
 */
#ifndef VMMIO_HUGEMEM_H
#define VMMIO_HUGEMEM_H

#include <stddef.h>
#include <stdint.h>

#include "vmmio_api.h"
#include "vmmio_mem.h"

#define VMMIO_HUGEPAGE_SIZE (2u << 20)

/* Where the device's address of driver memory comes from. */
struct vmmio_iova_source {
	/*
	 * The device address of [@va, @va + @len), which lies in one hugepage
	 * the allocator has touched and locked. 0, or a negative errno with the
	 * reason and its fix in @err.
	 */
	int (*iova)(void *ctx, const void *va, size_t len, uint64_t *iova, char *err,
		    size_t errlen);
	void *ctx;
	const char *name; /* for messages: "pagemap" */
};

/* Physical addresses from /proc/self/pagemap (needs CAP_SYS_ADMIN: root). */
VMMIO_API const struct vmmio_iova_source *vmmio_iova_pagemap(void);

struct vmmio_hugemem_opts {
	/* hugetlbfs mount point; NULL: the first 2 MiB one in /proc/mounts */
	const char *mount;
	/* NUMA node for every range; VMMIO_NUMA_ANY: the calling thread's
	 * (the thread calling vmmio_hugemem_create()). A request's own node
	 * (vmmio_dma_req.node), when it names one, wins. */
	int node;
	/* NULL: vmmio_iova_pagemap() */
	const struct vmmio_iova_source *iova;
};

/*
 * An allocator (vmmio_mem.h) serving hugepage memory as @o says; its
 * max_contig is one hugepage. 0 and *@out, or a negative errno with a
 * message naming the fix in @err: hugetlbfs not mounted, no hugepages
 * reserved (how many, and the command), not root (pagemap without frame
 * numbers), a NUMA node that does not exist. It checks all of them by
 * taking one hugepage, asking the IOVA source for its address and giving it
 * back, so a driver learns at open time, not at its first queue.
 * Requests that a range fail later (dma_alloc) name the same, and a range
 * beyond the request's iova_limit names its address.
 *
 * Ranges are carved from hugepages (a range never crosses a 2 MiB
 * boundary; a request above 2 MiB fails), zeroed, with va and iova aligned
 * as asked; a hugepage goes back to the pool when its last range is freed.
 * Each range's fd/fd_off name it in one unlinked hugetlbfs file the
 * allocator owns (to pass to a vhost-user peer; do not close it), and
 * node the node it is on. zalloc: private memory preferring the node
 * asked. Thread-safe.
 */
VMMIO_API int vmmio_hugemem_create(const struct vmmio_hugemem_opts *o,
				   struct vmmio_allocator **out, char *err, size_t errlen);
/* Release the allocator and every hugepage it still holds; NULL is left
 * alone. Every range must have been freed (or no longer be used). */
VMMIO_API void vmmio_hugemem_destroy(struct vmmio_allocator *a);

/* The node @a's ranges go to by default: opts->node, or the creating
 * thread's for VMMIO_NUMA_ANY (what a bus reports as the device's node). */
VMMIO_API int vmmio_hugemem_node(const struct vmmio_allocator *a);

#endif /* VMMIO_HUGEMEM_H */
