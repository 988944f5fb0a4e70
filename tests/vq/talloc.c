/* SPDX-License-Identifier: BSD-3-Clause */
/* The tests' allocator: the heap's memory, in bounded ranges, counted. */
#include <errno.h>
#include <stdio.h>

#include "talloc.h"
#include "vmmio_vq.h"

static int t_dma_alloc(void *ctx, const struct vmmio_dma_req *req, struct vmmio_dma *out,
		       char *err, size_t errlen)
{
	struct talloc *t = ctx;
	const struct vmmio_allocator *heap = vmmio_heap_allocator();
	int r;

	if (t->a.max_contig && req->len > t->a.max_contig) {
		snprintf(err, errlen, "talloc: %zu bytes asked, at most %zu contiguous", req->len,
			 t->a.max_contig);
		return -ENOMEM;
	}
	r = heap->ops->dma_alloc(heap->ctx, req, out, err, errlen);
	if (!r) {
		t->dma_out++;
		t->dma_total++;
	}
	return r;
}

static void t_dma_free(void *ctx, struct vmmio_dma *m)
{
	struct talloc *t = ctx;
	const struct vmmio_allocator *heap = vmmio_heap_allocator();

	t->dma_out--;
	heap->ops->dma_free(heap->ctx, m);
}

static void *t_zalloc(void *ctx, size_t len, int node)
{
	struct talloc *t = ctx;
	const struct vmmio_allocator *heap = vmmio_heap_allocator();
	void *p = heap->ops->zalloc(heap->ctx, len, node);

	if (p)
		t->priv_out++;
	return p;
}

static void t_free(void *ctx, void *p, size_t len)
{
	struct talloc *t = ctx;
	const struct vmmio_allocator *heap = vmmio_heap_allocator();

	t->priv_out--;
	heap->ops->free(heap->ctx, p, len);
}

static const struct vmmio_allocator_ops talloc_ops = {
	.dma_alloc = t_dma_alloc,
	.dma_free = t_dma_free,
	.zalloc = t_zalloc,
	.free = t_free,
};

void talloc_init(struct talloc *t, size_t max_contig)
{
	*t = (struct talloc){
		.a = { .ops = &talloc_ops, .ctx = t, .name = "talloc", .max_contig = max_contig },
	};
}

size_t talloc_ring_contig(const struct vmmio_vq_params *p)
{
	struct vmmio_vq_params ring = *p;
	size_t need, c = 4096;

	ring.indirect_max = 0;
	ring.indirect_min = 0;
	need = vmmio_vq_mem_size(&ring);
	while (c < need)
		c *= 2;
	return c;
}
