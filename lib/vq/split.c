/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The split ring engine ("Split Virtqueues"): descriptor table, available
 * ring (driver-written) and used ring (device-written).
 *
 * The driver's record of every descriptor is private (struct
 * vq_split_extra, the "desc_extra" of Linux): its state, its chain link,
 * and for a head the buffer's cookie, writable length, descriptor count and
 * add order. Descriptor chains are freed by walking these private links,
 * never the shared desc.next, and every id, length and index the device
 * writes is checked against them before it is used.
 *
 * Descriptors come from a LIFO free list, or with IN_ORDER in table order
 * ("The Virtqueue Descriptor Table": next of descriptor x is x + 1, 0
 * after the last), which is what lets the device report a batch of
 * buffers with one used entry ("In-order use of descriptors").
 */
#include <errno.h>
#include <stdlib.h>

#include "vq_internal.h"

/* The used ring starts a cache line of its own: the device writes it while
 * the driver writes the lines before it, and sharing a line would make
 * them bounce between the two sides for nothing. */
#define VQ_SPLIT_USED_ALIGN 64u

enum vq_split_state {
	VQ_SPLIT_FREE,
	VQ_SPLIT_HEAD, /* the head of an outstanding buffer */
	VQ_SPLIT_CHAIN, /* a later descriptor of an outstanding buffer */
};

struct vq_split_extra {
	void *cookie; /* heads: the caller's buffer */
	uint64_t seq; /* heads: add order (vq_split.add_seq) */
	uint32_t in_len; /* heads: device-writable bytes, the limit of a used len */
	uint16_t ndescs; /* heads: ring descriptors of the chain (1 when indirect) */
	uint16_t next; /* the next descriptor of the chain or of the free list */
	uint8_t state; /* enum vq_split_state */
};

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

size_t vq_split_ring_size(const struct vmmio_vq_params *p)
{
	struct vmmio_legacy_layout l;

	split_layout(p, &l);
	return (size_t)l.size;
}

void vq_split_queue_cfg(const struct vmmio_vq *vq, struct vmmio_queue_cfg *out)
{
	out->num = vq->p.num;
	out->desc = vq->split.desc_iova;
	out->driver = vq->split.avail_iova;
	out->device = vq->split.used_iova;
}

/* --- life cycle -------------------------------------------------------------------- */

int vq_split_create(struct vmmio_vq *vq)
{
	struct vq_split *s = &vq->split;

	s->extra = calloc(vq->p.num, sizeof(*s->extra));
	s->reclaim_order = calloc(vq->p.num, sizeof(*s->reclaim_order));
	if (!s->extra || !s->reclaim_order) {
		vq_split_destroy(vq);
		return -ENOMEM;
	}
	return 0;
}

void vq_split_destroy(struct vmmio_vq *vq)
{
	free(vq->split.extra);
	free(vq->split.reclaim_order);
	vq->split.extra = NULL;
	vq->split.reclaim_order = NULL;
}

static void used_event_store(struct vq_split *s, uint16_t v)
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
static void used_event_park(struct vmmio_vq *vq)
{
	struct vq_split *s = &vq->split;

	used_event_store(s, (uint16_t)(s->last_used - vq->p.num - 1));
}

/* Only on a change: the line is shared with the ring entries the device
 * reads, and a repeated intr_enable()/intr_disable() need not dirty it. */
static void avail_flags_store(struct vq_split *s, uint16_t v)
{
	if (s->avail_flags_shadow == v)
		return;
	s->avail_flags_shadow = v;
	vmmio_store16(&s->avail->flags, v);
}

/* Ask for a used buffer notification on the next used buffer. */
static void intr_arm(struct vmmio_vq *vq)
{
	struct vq_split *s = &vq->split;

	if (vq->p.event_idx)
		used_event_store(s, s->last_used);
	else
		avail_flags_store(s, 0);
}

