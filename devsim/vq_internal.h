/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * devsim's datapath internals: the device side of the rings (vq_dev.c,
 * vq_split_dev.c, vq_packed_dev.c), its fault injection (vq_faults.c), the
 * backends (backend_sink.c, backend_loopback.c, vq_service.c) and the
 * device thread (thread.c).
 *
 * Two kinds of per-queue state, owned by different parties:
 *   - struct devsim_vq_ctl: what the register side knows (notifications
 *     received, kick mode asked for, faults armed, the generation that says
 *     the ring must start over). Written under devsim's mutex.
 *   - struct devsim_vq: the ring state (positions, wrap counters, buffers
 *     in flight). Owned by whoever services the rings: the caller of
 *     devsim_step()/devsim_vq_take()/devsim_vq_use(), or the device thread
 *     while it runs. The servicer rebuilds it (devsim_ring_sync())
 *     whenever the control side's generation moved: the queue became
 *     ready, stopped, was reset, or the device was reset.
 */
#ifndef DEVSIM_VQ_INTERNAL_H
#define DEVSIM_VQ_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "devsim_vq.h"
#include "vmmio_ring.h"

struct devsim;

/* A chain as the device read it: the internal form of struct devsim_chain
 * and the device's record of a buffer in flight. */
struct vq_chain {
	uint16_t id; /* split: head index; packed: buffer id */
	uint16_t ndescs; /* ring descriptors (split: table descriptors) it occupies */
	uint16_t head; /* split: head index; packed: ring position of its first descriptor */
	uint16_t second; /* split: the chain's second table descriptor, or VQ_NO_DESC */
	bool indirect;
	bool done; /* used (in-flight table: waiting for the older ones to go) */
	uint16_t n_seg; /* segments found, stored or not */
	uint16_t tbl_n; /* indirect table entries walked */
	uint32_t out_len, in_len;
	uint32_t pos; /* split: avail index of its slot; packed: descriptors taken before it */
	uint64_t tbl_addr; /* its indirect table (the snapshot re-reads it only if unchanged) */
	uint32_t tbl_len;
	uint64_t snap; /* hash of the descriptors it was taken with (step mode) */
};

#define VQ_NO_DESC 0xffffu

/* A used buffer, before it is written to the ring. */
struct vq_done {
	uint16_t id;
	uint16_t ndescs;
	uint16_t second; /* for DEVSIM_FAULT_USED_ID_NOT_HEAD */
	uint32_t len; /* bytes written, as reported */
	uint32_t in_len; /* its writable size (DEVSIM_FAULT_USED_LEN) */
};

/* A packed used descriptor whose flags are still to be written (devsim_ring_flush()). */
struct vq_pend {
	uint16_t pos;
	uint16_t flags;
};

struct devsim_vq {
	uint64_t gen; /* the devsim_vq_ctl.gen this state was built for */
	bool usable; /* ready, with a valid size and its memory */
	bool broken; /* the driver broke a ring rule: not serviced until re-enabled */
	char err[160]; /* why it broke */
	bool packed, event_idx, in_order, indirect, notif_data;
	uint16_t num;
	uint16_t mask; /* split: num - 1 */

	/* split areas */
	struct vmmio_vring_desc *desc;
	struct vmmio_vring_avail *avail;
	struct vmmio_vring_used *used;
	uint16_t last_avail; /* next available ring entry to take */
	uint16_t avail_idx; /* the available idx last read */
	uint16_t used_idx; /* next used ring entry to write */
	uint16_t used_signalled; /* used idx at the last notification decision */
	uint16_t avail_event; /* kick mode NEVER: the value kept out of the driver's reach */

	/* packed areas */
	struct vmmio_pdesc *ring;
	struct vmmio_pevent *drv_event; /* Driver Area: controls our notifications */
	struct vmmio_pevent *dev_event; /* Device Area: controls the driver's */
	uint16_t avail_pos, used_pos;
	bool avail_wrap, used_wrap;
	uint32_t taken_descs, used_descs; /* free running, in descriptors */
	uint32_t signalled_descs; /* used_descs at the last notification decision */
	struct vq_pend *pend; /* num entries */
	uint16_t n_pend;

