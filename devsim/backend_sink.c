/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sink backend: every available buffer is used at once with length 0,
 * on any queue. It is what vmmio-perf --mode ring measures (the cost of
 * the ring protocol alone), so it is lean: take everything available,
 * write the used entries, publish them with one store; no locks (but the
 * interrupt, when the driver asks for one) and no allocation.
 */
#include "devsim_internal.h"

unsigned devsim_ring_sink_service(struct devsim *s, uint16_t q)
{
	struct devsim_vq *vq = &s->vq[q];
	struct vq_chain c;
	unsigned n = 0;
	int r = 0;

	while (n < vq->num && (r = devsim_ring_take(s, q, &c, NULL, 0)) == 1)
		vq->done[n++] = (struct vq_done){
			.id = c.id, .ndescs = c.ndescs, .second = c.second, .in_len = c.in_len
		};
	if (r == 0 && !s->thread_running)
		s->vqc[q].notified = false; /* ran dry */
	if (n) {
		/* With IN_ORDER, one used entry for the batch ("In-order use of
		 * descriptors"); its earlier buffers then count as fully
		 * written, which changes nothing for device-readable ones. */
		devsim_ring_used_add(s, q, vq->done, n, vq->in_order);
		devsim_ring_flush(s, q);
	}
	devsim_ring_kick_tick(s, q);
	return n;
}
