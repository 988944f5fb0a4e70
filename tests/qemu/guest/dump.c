/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * When a device stops answering: print what the rings hold, as the device
 * sees them, so a guest log says on which side a stall is. Reads the
 * queue's layout from the installed private header (the same one the
 * inline burst path uses); never writes.
 */
#include "guest.h"
#include "vmmio_regs.h"
#include "vmmio_vq_pvt.h"

static void dump_packed(const struct vmmio_vq *vq)
{
	const struct vmmio_vq_packed *pk = &vq->packed;

	guest_log("  packed: next_avail %u wrap %u, pub %u wrap %u, last_used %u wrap %u; "
		  "driver event flags %u off_wrap 0x%04x; device event flags %u off_wrap 0x%04x; "
		  "areas 0x%llx 0x%llx 0x%llx",
		  pk->next_avail, pk->avail_wrap, pk->pub_pos, pk->pub_wrap, pk->last_used,
		  pk->used_wrap, pk->driver_ev->flags, pk->driver_ev->off_wrap,
		  pk->device_ev->flags, pk->device_ev->off_wrap,
		  (unsigned long long)pk->desc_iova, (unsigned long long)pk->driver_iova,
		  (unsigned long long)pk->device_iova);
	for (unsigned i = 0; i < 4 && i < vq->p.num; i++)
		guest_log("  desc[%u]: addr 0x%llx len %u id %u flags 0x%04x", i,
			  (unsigned long long)pk->desc[i].addr, pk->desc[i].len, pk->desc[i].id,
			  pk->desc[i].flags);
}

static void dump_split(const struct vmmio_vq *vq)
{
	const struct vmmio_vq_split *sp = &vq->split;

	guest_log("  split: avail idx %u flags %u, used idx %u flags %u, used_event %u, "
		  "avail_event %u",
		  sp->avail->idx, sp->avail->flags, sp->used->idx, sp->used->flags,
		  *sp->used_event, *sp->avail_event);
}

void guest_dump_queues(const struct guest_dev *g)
{
	char st[128];

	vmmio_status_format((uint8_t)g->bus.win.ops->read(g->bus.win.ctx, VMMIO_REG_STATUS, 4), st,
			    sizeof(st));
	guest_log("device Status: %s", st);
	for (unsigned q = 0; q < g->nq; q++) {
		struct vmmio_vq_stats st;

		vmmio_vq_stats(g->vq[q], &st);
		guest_log("queue %u: added %llu reaped %llu kicks %llu outstanding %u", q,
			  (unsigned long long)st.added, (unsigned long long)st.reaped,
			  (unsigned long long)st.kicks, vmmio_vq_outstanding(g->vq[q]));
		if (vmmio_vq_is_packed(g->vq[q]))
			dump_packed(g->vq[q]);
		else
			dump_split(g->vq[q]);
	}
}
