/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtqueues: the driver side of split and packed rings behind one API.
 *
 * One producer and one consumer per queue, no locks: a queue belongs to
 * one thread at a time. The driver's ring state lives in private shadow
 * memory (the per-descriptor "extra" state, indices, wrap counters); the
 * only shared-memory writes are descriptors, the available index (split)
 * or descriptor flags (packed), and the event suppression fields. Nothing
 * the device writes is trusted: every used id, length and index is checked
 * before use, and a device that lies marks the queue broken (see
 * vmmio_vq_broken()) instead of making the driver touch memory it does not
 * own or return a buffer twice.
 *
 * The datapath is burst-oriented:
 *
 *	n = vmmio_vq_add(vq, bufs, count);    descriptors written, not visible
 *	vmmio_vq_kick(vq, dev);               publish once, notify if asked
 *	...
 *	m = vmmio_vq_reap(vq, used, max);     used buffers, validated
 *
 * Buffers may be added (and published) before DRIVER_OK; the device does
 * not consume them before it, and notifications wait for it too.
 *
 * The burst path (add, publish, kick, reap, has_used) is inline: its
 * engines are in the private headers vmmio_vq_pvt.h, vmmio_vq_split_pvt.h
 * and vmmio_vq_packed_pvt.h, included at the end, so a driver built
 * against the library (the PMD) calls into it only when a device lies or
 * to write QueueNotify.
 */
#ifndef VMMIO_VQ_H
#define VMMIO_VQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmmio_api.h"
#include "vmmio_dev.h"
#include "vmmio_mem.h"
#include "vmmio_ring.h"

/* Ring memory is aligned to this (a legacy ring's page). */
#define VMMIO_VQ_MEM_ALIGN 4096u
/* Default entries per indirect table when INDIRECT_DESC is negotiated. */
#define VMMIO_VQ_INDIRECT_MAX_DEFAULT 16u
#define VMMIO_VQ_ERR_LEN 256

struct vmmio_vq_params {
	uint16_t index; /* the queue's index on the device */
	uint16_t num; /* QueueSize: 1..32768, a power of 2 for split rings */
	bool packed; /* VIRTIO_F_RING_PACKED */
	bool event_idx; /* VIRTIO_F_EVENT_IDX */
	bool in_order; /* VIRTIO_F_IN_ORDER */
	bool notification_data; /* VIRTIO_F_NOTIFICATION_DATA */
	bool legacy; /* a Version 1 device: split ring in the legacy layout */
	/*
	 * VIRTIO_F_INDIRECT_DESC: entries per indirect table (0: no indirect
	 * descriptors). Buffers of at least indirect_min segments (0 means 2)
	 * and at most indirect_max go out as one indirect descriptor.
	 */
	uint16_t indirect_max;
	uint16_t indirect_min;
	/* NUMA node of the ring and shadow memory: VMMIO_NUMA_ANY, or the
	 * node the device (or the thread that polls the queue) is on. */
	int numa_node;
};

/*
 * Fill @p for queue @index of @num entries from the features negotiated on
 * @d (which must have completed FEATURES_OK): ring format, EVENT_IDX,
 * IN_ORDER, NOTIFICATION_DATA, indirect descriptors
 * (VMMIO_VQ_INDIRECT_MAX_DEFAULT entries), and the legacy layout on a
 * Version 1 device; any NUMA node.
 */
VMMIO_API void vmmio_vq_params_from_dev(struct vmmio_vq_params *p, const struct vmmio_dev *d,
					uint16_t index, uint16_t num);

/* Bytes of DMA memory a queue with @p takes (the ring areas and the
 * indirect tables), or 0 when @p is invalid. */
VMMIO_API size_t vmmio_vq_mem_size(const struct vmmio_vq_params *p);

struct vmmio_vq;

/*
 * Create a queue with memory from @a (vmmio_heap_allocator() for an
 * in-process device): the ring areas in one range of device-contiguous
 * memory, the indirect tables in as many ranges as @a's max_contig needs,
 * the driver's shadow state from @a's private memory, all on p->numa_node,
 * and, on a Version 1 device, below what QueuePFN reaches. The queue owns
 * it until vmmio_vq_destroy(). The ring memory is initialised; interrupts
 * start disabled (poll mode). NULL on invalid parameters or no memory,
 * with the reason in @err (naming the parameter and its value, or the
 * allocator's words).
 */
