/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The split ring engine's private state (split.c). The rings are shared
 * with the device; everything here is the driver's own and is what the
 * engine trusts: shared memory is written, never read back and believed.
 */
#ifndef VMMIO_VQ_SPLIT_H
#define VMMIO_VQ_SPLIT_H

#include <stdint.h>

#include "vmmio_ring.h"

/* Per descriptor: state, chain link, and for heads the buffer (split.c). */
struct vq_split_extra;

struct vq_split {
	struct vmmio_vring_desc *desc;
	struct vmmio_vring_avail *avail;
	struct vmmio_vring_used *used;
	uint16_t *used_event; /* avail->ring[num]: driver-written */
	uint16_t *avail_event; /* after used->ring[num]: device-written */
	uint64_t desc_iova, avail_iova, used_iova;
	struct vq_split_extra *extra; /* per descriptor: the driver's own record */
	uint16_t *reclaim_order; /* num entries: scratch for oldest-first reclaim */
	/* Sequence numbers of buffers, in add order (64 bits never wrap):
	 * the next one to hand out, and the first one not yet published. */
	uint64_t add_seq, pub_seq;
	uint16_t mask; /* num - 1 (num is a power of 2) */
	uint16_t free_head; /* without IN_ORDER: LIFO list through extra.next */
	uint16_t next_desc; /* with IN_ORDER: next descriptor to hand out */
	uint16_t oldest; /* with IN_ORDER: head of the oldest outstanding buffer */
	uint16_t avail_idx; /* next available ring position (shadow of avail->idx) */
	uint16_t published; /* avail->idx as last stored */
	uint16_t last_used; /* next used ring position to read */
	uint16_t used_event_shadow; /* used_event as last stored (EVENT_IDX) */
	uint16_t avail_flags_shadow; /* avail->flags as last stored */
	/* IN_ORDER batch being returned: buffers left (the last one named by
	 * the used entry), and the length the device wrote for that last one. */
	uint16_t batch_left;
	uint32_t batch_len;
};

#endif /* VMMIO_VQ_SPLIT_H */
