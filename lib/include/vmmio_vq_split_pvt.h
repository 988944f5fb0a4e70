/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PRIVATE (see vmmio_vq_pvt.h): the split ring engine's burst path
 * ("Split Virtqueues"): descriptor table, available ring (driver-written)
 * and used ring (device-written). The rest of the engine (layout, init,
 * interrupt enabling, reclaim) is lib/vq/split.c.
 *
 * Descriptor chains are freed by walking the private links of struct
 * vmmio_vq_split_extra, never the shared desc.next, and every id, length
 * and index the device writes is checked against them before it is used.
 * Descriptors come from a LIFO free list, or with IN_ORDER in table order
 * ("The Virtqueue Descriptor Table": next of descriptor x is x + 1, 0
 * after the last), which is what lets the device report a batch of
 * buffers with one used entry ("In-order use of descriptors").
 */
#ifndef VMMIO_VQ_SPLIT_PVT_H
#define VMMIO_VQ_SPLIT_PVT_H

#ifndef VMMIO_VQ_PVT_H
#error "include vmmio_vq.h, not vmmio_vq_split_pvt.h"
#endif

/* --- adding buffers ------------------------------------------------------------------ */

VMMIO_INLINE uint16_t vmmio_vq_split_desc_alloc(struct vmmio_vq_split *s, bool in_order)
{
	uint16_t d;

	if (in_order) {
		d = s->next_desc;
		s->next_desc = (uint16_t)((d + 1) & s->mask);
	} else {
		d = s->free_head;
		s->free_head = s->extra[d].next;
	}
	return d;
}

/* "Message Framing": device-readable segments first, then the writable. */
VMMIO_INLINE uint16_t vmmio_vq_seg_flags(const struct vmmio_buf *b, unsigned i)
{
	return i >= b->n_out ? VMMIO_DESC_F_WRITE : 0;
}

/* A chain of ring descriptors from @head, one per segment. */
VMMIO_INLINE void vmmio_vq_split_write_chain(struct vmmio_vq *vq, uint16_t head,
					     const struct vmmio_buf *b)
{
	struct vmmio_vq_split *s = &vq->split;
	const unsigned nseg = (unsigned)b->n_out + b->n_in;
	uint16_t d = head;

	for (unsigned i = 0; i + 1 < nseg; i++) {
		const uint16_t next = vmmio_vq_split_desc_alloc(s, vq->p.in_order);

		s->extra[d].next = next;
		s->extra[next].state = VMMIO_VQ_SPLIT_CHAIN;
		s->desc[d] = (struct vmmio_vring_desc){
			.addr = b->seg[i].addr,
			.len = b->seg[i].len,
			.flags = (uint16_t)(vmmio_vq_seg_flags(b, i) | VMMIO_DESC_F_NEXT),
			.next = next,
		};
		d = next;
	}
	s->desc[d] = (struct vmmio_vring_desc){
		.addr = b->seg[nseg - 1].addr,
		.len = b->seg[nseg - 1].len,
		.flags = vmmio_vq_seg_flags(b, nseg - 1),
	};
}

/* One ring descriptor at @head pointing to @head's indirect table. */
VMMIO_INLINE void vmmio_vq_split_write_indirect(struct vmmio_vq *vq, uint16_t head,
						const struct vmmio_buf *b)
{
	struct vmmio_vring_desc *t = vmmio_vq_ind_va(vq, head);
	const unsigned nseg = (unsigned)b->n_out + b->n_in;

	/* "Indirect Descriptors": entries chained by next, sequentially
	 * (next = i + 1, as IN_ORDER requires and any device accepts). */
	for (unsigned i = 0; i < nseg; i++) {
		const bool more = i + 1 < nseg;

		t[i] = (struct vmmio_vring_desc){
			.addr = b->seg[i].addr,
			.len = b->seg[i].len,
			.flags = (uint16_t)(vmmio_vq_seg_flags(b, i) | (more ? VMMIO_DESC_F_NEXT : 0)),
			.next = (uint16_t)(more ? i + 1 : 0),
		};
	}
	vq->split.desc[head] = (struct vmmio_vring_desc){
		.addr = vmmio_vq_ind_iova(vq, head),
		.len = 16u * nseg,
		.flags = VMMIO_DESC_F_INDIRECT,
	};
}

