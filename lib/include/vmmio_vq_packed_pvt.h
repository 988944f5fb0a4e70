/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PRIVATE (see vmmio_vq_pvt.h): the packed ring engine's burst path
 * ("Packed Virtqueues"): one descriptor ring that both sides write, driver
 * descriptors marked available and device descriptors marked used by the
 * AVAIL/USED bits against each side's wrap counter, and the two event
 * suppression structures. The rest of the engine (layout, init, interrupt
 * enabling, reclaim) is lib/vq/packed.c.
 *
 * The queue size need not be a power of 2: positions wrap by comparison
 * with the size, never by a mask or a division.
 */
#ifndef VMMIO_VQ_PACKED_PVT_H
#define VMMIO_VQ_PACKED_PVT_H

#ifndef VMMIO_VQ_PVT_H
#error "include vmmio_vq.h, not vmmio_vq_packed_pvt.h"
#endif

#define VMMIO_VQ_PACKED_OFF_MASK 0x7fffu

/* --- adding buffers ------------------------------------------------------------------ */

/* "To mark a descriptor as available, the driver sets the
 * VIRTQ_DESC_F_AVAIL bit in Flags to match the internal Driver Ring Wrap
 * Counter. It also sets the VIRTQ_DESC_F_USED bit to match the inverse
 * value". */
VMMIO_INLINE uint16_t vmmio_vq_packed_avail_bits(bool wrap)
{
	return wrap ? VMMIO_DESC_F_AVAIL : VMMIO_DESC_F_USED;
}

/* A free id: num_free >= 1 guarantees one, since every outstanding buffer
 * holds at least one ring descriptor. */
VMMIO_INLINE uint16_t vmmio_vq_packed_id_alloc(struct vmmio_vq *vq)
{
	struct vmmio_vq_packed *pk = &vq->packed;
	uint16_t id;

	if (vq->p.in_order) {
		/* The device uses buffers in the order they were made available:
		 * with ids handed out in that order, the outstanding ids are one
		 * window from oldest_id and a used batch is a prefix of it. */
		id = pk->next_id;
		pk->next_id = id + 1u == vq->p.num ? 0 : (uint16_t)(id + 1);
	} else {
		id = pk->free_head;
		pk->free_head = pk->extra[id].next_free;
	}
	return id;
}

/*
 * Write one ring descriptor at next_avail and step past it, flipping the
 * wrap counter after the last descriptor of the ring. The flags of the
 * first descriptor after the published position are kept for publish,
 * which exposes the whole run with that one store. Every other descriptor
 * gets its flags now: "all flags, including VIRTQ_DESC_F_AVAIL,
 * VIRTQ_DESC_F_USED, VIRTQ_DESC_F_WRITE must be set/cleared correctly in
 * all descriptors in the list, not just the first one" (a chain may cross
 * the ring end, where the wrap counter changes).
 */
VMMIO_INLINE void vmmio_vq_packed_desc_put(struct vmmio_vq *vq, uint64_t addr, uint32_t len,
					   uint16_t id, uint16_t flags)
{
	struct vmmio_vq_packed *pk = &vq->packed;
	struct vmmio_pdesc *d = &pk->desc[pk->next_avail];

	flags |= vmmio_vq_packed_avail_bits(pk->avail_wrap);
	d->addr = addr;
	d->len = len;
	d->id = id;
	if (pk->next_avail == pk->pub_pos && pk->avail_wrap == pk->pub_wrap)
		pk->head_flags = flags;
	else
		vmmio_store16(&d->flags, flags);
	if (++pk->next_avail == vq->p.num) {
		pk->next_avail = 0;
		pk->avail_wrap = !pk->avail_wrap;
	}
}

VMMIO_INLINE void vmmio_vq_packed_put_chain(struct vmmio_vq *vq, const struct vmmio_buf *b,
					    uint16_t id)
{
	const unsigned nseg = (unsigned)b->n_out + b->n_in;

	for (unsigned s = 0; s < nseg; s++) {
		uint16_t f = s >= b->n_out ? VMMIO_DESC_F_WRITE : 0;

		if (s + 1 < nseg)
			f |= VMMIO_DESC_F_NEXT;
		vmmio_vq_packed_desc_put(vq, b->seg[s].addr, b->seg[s].len, id, f);
	}
}

