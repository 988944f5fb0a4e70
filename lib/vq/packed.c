/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packed ring engine ("Packed Virtqueues"): one descriptor ring that
 * both sides write, driver descriptors marked available and device
 * descriptors marked used by the AVAIL/USED bits against each side's wrap
 * counter, and the two event suppression structures.
 *
 * Layout of the ring areas: the descriptor ring at 0 (16-byte aligned, as
 * the memory is 4096-aligned), then the Driver Area and the Device Area
 * each on a cache line of its own, so that neither side's stores to its
 * structure take the line the other side writes.
 *
 * The queue size need not be a power of 2: positions wrap by comparison
 * with the size, never by a mask or a division.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vq_internal.h"

#define PACKED_EVENT_LINE 64u
#define PACKED_OFF_MASK 0x7fffu

/* The driver's own record of one buffer id. */
struct vq_packed_extra {
	void *cookie; /* NULL: the id is free (cookies are never NULL) */
	uint64_t seq; /* add order: the device holds the buffer once seq < pub_seq */
	uint32_t in_len; /* device-writable bytes */
	uint16_t ndescs; /* ring descriptors it occupies (1 when indirect) */
	uint16_t pos; /* ring position of its first descriptor ... */
	bool wrap; /* ... and the wrap counter it was made available with */
	bool indirect;
	uint16_t next_free; /* free list link, without IN_ORDER */
};

static size_t event_offset(uint16_t num)
{
	return (vmmio_packed_desc_size(num) + PACKED_EVENT_LINE - 1) &
	       ~(size_t)(PACKED_EVENT_LINE - 1);
}

size_t vq_packed_ring_size(const struct vmmio_vq_params *p)
{
	return event_offset(p->num) + 2 * PACKED_EVENT_LINE;
}

int vq_packed_create(struct vmmio_vq *vq)
{
	vq->packed.extra = calloc(vq->p.num, sizeof(*vq->packed.extra));
	return vq->packed.extra ? 0 : -ENOMEM;
}

void vq_packed_destroy(struct vmmio_vq *vq)
{
	free(vq->packed.extra);
	vq->packed.extra = NULL;
}

void vq_packed_queue_cfg(const struct vmmio_vq *vq, struct vmmio_queue_cfg *out)
{
	out->num = vq->p.num;
	out->desc = vq->packed.desc_iova;
	out->driver = vq->packed.driver_iova;
	out->device = vq->packed.device_iova;
}

/* --- used buffer notifications (the Driver Area) ---------------------------------- */

/* Store the driver's event flags only when they change: the device polls
 * that line, and a needless store takes it away from the device. */
static void drv_flags_set(struct vq_packed *pk, uint16_t flags)
{
	if (pk->drv_flags == flags)
		return;
	pk->drv_flags = flags;
	vmmio_store16(&pk->driver_ev->flags, flags);
}

void vq_packed_intr_disable(struct vmmio_vq *vq)
{
	/* No barrier: a DISABLE the device sees late costs at most one
	 * interrupt the driver did not need. */
	drv_flags_set(&vq->packed, VMMIO_PEVENT_DISABLE);
}

/* DESC mode: the used descriptor the device writes next (last_used and
 * its wrap counter) is the one to interrupt at. */
static void off_wrap_follow(struct vq_packed *pk)
{
	vmmio_store16(&pk->driver_ev->off_wrap,
		      (uint16_t)(pk->last_used | (unsigned)pk->used_wrap << VMMIO_PEVENT_WRAP_SHIFT));
}

/* Ask for an interrupt when the device uses the next buffer. */
static void intr_arm(struct vmmio_vq *vq)
{
	struct vq_packed *pk = &vq->packed;

	if (!vq->p.event_idx) {
		drv_flags_set(pk, VMMIO_PEVENT_ENABLE);
		return;
	}
	off_wrap_follow(pk);
	/* A device that reads DESC in flags must then read this off_wrap, not
	 * an older one: the offset is visible before the flags that make it
	 * count. */
	vmmio_wmb();
	drv_flags_set(pk, VMMIO_PEVENT_DESC);
}

/* --- layout and initial state ------------------------------------------------------ */

void vq_packed_init(struct vmmio_vq *vq)
{
	struct vq_packed *pk = &vq->packed;
	const uint16_t num = vq->p.num;
	uint8_t *va = vq->mem.va;
	const size_t ev = event_offset(num);

	pk->desc = (struct vmmio_pdesc *)(void *)va;
	pk->driver_ev = (struct vmmio_pevent *)(void *)(va + ev);
	pk->device_ev = (struct vmmio_pevent *)(void *)(va + ev + PACKED_EVENT_LINE);
	pk->desc_iova = vq->mem.iova;
	pk->driver_iova = vq->mem.iova + ev;
	pk->device_iova = vq->mem.iova + ev + PACKED_EVENT_LINE;

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
		vq_packed_intr_disable(vq);
}