VMMIO_API struct vmmio_vq *vmmio_vq_create(const struct vmmio_vq_params *p,
					   const struct vmmio_allocator *a, char *err,
					   size_t errlen);
VMMIO_API void vmmio_vq_destroy(struct vmmio_vq *vq);

/* The three area addresses and the size, for vmmio_queue_enable(). */
VMMIO_API void vmmio_vq_queue_cfg(const struct vmmio_vq *vq, struct vmmio_queue_cfg *out);

/* vmmio_queue_enable() with this queue's areas. */
VMMIO_API int vmmio_vq_enable(struct vmmio_vq *vq, struct vmmio_dev *d);

/* --- adding buffers --------------------------------------------------------- */

/* One segment of a buffer, at a device-visible address. */
struct vmmio_seg {
	uint64_t addr;
	uint32_t len;
};

/* A buffer: @n_out device-readable segments, then @n_in device-writable. */
struct vmmio_buf {
	const struct vmmio_seg *seg;
	uint16_t n_out;
	uint16_t n_in;
	void *cookie; /* non-NULL; handed back when the device used the buffer */
};

/*
 * (inline) Write the descriptors of up to @n buffers; the device does not
 * see them before vmmio_vq_publish(). Stops at the first buffer that does
 * not fit (too few free descriptors) or is invalid (no segment, NULL
 * cookie, more segments than the queue or indirect table holds, more than
 * 4 GiB in all); an invalid buffer is described by vmmio_vq_error()
 * without breaking the queue. Returns how many were added, -EINVAL when
 * the first was invalid, -EIO when the queue is broken.
 *
 *	int vmmio_vq_add(struct vmmio_vq *vq, const struct vmmio_buf *bufs, unsigned n);
 *
 * (inline) The NIC's case of vmmio_vq_add(): @n buffers of one segment
 * each, buffer i the segment @seg[i] with cookie @cookie[i] (non-NULL),
 * all device-writable (@write: receive buffers) or all device-readable
 * (frames to send). The same ring state as vmmio_vq_add() would write,
 * without a struct vmmio_buf per buffer or the checks of its shape (one
 * segment is never a chain too long, never indirect). Returns how many
 * were added (fewer when the ring fills), -EINVAL when @cookie[0] is NULL
 * (stops before any NULL cookie), -EIO when the queue is broken.
 *
 *	int vmmio_vq_add1(struct vmmio_vq *vq, const struct vmmio_seg *seg,
 *			  void *const *cookie, unsigned n, bool write);
 *
 * (inline) Free descriptors: a buffer of k segments needs k (1 when it goes
 * indirect); buffers added and not yet reaped.
 *
 *	unsigned vmmio_vq_room(const struct vmmio_vq *vq);
 *	unsigned vmmio_vq_outstanding(const struct vmmio_vq *vq);
 *
 * (inline) Make everything added since the last publish visible to the
 * device, with one index store (split) or one head-flags store (packed)
 * after a write barrier. Returns true when the device asked to be notified
 * about it (flags, EVENT_IDX or packed event suppression).
 *
 *	bool vmmio_vq_publish(struct vmmio_vq *vq);
 *
 * (inline) The value for QueueNotify: the queue index, or with
 * NOTIFICATION_DATA the 32-bit word naming the next available position.
 *
 *	uint32_t vmmio_vq_notify_value(const struct vmmio_vq *vq);
 *
 * (inline) Publish, and notify when the device asked for it. 1 notified,
 * 0 not, negative errno from vmmio_notify().
 *
 *	int vmmio_vq_kick(struct vmmio_vq *vq, struct vmmio_dev *d);
 */

/* Write vmmio_vq_notify_value() to QueueNotify (counted in stats.kicks). */
VMMIO_API int vmmio_vq_notify(struct vmmio_vq *vq, struct vmmio_dev *d);

/* --- reaping used buffers ---------------------------------------------------- */

struct vmmio_used {
	void *cookie;
	uint32_t len; /* bytes the device wrote (<= the buffer's writable size) */
};