	/* faults consumed on the next write (vq_faults.c) */
	bool jump_pending; /* split: the next used idx store jumps */
	bool back_pending; /* split: the next used idx store goes back */
	uint16_t last_used_id;
	bool any_used;

	/* what the kick mode wrote, and the driver's obligation it created
	 * (RING-NOTIFY-REQUIRED, with devsim_vq_kick_mode(check)) */
	enum devsim_kick_mode applied;
	bool ask_active;
	uint64_t ask_kicks; /* devsim_vq_ctl.kicks when the device asked */
	uint16_t ask_idx; /* split: avail idx seen when asking; packed: first position not available */
	bool ask_wrap;
	uint16_t ask_event; /* split: avail_event; packed: off_wrap (DESC mode) */

	/* the device thread's sleep when idle (struct devsim_thread_opts) */
	unsigned idle; /* rounds in a row that gave nothing */
	bool asleep; /* asked for a notification; not polled until one comes */
	uint64_t sleep_kicks; /* devsim_vq_ctl.kicks when it went to sleep */

	/* in flight (devsim_vq_take), in the order taken: a ring of num
	 * records, used ones kept until the older ones go */
	struct vq_chain *inflight;
	uint16_t if_head, if_count;
	uint16_t n_out; /* records not used yet */
	struct vq_done *done; /* num entries: a batch being used */
	struct devsim_seg *seg; /* loopback, controlq: segments of one chain (2 * num) */
};

struct devsim_vq_ctl {
	uint64_t gen; /* bumped whenever the ring state must start over */
	uint64_t stop_epoch, reset_epoch; /* read-backs wait for the device thread past these */
	uint32_t pfn_before; /* legacy QueuePFN presented until the thread let go */
	bool notified; /* a notification came since the queue last ran dry */
	uint64_t kicks; /* notifications accepted (not dropped); atomic: the device thread reads it */
	enum devsim_kick_mode kick;
	uint16_t kick_at;
	bool kick_wrap, kick_check;
	bool notify_pending; /* a NOTIFICATION_DATA value that came before the rings were live */
	uint32_t notify_value;
	uint32_t lie; /* an armed used-entry fault (enum devsim_fault), atomic */
	uint32_t drop_kicks, drop_irqs;
	struct devsim_vq_stats st;
};

/* Single-writer counters read by another thread: no torn or cached values. */
static inline void vq_stat_add(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + v, __ATOMIC_RELAXED);
}

static inline void *vq_ptr(uint64_t iova)
{
	return (void *)(uintptr_t)iova; /* in-process device: IOVA = VA */
}

/* The @i-th oldest record of the in-flight table. */
static inline struct vq_chain *vq_inflight_at(const struct devsim_vq *vq, unsigned i)
{
	unsigned k = vq->if_head + i;

	return &vq->inflight[k >= vq->num ? k - vq->num : k];
}

/* --- common (vq_dev.c) ---------------------------------------------------------- */

/* What the register side did to a queue's ring (lock held). */
enum vq_event {
	VQ_EV_START, /* QueueReady = 1, or a QueuePFN */
	VQ_EV_STOP, /* QueueReady = 0, QueuePFN = 0 */
	VQ_EV_RESET, /* QueueReset */
};
void devsim_ring_event(struct devsim *s, uint16_t q, enum vq_event ev);
/* Status = 0: every ring starts over (lock held). */
void devsim_ring_device_reset(struct devsim *s);

/* Bring queue @q's ring state up to date with the registers (the servicer
 * calls it before touching the ring). Returns whether it can be serviced. */
bool devsim_ring_sync(struct devsim *s, uint16_t q);
/* The ring areas of queue @q from its registers; false when not ready. */
bool devsim_ring_geometry(const struct devsim *s, uint16_t q, uint64_t *desc, uint64_t *drv,
			  uint64_t *dev);
/* Write the suppression fields of the effective kick mode ... */
void devsim_ring_apply_kick(struct devsim *s, uint16_t q);
/* ... or of kick mode @m (@at, @wrap for DEVSIM_KICK_AT): the device
 * thread, going to sleep and waking. */
