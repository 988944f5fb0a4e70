/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device side of a split ring ("Split Virtqueues"): take what the
 * driver made available, checking every ring rule before using anything
 * it wrote, write used elements, publish them with one used idx store, and
 * decide the used buffer notification from the driver's suppression.
 *
 * Indices are free-running 16-bit counters; the ring slot is the index
 * masked with QueueSize - 1 ("Queue Size value is always a power of 2").
 */
#include <errno.h>
#include <string.h>

#include "devsim_internal.h"
#include "vmmio_barrier.h"

/* The indirect table of descriptor @at ("Indirect Descriptors"). */
static int walk_table(struct devsim *s, uint16_t q, struct vq_walk *w, uint16_t at, uint64_t addr,
		      uint32_t len)
{
	struct devsim_vq *vq = &s->vq[q];
	const struct vmmio_vring_desc *tbl = vq_ptr(addr);
	uint32_t entries = len / sizeof(*tbl);
	uint32_t j = 0, count = 0;

	if (!addr || !entries || len % sizeof(*tbl))
		return devsim_ring_malformed(s, q,
					     "indirect descriptor %u: table at 0x%llx of %u bytes",
					     at, (unsigned long long)addr, len);
	w->c->tbl_addr = addr;
	w->c->tbl_len = len;
	for (;;) {
		struct vmmio_vring_desc d = tbl[j];

		if (++count > vq->num)
			return devsim_ring_violation(s, q, DEVSIM_RULE_RING_CHAIN_LEN,
						     "indirect table of descriptor %u chains more than QueueSize %u entries",
						     at, vq->num);
		if (d.flags & VMMIO_DESC_F_INDIRECT)
			return devsim_ring_violation(s, q, DEVSIM_RULE_RING_INDIRECT_NESTED,
						     "indirect table of descriptor %u: entry %u has INDIRECT (flags 0x%x)",
						     at, j, d.flags);
		if (!vq_seg_add(w, d.addr, d.len, d.flags & VMMIO_DESC_F_WRITE))
			return devsim_ring_violation(s, q, DEVSIM_RULE_RING_WRITE_AFTER_READ,
						     "indirect table of descriptor %u: entry %u is device-readable after a writable one",
						     at, j);
		if (!(d.flags & VMMIO_DESC_F_NEXT))
			break;
		/* "indirect descriptors use sequential indices, in-order" */
		if (vq->in_order && d.next != j + 1)
			return devsim_ring_violation(s, q, DEVSIM_RULE_RING_IN_ORDER_NEXT,
						     "indirect table of descriptor %u: entry %u links to %u, not %u",
						     at, j, d.next, j + 1);
		if (d.next >= entries)
			return devsim_ring_malformed(s, q,
						     "indirect table of descriptor %u: entry %u links to %u of %u entries",
						     at, j, d.next, entries);
		j = d.next;
	}
	w->c->tbl_n = (uint16_t)count;
	return 0;
}

/* Walk the chain at @head: every rule is checked before the device would
 * use a descriptor, and nothing outside what the driver described is read. */
