/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtqueue API's contracts that need no device: vmmio_vq_create()'s
 * refusals quote the value at fault, and vmmio_vq_reclaim() takes a NULL
 * callback on both ring formats (also on a queue a device broke), counting
 * the buffers and leaving the queue whole. Queues here are made over heap
 * memory; where a device must have written something, the test writes it
 * into the ring by hand.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "vmmio_barrier.h"
#include "vmmio_vq.h"

/* --- vmmio_vq_create()'s refusals ------------------------------------------------ */

struct refusal {
	const char *name;
	struct vmmio_vq_params p;
	const char *says; /* in the error */
	const char *not_says; /* must not be in it (a value that is not at fault) */
};

static const struct refusal refusals[] = {
	{ "queue size 0", { .index = 3, .num = 0 }, "queue 3: queue size must be 1..32768 (got 0)",
	  NULL },
	{ "split ring of 100", { .index = 1, .num = 100 }, "power of 2 (got 100)", NULL },
	{ "packed ring on a legacy device", { .num = 8, .packed = true, .legacy = true },
	  "legacy (Version 1) devices have no packed rings", "got" },
	{ "indirect_max 1", { .num = 8, .indirect_max = 1 },
	  "an indirect table needs at least 2 entries (indirect_max 1)", "got 8" },
	{ "indirect_min 1", { .num = 256, .indirect_max = 16, .indirect_min = 1 },
	  "indirect_min must be 0 (default 2) or at least 2 (got 1)", "256" },
};

static void t_refusal(const void *arg)
{
	const struct refusal *r = arg;
	struct vmmio_dma mem;
	char err[VMMIO_VQ_ERR_LEN] = "";

	CHECK_EQ(vmmio_vq_mem_size(&r->p), 0);
	CHECK_EQ(vmmio_dma_heap_alloc(&mem, 1u << 20, VMMIO_VQ_MEM_ALIGN), 0);
	CHECK(vmmio_vq_create(&r->p, &mem, err, sizeof(err)) == NULL);
	CHECK_STR_HAS(err, r->says);
	if (r->not_says && strstr(err, r->not_says))
		CHECK(!"the error quotes a value that is not at fault");
	printf("# %s\n", err);
	vmmio_dma_heap_free(&mem);
}

/* Ring memory too small: the error gives the size needed and the size got. */
static void t_refusal_memory(void)
{
	const struct vmmio_vq_params p = { .index = 2, .num = 256 };
	struct vmmio_dma mem;
	char err[VMMIO_VQ_ERR_LEN] = "", want[64];

	CHECK_EQ(vmmio_dma_heap_alloc(&mem, 4096, VMMIO_VQ_MEM_ALIGN), 0);
	CHECK(vmmio_vq_create(&p, &mem, err, sizeof(err)) == NULL);
	snprintf(want, sizeof(want), "ring memory must be %zu bytes", vmmio_vq_mem_size(&p));
	CHECK_STR_HAS(err, "queue 2: ");
	CHECK_STR_HAS(err, want);
	CHECK_STR_HAS(err, "got 4096");
	vmmio_dma_heap_free(&mem);
}

/* --- vmmio_vq_reclaim(vq, NULL, NULL) ------------------------------------------------ */

struct hq {
	struct vmmio_vq_params p;
	struct vmmio_dma mem;
	struct vmmio_vq *vq;
	uint8_t data[8][64];
	struct vmmio_seg seg[8];
};

static int hq_open(struct hq *h, bool packed, uint16_t num)
{
	char err[VMMIO_VQ_ERR_LEN];

	memset(h, 0, sizeof(*h));
	h->p = (struct vmmio_vq_params){ .num = num, .packed = packed };
	if (vmmio_dma_heap_alloc(&h->mem, vmmio_vq_mem_size(&h->p), VMMIO_VQ_MEM_ALIGN))
		return -ENOMEM;
	h->vq = vmmio_vq_create(&h->p, &h->mem, err, sizeof(err));
	if (!h->vq) {
		printf("# %s\n", err);
		vmmio_dma_heap_free(&h->mem);
		return -EINVAL;
	}
	for (unsigned i = 0; i < 8; i++)
		h->seg[i] = (struct vmmio_seg){ (uintptr_t)h->data[i], sizeof(h->data[i]) };
	return 0;
}