VMMIO_INLINE int vmmio_vq_split_add(struct vmmio_vq *vq, const struct vmmio_buf *bufs, unsigned n)
{
	struct vmmio_vq_split *s = &vq->split;
	bool invalid = false;
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct vmmio_buf *b = &bufs[i];
		struct vmmio_vq_split_extra *x;
		uint16_t ndescs, head;
		uint32_t in_len;
		bool indirect;

		if (vmmio_vq_check_buf(vq, b, &ndescs, &indirect, &in_len) < 0) {
			invalid = true;
			break;
		}
		if (ndescs > vq->num_free)
			break;
		head = vmmio_vq_split_desc_alloc(s, vq->p.in_order);
		if (indirect)
			vmmio_vq_split_write_indirect(vq, head, b);
		else
			vmmio_vq_split_write_chain(vq, head, b);
		x = &s->extra[head];
		x->cookie = b->cookie;
		x->seq = s->add_seq++;
		x->in_len = in_len;
		x->ndescs = ndescs;
		x->state = VMMIO_VQ_SPLIT_HEAD;
		/* "Updating The Available Ring": invisible until publish
		 * stores the index. */
		s->avail->ring[s->avail_idx & s->mask] = head;
		s->avail_idx++;
		vq->num_free = (uint16_t)(vq->num_free - ndescs);
		vq->stats.indirect += indirect;
	}
	vq->outstanding = (uint16_t)(vq->outstanding + i);
	vq->unpublished = (uint16_t)(vq->unpublished + i);
	vq->stats.added += i;
	return !i && invalid ? -EINVAL : (int)i;
}

/* One-segment buffers (vmmio_vq_add1()): @n fits num_free. Stops at a
 * NULL cookie. */
VMMIO_INLINE unsigned vmmio_vq_split_add1(struct vmmio_vq *vq, const struct vmmio_seg *seg,
					  void *const *cookie, unsigned n, bool write)
{
	struct vmmio_vq_split *s = &vq->split;
	const uint16_t f = write ? VMMIO_DESC_F_WRITE : 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		struct vmmio_vq_split_extra *x;
		struct vmmio_vring_desc *d;
		uint16_t head;

		if (VMMIO_UNLIKELY(!cookie[i]))
			break;
		head = vmmio_vq_split_desc_alloc(s, vq->p.in_order);
		/* Field by field: a compound literal is a zeroing store and then
		 * the fields again, into a line the device may hold. */
		d = &s->desc[head];
		d->addr = seg[i].addr;
		d->len = seg[i].len;
		d->flags = f;
		d->next = 0;
		x = &s->extra[head];
		x->cookie = cookie[i];
		x->seq = s->add_seq++;
		x->in_len = write ? seg[i].len : 0;
		x->ndescs = 1;
		x->state = VMMIO_VQ_SPLIT_HEAD;
		s->avail->ring[s->avail_idx & s->mask] = head;
		s->avail_idx++;
	}
	vq->num_free = (uint16_t)(vq->num_free - i);
	vq->outstanding = (uint16_t)(vq->outstanding + i);
	vq->unpublished = (uint16_t)(vq->unpublished + i);
	vq->stats.added += i;
	return i;
}

/* --- publishing and notifying ------------------------------------------------------ */