void vq_split_init(struct vmmio_vq *vq)
{
	struct vq_split *s = &vq->split;
	const uint16_t num = vq->p.num;
	struct vmmio_legacy_layout l;
	uint8_t *va = vq->mem.va;

	split_layout(&vq->p, &l);
	s->desc = (struct vmmio_vring_desc *)va;
	s->avail = (struct vmmio_vring_avail *)(va + l.avail_off);
	s->used = (struct vmmio_vring_used *)(va + l.used_off);
	s->used_event = &s->avail->ring[num];
	s->avail_event = (uint16_t *)&s->used->ring[num];
	s->desc_iova = vq->mem.iova;
	s->avail_iova = vq->mem.iova + l.avail_off;
	s->used_iova = vq->mem.iova + l.used_off;

	s->mask = (uint16_t)(num - 1);
	for (unsigned d = 0; d < num; d++)
		s->extra[d] = (struct vq_split_extra){ .next = (uint16_t)((d + 1) & s->mask) };
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
		vq_split_intr_disable(vq);
}

/* --- adding buffers ------------------------------------------------------------------ */

static uint16_t desc_alloc(struct vq_split *s, bool in_order)
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

static uint16_t seg_flags(const struct vmmio_buf *b, unsigned i)
{
	/* "Message Framing": device-readable segments first, then the
	 * device-writable ones. */
	return i >= b->n_out ? VMMIO_DESC_F_WRITE : 0;
}

/* A chain of ring descriptors from @head, one per segment. */
static void write_chain(struct vmmio_vq *vq, uint16_t head, const struct vmmio_buf *b)
{
	struct vq_split *s = &vq->split;
	const unsigned nseg = (unsigned)b->n_out + b->n_in;
	uint16_t d = head;

	for (unsigned i = 0; i + 1 < nseg; i++) {
		const uint16_t next = desc_alloc(s, vq->p.in_order);

		s->extra[d].next = next;
		s->extra[next].state = VQ_SPLIT_CHAIN;
		s->desc[d] = (struct vmmio_vring_desc){
			.addr = b->seg[i].addr,
			.len = b->seg[i].len,
			.flags = (uint16_t)(seg_flags(b, i) | VMMIO_DESC_F_NEXT),
			.next = next,
		};
		d = next;
	}
	s->desc[d] = (struct vmmio_vring_desc){
		.addr = b->seg[nseg - 1].addr,
		.len = b->seg[nseg - 1].len,
		.flags = seg_flags(b, nseg - 1),
	};
}

/* One ring descriptor at @head pointing to @head's indirect table. */
static void write_indirect(struct vmmio_vq *vq, uint16_t head, const struct vmmio_buf *b)
{
	struct vmmio_vring_desc *t = vq_ind_va(vq, head);
	const unsigned nseg = (unsigned)b->n_out + b->n_in;

	/* "Indirect Descriptors": entries chained by next, sequentially
	 * (next = i + 1, as IN_ORDER requires and any device accepts). */
	for (unsigned i = 0; i < nseg; i++) {
		const bool more = i + 1 < nseg;

		t[i] = (struct vmmio_vring_desc){
			.addr = b->seg[i].addr,
			.len = b->seg[i].len,
			.flags = (uint16_t)(seg_flags(b, i) | (more ? VMMIO_DESC_F_NEXT : 0)),
			.next = (uint16_t)(more ? i + 1 : 0),
		};
	}
	vq->split.desc[head] = (struct vmmio_vring_desc){
		.addr = vq_ind_iova(vq, head),
		.len = 16u * nseg,
		.flags = VMMIO_DESC_F_INDIRECT,
	};
}

