/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packed ring engine's slow path ("Packed Virtqueues"): the layout,
 * initial state, used buffer notification enabling, the reports of a lying
 * device, and the outstanding buffers for a reclaim. Its burst path is
 * inline, in vmmio_vq_packed_pvt.h.
 *
 * Layout of the ring areas: the descriptor ring at 0 (16-byte aligned, as
 * the memory is 4096-aligned), then the Driver Area and the Device Area
 * each on a cache line of its own, so that neither side's stores to its
 * structure take the line the other side writes.
 */
#include <string.h>

#include "vq_engine.h"

#define PACKED_EVENT_LINE 64u

static size_t event_offset(uint16_t num)
{
	return (vmmio_packed_desc_size(num) + PACKED_EVENT_LINE - 1) &
	       ~(size_t)(PACKED_EVENT_LINE - 1);
}

size_t vmmio_vq_packed_ring_size(const struct vmmio_vq_params *p)
{
	return event_offset(p->num) + 2 * PACKED_EVENT_LINE;
}

void vmmio_vq_packed_queue_cfg(const struct vmmio_vq *vq, struct vmmio_queue_cfg *out)
{
	out->num = vq->p.num;
	out->desc = vq->packed.desc_iova;
	out->driver = vq->packed.driver_iova;
	out->device = vq->packed.device_iova;
}

/* --- used buffer notifications (the Driver Area) ---------------------------------- */

/* Store the driver's event flags only when they change: the device polls
 * that line, and a needless store takes it away from the device. */
static void drv_flags_set(struct vmmio_vq_packed *pk, uint16_t flags)
{
	if (pk->drv_flags == flags)
		return;
	pk->drv_flags = flags;
	vmmio_store16(&pk->driver_ev->flags, flags);
}

void vmmio_vq_packed_intr_disable(struct vmmio_vq *vq)
{
	/* No barrier: a DISABLE the device sees late costs at most one
	 * interrupt the driver did not need. */
	drv_flags_set(&vq->packed, VMMIO_PEVENT_DISABLE);
}

/* Ask for an interrupt when the device uses the next buffer. */
static void intr_arm(struct vmmio_vq *vq)
{
	struct vmmio_vq_packed *pk = &vq->packed;

	if (!vq->p.event_idx) {
		drv_flags_set(pk, VMMIO_PEVENT_ENABLE);
		return;
	}
	vmmio_vq_packed_off_wrap_follow(pk);
	/* A device that reads DESC in flags must then read this off_wrap, not
	 * an older one: the offset is visible before the flags that make it
	 * count. */
	vmmio_wmb();
	drv_flags_set(pk, VMMIO_PEVENT_DESC);
}

/* --- layout and initial state ------------------------------------------------------ */

void vmmio_vq_packed_init(struct vmmio_vq *vq)
{
	struct vmmio_vq_packed *pk = &vq->packed;
	const uint16_t num = vq->p.num;
	uint8_t *va = vq->ring.va;
	const size_t ev = event_offset(num);

	pk->desc = (struct vmmio_pdesc *)(void *)va;
	pk->driver_ev = (struct vmmio_pevent *)(void *)(va + ev);
	pk->device_ev = (struct vmmio_pevent *)(void *)(va + ev + PACKED_EVENT_LINE);
	pk->desc_iova = vq->ring.iova;
	pk->driver_iova = vq->ring.iova + ev;
	pk->device_iova = vq->ring.iova + ev + PACKED_EVENT_LINE;

	memset(pk->extra, 0, num * sizeof(*pk->extra));
	for (unsigned i = 0; i < num; i++)
		pk->extra[i].next_free = (uint16_t)(i + 1);
	pk->free_head = 0;
	pk->next_id = 0;
	pk->oldest_id = 0;

	/* "Each of the driver and the device are expected to maintain,
	 * internally, a single-bit ring wrap counter initialized to 1." */
	pk->next_avail = 0;
	pk->avail_wrap = true;
	pk->pub_pos = 0;
	pk->pub_wrap = true;
	pk->head_flags = 0;
	pk->add_seq = 0;
	pk->pub_seq = 0;
	pk->last_used = 0;
	pk->used_wrap = true;
	pk->batch_left = 0;
	pk->batch_len = 0;

	vq->num_free = num;
	vq->outstanding = 0;
	vq->unpublished = 0;

	/* The ring memory is zeroed: the driver's flags read ENABLE. */
	pk->drv_flags = VMMIO_PEVENT_ENABLE;
	if (vq->intr_enabled)
		intr_arm(vq);
	else
		vmmio_vq_packed_intr_disable(vq);
}