VMMIO_INLINE bool vmmio_vq_split_publish(struct vmmio_vq *vq)
{
	struct vmmio_vq_split *s = &vq->split;
	const uint16_t old = s->published;
	const uint16_t new_idx = s->avail_idx;

	/* "Updating idx": the store of idx exposes the descriptors, indirect
	 * tables and ring entries written since the last publish, and the
	 * device may read them the moment it sees the new idx. The write
	 * barrier makes them visible before idx. */
	vmmio_wmb();
	vmmio_store16(&s->avail->idx, new_idx);
	s->published = new_idx;
	s->pub_seq = s->add_seq;
	/*
	 * "Notifying The Device": idx must be visible before we read the
	 * device's flags or avail_event (a store followed by a load: only a
	 * full barrier orders them). Otherwise this race loses the
	 * notification: our load is served while the idx store still sits in
	 * the store buffer and sees "no notification" (NO_NOTIFY, or an old
	 * avail_event); meanwhile the device, running out of work, re-enables
	 * notifications and re-reads avail idx, still the old value, and goes
	 * to sleep. Neither side acts, and the buffers wait forever.
	 */
	vmmio_mb();
	if (vq->p.event_idx)
		return vmmio_need_event(vmmio_load16(s->avail_event), new_idx, old);
	return !(vmmio_load16(&s->used->flags) & VMMIO_USED_F_NO_NOTIFY);
}

VMMIO_INLINE uint32_t vmmio_vq_split_notify_value(const struct vmmio_vq *vq)
{
	/* "Driver Notifications": for split rings next_off and next_wrap are
	 * the low 15 bits and the top bit of the available idx. */
	if (vq->p.notification_data)
		return vmmio_notify_data_split(vq->p.index, vq->split.published);
	return vq->p.index;
}

/* --- used buffers ---------------------------------------------------------------------- */

/* Return the chain at @head to the free descriptors, through the private
 * links (the device cannot have redirected them). */
VMMIO_INLINE void vmmio_vq_split_chain_free(struct vmmio_vq *vq, uint16_t head)
{
	struct vmmio_vq_split *s = &vq->split;
	struct vmmio_vq_split_extra *ex = s->extra;
	const uint16_t n = ex[head].ndescs;
	uint16_t d = head;

	for (uint16_t i = 1; i < n; i++) {
		ex[d].state = VMMIO_VQ_SPLIT_FREE;
		d = ex[d].next;
	}
	ex[d].state = VMMIO_VQ_SPLIT_FREE;
	/* With IN_ORDER the free descriptors are the ones after the newest
	 * chain up to the oldest outstanding one: no list to keep. */
	if (!vq->p.in_order) {
		ex[d].next = s->free_head;
		s->free_head = head;
	}
	vq->num_free = (uint16_t)(vq->num_free + n);
}

/* The faults of a used entry: out of line, the device lied. */
VMMIO_API VMMIO_COLD bool vmmio_vq_split_pvt_bad_used(struct vmmio_vq *vq, uint16_t pos,
						      uint32_t id, uint32_t *len);

/* Check the used entry at used ring position @pos (@id, *@len as loaded
 * once) against the driver's own record; break the queue if it lies. */
VMMIO_INLINE bool vmmio_vq_split_used_ok(struct vmmio_vq *vq, uint16_t pos, uint32_t id,
					 uint32_t *len)
{
	const struct vmmio_vq_split *s = &vq->split;

	if (VMMIO_LIKELY(id < vq->p.num && s->extra[id].state == VMMIO_VQ_SPLIT_HEAD &&
			 s->extra[id].seq < s->pub_seq && *len <= s->extra[id].in_len))
		return true;
	return vmmio_vq_split_pvt_bad_used(vq, pos, id, len);
}

/* Without IN_ORDER: one used entry per buffer, in any order. */
VMMIO_INLINE unsigned vmmio_vq_split_reap_any_order(struct vmmio_vq *vq, struct vmmio_used *out,
						    unsigned n, uint16_t used_idx)
{
	struct vmmio_vq_split *s = &vq->split;
	const unsigned ready = (uint16_t)(used_idx - s->last_used);
	unsigned got;

	if (n > ready)
		n = ready;
	for (got = 0; got < n; got++) {
		const uint16_t pos = (uint16_t)(s->last_used + got);
		struct vmmio_vring_used_elem *e = &s->used->ring[pos & s->mask];
		/* Each field is loaded once: what is checked is what is used. */
		const uint32_t id = vmmio_load32(&e->id);
		uint32_t len = vmmio_load32(&e->len);

		if (!vmmio_vq_split_used_ok(vq, pos, id, &len))
			break;
		out[got].cookie = s->extra[id].cookie;
		out[got].len = len;
		/* Freed at once: a later entry naming it again finds it free. */
		vmmio_vq_split_chain_free(vq, (uint16_t)id);
	}
	return got;
}