/* --- adding buffers ------------------------------------------------------------------ */

/* "To mark a descriptor as available, the driver sets the
 * VIRTQ_DESC_F_AVAIL bit in Flags to match the internal Driver Ring Wrap
 * Counter. It also sets the VIRTQ_DESC_F_USED bit to match the inverse
 * value". */
static inline uint16_t avail_bits(bool wrap)
{
	return wrap ? VMMIO_DESC_F_AVAIL : VMMIO_DESC_F_USED;
}

/* A free id: num_free >= 1 guarantees one, since every outstanding buffer
 * holds at least one ring descriptor. */
static uint16_t id_alloc(struct vmmio_vq *vq)
{
	struct vq_packed *pk = &vq->packed;
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
static void desc_put(struct vmmio_vq *vq, uint64_t addr, uint32_t len, uint16_t id,
		     uint16_t flags)
{
	struct vq_packed *pk = &vq->packed;
	struct vmmio_pdesc *d = &pk->desc[pk->next_avail];

	flags |= avail_bits(pk->avail_wrap);
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

static void put_chain(struct vmmio_vq *vq, const struct vmmio_buf *b, uint16_t id)
{
	const unsigned nseg = (unsigned)b->n_out + b->n_in;

	for (unsigned s = 0; s < nseg; s++) {
		uint16_t f = s >= b->n_out ? VMMIO_DESC_F_WRITE : 0;

		if (s + 1 < nseg)
			f |= VMMIO_DESC_F_NEXT;
		desc_put(vq, b->seg[s].addr, b->seg[s].len, id, f);
	}
}

/* The buffer's segments in id's table, one INDIRECT descriptor in the ring.
 * "The VIRTQ_DESC_F_WRITE flags bit is the only valid flag for descriptors
 * in the indirect table"; Buffer ID is reserved there. */
static void put_indirect(struct vmmio_vq *vq, const struct vmmio_buf *b, uint16_t id)
{
	const unsigned nseg = (unsigned)b->n_out + b->n_in;
	struct vmmio_pdesc *t = vq_ind_va(vq, id);

	for (unsigned s = 0; s < nseg; s++) {
		t[s].addr = b->seg[s].addr;
		t[s].len = b->seg[s].len;
		t[s].id = 0;
		t[s].flags = s >= b->n_out ? VMMIO_DESC_F_WRITE : 0;
	}
	desc_put(vq, vq_ind_iova(vq, id), (uint32_t)(nseg * sizeof(*t)), id,
		 VMMIO_DESC_F_INDIRECT);
}

int vq_packed_add(struct vmmio_vq *vq, const struct vmmio_buf *bufs, unsigned n)
{
	struct vq_packed *pk = &vq->packed;
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct vmmio_buf *b = &bufs[i];
		struct vq_packed_extra *e;
		uint16_t ndescs, id;
		uint32_t in_len;
		bool indirect;
		int r = vq_check_buf(vq, b, &ndescs, &indirect, &in_len);

		if (r < 0)
			return i ? (int)i : r;
		/* "A driver MUST make sure there's enough space in the ring for
		 * the whole list before making the first descriptor in the list
		 * available to the device." */
		if (ndescs > vq->num_free)
			break;
		id = id_alloc(vq);
		e = &pk->extra[id];
		e->cookie = b->cookie;
		e->seq = pk->add_seq++;
		e->in_len = in_len;
		e->ndescs = ndescs;
		e->pos = pk->next_avail;
		e->wrap = pk->avail_wrap;
		e->indirect = indirect;
		if (indirect)
			put_indirect(vq, b, id);
		else
			put_chain(vq, b, id);
		vq->num_free -= ndescs;
		vq->outstanding++;
		vq->unpublished++;
		vq->stats.added++;
		if (indirect)
			vq->stats.indirect++;
	}
	return (int)i;
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
static bool event_published(const struct vmmio_vq *vq, uint16_t off_wrap, uint16_t old,
			    bool old_wrap)
{
	const struct vq_packed *pk = &vq->packed;
	const uint32_t num = vq->p.num;
	const uint32_t off = off_wrap & PACKED_OFF_MASK;
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

bool vq_packed_publish(struct vmmio_vq *vq)
{
	struct vq_packed *pk = &vq->packed;
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
	return event_published(vq, vmmio_load16(&pk->device_ev->off_wrap), old, old_wrap);
}

uint32_t vq_packed_notify_value(const struct vmmio_vq *vq)
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
struct used_desc {
	uint16_t pos;
	bool wrap;
	uint16_t flags;
	uint16_t id;
	uint32_t len;
};

#define USED_FMT "used descriptor at %u (wrap counter %u) has id %u, len %u, flags 0x%04x: "
#define USED_ARGS(u)                                                                          \
	(unsigned)(u)->pos, (unsigned)(u)->wrap, (unsigned)(u)->id, (unsigned)(u)->len,       \
		(unsigned)(u)->flags

/*
 * Buffers the device holds: published and not reported used. Only then
 * does last_used lie in the part of the ring the driver made available in
 * the current lap, where a descriptor the driver wrote reads "available"
 * (AVAIL = wrap, USED = !wrap) until the device overwrites it. Outside it
 * the slot is the unpublished head or a stale descriptor of the previous
 * lap, whose bits mean nothing (a stale chain descriptor even reads
 * USED = wrap with AVAIL != wrap), so it is not looked at.
 */
static unsigned held(const struct vmmio_vq *vq)
{
	return (unsigned)vq->outstanding - vq->unpublished - vq->packed.batch_left;
}

static bool used_bit_set(uint16_t flags, bool wrap)
{
	return !(flags & VMMIO_DESC_F_USED) == !wrap;
}

/*
 * Read the used descriptor at u->pos, expected with wrap counter u->wrap
 * (the caller's last_used and used_wrap, which the error messages quote
 * as read): 1 with @u filled, its
 * flags and id checked; 0 when the device has not written it yet; -1 when
 * the device lied (the queue is broken).
 */
static int used_read(struct vmmio_vq *vq, struct used_desc *u)
{
	const struct vmmio_pdesc *d = &vq->packed.desc[u->pos];

	u->flags = vmmio_load16(&d->flags);
	if (!used_bit_set(u->flags, u->wrap))
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
	if (!(u->flags & VMMIO_DESC_F_AVAIL) != !u->wrap) {
		vq_break(vq, VMMIO_VQ_BAD_FLAGS,
			 USED_FMT "USED matches the wrap counter, AVAIL does not",
			 USED_ARGS(u));
		return -1;
	}
	if (u->id >= vq->p.num) {
		vq_break(vq, VMMIO_VQ_BAD_ID, USED_FMT "id beyond QueueSize %u", USED_ARGS(u),
			 vq->p.num);
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
static bool used_len(struct vmmio_vq *vq, struct used_desc *u, const struct vq_packed_extra *e)
{
	if (u->len <= e->in_len)
		return true;
	if (!(u->flags & VMMIO_DESC_F_WRITE)) {
		u->len = 0;
		return true;
	}
	vq_break(vq, VMMIO_VQ_BAD_LEN, USED_FMT "more bytes than the %u the %sbuffer lets it write",
		 USED_ARGS(u), e->in_len, e->indirect ? "indirect " : "");
	return false;
}

/* Step the position @pos (wrap counter @wrap) past @ndescs descriptors. */
static void used_advance(uint16_t *pos, bool *wrap, uint16_t num, uint16_t ndescs)
{
	unsigned p = (unsigned)*pos + ndescs;

	if (p >= num) {
		p -= num;
		*wrap = !*wrap;
	}
	*pos = (uint16_t)p;
}

static void buf_release(struct vmmio_vq *vq, uint16_t id)
{
	struct vq_packed *pk = &vq->packed;
	struct vq_packed_extra *e = &pk->extra[id];

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
static unsigned reap_any_order(struct vmmio_vq *vq, struct vmmio_used *out, unsigned n)
{
	struct vq_packed *pk = &vq->packed;
	const unsigned h = held(vq); /* one fewer with each buffer returned */
	struct used_desc u = { .pos = pk->last_used, .wrap = pk->used_wrap };
	unsigned got = 0;

	if (n > h)
		n = h;
	while (got < n) {
		const struct vq_packed_extra *e;

		if (used_read(vq, &u) <= 0)
			break;
		e = &pk->extra[u.id];
		if (!e->cookie || e->seq >= pk->pub_seq) {
			vq_break(vq, VMMIO_VQ_NOT_OUTSTANDING,
				 USED_FMT "that id is %s", USED_ARGS(&u),
				 e->cookie ? "added but not made available yet"
					   : "not outstanding (free or already returned)");
			break;
		}
		if (!used_len(vq, &u, e))
			break;
		out[got].cookie = e->cookie;
		out[got].len = u.len;
		got++;
		/* The skip comes from the driver's record, not the device. */
		used_advance(&u.pos, &u.wrap, vq->p.num, e->ndescs);
		buf_release(vq, u.id);
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
static unsigned reap_in_order(struct vmmio_vq *vq, struct vmmio_used *out, unsigned n)
{
	struct vq_packed *pk = &vq->packed;
	const uint16_t num = vq->p.num;
	unsigned got = 0;

	while (got < n) {
		const struct vq_packed_extra *e;
		uint16_t id;

		if (!pk->batch_left) {
			const unsigned h = held(vq);
			struct used_desc u = { .pos = pk->last_used, .wrap = pk->used_wrap };
			unsigned ahead;

			if (!h || used_read(vq, &u) <= 0)
				break;
			ahead = u.id >= pk->oldest_id ? (unsigned)u.id - pk->oldest_id
						      : (unsigned)u.id + num - pk->oldest_id;
			if (ahead >= h) {
				unsigned last = (unsigned)pk->oldest_id + h - 1;

				if (last >= num)
					last -= num;
				vq_break(vq, VMMIO_VQ_NOT_OUTSTANDING,
					 USED_FMT "not one of the %u buffers the device holds"
						  " (ids %u..%u, in order)",
					 USED_ARGS(&u), h, pk->oldest_id, last);
				break;
			}
			e = &pk->extra[u.id];
			if (!used_len(vq, &u, e))
				break;
			pk->batch_left = (uint16_t)(ahead + 1);
			pk->batch_len = u.len;
			/* The device's next used descriptor follows the batch's
			 * last buffer, wherever the ring placed it. */
			pk->last_used = e->pos;
			pk->used_wrap = e->wrap;
			used_advance(&pk->last_used, &pk->used_wrap, num, e->ndescs);
		}
		id = pk->oldest_id;
		e = &pk->extra[id];
		out[got].cookie = e->cookie;
		out[got].len = pk->batch_left == 1 ? pk->batch_len : e->in_len;
		got++;
		pk->batch_left--;
		pk->oldest_id = id + 1u == num ? 0 : (uint16_t)(id + 1);
		buf_release(vq, id);
	}
	return got;
}

unsigned vq_packed_reap(struct vmmio_vq *vq, struct vmmio_used *out, unsigned n)
{
	const unsigned got = vq->p.in_order ? reap_in_order(vq, out, n) : reap_any_order(vq, out, n);

	/* Interrupts stay on while enabled, as ENABLE does without EVENT_IDX:
	 * the event moves on to the next used descriptor. (A consumer about
	 * to sleep re-arms with intr_enable(), whose re-check closes the race
	 * with the device.) */
	if (got && vq->intr_enabled && vq->p.event_idx) {
		off_wrap_follow(&vq->packed);
		/* Store, then the next reap's load of the flags: a full
		 * barrier, or the device may read the old event after using
		 * a buffer while we miss the buffer (split.c,
		 * used_event_follow()). */
		vmmio_mb();
	}
	return got;
}

bool vq_packed_has_used(const struct vmmio_vq *vq)
{
	const struct vq_packed *pk = &vq->packed;

	if (pk->batch_left)
		return true;
	if (!held(vq))
		return false;
	/* USED set as the wrap counter expects: the device wrote this slot
	 * (reap checks the rest, and breaks the queue if it lied). */
	return used_bit_set(vmmio_load16(&pk->desc[pk->last_used].flags), pk->used_wrap);
}

bool vq_packed_intr_enable(struct vmmio_vq *vq)
{
	intr_arm(vq);
	/* Store-load ordering again: the event flags must be visible before
	 * the ring is read. Otherwise the device may write a used descriptor,
	 * read our older DISABLE and send nothing, while we read the ring from
	 * before its write and go to sleep: the buffer waits for an interrupt
	 * that never comes. After the barrier, either we see the descriptor
	 * here or the device sees our request. */
	vmmio_mb();
	return !vq_packed_has_used(vq);
}

/* --- reset ------------------------------------------------------------------------------- */

unsigned vq_packed_reclaim(struct vmmio_vq *vq, vmmio_vq_reclaim_fn fn, void *arg)
{
	struct vq_packed *pk = &vq->packed;
	unsigned got = 0;

	/* A free id has no cookie; every outstanding one (published, only
	 * added, or waiting in a reported batch) has its own. */
	for (unsigned id = 0; id < vq->p.num; id++) {
		if (!pk->extra[id].cookie)
			continue;
		fn(pk->extra[id].cookie, arg);
		pk->extra[id].cookie = NULL;
		got++;
	}
	return got;
}
