/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the device side of both ring formats shares: the per-queue ring
 * state and when it starts over, the kick modes (how the device asks for
 * available buffer notifications), take and use with the used buffer
 * notification, the record of ring rules broken, and the manual backend's
 * API (devsim_vq_take/use) with its in-flight table and the
 * RING-EXPOSED-UNCHANGED snapshot.
 *
 * Ring addresses come from the queue registers: modern QueueDesc,
 * QueueDriver and QueueDevice; legacy QueuePFN * GuestPageSize with the
 * layout of "Legacy Interfaces: A Note on Virtqueue Layout".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "checker_internal.h"
#include "devsim_internal.h"
#include "vmmio_barrier.h"
#include "vmmio_dev.h"

/* --- when the ring starts over ---------------------------------------------------- */

void devsim_ring_event(struct devsim *s, uint16_t q, enum vq_event ev)
{
	struct devsim_vq_ctl *ctl = &s->vqc[q];
	uint64_t e;

	ctl->gen++;
	ctl->notified = false;
	e = devsim_ring_epoch_bump(s);
	if (ev == VQ_EV_STOP)
		ctl->stop_epoch = e;
	else if (ev == VQ_EV_RESET)
		ctl->reset_epoch = e;
	/* The kick mode is applied as the queue is enabled, so the driver
	 * sees it before its first publish (the device thread applies its
	 * own as it catches up). */
	if (ev == VQ_EV_START && s->rings_live && !s->thread_running)
		devsim_ring_sync(s, q);
}

void devsim_ring_device_reset(struct devsim *s)
{
	for (unsigned q = 0; q < DEVSIM_MAX_QUEUES; q++) {
		s->vqc[q].gen++;
		s->vqc[q].notified = false;
	}
	s->reset_epoch = devsim_ring_epoch_bump(s);
}

bool devsim_ring_geometry(const struct devsim *s, uint16_t q, uint64_t *desc, uint64_t *drv,
			  uint64_t *dev)
{
	const struct devsim_queue *dq = &s->q[q];

	if (devsim_is_legacy(s)) {
		struct vmmio_legacy_layout l;

		if (!dq->pfn)
			return false;
		vmmio_legacy_layout(dq->num, dq->align, &l);
		*desc = (uint64_t)dq->pfn * s->guest_page_size;
		*drv = *desc + l.avail_off;
		*dev = *desc + l.used_off;
	} else {
		if (!dq->ready)
			return false;
		*desc = (uint64_t)dq->desc[1] << 32 | dq->desc[0];
		*drv = (uint64_t)dq->driver[1] << 32 | dq->driver[0];
		*dev = (uint64_t)dq->device[1] << 32 | dq->device[0];
	}
	return *desc && *drv && *dev;
}

static bool negotiated(const struct devsim *s, unsigned bit)
{
	return vmmio_feat_has(&s->driver_features, bit);
}

/* The arrays a ring of @num needs at once (the rest come on first use). */
static bool alloc_state(struct devsim_vq *vq, uint16_t num)
{
	struct vq_done *done = realloc(vq->done, num * sizeof(*done));
	struct vq_pend *pend;

	if (!done)
		return false;
	vq->done = done;
	pend = realloc(vq->pend, num * sizeof(*pend));
	if (!pend)
		return false;
	vq->pend = pend;
	free(vq->inflight);
	vq->inflight = NULL;
	free(vq->seg);
	vq->seg = NULL;
	return true;
}