/*
 * IN_ORDER: read the used entry at position @pos, which may stand for a
 * batch ("In-order use of descriptors"): it names the head of the batch's
 * last buffer, and every outstanding buffer from the oldest up to it is
 * used. Sets batch_left and batch_len; false (and the queue broken if the
 * entry lies) when there is nothing to start.
 */
VMMIO_INLINE bool vmmio_vq_split_batch_start(struct vmmio_vq *vq, uint16_t pos, uint16_t used_idx)
{
	struct vmmio_vq_split *s = &vq->split;
	struct vmmio_vring_used_elem *e = &s->used->ring[pos & s->mask];
	const uint16_t ready = (uint16_t)(used_idx - pos);
	uint32_t id, len;
	uint64_t size;

	if (!ready)
		return false;
	id = vmmio_load32(&e->id);
	len = vmmio_load32(&e->len);
	if (!vmmio_vq_split_used_ok(vq, pos, id, &len))
		return false;
	/* Buffers come back in add order, so the outstanding ones hold
	 * consecutive sequence numbers from the oldest's on, and id's buffer
	 * (published: checked above) is the size-th of them. "it increments
	 * the used idx by the size of the batch": an idx that covers fewer
	 * entries announces fewer buffers. */
	size = s->extra[id].seq - s->extra[s->oldest].seq + 1;
	if (VMMIO_UNLIKELY(size > ready)) {
		vmmio_vq_pvt_break(vq, VMMIO_VQ_BAD_USED_IDX,
				   "used ring entry %u names id %u, closing a batch of %llu buffers, but used idx %u is only %u past it",
				   pos & s->mask, id, (unsigned long long)size, used_idx, ready);
		return false;
	}
	s->batch_left = (uint16_t)size;
	s->batch_len = len;
	return true;
}

/* With IN_ORDER: buffers come back oldest first, a batch per used entry;
 * a batch larger than @n continues at the next call. */
VMMIO_INLINE unsigned vmmio_vq_split_reap_in_order(struct vmmio_vq *vq, struct vmmio_used *out,
						   unsigned n, uint16_t used_idx)
{
	struct vmmio_vq_split *s = &vq->split;
	unsigned got;

	for (got = 0; got < n; got++) {
		const uint16_t head = s->oldest;
		const struct vmmio_vq_split_extra *x = &s->extra[head];

		if (!s->batch_left &&
		    !vmmio_vq_split_batch_start(vq, (uint16_t)(s->last_used + got), used_idx))
			break;
		out[got].cookie = x->cookie;
		/* "The skipped buffers [...] are assumed to have been used
		 * [...] by the device completely." */
		out[got].len = s->batch_left == 1 ? s->batch_len : x->in_len;
		s->batch_left--;
		s->oldest = (uint16_t)((head + x->ndescs) & s->mask);
		vmmio_vq_split_chain_free(vq, head);
	}
	return got;
}

VMMIO_INLINE void vmmio_vq_split_used_event_store(struct vmmio_vq_split *s, uint16_t v)
{
	s->used_event_shadow = v;
	vmmio_store16(s->used_event, v);
}

/*
 * No used buffer notifications with EVENT_IDX: put used_event where the
 * device's next decisions cannot cross it. The device notifies when the
 * used idx moves from old to new past used_event (vring_need_event()).
 * Its new is at most num ahead of last_used, and a device in the middle of
 * a decision, publishing new and then reading used_event, may have
 * an old as far as num behind the new idx we just reaped from. Just behind
 * last_used would fall inside that old..new and make a spurious
 * interrupt; num + 1 behind it is behind any old the device can have.
 * (With QueueSize 32768 the two ranges cover every value: a device that
 * uses the whole ring in one go may still cross it.)
 */