static void hq_close(struct hq *h)
{
	vmmio_vq_destroy(h->vq);
	vmmio_dma_heap_free(&h->mem);
}

/* Add buffers @from..@to-1 (one writable segment each). */
static int hq_add(struct hq *h, unsigned from, unsigned to)
{
	struct vmmio_buf b[8];

	for (unsigned i = from; i < to; i++)
		b[i - from] = (struct vmmio_buf){ &h->seg[i], 0, 1, h->data[i] };
	return vmmio_vq_add(h->vq, b, to - from);
}

/*
 * Play a lying device: a used entry naming id @num (beyond QueueSize) where
 * the driver reads first.
 */
static void hq_lie(struct hq *h)
{
	struct vmmio_queue_cfg cfg;

	vmmio_vq_queue_cfg(h->vq, &cfg);
	if (h->p.packed) {
		struct vmmio_pdesc *d = (struct vmmio_pdesc *)(uintptr_t)cfg.desc;

		d[0].id = h->p.num;
		d[0].len = 0;
		vmmio_wmb();
		vmmio_store16(&d[0].flags, VMMIO_DESC_F_AVAIL | VMMIO_DESC_F_USED);
	} else {
		struct vmmio_vring_used *u = (struct vmmio_vring_used *)(uintptr_t)cfg.device;

		u->ring[0].id = h->p.num;
		u->ring[0].len = 0;
		vmmio_wmb();
		vmmio_store16(&u->idx, 1);
	}
}

/* The queue is back at its initial state and carries buffers again. */
static void hq_whole(struct hq *h)
{
	CHECK(!vmmio_vq_broken(h->vq));
	CHECK_EQ(vmmio_vq_fault(h->vq), VMMIO_VQ_OK);
	CHECK_EQ(vmmio_vq_outstanding(h->vq), 0);
	CHECK_EQ(vmmio_vq_room(h->vq), h->p.num);
	CHECK_EQ(hq_add(h, 0, 2), 2);
	vmmio_vq_publish(h->vq);
	CHECK_EQ(vmmio_vq_outstanding(h->vq), 2);
}

struct reclaim_case {
	const char *name;
	bool packed;
	uint16_t num;
	bool broken; /* a device lied before the reclaim */
};

static const struct reclaim_case reclaims[] = {
	{ "split: reclaim with a NULL callback", false, 8, false },
	{ "packed: reclaim with a NULL callback", true, 8, false },
	{ "split, 32768 entries, broken by a lie: reclaim with a NULL callback", false, 32768,
	  true },
	{ "packed, 32768 entries, broken by a lie: reclaim with a NULL callback", true, 32768,
	  true },
};

static void t_reclaim_null(const void *arg)
{
	const struct reclaim_case *rc = arg;
	struct vmmio_used u[8];
	struct vmmio_vq_stats st;
	struct hq h;

	if (hq_open(&h, rc->packed, rc->num)) {
		CHECK(!"hq_open");
		return;
	}
	/* five published, one only added */
	CHECK_EQ(hq_add(&h, 0, 5), 5);
	vmmio_vq_publish(h.vq);
	CHECK_EQ(hq_add(&h, 5, 6), 1);
	if (rc->broken) {
		hq_lie(&h);
		CHECK_EQ(vmmio_vq_reap(h.vq, u, 8), 0);
		CHECK(vmmio_vq_broken(h.vq));
		CHECK_EQ(vmmio_vq_fault(h.vq), VMMIO_VQ_BAD_ID);
	}
	CHECK_EQ(vmmio_vq_reclaim(h.vq, NULL, NULL), 6);
	vmmio_vq_stats(h.vq, &st);
	CHECK_EQ(st.reclaimed, 6);
	hq_whole(&h);
	/* and once more with nothing outstanding but the two just added */
	CHECK_EQ(vmmio_vq_reclaim(h.vq, NULL, NULL), 2);
	hq_close(&h);
}

int main(void)
{
	for (unsigned i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		tap_run_arg(refusals[i].name, t_refusal, &refusals[i]);
	TAP_RUN(t_refusal_memory);
	for (unsigned i = 0; i < sizeof(reclaims) / sizeof(reclaims[0]); i++)
		tap_run_arg(reclaims[i].name, t_reclaim_null, &reclaims[i]);
	return tap_end();
}