static void rebuild(struct devsim *s, uint16_t q)
{
	struct devsim_vq *vq = &s->vq[q];
	uint64_t desc, drv, dev;
	uint16_t num = s->q[q].num;

	vq->usable = false;
	vq->broken = false;
	vq->err[0] = '\0';
	if (!devsim_ring_geometry(s, q, &desc, &drv, &dev))
		return;
	vq->packed = negotiated(s, VMMIO_F_RING_PACKED) && !devsim_is_legacy(s);
	vq->event_idx = negotiated(s, VMMIO_F_EVENT_IDX);
	vq->in_order = negotiated(s, VMMIO_F_IN_ORDER);
	vq->indirect = negotiated(s, VMMIO_F_INDIRECT_DESC);
	vq->notif_data = negotiated(s, VMMIO_F_NOTIFICATION_DATA);
	/* QueueSize: 1..QueueSizeMax, a power of 2 for split rings. */
	if (!num || num > devsim_queue_max(s, q) || (!vq->packed && (num & (num - 1))))
		return;
	if (vq->num != num && !alloc_state(vq, num))
		return;
	vq->num = num;
	vq->mask = (uint16_t)(num - 1);
	vq->desc = vq_ptr(desc);
	vq->avail = vq_ptr(drv);
	vq->used = vq_ptr(dev);
	vq->ring = vq_ptr(desc);
	vq->drv_event = vq_ptr(drv);
	vq->dev_event = vq_ptr(dev);
	vq->last_avail = vq->avail_idx = vq->used_idx = vq->used_signalled = 0;
	/* "the driver and device wrap counters start at 1" (packed). */
	vq->avail_pos = vq->used_pos = 0;
	vq->avail_wrap = vq->used_wrap = true;
	vq->taken_descs = vq->used_descs = vq->signalled_descs = 0;
	vq->n_pend = 0;
	vq->jump_pending = vq->back_pending = false;
	vq->any_used = false;
	vq->idle = 0;
	vq->asleep = false;
	vq->ask_active = false;
	vq->if_head = vq->if_count = vq->n_out = 0;
	vq->usable = true;
}

bool devsim_ring_sync(struct devsim *s, uint16_t q)
{
	struct devsim_vq *vq = &s->vq[q];

	if (q >= s->cfg.num_queues)
		return false;
	if (vq->gen == s->vqc[q].gen)
		return vq->usable;
	vq->gen = s->vqc[q].gen;
	rebuild(s, q);
	if (vq->usable)
		devsim_ring_apply_kick(s, q);
	return vq->usable;
}

/* --- kick modes --------------------------------------------------------------------- */

/* The kick mode in force: NEVER while the device thread runs. */
static enum devsim_kick_mode vq_kick_effective(const struct devsim *s, uint16_t q)
{
	return s->thread_running ? DEVSIM_KICK_NEVER : s->vqc[q].kick;
}

void devsim_ring_apply_kick(struct devsim *s, uint16_t q)
{
	const struct devsim_vq_ctl *ctl = &s->vqc[q];

	devsim_ring_apply_mode(s, q, vq_kick_effective(s, q), ctl->kick_at, ctl->kick_wrap);
}

void devsim_ring_apply_mode(struct devsim *s, uint16_t q, enum devsim_kick_mode m, uint16_t at,
			    bool wrap)
{
	struct devsim_vq *vq = &s->vq[q];
	const struct devsim_vq_ctl *ctl = &s->vqc[q];

	if (vq->packed)
		devsim_ring_packed_apply_kick(vq, m, at, wrap);
	else
		devsim_ring_split_apply_kick(vq, m, at);
	vq->applied = m;
	if (ctl->kick_check && !s->thread_running)
		devsim_ring_ask_refresh(s, q);
}

void devsim_ring_kick_tick(struct devsim *s, uint16_t q)
{
	struct devsim_vq *vq = &s->vq[q];

	if (vq->packed || !vq->event_idx)
		return;
	if (vq->applied == DEVSIM_KICK_ALWAYS) {
		devsim_ring_split_avail_event_set(vq, vq->last_avail);
	} else if (vq->applied == DEVSIM_KICK_NEVER &&
		   (uint16_t)(vq->avail_event - vq->last_avail) <= 2u * vq->num) {
		/* Within the driver's reach soon: move it behind the device
		 * again (a store every ~65536 - 2 * QueueSize buffers). */
		vq->avail_event = (uint16_t)(vq->last_avail - 1);
		devsim_ring_split_avail_event_set(vq, vq->avail_event);
	}
}

/* --- take and use -------------------------------------------------------------------- */

int devsim_ring_take(struct devsim *s, uint16_t q, struct vq_chain *c, struct devsim_seg *seg,
		     uint16_t cap)
{
	struct devsim_vq *vq = &s->vq[q];
	int r;

	if (vq->broken)
		return -EPROTO;
	r = vq->packed ? devsim_ring_packed_take(s, q, c, seg, cap)
		       : devsim_ring_split_take(s, q, c, seg, cap);
	if (r == 1)
		vq_stat_add(&s->vqc[q].st.taken, 1);
	return r;
}

bool devsim_ring_segs_ready(struct devsim_vq *vq)
{
	if (!vq->seg)
		vq->seg = malloc(2u * vq->num * sizeof(*vq->seg));
	return vq->seg != NULL;
}

