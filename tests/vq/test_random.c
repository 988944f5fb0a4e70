/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Randomised differential test of the ring engines against devsim's device
 * side (manual backend): long random sequences of add, publish and kick,
 * device take and use, reap and queue reset, for every combination of
 * EVENT_IDX, IN_ORDER, INDIRECT_DESC and NOTIFICATION_DATA on one ring
 * format. The test keeps its own model of every buffer (model.h) and
 * checks, at each step:
 *   - the device takes exactly the segments the driver was given, in the
 *     order they were made available (addresses, lengths, direction,
 *     indirect or not, descriptors used), with ids no other buffer holds;
 *   - every buffer comes back exactly once, in the order the device used
 *     it, with the length the device reported (with IN_ORDER batches: the
 *     full writable size for all but the last);
 *   - a queue reset hands back every outstanding buffer exactly once;
 *   - the driver notifies when the device asked (devsim checks it), never
 *     when it asked not to be, exactly when an EVENT_IDX event point was
 *     crossed, with the right NOTIFICATION_DATA word;
 *   - devsim's ring checker records no violation.
 * Runs are long enough to wrap the 16-bit split indices and the packed
 * wrap counters; queue sizes go from 1 to 32768.
 *
 *   test_vq_random split|packed|legacy [seed]     (or VMMIO_SEED=seed)
 *   VMMIO_VQ_CASE=name runs one combination only.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "rig.h"
#include "tap.h"

#define Q 0 /* the queue under test */
#define BURST_MAX 64u
#define USE_MAX 32u
/* Segments spent on chains of (nearly) QueueSize descriptors per run. */
#define LONG_CHAIN_BUDGET 200000u
/* Split: buffers made available without a queue reset, to wrap idx. */
#define SPLIT_WRAP_BUFS 70000u

struct combo {
	struct rig_ring ring;
	uint16_t num;
	uint64_t seed; /* the base seed: replay with it and VMMIO_VQ_CASE=name */
	unsigned index; /* the combination's number, mixed into its random stream */
	uint32_t bufs_reset; /* phase A: buffers with random queue resets */
	uint32_t bufs_plain; /* phase B: buffers without (index wrap) */
	char name[96];
};

struct run {
	const struct combo *c;
	uint64_t seed;
	struct rng g;
	struct rig rig;
	struct vmmio_vq *vq;
	struct devsim *sim;
	uint16_t num;
	struct pool pool;
	struct fifo added, avail, held, used;
	uint32_t free_descs; /* num minus the descriptors of outstanding buffers */
	/* positions since the last queue reset */
	uint64_t pub_bufs, pub_descs;
	/* the device's kick mode */
	enum devsim_kick_mode mode;
	uint16_t at;
	bool at_wrap;
	/* totals */
	uint64_t n_added, n_reaped, n_reclaimed, n_indirect, n_resets, n_kicks;
	uint64_t n_long; /* buffers of at least QueueSize - 2 segments (QueueSize >= 8) */
	uint64_t max_pub_bufs, max_pub_descs; /* the furthest one stretch went */
	uint64_t long_budget;
	bool force_long; /* the next buffer: as many segments as descriptors are free */
	uint64_t op;
	bool failed;
	uint32_t reclaim_count;
	struct devsim_seg *dseg;
	uint32_t *lens;
	uint32_t seg_cap;
	bool *id_held; /* ids the device took and the driver has not reaped */
	struct vmmio_used out[BURST_MAX];
};