/* The buffer's segments in id's table, one INDIRECT descriptor in the ring.
 * "The VIRTQ_DESC_F_WRITE flags bit is the only valid flag for descriptors
 * in the indirect table"; Buffer ID is reserved there. */
VMMIO_INLINE void vmmio_vq_packed_put_indirect(struct vmmio_vq *vq, const struct vmmio_buf *b,
					       uint16_t id)
{
	const unsigned nseg = (unsigned)b->n_out + b->n_in;
	struct vmmio_pdesc *t = vmmio_vq_ind_va(vq, id);

	for (unsigned s = 0; s < nseg; s++) {
		t[s].addr = b->seg[s].addr;
		t[s].len = b->seg[s].len;
		t[s].id = 0;
		t[s].flags = s >= b->n_out ? VMMIO_DESC_F_WRITE : 0;
	}
	vmmio_vq_packed_desc_put(vq, vmmio_vq_ind_iova(vq, id), (uint32_t)(nseg * sizeof(*t)), id,
				 VMMIO_DESC_F_INDIRECT);
}

VMMIO_INLINE int vmmio_vq_packed_add(struct vmmio_vq *vq, const struct vmmio_buf *bufs, unsigned n)
{
	struct vmmio_vq_packed *pk = &vq->packed;
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct vmmio_buf *b = &bufs[i];
		struct vmmio_vq_packed_extra *e;
		uint16_t ndescs, id;
		uint32_t in_len;
		bool indirect;
		int r = vmmio_vq_check_buf(vq, b, &ndescs, &indirect, &in_len);

		if (r < 0)
			return i ? (int)i : r;
		/* "A driver MUST make sure there's enough space in the ring for
		 * the whole list before making the first descriptor in the list
		 * available to the device." */
		if (ndescs > vq->num_free)
			break;
		id = vmmio_vq_packed_id_alloc(vq);
		e = &pk->extra[id];
		e->cookie = b->cookie;
		e->seq = pk->add_seq++;
		e->in_len = in_len;
		e->ndescs = ndescs;
		e->pos = pk->next_avail;
		e->wrap = pk->avail_wrap;
		e->indirect = indirect;
		if (indirect)
			vmmio_vq_packed_put_indirect(vq, b, id);
		else
			vmmio_vq_packed_put_chain(vq, b, id);
		vq->num_free -= ndescs;
		vq->outstanding++;
		vq->unpublished++;
		vq->stats.added++;
		vq->stats.indirect += indirect;
	}
	return (int)i;
}

/* One-segment buffers (vmmio_vq_add1()): @n fits num_free. Stops at a
 * NULL cookie. */
VMMIO_INLINE unsigned vmmio_vq_packed_add1(struct vmmio_vq *vq, const struct vmmio_seg *seg,
					   void *const *cookie, unsigned n, bool write)
{
	struct vmmio_vq_packed *pk = &vq->packed;
	const uint16_t f = write ? VMMIO_DESC_F_WRITE : 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		struct vmmio_vq_packed_extra *e;
		uint16_t id;

		if (VMMIO_UNLIKELY(!cookie[i]))
			break;
		id = vmmio_vq_packed_id_alloc(vq);
		e = &pk->extra[id];
		e->cookie = cookie[i];
		e->seq = pk->add_seq++;
		e->in_len = write ? seg[i].len : 0;
		e->ndescs = 1;
		e->pos = pk->next_avail;
		e->wrap = pk->avail_wrap;
		e->indirect = false;
		vmmio_vq_packed_desc_put(vq, seg[i].addr, seg[i].len, id, f);
	}
	vq->num_free = (uint16_t)(vq->num_free - i);
	vq->outstanding = (uint16_t)(vq->outstanding + i);
	vq->unpublished = (uint16_t)(vq->unpublished + i);
	vq->stats.added += i;
	return i;
}

