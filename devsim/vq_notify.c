/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Available buffer notifications, device side: QueueNotify writes (dropped
 * ones included), the NOTIFICATION_DATA value they carry (RING-NOTIFY-DATA,
 * "Driver Notifications"), and whether the driver notified when the
 * device asked it to (RING-NOTIFY-REQUIRED, "Available Buffer Notification
 * Suppression" and "Driver and Device Event Suppression").
 */
#include "checker_internal.h"
#include "devsim_internal.h"
#include "vmmio_barrier.h"

/* "When notifying the device, driver MUST set next_off and next_wrap to
 * match the next descriptor not yet made available to the device"; a
 * split ring sends its available idx there. Lock held. */
static void check_notify_data(struct devsim *s, uint16_t q, uint32_t val)
{
	struct devsim_vq_ctl *ctl = &s->vqc[q];
	uint16_t off = (uint16_t)(val >> 16);
	bool wrap = val >> 31;

	if (!vmmio_feat_has(&s->driver_features, VMMIO_F_NOTIFICATION_DATA) ||
	    !(s->status & VMMIO_STATUS_DRIVER_OK))
		return;
	if (!s->rings_live) {
		/* The rings may be placeholders: check at the first service. */
		ctl->notify_pending = true;
		ctl->notify_value = val;
		return;
	}
	if (vmmio_feat_has(&s->driver_features, VMMIO_F_RING_PACKED)) {
		struct devsim_vq *vq = &s->vq[q];
		uint16_t pos;
		bool w;

		/* The scan starts at the device's position, which the device
		 * thread moves under our feet: checked in step mode only. */
		if (s->thread_running || !devsim_ring_sync(s, q))
			return;
		devsim_ring_packed_first_unavail(vq, &pos, &w);
		if ((off & 0x7fffu) != pos || wrap != w)
			devsim_chk_record(s, DEVSIM_RULE_RING_NOTIFY_DATA, s->seq - 1,
					  "queue %u: QueueNotify 0x%x names offset %u wrap %u, the next descriptor to make available is %u wrap %u",
					  q, val, off & 0x7fffu, wrap, pos, w);
	} else {
		uint64_t desc, drv, dev;
		struct vmmio_vring_avail *avail;
		uint16_t idx;

		/* The driver's own field: no race with the device thread. */
		if (!devsim_ring_geometry(s, q, &desc, &drv, &dev))
			return;
		avail = vq_ptr(drv);
		idx = vmmio_load16(&avail->idx);
		if (off != idx)
			devsim_chk_record(s, DEVSIM_RULE_RING_NOTIFY_DATA, s->seq - 1,
					  "queue %u: QueueNotify 0x%x names avail idx %u, the available ring's idx is %u",
					  q, val, off, idx);
	}
}

void devsim_ring_on_notify(struct devsim *s, uint16_t q, uint32_t val)
{
	struct devsim_vq_ctl *ctl = &s->vqc[q];

	vq_stat_add(&ctl->st.kicks, 1);
	if (ctl->drop_kicks) { /* DEVSIM_FAULT_DROP_KICK: the device never saw it */
		ctl->drop_kicks--;
		vq_stat_add(&ctl->st.kicks_dropped, 1);
		return;
	}
	ctl->notified = true;
	/* Release: a device thread asleep on this count reads the ring after
	 * it sees the count move (devsim_ring_thread_due()). */
	__atomic_store_n(&ctl->kicks, ctl->kicks + 1, __ATOMIC_RELEASE);
	check_notify_data(s, q, val);
}

/* A value that came before the rings were live, checked at the first
 * service: the ring may have moved since, so any position from the
 * device's to the driver's current one is accepted. */
void devsim_ring_check_pending_notify(struct devsim *s, uint16_t q)
{
	struct devsim_vq_ctl *ctl = &s->vqc[q];
	struct devsim_vq *vq = &s->vq[q];
	uint32_t val = ctl->notify_value;
	uint16_t off = (uint16_t)(val >> 16);
	bool ok;

	if (!ctl->notify_pending)
		return;
	ctl->notify_pending = false;
	if (vq->packed) {
		uint16_t pos = vq->avail_pos;
		bool w = vq->avail_wrap, wrap = val >> 31;

		off &= 0x7fffu;
		ok = off == pos && wrap == w;
		for (unsigned n = 0; !ok && n < vq->num && devsim_ring_packed_avail_at(vq, pos, w);
		     n++) {
			if (++pos == vq->num) {
				pos = 0;
				w = !w;
			}
			ok = off == pos && wrap == w;
		}
	} else {
		uint16_t idx = vmmio_load16(&vq->avail->idx);

		ok = idx == vq->last_avail ?
			     off == idx :
			     (uint16_t)(off - vq->last_avail - 1) < (uint16_t)(idx - vq->last_avail);
	}
	if (!ok)
		devsim_ring_record(s, DEVSIM_RULE_RING_NOTIFY_DATA,
				   "queue %u: QueueNotify 0x%x names no position between the device's and the next one to make available",
				   q, val);
}

void devsim_ring_ask_refresh(struct devsim *s, uint16_t q)
{
	struct devsim_vq *vq = &s->vq[q];
	const struct devsim_vq_ctl *ctl = &s->vqc[q];
	bool at = vq->applied == DEVSIM_KICK_AT && vq->event_idx;

	vq->ask_active = false;
	if (!ctl->kick_check || vq->applied == DEVSIM_KICK_NEVER)
		return;
	/* The suppression field was written: read the driver's state after it. */
	vmmio_mb();
	vq->ask_kicks = ctl->kicks;
	if (vq->packed) {
		if (at) {
			vq->ask_idx = ctl->kick_at;
			vq->ask_wrap = ctl->kick_wrap;
		} else {
			devsim_ring_packed_first_unavail(vq, &vq->ask_idx, &vq->ask_wrap);
		}
		vq->ask_active = !devsim_ring_packed_made_avail(vq, vq->ask_idx, vq->ask_wrap);
		return;
	}
	vq->ask_idx = vmmio_load16(&vq->avail->idx);
	if (!vq->event_idx) {
		vq->ask_active = true; /* flags 0: every buffer from here on */
		return;
	}
	/* avail_event: only an entry not written yet creates an obligation. */
	vq->ask_event = at ? ctl->kick_at : vq->last_avail;
	vq->ask_active = (uint16_t)(vq->ask_event - vq->ask_idx) < 0x8000u;
}

void devsim_ring_check_notify_required(struct devsim *s, uint16_t q)
{
	struct devsim_vq *vq = &s->vq[q];
	const struct devsim_vq_ctl *ctl = &s->vqc[q];
	uint16_t idx;

	if (!ctl->kick_check || !vq->ask_active || ctl->kicks != vq->ask_kicks)
		return;
	if (vq->packed) {
		if (!devsim_ring_packed_made_avail(vq, vq->ask_idx, vq->ask_wrap))
			return;
		devsim_ring_record(s, DEVSIM_RULE_RING_NOTIFY_REQUIRED,
				   "queue %u: descriptor %u (wrap %u) made available after the device asked for a notification, none came",
				   q, vq->ask_idx, vq->ask_wrap);
	} else {
		idx = vmmio_load16(&vq->avail->idx);
		if (vq->event_idx ? !vmmio_need_event(vq->ask_event, idx, vq->ask_idx) :
				    idx == vq->ask_idx)
			return;
		devsim_ring_record(s, DEVSIM_RULE_RING_NOTIFY_REQUIRED,
				   "queue %u: avail idx moved %u -> %u past %s %u, no notification came",
				   q, vq->ask_idx, idx, vq->event_idx ? "avail_event" : "flags",
				   vq->event_idx ? vq->ask_event : 0);
	}
	vq->ask_active = false;
}
