/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver played by hand on ring memory, for the tests of devsim's
 * device side of the rings: a device brought up through raw register
 * accesses (sim.h) with the ring features asked for, queues on heap memory
 * (IOVA = VA), and descriptors, available entries and suppression fields
 * written one by one as vmmio_ring.h lays them out. Independent of lib/vq
 * on purpose: the device is tested against the spec's layouts, not against
 * our driver.
 */
#ifndef VMMIO_TEST_HAND_RING_H
#define VMMIO_TEST_HAND_RING_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devsim_vq.h"
#include "sim.h"
#include "vmmio_barrier.h"
#include "vmmio_dev.h"
#include "vmmio_ring.h"

/* Ring features to negotiate (bits of hr_open()'s @rf). */
#define RF_PACKED 0x1u
#define RF_EVENT_IDX 0x2u
#define RF_IN_ORDER 0x4u
#define RF_INDIRECT 0x8u
#define RF_NOTIF_DATA 0x10u
#define RF_LEGACY 0x20u /* a Version 1 device: split only, no bit >= 32 */

#define HR_MAX_Q 5u /* two virtio-net queue pairs and the controlq */
/* Version 1: a guest page large enough that QueuePFN holds heap addresses. */
#define HR_LEGACY_PAGE 65536u
#define HR_LEGACY_ALIGN 4096u

struct hr_ring {
	uint16_t q, num;
	bool packed;
	void *mem[3];
	struct vmmio_vring_desc *desc;
	struct vmmio_vring_avail *avail;
	struct vmmio_vring_used *used;
	struct vmmio_pdesc *pd;
	struct vmmio_pevent *drv_ev; /* Driver Area: the driver's wishes */
	struct vmmio_pevent *dev_ev; /* Device Area: the device's */
	uint16_t avail_idx; /* split: the driver's shadow */
	uint16_t pos; /* packed: next position to make available ... */
	bool wrap; /* ... and the driver's wrap counter */
};

struct hr {
	struct sim sim;
	struct devsim *s;
	struct hr_ring r[HR_MAX_Q];
	unsigned nq;
};

static inline void *hr_zalloc(size_t len, size_t align)
{
	void *p = aligned_alloc(align, (len + align - 1) / align * align);

	if (!p)
		abort();
	memset(p, 0, len);
	return p;
}

static inline void hr_ring_mem(struct hr *h, struct hr_ring *r, bool legacy)
{
	if (legacy) {
		struct vmmio_legacy_layout l;
		char *base;

		CHECK_EQ(rd(&h->sim, VMMIO_REG_LEGACY_QUEUE_PFN), 0);
		CHECK(rd(&h->sim, VMMIO_REG_QUEUE_NUM_MAX) >= r->num);

		vmmio_legacy_layout(r->num, HR_LEGACY_ALIGN, &l);
		base = hr_zalloc(l.size, HR_LEGACY_PAGE);
		r->mem[0] = base;
		r->desc = (void *)base;
		r->avail = (void *)(base + l.avail_off);
		r->used = (void *)(base + l.used_off);
		wr(&h->sim, VMMIO_REG_QUEUE_NUM, r->num);
		wr(&h->sim, VMMIO_REG_LEGACY_QUEUE_ALIGN, HR_LEGACY_ALIGN);
		wr(&h->sim, VMMIO_REG_LEGACY_QUEUE_PFN, (uint32_t)((uintptr_t)base / HR_LEGACY_PAGE));
		return;
	}
	CHECK_EQ(rd(&h->sim, VMMIO_REG_QUEUE_READY), 0);
	CHECK(rd(&h->sim, VMMIO_REG_QUEUE_NUM_MAX) >= r->num);
	if (r->packed) {
		r->mem[0] = r->pd = hr_zalloc(vmmio_packed_desc_size(r->num), 16);
		r->mem[1] = r->drv_ev = hr_zalloc(sizeof(*r->drv_ev), 4);
		r->mem[2] = r->dev_ev = hr_zalloc(sizeof(*r->dev_ev), 4);
	} else {
		r->mem[0] = r->desc = hr_zalloc(vmmio_split_desc_size(r->num), 16);
		r->mem[1] = r->avail = hr_zalloc(vmmio_split_avail_size(r->num), 4);
		r->mem[2] = r->used = hr_zalloc(vmmio_split_used_size(r->num), 4);
	}
	wr(&h->sim, VMMIO_REG_QUEUE_NUM, r->num);
	for (unsigned i = 0; i < 3; i++) {
		uint64_t a = (uintptr_t)r->mem[i];

		wr(&h->sim, VMMIO_REG_QUEUE_DESC_LOW + 0x10 * i, (uint32_t)a);
		wr(&h->sim, VMMIO_REG_QUEUE_DESC_HIGH + 0x10 * i, (uint32_t)(a >> 32));
	}
	wr(&h->sim, VMMIO_REG_QUEUE_READY, 1);
}

