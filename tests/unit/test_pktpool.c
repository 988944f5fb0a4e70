/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet-buffer pool over the heap allocator (one range) and over an
 * allocator that gives little contiguous memory (many ranges): every
 * buffer's va and iova from the inline lookups lie inside the range the
 * pool took for it, aligned, apart by the stride, never across a range's
 * end; the refusals name the reason; a failing allocator leaks nothing.
 * Over real hugepages: test_hugemem_real.c.
 */
#include <errno.h>
#include <string.h>

#include "tap.h"
#include "vmmio_pktpool.h"

/* The heap, but at most @max_contig bytes a range and failing after
 * @budget ranges: counts what is live. */
static int live, budget = 1 << 30;

static int small_alloc(void *ctx, const struct vmmio_dma_req *req, struct vmmio_dma *out,
		       char *err, size_t errlen)
{
	const struct vmmio_allocator *heap = vmmio_heap_allocator();
	int r;

	(void)ctx;
	if (budget-- <= 0) {
		snprintf(err, errlen, "small: budget spent");
		return -ENOMEM;
	}
	r = heap->ops->dma_alloc(heap->ctx, req, out, err, errlen);
	if (!r) {
		live++;
		out->node = 3; /* something to report */
	}
	return r;
}

static void small_free(void *ctx, struct vmmio_dma *m)
{
	const struct vmmio_allocator *heap = vmmio_heap_allocator();

	(void)ctx;
	live--;
	heap->ops->dma_free(heap->ctx, m);
}

static const struct vmmio_allocator_ops small_ops = {
	.dma_alloc = small_alloc,
	.dma_free = small_free,
};

static const struct vmmio_allocator small = {
	.ops = &small_ops,
	.name = "small",
	.max_contig = 64 << 10,
};

/* Every buffer where the pool's layout says, inside its own range. */
static void check_layout(const struct vmmio_pktpool *p, uint32_t count, size_t size,
			 size_t align)
{
	const size_t stride = (size + align - 1) & ~(align - 1);

	CHECK_EQ(vmmio_pktpool_count(p), count);
	CHECK_EQ(vmmio_pktpool_size(p), size);
	for (uint32_t i = 0; i < count; i++) {
		const struct vmmio_dma *m = &p->dma[i >> p->shift];
		uint8_t *va = vmmio_pktpool_va(p, i);
		const uint64_t iova = vmmio_pktpool_iova(p, i);

		if (va < (uint8_t *)m->va || va + size > (uint8_t *)m->va + m->len ||
		    iova != vmmio_dma_iova(m, va) || (uintptr_t)va % align || iova % align) {
			CHECK(!"buffer outside its range or misaligned");
			printf("# buffer %u\n", i);
			return;
		}
		if (i && (i & p->mask) && va != (uint8_t *)vmmio_pktpool_va(p, i - 1) + stride) {
			CHECK(!"buffers not a stride apart");
			return;
		}
		/* every buffer writable to its end, zeroed first */
		if (va[0] || va[size - 1]) {
			CHECK(!"buffer not zeroed");
			return;
		}
		va[0] = va[size - 1] = 1;
	}
}

static void t_heap_one_range(void)
{
	const struct vmmio_pktpool_opts o = { .count = 1000, .size = 1500, .node = -1 };
	struct vmmio_pktpool *p;
	char err[256];

	CHECK_EQ(vmmio_pktpool_create(vmmio_heap_allocator(), &o, &p, err, sizeof(err)), 0);
	if (!p)
		return;
	CHECK_EQ(p->nranges, 1);
	CHECK_EQ(p->stride, 1536);
	CHECK_EQ(vmmio_pktpool_node(p), VMMIO_NUMA_ANY);
	check_layout(p, 1000, 1500, 64);
	vmmio_pktpool_destroy(p);
	vmmio_pktpool_destroy(NULL);
}

static void t_many_ranges(void)
{
	static const struct { uint32_t count; size_t size, align; unsigned ranges; } cases[] = {
		/* 64 KiB / 1536 = 42: 32 a range */
		{ 1000, 1500, 0, 32 },
		/* 2048 divides 64 KiB: 32 a range, nothing wasted */
		{ 64, 2048, 2048, 2 },
		/* exactly one range's worth, and one more */
		{ 16, 4096, 4096, 1 },
		{ 17, 4096, 4096, 2 },
		/* a buffer the size of the range */
		{ 3, 64 << 10, 4096, 3 },
		{ 1, 1, 1, 1 },
	};

	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct vmmio_pktpool_opts o = { .count = cases[c].count,
						      .size = cases[c].size,
						      .align = cases[c].align,
						      .node = VMMIO_NUMA_ANY };
		struct vmmio_pktpool *p;
		char err[256];

		CHECK_EQ(vmmio_pktpool_create(&small, &o, &p, err, sizeof(err)), 0);
		if (!p) {
			printf("# %s\n", err);
			continue;
		}
		CHECK_EQ(p->nranges, cases[c].ranges);
		CHECK_EQ(live, (int)cases[c].ranges);
		CHECK_EQ(vmmio_pktpool_node(p), 3);
		check_layout(p, cases[c].count, cases[c].size,
			     cases[c].align ? cases[c].align : 64);
		vmmio_pktpool_destroy(p);
		CHECK_EQ(live, 0);
	}
}

static void t_refusals(void)
{
	struct vmmio_pktpool *p = (void *)1;
	char err[512];

	CHECK_EQ(vmmio_pktpool_create(&small, &(struct vmmio_pktpool_opts){ .count = 0, .size = 64 },
				      &p, err, sizeof(err)),
		 -EINVAL);
	CHECK(p == NULL);
	CHECK_STR_HAS(err, "packet pool: 0 buffers of 64 bytes aligned to 64 cannot be asked for");
	CHECK_EQ(vmmio_pktpool_create(&small,
				      &(struct vmmio_pktpool_opts){ .count = 1, .size = 64, .align = 48 },
				      &p, err, sizeof(err)),
		 -EINVAL);
	CHECK_EQ(vmmio_pktpool_create(&small,
				      &(struct vmmio_pktpool_opts){ .count = 8, .size = (64 << 10) + 1 },
				      &p, err, sizeof(err)),
		 -EINVAL);
	CHECK_STR_HAS(err, "packet pool: a buffer of 65537 bytes (65600 with its alignment) does not fit the 65536 bytes small gives contiguous");

	/* the allocator gives out after 5 ranges: those 5 go back */
	budget = 5;
	CHECK_EQ(vmmio_pktpool_create(&small,
				      &(struct vmmio_pktpool_opts){ .count = 1000, .size = 2048 },
				      &p, err, sizeof(err)),
		 -ENOMEM);
	CHECK_STR_HAS(err, "packet pool: no memory for buffers 160..191 (65536 bytes): small: budget spent");
	CHECK_EQ(live, 0);
	budget = 1 << 30;
}

int main(void)
{
	TAP_RUN(t_heap_one_range);
	TAP_RUN(t_many_ranges);
	TAP_RUN(t_refusals);
	return tap_end();
}
