/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device side of a packed ring ("Packed Virtqueues"): a descriptor is
 * available when its AVAIL bit equals the device's avail wrap counter and
 * its USED bit does not; the device writes used descriptors in ring order
 * with AVAIL = USED = its used wrap counter, skipping as many positions as
 * the buffer occupied. Positions wrap by compare-and-reset (QueueSize need
 * not be a power of 2).
 */
#include <errno.h>
#include <string.h>

#include "devsim_internal.h"
#include "vmmio_barrier.h"

static inline void advance(uint16_t *pos, bool *wrap, uint16_t n, uint16_t num)
{
	uint32_t p = (uint32_t)*pos + n;

	if (p >= num) {
		p -= num;
		*wrap = !*wrap;
	}
	*pos = (uint16_t)p;
}

static inline bool flags_avail(uint16_t flags, bool wrap)
{
	return !!(flags & VMMIO_DESC_F_AVAIL) == wrap && !!(flags & VMMIO_DESC_F_USED) != wrap;
}

static inline uint16_t used_flags(bool wrap)
{
	return wrap ? (uint16_t)(VMMIO_DESC_F_AVAIL | VMMIO_DESC_F_USED) : 0;
}

bool devsim_ring_packed_avail_at(const struct devsim_vq *vq, uint16_t pos, bool wrap)
{
	return flags_avail(vmmio_load16(&vq->ring[pos].flags), wrap);
}

bool devsim_ring_packed_has_avail(const struct devsim_vq *vq)
{
	return devsim_ring_packed_avail_at(vq, vq->avail_pos, vq->avail_wrap);
}

/* The driver writes the flags of a burst's later descriptors before its
 * first head's: what is made available is the run of available
 * descriptors from the device's position, which ends at the first head
 * not exposed yet. */
bool devsim_ring_packed_made_avail(const struct devsim_vq *vq, uint16_t pos, bool wrap)
{
	uint16_t p = vq->avail_pos;
	bool w = vq->avail_wrap;

	for (unsigned n = 0; n < vq->num && devsim_ring_packed_avail_at(vq, p, w); n++) {
		if (p == pos && w == wrap)
			return true;
		advance(&p, &w, 1, vq->num);
	}
	return false;
}

void devsim_ring_packed_first_unavail(const struct devsim_vq *vq, uint16_t *pos, bool *wrap)
{
	uint16_t p = vq->avail_pos;
	bool w = vq->avail_wrap;

	for (unsigned n = 0; n < vq->num && devsim_ring_packed_avail_at(vq, p, w); n++)
		advance(&p, &w, 1, vq->num);
	*pos = p;
	*wrap = w;
}

/* An indirect table: an array of descriptors in which "VIRTQ_DESC_F_WRITE
 * is the only valid flag". */
static int walk_table(struct devsim *s, uint16_t q, struct vq_walk *w, uint16_t at, uint64_t addr,
		      uint32_t len)
{
	struct devsim_vq *vq = &s->vq[q];
	const struct vmmio_pdesc *tbl = vq_ptr(addr);
	uint32_t entries = len / sizeof(*tbl);

	if (!addr || !entries || len % sizeof(*tbl))
		return devsim_ring_malformed(s, q,
					     "indirect descriptor at %u: table at 0x%llx of %u bytes",
					     at, (unsigned long long)addr, len);
	if (entries > vq->num)
		return devsim_ring_violation(s, q, DEVSIM_RULE_RING_CHAIN_LEN,
					     "indirect descriptor at %u: table of %u entries, QueueSize %u",
					     at, entries, vq->num);
	w->c->tbl_addr = addr;
	w->c->tbl_len = len;
	w->c->tbl_n = (uint16_t)entries;
	for (uint32_t j = 0; j < entries; j++) {
		struct vmmio_pdesc d = tbl[j];

		if (d.flags & ~VMMIO_DESC_F_WRITE)
			return devsim_ring_violation(s, q, DEVSIM_RULE_RING_INDIRECT_NESTED,
						     "indirect table at %u: entry %u has flags 0x%x (only WRITE is allowed)",
						     at, j, d.flags);
		if (!vq_seg_add(w, d.addr, d.len, d.flags & VMMIO_DESC_F_WRITE))
			return devsim_ring_violation(s, q, DEVSIM_RULE_RING_WRITE_AFTER_READ,
						     "indirect table at %u: entry %u is device-readable after a writable one",
						     at, j);
	}
	return 0;
}