/* --- publishing and available buffer notifications ---------------------------------- */

/*
 * Was the descriptor @off_wrap names (the device's DESC event) among the
 * ones just made available, from (@old, @old_wrap) up to the published
 * position? Both are measured as distances from @old in ring order: a
 * descriptor of the same lap lies at off - old (a huge unsigned number when
 * it is behind @old), one of the next lap at off + num - old (num or more
 * when it is not before @old, i.e. a lap away).
 */
VMMIO_INLINE bool vmmio_vq_packed_event_published(const struct vmmio_vq *vq, uint16_t off_wrap,
						  uint16_t old, bool old_wrap)
{
	const struct vmmio_vq_packed *pk = &vq->packed;
	const uint32_t num = vq->p.num;
	const uint32_t off = off_wrap & VMMIO_VQ_PACKED_OFF_MASK;
	const bool wrap = off_wrap >> VMMIO_PEVENT_WRAP_SHIFT;
	uint32_t count, dist;

	/* An offset outside the ring names no descriptor: notify, since a
	 * needless notification is harmless and a missing one is not. */
	if (off >= num)
		return true;
	/* 1..num descriptors were published (num: the whole ring, same
	 * position, the other wrap counter). */
	count = pk->pub_wrap == old_wrap ? (uint32_t)pk->pub_pos - old
					 : (uint32_t)pk->pub_pos + num - old;
	dist = wrap == old_wrap ? off - old : off + num - old;
	return dist < count;
}

VMMIO_INLINE bool vmmio_vq_packed_publish(struct vmmio_vq *vq)
{
	struct vmmio_vq_packed *pk = &vq->packed;
	const uint16_t old = pk->pub_pos;
	const bool old_wrap = pk->pub_wrap;
	uint16_t flags;

	/* "A driver MUST NOT make the first descriptor in the list available
	 * before all subsequent descriptors comprising the list are made
	 * available", and "The driver MUST perform a suitable memory barrier
	 * before the flags update". The device reads descriptors in ring
	 * order and stops at the first that is not available, so the burst's
	 * first head gates every descriptor written behind it: one barrier
	 * orders all of them before the one store that exposes them. */
	vmmio_wmb();
	vmmio_store16(&pk->desc[old].flags, pk->head_flags);
	pk->pub_pos = pk->next_avail;
	pk->pub_wrap = pk->avail_wrap;
	pk->pub_seq = pk->add_seq;

	/* "The driver MUST perform a suitable memory barrier before reading
	 * the Event Suppression structure occupying the Device Area."
	 * Store-load ordering: without it the CPU may read the device's flags
	 * before our head store is visible. If the device meanwhile found the
	 * ring empty, wrote ENABLE (or DESC) and re-checked the ring before our
	 * store landed, while we read its older DISABLE, neither side acts:
	 * the device sleeps on buffers it was never told about. */
	vmmio_mb();
	flags = vmmio_load16(&pk->device_ev->flags) & 3u;
	if (flags == VMMIO_PEVENT_DISABLE)
		return false;
	/* ENABLE, the reserved value 3, and DESC without EVENT_IDX (where it
	 * is not valid) all mean: notify. */
	if (flags != VMMIO_PEVENT_DESC || !vq->p.event_idx)
		return true;
	/* Pairs with the device's write barrier between off_wrap and the
	 * flags that say DESC: read the offset after the flags. */
	vmmio_rmb();
	return vmmio_vq_packed_event_published(vq, vmmio_load16(&pk->device_ev->off_wrap), old,
					       old_wrap);
}

VMMIO_INLINE uint32_t vmmio_vq_packed_notify_value(const struct vmmio_vq *vq)
{
	/* "next_off and next_wrap to match the next descriptor not yet made
	 * available to the device": the published position, not next_avail
	 * (buffers added since are not available yet). */
	if (vq->p.notification_data)
		return vmmio_notify_data_packed(vq->p.index, vq->packed.pub_pos,
						vq->packed.pub_wrap);
	return vq->p.index;
}