bool devsim_ring_has_avail(struct devsim *s, uint16_t q)
{
	struct devsim_vq *vq = &s->vq[q];

	if (vq->broken)
		return false;
	return vq->packed ? devsim_ring_packed_has_avail(vq) : devsim_ring_split_has_avail(vq);
}

void devsim_ring_used_add(struct devsim *s, uint16_t q, const struct vq_done *d, unsigned n,
			  bool batch)
{
	struct devsim_vq *vq = &s->vq[q];
	const struct vq_done *subject;
	struct vq_lie lie = { 0 };
	uint64_t bytes = 0;

	if (!n)
		return;
	subject = batch ? &d[n - 1] : &d[0];
	if (__atomic_load_n(&s->vqc[q].lie, __ATOMIC_RELAXED))
		devsim_ring_fault_take(s, q, d, n, batch, subject, &lie);
	for (unsigned i = 0; i < n; i++) {
		const struct vq_done *e = batch ? subject : &d[i];
		uint16_t id = e->id, adv = 1;
		uint32_t len = e->len;

		if (i == 0) {
			id = lie.id_set ? lie.id : id;
			len = lie.len_set ? lie.len : len;
		}
		if (batch) {
			/* "In-order use of descriptors": one entry naming the
			 * batch's last buffer, at the position of its first; the
			 * device skips forward by the batch. */
			adv = 0;
			for (unsigned k = 0; k < n; k++)
				adv = (uint16_t)(adv + (vq->packed ? d[k].ndescs : 1));
			if (lie.short_batch) /* DEVSIM_FAULT_USED_IDX_SHORT */
				adv = 1;
		} else if (vq->packed) {
			adv = e->ndescs;
		}
		if (vq->packed)
			devsim_ring_packed_put(vq, id, len, adv, e->in_len > 0,
					       i == 0 && lie.bad_wrap);
		else
			devsim_ring_split_put(vq, id, len, adv);
		bytes += len;
		if (batch)
			break;
	}
	vq->last_used_id = d[n - 1].id;
	vq->any_used = true;
	vq_stat_add(&s->vqc[q].st.used, n);
	vq_stat_add(&s->vqc[q].st.bytes, bytes);
}

/* Send a used buffer notification for queue @q (lock taken inside). */
static void vq_raise_used(struct devsim *s, uint16_t q)
{
	struct devsim_vq_ctl *ctl = &s->vqc[q];

	pthread_mutex_lock(&s->lock);
	if (ctl->drop_irqs) {
		ctl->drop_irqs--;
		vq_stat_add(&ctl->st.irqs_dropped, 1);
	} else {
		devsim_notify_driver(s, VMMIO_ISR_USED_BUFFER);
		vq_stat_add(&ctl->st.irqs, 1);
	}
	pthread_mutex_unlock(&s->lock);
}

void devsim_ring_flush(struct devsim *s, uint16_t q)
{
	struct devsim_vq *vq = &s->vq[q];

	if (vq->packed ? devsim_ring_packed_flush(vq) : devsim_ring_split_flush(vq))
		vq_raise_used(s, q);
}

/* --- what the driver broke ---------------------------------------------------------- */

static uint64_t last_seq(const struct devsim *s)
{
	return s->seq ? s->seq - 1 : 0;
}

void devsim_ring_record(struct devsim *s, enum devsim_rule rule, const char *fmt, ...)
{
	char detail[sizeof(((struct devsim_violation *)0)->detail)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&s->lock);
	devsim_chk_record(s, rule, last_seq(s), "%s", detail);
	pthread_mutex_unlock(&s->lock);
}

static void vq_break(struct devsim *s, uint16_t q, const char *fmt, va_list ap)
{
	struct devsim_vq *vq = &s->vq[q];
	int n = snprintf(vq->err, sizeof(vq->err), "queue %u: ", q);

	vsnprintf(vq->err + n, sizeof(vq->err) - (size_t)n, fmt, ap);
	vq->broken = true;
}

int devsim_ring_violation(struct devsim *s, uint16_t q, enum devsim_rule rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vq_break(s, q, fmt, ap);
	va_end(ap);
	devsim_ring_record(s, rule, "%s", s->vq[q].err);
	return -EPROTO;
}

int devsim_ring_malformed(struct devsim *s, uint16_t q, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vq_break(s, q, fmt, ap);
	va_end(ap);
	if (s->cfg.verbose)
		fprintf(stderr, "devsim %s: %s: queue not serviced any more\n", s->name, s->vq[q].err);
	return -EPROTO;
}

