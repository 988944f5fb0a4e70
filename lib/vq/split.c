/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The split ring engine's slow path ("Split Virtqueues"): the layout of
 * the three areas, initial state, used buffer notification enabling, the
 * reports of a lying device, and the outstanding buffers for a reclaim.
 * Its burst path is inline, in vmmio_vq_split_pvt.h.
 */
#include "vq_engine.h"

/* The used ring starts a cache line of its own: the device writes it while
 * the driver writes the lines before it, and sharing a line would make
 * them bounce between the two sides for nothing. */
#define VQ_SPLIT_USED_ALIGN 64u

/* --- layout ------------------------------------------------------------------------ */

/* Offsets of the available and used rings from the descriptor table (at 0),
 * and the bytes of all three. */
static void split_layout(const struct vmmio_vq_params *p, struct vmmio_legacy_layout *l)
{
	uint64_t avail_end;

	/* "Legacy Interfaces: A Note on Virtqueue Layout": the used ring on
	 * the next Queue Align boundary, exactly as the device computes it. */
	if (p->legacy) {
		vmmio_legacy_layout(p->num, VMMIO_LEGACY_ALIGN, l);
		return;
	}
	/* The available ring's used_event is always reserved, so EVENT_IDX
	 * changes nothing here. */
	l->avail_off = vmmio_split_desc_size(p->num);
	avail_end = l->avail_off + vmmio_split_avail_size(p->num);
	l->used_off = (avail_end + VQ_SPLIT_USED_ALIGN - 1) & ~(uint64_t)(VQ_SPLIT_USED_ALIGN - 1);
	l->size = l->used_off + vmmio_split_used_size(p->num);
}

size_t vmmio_vq_split_ring_size(const struct vmmio_vq_params *p)
{
	struct vmmio_legacy_layout l;

	split_layout(p, &l);
	return (size_t)l.size;
}

void vmmio_vq_split_queue_cfg(const struct vmmio_vq *vq, struct vmmio_queue_cfg *out)
{
	out->num = vq->p.num;
	out->desc = vq->split.desc_iova;
	out->driver = vq->split.avail_iova;
	out->device = vq->split.used_iova;
}

/* --- initial state and used buffer notifications ---------------------------------- */

/* Only on a change: the line is shared with the ring entries the device
 * reads, and a repeated intr_enable()/intr_disable() need not dirty it. */
static void avail_flags_store(struct vmmio_vq_split *s, uint16_t v)
{
	if (s->avail_flags_shadow == v)
		return;
	s->avail_flags_shadow = v;
	vmmio_store16(&s->avail->flags, v);
}

/* Ask for a used buffer notification on the next used buffer. */
static void intr_arm(struct vmmio_vq *vq)
{
	struct vmmio_vq_split *s = &vq->split;

	if (vq->p.event_idx)
		vmmio_vq_split_used_event_store(s, s->last_used);
	else
		avail_flags_store(s, 0);
}

void vmmio_vq_split_init(struct vmmio_vq *vq)
{
	struct vmmio_vq_split *s = &vq->split;
	const uint16_t num = vq->p.num;
	struct vmmio_legacy_layout l;
	uint8_t *va = vq->ring.va;

	split_layout(&vq->p, &l);
	s->desc = (struct vmmio_vring_desc *)va;
	s->avail = (struct vmmio_vring_avail *)(va + l.avail_off);
	s->used = (struct vmmio_vring_used *)(va + l.used_off);
	s->used_event = &s->avail->ring[num];
	s->avail_event = (uint16_t *)&s->used->ring[num];
	s->desc_iova = vq->ring.iova;
	s->avail_iova = vq->ring.iova + l.avail_off;
	s->used_iova = vq->ring.iova + l.used_off;

	s->mask = (uint16_t)(num - 1);
	for (unsigned d = 0; d < num; d++)
		s->extra[d] = (struct vmmio_vq_split_extra){ .next = (uint16_t)((d + 1) & s->mask) };
	s->add_seq = 0;
	s->pub_seq = 0;
	s->free_head = 0;
	s->next_desc = 0;
	s->oldest = 0;
	s->avail_idx = 0;
	s->published = 0;
	s->last_used = 0;
	s->batch_left = 0;
	s->batch_len = 0;
	s->used_event_shadow = 0;
	s->avail_flags_shadow = 0;
	vq->num_free = num;
	vq->outstanding = 0;
	vq->unpublished = 0;
	/* The ring memory is zeroed (avail idx, used flags and idx 0, as
	 * "Available Buffer Notification Suppression" requires of used
	 * flags), and so are the shadows above; only the driver's
	 * suppression fields depend on the mode. */
	if (vq->intr_enabled)
		intr_arm(vq);
	else
		vmmio_vq_split_intr_disable(vq);
}

