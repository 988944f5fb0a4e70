/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtqueue API's contracts that need no device: vmmio_vq_create()'s
 * refusals quote the value at fault and leave nothing allocated; the
 * memory comes from the allocator (the ring in one range, the indirect
 * tables spread over as many as its max_contig needs, all of it given
 * back); vmmio_vq_reclaim() takes a NULL callback on both ring formats
 * (also on a queue a device broke) and hands buffers back oldest first on
 * both. Where a device must have written something, the test writes it
 * into the ring by hand.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "talloc.h"
#include "tap.h"
#include "vmmio_barrier.h"
#include "vmmio_vq.h"

/* --- vmmio_vq_create()'s refusals ------------------------------------------------ */

struct refusal {
	const char *name;
	struct vmmio_vq_params p;
	size_t max_contig; /* the allocator's */
	const char *says; /* in the error */
	const char *not_says; /* must not be in it (a value that is not at fault) */
};

static const struct refusal refusals[] = {
	{ "queue size 0", { .index = 3, .num = 0 }, 0,
	  "queue 3: queue size must be 1..32768 (got 0)", NULL },
	{ "split ring of 100", { .index = 1, .num = 100 }, 0, "power of 2 (got 100)", NULL },
	{ "packed ring on a legacy device", { .num = 8, .packed = true, .legacy = true }, 0,
	  "legacy (Version 1) devices have no packed rings", "got" },
	{ "indirect_max 1", { .num = 8, .indirect_max = 1 }, 0,
	  "an indirect table needs at least 2 entries (indirect_max 1)", "got 8" },
	{ "indirect_min 1", { .num = 256, .indirect_max = 16, .indirect_min = 1 }, 0,
	  "indirect_min must be 0 (default 2) or at least 2 (got 1)", "256" },
	/* 4096 bytes of descriptors, 518 of avail ring, the used ring (2054)
	 * on the next cache line */
	{ "a ring larger than the allocator's ranges", { .index = 2, .num = 256 }, 4096,
	  "queue 2: a ring of 256 entries takes 6726 contiguous bytes, talloc gives at most 4096",
	  NULL },
	{ "an indirect table larger than the allocator's ranges",
	  { .index = 5, .num = 8, .indirect_max = 512 }, 4096,
	  "queue 5: an indirect table of 8192 bytes does not fit the 4096 contiguous bytes talloc gives",
	  NULL },
};

static void t_refusal(const void *arg)
{
	const struct refusal *r = arg;
	struct talloc t;
	char err[VMMIO_VQ_ERR_LEN] = "";

	talloc_init(&t, r->max_contig);
	CHECK(vmmio_vq_create(&r->p, &t.a, err, sizeof(err)) == NULL);
	CHECK_STR_HAS(err, r->says);
	if (r->not_says && strstr(err, r->not_says))
		CHECK(!"the error quotes a value that is not at fault");
	printf("# %s\n", err);
	/* a refusal leaves nothing behind */
	CHECK_EQ(t.dma_out, 0);
	CHECK_EQ(t.priv_out, 0);
}

/* --- memory ----------------------------------------------------------------------------- */

/*
 * Indirect tables spread over ranges: 64 slots of 16 entries (256 bytes
 * each) with ranges of at most 4096 bytes take four, and every buffer's
 * table lies whole inside one of them, at the address the ring descriptor
 * gives; the device reads there what the buffer's segments say.
 */
