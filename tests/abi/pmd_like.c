/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Built like a PMD: a shared object of its own, linked with libvmmio.a,
 * whose burst functions use the library's fast path the way net_virtio_mmio
 * will (reclaim transmitted buffers, add a burst, kick; look for and reap
 * received ones). test_inline.py disassembles it: the burst functions must
 * hold no call into the library for add, publish, reap or has_used; only
 * the QueueNotify write and the cold reports of a lying device are calls.
 */
#include "vmmio_vq.h"

#define PMDLIKE_BURST 32u

__attribute__((visibility("default"))) unsigned pmdlike_tx_burst(struct vmmio_vq *vq,
								 struct vmmio_dev *d,
								 const struct vmmio_buf *bufs,
								 unsigned n)
{
	struct vmmio_used done[PMDLIKE_BURST];
	int added;

	/* transmitted buffers first: room for the new burst */
	vmmio_vq_reap(vq, done, PMDLIKE_BURST);
	added = vmmio_vq_add(vq, bufs, n);
	if (added <= 0)
		return 0;
	vmmio_vq_kick(vq, d);
	return (unsigned)added;
}

__attribute__((visibility("default"))) unsigned pmdlike_rx_burst(struct vmmio_vq *vq,
								 struct vmmio_used *out,
								 unsigned n)
{
	if (!vmmio_vq_has_used(vq))
		return 0;
	return vmmio_vq_reap(vq, out, n);
}

/* Refill without a notification decision of its own: publish alone. */
__attribute__((visibility("default"))) bool pmdlike_rx_refill(struct vmmio_vq *vq,
							      const struct vmmio_buf *bufs,
							      unsigned n)
{
	return vmmio_vq_add(vq, bufs, n) > 0 && vmmio_vq_publish(vq);
}