int vq_split_add(struct vmmio_vq *vq, const struct vmmio_buf *bufs, unsigned n)
{
	struct vq_split *s = &vq->split;
	bool invalid = false;
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct vmmio_buf *b = &bufs[i];
		struct vq_split_extra *x;
		uint16_t ndescs, head;
		uint32_t in_len;
		bool indirect;

		if (vq_check_buf(vq, b, &ndescs, &indirect, &in_len) < 0) {
			invalid = true;
			break;
		}
		if (ndescs > vq->num_free)
			break;
		head = desc_alloc(s, vq->p.in_order);
		if (indirect)
			write_indirect(vq, head, b);
		else
			write_chain(vq, head, b);
		x = &s->extra[head];
		x->cookie = b->cookie;
		x->seq = s->add_seq++;
		x->in_len = in_len;
		x->ndescs = ndescs;
		x->state = VQ_SPLIT_HEAD;
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

/* --- publishing and notifying ------------------------------------------------------ */

bool vq_split_publish(struct vmmio_vq *vq)
{
	struct vq_split *s = &vq->split;
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

uint32_t vq_split_notify_value(const struct vmmio_vq *vq)
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
static void chain_free(struct vmmio_vq *vq, uint16_t head)
{
	struct vq_split *s = &vq->split;
	struct vq_split_extra *ex = s->extra;
	const uint16_t n = ex[head].ndescs;
	uint16_t d = head;

	for (uint16_t i = 1; i < n; i++) {
		ex[d].state = VQ_SPLIT_FREE;
		d = ex[d].next;
	}
	ex[d].state = VQ_SPLIT_FREE;
	/* With IN_ORDER the free descriptors are the ones after the newest
	 * chain up to the oldest outstanding one: no list to keep. */
	if (!vq->p.in_order) {
		ex[d].next = s->free_head;
		s->free_head = head;
	}
	vq->num_free = (uint16_t)(vq->num_free + n);
}

/* Check the used entry at used ring position @pos (@id, *@len as loaded
 * once) against the driver's own record; break the queue if it lies. */
static bool used_entry_ok(struct vmmio_vq *vq, uint16_t pos, uint32_t id, uint32_t *len)
{
	const struct vq_split *s = &vq->split;
	const unsigned slot = pos & s->mask;
	const struct vq_split_extra *x;

	if (id >= vq->p.num) {
		vq_break(vq, VMMIO_VQ_BAD_ID, "used ring entry %u names id %u, beyond QueueSize %u",
			 slot, id, vq->p.num);
		return false;
	}
	x = &s->extra[id];
	if (x->state == VQ_SPLIT_CHAIN) {
		vq_break(vq, VMMIO_VQ_NOT_HEAD,
			 "used ring entry %u names id %u, a descriptor inside a chain, not its head",
			 slot, id);
		return false;
	}
	if (x->state == VQ_SPLIT_FREE) {
		vq_break(vq, VMMIO_VQ_NOT_OUTSTANDING,
			 "used ring entry %u names id %u, a free descriptor (not outstanding)", slot, id);
		return false;
	}
	if (x->seq >= s->pub_seq) {
		vq_break(vq, VMMIO_VQ_NOT_OUTSTANDING,
			 "used ring entry %u names id %u, a buffer not made available yet", slot,
			 id);
		return false;
	}
	if (*len <= x->in_len)
		return true;
	/* "Historically, many drivers ignored the len value, as a result,
	 * many devices set len incorrectly. Thus, when using the legacy
	 * interface, it is generally a good idea to ignore the len value":
	 * on a Version 1 device it is no lie, only capped at the buffer. */
	if (vq->p.legacy) {
		*len = x->in_len;
		return true;
	}
	vq_break(vq, VMMIO_VQ_BAD_LEN,
		 "used ring entry %u gives len %u for id %u, beyond its %u writable bytes", slot,
		 *len, id, x->in_len);
	return false;
}

/* Without IN_ORDER: one used entry per buffer, in any order. */
static unsigned reap_any_order(struct vmmio_vq *vq, struct vmmio_used *out, unsigned n,
			       uint16_t used_idx)
{
	struct vq_split *s = &vq->split;
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

		if (!used_entry_ok(vq, pos, id, &len))
			break;
		out[got].cookie = s->extra[id].cookie;
		out[got].len = len;
		/* Freed at once: a later entry naming it again finds it free. */
		chain_free(vq, (uint16_t)id);
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
static bool batch_start(struct vmmio_vq *vq, uint16_t pos, uint16_t used_idx)
{
	struct vq_split *s = &vq->split;
	struct vmmio_vring_used_elem *e = &s->used->ring[pos & s->mask];
	const uint16_t ready = (uint16_t)(used_idx - pos);
	uint32_t id, len;
	uint64_t size;

	if (!ready)
		return false;
	id = vmmio_load32(&e->id);
	len = vmmio_load32(&e->len);
	if (!used_entry_ok(vq, pos, id, &len))
		return false;
	/* Buffers come back in add order, so the outstanding ones hold
	 * consecutive sequence numbers from the oldest's on, and id's buffer
	 * (published: used_entry_ok() checked) is the size-th of them. */
	size = s->extra[id].seq - s->extra[s->oldest].seq + 1;
	if (size > ready) {
		vq_break(vq, VMMIO_VQ_BAD_USED_IDX,
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
static unsigned reap_in_order(struct vmmio_vq *vq, struct vmmio_used *out, unsigned n,
			      uint16_t used_idx)
{
	struct vq_split *s = &vq->split;
	unsigned got;

	for (got = 0; got < n; got++) {
		const uint16_t head = s->oldest;
		const struct vq_split_extra *x = &s->extra[head];

		if (!s->batch_left && !batch_start(vq, (uint16_t)(s->last_used + got), used_idx))
			break;
		out[got].cookie = x->cookie;
		/* "The skipped buffers [...] are assumed to have been used
		 * [...] by the device completely." */
		out[got].len = s->batch_left == 1 ? s->batch_len : x->in_len;
		s->batch_left--;
		s->oldest = (uint16_t)((head + x->ndescs) & s->mask);
		chain_free(vq, head);
	}
	return got;
}

/* EVENT_IDX after last_used moved: keep used_event where the mode wants it. */
static void used_event_follow(struct vmmio_vq *vq)
{
	struct vq_split *s = &vq->split;

	/* Enabled: notify on the buffer used after the last one reaped. Used
	 * entries not reaped yet raise nothing more: a consumer waits only
	 * once has_used() or a reap says the ring is empty, and then
	 * last_used is the device's idx. (A consumer about to sleep may also
	 * re-arm with intr_enable(), whose re-check closes the race.) */
	if (vq->intr_enabled) {
		used_event_store(s, s->last_used);
		/* Store, then the next reap's load of used idx: without a
		 * full barrier the load may pass the store, the device may
		 * read the old used_event after using a buffer and decide
		 * against the interrupt, and we find nothing and wait. */
		vmmio_mb();
		return;
	}
	/* Disabled: used_event sits out of the device's reach
	 * (used_event_park()), and is moved back only when the device could
	 * reach it before the next reap: its used idx is at most num ahead of
	 * last_used (one store every 65536 - 2 * num buffers; every reap for
	 * the largest queue). */
	if ((uint16_t)(s->used_event_shadow - s->last_used) < vq->p.num)
		used_event_park(vq);
}

unsigned vq_split_reap(struct vmmio_vq *vq, struct vmmio_used *out, unsigned n)
{
	struct vq_split *s = &vq->split;
	const uint16_t held = (uint16_t)(vq->outstanding - vq->unpublished);
	const uint16_t used_idx = vmmio_load16(&s->used->idx);
	const uint16_t ahead = (uint16_t)(used_idx - s->last_used);
	unsigned got;

	/* The used idx announces the entries before it: they are read only
	 * after it (the device wrote them before its idx store). */
	vmmio_rmb();
	/* The device can only have used what it holds (published, not yet
	 * reaped); anything beyond is an index pointing at stale entries. */
	if (ahead > held) {
		vq_break(vq, VMMIO_VQ_BAD_USED_IDX,
			 "used idx %u is %u entries past the last used %u, but the device holds only %u buffers",
			 used_idx, ahead, s->last_used, held);
		return 0;
	}
	/* An IN_ORDER batch being returned was announced by this idx: it
	 * cannot have gone back before it. */
	if (ahead < s->batch_left) {
		vq_break(vq, VMMIO_VQ_BAD_USED_IDX,
			 "used idx %u went back to %u entries past the last used %u, inside a batch with %u buffers left",
			 used_idx, ahead, s->last_used, s->batch_left);
		return 0;
	}
	if (vq->p.in_order)
		got = reap_in_order(vq, out, n, used_idx);
	else
		got = reap_any_order(vq, out, n, used_idx);
	if (!got)
		return 0;
	s->last_used = (uint16_t)(s->last_used + got);
	vq->outstanding = (uint16_t)(vq->outstanding - got);
	if (vq->p.event_idx)
		used_event_follow(vq);
	return got;
}

bool vq_split_has_used(const struct vmmio_vq *vq)
{
	const struct vq_split *s = &vq->split;

	/* A batch partly returned is waiting whatever the device writes
	 * now (reap breaks the queue if its idx went back). */
	if (s->batch_left)
		return true;
	return vmmio_load16(&s->used->idx) != s->last_used;
}

/* --- used buffer notifications ---------------------------------------------------------- */

void vq_split_intr_disable(struct vmmio_vq *vq)
{
	struct vq_split *s = &vq->split;

	/* "Used Buffer Notification Suppression": with EVENT_IDX flags must
	 * stay 0; used_event is put where the device cannot reach it before
	 * the next reap (see used_event_follow()). No barrier: suppression
	 * is advice, a late store costs at most a spurious interrupt. */
	if (vq->p.event_idx)
		used_event_park(vq);
	else
		avail_flags_store(s, VMMIO_AVAIL_F_NO_INTERRUPT);
}

bool vq_split_intr_enable(struct vmmio_vq *vq)
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
	return !vq_split_has_used(vq);
}

/* --- reclaim ------------------------------------------------------------------------------ */

static void sift_down(const struct vq_split_extra *ex, uint16_t *a, unsigned root, unsigned n)
{
	for (;;) {
		unsigned c = 2 * root + 1;
		uint16_t t;

		if (c >= n)
			return;
		if (c + 1 < n && ex[a[c + 1]].seq > ex[a[c]].seq)
			c++;
		if (ex[a[root]].seq >= ex[a[c]].seq)
			return;
		t = a[root];
		a[root] = a[c];
		a[c] = t;
		root = c;
	}
}

/* Heapsort @a (@n head indices) by add order: no allocation, n log n. */
static void sort_by_seq(const struct vq_split_extra *ex, uint16_t *a, unsigned n)
{
	for (unsigned i = n / 2; i-- > 0;)
		sift_down(ex, a, i, n);
	for (unsigned end = n; end-- > 1;) {
		const uint16_t t = a[0];

		a[0] = a[end];
		a[end] = t;
		sift_down(ex, a, 0, end);
	}
}

unsigned vq_split_reclaim(struct vmmio_vq *vq, vmmio_vq_reclaim_fn fn, void *arg)
{
	struct vq_split *s = &vq->split;
	uint16_t *order = s->reclaim_order;
	unsigned m = 0;

	/* Every head is an outstanding buffer (published or only added),
	 * including those of an IN_ORDER batch partly returned. */
	for (unsigned d = 0; d < vq->p.num; d++)
		if (s->extra[d].state == VQ_SPLIT_HEAD)
			order[m++] = (uint16_t)d;
	sort_by_seq(s->extra, order, m);
	for (unsigned i = 0; i < m; i++)
		fn(s->extra[order[i]].cookie, arg);
	return m;
}
