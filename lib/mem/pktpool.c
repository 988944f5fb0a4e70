/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet-buffer pool (vmmio_pktpool.h): its layout is computed once
 * here so that a lookup is a shift, a mask and a multiply.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "vmmio_pktpool.h"

#define DEFAULT_ALIGN 64u

void vmmio_pktpool_destroy(struct vmmio_pktpool *p)
{
	if (!p)
		return;
	for (unsigned r = 0; r < p->nranges; r++)
		vmmio_dma_free(p->alloc, &p->dma[r]);
	free((void *)(uintptr_t)p->range);
	free(p->dma);
	free(p);
}

/* log2 of the buffers in a range: the most that fit @max bytes (0: no
 * limit), but no more than the pool needs. -1 when not even one fits. */
static int range_shift(size_t stride, size_t max, uint32_t count)
{
	int shift = 0;

	if (max && stride > max)
		return -1;
	while (shift < 31 && ((uint64_t)1 << shift) < count &&
	       (!max || ((size_t)2 << shift) <= max / stride))
		shift++;
	return shift;
}

int vmmio_pktpool_create(const struct vmmio_allocator *a, const struct vmmio_pktpool_opts *o,
			 struct vmmio_pktpool **out, char *err, size_t errlen)
{
	const size_t align = o->align ? o->align : DEFAULT_ALIGN;
	struct vmmio_pktpool_range *range;
	struct vmmio_pktpool *p;
	size_t stride;
	int shift, r;
	char why[768];

	*out = NULL;
	if (!o->count || o->count > 1u << 31 || !o->size || (align & (align - 1)) ||
	    o->size > SIZE_MAX / 2) {
		snprintf(err, errlen,
			 "packet pool: %u buffers of %zu bytes aligned to %zu cannot be asked for",
			 o->count, o->size, align);
		return -EINVAL;
	}
	stride = (o->size + align - 1) & ~(align - 1);
	shift = range_shift(stride, a->max_contig, o->count);
	if (shift < 0) {
		snprintf(err, errlen,
			 "packet pool: a buffer of %zu bytes (%zu with its alignment) does not fit the %zu bytes %s gives contiguous",
			 o->size, stride, a->max_contig, a->name);
		return -EINVAL;
	}
	if ((uint64_t)stride << shift > SIZE_MAX) {
		snprintf(err, errlen, "packet pool: %u buffers of %zu bytes do not fit in memory",
			 o->count, stride);
		return -ENOMEM;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		goto nomem;
	p->alloc = a;
	p->stride = stride;
	p->shift = (uint8_t)shift;
	p->mask = (uint32_t)(((uint64_t)1 << shift) - 1);
	p->count = o->count;
	p->size = o->size;
	p->nranges = (unsigned)((((uint64_t)o->count - 1) >> shift) + 1);
	range = calloc(p->nranges, sizeof(*range));
	p->range = range;
	p->dma = calloc(p->nranges, sizeof(*p->dma));
	if (!range || !p->dma)
		goto nomem;
	for (unsigned i = 0; i < p->nranges; i++) {
		const uint64_t first = (uint64_t)i << shift;
		const uint64_t n = o->count - first < (1ull << shift) ? o->count - first
								     : 1ull << shift;
		const struct vmmio_dma_req req = {
			.len = (size_t)n * stride,
			.align = align,
			.node = o->node,
			.iova_limit = o->iova_limit,
		};

		r = vmmio_dma_alloc(a, &req, &p->dma[i], why, sizeof(why));
		if (r) {
			snprintf(err, errlen,
				 "packet pool: no memory for buffers %llu..%llu (%zu bytes): %s",
				 (unsigned long long)first, (unsigned long long)(first + n - 1),
				 req.len, why);
			/* Only the ranges before this one were allocated. */
			p->nranges = i;
			vmmio_pktpool_destroy(p);
			return r;
		}
		range[i] = (struct vmmio_pktpool_range){ p->dma[i].va, p->dma[i].iova };
		if (!i)
			p->node = p->dma[i].node;
		else if (p->node != p->dma[i].node)
			p->node = VMMIO_NUMA_ANY;
	}
	*out = p;
	return 0;
nomem:
	snprintf(err, errlen, "packet pool: out of memory");
	if (p)
		p->nranges = 0;
	vmmio_pktpool_destroy(p);
	return -ENOMEM;
}