static void t_indirect_ranges(const void *arg)
{
	const bool packed = arg != NULL;
	const struct vmmio_vq_params p = { .num = 64, .packed = packed, .indirect_max = 16 };
	static uint8_t data[64][4][32];
	struct vmmio_seg seg[64][4];
	struct vmmio_buf b[64];
	struct vmmio_queue_cfg cfg;
	char err[VMMIO_VQ_ERR_LEN];
	struct vmmio_vq *vq;
	struct talloc t;

	talloc_init(&t, 4096);
	vq = vmmio_vq_create(&p, &t.a, err, sizeof(err));
	if (!vq) {
		printf("# %s\n", err);
		CHECK(!"vmmio_vq_create");
		return;
	}
	CHECK_EQ(t.dma_total, 1 + 64 * 256 / 4096);
	for (unsigned i = 0; i < 64; i++) {
		for (unsigned k = 0; k < 4; k++)
			seg[i][k] = (struct vmmio_seg){ (uintptr_t)data[i][k], 32 - k };
		b[i] = (struct vmmio_buf){ seg[i], 2, 2, data[i] };
	}
	CHECK_EQ(vmmio_vq_add(vq, b, 64), 64);
	vmmio_vq_publish(vq);
	vmmio_vq_queue_cfg(vq, &cfg);
	for (unsigned i = 0; i < 64; i++) {
		uint64_t table;
		uint32_t len;

		if (packed) {
			const struct vmmio_pdesc *d = (const struct vmmio_pdesc *)(uintptr_t)cfg.desc;

			CHECK(d[i].flags & VMMIO_DESC_F_INDIRECT);
			table = d[i].addr;
			len = d[i].len;
		} else {
			const struct vmmio_vring_desc *d =
				(const struct vmmio_vring_desc *)(uintptr_t)cfg.desc;

			CHECK(d[i].flags & VMMIO_DESC_F_INDIRECT);
			table = d[i].addr;
			len = d[i].len;
		}
		CHECK_EQ(len, 4 * 16);
		/* IOVA = VA: the table, read as the device would */
		for (unsigned k = 0; k < 4; k++) {
			const uint64_t *e = (const uint64_t *)(uintptr_t)(table + 16 * k);

			CHECK_EQ(e[0], (uintptr_t)data[i][k]);
			CHECK_EQ(((const uint32_t *)e)[2], 32 - k);
		}
		/* whole inside one 4096-byte range: never across its end */
		CHECK_EQ(table / 4096, (table + len - 1) / 4096);
	}
	vmmio_vq_destroy(vq);
	CHECK_EQ(t.dma_out, 0);
	CHECK_EQ(t.priv_out, 0);
}

/* A Version 1 ring comes from memory its 32-bit QueuePFN reaches. */
static void t_legacy_ring_low(void)
{
	const struct vmmio_vq_params p = { .num = 256, .legacy = true, .indirect_max = 8 };
	struct vmmio_queue_cfg cfg;
	char err[VMMIO_VQ_ERR_LEN];
	struct vmmio_vq *vq = vmmio_vq_create(&p, vmmio_heap_allocator(), err, sizeof(err));

	if (!vq) {
		printf("# %s\n", err);
		CHECK(!"vmmio_vq_create");
		return;
	}
	vmmio_vq_queue_cfg(vq, &cfg);
	CHECK(cfg.desc % 4096 == 0);
	CHECK(cfg.device < (4096ull << 32));
	vmmio_vq_destroy(vq);
}

/* --- vmmio_vq_reclaim() ------------------------------------------------------------------ */

struct hq {
	struct vmmio_vq_params p;
	struct talloc t;
	struct vmmio_vq *vq;
	uint8_t data[8][64];
	struct vmmio_seg seg[8];
};

static int hq_open(struct hq *h, bool packed, uint16_t num)
{
	char err[VMMIO_VQ_ERR_LEN];

	memset(h, 0, sizeof(*h));
	h->p = (struct vmmio_vq_params){ .num = num, .packed = packed };
	talloc_init(&h->t, 0);
	h->vq = vmmio_vq_create(&h->p, &h->t.a, err, sizeof(err));
	if (!h->vq) {
		printf("# %s\n", err);
		return -EINVAL;
	}
	for (unsigned i = 0; i < 8; i++)
		h->seg[i] = (struct vmmio_seg){ (uintptr_t)h->data[i], sizeof(h->data[i]) };
	return 0;
}

static void hq_close(struct hq *h)
{
	vmmio_vq_destroy(h->vq);
	CHECK_EQ(h->t.dma_out, 0);
	CHECK_EQ(h->t.priv_out, 0);
}

/* Add buffer @i (one writable segment, cookie data[i]). */
static int hq_add(struct hq *h, unsigned i)
{
	const struct vmmio_buf b = { &h->seg[i], 0, 1, h->data[i] };

	return vmmio_vq_add(h->vq, &b, 1);
}

/* Play the device, in the ring's first lap: the @k-th used entry (split:
 * used ring entry k; packed: descriptor k, buffers of one descriptor each)
 * names the buffer at @slot (split: its head descriptor; packed: its id). */