uint64_t devsim_ring_hash(uint64_t h, const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* --- the manual backend -------------------------------------------------------------- */

static void if_reverse(struct vq_chain *a, unsigned from, unsigned to)
{
	while (from + 1 < to) {
		struct vq_chain t = a[from];

		a[from++] = a[--to];
		a[to] = t;
	}
}

/* Room for one more record: used records behind an unused older one stay
 * until it goes; when the ring is full of them, squeeze them out (rotate
 * the oldest to the front, then keep the unused ones in order). */
static int if_reserve(struct devsim_vq *vq)
{
	unsigned kept = 0;

	if (!vq->inflight && !(vq->inflight = calloc(vq->num, sizeof(*vq->inflight))))
		return -ENOMEM;
	if (vq->if_count < vq->num)
		return 0;
	if_reverse(vq->inflight, 0, vq->if_head);
	if_reverse(vq->inflight, vq->if_head, vq->num);
	if_reverse(vq->inflight, 0, vq->num);
	for (unsigned i = 0; i < vq->num; i++)
		if (!vq->inflight[i].done)
			vq->inflight[kept++] = vq->inflight[i];
	vq->if_head = 0;
	vq->if_count = (uint16_t)kept;
	return 0;
}

static void if_retire(struct devsim_vq *vq)
{
	while (vq->if_count && vq_inflight_at(vq, 0)->done) {
		vq->if_head = (uint16_t)(vq->if_head + 1 == vq->num ? 0 : vq->if_head + 1);
		vq->if_count--;
	}
}

static uint64_t snapshot(const struct devsim_vq *vq, const struct vq_chain *c)
{
	return vq->packed ? devsim_ring_packed_snapshot(vq, c) : devsim_ring_split_snapshot(vq, c);
}

/* Checks common to the manual entry points; the queue synced and servicable. */
static int manual_enter(struct devsim *s, uint16_t q)
{
	if (!devsim_queue_exists(s, q))
		return -ENOENT;
	if (s->thread_running)
		return -EBUSY;
	s->rings_live = true;
	if (!(s->status & VMMIO_STATUS_DRIVER_OK) || !devsim_ring_sync(s, q))
		return -EPERM;
	devsim_ring_check_pending_notify(s, q);
	return s->vq[q].broken ? -EPROTO : 0;
}

int devsim_vq_take(struct devsim *s, uint16_t q, struct devsim_chain *c)
{
	struct devsim_vq *vq = &s->vq[q];
	struct vq_chain ch;
	int r = manual_enter(s, q);

	if (r)
		return r;
	r = if_reserve(vq);
	if (r)
		return r;
	r = devsim_ring_take(s, q, &ch, c->seg, c->seg_cap);
	if (r <= 0)
		return r;
	ch.snap = snapshot(vq, &ch);
	*vq_inflight_at(vq, vq->if_count++) = ch;
	vq->n_out++;
	devsim_ring_kick_tick(s, q);
	devsim_ring_ask_refresh(s, q);
	c->id = ch.id;
	c->ndescs = ch.ndescs;
	c->indirect = ch.indirect;
	c->out_len = ch.out_len;
	c->in_len = ch.in_len;
	c->n_seg = ch.n_seg;
	return 1;
}

/* RING-EXPOSED-UNCHANGED: the descriptors the driver exposed are as the
 * device took them. Packed descriptors the device itself overwrote with
 * used ones (out of order use) are not compared, nor is the split
 * available ring slot: the driver may legally fill it with a later entry
 * as soon as one buffer was used, which the device cannot see. */
static void check_unchanged(struct devsim *s, uint16_t q, const struct vq_chain *c)
{
	const struct devsim_vq *vq = &s->vq[q];

	if (vq->packed && (int32_t)(vq->used_descs - c->pos) > 0)
		return;
	if (snapshot(vq, c) != c->snap)
		devsim_ring_record(s, DEVSIM_RULE_RING_EXPOSED_UNCHANGED,
				   "queue %u: buffer %u (descriptor %u) changed after it was made available",
				   q, c->id, c->head);
}

/* Find the in-flight records @u names: the oldest unused one with each id
 * (with @batch: exactly the oldest ones, in order). Marks them done. */
static int pick(struct devsim_vq *vq, const struct devsim_used *u, unsigned n, bool batch,
		uint16_t *idx)
{
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++) {
		unsigned j;

		for (j = batch ? k : 0; j < vq->if_count; j++) {
			struct vq_chain *c = vq_inflight_at(vq, j);

			if (!c->done && (c->id == u[i].id || batch))
				break;
		}
		if (j == vq->if_count || vq_inflight_at(vq, j)->id != u[i].id) {
			while (i--)
				vq_inflight_at(vq, idx[i])->done = false;
			return -EINVAL;
		}
		vq_inflight_at(vq, j)->done = true;
		idx[i] = (uint16_t)j;
		k = j + 1;
	}
	return 0;
}