/* The features for @rf: VERSION_1 and RING_RESET on Version 2. */
static inline struct vmmio_features hr_features(unsigned rf)
{
	struct vmmio_features f;

	memset(&f, 0, sizeof(f));
	if (!(rf & RF_LEGACY)) {
		vmmio_feat_set(&f, VMMIO_F_VERSION_1);
		vmmio_feat_set(&f, VMMIO_F_RING_RESET);
	}
	if (rf & RF_PACKED)
		vmmio_feat_set(&f, VMMIO_F_RING_PACKED);
	if (rf & RF_EVENT_IDX)
		vmmio_feat_set(&f, VMMIO_F_EVENT_IDX);
	if (rf & RF_IN_ORDER)
		vmmio_feat_set(&f, VMMIO_F_IN_ORDER);
	if (rf & RF_INDIRECT)
		vmmio_feat_set(&f, VMMIO_F_INDIRECT_DESC);
	if (rf & RF_NOTIF_DATA)
		vmmio_feat_set(&f, VMMIO_F_NOTIFICATION_DATA);
	return f;
}

/* What hr_open_net() adds to hr_open(): device-type features the driver
 * accepts too, and the device's configuration as @edit changes it (before
 * the queue sizes are set). */
struct hr_net {
	const unsigned *feat;
	unsigned n_feat;
	void (*edit)(struct devsim_config *c);
};

/* hr_open() of a device shaped by @net (NULL: the default). */
static inline void hr_open_net(struct hr *h, enum devsim_backend backend, unsigned rf,
			       const struct hr_net *net, unsigned nq, uint16_t num)
{
	struct vmmio_features f = hr_features(rf);
	const bool legacy = rf & RF_LEGACY;
	uint32_t st = VMMIO_STATUS_ACKNOWLEDGE | VMMIO_STATUS_DRIVER;

	memset(h, 0, sizeof(*h));
	sim_config(&h->sim, DEVSIM_NET, legacy);
	h->sim.cfg.backend = backend;
	if (net && net->edit)
		net->edit(&h->sim.cfg);
	for (unsigned i = 0; net && i < net->n_feat; i++)
		vmmio_feat_set(&f, net->feat[i]);
	for (unsigned q = 0; q < h->sim.cfg.num_queues; q++)
		h->sim.cfg.queue_num_max[q] = num > 256 ? num : 256;
	sim_start(&h->sim);
	h->s = h->sim.s;
	sim_negotiate(&h->sim, &f);
	if (legacy)
		wr(&h->sim, VMMIO_REG_LEGACY_GUEST_PAGE_SIZE, HR_LEGACY_PAGE);
	else
		st |= VMMIO_STATUS_FEATURES_OK;
	h->nq = nq;
	for (unsigned q = 0; q < nq; q++) {
		struct hr_ring *r = &h->r[q];

		r->q = (uint16_t)q;
		r->num = num;
		r->packed = rf & RF_PACKED;
		r->wrap = true; /* "the driver ring wrap counter [...] starts at 1" */
		wr(&h->sim, VMMIO_REG_QUEUE_SEL, q);
		hr_ring_mem(h, r, legacy);
	}
	wr(&h->sim, VMMIO_REG_STATUS, st | VMMIO_STATUS_DRIVER_OK);
}

