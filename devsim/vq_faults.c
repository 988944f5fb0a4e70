/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault injection: a device that lies in the ways a driver must survive
 * (DESIGN.md, "The device model", 3). The lies about used entries are armed
 * here and told by the next used write of the queue, whatever the backend;
 * notifications are dropped or invented; DEVICE_NEEDS_RESET comes
 * mid-traffic.
 */
#include <errno.h>
#include <string.h>

#include "devsim_internal.h"
#include "vmmio_barrier.h"

static const char *const fault_names[DEVSIM_FAULT_COUNT] = {
	[DEVSIM_FAULT_NONE] = "none",
	[DEVSIM_FAULT_USED_ID_RANGE] = "used-id-range",
	[DEVSIM_FAULT_USED_ID_NOT_HEAD] = "used-id-not-head",
	[DEVSIM_FAULT_USED_ID_STALE] = "used-id-stale",
	[DEVSIM_FAULT_USED_LEN] = "used-len",
	[DEVSIM_FAULT_USED_IDX_JUMP] = "used-idx-jump",
	[DEVSIM_FAULT_PACKED_WRAP] = "packed-wrap",
	[DEVSIM_FAULT_USED_ID_UNPUBLISHED] = "used-id-unpublished",
	[DEVSIM_FAULT_USED_IDX_BACK] = "used-idx-back",
	[DEVSIM_FAULT_USED_IDX_SHORT] = "used-idx-short",
	[DEVSIM_FAULT_DROP_KICK] = "drop-kick",
	[DEVSIM_FAULT_DROP_IRQ] = "drop-irq",
	[DEVSIM_FAULT_SPURIOUS_IRQ] = "spurious-irq",
	[DEVSIM_FAULT_NEEDS_RESET] = "needs-reset",
};

const char *devsim_fault_name(enum devsim_fault f)
{
	return (unsigned)f < DEVSIM_FAULT_COUNT ? fault_names[f] : "?";
}

static bool split_only(enum devsim_fault f)
{
	return f == DEVSIM_FAULT_USED_ID_NOT_HEAD || f == DEVSIM_FAULT_USED_IDX_JUMP ||
	       f == DEVSIM_FAULT_USED_IDX_BACK || f == DEVSIM_FAULT_USED_IDX_SHORT;
}

static bool packed_only(enum devsim_fault f)
{
	return f == DEVSIM_FAULT_PACKED_WRAP;
}

/* Lies that exist only where the device may report batches. */
static bool in_order_only(enum devsim_fault f)
{
	return f == DEVSIM_FAULT_USED_IDX_SHORT;
}