/* --- used buffers ---------------------------------------------------------------------- */

/* What the device wrote in the used descriptor at @pos, expected with
 * wrap counter @wrap. */
struct vmmio_vq_packed_used {
	uint16_t pos;
	bool wrap;
	uint16_t flags;
	uint16_t id;
	uint32_t len;
};

/*
 * Buffers the device holds: published and not reported used. Only then
 * does last_used lie in the part of the ring the driver made available in
 * the current lap, where a descriptor the driver wrote reads "available"
 * (AVAIL = wrap, USED = !wrap) until the device overwrites it. Outside it
 * the slot is the unpublished head or a stale descriptor of the previous
 * lap, whose bits mean nothing (a stale chain descriptor even reads
 * USED = wrap with AVAIL != wrap), so it is not looked at.
 */
VMMIO_INLINE unsigned vmmio_vq_packed_held(const struct vmmio_vq *vq)
{
	return (unsigned)vq->outstanding - vq->unpublished - vq->packed.batch_left;
}

VMMIO_INLINE bool vmmio_vq_packed_used_bit(uint16_t flags, bool wrap)
{
	return !(flags & VMMIO_DESC_F_USED) == !wrap;
}

/* The lies a used descriptor can tell, found by the checks below: break
 * the queue with the message (out of line). */
enum vmmio_vq_packed_lie {
	VMMIO_VQ_PACKED_LIE_AVAIL, /* AVAIL disagrees with USED */
	VMMIO_VQ_PACKED_LIE_ID, /* id beyond QueueSize */
	VMMIO_VQ_PACKED_LIE_NOT_HELD, /* id not outstanding, or not published */
	VMMIO_VQ_PACKED_LIE_NOT_IN_BATCH, /* IN_ORDER: id not among those held */
	VMMIO_VQ_PACKED_LIE_LEN, /* WRITE and a length beyond the buffer */
};
VMMIO_API VMMIO_COLD void vmmio_vq_packed_pvt_lie(struct vmmio_vq *vq,
						  const struct vmmio_vq_packed_used *u,
						  enum vmmio_vq_packed_lie lie);

/*
 * Read the used descriptor at u->pos, expected with wrap counter u->wrap
 * (the caller's last_used and used_wrap, which the error messages quote
 * as read): 1 with @u filled, its flags and id checked; 0 when the device
 * has not written it yet; -1 when the device lied (the queue is broken).
 */
VMMIO_INLINE int vmmio_vq_packed_used_read(struct vmmio_vq *vq, struct vmmio_vq_packed_used *u)
{
	const struct vmmio_pdesc *d = &vq->packed.desc[u->pos];

	u->flags = vmmio_load16(&d->flags);
	if (!vmmio_vq_packed_used_bit(u->flags, u->wrap))
		return 0;
	/* The device writes id and len, then (after its write barrier) the
	 * flags. Without this barrier the CPU may load id and len before the
	 * flags, and see the available descriptor the driver wrote there. */
	vmmio_rmb();
	/* One load each: what is checked is what is used, even if the device
	 * keeps writing. */
	u->id = vmmio_load16(&d->id);
	u->len = vmmio_load32(&d->len);
	/* "To mark a descriptor as used, the device sets the VIRTQ_DESC_F_USED
	 * bit in Flags to match the internal Device Ring Wrap Counter. It also
	 * sets the VIRTQ_DESC_F_AVAIL bit to match the same value." */
	if (VMMIO_UNLIKELY(!(u->flags & VMMIO_DESC_F_AVAIL) != !u->wrap)) {
		vmmio_vq_packed_pvt_lie(vq, u, VMMIO_VQ_PACKED_LIE_AVAIL);
		return -1;
	}
	if (VMMIO_UNLIKELY(u->id >= vq->p.num)) {
		vmmio_vq_packed_pvt_lie(vq, u, VMMIO_VQ_PACKED_LIE_ID);
		return -1;
	}
	return 1;
}