/* Walk the list starting at the device's next available position. */
static int walk_list(struct devsim *s, uint16_t q, struct vq_walk *w)
{
	struct devsim_vq *vq = &s->vq[q];
	struct vq_chain *c = w->c;
	uint16_t pos = vq->avail_pos;
	bool wrap = vq->avail_wrap;
	unsigned n = 0;

	for (;;) {
		struct vmmio_pdesc d = vq->ring[pos];

		/* "A driver MUST NOT make the first descriptor in the list
		 * available before all subsequent descriptors comprising the
		 * list are made available": the rest must be there already. */
		if (n && !flags_avail(d.flags, wrap))
			return devsim_ring_malformed(s, q,
						     "list at %u: descriptor %u is not available (flags 0x%x, wrap %u)",
						     c->head, pos, d.flags, wrap);
		n++;
		if (d.flags & VMMIO_DESC_F_INDIRECT) {
			if (!vq->indirect)
				return devsim_ring_violation(s, q,
							     DEVSIM_RULE_RING_INDIRECT_FEATURE,
							     "descriptor %u has INDIRECT, VIRTIO_F_INDIRECT_DESC not negotiated",
							     pos);
			if ((d.flags & VMMIO_DESC_F_NEXT) || n > 1)
				return devsim_ring_violation(s, q, DEVSIM_RULE_RING_INDIRECT_NEXT,
							     "descriptor %u has INDIRECT in a NEXT list (flags 0x%x)",
							     pos, d.flags);
			c->indirect = true;
			if (walk_table(s, q, w, pos, d.addr, d.len))
				return -EPROTO;
			c->id = d.id;
			break;
		}
		if (!vq_seg_add(w, d.addr, d.len, d.flags & VMMIO_DESC_F_WRITE))
			return devsim_ring_violation(s, q, DEVSIM_RULE_RING_WRITE_AFTER_READ,
						     "list at %u: descriptor %u is device-readable after a writable one",
						     c->head, pos);
		/* "Buffer ID is included in the last descriptor in the list." */
		if (!(d.flags & VMMIO_DESC_F_NEXT)) {
			c->id = d.id;
			break;
		}
		/* All QueueSize descriptors and still NEXT: the list loops. */
		if (n == vq->num)
			return devsim_ring_violation(s, q, DEVSIM_RULE_RING_CHAIN_LEN,
						     "list at %u has more than QueueSize %u descriptors",
						     c->head, vq->num);
		advance(&pos, &wrap, 1, vq->num);
	}
	c->ndescs = (uint16_t)n;
	return 0;
}

int devsim_ring_packed_take(struct devsim *s, uint16_t q, struct vq_chain *c,
			    struct devsim_seg *seg, uint16_t cap)
{
	struct devsim_vq *vq = &s->vq[q];
	struct vq_walk w = { .c = c, .seg = seg, .cap = cap };

	if (!devsim_ring_packed_has_avail(vq))
		return 0;
	/* The flags announce the descriptor: read the rest after them. */
	vmmio_rmb();
	memset(c, 0, sizeof(*c));
	c->head = vq->avail_pos;
	c->second = VQ_NO_DESC;
	c->pos = vq->taken_descs;
	if (walk_list(s, q, &w))
		return -EPROTO;
	if (seg && c->n_seg > cap)
		return -ENOSPC;
	advance(&vq->avail_pos, &vq->avail_wrap, c->ndescs, vq->num);
	vq->taken_descs += c->ndescs;
	return 1;
}

void devsim_ring_packed_put(struct devsim_vq *vq, uint16_t id, uint32_t len, uint16_t n,
			    bool writable, bool bad_wrap)
{
	struct vmmio_pdesc *d = &vq->ring[vq->used_pos];
	uint16_t flags = used_flags(vq->used_wrap);

	/* DEVSIM_FAULT_PACKED_WRAP: USED as expected, AVAIL the other way. */
	if (bad_wrap)
		flags = vq->used_wrap ? VMMIO_DESC_F_USED : VMMIO_DESC_F_AVAIL;
	/* "Element Length is reserved for used descriptors without the
	 * VIRTQ_DESC_F_WRITE flag": a buffer the device could write into
	 * gets the flag, so that its length counts. */
	if (writable)
		flags |= VMMIO_DESC_F_WRITE;
	d->id = id;
	d->len = len;
	/* The flags are written by devsim_ring_packed_flush(), after a write barrier. */
	vq->pend[vq->n_pend++] = (struct vq_pend){ .pos = vq->used_pos, .flags = flags };
	advance(&vq->used_pos, &vq->used_wrap, n, vq->num);
	vq->used_descs += n;
}