int devsim_fault(struct devsim *s, uint16_t q, enum devsim_fault f, uint32_t count)
{
	struct devsim_vq_ctl *ctl = &s->vqc[q];
	bool packed;

	if (!devsim_queue_exists(s, q))
		return -ENOENT;
	if ((unsigned)f >= DEVSIM_FAULT_COUNT)
		return -EINVAL;
	packed = vmmio_feat_has(&s->driver_features, VMMIO_F_RING_PACKED) && !devsim_is_legacy(s);
	if ((packed && split_only(f)) || (!packed && packed_only(f)) ||
	    (in_order_only(f) && !vmmio_feat_has(&s->driver_features, VMMIO_F_IN_ORDER)))
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	switch (f) {
	case DEVSIM_FAULT_NONE:
		__atomic_store_n(&ctl->lie, DEVSIM_FAULT_NONE, __ATOMIC_RELAXED);
		ctl->drop_kicks = ctl->drop_irqs = 0;
		break;
	case DEVSIM_FAULT_DROP_KICK:
		ctl->drop_kicks = count;
		break;
	case DEVSIM_FAULT_DROP_IRQ:
		ctl->drop_irqs = count;
		break;
	case DEVSIM_FAULT_SPURIOUS_IRQ:
		for (uint32_t i = 0; i < count; i++) {
			devsim_notify_driver(s, VMMIO_ISR_USED_BUFFER);
			vq_stat_add(&ctl->st.irqs, 1);
		}
		break;
	case DEVSIM_FAULT_NEEDS_RESET:
		devsim_needs_reset(s);
		break;
	default: /* a lie about the next used entry */
		__atomic_store_n(&ctl->lie, (uint32_t)f, __ATOMIC_RELEASE);
		break;
	}
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* A non-head descriptor of a chain the driver still has outstanding: the
 * one being used, another of the batch, or one of the in-flight table. */
static uint16_t pick_not_head(const struct devsim_vq *vq, const struct vq_done *d, unsigned n,
			      const struct vq_done *subject)
{
	if (subject->second != VQ_NO_DESC)
		return subject->second;
	for (unsigned i = 0; i < n; i++)
		if (d[i].second != VQ_NO_DESC)
			return d[i].second;
	for (unsigned i = 0; vq->inflight && i < vq->if_count; i++) {
		const struct vq_chain *c = vq_inflight_at(vq, i);

		if (!c->done && c->second != VQ_NO_DESC)
			return c->second;
	}
	return VQ_NO_DESC;
}

#define ID_WORDS (65536u / 64u)

static void mark(uint64_t *map, uint16_t id)
{
	map[id / 64] |= 1ull << (id % 64);
}

static bool marked(const uint64_t *map, uint16_t id)
{
	return map[id / 64] >> (id % 64) & 1u;
}

/* An id the driver does not have outstanding: @prefer if it is not (a
 * uint16_t, else none), else the lowest such id below QueueSize.
 * Outstanding: the batch, the in-flight table, and what is available and
 * not taken yet. */
static uint16_t pick_stale(const struct devsim_vq *vq, const struct vq_done *d, unsigned n,
			   uint32_t prefer)
{
	uint64_t map[ID_WORDS];

	memset(map, 0, sizeof(map));
	for (unsigned i = 0; i < n; i++)
		mark(map, d[i].id);
	for (unsigned i = 0; vq->inflight && i < vq->if_count; i++)
		if (!vq_inflight_at(vq, i)->done)
			mark(map, vq_inflight_at(vq, i)->id);
	if (vq->packed) {
		uint16_t pos = vq->avail_pos;
		bool w = vq->avail_wrap;

		for (unsigned k = 0; k < vq->num && devsim_ring_packed_avail_at(vq, pos, w); k++) {
			mark(map, vq->ring[pos].id);
			if (++pos == vq->num) {
				pos = 0;
				w = !w;
			}
		}
	} else {
		uint16_t avail = (uint16_t)(vmmio_load16(&vq->avail->idx) - vq->last_avail);

		for (unsigned k = 0; k < avail && k < vq->num; k++)
			mark(map, vq->avail->ring[(vq->last_avail + k) & vq->mask]);
	}
	if (prefer <= UINT16_MAX && !marked(map, (uint16_t)prefer))
		return (uint16_t)prefer;
	for (uint16_t id = 0; id < vq->num; id++)
		if (!marked(map, id))
			return id;
	return VQ_NO_DESC;
}

/* Nothing to lie with in this write: stay armed for the next one, unless
 * re-armed since. */
static void rearm(struct devsim_vq_ctl *ctl, uint32_t f)
{
	uint32_t none = DEVSIM_FAULT_NONE;

	__atomic_compare_exchange_n(&ctl->lie, &none, f, false, __ATOMIC_ACQ_REL,
				    __ATOMIC_RELAXED);
}

void devsim_ring_fault_take(struct devsim *s, uint16_t q, const struct vq_done *d, unsigned n,
			    bool batch, const struct vq_done *subject, struct vq_lie *lie)
{
	struct devsim_vq_ctl *ctl = &s->vqc[q];
	struct devsim_vq *vq = &s->vq[q];
	uint32_t f = __atomic_exchange_n(&ctl->lie, DEVSIM_FAULT_NONE, __ATOMIC_ACQ_REL);
	uint16_t id = VQ_NO_DESC;

	switch (f) {
	case DEVSIM_FAULT_USED_ID_RANGE:
		id = vq->num;
		break;
	case DEVSIM_FAULT_USED_ID_NOT_HEAD:
		if (!vq->packed)
			id = pick_not_head(vq, d, n, subject);
		break;
	case DEVSIM_FAULT_USED_ID_STALE:
		id = pick_stale(vq, d, n, vq->any_used ? vq->last_used_id : UINT32_MAX);
		break;
	case DEVSIM_FAULT_USED_LEN:
		lie->len_set = true;
		lie->len = subject->in_len + 1;
		return;
	case DEVSIM_FAULT_USED_IDX_JUMP:
		vq->jump_pending = !vq->packed;
		return;
	case DEVSIM_FAULT_USED_IDX_BACK:
		vq->back_pending = !vq->packed;
		return;
	case DEVSIM_FAULT_USED_IDX_SHORT:
		/* A batch of one moves idx by one: no lie to tell there. */
		if (batch && n > 1)
			lie->short_batch = !vq->packed;
		else
			rearm(ctl, f);
		return;
	case DEVSIM_FAULT_PACKED_WRAP:
		lie->bad_wrap = vq->packed;
		return;
	case DEVSIM_FAULT_USED_ID_UNPUBLISHED:
		/* should that slot name a buffer the device holds, another
		 * one: the driver must be able to tell */
		id = pick_stale(vq, d, n,
				vq->packed ? devsim_ring_packed_phantom_id(vq)
					   : devsim_ring_split_phantom_id(vq));
		break;
	default:
		return;
	}
	if (id == VQ_NO_DESC) {
		/* a one-descriptor chain for NOT_HEAD */
		rearm(ctl, f);
		return;
	}
	lie->id_set = true;
	lie->id = id;
}
