/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PRIVATE to libvmmio and its PMD: the virtqueue's layout and the inline
 * fast path, installed so that a driver built against the library inlines
 * add, publish, reap and has_used into its burst functions (as DPDK's
 * rte_ring_elem_pvt.h and the virtio PMD's virtqueue.h do). Everyone else
 * uses the functions of vmmio_vq.h and never touches a field here: the
 * layout changes with any release.
 *
 * The split and packed engines are in vmmio_vq_split_pvt.h and
 * vmmio_vq_packed_pvt.h, each a set of vmmio_vq_<format>_* functions;
 * vmmio_vq.h dispatches to them on one branch, never through a function
 * pointer. What is not on the burst path (creation, reset, reclaim,
 * interrupt enabling, errors) is out of line in lib/vq/.
 */
#ifndef VMMIO_VQ_PVT_H
#define VMMIO_VQ_PVT_H

#ifndef VMMIO_VQ_H
#error "include vmmio_vq.h, not vmmio_vq_pvt.h"
#endif

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmmio_api.h"
#include "vmmio_barrier.h"
#include "vmmio_mem.h"
#include "vmmio_ring.h"

/* --- the split engine's state -------------------------------------------------- */

enum vmmio_vq_split_state {
	VMMIO_VQ_SPLIT_FREE,
	VMMIO_VQ_SPLIT_HEAD, /* the head of an outstanding buffer */
	VMMIO_VQ_SPLIT_CHAIN, /* a later descriptor of an outstanding buffer */
};

/* The driver's record of one descriptor (Linux's desc_extra): what the
 * engine trusts, where the shared descriptor may have been rewritten. */
struct vmmio_vq_split_extra {
	void *cookie; /* heads: the caller's buffer */
	uint64_t seq; /* heads: add order (vmmio_vq_split.add_seq) */
	uint32_t in_len; /* heads: device-writable bytes, the limit of a used len */
	uint16_t ndescs; /* heads: ring descriptors of the chain (1 when indirect) */
	uint16_t next; /* the next descriptor of the chain or of the free list */
	uint8_t state; /* enum vmmio_vq_split_state */
};

struct vmmio_vq_split {
	struct vmmio_vring_desc *desc;
	struct vmmio_vring_avail *avail;
	struct vmmio_vring_used *used;
	uint16_t *used_event; /* avail->ring[num]: driver-written */
	uint16_t *avail_event; /* after used->ring[num]: device-written */
	uint64_t desc_iova, avail_iova, used_iova;
	struct vmmio_vq_split_extra *extra; /* per descriptor */
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

/* --- the packed engine's state ------------------------------------------------- */

/* The driver's record of one buffer id. */
struct vmmio_vq_packed_extra {
	void *cookie; /* NULL: the id is free (cookies are never NULL) */
	uint64_t seq; /* add order: the device holds the buffer once seq < pub_seq */
	uint32_t in_len; /* device-writable bytes */
	uint16_t ndescs; /* ring descriptors it occupies (1 when indirect) */
	uint16_t pos; /* ring position of its first descriptor ... */
	bool wrap; /* ... and the wrap counter it was made available with */
	bool indirect;
	uint16_t next_free; /* free list link, without IN_ORDER */
};

struct vmmio_vq_packed {
	struct vmmio_pdesc *desc;
	struct vmmio_pevent *driver_ev; /* Driver Area: written by the driver */
	struct vmmio_pevent *device_ev; /* Device Area: written by the device */
	uint64_t desc_iova, driver_iova, device_iova;
	struct vmmio_vq_packed_extra *extra; /* per buffer id */

	/* --- producer: add and publish --- */
	uint16_t next_avail; /* where the next descriptor goes */
	bool avail_wrap; /* Driver Ring Wrap Counter at next_avail (starts 1) */
	/* What the device may see: everything before (pub_pos, pub_wrap). The
	 * first head added since, whose flags publish stores, sits there. */
	uint16_t pub_pos;
	bool pub_wrap;
	uint16_t head_flags; /* that head's flags, written by publish */
	uint64_t add_seq; /* buffers ever added (never wraps in practice) */
	uint64_t pub_seq; /* add_seq at the last publish */
	uint16_t free_head; /* without IN_ORDER: LIFO of free ids */
	uint16_t next_id; /* with IN_ORDER: ids are handed out in order */

	/* --- consumer: reap --- */
	uint16_t last_used; /* where the device writes its next used descriptor */
	bool used_wrap; /* Device Ring Wrap Counter expected there (starts 1) */
	uint16_t oldest_id; /* with IN_ORDER: the oldest outstanding id */
	/* With IN_ORDER: buffers of a batch the device reported with one used
	 * descriptor and not yet returned, and the length of its last one. */
	uint16_t batch_left;
	uint32_t batch_len;

	uint16_t drv_flags; /* what driver_ev->flags holds */
};

/* --- the queue ------------------------------------------------------------------- */

struct vmmio_vq {
	/* --- the burst path --- */
	struct vmmio_vq_params p; /* as created (indirect_min resolved) */
	uint16_t num_free; /* free ring descriptors */
	uint16_t outstanding; /* buffers added and not reaped */
	uint16_t unpublished; /* buffers added since the last publish */
	bool intr_enabled; /* the driver asked for used buffer notifications */
	bool kick_deferred; /* a notification was due before DRIVER_OK */
	bool broken;
	enum vmmio_vq_fault fault;
	/* Indirect tables: one per slot (split: head descriptor; packed:
	 * buffer id), 1 << ind_stride_shift bytes apart, 1 << ind_chunk_shift
	 * of them in each DMA range of ind[]. */
	struct vmmio_dma *ind;
	uint8_t ind_stride_shift;
	uint8_t ind_chunk_shift;
	struct vmmio_vq_stats stats;
	union {
		struct vmmio_vq_split split;
		struct vmmio_vq_packed packed;
	};

	/* --- the slow path (lib/vq) --- */
	const struct vmmio_allocator *alloc;
	struct vmmio_dma ring; /* the ring areas */
	unsigned n_ind; /* ranges in ind[] */
	uint16_t *reclaim_order; /* num entries: scratch for oldest-first reclaim */
	char err[VMMIO_VQ_ERR_LEN];
};

/* --- helpers of both engines -------------------------------------------------------- */

/*
 * Mark the queue broken by a device that lied: record @f and the message
 * ("queue N: " is prepended). Only the first fault is kept.
 */
VMMIO_API VMMIO_COLD void vmmio_vq_pvt_break(struct vmmio_vq *vq, enum vmmio_vq_fault f,
					     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Describe the invalid buffer @b in vq->err. */
VMMIO_API VMMIO_COLD void vmmio_vq_pvt_bad_buf(struct vmmio_vq *vq, const struct vmmio_buf *b);

/* The indirect table of @slot, in the driver's and the device's view. */
VMMIO_INLINE void *vmmio_vq_ind_va(const struct vmmio_vq *vq, uint16_t slot)
{
	const struct vmmio_dma *c = &vq->ind[slot >> vq->ind_chunk_shift];
	const size_t at = (size_t)(slot & ((1u << vq->ind_chunk_shift) - 1u)) << vq->ind_stride_shift;

	return (uint8_t *)c->va + at;
}

VMMIO_INLINE uint64_t vmmio_vq_ind_iova(const struct vmmio_vq *vq, uint16_t slot)
{
	const struct vmmio_dma *c = &vq->ind[slot >> vq->ind_chunk_shift];
	const uint64_t at = (uint64_t)(slot & ((1u << vq->ind_chunk_shift) - 1u))
			    << vq->ind_stride_shift;

	return c->iova + at;
}

/*
 * Check one buffer before any descriptor is written. Sets *ndescs (ring
 * descriptors it needs), *indirect and *in_len (device-writable bytes).
 * -EINVAL with vq->err describing the buffer (the queue is not broken).
 */
VMMIO_INLINE int vmmio_vq_check_buf(struct vmmio_vq *vq, const struct vmmio_buf *b,
				    uint16_t *ndescs, bool *indirect, uint32_t *in_len)
{
	const unsigned nseg = (unsigned)b->n_out + b->n_in;
	uint64_t total = 0, in = 0;

	if (VMMIO_UNLIKELY(!b->cookie || !nseg || !b->seg))
		goto bad;
	for (unsigned i = 0; i < nseg; i++) {
		total += b->seg[i].len;
		if (i >= b->n_out)
			in += b->seg[i].len;
	}
	/* "Drivers MUST NOT add a descriptor chain longer than 2^32 bytes in
	 * total". */
	if (VMMIO_UNLIKELY(total > UINT32_MAX))
		goto bad;
	*in_len = (uint32_t)in;
	/* An indirect table is a chain too: at most QueueSize entries. */
	*indirect = vq->p.indirect_max && nseg >= vq->p.indirect_min &&
		    nseg <= vq->p.indirect_max && nseg <= vq->p.num;
	if (*indirect) {
		*ndescs = 1;
		return 0;
	}
	/* "A driver MUST NOT create a descriptor chain longer than the Queue
	 * Size of the device." */
	if (VMMIO_UNLIKELY(nseg > vq->p.num))
		goto bad;
	*ndescs = (uint16_t)nseg;
	return 0;
bad:
	vmmio_vq_pvt_bad_buf(vq, b);
	return -EINVAL;
}

#include "vmmio_vq_packed_pvt.h"
#include "vmmio_vq_split_pvt.h"

#endif /* VMMIO_VQ_PVT_H */