/*
 * The bytes written into buffer @e, from @u's len, into u->len. "Element
 * Length is reserved for used descriptors without the VIRTQ_DESC_F_WRITE
 * flag, and is ignored by drivers": with WRITE it is the bytes written and
 * more than the buffer's writable part is a lie (the queue breaks).
 * Without it the field may hold anything, even the length the driver
 * wrote there; but QEMU's packed ring writes the real length without
 * ever setting WRITE (and the drivers of Linux and DPDK read it), so a
 * length within the writable part is kept, any other means 0.
 */
VMMIO_INLINE bool vmmio_vq_packed_used_len(struct vmmio_vq *vq, struct vmmio_vq_packed_used *u,
					   const struct vmmio_vq_packed_extra *e)
{
	if (VMMIO_LIKELY(u->len <= e->in_len))
		return true;
	if (!(u->flags & VMMIO_DESC_F_WRITE)) {
		u->len = 0;
		return true;
	}
	vmmio_vq_packed_pvt_lie(vq, u, VMMIO_VQ_PACKED_LIE_LEN);
	return false;
}

/* Step the position @pos (wrap counter @wrap) past @ndescs descriptors. */
VMMIO_INLINE void vmmio_vq_packed_advance(uint16_t *pos, bool *wrap, uint16_t num, uint16_t ndescs)
{
	unsigned p = (unsigned)*pos + ndescs;

	if (p >= num) {
		p -= num;
		*wrap = !*wrap;
	}
	*pos = (uint16_t)p;
}

VMMIO_INLINE void vmmio_vq_packed_release(struct vmmio_vq *vq, uint16_t id)
{
	struct vmmio_vq_packed *pk = &vq->packed;
	struct vmmio_vq_packed_extra *e = &pk->extra[id];

	vq->num_free += e->ndescs;
	vq->outstanding--;
	e->cookie = NULL;
	if (!vq->p.in_order) {
		e->next_free = pk->free_head;
		pk->free_head = id;
	}
}

/* Without IN_ORDER: one used descriptor per buffer, in any order; the next
 * one follows after as many descriptors as the used buffer occupied. */
VMMIO_INLINE unsigned vmmio_vq_packed_reap_any_order(struct vmmio_vq *vq, struct vmmio_used *out,
						     unsigned n)
{
	struct vmmio_vq_packed *pk = &vq->packed;
	const unsigned h = vmmio_vq_packed_held(vq); /* one fewer with each buffer returned */
	struct vmmio_vq_packed_used u = { .pos = pk->last_used, .wrap = pk->used_wrap };
	unsigned got = 0;

	if (n > h)
		n = h;
	while (got < n) {
		const struct vmmio_vq_packed_extra *e;

		if (vmmio_vq_packed_used_read(vq, &u) <= 0)
			break;
		e = &pk->extra[u.id];
		if (VMMIO_UNLIKELY(!e->cookie || e->seq >= pk->pub_seq)) {
			vmmio_vq_packed_pvt_lie(vq, &u, VMMIO_VQ_PACKED_LIE_NOT_HELD);
			break;
		}
		if (!vmmio_vq_packed_used_len(vq, &u, e))
			break;
		out[got].cookie = e->cookie;
		out[got].len = u.len;
		got++;
		/* The skip comes from the driver's record, not the device. */
		vmmio_vq_packed_advance(&u.pos, &u.wrap, vq->p.num, e->ndescs);
		vmmio_vq_packed_release(vq, u.id);
	}
	pk->last_used = u.pos;
	pk->used_wrap = u.wrap;
	return got;
}

/*
 * With IN_ORDER ("In-order use of descriptors"): the device may write one
 * used descriptor for a batch, at the batch's first position, naming the
 * id of its last buffer; the earlier ones were "used (read or written) by
 * the device completely". The batch is the prefix of the outstanding ids
 * up to that id; it is returned over as many calls as @n needs.
 */