static int walk_chain(struct devsim *s, uint16_t q, uint16_t head, struct vq_walk *w)
{
	struct devsim_vq *vq = &s->vq[q];
	struct vq_chain *c = w->c;
	uint16_t i = head;
	unsigned n = 0;

	if (head >= vq->num)
		return devsim_ring_malformed(s, q,
					     "available ring entry %u names descriptor %u, QueueSize %u",
					     vq->last_avail, head, vq->num);
	for (;;) {
		struct vmmio_vring_desc d = vq->desc[i];

		if (++n > vq->num)
			return devsim_ring_violation(s, q, DEVSIM_RULE_RING_CHAIN_LEN,
						     "chain at head %u has more than QueueSize %u descriptors",
						     head, vq->num);
		if (n == 2)
			c->second = i;
		if (d.flags & VMMIO_DESC_F_INDIRECT) {
			if (!vq->indirect)
				return devsim_ring_violation(s, q,
							     DEVSIM_RULE_RING_INDIRECT_FEATURE,
							     "descriptor %u has INDIRECT, VIRTIO_F_INDIRECT_DESC not negotiated",
							     i);
			if (d.flags & VMMIO_DESC_F_NEXT)
				return devsim_ring_violation(s, q, DEVSIM_RULE_RING_INDIRECT_NEXT,
							     "descriptor %u has INDIRECT and NEXT (flags 0x%x)",
							     i, d.flags);
			/* Its own WRITE flag is ignored: "The device MUST ignore the
			 * write-only flag [...] in the descriptor that refers to an
			 * indirect table." */
			c->indirect = true;
			if (walk_table(s, q, w, i, d.addr, d.len))
				return -EPROTO;
			break;
		}
		if (!vq_seg_add(w, d.addr, d.len, d.flags & VMMIO_DESC_F_WRITE))
			return devsim_ring_violation(s, q, DEVSIM_RULE_RING_WRITE_AFTER_READ,
						     "chain at head %u: descriptor %u is device-readable after a writable one",
						     head, i);
		if (!(d.flags & VMMIO_DESC_F_NEXT))
			break;
		if (vq->in_order && d.next != (uint16_t)((i + 1) & vq->mask))
			return devsim_ring_violation(s, q, DEVSIM_RULE_RING_IN_ORDER_NEXT,
						     "descriptor %u links to %u, not %u", i, d.next,
						     (i + 1) & vq->mask);
		if (d.next >= vq->num)
			return devsim_ring_malformed(s, q,
						     "descriptor %u links to %u, QueueSize %u", i,
						     d.next, vq->num);
		i = d.next;
	}
	c->ndescs = (uint16_t)n;
	return 0;
}

/* Read the available idx: once per batch, with the read barrier after it
 * so the entries it announces are read after it. */
static int read_avail_idx(struct devsim *s, uint16_t q)
{
	struct devsim_vq *vq = &s->vq[q];
	uint16_t idx = vmmio_load16(&vq->avail->idx);
	uint16_t flags = vmmio_load16(&vq->avail->flags);

	vmmio_rmb();
	/* Seed 002: "A driver MUST NOT decrement the available idx". It
	 * reads as a jump of more than QueueSize from what the device saw. */
	if ((uint16_t)(idx - vq->avail_idx) > vq->num || (uint16_t)(idx - vq->last_avail) > vq->num)
		return devsim_ring_violation(s, q, DEVSIM_RULE_RING_AVAIL_NO_DECREMENT,
					     "avail idx %u after %u (device at %u): more than QueueSize %u ahead",
					     idx, vq->avail_idx, vq->last_avail, vq->num);
	if (flags > (vq->event_idx ? 0u : VMMIO_AVAIL_F_NO_INTERRUPT))
		return devsim_ring_violation(s, q, DEVSIM_RULE_RING_AVAIL_FLAGS,
					     "avail flags 0x%x%s", flags,
					     vq->event_idx ? " with VIRTIO_F_EVENT_IDX (must be 0)"
							   : " (must be 0 or 1)");
	vq->avail_idx = idx;
	return 0;
}

bool devsim_ring_split_has_avail(struct devsim_vq *vq)
{
	if (vq->last_avail != vq->avail_idx)
		return true;
	/* Not the checked read: devsim_ring_split_take() reads it again. */
	return vmmio_load16(&vq->avail->idx) != vq->last_avail;
}

int devsim_ring_split_take(struct devsim *s, uint16_t q, struct vq_chain *c,
			   struct devsim_seg *seg, uint16_t cap)
{
	struct devsim_vq *vq = &s->vq[q];
	struct vq_walk w = { .c = c, .seg = seg, .cap = cap };
	uint16_t head;

	if (vq->last_avail == vq->avail_idx) {
		if (read_avail_idx(s, q))
			return -EPROTO;
		if (vq->last_avail == vq->avail_idx)
			return 0;
	}
	head = vmmio_load16(&vq->avail->ring[vq->last_avail & vq->mask]);
	memset(c, 0, sizeof(*c));
	c->id = head;
	c->head = head;
	c->second = VQ_NO_DESC;
	c->pos = vq->last_avail;
	if (walk_chain(s, q, head, &w))
		return -EPROTO;
	if (seg && c->n_seg > cap)
		return -ENOSPC;
	vq->last_avail++;
	return 1;
}

