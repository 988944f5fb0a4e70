/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * devsim's datapath: the device side of split and packed rings, written
 * from the device half of the spec ("The device MUST ..." of the virtqueue
 * chapters), with the features the driver negotiated (EVENT_IDX, IN_ORDER,
 * INDIRECT_DESC, NOTIFICATION_DATA, RING_RESET).
 *
 * Ring addresses are the ones the driver wrote to the queue registers; an
 * in-process device sees IOVA = VA (vmmio_dma_heap_alloc()).
 *
 * Rings are serviced by a backend (struct devsim_config.backend):
 *   - synchronously, by devsim_step(), for deterministic tests; or
 *   - by a polling device thread (devsim_thread_start()), on another core.
 * While the device reads the rings it checks the ring-level driver rules
 * (RING-* in rules.def) and records violations like the register checker.
 *
 * Register accesses touch ring memory (the kick mode written as a queue is
 * enabled, the NOTIFICATION_DATA check of a QueueNotify) only once the
 * rings are live: from creation with the MANUAL and SINK backends, else
 * from the first call of this API (control-plane tests configure queue
 * addresses that nothing backs). A NOTIFICATION_DATA value that came
 * before is checked at the queue's first service.
 *
 * Fault injection (devsim_fault()) makes the device lie in the ways a
 * driver must survive.
 */
#ifndef DEVSIM_VQ_H
#define DEVSIM_VQ_H

#include <stdbool.h>
#include <stdint.h>

#include "devsim.h"

/* --- servicing ------------------------------------------------------------------ */

/*
 * Service every ready queue once, synchronously: take what is available
 * and hand it to the backend, then publish used buffers and send the used
 * buffer notification the driver's suppression asks for. A queue is
 * serviced when it was notified since it last ran dry, or always when its
 * kick mode is DEVSIM_KICK_NEVER (a polling device). Nothing happens before
 * DRIVER_OK. Returns the buffers used. Not with the device thread running.
 */
unsigned devsim_step(struct devsim *s);

/* How the device thread waits for work. */
struct devsim_thread_opts {
	int cpu; /* pin the thread to this CPU; < 0: any online CPU (not the creator's affinity) */
	/*
	 * 0: poll every ready queue forever and ask for no notifications
	 * (kick mode NEVER), as a polling backend such as DPDK's vhost does.
	 * N > 0: sleep when idle, as QEMU's or vhost-net's device does: a
	 * queue that gave nothing for N rounds in a row asks for a
	 * notification about its next buffer (kick mode AT its next position:
	 * flags 0 or avail_event, packed ENABLE or DESC), looks at the ring
	 * once more after a full barrier, and if it is still empty is not
	 * looked at again until a notification arrives; then it stops asking
	 * and polls again. A driver that misses a notification the device asked for
	 * leaves its buffers waiting for ever. (The sleeping thread spins on
	 * the notification count, not on the ring.)
	 */
	unsigned sleep_after;
};

/*
 * Start a device thread that services every ready queue as @o says (NULL:
 * not pinned, polling). From then on devsim is shared by two threads:
 * register accesses and interrupts are serialised inside devsim, the rings
 * are not (they are the lockless protocol under test), and the driver's
 * interrupt waits block in real time. A queue stop, queue reset or device
 * reset completes only once the thread let go of the queue. Returns 0 or
 * a negative errno.
 */
int devsim_thread_start(struct devsim *s, const struct devsim_thread_opts *o);
/* Stop and join the device thread (no-op if none). */
void devsim_thread_stop(struct devsim *s);

/* --- how the device asks for notifications --------------------------------------- */

enum devsim_kick_mode {
	/* Notify me about every publish: used flags 0, avail_event = next
	 * index, packed ENABLE. The default. */
	DEVSIM_KICK_ALWAYS,
	/* Never notify me (a polling device): NO_NOTIFY, avail_event kept out
	 * of reach, packed DISABLE. */
	DEVSIM_KICK_NEVER,
	/* Notify me once the driver made available the buffer at index @at
	 * (split avail_event = @at) or the descriptor at offset @at with wrap
	 * counter @wrap (packed DESC mode). Without EVENT_IDX: as ALWAYS. */
	DEVSIM_KICK_AT,
};

/*
 * Set queue @q's kick mode (applied now, and again whenever the queue is
 * enabled). With @check, the device records RING-NOTIFY-REQUIRED when it
 * finds, at a step, buffers made available past the point where it asked
 * for a notification and none came: call devsim_step() only after the
 * driver's kick decision then. -EBUSY while the device thread runs.
 */
int devsim_vq_kick_mode(struct devsim *s, uint16_t q, enum devsim_kick_mode m, uint16_t at,
			bool wrap, bool check);

/* --- the manual backend ------------------------------------------------------------ */

/* One segment of a chain, as the device read it. */
struct devsim_seg {
	uint64_t addr;
	uint32_t len;
	bool write; /* device-writable */
};

/* An available buffer taken by the device. */
struct devsim_chain {
	uint16_t id; /* split: head descriptor index; packed: buffer id */
	uint16_t ndescs; /* ring descriptors it occupies (1 for an indirect one) */
	bool indirect;
	uint32_t out_len; /* device-readable bytes */
	uint32_t in_len; /* device-writable bytes */
	uint16_t n_seg;
	struct devsim_seg *seg; /* caller's array of seg_cap entries */
	uint16_t seg_cap;
};