void vmmio_vq_split_intr_disable(struct vmmio_vq *vq)
{
	struct vmmio_vq_split *s = &vq->split;

	/* "Used Buffer Notification Suppression": with EVENT_IDX flags must
	 * stay 0; used_event is put where the device cannot reach it before
	 * the next reap (see vmmio_vq_split_used_event_follow()). No barrier: suppression
	 * is advice, a late store costs at most a spurious interrupt. */
	if (vq->p.event_idx)
		vmmio_vq_split_used_event_park(vq);
	else
		avail_flags_store(s, VMMIO_AVAIL_F_NO_INTERRUPT);
}

bool vmmio_vq_split_intr_enable(struct vmmio_vq *vq)
{
	intr_arm(vq);
	/*
	 * Our store of flags or used_event must be visible before we load
	 * used idx (store then load: a full barrier). The device may have
	 * used a buffer just now and read the old suppression value, so no
	 * interrupt comes for it; if our load could pass our store, we would
	 * also miss the buffer in the ring and wait for an interrupt that was
	 * decided against. With the barrier one side always sees the other.
	 */
	vmmio_mb();
	return !vmmio_vq_split_has_used(vq);
}

/* --- what a lying device wrote ---------------------------------------------------------- */

/*
 * The used entry at position @pos (@id, *@len as loaded once) failed the
 * inline check: find which rule it broke and break the queue, or, for a
 * length on a Version 1 device, cap it (true: the entry may be used).
 */
bool vmmio_vq_split_pvt_bad_used(struct vmmio_vq *vq, uint16_t pos, uint32_t id, uint32_t *len)
{
	const struct vmmio_vq_split *s = &vq->split;
	const unsigned slot = pos & s->mask;
	const struct vmmio_vq_split_extra *x;

	if (id >= vq->p.num) {
		vmmio_vq_pvt_break(vq, VMMIO_VQ_BAD_ID,
				   "used ring entry %u names id %u, beyond QueueSize %u", slot, id,
				   vq->p.num);
		return false;
	}
	x = &s->extra[id];
	if (x->state == VMMIO_VQ_SPLIT_CHAIN) {
		vmmio_vq_pvt_break(vq, VMMIO_VQ_NOT_HEAD,
				   "used ring entry %u names id %u, a descriptor inside a chain, not its head",
				   slot, id);
		return false;
	}
	if (x->state == VMMIO_VQ_SPLIT_FREE) {
		vmmio_vq_pvt_break(vq, VMMIO_VQ_NOT_OUTSTANDING,
				   "used ring entry %u names id %u, a free descriptor (not outstanding)",
				   slot, id);
		return false;
	}
	if (x->seq >= s->pub_seq) {
		vmmio_vq_pvt_break(vq, VMMIO_VQ_NOT_OUTSTANDING,
				   "used ring entry %u names id %u, a buffer not made available yet",
				   slot, id);
		return false;
	}
	/* What is left is the length. "Historically, many drivers ignored the
	 * len value, as a result, many devices set len incorrectly. Thus,
	 * when using the legacy interface, it is generally a good idea to
	 * ignore the len value": on a Version 1 device it is no lie, only
	 * capped at the buffer. */
	if (vq->p.legacy) {
		*len = x->in_len;
		return true;
	}
	vmmio_vq_pvt_break(vq, VMMIO_VQ_BAD_LEN,
			   "used ring entry %u gives len %u for id %u, beyond its %u writable bytes",
			   slot, *len, id, x->in_len);
	return false;
}

void vmmio_vq_split_pvt_bad_idx(struct vmmio_vq *vq, uint16_t used_idx, uint16_t held)
{
	const struct vmmio_vq_split *s = &vq->split;
	const uint16_t ahead = (uint16_t)(used_idx - s->last_used);

	if (ahead > held)
		vmmio_vq_pvt_break(vq, VMMIO_VQ_BAD_USED_IDX,
				   "used idx %u is %u entries past the last used %u, but the device holds only %u buffers",
				   used_idx, ahead, s->last_used, held);
	else
		vmmio_vq_pvt_break(vq, VMMIO_VQ_BAD_USED_IDX,
				   "used idx %u went back to %u entries past the last used %u, inside a batch with %u buffers left",
				   used_idx, ahead, s->last_used, s->batch_left);
}

/* --- reclaim ------------------------------------------------------------------------------ */

unsigned vmmio_vq_split_outstanding(const struct vmmio_vq *vq, uint16_t *slots)
{
	unsigned m = 0;

	/* Every head is an outstanding buffer (published or only added),
	 * including those of an IN_ORDER batch partly returned. */
	for (unsigned d = 0; d < vq->p.num; d++)
		if (vq->split.extra[d].state == VMMIO_VQ_SPLIT_HEAD)
			slots[m++] = (uint16_t)d;
	return m;
}