/*
 * (inline) Return up to @n used buffers, oldest first. Each used entry is checked
 * (id in range, a head, outstanding; length within the writable part;
 * used index at most the outstanding count ahead; packed flags consistent
 * with the wrap counter); a failed check breaks the queue and returns
 * none of the entries from the bad one on. A length beyond the buffer is
 * a lie, except where the spec says the field may be wrong: it is capped
 * on a Version 1 device, and 0 in a packed used descriptor without
 * VIRTQ_DESC_F_WRITE. With IN_ORDER, an entry that
 * stands for a batch returns every buffer of the batch (the ones before
 * the last with their full writable length). 0 when the queue is broken.
 *
 *	unsigned vmmio_vq_reap(struct vmmio_vq *vq, struct vmmio_used *out, unsigned n);
 *
 * (inline) True when a used buffer is waiting (cheap: one shared-memory
 * load).
 *
 *	bool vmmio_vq_has_used(const struct vmmio_vq *vq);
 */

/* --- used buffer notifications ----------------------------------------------- */

/* Poll mode: ask the device not to interrupt (NO_INTERRUPT, used_event kept
 * out of reach, or packed DISABLE). Not a guarantee: the device may still
 * send spurious interrupts. */
VMMIO_API void vmmio_vq_intr_disable(struct vmmio_vq *vq);

/*
 * Ask for interrupts, from the next used buffer on, until
 * vmmio_vq_intr_disable(); then re-check the ring (after a full barrier):
 * returns false when a used buffer arrived in the meantime, in which case
 * the caller must reap before waiting, since the interrupt for it may
 * already have been decided against. True on a broken queue (nothing is
 * to be reaped; see vmmio_vq_broken()).
 */
VMMIO_API bool vmmio_vq_intr_enable(struct vmmio_vq *vq);

/* --- reset -------------------------------------------------------------------- */

typedef void (*vmmio_vq_reclaim_fn)(void *cookie, void *arg);

/*
 * Once the device no longer uses the ring (after QueueReset, queue stop or
 * a device reset): hand every outstanding buffer, published or only added,
 * to @fn exactly once, oldest first (in the order they were added, on both
 * ring formats: a driver that resubmits them keeps their order), and
 * return the queue to its initial state (ring memory, indices, wrap
 * counters; a broken queue is whole again). Returns how many buffers were
 * handed back. @fn may be NULL on either ring format: the buffers are then
 * only counted (a caller that tracks its buffers itself drops them).
 */
VMMIO_API unsigned vmmio_vq_reclaim(struct vmmio_vq *vq, vmmio_vq_reclaim_fn fn, void *arg);

/*
 * Reset this queue on the device (vmmio_queue_reset(), needs
 * VIRTIO_F_RING_RESET), then vmmio_vq_reclaim(). The queue is left
 * disabled: vmmio_vq_enable() brings it back.
 */
VMMIO_API int vmmio_vq_reset(struct vmmio_vq *vq, struct vmmio_dev *d, vmmio_vq_reclaim_fn fn,
			     void *arg);

/* --- state ----------------------------------------------------------------------- */

/* What broke a queue: the check that failed on what the device wrote. */
enum vmmio_vq_fault {
	VMMIO_VQ_OK,
	VMMIO_VQ_BAD_ID, /* used id >= QueueSize */
	VMMIO_VQ_NOT_HEAD, /* split: used id is a descriptor inside a chain */
	VMMIO_VQ_NOT_OUTSTANDING, /* used id names no buffer the device holds */
	VMMIO_VQ_BAD_LEN, /* used length above the buffer's writable size */
	VMMIO_VQ_BAD_USED_IDX, /* split: used idx more than the outstanding count ahead */
	VMMIO_VQ_BAD_FLAGS, /* packed: AVAIL/USED bits inconsistent with the wrap counter */
};

VMMIO_API bool vmmio_vq_broken(const struct vmmio_vq *vq);
VMMIO_API enum vmmio_vq_fault vmmio_vq_fault(const struct vmmio_vq *vq);
/* "queue 1: used ring entry 7 names id 300, beyond QueueSize 256"; the last
 * invalid buffer passed to vmmio_vq_add() when not broken; "" if none. */
VMMIO_API const char *vmmio_vq_error(const struct vmmio_vq *vq);