VMMIO_INLINE void vmmio_vq_split_used_event_park(struct vmmio_vq *vq)
{
	struct vmmio_vq_split *s = &vq->split;

	vmmio_vq_split_used_event_store(s, (uint16_t)(s->last_used - vq->p.num - 1));
}

/* EVENT_IDX after last_used moved: keep used_event where the mode wants it. */
VMMIO_INLINE void vmmio_vq_split_used_event_follow(struct vmmio_vq *vq)
{
	struct vmmio_vq_split *s = &vq->split;

	/* Enabled: notify on the buffer used after the last one reaped. Used
	 * entries not reaped yet raise nothing more: a consumer waits only
	 * once has_used() or a reap says the ring is empty, and then
	 * last_used is the device's idx. (A consumer about to sleep may also
	 * re-arm with intr_enable(), whose re-check closes the race.) */
	if (vq->intr_enabled) {
		vmmio_vq_split_used_event_store(s, s->last_used);
		/* Store, then the next reap's load of used idx: without a
		 * full barrier the load may pass the store, the device may
		 * read the old used_event after using a buffer and decide
		 * against the interrupt, and we find nothing and wait. */
		vmmio_mb();
		return;
	}
	/* Disabled: used_event sits out of the device's reach
	 * (vmmio_vq_split_used_event_park()), and is moved back only when
	 * the device could reach it before the next reap: its used idx is at
	 * most num ahead of last_used (one store every 65536 - 2 * num
	 * buffers; every reap for the largest queue). */
	if ((uint16_t)(s->used_event_shadow - s->last_used) < vq->p.num)
		vmmio_vq_split_used_event_park(vq);
}

/* The used idx is not what the device can have written: out of line. */
VMMIO_API VMMIO_COLD void vmmio_vq_split_pvt_bad_idx(struct vmmio_vq *vq, uint16_t used_idx,
						     uint16_t held);

VMMIO_INLINE unsigned vmmio_vq_split_reap(struct vmmio_vq *vq, struct vmmio_used *out, unsigned n)
{
	struct vmmio_vq_split *s = &vq->split;
	const uint16_t held = (uint16_t)(vq->outstanding - vq->unpublished);
	const uint16_t used_idx = vmmio_load16(&s->used->idx);
	const uint16_t ahead = (uint16_t)(used_idx - s->last_used);
	unsigned got;

	/* The used idx announces the entries before it: they are read only
	 * after it (the device wrote them before its idx store). */
	vmmio_rmb();
	/* The device can only have used what it holds (published, not yet
	 * reaped); anything beyond is an index pointing at stale entries. An
	 * IN_ORDER batch being returned was announced by this idx: it cannot
	 * have gone back before it. */
	if (VMMIO_UNLIKELY(ahead > held || ahead < s->batch_left)) {
		vmmio_vq_split_pvt_bad_idx(vq, used_idx, held);
		return 0;
	}
	if (vq->p.in_order)
		got = vmmio_vq_split_reap_in_order(vq, out, n, used_idx);
	else
		got = vmmio_vq_split_reap_any_order(vq, out, n, used_idx);
	if (!got)
		return 0;
	s->last_used = (uint16_t)(s->last_used + got);
	vq->outstanding = (uint16_t)(vq->outstanding - got);
	if (vq->p.event_idx)
		vmmio_vq_split_used_event_follow(vq);
	return got;
}

VMMIO_INLINE bool vmmio_vq_split_has_used(const struct vmmio_vq *vq)
{
	const struct vmmio_vq_split *s = &vq->split;

	/* A batch partly returned is waiting whatever the device writes
	 * now (reap breaks the queue if its idx went back). */
	if (s->batch_left)
		return true;
	return vmmio_load16(&s->used->idx) != s->last_used;
}

#endif /* VMMIO_VQ_SPLIT_PVT_H */