void devsim_ring_split_put(struct devsim_vq *vq, uint16_t id, uint32_t len, uint16_t advance)
{
	struct vmmio_vring_used_elem *e = &vq->used->ring[vq->used_idx & vq->mask];

	/* "The device MUST set len prior to updating the used idx": the store
	 * of idx comes after a write barrier (devsim_ring_split_flush()). */
	vmmio_store32(&e->id, id);
	vmmio_store32(&e->len, len);
	vq->used_idx = (uint16_t)(vq->used_idx + advance);
}

uint16_t devsim_ring_split_phantom_id(const struct devsim_vq *vq)
{
	return vmmio_load16(&vq->avail->ring[vmmio_load16(&vq->avail->idx) & vq->mask]);
}

bool devsim_ring_split_flush(struct devsim_vq *vq)
{
	uint16_t old = vq->used_signalled, new_idx = vq->used_idx;
	uint16_t shown = new_idx;

	if (old == new_idx && !vq->jump_pending && !vq->back_pending)
		return false;
	if (vq->jump_pending) /* DEVSIM_FAULT_USED_IDX_JUMP */
		shown = (uint16_t)(old + vq->num + 1);
	else if (vq->back_pending) /* DEVSIM_FAULT_USED_IDX_BACK */
		shown = (uint16_t)(old - 1);
	vq->jump_pending = vq->back_pending = false;
	vmmio_wmb();
	vmmio_store16(&vq->used->idx, shown);
	/* Publish, then read the driver's suppression: without the full
	 * barrier both sides can miss each other's update. */
	vmmio_mb();
	vq->used_signalled = new_idx;
	if (vq->event_idx)
		return vmmio_need_event(*vmmio_split_used_event(vq->avail, vq->num), new_idx, old);
	/* "If flags is 1, the device SHOULD NOT send a notification. If
	 * flags is 0, the device MUST send a notification." */
	return !(vmmio_load16(&vq->avail->flags) & VMMIO_AVAIL_F_NO_INTERRUPT);
}

/* "Available Buffer Notification Suppression", device side: with
 * EVENT_IDX flags must be 0 and avail_event says where to be notified. */
void devsim_ring_split_avail_event_set(struct devsim_vq *vq, uint16_t v)
{
	/* The driver reads it concurrently: one single-copy-atomic store. */
	vmmio_store16((uint16_t *)vmmio_split_avail_event(vq->used, vq->num), v);
}

void devsim_ring_split_apply_kick(struct devsim_vq *vq, enum devsim_kick_mode m, uint16_t at)
{
	if (!vq->event_idx) {
		vmmio_store16(&vq->used->flags, m == DEVSIM_KICK_NEVER ? VMMIO_USED_F_NO_NOTIFY : 0);
		return;
	}
	vmmio_store16(&vq->used->flags, 0);
	switch (m) {
	case DEVSIM_KICK_ALWAYS:
		devsim_ring_split_avail_event_set(vq, vq->last_avail);
		break;
	case DEVSIM_KICK_NEVER:
		/* Behind the device: the driver reaches it only after about
		 * 65536 - QueueSize more buffers (devsim_ring_kick_tick()
		 * moves it). */
		vq->avail_event = (uint16_t)(vq->last_avail - 1);
		devsim_ring_split_avail_event_set(vq, vq->avail_event);
		break;
	case DEVSIM_KICK_AT:
		devsim_ring_split_avail_event_set(vq, at);
		break;
	}
}

/* The table descriptors of @c as they are now, read within the bounds the
 * take saw (the table only if its descriptor still points to it). */
uint64_t devsim_ring_split_snapshot(const struct devsim_vq *vq, const struct vq_chain *c)
{
	uint64_t h = VQ_HASH_INIT;
	struct vmmio_vring_desc d = { 0 };
	uint16_t i = c->head;

	for (unsigned k = 0; k < c->ndescs; k++) {
		if (i >= vq->num)
			return ~h;
		d = vq->desc[i];
		h = devsim_ring_hash(h, &d, sizeof(d));
		i = d.next;
	}
	if (c->indirect && d.addr == c->tbl_addr && d.len == c->tbl_len) {
		const struct vmmio_vring_desc *tbl = vq_ptr(c->tbl_addr);
		uint32_t entries = c->tbl_len / sizeof(*tbl), j = 0;

		for (unsigned k = 0; k < c->tbl_n && j < entries; k++) {
			struct vmmio_vring_desc e = tbl[j];

			h = devsim_ring_hash(h, &e, sizeof(e));
			j = e.next;
		}
	}
	return h;
}