struct vmmio_vq_stats {
	uint64_t added; /* buffers added */
	uint64_t reaped; /* buffers returned used */
	uint64_t indirect; /* buffers sent as an indirect table */
	uint64_t publishes; /* vmmio_vq_publish() calls that exposed buffers */
	uint64_t kicks; /* notifications sent */
	uint64_t kicks_suppressed; /* publishes after which no notification was asked for */
	uint64_t reclaimed; /* buffers handed back by vmmio_vq_reclaim() */
};
VMMIO_API void vmmio_vq_stats(const struct vmmio_vq *vq, struct vmmio_vq_stats *out);

VMMIO_API uint16_t vmmio_vq_index(const struct vmmio_vq *vq);
VMMIO_API uint16_t vmmio_vq_num(const struct vmmio_vq *vq);
VMMIO_API bool vmmio_vq_is_packed(const struct vmmio_vq *vq);

/* --- the burst path, inline ------------------------------------------------------- */

#include "vmmio_vq_pvt.h"

VMMIO_INLINE int vmmio_vq_add(struct vmmio_vq *vq, const struct vmmio_buf *bufs, unsigned n)
{
	if (VMMIO_UNLIKELY(vq->broken))
		return -EIO;
	return vq->p.packed ? vmmio_vq_packed_add(vq, bufs, n) : vmmio_vq_split_add(vq, bufs, n);
}

VMMIO_INLINE int vmmio_vq_add1(struct vmmio_vq *vq, const struct vmmio_seg *seg,
			      void *const *cookie, unsigned n, bool write)
{
	unsigned done;

	if (VMMIO_UNLIKELY(vq->broken))
		return -EIO;
	if (n > vq->num_free)
		n = vq->num_free;
	done = vq->p.packed ? vmmio_vq_packed_add1(vq, seg, cookie, n, write)
			    : vmmio_vq_split_add1(vq, seg, cookie, n, write);
	return !done && n ? -EINVAL : (int)done;
}

VMMIO_INLINE unsigned vmmio_vq_room(const struct vmmio_vq *vq)
{
	return vq->broken ? 0 : vq->num_free;
}

VMMIO_INLINE unsigned vmmio_vq_outstanding(const struct vmmio_vq *vq)
{
	return vq->outstanding;
}

VMMIO_INLINE bool vmmio_vq_publish(struct vmmio_vq *vq)
{
	bool need;

	if (vq->broken || !vq->unpublished)
		return false;
	need = vq->p.packed ? vmmio_vq_packed_publish(vq) : vmmio_vq_split_publish(vq);
	vq->unpublished = 0;
	vq->stats.publishes++;
	vq->stats.kicks_suppressed += !need;
	return need;
}

VMMIO_INLINE uint32_t vmmio_vq_notify_value(const struct vmmio_vq *vq)
{
	return vq->p.packed ? vmmio_vq_packed_notify_value(vq) : vmmio_vq_split_notify_value(vq);
}

VMMIO_INLINE int vmmio_vq_kick(struct vmmio_vq *vq, struct vmmio_dev *d)
{
	int r;

	if (!vmmio_vq_publish(vq) && !vq->kick_deferred)
		return 0;
	/* Buffers may be made available before DRIVER_OK, notifications may
	 * not: the next kick after DRIVER_OK sends the one that was due. */
	if (VMMIO_UNLIKELY(!(d->status & VMMIO_STATUS_DRIVER_OK))) {
		vq->kick_deferred = true;
		return 0;
	}
	vq->kick_deferred = false;
	r = vmmio_vq_notify(vq, d);
	return r < 0 ? r : 1;
}

VMMIO_INLINE unsigned vmmio_vq_reap(struct vmmio_vq *vq, struct vmmio_used *out, unsigned n)
{
	unsigned got;

	if (VMMIO_UNLIKELY(vq->broken) || !n)
		return 0;
	got = vq->p.packed ? vmmio_vq_packed_reap(vq, out, n) : vmmio_vq_split_reap(vq, out, n);
	vq->stats.reaped += got;
	return got;
}

VMMIO_INLINE bool vmmio_vq_has_used(const struct vmmio_vq *vq)
{
	if (vq->broken)
		return false;
	return vq->p.packed ? vmmio_vq_packed_has_used(vq) : vmmio_vq_split_has_used(vq);
}

#endif /* VMMIO_VQ_H */