void devsim_ring_apply_mode(struct devsim *s, uint16_t q, enum devsim_kick_mode m, uint16_t at,
			    bool wrap);
/* After taking buffers: refresh avail_event (ALWAYS; NEVER when within reach). */
void devsim_ring_kick_tick(struct devsim *s, uint16_t q);

/* Take the next available chain: 1, 0 none, -ENOSPC (more than @cap
 * segments; not taken; only with @seg), -EPROTO (a ring rule broken). */
int devsim_ring_take(struct devsim *s, uint16_t q, struct vq_chain *c, struct devsim_seg *seg,
		     uint16_t cap);
/* Room in vq->seg for a chain of up to QueueSize descriptors plus an
 * indirect table of up to QueueSize entries (2 * num segments). */
bool devsim_ring_segs_ready(struct devsim_vq *vq);
/* Whether a chain is available (without taking it). */
bool devsim_ring_has_avail(struct devsim *s, uint16_t q);
/* Write used entries for @n buffers (one for the batch with @batch) ... */
void devsim_ring_used_add(struct devsim *s, uint16_t q, const struct vq_done *d, unsigned n,
			  bool batch);
/* ... and publish them with one store, then send the used buffer
 * notification the driver's suppression asks for. */
void devsim_ring_flush(struct devsim *s, uint16_t q);