/*
 * Take the next available buffer of queue @q (DEVSIM_BACKEND_MANUAL).
 * Returns 1 with @c filled, 0 when none is available, -ENOSPC when the
 * chain has more than seg_cap segments (not taken; a NULL seg asks for no
 * segments), -EPROTO when the driver broke a ring rule reading it
 * (recorded; the queue stops), -EPERM before DRIVER_OK or when the queue
 * is not ready, -EBUSY while the device thread runs. The descriptors are
 * remembered: RING-EXPOSED-UNCHANGED is checked when the buffer is used.
 */
int devsim_vq_take(struct devsim *s, uint16_t q, struct devsim_chain *c);

struct devsim_used {
	uint16_t id; /* as taken */
	uint32_t len; /* bytes written to the device-writable part */
};

/*
 * Mark @n taken buffers used, in this order, publish them and send the
 * used buffer notification the driver's suppression asks for. With @batch
 * (IN_ORDER negotiated, buffers in the order taken) write one used entry
 * for the last of them and advance past all @n (split: the used idx moves
 * by @n; packed: one used descriptor). -EINVAL for an id not taken.
 */
int devsim_vq_use(struct devsim *s, uint16_t q, const struct devsim_used *u, unsigned n,
		  bool batch);

/* Buffers taken and not used yet. */
unsigned devsim_vq_in_flight(const struct devsim *s, uint16_t q);

/* Why the device stopped servicing queue @q (a ring rule broken, or
 * something no device can use, such as a descriptor index >= QueueSize),
 * or NULL while it services it. Cleared when the queue starts over. */
const char *devsim_vq_error(const struct devsim *s, uint16_t q);

/* --- fault injection ---------------------------------------------------------------- */

enum devsim_fault {
	DEVSIM_FAULT_NONE,
	DEVSIM_FAULT_USED_ID_RANGE, /* the next used entry names an id >= QueueSize */
	DEVSIM_FAULT_USED_ID_NOT_HEAD, /* split: names a descriptor inside an outstanding chain */
	DEVSIM_FAULT_USED_ID_STALE, /* names an id that is not outstanding (used twice) */
	DEVSIM_FAULT_USED_LEN, /* reports more bytes than the buffer's writable size */
	DEVSIM_FAULT_USED_IDX_JUMP, /* split: used idx jumps past the outstanding count */
	DEVSIM_FAULT_PACKED_WRAP, /* packed: a used descriptor with AVAIL != USED */
	/* names a buffer past the last one made available: the head in the
	 * first available ring slot past avail idx (split), the id in the first
	 * descriptor not made available (packed); the driver may have added it
	 * without publishing it yet */
	DEVSIM_FAULT_USED_ID_UNPUBLISHED,
	/* split: the next used idx store goes back by one from the last one
	 * (inside an IN_ORDER batch being reaped, or behind the driver) */
	DEVSIM_FAULT_USED_IDX_BACK,
	/* split, IN_ORDER: the next used entry that closes a batch of two
	 * buffers or more moves used idx by one, not by the batch size
	 * (armed until such a batch is used) */
	DEVSIM_FAULT_USED_IDX_SHORT,
	DEVSIM_FAULT_DROP_KICK, /* ignore the next @count notifications from the driver */
	DEVSIM_FAULT_DROP_IRQ, /* do not send the next @count used buffer notifications */
	DEVSIM_FAULT_SPURIOUS_IRQ, /* send @count used buffer notifications now, nothing used */
	DEVSIM_FAULT_NEEDS_RESET, /* set DEVICE_NEEDS_RESET now (mid-traffic) */
	DEVSIM_FAULT_COUNT
};

/* Name of a fault, "used-id-range". */
const char *devsim_fault_name(enum devsim_fault f);

/*
 * Arm fault @f on queue @q. Lies about used entries apply to the next
 * buffer the device uses (any backend); @count is for the DROP and
 * SPURIOUS kinds. -EINVAL for a fault that does not apply to the ring
 * format the driver negotiated (USED_IDX_SHORT: split with IN_ORDER).
 * USED_ID_NOT_HEAD names the second
 * descriptor of the chain being used (or of another one in flight): it
 * stays armed until a used write finds a chain of two descriptors or more.
 * USED_ID_STALE names the last id used (else the lowest id) that is
 * neither in flight nor available. DEVSIM_FAULT_NONE disarms them all.
 */
int devsim_fault(struct devsim *s, uint16_t q, enum devsim_fault f, uint32_t count);

/* --- statistics ------------------------------------------------------------------------ */

struct devsim_vq_stats {
	uint64_t kicks; /* notifications received (dropped ones included) */
	uint64_t kicks_dropped;
	uint64_t irqs; /* used buffer notifications sent */
	uint64_t irqs_dropped;
	uint64_t taken; /* buffers taken */
	uint64_t used; /* buffers used */
	uint64_t bytes; /* device-writable bytes reported in used entries */
	uint64_t polls; /* service rounds (step calls or thread iterations) */
	uint64_t sleeps; /* device thread: times it asked for a notification and slept */
	uint64_t truncated; /* loopback, forward: packets cut to the receive buffer(s) */
	/* loopback, on the transmit queue: packets not delivered, for an
	 * offload request it cannot honour (devsim_net.h) or a receive queue
	 * reset under them */
	uint64_t dropped;
	/* DEVSIM_BACKEND_FORWARD, on the receive queue: packets shorter than
	 * the two Ethernet addresses (12 bytes), delivered without the swap */
	uint64_t unswapped;
};

int devsim_vq_stats(const struct devsim *s, uint16_t q, struct devsim_vq_stats *out);

#endif /* DEVSIM_VQ_H */