bool vmmio_vq_packed_intr_enable(struct vmmio_vq *vq)
{
	intr_arm(vq);
	/* Store-load ordering again: the event flags must be visible before
	 * the ring is read. Otherwise the device may write a used descriptor,
	 * read our older DISABLE and send nothing, while we read the ring from
	 * before its write and go to sleep: the buffer waits for an interrupt
	 * that never comes. After the barrier, either we see the descriptor
	 * here or the device sees our request. */
	vmmio_mb();
	return !vmmio_vq_packed_has_used(vq);
}

/* --- what a lying device wrote ---------------------------------------------------------- */

#define USED_FMT "used descriptor at %u (wrap counter %u) has id %u, len %u, flags 0x%04x: "
#define USED_ARGS(u)                                                                          \
	(unsigned)(u)->pos, (unsigned)(u)->wrap, (unsigned)(u)->id, (unsigned)(u)->len,       \
		(unsigned)(u)->flags

void vmmio_vq_packed_pvt_lie(struct vmmio_vq *vq, const struct vmmio_vq_packed_used *u,
			     enum vmmio_vq_packed_lie lie)
{
	const struct vmmio_vq_packed *pk = &vq->packed;
	const struct vmmio_vq_packed_extra *e = u->id < vq->p.num ? &pk->extra[u->id] : NULL;
	const unsigned h = vmmio_vq_packed_held(vq);
	unsigned last;

	switch (lie) {
	case VMMIO_VQ_PACKED_LIE_AVAIL:
		vmmio_vq_pvt_break(vq, VMMIO_VQ_BAD_FLAGS,
				   USED_FMT "USED matches the wrap counter, AVAIL does not",
				   USED_ARGS(u));
		return;
	case VMMIO_VQ_PACKED_LIE_ID:
		vmmio_vq_pvt_break(vq, VMMIO_VQ_BAD_ID, USED_FMT "id beyond QueueSize %u",
				   USED_ARGS(u), vq->p.num);
		return;
	case VMMIO_VQ_PACKED_LIE_NOT_HELD:
		vmmio_vq_pvt_break(vq, VMMIO_VQ_NOT_OUTSTANDING, USED_FMT "that id is %s",
				   USED_ARGS(u),
				   e && e->cookie ? "added but not made available yet"
						  : "not outstanding (free or already returned)");
		return;
	case VMMIO_VQ_PACKED_LIE_NOT_IN_BATCH:
		last = (unsigned)pk->oldest_id + h - 1;
		if (last >= vq->p.num)
			last -= vq->p.num;
		vmmio_vq_pvt_break(vq, VMMIO_VQ_NOT_OUTSTANDING,
				   USED_FMT "not one of the %u buffers the device holds"
					    " (ids %u..%u, in order)",
				   USED_ARGS(u), h, pk->oldest_id, last);
		return;
	case VMMIO_VQ_PACKED_LIE_LEN:
		vmmio_vq_pvt_break(vq, VMMIO_VQ_BAD_LEN,
				   USED_FMT "more bytes than the %u the %sbuffer lets it write",
				   USED_ARGS(u), e ? e->in_len : 0,
				   e && e->indirect ? "indirect " : "");
		return;
	}
}

/* --- reclaim ------------------------------------------------------------------------------ */

unsigned vmmio_vq_packed_outstanding(const struct vmmio_vq *vq, uint16_t *slots)
{
	unsigned m = 0;

	/* A free id has no cookie; every outstanding one (published, only
	 * added, or waiting in a reported batch) has its own. */
	for (unsigned id = 0; id < vq->p.num; id++)
		if (vq->packed.extra[id].cookie)
			slots[m++] = (uint16_t)id;
	return m;
}
