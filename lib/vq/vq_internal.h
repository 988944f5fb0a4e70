/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtqueue object shared by the common layer (vq.c: creation, the
 * thin dispatch, buffer checks, errors, statistics) and the two ring
 * engines (split.c, packed.c), whose private state is in vq_split.h and
 * vq_packed.h. Each engine implements the vq_<format>_* functions below;
 * vq.c calls them on one branch, never through function pointers.
 */
#ifndef VMMIO_VQ_INTERNAL_H
#define VMMIO_VQ_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmmio_barrier.h"
#include "vmmio_vq.h"
#include "vq_packed.h"
#include "vq_split.h"

struct vmmio_vq {
	struct vmmio_vq_params p; /* as created (indirect_min resolved) */
	struct vmmio_dma mem; /* the caller's ring memory */
	uint16_t num_free; /* free ring descriptors */
	uint16_t outstanding; /* buffers added and not reaped */
	uint16_t unpublished; /* buffers added since the last publish */
	bool intr_enabled; /* the driver asked for used buffer notifications */
	bool kick_deferred; /* a notification was due before DRIVER_OK */
	bool broken;
	enum vmmio_vq_fault fault;
	/* Indirect tables: one per slot (split: head descriptor; packed:
	 * buffer id) of p.indirect_max entries, after the ring areas. */
	uint8_t *ind_va;
	uint64_t ind_iova;
	struct vmmio_vq_stats stats;
	char err[VMMIO_VQ_ERR_LEN];
	union {
		struct vq_split split;
		struct vq_packed packed;
	};
};

/* Bytes of table per indirect slot. */
static inline size_t vq_ind_table_size(const struct vmmio_vq *vq)
{
	return 16u * (size_t)vq->p.indirect_max;
}

static inline void *vq_ind_va(const struct vmmio_vq *vq, uint16_t slot)
{
	return vq->ind_va + (size_t)slot * vq_ind_table_size(vq);
}

static inline uint64_t vq_ind_iova(const struct vmmio_vq *vq, uint16_t slot)
{
	return vq->ind_iova + (uint64_t)slot * vq_ind_table_size(vq);
}

/*
 * Check one buffer before any descriptor is written. Sets *ndescs (ring
 * descriptors it needs), *indirect and *in_len (device-writable bytes).
 * -EINVAL with vq->err describing the buffer (the queue is not broken).
 */
int vq_check_buf(struct vmmio_vq *vq, const struct vmmio_buf *b, uint16_t *ndescs,
		 bool *indirect, uint32_t *in_len);

/* Mark the queue broken by a device that lied: record @f and the message
 * ("queue N: " is prepended). Only the first fault is kept. */
void vq_break(struct vmmio_vq *vq, enum vmmio_vq_fault f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* --- the engines ---------------------------------------------------------------
 *
 * ring_size: bytes of the ring areas for @p (vq.c appends the indirect
 *   tables, 64-byte aligned).
 * create/destroy: allocate and free the engine's private memory (extra);
 *   create returns 0 or -ENOMEM. init follows create.
 * init: lay the areas out in vq->mem, initialise the shared memory and the
 *   shadow state (all free, indices 0, wrap counters 1, notification
 *   suppression as vq->intr_enabled says). Also used after a reclaim.
 * add: write the descriptors of up to @n buffers, which vq.c has not
 *   checked; returns as vmmio_vq_add() (counters: num_free, outstanding,
 *   unpublished, stats.added and stats.indirect are the engine's to keep).
 * publish: expose what was added (vq->unpublished > 0); true when the device
 *   asked for a notification. vq.c resets unpublished and counts.
 * notify_value: the QueueNotify value.
 * reap: as vmmio_vq_reap(), on a queue that is not broken; keeps
 *   outstanding, num_free; vq.c counts stats.reaped.
 * has_used, intr_disable, intr_enable: as the public calls.
 * reclaim: hand each outstanding buffer to @fn (never NULL) once; vq.c then
 *   calls init.
 * queue_cfg: the area addresses.
 */
size_t vq_split_ring_size(const struct vmmio_vq_params *p);
int vq_split_create(struct vmmio_vq *vq);
void vq_split_destroy(struct vmmio_vq *vq);
void vq_split_init(struct vmmio_vq *vq);
int vq_split_add(struct vmmio_vq *vq, const struct vmmio_buf *bufs, unsigned n);
bool vq_split_publish(struct vmmio_vq *vq);
uint32_t vq_split_notify_value(const struct vmmio_vq *vq);
unsigned vq_split_reap(struct vmmio_vq *vq, struct vmmio_used *out, unsigned n);
bool vq_split_has_used(const struct vmmio_vq *vq);
void vq_split_intr_disable(struct vmmio_vq *vq);
bool vq_split_intr_enable(struct vmmio_vq *vq);
unsigned vq_split_reclaim(struct vmmio_vq *vq, vmmio_vq_reclaim_fn fn, void *arg);
void vq_split_queue_cfg(const struct vmmio_vq *vq, struct vmmio_queue_cfg *out);

size_t vq_packed_ring_size(const struct vmmio_vq_params *p);
int vq_packed_create(struct vmmio_vq *vq);
void vq_packed_destroy(struct vmmio_vq *vq);
void vq_packed_init(struct vmmio_vq *vq);
int vq_packed_add(struct vmmio_vq *vq, const struct vmmio_buf *bufs, unsigned n);
bool vq_packed_publish(struct vmmio_vq *vq);
uint32_t vq_packed_notify_value(const struct vmmio_vq *vq);
unsigned vq_packed_reap(struct vmmio_vq *vq, struct vmmio_used *out, unsigned n);
bool vq_packed_has_used(const struct vmmio_vq *vq);
void vq_packed_intr_disable(struct vmmio_vq *vq);
bool vq_packed_intr_enable(struct vmmio_vq *vq);
unsigned vq_packed_reclaim(struct vmmio_vq *vq, vmmio_vq_reclaim_fn fn, void *arg);
void vq_packed_queue_cfg(const struct vmmio_vq *vq, struct vmmio_queue_cfg *out);

#endif /* VMMIO_VQ_INTERNAL_H */