VMMIO_INLINE unsigned vmmio_vq_packed_reap_in_order(struct vmmio_vq *vq, struct vmmio_used *out,
						    unsigned n)
{
	struct vmmio_vq_packed *pk = &vq->packed;
	const uint16_t num = vq->p.num;
	unsigned got = 0;

	while (got < n) {
		const struct vmmio_vq_packed_extra *e;
		uint16_t id;

		if (!pk->batch_left) {
			const unsigned h = vmmio_vq_packed_held(vq);
			struct vmmio_vq_packed_used u = { .pos = pk->last_used,
							  .wrap = pk->used_wrap };
			unsigned ahead;

			if (!h || vmmio_vq_packed_used_read(vq, &u) <= 0)
				break;
			ahead = u.id >= pk->oldest_id ? (unsigned)u.id - pk->oldest_id
						      : (unsigned)u.id + num - pk->oldest_id;
			if (VMMIO_UNLIKELY(ahead >= h)) {
				vmmio_vq_packed_pvt_lie(vq, &u, VMMIO_VQ_PACKED_LIE_NOT_IN_BATCH);
				break;
			}
			e = &pk->extra[u.id];
			if (!vmmio_vq_packed_used_len(vq, &u, e))
				break;
			pk->batch_left = (uint16_t)(ahead + 1);
			pk->batch_len = u.len;
			/* The device's next used descriptor follows the batch's
			 * last buffer, wherever the ring placed it. */
			pk->last_used = e->pos;
			pk->used_wrap = e->wrap;
			vmmio_vq_packed_advance(&pk->last_used, &pk->used_wrap, num, e->ndescs);
		}
		id = pk->oldest_id;
		e = &pk->extra[id];
		out[got].cookie = e->cookie;
		out[got].len = pk->batch_left == 1 ? pk->batch_len : e->in_len;
		got++;
		pk->batch_left--;
		pk->oldest_id = id + 1u == num ? 0 : (uint16_t)(id + 1);
		vmmio_vq_packed_release(vq, id);
	}
	return got;
}

/* DESC mode: the used descriptor the device writes next (last_used and
 * its wrap counter) is the one to interrupt at. */
VMMIO_INLINE void vmmio_vq_packed_off_wrap_follow(struct vmmio_vq_packed *pk)
{
	vmmio_store16(&pk->driver_ev->off_wrap,
		      (uint16_t)(pk->last_used | (unsigned)pk->used_wrap << VMMIO_PEVENT_WRAP_SHIFT));
}

VMMIO_INLINE unsigned vmmio_vq_packed_reap(struct vmmio_vq *vq, struct vmmio_used *out, unsigned n)
{
	const unsigned got = vq->p.in_order ? vmmio_vq_packed_reap_in_order(vq, out, n)
					    : vmmio_vq_packed_reap_any_order(vq, out, n);

	/* Interrupts stay on while enabled, as ENABLE does without EVENT_IDX:
	 * the event moves on to the next used descriptor. (A consumer about
	 * to sleep re-arms with intr_enable(), whose re-check closes the race
	 * with the device.) */
	if (got && vq->intr_enabled && vq->p.event_idx) {
		vmmio_vq_packed_off_wrap_follow(&vq->packed);
		/* Store, then the next reap's load of the flags: a full
		 * barrier, or the device may read the old event after using
		 * a buffer while we miss the buffer (as for split's
		 * used_event). */
		vmmio_mb();
	}
	return got;
}

VMMIO_INLINE bool vmmio_vq_packed_has_used(const struct vmmio_vq *vq)
{
	const struct vmmio_vq_packed *pk = &vq->packed;

	if (pk->batch_left)
		return true;
	if (!vmmio_vq_packed_held(vq))
		return false;
	/* USED set as the wrap counter expects: the device wrote this slot
	 * (reap checks the rest, and breaks the queue if it lied). */
	return vmmio_vq_packed_used_bit(vmmio_load16(&pk->desc[pk->last_used].flags),
					pk->used_wrap);
}

#endif /* VMMIO_VQ_PACKED_PVT_H */
