/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to lib/vq: the slow-path halves of the two ring engines
 * (split.c, packed.c), called by the common layer (vq.c). Their burst
 * paths are inline in vmmio_vq_split_pvt.h and vmmio_vq_packed_pvt.h.
 *
 * ring_size: bytes of the ring areas for @p.
 * init: lay the areas out in vq->ring, initialise the shared memory
 *   (zeroed by the caller) and the shadow state (all free, indices 0, wrap
 *   counters 1, notification suppression as vq->intr_enabled says). Also
 *   used after a reclaim.
 * queue_cfg: the area addresses.
 * intr_disable, intr_enable: as the public calls.
 * outstanding: the slots (split: head descriptors; packed: ids) of every
 *   outstanding buffer into @slots; returns how many.
 */
#ifndef VMMIO_VQ_ENGINE_H
#define VMMIO_VQ_ENGINE_H

#include "vmmio_vq.h"

size_t vmmio_vq_split_ring_size(const struct vmmio_vq_params *p);
void vmmio_vq_split_init(struct vmmio_vq *vq);
void vmmio_vq_split_queue_cfg(const struct vmmio_vq *vq, struct vmmio_queue_cfg *out);
void vmmio_vq_split_intr_disable(struct vmmio_vq *vq);
bool vmmio_vq_split_intr_enable(struct vmmio_vq *vq);
unsigned vmmio_vq_split_outstanding(const struct vmmio_vq *vq, uint16_t *slots);

size_t vmmio_vq_packed_ring_size(const struct vmmio_vq_params *p);
void vmmio_vq_packed_init(struct vmmio_vq *vq);
void vmmio_vq_packed_queue_cfg(const struct vmmio_vq *vq, struct vmmio_queue_cfg *out);
void vmmio_vq_packed_intr_disable(struct vmmio_vq *vq);
bool vmmio_vq_packed_intr_enable(struct vmmio_vq *vq);
unsigned vmmio_vq_packed_outstanding(const struct vmmio_vq *vq, uint16_t *slots);

#endif /* VMMIO_VQ_ENGINE_H */