int devsim_vq_use(struct devsim *s, uint16_t q, const struct devsim_used *u, unsigned n,
		  bool batch)
{
	struct devsim_vq *vq = &s->vq[q];
	uint16_t *idx;
	int r = manual_enter(s, q);

	if (r)
		return r;
	if (!n)
		return 0;
	if (n > vq->n_out || (batch && !vq->in_order))
		return -EINVAL;
	idx = malloc(n * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	r = pick(vq, u, n, batch, idx);
	if (!r) {
		for (unsigned i = 0; i < n; i++) {
			const struct vq_chain *c = vq_inflight_at(vq, idx[i]);

			check_unchanged(s, q, c);
			vq->done[i] = (struct vq_done){ .id = c->id,
							.ndescs = c->ndescs,
							.second = c->second,
							.len = u[i].len,
							.in_len = c->in_len };
		}
		vq->n_out = (uint16_t)(vq->n_out - n);
		devsim_ring_used_add(s, q, vq->done, n, batch);
		devsim_ring_flush(s, q);
		if_retire(vq);
	}
	free(idx);
	return r;
}

unsigned devsim_vq_in_flight(const struct devsim *s, uint16_t q)
{
	if (q >= DEVSIM_MAX_QUEUES || s->vq[q].gen != s->vqc[q].gen)
		return 0;
	return s->vq[q].n_out;
}

const char *devsim_vq_error(const struct devsim *s, uint16_t q)
{
	if (q >= DEVSIM_MAX_QUEUES || !s->vq[q].broken || s->vq[q].gen != s->vqc[q].gen)
		return NULL;
	return s->vq[q].err;
}

/* --- kick modes and statistics (API) -------------------------------------------------- */

int devsim_vq_kick_mode(struct devsim *s, uint16_t q, enum devsim_kick_mode m, uint16_t at,
			bool wrap, bool check)
{
	struct devsim_vq_ctl *ctl = &s->vqc[q];

	if (!devsim_queue_exists(s, q))
		return -ENOENT;
	if ((unsigned)m > DEVSIM_KICK_AT)
		return -EINVAL;
	if (s->thread_running)
		return -EBUSY;
	s->rings_live = true;
	pthread_mutex_lock(&s->lock);
	ctl->kick = m;
	ctl->kick_at = at;
	ctl->kick_wrap = wrap;
	ctl->kick_check = check;
	pthread_mutex_unlock(&s->lock);
	if (devsim_ring_sync(s, q))
		devsim_ring_apply_kick(s, q);
	return 0;
}

int devsim_vq_stats(const struct devsim *s, uint16_t q, struct devsim_vq_stats *out)
{
	const struct devsim_vq_stats *st;

	if (!devsim_queue_exists(s, q))
		return -ENOENT;
	st = &s->vqc[q].st;
	out->kicks = __atomic_load_n(&st->kicks, __ATOMIC_RELAXED);
	out->kicks_dropped = __atomic_load_n(&st->kicks_dropped, __ATOMIC_RELAXED);
	out->irqs = __atomic_load_n(&st->irqs, __ATOMIC_RELAXED);
	out->irqs_dropped = __atomic_load_n(&st->irqs_dropped, __ATOMIC_RELAXED);
	out->taken = __atomic_load_n(&st->taken, __ATOMIC_RELAXED);
	out->used = __atomic_load_n(&st->used, __ATOMIC_RELAXED);
	out->bytes = __atomic_load_n(&st->bytes, __ATOMIC_RELAXED);
	out->polls = __atomic_load_n(&st->polls, __ATOMIC_RELAXED);
	out->sleeps = __atomic_load_n(&st->sleeps, __ATOMIC_RELAXED);
	out->truncated = __atomic_load_n(&st->truncated, __ATOMIC_RELAXED);
	out->dropped = __atomic_load_n(&st->dropped, __ATOMIC_RELAXED);
	out->unswapped = __atomic_load_n(&st->unswapped, __ATOMIC_RELAXED);
	return 0;
}