/* A device that reads past the available run (a wrap counter ignored)
 * finds a stale descriptor there, and uses it. */
uint16_t devsim_ring_packed_phantom_id(const struct devsim_vq *vq)
{
	uint16_t pos;
	bool wrap;

	devsim_ring_packed_first_unavail(vq, &pos, &wrap);
	return vq->ring[pos].id;
}

/* "Driver and Device Event Suppression": ENABLE, DISABLE, or DESC with the
 * offset and wrap counter of the descriptor to be notified at. Positions of
 * the previous lap map to [-num, 0) so vmmio_need_event() works across the
 * wrap (as the driver does for its kicks). */
static bool need_irq(const struct devsim_vq *vq, uint32_t count)
{
	uint16_t flags = vmmio_load16(&vq->drv_event->flags) & 3u;
	uint16_t off_wrap, off, old;

	if (flags == VMMIO_PEVENT_DISABLE)
		return false;
	if (flags != VMMIO_PEVENT_DESC || !vq->event_idx)
		return true;
	off_wrap = vmmio_load16(&vq->drv_event->off_wrap);
	off = off_wrap & 0x7fffu;
	if ((bool)(off_wrap >> VMMIO_PEVENT_WRAP_SHIFT) != vq->used_wrap)
		off = (uint16_t)(off - vq->num);
	old = (uint16_t)(vq->used_pos - count);
	return vmmio_need_event(off, vq->used_pos, old);
}

bool devsim_ring_packed_flush(struct devsim_vq *vq)
{
	uint32_t count;

	if (!vq->n_pend)
		return false;
	vmmio_wmb();
	/* The first descriptor's flags last: the driver reads in ring order,
	 * so it sees the whole batch at once. */
	for (unsigned i = vq->n_pend; i-- > 1;)
		vmmio_store16(&vq->ring[vq->pend[i].pos].flags, vq->pend[i].flags);
	if (vq->n_pend)
		vmmio_store16(&vq->ring[vq->pend[0].pos].flags, vq->pend[0].flags);
	vq->n_pend = 0;
	vmmio_mb();
	count = vq->used_descs - vq->signalled_descs;
	vq->signalled_descs = vq->used_descs;
	return count && need_irq(vq, count);
}

void devsim_ring_packed_apply_kick(struct devsim_vq *vq, enum devsim_kick_mode m, uint16_t at,
				   bool wrap)
{
	uint16_t flags = VMMIO_PEVENT_ENABLE;

	if (m == DEVSIM_KICK_NEVER) {
		flags = VMMIO_PEVENT_DISABLE;
	} else if (m == DEVSIM_KICK_AT && vq->event_idx) {
		/* DESC is "only valid if VIRTIO_F_EVENT_IDX has been negotiated" */
		vmmio_store16(&vq->dev_event->off_wrap,
			      (uint16_t)((at & 0x7fffu) | (uint16_t)wrap << VMMIO_PEVENT_WRAP_SHIFT));
		vmmio_wmb();
		flags = VMMIO_PEVENT_DESC;
	}
	vmmio_store16(&vq->dev_event->flags, flags);
}

/* The ring descriptors of @c (and its table, if its descriptor still
 * points to it) as they are now. */
uint64_t devsim_ring_packed_snapshot(const struct devsim_vq *vq, const struct vq_chain *c)
{
	uint64_t h = VQ_HASH_INIT;
	struct vmmio_pdesc d = { 0 };
	uint16_t pos = c->head;
	bool wrap = false;

	for (unsigned k = 0; k < c->ndescs; k++) {
		d = vq->ring[pos];
		h = devsim_ring_hash(h, &d, sizeof(d));
		advance(&pos, &wrap, 1, vq->num);
	}
	if (c->indirect && d.addr == c->tbl_addr && d.len == c->tbl_len)
		h = devsim_ring_hash(h, vq_ptr(c->tbl_addr), c->tbl_len);
	return h;
}
