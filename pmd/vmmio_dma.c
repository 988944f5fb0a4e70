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
#include <rte_memory.h>
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

/* --- the vhost bus: all of DPDK's memory, shared by fd -------------------------------- */

struct region_walk {
	struct vmmio_bus_mem_region *out;
	unsigned max, n;
	char *err;
	size_t errlen;
};

/* One memory segment: a page (or a run of pages) of a memseg list. Runs
 * that are adjacent in both the address space and the file merge, so that
 * a list in one file (--single-file-segments, --no-huge) is one region. */
static int add_segment(const struct rte_memseg_list *msl, const struct rte_memseg *ms, void *arg)
{
	struct region_walk *w = arg;
	struct vmmio_bus_mem_region *last = w->n ? &w->out[w->n - 1] : NULL;
	size_t off;
	int fd;

	if (msl->external)
		return 0; /* the app's own memory: not where our mbufs come from */
	fd = rte_memseg_get_fd_thread_unsafe(ms);
	if (fd < 0 || rte_memseg_get_fd_offset_thread_unsafe(ms, &off) < 0) {
		snprintf(w->err, w->errlen,
			 "DPDK memory at %p has no file to share (%s): run EAL with --no-huge, "
			 "or with hugepages and --single-file-segments, not --legacy-mem",
			 ms->addr, rte_strerror(rte_errno));
		return -1;
	}
	if (last && last->fd == fd && (char *)last->va + last->len == (char *)ms->addr &&
	    last->fd_off + last->len == off) {
		last->len += ms->len;
		return 0;
	}
	if (w->n == w->max) {
		snprintf(w->err, w->errlen,
			 "DPDK's memory is in more than %u pieces, the most a vhost-user memory "
			 "table holds: run EAL with --single-file-segments",
			 w->max);
		return -1;
	}
	w->out[w->n++] = (struct vmmio_bus_mem_region){
		.va = ms->addr, .len = ms->len, .fd = fd, .fd_off = off
	};
	return 0;
}

int vmmio_pmd_mem_regions(void *ctx, struct vmmio_bus_mem_region *out, unsigned max, char *err,
			  size_t errlen)
{
	struct region_walk w = { .out = out, .max = max, .err = err, .errlen = errlen };

	(void)ctx;
	/* The walk holds EAL's memory lock: the _thread_unsafe getters are
	 * the ones to call inside it. */
	if (rte_memseg_walk(add_segment, &w) != 0)
		return -EINVAL;
	return (int)w.n;
}