static void hq_use(struct hq *h, unsigned k, uint16_t slot)
{
	struct vmmio_queue_cfg cfg;

	vmmio_vq_queue_cfg(h->vq, &cfg);
	if (h->p.packed) {
		struct vmmio_pdesc *d = (struct vmmio_pdesc *)(uintptr_t)cfg.desc;

		d[k].id = slot;
		d[k].len = 0;
		vmmio_wmb();
		/* used with wrap counter 1: AVAIL and USED both set */
		vmmio_store16(&d[k].flags, VMMIO_DESC_F_AVAIL | VMMIO_DESC_F_USED);
	} else {
		struct vmmio_vring_used *u = (struct vmmio_vring_used *)(uintptr_t)cfg.device;

		u->ring[k].id = slot;
		u->ring[k].len = 0;
		vmmio_wmb();
		vmmio_store16(&u->idx, (uint16_t)(k + 1));
	}
}

/*
 * A lying device: a used entry naming id @num (beyond QueueSize) where the
 * driver reads first.
 */
static void hq_lie(struct hq *h)
{
	hq_use(h, 0, h->p.num);
}

/* The queue is back at its initial state and carries buffers again. */
static void hq_whole(struct hq *h)
{
	CHECK(!vmmio_vq_broken(h->vq));
	CHECK_EQ(vmmio_vq_fault(h->vq), VMMIO_VQ_OK);
	CHECK_EQ(vmmio_vq_outstanding(h->vq), 0);
	CHECK_EQ(vmmio_vq_room(h->vq), h->p.num);
	CHECK_EQ(hq_add(h, 0), 1);
	CHECK_EQ(hq_add(h, 1), 1);
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
	for (unsigned i = 0; i < 5; i++)
		CHECK_EQ(hq_add(&h, i), 1);
	vmmio_vq_publish(h.vq);
	CHECK_EQ(hq_add(&h, 5), 1);
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

struct order {
	void *got[8];
	unsigned n;
};

static void record(void *cookie, void *arg)
{
	struct order *o = arg;

	if (o->n < 8)
		o->got[o->n] = cookie;
	o->n++;
}

/*
 * Oldest first on both formats, whatever slots the buffers hold: four
 * added (slots 0..3), the second and fourth used and reaped, two more
 * added, which take the freed slots (the free lists are LIFO: the fifth
 * gets the fourth's slot, the sixth the second's). Slot order would say
 * 0, 5, 2, 4; add order is 0, 2, 4, 5.
 */
static void t_reclaim_order(const void *arg)
{
	const bool packed = arg != NULL;
	struct vmmio_used u[8];
	struct order o = { .n = 0 };
	struct hq h;

	if (hq_open(&h, packed, 8)) {
		CHECK(!"hq_open");
		return;
	}
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(hq_add(&h, i), 1);
	vmmio_vq_publish(h.vq);
	hq_use(&h, 0, 1);
	hq_use(&h, 1, 3);
	CHECK_EQ(vmmio_vq_reap(h.vq, u, 8), 2);
	CHECK(u[0].cookie == h.data[1] && u[1].cookie == h.data[3]);
	CHECK_EQ(hq_add(&h, 4), 1);
	CHECK_EQ(hq_add(&h, 5), 1);
	CHECK_EQ(vmmio_vq_reclaim(h.vq, record, &o), 4);
	CHECK_EQ(o.n, 4);
	CHECK(o.got[0] == h.data[0]);
	CHECK(o.got[1] == h.data[2]);
	CHECK(o.got[2] == h.data[4]);
	CHECK(o.got[3] == h.data[5]);
	hq_close(&h);
}

int main(void)
{
	for (unsigned i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		tap_run_arg(refusals[i].name, t_refusal, &refusals[i]);
	tap_run_arg("split: indirect tables spread over 4096-byte ranges", t_indirect_ranges, NULL);
	tap_run_arg("packed: indirect tables spread over 4096-byte ranges", t_indirect_ranges, "");
	TAP_RUN(t_legacy_ring_low);
	for (unsigned i = 0; i < sizeof(reclaims) / sizeof(reclaims[0]); i++)
		tap_run_arg(reclaims[i].name, t_reclaim_null, &reclaims[i]);
	tap_run_arg("split: reclaim hands buffers back oldest first", t_reclaim_order, NULL);
	tap_run_arg("packed: reclaim hands buffers back oldest first", t_reclaim_order, "");
	return tap_end();
}