/* Record ring rule @rule broken on queue @q and stop servicing it. Returns -EPROTO. */
int devsim_ring_violation(struct devsim *s, uint16_t q, enum devsim_rule rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The driver wrote something no rule names but no device can use: stop. -EPROTO. */
int devsim_ring_malformed(struct devsim *s, uint16_t q, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Record @rule without stopping the queue (notification rules). Takes the lock. */
void devsim_ring_record(struct devsim *s, enum devsim_rule rule, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* FNV-1a over @len bytes, continuing @h. */
uint64_t devsim_ring_hash(uint64_t h, const void *p, size_t len);
#define VQ_HASH_INIT 0xcbf29ce484222325ull

/* --- split and packed engines (vq_split_dev.c, vq_packed_dev.c) ---------------------- */

/* Walking a chain: the segments found (stored while there is room). */
struct vq_walk {
	struct vq_chain *c;
	struct devsim_seg *seg;
	uint16_t cap;
	bool wrote; /* a device-writable descriptor came already */
};

/* Count (and store, if there is room) one segment. Returns false when a
 * device-readable one follows a device-writable one. */
static inline bool vq_seg_add(struct vq_walk *w, uint64_t addr, uint32_t len, bool write)
{
	struct vq_chain *c = w->c;

	if (!write && w->wrote)
		return false;
	w->wrote |= write;
	if (write)
		c->in_len += len;
	else
		c->out_len += len;
	if (w->seg && c->n_seg < w->cap)
		w->seg[c->n_seg] = (struct devsim_seg){ .addr = addr, .len = len, .write = write };
	c->n_seg++;
	return true;
}

int devsim_ring_split_take(struct devsim *s, uint16_t q, struct vq_chain *c,
			   struct devsim_seg *seg, uint16_t cap);
bool devsim_ring_split_has_avail(struct devsim_vq *vq);
void devsim_ring_split_put(struct devsim_vq *vq, uint16_t id, uint32_t len, uint16_t advance);
/* Publish; returns whether to notify the driver. */
bool devsim_ring_split_flush(struct devsim_vq *vq);
uint64_t devsim_ring_split_snapshot(const struct devsim_vq *vq, const struct vq_chain *c);
/* The head in the first available ring slot past avail idx: a buffer the
 * device has no business using (DEVSIM_FAULT_USED_ID_UNPUBLISHED). */
uint16_t devsim_ring_split_phantom_id(const struct devsim_vq *vq);
void devsim_ring_split_apply_kick(struct devsim_vq *vq, enum devsim_kick_mode m, uint16_t at);
/* Store avail_event (EVENT_IDX: where the driver is to notify). */
void devsim_ring_split_avail_event_set(struct devsim_vq *vq, uint16_t v);

int devsim_ring_packed_take(struct devsim *s, uint16_t q, struct vq_chain *c,
			    struct devsim_seg *seg, uint16_t cap);
bool devsim_ring_packed_has_avail(const struct devsim_vq *vq);
/* @writable: the buffer has a device-writable part (WRITE in the used
 * descriptor: its length counts). */
void devsim_ring_packed_put(struct devsim_vq *vq, uint16_t id, uint32_t len, uint16_t advance,
			    bool writable, bool bad_wrap);
bool devsim_ring_packed_flush(struct devsim_vq *vq);
uint64_t devsim_ring_packed_snapshot(const struct devsim_vq *vq, const struct vq_chain *c);
void devsim_ring_packed_apply_kick(struct devsim_vq *vq, enum devsim_kick_mode m, uint16_t at,
				   bool wrap);
/* The first position from the device's next available one that is not
 * available, and its wrap counter (NOTIFICATION_DATA, the kick check). */
void devsim_ring_packed_first_unavail(const struct devsim_vq *vq, uint16_t *pos, bool *wrap);
/* Whether the descriptor at @pos is available for wrap counter @wrap ... */
bool devsim_ring_packed_avail_at(const struct devsim_vq *vq, uint16_t pos, bool wrap);
/* ... and made available: in the run of available ones from the device's
 * position (a burst's later descriptors are flagged before its head). */
bool devsim_ring_packed_made_avail(const struct devsim_vq *vq, uint16_t pos, bool wrap);
/* The buffer id in the first descriptor not made available: a buffer the
 * device has no business using (DEVSIM_FAULT_USED_ID_UNPUBLISHED). */
uint16_t devsim_ring_packed_phantom_id(const struct devsim_vq *vq);

/* --- notifications from the driver (vq_notify.c) ------------------------------------ */

/* A QueueNotify write for queue @q (register path, lock held). */
void devsim_ring_on_notify(struct devsim *s, uint16_t q, uint32_t val);
/* Before servicing: check a NOTIFICATION_DATA value kept from before the
 * rings were live. */
void devsim_ring_check_pending_notify(struct devsim *s, uint16_t q);
/* At a step, before servicing: RING-NOTIFY-REQUIRED. */
void devsim_ring_check_notify_required(struct devsim *s, uint16_t q);
/* After the device wrote its suppression fields or took buffers: note
 * where it now asks to be notified (with devsim_vq_kick_mode(check)). */
void devsim_ring_ask_refresh(struct devsim *s, uint16_t q);

/* --- faults (vq_faults.c) ------------------------------------------------------------- */

struct vq_lie {
	bool id_set, len_set, bad_wrap;
	bool short_batch; /* split: the batch's idx moves by one */
	uint16_t id;
	uint32_t len;
};

/* Consume the armed used-entry fault for the entry about to name @subject
 * (one of @d[0..n), written as one IN_ORDER batch when @batch); fills
 * @lie. */
void devsim_ring_fault_take(struct devsim *s, uint16_t q, const struct vq_done *d, unsigned n,
			    bool batch, const struct vq_done *subject, struct vq_lie *lie);

/* --- service (vq_service.c, backend_*.c) --------------------------------------------- */

/* Service every queue once with the backend; returns buffers used. */
unsigned devsim_ring_service_all(struct devsim *s);
unsigned devsim_ring_sink_service(struct devsim *s, uint16_t q);
unsigned devsim_ring_loopback_service(struct devsim *s, uint16_t rxq, uint16_t txq);

/* --- the device thread (thread.c) ---------------------------------------------------- */

/* A register-side change the device thread must see before the read-back
 * that completes it: returns the new epoch (lock held). */
uint64_t devsim_ring_epoch_bump(struct devsim *s);
/* Whether the device thread has not yet caught up with epoch @e. */
bool devsim_ring_thread_behind(const struct devsim *s, uint64_t e);
/* Device thread: whether queue @q is polled this round; a queue asleep
 * wakes (and stops asking for notifications) once one came. */
bool devsim_ring_thread_due(struct devsim *s, uint16_t q);
/* Device thread: queue @q gave @used buffers this round; after
 * sleep_after idle rounds it asks for a notification and sleeps. */
void devsim_ring_thread_idle_check(struct devsim *s, uint16_t q, unsigned used);

#endif /* DEVSIM_VQ_INTERNAL_H */
