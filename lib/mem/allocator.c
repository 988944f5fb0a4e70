/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The allocator interface's entry points, and the heap allocator behind it
 * for in-process devices (IOVA = VA).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmmio_dev.h"
#include "vmmio_mem.h"

int vmmio_dma_alloc(const struct vmmio_allocator *a, const struct vmmio_dma_req *req,
		    struct vmmio_dma *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->fd = -1;
	if (!req->len || !req->align || (req->align & (req->align - 1))) {
		snprintf(err, errlen, "%s: no range of %zu bytes aligned to %zu can be asked for",
			 a->name, req->len, req->align);
		return -EINVAL;
	}
	return a->ops->dma_alloc(a->ctx, req, out, err, errlen);
}

void vmmio_dma_free(const struct vmmio_allocator *a, struct vmmio_dma *m)
{
	if (!m->va)
		return;
	a->ops->dma_free(a->ctx, m);
	memset(m, 0, sizeof(*m));
	m->fd = -1;
}

/* --- the heap allocator ----------------------------------------------------------- */

/* What heap memory of a position-independent x86-64 process may lie above:
 * a request limited below it comes from low mappings instead. */
#define HEAP_REACH (1ull << 47)

/* vmmio_dma.priv of a range that is a low mapping (else NULL). */
static const char low_mapping;

static int heap_dma_alloc(void *ctx, const struct vmmio_dma_req *req, struct vmmio_dma *out,
			  char *err, size_t errlen)
{
	const bool low = req->iova_limit && req->iova_limit < HEAP_REACH;
	int r;

	(void)ctx;
	/* Low mappings are page aligned, which covers every ring alignment. */
	if (low && req->align > VMMIO_LEGACY_PAGE_SIZE) {
		snprintf(err, errlen, "heap: low memory is %u-byte aligned, not %zu",
			 VMMIO_LEGACY_PAGE_SIZE, req->align);
		return -EINVAL;
	}
	r = low ? vmmio_dma_low_alloc(out, req->len)
		: vmmio_dma_heap_alloc(out, req->len, req->align);
	out->priv = low ? &low_mapping : NULL;
	if (r) {
		snprintf(err, errlen, "heap: no memory for %zu bytes%s", req->len,
			 low ? " below the device's address limit" : "");
		return r;
	}
	if (req->iova_limit && out->iova + out->len > req->iova_limit) {
		snprintf(err, errlen, "heap: %zu bytes at 0x%llx end beyond the device's limit 0x%llx",
			 out->len, (unsigned long long)out->iova,
			 (unsigned long long)req->iova_limit);
		vmmio_dma_free(vmmio_heap_allocator(), out);
		return -ENOMEM;
	}
	return 0;
}

static void heap_dma_free(void *ctx, struct vmmio_dma *m)
{
	(void)ctx;
	if (m->priv == &low_mapping)
		vmmio_dma_low_free(m);
	else
		vmmio_dma_heap_free(m);
}

static void *heap_zalloc(void *ctx, size_t len, int node)
{
	(void)ctx;
	(void)node;
	return calloc(1, len ? len : 1);
}

static void heap_free(void *ctx, void *p, size_t len)
{
	(void)ctx;
	(void)len;
	free(p);
}

static const struct vmmio_allocator_ops heap_ops = {
	.dma_alloc = heap_dma_alloc,
	.dma_free = heap_dma_free,
	.zalloc = heap_zalloc,
	.free = heap_free,
};

static const struct vmmio_allocator heap_allocator = {
	.ops = &heap_ops,
	.name = "heap",
};

const struct vmmio_allocator *vmmio_heap_allocator(void)
{
	return &heap_allocator;
}