/* A virtio-net device with @backend, the features of @rf, queues 0..nq-1
 * of @num entries on fresh memory, up to DRIVER_OK. */
static inline void hr_open(struct hr *h, enum devsim_backend backend, unsigned rf, unsigned nq,
			   uint16_t num)
{
	hr_open_net(h, backend, rf, NULL, nq, num);
}

static inline void hr_close(struct hr *h)
{
	devsim_thread_stop(h->s);
	sim_close(&h->sim);
	for (unsigned q = 0; q < h->nq; q++)
		for (unsigned i = 0; i < 3; i++)
			free(h->r[q].mem[i]);
}

static inline void hr_notify(struct hr *h, uint32_t val)
{
	wr(&h->sim, VMMIO_REG_QUEUE_NOTIFY, val);
}

/* --- split ---------------------------------------------------------------------- */

static inline void sp_desc(struct hr_ring *r, uint16_t i, const void *buf, uint32_t len,
			   uint16_t flags, uint16_t next)
{
	r->desc[i] = (struct vmmio_vring_desc){
		.addr = (uintptr_t)buf, .len = len, .flags = flags, .next = next
	};
}

/* Put @head in the next available entry without exposing it. */
static inline void sp_add(struct hr_ring *r, uint16_t head)
{
	r->avail->ring[r->avail_idx++ & (r->num - 1)] = head;
}

/* Expose what was added: write barrier, one idx store. */
static inline void sp_publish(struct hr_ring *r)
{
	vmmio_wmb();
	vmmio_store16(&r->avail->idx, r->avail_idx);
}

static inline uint16_t sp_used_idx(const struct hr_ring *r)
{
	return vmmio_load16(&r->used->idx);
}

static inline struct vmmio_vring_used_elem sp_used_at(const struct hr_ring *r, uint16_t i)
{
	return r->used->ring[i & (r->num - 1)];
}

static inline uint16_t *sp_used_event(struct hr_ring *r)
{
	return (uint16_t *)vmmio_split_used_event(r->avail, r->num);
}

static inline uint16_t sp_avail_event(const struct hr_ring *r)
{
	return *vmmio_split_avail_event(r->used, r->num);
}

/* --- packed ----------------------------------------------------------------------- */

/* Write the descriptor at the next position with AVAIL/USED for the
 * driver's wrap counter, and advance. */
static inline uint16_t pk_add(struct hr_ring *r, uint16_t id, const void *buf, uint32_t len,
			      uint16_t flags)
{
	uint16_t pos = r->pos;
	uint16_t avail = r->wrap ? VMMIO_DESC_F_AVAIL : VMMIO_DESC_F_USED;

	r->pd[pos].addr = (uintptr_t)buf;
	r->pd[pos].len = len;
	r->pd[pos].id = id;
	vmmio_wmb();
	vmmio_store16(&r->pd[pos].flags, (uint16_t)(flags | avail));
	if (++r->pos == r->num) {
		r->pos = 0;
		r->wrap = !r->wrap;
	}
	return pos;
}

/* Whether the descriptor at @pos reads as used for wrap counter @wrap. */
static inline bool pk_used(const struct hr_ring *r, uint16_t pos, bool wrap)
{
	uint16_t f = vmmio_load16(&r->pd[pos].flags);

	return !!(f & VMMIO_DESC_F_AVAIL) == wrap && !!(f & VMMIO_DESC_F_USED) == wrap;
}

#endif /* VMMIO_TEST_HAND_RING_H */
