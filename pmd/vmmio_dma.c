/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The port's DMA memory (rings, indirect tables, Tx headers, control
 * buffers) from DPDK's memory, not libvmmio's hugepage allocator: EAL owns
 * the hugepages, and its IOVAs are what the device reaches (physical
 * addresses with UIO or /dev/mem, virtual ones for an in-process device).
 * Each range is an IOVA-contiguous memzone on the requested socket; the
 * driver's shadow state comes from rte_malloc on that socket.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_memzone.h>

#include "vmmio_pmd.h"

/* A memzone spans IOVA-contiguous pages; 2 MiB is what any hugepage (and
 * IOVA as VA) gives. */
#define VMMIO_PMD_DMA_CONTIG (2u << 20)

static int socket_of(int node)
{
	return node == VMMIO_NUMA_ANY ? SOCKET_ID_ANY : node;
}

static int pmd_dma_alloc(void *ctx, const struct vmmio_dma_req *req, struct vmmio_dma *out,
			 char *err, size_t errlen)
{
	static uint32_t seq; /* names must be unique process-wide */
	struct vmmio_port *p = ctx;
	const struct rte_memzone *mz;
	char name[RTE_MEMZONE_NAMESIZE];

	snprintf(name, sizeof(name), "vmmio_%u_%u", p->eth->data->port_id,
		 __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
	mz = rte_memzone_reserve_aligned(name, req->len, socket_of(req->node),
					 RTE_MEMZONE_IOVA_CONTIG, (unsigned)req->align);
	if (!mz) {
		snprintf(err, errlen,
			 "%s: no DPDK memory for %zu bytes of DMA memory on socket %d (%s)",
			 p->name, req->len, req->node, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	if (mz->iova == RTE_BAD_IOVA ||
	    (req->iova_limit && mz->iova + req->len > req->iova_limit)) {
		snprintf(err, errlen,
			 "%s: DPDK memory at IOVA 0x%" PRIx64 " is beyond what the device reaches "
			 "(0x%" PRIx64 ")",
			 p->name, mz->iova, req->iova_limit);
		rte_memzone_free(mz);
		return -ENOMEM;
	}
	memset(mz->addr, 0, req->len);
	*out = (struct vmmio_dma){ .va = mz->addr,
				   .iova = mz->iova,
				   .len = req->len,
				   .fd = -1,
				   .node = mz->socket_id,
				   .priv = mz };
	return 0;
}

static void pmd_dma_free(void *ctx, struct vmmio_dma *m)
{
	(void)ctx;
	rte_memzone_free(m->priv);
}

static void *pmd_zalloc(void *ctx, size_t len, int node)
{
	(void)ctx;
	return rte_zmalloc_socket("vmmio", len, RTE_CACHE_LINE_SIZE, socket_of(node));
}

static void pmd_free(void *ctx, void *ptr, size_t len)
{
	(void)ctx;
	(void)len;
	rte_free(ptr);
}

static const struct vmmio_allocator_ops pmd_dma_ops = {
	.dma_alloc = pmd_dma_alloc,
	.dma_free = pmd_dma_free,
	.zalloc = pmd_zalloc,
	.free = pmd_free,
};

void vmmio_pmd_dma_init(struct vmmio_port *p)
{
	p->dma = (struct vmmio_allocator){
		.ops = &pmd_dma_ops, .ctx = p, .name = "DPDK memzones", .max_contig = VMMIO_PMD_DMA_CONTIG
	};
}