static void run_fail(struct run *R, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Report the first failure of a run (later ones follow from it). */
static void run_fail(struct run *R, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (R->failed)
		return;
	R->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	RIG_FAIL(R->seed, "%s (QueueSize %u) op %" PRIu64 " (line %d): %s", R->c->name, R->num,
		 R->op, line, msg);
}

#define FAIL(R, ...) run_fail((R), __LINE__, __VA_ARGS__)

static const char *mode_name(enum devsim_kick_mode m)
{
	return m == DEVSIM_KICK_ALWAYS ? "ALWAYS" : m == DEVSIM_KICK_NEVER ? "NEVER" : "AT";
}

/* The packed wrap counter of ring position @p (counted from the reset):
 * 1 on the first lap ("initialized to 1"), flipping each lap. */
static bool lap_wrap(const struct run *R, uint64_t p)
{
	return ((p / R->num) & 1) == 0;
}

/* --- building buffers ----------------------------------------------------------- */

static uint32_t pick_len(struct run *R)
{
	switch (rng_below(&R->g, 8)) {
	case 0:
		return 1;
	case 1:
		return rng_range(&R->g, 1, 1u << 20);
	default:
		return rng_range(&R->g, 1, 2048);
	}
}

/* A chain length the queue accepts: mostly short, some in and around the
 * indirect range, a few of (nearly) QueueSize descriptors. Never more than
 * QueueSize, indirect or not ("A driver MUST NOT create a descriptor chain
 * longer than the Queue Size of the device", in "Indirect Descriptors"). */
static uint32_t pick_nseg(struct run *R)
{
	const uint32_t max_ok = R->num;
	const uint32_t r = rng_below(&R->g, 1000);
	uint32_t n;

	if (R->force_long) {
		R->force_long = false;
		return R->free_descs - rng_below(&R->g, R->free_descs < 3 ? R->free_descs : 3);
	}
	if (r < 500)
		n = rng_range(&R->g, 1, 2);
	else if (r < 850)
		n = rng_range(&R->g, 1, 8);
	else if (r < 980)
		n = rng_range(&R->g, 1, 24);
	else if (r < 997)
		n = rng_range(&R->g, 1, 128);
	else {
		/* nearly all the free descriptors when most are free (on a big
		 * queue they rarely all are), else nearly QueueSize, which
		 * then waits for room */
		const bool roomy = R->free_descs >= R->num - R->num / 4u;
		const uint32_t base = roomy ? R->free_descs : R->num;

		n = base - rng_below(&R->g, base < 3 ? base : 3);
		if (n > R->long_budget)
			n = 1;
		R->long_budget -= n;
	}
	return n > max_ok ? max_ok : n;
}

static struct rec *make_buf(struct run *R)
{
	const uint32_t n = pick_nseg(R);
	const uint32_t n_out = rng_one_in(&R->g, 4) ? 0 : rng_below(&R->g, n + 1);
	uint64_t total = 0;
	struct rec *r;

	for (uint32_t i = 0; i < n; i++) {
		R->lens[i] = pick_len(R);
		total += R->lens[i];
	}
	/* "Drivers MUST NOT add a descriptor chain longer than 2^32 bytes" */
	if (total > UINT32_MAX)
		for (uint32_t i = 0; i < n; i++)
			R->lens[i] = 1;
	r = pool_get(&R->pool, (uint16_t)n_out, (uint16_t)(n - n_out), R->lens);
	if (!r)
		return NULL;
	r->indirect = R->c->ring.indirect && n >= 2 && n <= VMMIO_VQ_INDIRECT_MAX_DEFAULT;
	r->ndescs = r->indirect ? 1 : (uint16_t)n;
	return r;
}

/* A one-segment buffer, device-writable when @write: what vmmio_vq_add1() takes. */
static struct rec *make_buf1(struct run *R, bool write)
{
	struct rec *r;

	R->lens[0] = pick_len(R);
	r = pool_get(&R->pool, write ? 0 : 1, write ? 1 : 0, R->lens);
	if (!r)
		return NULL;
	r->indirect = false;
	r->ndescs = 1;
	return r;
}

/* --- the operations ----------------------------------------------------------------- */

static uint32_t expect_notify_word(const struct run *R)
{
	if (!R->c->ring.notif_data)
		return Q;
	if (!R->c->ring.packed)
		return vmmio_notify_data_split(Q, (uint16_t)R->pub_bufs);
	return vmmio_notify_data_packed(Q, (uint16_t)(R->pub_descs % R->num),
					lap_wrap(R, R->pub_descs));
}

static void op_add(struct run *R)
{
	struct vmmio_buf bufs[BURST_MAX];
	struct vmmio_seg seg1[BURST_MAX];
	void *cookies[BURST_MAX];
	struct rec *recs[BURST_MAX];
	const uint32_t want = rng_range(&R->g, 1, rng_one_in(&R->g, 4) ? BURST_MAX : 8);
	/* One burst in three the NIC's way: one segment each, one direction,
	 * through vmmio_vq_add1(); the device and the model cannot tell. */
	const bool one_seg = rng_one_in(&R->g, 3), write = rng_one_in(&R->g, 2);
	uint32_t k, room = R->free_descs, expect = 0;
	bool fits = true;
	int ret;

	if (vmmio_vq_room(R->vq) != R->free_descs)
		FAIL(R, "vmmio_vq_room() is %u, the model has %u free descriptors",
		     vmmio_vq_room(R->vq), R->free_descs);
	for (k = 0; k < want; k++) {
		struct rec *r = one_seg ? make_buf1(R, write) : make_buf(R);

		if (!r)
			break;
		recs[k] = r;
		bufs[k] = (struct vmmio_buf){ r->seg, r->n_out, r->n_in, r };
		seg1[k] = r->seg[0];
		cookies[k] = r;
		if (fits && r->ndescs <= room) {
			room -= r->ndescs;
			expect++;
		} else {
			fits = false;
		}
	}
	if (!k)
		return;
	ret = one_seg ? vmmio_vq_add1(R->vq, seg1, cookies, k, write) : vmmio_vq_add(R->vq, bufs, k);
	if (ret != (int)expect)
		FAIL(R, "vmmio_vq_add%s() of %u buffers (the first of %u segments, %u descriptors) "
			"returned %d, expected %u with %u descriptors free: %s",
		     one_seg ? "1" : "", k, recs[0]->n_out + recs[0]->n_in, recs[0]->ndescs, ret, expect,
		     R->free_descs,
		     vmmio_vq_error(R->vq));
	for (uint32_t i = 0; i < k; i++) {
		struct rec *r = recs[i];

		if (i >= expect || R->failed) {
			pool_put(&R->pool, r);
			continue;
		}
		r->st = REC_ADDED;
		fifo_push(&R->added, r);
		R->free_descs -= r->ndescs;
		R->n_added++;
		R->n_indirect += r->indirect;
		R->n_long += R->num >= 8 && r->n_out + r->n_in + 2u >= R->num;
	}
	/* added is not available: the notification still names the
	 * published position */
	if (vmmio_vq_notify_value(R->vq) != expect_notify_word(R))
		FAIL(R, "vmmio_vq_notify_value() is 0x%08x after an add, expected 0x%08x (%" PRIu64
			" buffers and %" PRIu64 " descriptors published)",
		     vmmio_vq_notify_value(R->vq), expect_notify_word(R), R->pub_bufs,
		     R->pub_descs);
}

/* With EVENT_IDX in AT mode: did publishing move past the event point?
 * Split: avail idx from @ob to @nb crossed avail_event. Packed: the
 * descriptor at offset @at with wrap counter @at_wrap is in [@od, @nd). */
static bool event_crossed(const struct run *R, uint64_t ob, uint64_t nb, uint64_t od, uint64_t nd)
{
	uint64_t p;

	if (!R->c->ring.packed)
		return vmmio_need_event(R->at, (uint16_t)nb, (uint16_t)ob);
	p = od - od % R->num + R->at;
	if (p < od)
		p += R->num;
	return p < nd && lap_wrap(R, p) == R->at_wrap;
}

static void op_kick(struct run *R)
{
	const uint64_t ob = R->pub_bufs, od = R->pub_descs;
	struct devsim_queue_state before, after;
	uint64_t nd = od;
	int expect = -1, kicked, e;
	unsigned seen;

	for (uint32_t i = 0; i < R->added.n; i++)
		nd += fifo_at(&R->added, i)->ndescs;
	if (!R->added.n || R->mode == DEVSIM_KICK_NEVER)
		expect = 0;
	else if (!R->c->ring.event_idx)
		expect = 1; /* flags 0 (split) or ENABLE (packed): every publish */
	else if (R->mode == DEVSIM_KICK_AT)
		expect = event_crossed(R, ob, ob + R->added.n, od, nd);
	/* else ALWAYS with EVENT_IDX: the event point is where the device last
	 * looked; devsim checks that no notification it needed was missed. */
	devsim_queue_state(R->sim, Q, &before);
	if (rng_one_in(&R->g, 4)) {
		kicked = vmmio_vq_publish(R->vq);
		if (kicked && (e = vmmio_vq_notify(R->vq, &R->rig.dev)) != 0)
			FAIL(R, "vmmio_vq_notify() = %d: %s", e, vmmio_dev_error(&R->rig.dev));
	} else {
		kicked = vmmio_vq_kick(R->vq, &R->rig.dev);
		if (kicked < 0)
			FAIL(R, "vmmio_vq_kick() = %d: %s", kicked, vmmio_dev_error(&R->rig.dev));
	}
	while (R->added.n) {
		struct rec *r = fifo_pop(&R->added);

		r->st = REC_AVAIL;
		fifo_push(&R->avail, r);
		R->pub_bufs++;
	}
	R->pub_descs = nd;
	if (R->pub_bufs > R->max_pub_bufs)
		R->max_pub_bufs = R->pub_bufs;
	if (R->pub_descs > R->max_pub_descs)
		R->max_pub_descs = R->pub_descs;
	devsim_queue_state(R->sim, Q, &after);
	seen = after.notifies - before.notifies;
	R->n_kicks += (unsigned)kicked;
	if (seen != (unsigned)kicked)
		FAIL(R, "the driver notified %d times, the device saw %u", kicked, seen);
	if (expect >= 0 && kicked != expect)
		FAIL(R, "%s notification (mode %s, event %u wrap %d, EVENT_IDX %d): "
			"buffers %" PRIu64 "..%" PRIu64 ", descriptors %" PRIu64 "..%" PRIu64,
		     expect ? "missing" : "unexpected", mode_name(R->mode), R->at, R->at_wrap,
		     R->c->ring.event_idx, ob, R->pub_bufs, od, nd);
	/* QueueNotify carries the next position to be made available
	 * (NOTIFICATION_DATA) or just the queue index */
	if (kicked && after.last_notify != expect_notify_word(R))
		FAIL(R, "QueueNotify was written 0x%08x, expected 0x%08x after %" PRIu64
			" buffers and %" PRIu64 " descriptors",
		     after.last_notify, expect_notify_word(R), R->pub_bufs, R->pub_descs);
	if (vmmio_vq_notify_value(R->vq) != expect_notify_word(R))
		FAIL(R, "vmmio_vq_notify_value() is 0x%08x, expected 0x%08x after %" PRIu64
			" buffers and %" PRIu64 " descriptors",
		     vmmio_vq_notify_value(R->vq), expect_notify_word(R), R->pub_bufs,
		     R->pub_descs);
}

static void check_chain(struct run *R, const struct rec *r, const struct devsim_chain *c)
{
	const uint32_t n = (uint32_t)r->n_out + r->n_in;

	if (c->n_seg != n || c->indirect != r->indirect || c->ndescs != r->ndescs ||
	    c->out_len != r->out_len || c->in_len != r->in_len) {
		FAIL(R, "device took %u segments (%u+%u bytes, %u descriptors, indirect %d); the "
			"driver was given buffer %" PRIu64 " of %u+%u segments (%u+%u bytes, "
			"%u descriptors, indirect %d)",
		     c->n_seg, c->out_len, c->in_len, c->ndescs, c->indirect, r->serial, r->n_out,
		     r->n_in, r->out_len, r->in_len, r->ndescs, r->indirect);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct devsim_seg *s = &c->seg[i];

		if (s->addr != r->seg[i].addr || s->len != r->seg[i].len ||
		    s->write != (i >= r->n_out)) {
			FAIL(R, "buffer %" PRIu64 " segment %u: device saw 0x%" PRIx64
				" len %u %s, driver was given 0x%" PRIx64 " len %u %s",
			     r->serial, i, s->addr, s->len, s->write ? "writable" : "readable",
			     r->seg[i].addr, r->seg[i].len,
			     i >= r->n_out ? "writable" : "readable");
			return;
		}
	}
	if (c->id >= R->num)
		FAIL(R, "buffer %" PRIu64 " taken with id %u >= QueueSize", r->serial, c->id);
	else if (R->id_held[c->id])
		FAIL(R, "buffer %" PRIu64 " taken with id %u, which another buffer still holds",
		     r->serial, c->id);
}

static void op_take(struct run *R)
{
	const uint32_t k = rng_range(&R->g, 1, BURST_MAX);
	unsigned stepped = devsim_step(R->sim);

	/* The manual backend leaves buffers to the test; a step only lets
	 * the device check the notifications it asked for. */
	if (stepped)
		FAIL(R, "devsim_step() used %u buffers with the manual backend", stepped);
	for (uint32_t i = 0; i < k && !R->failed; i++) {
		struct devsim_chain c = { .seg = R->dseg, .seg_cap = (uint16_t)R->seg_cap };
		struct rec *r = fifo_at(&R->avail, 0);
		int e = devsim_vq_take(R->sim, Q, &c);

		if (!r) {
			if (e != 0)
				FAIL(R, "devsim_vq_take() = %d (id %u) with nothing available", e,
				     c.id);
			return;
		}
		if (e != 1) {
			FAIL(R, "devsim_vq_take() = %d, expected buffer %" PRIu64, e, r->serial);
			return;
		}
		check_chain(R, r, &c);
		if (R->failed)
			return;
		fifo_pop(&R->avail);
		r->st = REC_TAKEN;
		r->dev_id = c.id;
		R->id_held[c.id] = true;
		fifo_push(&R->held, r);
	}
}

static uint32_t pick_used_len(struct run *R, const struct rec *r)
{
	switch (rng_below(&R->g, 6)) {
	case 0:
		return 0;
	case 1:
		return r->in_len;
	default:
		return (uint32_t)(rng_next(&R->g) % ((uint64_t)r->in_len + 1));
	}
}

static void op_use(struct run *R)
{
	struct devsim_used u[USE_MAX];
	struct rec *rs[USE_MAX];
	const bool in_order = R->c->ring.in_order;
	uint32_t k;
	bool batch;
	int e;

	if (!R->held.n)
		return;
	k = rng_range(&R->g, 1, R->held.n < USE_MAX ? R->held.n : USE_MAX);
	batch = in_order && k > 1 && rng_one_in(&R->g, 2);
	for (uint32_t i = 0; i < k; i++) {
		/* "the device MUST use buffers in the same order in which they
		 * have been available" with IN_ORDER; any order without */
		rs[i] = in_order ? fifo_pop(&R->held)
				 : fifo_take(&R->held, rng_below(&R->g, R->held.n));
		u[i].id = rs[i]->dev_id;
		u[i].len = pick_used_len(R, rs[i]);
		/* a batch's one used entry says the length of its last buffer;
		 * the others were written in full */
		rs[i]->expect_len = batch && i + 1 < k ? rs[i]->in_len : u[i].len;
	}
	e = devsim_vq_use(R->sim, Q, u, k, batch);
	if (e)
		FAIL(R, "devsim_vq_use() of %u buffers (batch %d) = %d", k, batch, e);
	for (uint32_t i = 0; i < k; i++) {
		rs[i]->st = REC_USED;
		fifo_push(&R->used, rs[i]);
	}
}

static void op_reap(struct run *R)
{
	const uint32_t k = rng_range(&R->g, 1, BURST_MAX);
	const uint32_t expect = k < R->used.n ? k : R->used.n;
	const bool has = vmmio_vq_has_used(R->vq);
	unsigned got;

	if (has != (R->used.n > 0))
		FAIL(R, "vmmio_vq_has_used() = %d with %u used buffers waiting", has, R->used.n);
	got = vmmio_vq_reap(R->vq, R->out, k);
	if (got != expect)
		FAIL(R, "vmmio_vq_reap(%u) returned %u buffers, %u were used: %s", k, got,
		     R->used.n, vmmio_vq_error(R->vq));
	for (unsigned i = 0; i < got; i++) {
		struct rec *want = fifo_at(&R->used, 0);
		struct rec *r = R->out[i].cookie;

		if (!want) {
			FAIL(R, "reap entry %u: cookie %p beyond the used buffers", i, (void *)r);
			return;
		}
		if (r != want) {
			if (!pool_owns(&R->pool, r))
				FAIL(R, "reap entry %u: cookie %p is no buffer of the test", i,
				     (void *)r);
			else
				FAIL(R, "reap entry %u: buffer %" PRIu64 " (state %d), expected "
					"buffer %" PRIu64 ", the next the device used",
				     i, r->serial, r->st, want->serial);
			return;
		}
		if (R->out[i].len != r->expect_len) {
			FAIL(R, "reap entry %u: buffer %" PRIu64 " len %u, the device reported %u "
				"(writable %u)",
			     i, r->serial, R->out[i].len, r->expect_len, r->in_len);
			return;
		}
		fifo_pop(&R->used);
		R->id_held[r->dev_id] = false;
		R->free_descs += r->ndescs;
		R->n_reaped++;
		pool_put(&R->pool, r);
	}
}

static void reclaim_cb(void *cookie, void *arg)
{
	struct run *R = arg;
	struct rec *r = cookie;

	R->reclaim_count++;
	if (!pool_owns(&R->pool, r))
		FAIL(R, "reclaim handed back %p, no buffer of the test", cookie);
	else if (r->st == REC_FREE)
		FAIL(R, "reclaim handed back buffer %" PRIu64 ", which is not outstanding",
		     r->serial);
	else if (r->reclaimed)
		FAIL(R, "reclaim handed back buffer %" PRIu64 " twice", r->serial);
	else
		r->reclaimed = true;
}

static void drop_fifo(struct run *R, struct fifo *f)
{
	while (f->n) {
		struct rec *r = fifo_pop(f);

		if (!r->reclaimed)
			FAIL(R, "queue reset did not hand back buffer %" PRIu64 " (state %d)",
			     r->serial, r->st);
		pool_put(&R->pool, r);
	}
}

static void op_reset(struct run *R)
{
	const uint32_t outstanding = R->added.n + R->avail.n + R->held.n + R->used.n;
	int e;

	R->reclaim_count = 0;
	if (R->c->ring.legacy) {
		/* Version 1 has no QueueReset: stop the queue (QueuePFN 0). */
		e = vmmio_queue_disable(&R->rig.dev, Q);
		if (!e)
			vmmio_vq_reclaim(R->vq, reclaim_cb, R);
	} else {
		e = vmmio_vq_reset(R->vq, &R->rig.dev, reclaim_cb, R);
	}
	if (e) {
		FAIL(R, "queue reset = %d: %s", e, vmmio_dev_error(&R->rig.dev));
		return;
	}
	if (R->reclaim_count != outstanding)
		FAIL(R, "queue reset handed back %u buffers, %u were outstanding", R->reclaim_count,
		     outstanding);
	drop_fifo(R, &R->added);
	drop_fifo(R, &R->avail);
	drop_fifo(R, &R->held);
	drop_fifo(R, &R->used);
	memset(R->id_held, 0, R->num * sizeof(*R->id_held));
	R->n_reclaimed += outstanding;
	R->free_descs = R->num;
	R->pub_bufs = 0;
	R->pub_descs = 0;
	R->n_resets++;
	e = vmmio_vq_enable(R->vq, &R->rig.dev);
	if (e)
		FAIL(R, "vmmio_vq_enable() after the reset = %d: %s", e,
		     vmmio_dev_error(&R->rig.dev));
	if (devsim_vq_in_flight(R->sim, Q))
		FAIL(R, "the device still holds %u buffers after the reset",
		     devsim_vq_in_flight(R->sim, Q));
}

/* A new kick mode; the event point is ahead of what was published. */
static void op_mode(struct run *R)
{
	int e;

	R->mode = (enum devsim_kick_mode)rng_below(&R->g, 3);
	if (R->c->ring.packed) {
		const uint64_t p = R->pub_descs + rng_below(&R->g, 2u * R->num);

		R->at = (uint16_t)(p % R->num);
		R->at_wrap = lap_wrap(R, p);
	} else {
		R->at = (uint16_t)(R->pub_bufs + rng_below(&R->g, R->num < 16384 ? 2u * R->num
										  : 32768u));
		R->at_wrap = false;
	}
	e = devsim_vq_kick_mode(R->sim, Q, R->mode, R->at, R->at_wrap, true);
	if (e)
		FAIL(R, "devsim_vq_kick_mode(%s, %u, %d) = %d", mode_name(R->mode), R->at,
		     R->at_wrap, e);
}

static void check_state(struct run *R)
{
	const uint32_t outstanding = R->added.n + R->avail.n + R->held.n + R->used.n;

	if (vmmio_vq_broken(R->vq))
		FAIL(R, "queue broken by a truthful device: %s", vmmio_vq_error(R->vq));
	if (vmmio_vq_outstanding(R->vq) != outstanding)
		FAIL(R, "vmmio_vq_outstanding() = %u, the model has %u",
		     vmmio_vq_outstanding(R->vq), outstanding);
	if (devsim_vq_in_flight(R->sim, Q) != R->held.n)
		FAIL(R, "devsim holds %u buffers, the model %u", devsim_vq_in_flight(R->sim, Q),
		     R->held.n);
	if (devsim_violation_count(R->sim)) {
		FAIL(R, "devsim's checker recorded %zu violations",
		     devsim_violation_count(R->sim));
		rig_dump_violations(&R->rig);
	}
}

static void step(struct run *R, bool resets)
{
	const uint32_t r = rng_below(&R->g, 1000);

	R->op++;
	if (r < 240)
		op_add(R);
	else if (r < 380)
		op_kick(R);
	else if (r < 560)
		op_take(R);
	else if (r < 740)
		op_use(R);
	else if (r < 990)
		op_reap(R);
	else if (r < 998)
		op_mode(R);
	else if (resets && rng_one_in(&R->g, 4))
		op_reset(R);
	check_state(R);
}

/* Everything available is taken and used, everything used reaped. */
static void drain(struct run *R)
{
	for (unsigned i = 0; i < 4u * R->num + 64 && !R->failed; i++) {
		if (!R->added.n && !R->avail.n && !R->held.n && !R->used.n)
			return;
		op_kick(R);
		op_take(R);
		op_use(R);
		op_reap(R);
		check_state(R);
	}
	FAIL(R, "could not drain: %u added, %u available, %u held, %u used", R->added.n,
	     R->avail.n, R->held.n, R->used.n);
}

/* On an empty queue: one chain of (nearly) QueueSize descriptors, which a
 * busy big queue rarely has room for, through the whole cycle. */
static void long_chain(struct run *R)
{
	R->force_long = true;
	op_add(R);
	drain(R);
}

static int run_open(struct run *R, const struct combo *c)
{
	const struct rig_opts o = {
		.ring = c->ring, .backend = DEVSIM_BACKEND_MANUAL, .nq = 1, .num = c->num };
	int e;

	memset(R, 0, sizeof(*R));
	R->c = c;
	R->seed = c->seed;
	R->num = c->num;
	rng_seed(&R->g, c->seed * 64 + c->index);
	R->long_budget = LONG_CHAIN_BUDGET;
	R->seg_cap = c->num;
	e = rig_open(&R->rig, &o);
	if (e) {
		RIG_FAIL(R->seed, "%s", R->rig.err);
		return e;
	}
	R->vq = R->rig.vq[Q];
	R->sim = R->rig.sim;
	R->dseg = calloc(R->seg_cap, sizeof(*R->dseg));
	R->lens = calloc(R->seg_cap, sizeof(*R->lens));
	R->id_held = calloc(R->num, sizeof(*R->id_held));
	if (!R->dseg || !R->lens || !R->id_held || pool_init(&R->pool, R->num) ||
	    fifo_init(&R->added, R->num) || fifo_init(&R->avail, R->num) ||
	    fifo_init(&R->held, R->num) || fifo_init(&R->used, R->num))
		abort();
	R->free_descs = R->num;
	R->mode = DEVSIM_KICK_ALWAYS;
	e = devsim_vq_kick_mode(R->sim, Q, R->mode, 0, false, true);
	if (e)
		FAIL(R, "devsim_vq_kick_mode(ALWAYS) = %d", e);
	return 0;
}

static void run_close(struct run *R)
{
	fifo_free(&R->added);
	fifo_free(&R->avail);
	fifo_free(&R->held);
	fifo_free(&R->used);
	pool_free(&R->pool);
	free(R->dseg);
	free(R->lens);
	free(R->id_held);
	rig_close(&R->rig);
}

/* The counters the driver keeps agree with the model's. */
static void check_stats(struct run *R)
{
	struct vmmio_vq_stats s;
	struct devsim_vq_stats d;

	vmmio_vq_stats(R->vq, &s);
	if (s.added != R->n_added || s.reaped != R->n_reaped || s.reclaimed != R->n_reclaimed ||
	    s.indirect != R->n_indirect || s.kicks != R->n_kicks)
		FAIL(R, "driver stats added %" PRIu64 " reaped %" PRIu64 " reclaimed %" PRIu64
			" indirect %" PRIu64 " kicks %" PRIu64 "; model %" PRIu64 " %" PRIu64
			" %" PRIu64 " %" PRIu64 " %" PRIu64,
		     s.added, s.reaped, s.reclaimed, s.indirect, s.kicks, R->n_added, R->n_reaped,
		     R->n_reclaimed, R->n_indirect, R->n_kicks);
	if (devsim_vq_stats(R->sim, Q, &d) == 0 && d.kicks != R->n_kicks)
		FAIL(R, "devsim counted %" PRIu64 " notifications, the driver sent %" PRIu64,
		     d.kicks, R->n_kicks);
}

static void run_combo(const void *arg)
{
	const struct combo *c = arg;
	struct run R;

	if (run_open(&R, c))
		return;
	while (!R.failed && R.n_added < c->bufs_reset)
		step(&R, true);
	while (!R.failed && R.n_added < (uint64_t)c->bufs_reset + c->bufs_plain)
		step(&R, false);
	if (!R.failed)
		drain(&R);
	for (unsigned i = 0; i < 3 && !R.failed; i++)
		long_chain(&R);
	/* end on a reset with buffers in every state */
	for (unsigned i = 0; i < 64 && !R.failed; i++)
		step(&R, false);
	if (!R.failed)
		op_reset(&R);
	if (!R.failed)
		check_stats(&R);
	/* coverage: the run wrapped what it was meant to wrap */
	if (!R.failed && !c->ring.packed && c->bufs_plain >= SPLIT_WRAP_BUFS &&
	    R.max_pub_bufs <= 65536)
		FAIL(&R, "the 16-bit available index never wrapped (%" PRIu64 " buffers)",
		     R.max_pub_bufs);
	if (!R.failed && c->ring.packed && R.max_pub_descs < 2u * R.num)
		FAIL(&R, "the packed wrap counter never flipped twice (%" PRIu64 " descriptors)",
		     R.max_pub_descs);
	printf("# %s QueueSize %u: %" PRIu64 " ops, %" PRIu64 " buffers (%" PRIu64
	       " indirect, %" PRIu64 " of nearly QueueSize segments), %" PRIu64 " kicks, %" PRIu64
	       " resets, %" PRIu64 " reclaimed, %" PRIu64 " laps\n",
	       c->name, R.num, R.op, R.n_added, R.n_indirect, R.n_long, R.n_kicks, R.n_resets,
	       R.n_reclaimed, R.max_pub_descs / R.num);
	run_close(&R);
}

/*
 * An indirect table counts as a chain: one longer than QueueSize is refused
 * as an invalid buffer (the queue stays whole) even when it would fit the
 * indirect table; one of QueueSize entries goes out indirect.
 */
static void t_indirect_chain_limit(const void *arg)
{
	const struct combo *c = arg;
	const struct rig_opts o = {
		.ring = c->ring, .backend = DEVSIM_BACKEND_MANUAL, .nq = 1, .num = 4 };
	struct vmmio_seg seg[8];
	struct devsim_seg dseg[8];
	struct devsim_chain ch = { .seg = dseg, .seg_cap = 8 };
	struct vmmio_buf b = { seg, 2, 6, seg };
	struct rig rig;

	for (unsigned i = 0; i < 8; i++)
		seg[i] = (struct vmmio_seg){ model_seg_addr(1, i), 64 };
	if (rig_open(&rig, &o)) {
		RIG_FAIL(c->seed, "%s", rig.err);
		return;
	}
	CHECK_EQ(vmmio_vq_add(rig.vq[Q], &b, 1), -EINVAL);
	CHECK_STR_HAS(vmmio_vq_error(rig.vq[Q]), "QueueSize 4");
	CHECK(!vmmio_vq_broken(rig.vq[Q]));
	b.n_out = 1;
	b.n_in = 3;
	CHECK_EQ(vmmio_vq_add(rig.vq[Q], &b, 1), 1);
	CHECK(vmmio_vq_kick(rig.vq[Q], &rig.dev) >= 0);
	CHECK_EQ(devsim_vq_take(rig.sim, Q, &ch), 1);
	CHECK(ch.indirect);
	CHECK_EQ(ch.n_seg, 4);
	CHECK_EQ(rig_dump_violations(&rig), 0);
	rig_close(&rig);
}

static const uint16_t split_sizes[16] = { 1,  32768, 2,   256, 4,    8,   16, 64,
					  128, 1024, 32, 512, 4096, 2, 8,  16 };
static const uint16_t packed_sizes[16] = { 1,  32768, 3,  256,  5,    7,  100, 64,
					   1000, 2,   17, 33,  4096, 31, 128, 12 };
static const uint16_t legacy_sizes[4] = { 1, 32768, 64, 8 };

int main(int argc, char **argv)
{
	const char *fmt = argc > 1 ? argv[1] : "";
	const bool packed = !strcmp(fmt, "packed"), legacy = !strcmp(fmt, "legacy");
	const char *only = getenv("VMMIO_VQ_CASE");
	uint64_t seed;
	static struct combo combos[16];
	unsigned n;

	if (!packed && !legacy && strcmp(fmt, "split")) {
		fprintf(stderr, "usage: %s split|packed|legacy [seed]\n", argv[0]);
		return 2;
	}
	seed = rig_base_seed(argc - 1, argv + 1, 1);
	/* legacy: EVENT_IDX x INDIRECT_DESC (the bits below 32) */
	n = legacy ? 4 : 16;
	for (unsigned i = 0; i < n; i++) {
		struct combo *c = &combos[i];
		const unsigned pick = (unsigned)((i + seed) % n);

		c->ring.packed = packed;
		c->ring.legacy = legacy;
		c->ring.event_idx = i & 1;
		c->ring.indirect = (i >> 1) & 1;
		c->ring.in_order = !legacy && ((i >> 2) & 1);
		c->ring.notif_data = !legacy && ((i >> 3) & 1);
		c->num = packed ? packed_sizes[pick] :
			 legacy ? legacy_sizes[pick] : split_sizes[pick];
		c->seed = seed;
		c->index = i;
		c->bufs_reset = packed ? 10000 : 20000;
		c->bufs_plain = packed ? 30000 : SPLIT_WRAP_BUFS;
		rig_ring_name(&c->ring, c->name, sizeof(c->name));
		if (only && strcmp(only, c->name))
			continue;
		tap_run_arg(c->name, run_combo, c);
	}
	/* the indirect combination with the smallest index has INDIRECT only */
	if (!only)
		tap_run_arg("indirect chain longer than QueueSize refused", t_indirect_chain_limit,
			    &combos[2]);
	return tap_end();
}
