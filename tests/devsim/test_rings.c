/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device side of the rings (devsim_vq.h), driven by a driver played by
 * hand on ring memory (hand_ring.h): take and use on split and packed
 * rings, indirect tables, wrap-around, IN_ORDER batches, the used buffer
 * notification decision both ways, the kick modes, each RING-* rule on a
 * ring broken on purpose, each fault, the sink and loopback backends, and
 * the device thread.
 */
#include <errno.h>
#include <time.h>

#include "hand_ring.h"
#include "tap.h"

#define F_NEXT VMMIO_DESC_F_NEXT
#define F_WRITE VMMIO_DESC_F_WRITE
#define F_INDIRECT VMMIO_DESC_F_INDIRECT

static uint8_t buf[8][256];

static struct devsim_vq_stats stats(struct hr *h, uint16_t q)
{
	struct devsim_vq_stats st;

	CHECK_EQ(devsim_vq_stats(h->s, q, &st), 0);
	return st;
}

static int take(struct hr *h, uint16_t q, struct devsim_chain *c)
{
	return devsim_vq_take(h->s, q, c);
}

static int use1(struct hr *h, uint16_t q, uint16_t id, uint32_t len)
{
	struct devsim_used u = { .id = id, .len = len };

	return devsim_vq_use(h->s, q, &u, 1, false);
}

/* --- split: take and use --------------------------------------------------------- */

/* Two readable descriptors and a writable one: what the device reads, what
 * it writes back, and the interrupt flags 0 asks for. */
static void t_split_chain(void)
{
	struct devsim_seg seg[4];
	struct devsim_chain c = { .seg = seg, .seg_cap = 2 };
	struct vmmio_vring_used_elem e;
	struct devsim_vq_stats st;
	struct hr h;
	struct hr_ring *r;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, 0, 1, 8);
	r = &h.r[0];
	CHECK_EQ(take(&h, 0, &c), 0);
	sp_desc(r, 5, buf[0], 10, F_NEXT, 2);
	sp_desc(r, 2, buf[1], 20, F_NEXT, 7);
	sp_desc(r, 7, buf[2], 100, F_WRITE, 0);
	sp_add(r, 5);
	sp_publish(r);
	CHECK_EQ(take(&h, 0, &c), -ENOSPC); /* 3 segments, room for 2: not taken */
	c.seg_cap = 4;
	CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(c.id, 5);
	CHECK_EQ(c.ndescs, 3);
	CHECK(!c.indirect);
	CHECK_EQ(c.out_len, 30);
	CHECK_EQ(c.in_len, 100);
	CHECK_EQ(c.n_seg, 3);
	CHECK(seg[0].addr == (uintptr_t)buf[0] && seg[0].len == 10 && !seg[0].write);
	CHECK(seg[1].addr == (uintptr_t)buf[1] && seg[1].len == 20 && !seg[1].write);
	CHECK(seg[2].addr == (uintptr_t)buf[2] && seg[2].len == 100 && seg[2].write);
	CHECK_EQ(devsim_vq_in_flight(h.s, 0), 1);
	CHECK_EQ(take(&h, 0, &c), 0);
	CHECK_EQ(use1(&h, 0, 4, 1), -EINVAL); /* never taken */
	CHECK_EQ(sp_used_idx(r), 0);
	CHECK_EQ(use1(&h, 0, 5, 60), 0);
	CHECK_EQ(sp_used_idx(r), 1);
	e = sp_used_at(r, 0);
	CHECK_EQ(e.id, 5);
	CHECK_EQ(e.len, 60);
	CHECK(devsim_isr(h.s) & VMMIO_ISR_USED_BUFFER);
	CHECK_EQ(devsim_vq_in_flight(h.s, 0), 0);
	CHECK_EQ(use1(&h, 0, 5, 60), -EINVAL); /* used already */
	st = stats(&h, 0);
	CHECK_EQ(st.taken, 1);
	CHECK_EQ(st.used, 1);
	CHECK_EQ(st.bytes, 60);
	CHECK_EQ(st.irqs, 1);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* A direct descriptor followed by an indirect one (allowed: "zero or more
 * normal chained descriptors followed by a single descriptor with
 * INDIRECT"), and a lone indirect one whose WRITE flag the device ignores. */
static void t_split_indirect(void)
{
	static struct vmmio_vring_desc tbl[3] __attribute__((aligned(16)));
	static struct vmmio_vring_desc tbl2[2] __attribute__((aligned(16)));
	struct devsim_seg seg[8];
	struct devsim_chain c = { .seg = seg, .seg_cap = 8 };
	struct hr h;
	struct hr_ring *r;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_INDIRECT, 1, 8);
	r = &h.r[0];
	tbl[0] = (struct vmmio_vring_desc){ (uintptr_t)buf[1], 10, F_NEXT, 1 };
	tbl[1] = (struct vmmio_vring_desc){ (uintptr_t)buf[2], 5, F_NEXT, 2 };
	tbl[2] = (struct vmmio_vring_desc){ (uintptr_t)buf[3], 50, F_WRITE, 0 };
	tbl2[0] = (struct vmmio_vring_desc){ (uintptr_t)buf[4], 10, F_NEXT, 1 };
	tbl2[1] = (struct vmmio_vring_desc){ (uintptr_t)buf[5], 5, 0, 0 };
	sp_desc(r, 0, buf[0], 8, F_NEXT, 1);
	sp_desc(r, 1, tbl, sizeof(tbl), F_INDIRECT, 0);
	sp_desc(r, 3, tbl2, sizeof(tbl2), F_INDIRECT | F_WRITE, 0);
	sp_add(r, 0);
	sp_add(r, 3);
	sp_publish(r);
	CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(c.id, 0);
	CHECK_EQ(c.ndescs, 2);
	CHECK(c.indirect);
	CHECK_EQ(c.n_seg, 4);
	CHECK_EQ(c.out_len, 23);
	CHECK_EQ(c.in_len, 50);
	CHECK(seg[3].addr == (uintptr_t)buf[3] && seg[3].write);
	CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(c.id, 3);
	CHECK_EQ(c.ndescs, 1);
	CHECK_EQ(c.n_seg, 2);
	CHECK_EQ(c.out_len, 15);
	CHECK_EQ(c.in_len, 0);
	CHECK_EQ(use1(&h, 0, 3, 0), 0);
	CHECK_EQ(use1(&h, 0, 0, 50), 0);
	CHECK_EQ(sp_used_at(r, 0).id, 3);
	CHECK_EQ(sp_used_at(r, 1).id, 0);
	CHECK_EQ(sp_used_idx(r), 2);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* A ring of 4 through more than 65536 buffers: the slots wrap every 4, the
 * indices at 65536. */
static void t_split_wrap(void)
{
	struct hr h;
	struct hr_ring *r;
	unsigned total = 0, bad = 0;

	hr_open(&h, DEVSIM_BACKEND_SINK, 0, 1, 4);
	r = &h.r[0];
	while (total < 70000 && !bad) {
		unsigned k = 1 + total % 4;
		uint16_t old = sp_used_idx(r);

		for (unsigned i = 0; i < k; i++) {
			uint16_t d = (uint16_t)((total + i) % 4);

			sp_desc(r, d, buf[d], 64, 0, 0);
			sp_add(r, d);
		}
		sp_publish(r);
		hr_notify(&h, 0);
		bad += devsim_step(h.s) != k;
		bad += sp_used_idx(r) != (uint16_t)(old + k);
		for (unsigned i = 0; i < k; i++) {
			struct vmmio_vring_used_elem e = sp_used_at(r, (uint16_t)(old + i));

			bad += e.id != (total + i) % 4 || e.len != 0;
		}
		total += k;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(sp_used_idx(r), (uint16_t)total);
	CHECK_EQ(stats(&h, 0).used, total);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* IN_ORDER: one used entry for a batch, naming its last buffer, at the
 * batch's first position; the used idx moves by the batch. */
static void t_split_in_order_batch(void)
{
	struct devsim_chain c = { 0 };
	struct devsim_used u[3] = { { 0, 1 }, { 2, 2 }, { 3, 7 } };
	struct devsim_used wrong[2] = { { 5, 0 }, { 0, 0 } };
	struct hr h;
	struct hr_ring *r;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_IN_ORDER, 1, 8);
	r = &h.r[0];
	sp_desc(r, 0, buf[0], 10, F_NEXT, 1);
	sp_desc(r, 1, buf[1], 10, 0, 0);
	sp_desc(r, 2, buf[2], 10, 0, 0);
	sp_desc(r, 3, buf[3], 10, F_NEXT, 4);
	sp_desc(r, 4, buf[4], 10, F_WRITE, 0);
	sp_desc(r, 5, buf[5], 10, 0, 0);
	sp_add(r, 0);
	sp_add(r, 2);
	sp_add(r, 3);
	sp_add(r, 5);
	sp_publish(r);
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(devsim_vq_use(h.s, 0, wrong, 2, true), -EINVAL); /* not the oldest first */
	CHECK_EQ(devsim_vq_use(h.s, 0, u, 3, true), 0);
	CHECK_EQ(sp_used_idx(r), 3);
	CHECK_EQ(sp_used_at(r, 0).id, 3);
	CHECK_EQ(sp_used_at(r, 0).len, 7);
	CHECK_EQ(sp_used_at(r, 1).id, 0); /* skipped: never written */
	CHECK_EQ(sp_used_at(r, 2).id, 0);
	CHECK_EQ(use1(&h, 0, 5, 3), 0);
	CHECK_EQ(sp_used_at(r, 3).id, 5);
	CHECK_EQ(sp_used_idx(r), 4);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* Version 1: the rings where QueuePFN * GuestPageSize and QueueAlign put them. */
static void t_split_legacy(void)
{
	struct devsim_chain c = { 0 };
	struct hr h;
	struct hr_ring *r;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_LEGACY | RF_EVENT_IDX, 1, 16);
	r = &h.r[0];
	sp_desc(r, 9, buf[0], 33, F_WRITE, 0);
	sp_add(r, 9);
	sp_publish(r);
	CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(c.id, 9);
	CHECK_EQ(c.in_len, 33);
	CHECK_EQ(sp_avail_event(r), 1); /* ALWAYS: the device's next avail idx */
	CHECK_EQ(use1(&h, 0, 9, 33), 0);
	CHECK_EQ(sp_used_idx(r), 1);
	CHECK_EQ(sp_used_at(r, 0).id, 9);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* --- split: used buffer notifications ------------------------------------------------ */

/* Without EVENT_IDX: "If flags is 1, the device SHOULD NOT send a
 * notification. If flags is 0, the device MUST send a notification." */
static void t_split_irq_flags(void)
{
	struct devsim_chain c = { 0 };
	struct hr h;
	struct hr_ring *r;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, 0, 1, 8);
	r = &h.r[0];
	for (uint16_t d = 0; d < 2; d++) {
		sp_desc(r, d, buf[d], 8, 0, 0);
		sp_add(r, d);
	}
	sp_publish(r);
	CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(take(&h, 0, &c), 1);
	r->avail->flags = VMMIO_AVAIL_F_NO_INTERRUPT;
	CHECK_EQ(use1(&h, 0, 0, 0), 0);
	CHECK_EQ(stats(&h, 0).irqs, 0);
	CHECK_EQ(devsim_isr(h.s), 0);
	r->avail->flags = 0;
	CHECK_EQ(use1(&h, 0, 1, 0), 0);
	CHECK_EQ(stats(&h, 0).irqs, 1);
	CHECK(devsim_isr(h.s) & VMMIO_ISR_USED_BUFFER);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* With EVENT_IDX: notify when the used idx moves past used_event, whether
 * one entry at a time or in a batch that jumps over it. */
static void t_split_irq_used_event(void)
{
	struct devsim_chain c = { 0 };
	struct devsim_used two[2] = { { 3, 0 }, { 4, 0 } };
	struct hr h;
	struct hr_ring *r;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_EVENT_IDX, 1, 8);
	r = &h.r[0];
	for (uint16_t d = 0; d < 5; d++) {
		sp_desc(r, d, buf[d], 8, 0, 0);
		sp_add(r, d);
	}
	sp_publish(r);
	for (unsigned i = 0; i < 5; i++)
		CHECK_EQ(take(&h, 0, &c), 1);
	*sp_used_event(r) = 2; /* notify once entry 2 is written */
	CHECK_EQ(use1(&h, 0, 0, 0), 0); /* idx 0 -> 1 */
	CHECK_EQ(use1(&h, 0, 1, 0), 0); /* 1 -> 2 */
	CHECK_EQ(stats(&h, 0).irqs, 0);
	CHECK_EQ(use1(&h, 0, 2, 0), 0); /* 2 -> 3: entry 2 */
	CHECK_EQ(stats(&h, 0).irqs, 1);
	*sp_used_event(r) = 3;
	CHECK_EQ(devsim_vq_use(h.s, 0, two, 2, false), 0); /* 3 -> 5 covers entry 3 */
	CHECK_EQ(stats(&h, 0).irqs, 2);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* --- packed: take and use ------------------------------------------------------------ */

/* A list of three: the buffer id is in the last descriptor; the used
 * descriptor goes at the list's first position with AVAIL = USED = the
 * wrap counter, and the next one after the list. */
static void t_packed_chain(void)
{
	struct devsim_seg seg[4];
	struct devsim_chain c = { .seg = seg, .seg_cap = 4 };
	struct hr h;
	struct hr_ring *r;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_PACKED, 1, 8);
	r = &h.r[0];
	CHECK_EQ(take(&h, 0, &c), 0);
	pk_add(r, 0xaaaa, buf[0], 10, F_NEXT);
	pk_add(r, 0xbbbb, buf[1], 20, F_NEXT);
	pk_add(r, 42, buf[2], 30, F_WRITE);
	pk_add(r, 7, buf[3], 40, 0);
	CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(c.id, 42);
	CHECK_EQ(c.ndescs, 3);
	CHECK_EQ(c.n_seg, 3);
	CHECK_EQ(c.out_len, 30);
	CHECK_EQ(c.in_len, 30);
	CHECK(seg[2].write && seg[2].addr == (uintptr_t)buf[2]);
	CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(c.id, 7);
	CHECK_EQ(c.ndescs, 1);
	CHECK_EQ(use1(&h, 0, 42, 9), 0);
	CHECK(pk_used(r, 0, true));
	CHECK_EQ(r->pd[0].id, 42);
	CHECK_EQ(r->pd[0].len, 9);
	CHECK(!pk_used(r, 1, true));
	CHECK_EQ(use1(&h, 0, 7, 0), 0);
	CHECK(pk_used(r, 3, true));
	CHECK_EQ(r->pd[3].id, 7);
	CHECK_EQ(stats(&h, 0).irqs, 2); /* the Driver Area reads ENABLE (0) */
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* An indirect table in the packed format: one ring descriptor. */
static void t_packed_indirect(void)
{
	static struct vmmio_pdesc tbl[2] __attribute__((aligned(16)));
	struct devsim_seg seg[4];
	struct devsim_chain c = { .seg = seg, .seg_cap = 4 };
	struct hr h;
	struct hr_ring *r;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_PACKED | RF_INDIRECT, 1, 8);
	r = &h.r[0];
	tbl[0] = (struct vmmio_pdesc){ (uintptr_t)buf[0], 14, 0, 0 };
	tbl[1] = (struct vmmio_pdesc){ (uintptr_t)buf[1], 100, 0, F_WRITE };
	pk_add(r, 9, tbl, sizeof(tbl), F_INDIRECT);
	pk_add(r, 10, buf[2], 1, 0);
	CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(c.id, 9);
	CHECK(c.indirect);
	CHECK_EQ(c.ndescs, 1);
	CHECK_EQ(c.n_seg, 2);
	CHECK_EQ(c.out_len, 14);
	CHECK_EQ(c.in_len, 100);
	CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(c.id, 10);
	CHECK_EQ(use1(&h, 0, 9, 100), 0);
	CHECK_EQ(use1(&h, 0, 10, 0), 0);
	CHECK(pk_used(r, 0, true) && r->pd[0].id == 9 && r->pd[0].len == 100);
	CHECK(pk_used(r, 1, true) && r->pd[1].id == 10);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* A ring of 5 (not a power of 2) through many laps with lists of one and
 * two descriptors: the wrap counters flip on both sides. */
static void t_packed_wrap(void)
{
	struct hr h;
	struct hr_ring *r;
	uint16_t upos = 0;
	bool uwrap = true;
	unsigned bad = 0, total = 0;

	hr_open(&h, DEVSIM_BACKEND_SINK, RF_PACKED, 1, 5);
	r = &h.r[0];
	for (unsigned round = 0; round < 3000 && !bad; round++) {
		uint16_t id = (uint16_t)round;
		uint16_t n = (uint16_t)(1 + round % 2);

		for (uint16_t i = 0; i < n; i++)
			pk_add(r, id, buf[i], 16, i + 1 < n ? F_NEXT : 0);
		hr_notify(&h, 0);
		bad += devsim_step(h.s) != 1;
		bad += !pk_used(r, upos, uwrap) || r->pd[upos].id != id || r->pd[upos].len != 0;
		upos = (uint16_t)(upos + n);
		if (upos >= 5) {
			upos = (uint16_t)(upos - 5);
			uwrap = !uwrap;
		}
		total++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(stats(&h, 0).used, total);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* IN_ORDER: one used descriptor with the batch's last id at the batch's
 * first position; the next buffer's goes after all of the batch's. */
static void t_packed_in_order_batch(void)
{
	struct devsim_chain c = { 0 };
	struct devsim_used u[3] = { { 1, 0 }, { 2, 0 }, { 3, 5 } };
	struct hr h;
	struct hr_ring *r;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_PACKED | RF_IN_ORDER, 1, 8);
	r = &h.r[0];
	pk_add(r, 1, buf[0], 8, 0);
	pk_add(r, 0, buf[1], 8, F_NEXT);
	pk_add(r, 2, buf[2], 8, 0);
	pk_add(r, 3, buf[3], 8, F_WRITE);
	pk_add(r, 4, buf[4], 8, 0);
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(devsim_vq_use(h.s, 0, u, 3, true), 0);
	CHECK(pk_used(r, 0, true));
	CHECK_EQ(r->pd[0].id, 3);
	CHECK_EQ(r->pd[0].len, 5);
	for (uint16_t p = 1; p < 4; p++)
		CHECK(!pk_used(r, p, true));
	CHECK_EQ(use1(&h, 0, 4, 0), 0);
	CHECK(pk_used(r, 4, true) && r->pd[4].id == 4);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* The Driver Area: DISABLE, ENABLE, and DESC at an offset and wrap counter
 * (EVENT_IDX), also across the end of the ring. */
static void t_packed_irq_modes(void)
{
	struct devsim_chain c = { 0 };
	struct hr h;
	struct hr_ring *r;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_PACKED | RF_EVENT_IDX, 1, 4);
	r = &h.r[0];
	for (uint16_t i = 0; i < 4; i++)
		pk_add(r, i, buf[i], 8, 0);
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(take(&h, 0, &c), 1);
	r->drv_ev->flags = VMMIO_PEVENT_DISABLE;
	CHECK_EQ(use1(&h, 0, 0, 0), 0);
	CHECK_EQ(stats(&h, 0).irqs, 0);
	r->drv_ev->flags = VMMIO_PEVENT_ENABLE;
	CHECK_EQ(use1(&h, 0, 1, 0), 0);
	CHECK_EQ(stats(&h, 0).irqs, 1);
	r->drv_ev->off_wrap = 3 | 1u << VMMIO_PEVENT_WRAP_SHIFT;
	r->drv_ev->flags = VMMIO_PEVENT_DESC;
	CHECK_EQ(use1(&h, 0, 2, 0), 0); /* position 2: not yet */
	CHECK_EQ(stats(&h, 0).irqs, 1);
	CHECK_EQ(use1(&h, 0, 3, 0), 0); /* position 3, wrap 1 */
	CHECK_EQ(stats(&h, 0).irqs, 2);
	/* the next lap: position 1 with wrap counter 0 */
	for (uint16_t i = 0; i < 2; i++)
		pk_add(r, i, buf[i], 8, 0);
	CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(take(&h, 0, &c), 1);
	r->drv_ev->off_wrap = 1;
	CHECK_EQ(use1(&h, 0, 0, 0), 0);
	CHECK_EQ(stats(&h, 0).irqs, 2);
	CHECK_EQ(use1(&h, 0, 1, 0), 0);
	CHECK_EQ(stats(&h, 0).irqs, 3);
	CHECK(pk_used(r, 1, false));
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* --- kick modes ---------------------------------------------------------------------- */

static void t_kick_modes_split(void)
{
	struct devsim_chain c = { 0 };
	struct hr h;
	struct hr_ring *r;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, 0, 1, 8);
	r = &h.r[0];
	CHECK_EQ(r->used->flags, 0); /* ALWAYS by default */
	CHECK_EQ(devsim_vq_kick_mode(h.s, 0, DEVSIM_KICK_NEVER, 0, false, false), 0);
	CHECK_EQ(r->used->flags, VMMIO_USED_F_NO_NOTIFY);
	CHECK_EQ(devsim_vq_kick_mode(h.s, 0, DEVSIM_KICK_AT, 5, false, false), 0);
	CHECK_EQ(r->used->flags, 0); /* AT without EVENT_IDX: as ALWAYS */
	CHECK_EQ(devsim_vq_kick_mode(h.s, 9, DEVSIM_KICK_NEVER, 0, false, false), -ENOENT);
	hr_close(&h);

	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_EVENT_IDX, 1, 8);
	r = &h.r[0];
	for (uint16_t d = 0; d < 3; d++) {
		sp_desc(r, d, buf[d], 8, 0, 0);
		sp_add(r, d);
	}
	sp_publish(r);
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(sp_avail_event(r), 3); /* ALWAYS: refreshed as the device consumes */
	CHECK_EQ(devsim_vq_kick_mode(h.s, 0, DEVSIM_KICK_NEVER, 0, false, false), 0);
	CHECK_EQ(r->used->flags, 0); /* "The device MUST set flags to 0" */
	CHECK_EQ(sp_avail_event(r), 2); /* behind the device: out of the driver's reach */
	CHECK_EQ(devsim_vq_kick_mode(h.s, 0, DEVSIM_KICK_AT, 17, false, false), 0);
	CHECK_EQ(sp_avail_event(r), 17);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* NEVER with EVENT_IDX keeps avail_event out of reach with a rare store:
 * it moves only when the device came within two rings of it. */
static void t_kick_never_rare_store(void)
{
	struct hr h;
	struct hr_ring *r;
	unsigned moves = 0, bad = 0;
	uint16_t ev;

	hr_open(&h, DEVSIM_BACKEND_SINK, RF_EVENT_IDX, 1, 8);
	r = &h.r[0];
	CHECK_EQ(devsim_vq_kick_mode(h.s, 0, DEVSIM_KICK_NEVER, 0, false, false), 0);
	ev = sp_avail_event(r);
	for (unsigned n = 0; n < 70000; n += 8) {
		uint16_t old = r->avail_idx;

		for (uint16_t d = 0; d < 8; d++) {
			sp_desc(r, d, buf[0], 8, 0, 0);
			sp_add(r, d);
		}
		sp_publish(r);
		/* the driver's kick decision: never crosses the event */
		bad += vmmio_need_event(sp_avail_event(r), r->avail_idx, old);
		bad += devsim_step(h.s) != 8;
		moves += sp_avail_event(r) != ev;
		ev = sp_avail_event(r);
	}
	CHECK_EQ(bad, 0);
	CHECK(moves >= 1 && moves <= 2);
	hr_close(&h);
}

static void t_kick_modes_packed(void)
{
	struct hr h;
	struct hr_ring *r;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_PACKED | RF_EVENT_IDX, 1, 8);
	r = &h.r[0];
	CHECK_EQ(r->dev_ev->flags, VMMIO_PEVENT_ENABLE);
	CHECK_EQ(devsim_vq_kick_mode(h.s, 0, DEVSIM_KICK_NEVER, 0, false, false), 0);
	CHECK_EQ(r->dev_ev->flags, VMMIO_PEVENT_DISABLE);
	CHECK_EQ(devsim_vq_kick_mode(h.s, 0, DEVSIM_KICK_AT, 6, false, false), 0);
	CHECK_EQ(r->dev_ev->flags, VMMIO_PEVENT_DESC);
	CHECK_EQ(r->dev_ev->off_wrap, 6);
	CHECK_EQ(devsim_vq_kick_mode(h.s, 0, DEVSIM_KICK_AT, 2, true, false), 0);
	CHECK_EQ(r->dev_ev->off_wrap, 2 | 1u << VMMIO_PEVENT_WRAP_SHIFT);
	CHECK_EQ(devsim_vq_kick_mode(h.s, 0, DEVSIM_KICK_ALWAYS, 0, false, false), 0);
	CHECK_EQ(r->dev_ev->flags, VMMIO_PEVENT_ENABLE);
	hr_close(&h);

	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_PACKED, 1, 8);
	r = &h.r[0];
	CHECK_EQ(devsim_vq_kick_mode(h.s, 0, DEVSIM_KICK_AT, 6, false, false), 0);
	CHECK_EQ(r->dev_ev->flags, VMMIO_PEVENT_ENABLE); /* DESC needs EVENT_IDX */
	hr_close(&h);
}

/* A step services a queue that was notified since it last ran dry, or any
 * queue in NEVER mode. */
static void t_step_needs_notify(void)
{
	struct hr h;
	struct hr_ring *r;

	hr_open(&h, DEVSIM_BACKEND_SINK, 0, 1, 8);
	r = &h.r[0];
	sp_desc(r, 0, buf[0], 8, 0, 0);
	sp_add(r, 0);
	sp_publish(r);
	CHECK_EQ(devsim_step(h.s), 0);
	hr_notify(&h, 0);
	CHECK_EQ(devsim_step(h.s), 1);
	sp_add(r, 0);
	sp_publish(r);
	CHECK_EQ(devsim_step(h.s), 0); /* ran dry since: a new notification is due */
	CHECK_EQ(devsim_vq_kick_mode(h.s, 0, DEVSIM_KICK_NEVER, 0, false, false), 0);
	CHECK_EQ(devsim_step(h.s), 1);
	CHECK(stats(&h, 0).polls >= 2);
	hr_close(&h);
}

/* Nothing is serviced before DRIVER_OK. */
static void t_nothing_before_driver_ok(void)
{
	struct devsim_chain c = { 0 };
	struct hr h;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, 0, 1, 8);
	sp_desc(&h.r[0], 0, buf[0], 8, 0, 0);
	sp_add(&h.r[0], 0);
	sp_publish(&h.r[0]);
	wr(&h.sim, VMMIO_REG_STATUS, VMMIO_STATUS_ACKNOWLEDGE | VMMIO_STATUS_DRIVER |
					    VMMIO_STATUS_FEATURES_OK | VMMIO_STATUS_FAILED);
	CHECK_EQ(take(&h, 0, &c), -EPERM);
	CHECK_EQ(devsim_step(h.s), 0);
	hr_close(&h);
}

/* --- ring rules ----------------------------------------------------------------------- */

/* The device took nothing, recorded @rule naming queue 0, and stopped. */
static void expect_rule(struct hr *h, enum devsim_rule rule, int r)
{
	struct devsim_chain c = { 0 };
	const struct devsim_violation *v = sim_find(&h->sim, rule);

	CHECK_EQ(r, -EPROTO);
	CHECK(v != NULL);
	CHECK_EQ(devsim_violation_count(h->s), 1);
	if (v) {
		CHECK_STR_HAS(v->detail, "queue 0: ");
		printf("# %s: %s\n", devsim_rule_info(rule)->id, v->detail);
	}
	CHECK(devsim_vq_error(h->s, 0) != NULL);
	CHECK_EQ(take(h, 0, &c), -EPROTO);
}

static void t_rule_chain_len(void)
{
	struct devsim_chain c = { 0 };
	struct hr h;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, 0, 1, 8);
	sp_desc(&h.r[0], 0, buf[0], 8, F_NEXT, 1);
	sp_desc(&h.r[0], 1, buf[1], 8, F_NEXT, 0); /* a loop */
	sp_add(&h.r[0], 0);
	sp_publish(&h.r[0]);
	expect_rule(&h, DEVSIM_RULE_RING_CHAIN_LEN, take(&h, 0, &c));
	hr_close(&h);

	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_PACKED, 1, 4);
	for (uint16_t i = 0; i < 4; i++) /* a list that never ends */
		pk_add(&h.r[0], i, buf[i], 8, F_NEXT);
	expect_rule(&h, DEVSIM_RULE_RING_CHAIN_LEN, take(&h, 0, &c));
	hr_close(&h);

	/* packed: an indirect table of more than QueueSize entries */
	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_PACKED | RF_INDIRECT, 1, 4);
	pk_add(&h.r[0], 0, buf[0], 5 * sizeof(struct vmmio_pdesc), F_INDIRECT);
	expect_rule(&h, DEVSIM_RULE_RING_CHAIN_LEN, take(&h, 0, &c));
	hr_close(&h);
}

static void t_rule_indirect_feature(void)
{
	static struct vmmio_vring_desc tbl[1] __attribute__((aligned(16)));
	struct devsim_chain c = { 0 };
	struct hr h;

	tbl[0] = (struct vmmio_vring_desc){ (uintptr_t)buf[0], 8, 0, 0 };
	hr_open(&h, DEVSIM_BACKEND_MANUAL, 0, 1, 8);
	sp_desc(&h.r[0], 0, tbl, sizeof(tbl), F_INDIRECT, 0);
	sp_add(&h.r[0], 0);
	sp_publish(&h.r[0]);
	expect_rule(&h, DEVSIM_RULE_RING_INDIRECT_FEATURE, take(&h, 0, &c));
	hr_close(&h);

	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_PACKED, 1, 8);
	pk_add(&h.r[0], 0, tbl, sizeof(tbl), F_INDIRECT);
	expect_rule(&h, DEVSIM_RULE_RING_INDIRECT_FEATURE, take(&h, 0, &c));
	hr_close(&h);
}

static void t_rule_indirect_nested(void)
{
	static struct vmmio_vring_desc tbl[2] __attribute__((aligned(16)));
	static struct vmmio_pdesc ptbl[2] __attribute__((aligned(16)));
	struct devsim_chain c = { 0 };
	struct hr h;

	tbl[0] = (struct vmmio_vring_desc){ (uintptr_t)buf[0], 8, F_NEXT, 1 };
	tbl[1] = (struct vmmio_vring_desc){ (uintptr_t)tbl, 16, F_INDIRECT, 0 };
	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_INDIRECT, 1, 8);
	sp_desc(&h.r[0], 0, tbl, sizeof(tbl), F_INDIRECT, 0);
	sp_add(&h.r[0], 0);
	sp_publish(&h.r[0]);
	expect_rule(&h, DEVSIM_RULE_RING_INDIRECT_NESTED, take(&h, 0, &c));
	hr_close(&h);

	/* packed: "The driver MUST NOT set any flags except DESC_F_WRITE
	 * within an indirect descriptor" */
	ptbl[0] = (struct vmmio_pdesc){ (uintptr_t)buf[0], 8, 0, F_NEXT };
	ptbl[1] = (struct vmmio_pdesc){ (uintptr_t)buf[1], 8, 0, 0 };
	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_PACKED | RF_INDIRECT, 1, 8);
	pk_add(&h.r[0], 0, ptbl, sizeof(ptbl), F_INDIRECT);
	expect_rule(&h, DEVSIM_RULE_RING_INDIRECT_NESTED, take(&h, 0, &c));
	hr_close(&h);
}

static void t_rule_indirect_next(void)
{
	static struct vmmio_pdesc ptbl[1] __attribute__((aligned(16)));
	struct devsim_chain c = { 0 };
	struct hr h;

	ptbl[0] = (struct vmmio_pdesc){ (uintptr_t)buf[0], 8, 0, 0 };
	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_INDIRECT, 1, 8);
	sp_desc(&h.r[0], 0, ptbl, sizeof(ptbl), F_INDIRECT | F_NEXT, 1);
	sp_desc(&h.r[0], 1, buf[1], 8, 0, 0);
	sp_add(&h.r[0], 0);
	sp_publish(&h.r[0]);
	expect_rule(&h, DEVSIM_RULE_RING_INDIRECT_NEXT, take(&h, 0, &c));
	hr_close(&h);

	/* packed: an indirect descriptor inside a NEXT list */
	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_PACKED | RF_INDIRECT, 1, 8);
	pk_add(&h.r[0], 0, buf[0], 8, F_NEXT);
	pk_add(&h.r[0], 0, ptbl, sizeof(ptbl), F_INDIRECT);
	expect_rule(&h, DEVSIM_RULE_RING_INDIRECT_NEXT, take(&h, 0, &c));
	hr_close(&h);
}

static void t_rule_write_after_read(void)
{
	struct devsim_chain c = { 0 };
	struct hr h;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, 0, 1, 8);
	sp_desc(&h.r[0], 0, buf[0], 8, F_WRITE | F_NEXT, 1);
	sp_desc(&h.r[0], 1, buf[1], 8, 0, 0);
	sp_add(&h.r[0], 0);
	sp_publish(&h.r[0]);
	expect_rule(&h, DEVSIM_RULE_RING_WRITE_AFTER_READ, take(&h, 0, &c));
	hr_close(&h);

	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_PACKED, 1, 8);
	pk_add(&h.r[0], 0, buf[0], 8, F_WRITE | F_NEXT);
	pk_add(&h.r[0], 0, buf[1], 8, 0);
	expect_rule(&h, DEVSIM_RULE_RING_WRITE_AFTER_READ, take(&h, 0, &c));
	hr_close(&h);
}

static void t_rule_in_order_next(void)
{
	struct devsim_chain c = { 0 };
	struct hr h;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_IN_ORDER, 1, 8);
	sp_desc(&h.r[0], 0, buf[0], 8, F_NEXT, 2); /* must be 1 */
	sp_desc(&h.r[0], 2, buf[1], 8, 0, 0);
	sp_add(&h.r[0], 0);
	sp_publish(&h.r[0]);
	expect_rule(&h, DEVSIM_RULE_RING_IN_ORDER_NEXT, take(&h, 0, &c));
	hr_close(&h);
}

static void t_rule_avail_no_decrement(void)
{
	struct devsim_chain c = { 0 };
	struct hr h;
	struct hr_ring *r;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, 0, 1, 8);
	r = &h.r[0];
	for (uint16_t d = 0; d < 2; d++) {
		sp_desc(r, d, buf[d], 8, 0, 0);
		sp_add(r, d);
	}
	sp_publish(r);
	CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(take(&h, 0, &c), 1);
	vmmio_store16(&r->avail->idx, 1); /* seed 002: no way to unexpose */
	expect_rule(&h, DEVSIM_RULE_RING_AVAIL_NO_DECREMENT, take(&h, 0, &c));
	hr_close(&h);
}

static void t_rule_exposed_unchanged(void)
{
	struct devsim_chain c = { 0 };
	const struct devsim_violation *v;
	struct hr h;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, 0, 1, 8);
	sp_desc(&h.r[0], 3, buf[0], 8, F_WRITE, 0);
	sp_add(&h.r[0], 3);
	sp_publish(&h.r[0]);
	CHECK_EQ(take(&h, 0, &c), 1);
	h.r[0].desc[3].len = 200; /* behind the device's back */
	CHECK_EQ(use1(&h, 0, 3, 8), 0);
	v = sim_find(&h.sim, DEVSIM_RULE_RING_EXPOSED_UNCHANGED);
	CHECK(v != NULL);
	if (v)
		CHECK_STR_HAS(v->detail, "queue 0: buffer 3");
	hr_close(&h);

	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_PACKED, 1, 8);
	pk_add(&h.r[0], 5, buf[0], 8, 0);
	pk_add(&h.r[0], 6, buf[1], 8, 0);
	CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(use1(&h, 0, 5, 0), 0);
	CHECK_EQ(devsim_violation_count(h.s), 0);
	h.r[0].pd[1].addr = (uintptr_t)buf[2];
	CHECK_EQ(use1(&h, 0, 6, 0), 0);
	CHECK(devsim_violated(h.s, DEVSIM_RULE_RING_EXPOSED_UNCHANGED));
	hr_close(&h);
}

static void t_rule_avail_flags(void)
{
	struct devsim_chain c = { 0 };
	struct hr h;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, 0, 1, 8);
	sp_desc(&h.r[0], 0, buf[0], 8, 0, 0);
	sp_add(&h.r[0], 0);
	h.r[0].avail->flags = 2;
	sp_publish(&h.r[0]);
	expect_rule(&h, DEVSIM_RULE_RING_AVAIL_FLAGS, take(&h, 0, &c));
	hr_close(&h);

	/* with EVENT_IDX "The driver MUST set flags to 0" */
	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_EVENT_IDX, 1, 8);
	sp_desc(&h.r[0], 0, buf[0], 8, 0, 0);
	sp_add(&h.r[0], 0);
	h.r[0].avail->flags = VMMIO_AVAIL_F_NO_INTERRUPT;
	sp_publish(&h.r[0]);
	expect_rule(&h, DEVSIM_RULE_RING_AVAIL_FLAGS, take(&h, 0, &c));
	hr_close(&h);
}

/* The device asked (flags 0, avail_event, ENABLE, DESC); the driver made
 * buffers available past that point and did not notify. */
static void t_rule_notify_required(void)
{
	struct hr h;
	struct hr_ring *r;

	hr_open(&h, DEVSIM_BACKEND_SINK, 0, 1, 8);
	r = &h.r[0];
	CHECK_EQ(devsim_vq_kick_mode(h.s, 0, DEVSIM_KICK_ALWAYS, 0, false, true), 0);
	sp_desc(r, 0, buf[0], 8, 0, 0);
	sp_add(r, 0);
	sp_publish(r);
	hr_notify(&h, 0);
	CHECK_EQ(devsim_step(h.s), 1);
	CHECK_EQ(devsim_violation_count(h.s), 0); /* notified: fine */
	sp_add(r, 0);
	sp_publish(r);
	devsim_step(h.s);
	CHECK(devsim_violated(h.s, DEVSIM_RULE_RING_NOTIFY_REQUIRED));
	hr_close(&h);

	/* EVENT_IDX, AT 2: buffers 0 and 1 need no notification, 2 does */
	hr_open(&h, DEVSIM_BACKEND_SINK, RF_EVENT_IDX, 1, 8);
	r = &h.r[0];
	CHECK_EQ(devsim_vq_kick_mode(h.s, 0, DEVSIM_KICK_AT, 2, false, true), 0);
	for (uint16_t d = 0; d < 2; d++) {
		sp_desc(r, d, buf[d], 8, 0, 0);
		sp_add(r, d);
	}
	sp_publish(r);
	devsim_step(h.s);
	CHECK_EQ(devsim_violation_count(h.s), 0);
	sp_add(r, 0);
	sp_publish(r);
	devsim_step(h.s);
	CHECK(devsim_violated(h.s, DEVSIM_RULE_RING_NOTIFY_REQUIRED));
	hr_close(&h);

	/* packed ENABLE */
	hr_open(&h, DEVSIM_BACKEND_SINK, RF_PACKED, 1, 8);
	CHECK_EQ(devsim_vq_kick_mode(h.s, 0, DEVSIM_KICK_ALWAYS, 0, false, true), 0);
	pk_add(&h.r[0], 0, buf[0], 8, 0);
	devsim_step(h.s);
	CHECK(devsim_violated(h.s, DEVSIM_RULE_RING_NOTIFY_REQUIRED));
	hr_close(&h);
}

static void t_rule_notify_data(void)
{
	struct hr h;
	struct hr_ring *r;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_NOTIF_DATA, 1, 8);
	r = &h.r[0];
	sp_desc(r, 0, buf[0], 8, 0, 0);
	sp_add(r, 0);
	sp_publish(r);
	hr_notify(&h, vmmio_notify_data_split(0, 1));
	CHECK_EQ(devsim_violation_count(h.s), 0);
	hr_notify(&h, vmmio_notify_data_split(0, 2));
	CHECK(devsim_violated(h.s, DEVSIM_RULE_RING_NOTIFY_DATA));
	hr_close(&h);

	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_PACKED | RF_NOTIF_DATA, 1, 4);
	r = &h.r[0];
	for (uint16_t i = 0; i < 4; i++)
		pk_add(r, i, buf[i], 8, 0);
	hr_notify(&h, vmmio_notify_data_packed(0, 0, false)); /* all 4: wrapped */
	CHECK_EQ(devsim_violation_count(h.s), 0);
	hr_notify(&h, vmmio_notify_data_packed(0, 0, true));
	CHECK(devsim_violated(h.s, DEVSIM_RULE_RING_NOTIFY_DATA));
	hr_close(&h);

	/* Before the rings are live (LOOPBACK, nothing driven yet) the value
	 * is kept and checked at the first service. */
	hr_open(&h, DEVSIM_BACKEND_LOOPBACK, RF_NOTIF_DATA, 2, 8);
	r = &h.r[1];
	sp_desc(r, 0, buf[0], 20, 0, 0);
	sp_add(r, 0);
	sp_publish(r);
	hr_notify(&h, vmmio_notify_data_split(1, 7));
	CHECK_EQ(devsim_violation_count(h.s), 0);
	devsim_step(h.s);
	CHECK(devsim_violated(h.s, DEVSIM_RULE_RING_NOTIFY_DATA));
	hr_close(&h);
}

/* A descriptor index no ring has: no rule names it, the queue stops. */
static void t_descriptor_out_of_range(void)
{
	struct devsim_chain c = { 0 };
	struct hr h;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, 0, 1, 8);
	sp_add(&h.r[0], 8);
	sp_publish(&h.r[0]);
	CHECK_EQ(take(&h, 0, &c), -EPROTO);
	CHECK_EQ(devsim_violation_count(h.s), 0);
	CHECK_STR_HAS(devsim_vq_error(h.s, 0), "names descriptor 8, QueueSize 8");
	hr_close(&h);
}

/* A queue reset starts the ring over: the device forgets what it held and
 * services the queue again. */
static void t_queue_reset_starts_over(void)
{
	struct devsim_chain c = { 0 };
	struct hr h;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, 0, 1, 8);
	sp_desc(&h.r[0], 0, buf[0], 8, F_WRITE | F_NEXT, 1);
	sp_desc(&h.r[0], 1, buf[1], 8, 0, 0);
	sp_add(&h.r[0], 0);
	sp_publish(&h.r[0]);
	CHECK_EQ(take(&h, 0, &c), -EPROTO);
	wr(&h.sim, VMMIO_REG_QUEUE_SEL, 0);
	wr(&h.sim, VMMIO_REG_QUEUE_RESET, 1);
	CHECK_EQ(rd(&h.sim, VMMIO_REG_QUEUE_RESET), 0);
	CHECK_EQ(rd(&h.sim, VMMIO_REG_QUEUE_READY), 0);
	for (unsigned i = 0; i < 3; i++)
		free(h.r[0].mem[i]);
	h.r[0].avail_idx = 0;
	hr_ring_mem(&h, &h.r[0], false);
	CHECK(devsim_vq_error(h.s, 0) == NULL);
	sp_desc(&h.r[0], 0, buf[0], 8, 0, 0);
	sp_add(&h.r[0], 0);
	sp_publish(&h.r[0]);
	CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(devsim_vq_in_flight(h.s, 0), 1);
	hr_close(&h);
}

/* --- faults --------------------------------------------------------------------------- */

static void t_fault_names(void)
{
	struct hr h;

	CHECK(strcmp(devsim_fault_name(DEVSIM_FAULT_USED_ID_RANGE), "used-id-range") == 0);
	CHECK(strcmp(devsim_fault_name(DEVSIM_FAULT_USED_ID_UNPUBLISHED), "used-id-unpublished") ==
	      0);
	CHECK(strcmp(devsim_fault_name(DEVSIM_FAULT_USED_IDX_BACK), "used-idx-back") == 0);
	CHECK(strcmp(devsim_fault_name(DEVSIM_FAULT_USED_IDX_SHORT), "used-idx-short") == 0);
	CHECK(strcmp(devsim_fault_name(DEVSIM_FAULT_NEEDS_RESET), "needs-reset") == 0);
	hr_open(&h, DEVSIM_BACKEND_MANUAL, 0, 1, 8);
	CHECK_EQ(devsim_fault(h.s, 0, DEVSIM_FAULT_PACKED_WRAP, 0), -EINVAL);
	CHECK_EQ(devsim_fault(h.s, 9, DEVSIM_FAULT_USED_LEN, 0), -ENOENT);
	/* no IN_ORDER: no batches to be short */
	CHECK_EQ(devsim_fault(h.s, 0, DEVSIM_FAULT_USED_IDX_SHORT, 0), -EINVAL);
	hr_close(&h);
	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_PACKED, 1, 8);
	CHECK_EQ(devsim_fault(h.s, 0, DEVSIM_FAULT_USED_IDX_JUMP, 0), -EINVAL);
	CHECK_EQ(devsim_fault(h.s, 0, DEVSIM_FAULT_USED_ID_NOT_HEAD, 0), -EINVAL);
	CHECK_EQ(devsim_fault(h.s, 0, DEVSIM_FAULT_USED_IDX_BACK, 0), -EINVAL);
	CHECK_EQ(devsim_fault(h.s, 0, DEVSIM_FAULT_USED_IDX_SHORT, 0), -EINVAL);
	CHECK_EQ(devsim_fault(h.s, 0, DEVSIM_FAULT_USED_ID_UNPUBLISHED, 0), 0);
	hr_close(&h);
}

/* Split: two buffers (heads 0 and 2, chains of two) and a third (head 6)
 * written to the available ring but not made available; the first used
 * honestly, the second with the lie @f; returns the used entry written. */
static struct vmmio_vring_used_elem split_lie(enum devsim_fault f, uint16_t *idx)
{
	struct devsim_chain c = { 0 };
	struct vmmio_vring_used_elem e;
	struct hr h;
	struct hr_ring *r;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, 0, 1, 8);
	r = &h.r[0];
	sp_desc(r, 0, buf[0], 8, F_NEXT, 1);
	sp_desc(r, 1, buf[1], 100, F_WRITE, 0);
	sp_desc(r, 2, buf[2], 8, F_NEXT, 3);
	sp_desc(r, 3, buf[3], 100, F_WRITE, 0);
	sp_add(r, 0);
	sp_add(r, 2);
	sp_publish(r);
	sp_add(r, 6); /* written, not made available */
	CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(use1(&h, 0, 0, 10), 0);
	CHECK_EQ(devsim_fault(h.s, 0, f, 0), 0);
	CHECK_EQ(use1(&h, 0, 2, 10), 0);
	e = sp_used_at(r, 1);
	*idx = sp_used_idx(r);
	hr_close(&h);
	return e;
}

static void t_fault_split_lies(void)
{
	struct vmmio_vring_used_elem e;
	uint16_t idx;

	e = split_lie(DEVSIM_FAULT_USED_ID_RANGE, &idx);
	CHECK_EQ(e.id, 8);
	e = split_lie(DEVSIM_FAULT_USED_ID_NOT_HEAD, &idx);
	CHECK_EQ(e.id, 3);
	e = split_lie(DEVSIM_FAULT_USED_ID_STALE, &idx);
	CHECK_EQ(e.id, 0);
	e = split_lie(DEVSIM_FAULT_USED_LEN, &idx);
	CHECK_EQ(e.id, 2);
	CHECK_EQ(e.len, 101);
	e = split_lie(DEVSIM_FAULT_USED_IDX_JUMP, &idx);
	CHECK_EQ(e.id, 2);
	CHECK_EQ(idx, 1 + 8 + 1);
	e = split_lie(DEVSIM_FAULT_USED_ID_UNPUBLISHED, &idx);
	CHECK_EQ(e.id, 6);
	e = split_lie(DEVSIM_FAULT_USED_IDX_BACK, &idx);
	CHECK_EQ(e.id, 2);
	CHECK_EQ(idx, 0); /* 1 before, back by one */
}

/* Packed: buffers 10 and 11 available, a stale descriptor (id 77) beyond
 * them; the second used with the lie @f; returns the used descriptor. */
static struct vmmio_pdesc packed_lie(enum devsim_fault f)
{
	struct devsim_chain c = { 0 };
	struct vmmio_pdesc d;
	struct hr h;

	hr_open(&h, DEVSIM_BACKEND_MANUAL, RF_PACKED, 1, 8);
	pk_add(&h.r[0], 10, buf[0], 100, F_WRITE);
	pk_add(&h.r[0], 11, buf[1], 100, F_WRITE);
	h.r[0].pd[2].id = 77;
	CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(take(&h, 0, &c), 1);
	CHECK_EQ(use1(&h, 0, 10, 10), 0);
	CHECK_EQ(devsim_fault(h.s, 0, f, 0), 0);
	CHECK_EQ(use1(&h, 0, 11, 10), 0);
	d = h.r[0].pd[1];
	hr_close(&h);
	return d;
}

static void t_fault_packed_lies(void)
{
	struct vmmio_pdesc d;

	d = packed_lie(DEVSIM_FAULT_USED_ID_RANGE);
	CHECK_EQ(d.id, 8);
	d = packed_lie(DEVSIM_FAULT_USED_ID_STALE);
	CHECK_EQ(d.id, 10);
	d = packed_lie(DEVSIM_FAULT_USED_LEN);
	CHECK_EQ(d.len, 101);
	d = packed_lie(DEVSIM_FAULT_PACKED_WRAP);
	CHECK_EQ(d.id, 11);
	CHECK_EQ(d.flags, VMMIO_DESC_F_USED | VMMIO_DESC_F_WRITE); /* USED = 1, AVAIL = 0 */
	d = packed_lie(DEVSIM_FAULT_USED_ID_UNPUBLISHED);
	CHECK_EQ(d.id, 77);
	CHECK_EQ(d.flags, VMMIO_DESC_F_AVAIL | VMMIO_DESC_F_USED | VMMIO_DESC_F_WRITE);
}

/* A lie applies in any backend: the sink's next used write. */
static void t_fault_sink(void)
{
	struct hr h;

	hr_open(&h, DEVSIM_BACKEND_SINK, 0, 1, 8);
	sp_desc(&h.r[0], 0, buf[0], 8, 0, 0);
	sp_add(&h.r[0], 0);
	sp_publish(&h.r[0]);
	CHECK_EQ(devsim_fault(h.s, 0, DEVSIM_FAULT_USED_ID_RANGE, 0), 0);
	hr_notify(&h, 0);
	CHECK_EQ(devsim_step(h.s), 1);
	CHECK_EQ(sp_used_at(&h.r[0], 0).id, 8);
	hr_close(&h);
}

static void t_fault_notifications(void)
{
	struct devsim_chain c = { 0 };
	struct devsim_vq_stats st;
	struct hr h;

	hr_open(&h, DEVSIM_BACKEND_SINK, 0, 1, 8);
	sp_desc(&h.r[0], 0, buf[0], 8, 0, 0);
	sp_add(&h.r[0], 0);
	sp_publish(&h.r[0]);
	CHECK_EQ(devsim_fault(h.s, 0, DEVSIM_FAULT_DROP_KICK, 1), 0);
	hr_notify(&h, 0);
	CHECK_EQ(devsim_step(h.s), 0); /* the device never heard of it */
	CHECK_EQ(devsim_fault(h.s, 0, DEVSIM_FAULT_DROP_IRQ, 1), 0);
	hr_notify(&h, 0);
	CHECK_EQ(devsim_step(h.s), 1);
	CHECK_EQ(devsim_isr(h.s), 0);
	sp_add(&h.r[0], 0);
	sp_publish(&h.r[0]);
	hr_notify(&h, 0);
	CHECK_EQ(devsim_step(h.s), 1);
	CHECK(devsim_isr(h.s) & VMMIO_ISR_USED_BUFFER);
	st = stats(&h, 0);
	CHECK_EQ(st.kicks, 3);
	CHECK_EQ(st.kicks_dropped, 1);
	CHECK_EQ(st.irqs, 1);
	CHECK_EQ(st.irqs_dropped, 1);
	hr_close(&h);

	hr_open(&h, DEVSIM_BACKEND_MANUAL, 0, 1, 8);
	CHECK_EQ(devsim_fault(h.s, 0, DEVSIM_FAULT_SPURIOUS_IRQ, 2), 0);
	CHECK(devsim_isr(h.s) & VMMIO_ISR_USED_BUFFER);
	CHECK_EQ(stats(&h, 0).irqs, 2);
	CHECK_EQ(take(&h, 0, &c), 0); /* nothing used, nothing there */
	CHECK_EQ(devsim_fault(h.s, 0, DEVSIM_FAULT_NEEDS_RESET, 0), 0);
	CHECK(devsim_status(h.s) & VMMIO_STATUS_DEVICE_NEEDS_RESET);
	CHECK(devsim_isr(h.s) & VMMIO_ISR_CONFIG_CHANGE);
	hr_close(&h);
}

/* --- backends ---------------------------------------------------------------------------- */

/* Sink: every available buffer used at once with length 0, on any queue;
 * with IN_ORDER as one batch entry. */
static void t_sink(void)
{
	struct hr h;

	hr_open(&h, DEVSIM_BACKEND_SINK, 0, 3, 8);
	for (uint16_t q = 0; q < 3; q++) {
		for (uint16_t d = 0; d < 5; d++) {
			sp_desc(&h.r[q], d, buf[d], 64, F_WRITE, 0);
			sp_add(&h.r[q], d);
		}
		sp_publish(&h.r[q]);
		hr_notify(&h, q);
	}
	CHECK_EQ(devsim_step(h.s), 15);
	for (uint16_t q = 0; q < 3; q++) {
		CHECK_EQ(sp_used_idx(&h.r[q]), 5);
		CHECK_EQ(sp_used_at(&h.r[q], 4).id, 4);
		CHECK_EQ(sp_used_at(&h.r[q], 4).len, 0);
	}
	hr_close(&h);

	hr_open(&h, DEVSIM_BACKEND_SINK, RF_IN_ORDER, 1, 8);
	for (uint16_t d = 0; d < 5; d++) {
		sp_desc(&h.r[0], d, buf[d], 64, 0, 0);
		sp_add(&h.r[0], d);
	}
	sp_publish(&h.r[0]);
	hr_notify(&h, 0);
	CHECK_EQ(devsim_step(h.s), 5);
	CHECK_EQ(sp_used_idx(&h.r[0]), 5);
	CHECK_EQ(sp_used_at(&h.r[0], 0).id, 4);
	CHECK_EQ(sp_used_at(&h.r[0], 1).id, 0); /* not written */
	hr_close(&h);
}

/* Loopback: a packet with its header goes out on transmitq1 (queue 1) and
 * comes back on receiveq1 (queue 0) with a fresh header of @hdr bytes. */
static void loopback_case(unsigned rf, uint32_t hdr)
{
	uint8_t tx_hdr[12], payload[100], rx_a[20], rx_b[200], small[30];
	struct hr h;
	struct hr_ring *rx, *tx;
	struct vmmio_vring_used_elem e;
	bool ok = true;

	for (unsigned i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 1);
	memset(tx_hdr, 0xee, sizeof(tx_hdr));
	memset(rx_a, 0xcc, sizeof(rx_a));
	memset(rx_b, 0xcc, sizeof(rx_b));
	hr_open(&h, DEVSIM_BACKEND_LOOPBACK, rf, 2, 8);
	rx = &h.r[0];
	tx = &h.r[1];
	/* the header in one descriptor, the payload split in two */
	sp_desc(tx, 0, tx_hdr, hdr, F_NEXT, 1);
	sp_desc(tx, 1, payload, 60, F_NEXT, 2);
	sp_desc(tx, 2, payload + 60, 40, 0, 0);
	sp_add(tx, 0);
	sp_publish(tx);
	hr_notify(&h, 1);
	CHECK_EQ(devsim_step(h.s), 0); /* no receive buffer: the packet waits */
	CHECK_EQ(sp_used_idx(tx), 0);
	sp_desc(rx, 3, rx_a, sizeof(rx_a), F_WRITE | F_NEXT, 4);
	sp_desc(rx, 4, rx_b, sizeof(rx_b), F_WRITE, 0);
	sp_add(rx, 3);
	sp_publish(rx);
	hr_notify(&h, 0);
	CHECK_EQ(devsim_step(h.s), 2);
	CHECK_EQ(sp_used_idx(tx), 1);
	CHECK_EQ(sp_used_at(tx, 0).len, 0);
	CHECK_EQ(sp_used_idx(rx), 1);
	e = sp_used_at(rx, 0);
	CHECK_EQ(e.id, 3);
	CHECK_EQ(e.len, hdr + 100);
	for (unsigned i = 0; i < hdr; i++)
		ok &= rx_a[i] == (hdr == 12 && i == 10 ? 1 : 0); /* num_buffers = 1 */
	for (unsigned i = 0; i < 100; i++)
		ok &= (hdr + i < 20 ? rx_a[hdr + i] : rx_b[hdr + i - 20]) == payload[i];
	CHECK(ok);
	CHECK_EQ(rx_b[hdr + 100 - 20], 0xcc);
	CHECK_EQ(stats(&h, 0).truncated, 0);

	/* a receive buffer too small: cut, and counted */
	sp_add(tx, 0);
	sp_publish(tx);
	hr_notify(&h, 1);
	sp_desc(rx, 5, small, sizeof(small), F_WRITE, 0);
	sp_add(rx, 5);
	sp_publish(rx);
	CHECK_EQ(devsim_step(h.s), 2);
	CHECK_EQ(sp_used_at(rx, 1).len, sizeof(small));
	CHECK_EQ(stats(&h, 0).truncated, 1);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

static void t_loopback(void)
{
	loopback_case(0, 12); /* VERSION_1: 12 bytes */
	loopback_case(RF_LEGACY, 10); /* neither VERSION_1 nor MRG_RXBUF */
}

static void t_loopback_packed(void)
{
	uint8_t pkt[12 + 5] = { [12] = 'h', 'e', 'l', 'l', 'o' }, in[64];
	struct hr h;

	hr_open(&h, DEVSIM_BACKEND_LOOPBACK, RF_PACKED, 3, 8);
	pk_add(&h.r[0], 4, in, sizeof(in), F_WRITE);
	pk_add(&h.r[1], 9, pkt, sizeof(pkt), 0);
	pk_add(&h.r[2], 1, buf[0], 8, 0); /* the control queue: not looped back */
	hr_notify(&h, 1);
	hr_notify(&h, 2);
	CHECK_EQ(devsim_step(h.s), 2);
	CHECK(pk_used(&h.r[0], 0, true) && h.r[0].pd[0].id == 4 && h.r[0].pd[0].len == 17);
	CHECK(pk_used(&h.r[1], 0, true) && h.r[1].pd[0].id == 9 && h.r[1].pd[0].len == 0);
	/* WRITE in a used descriptor: the length counts (the receive buffer),
	 * not for a buffer the device only read */
	CHECK(h.r[0].pd[0].flags & VMMIO_DESC_F_WRITE);
	CHECK(!(h.r[1].pd[0].flags & VMMIO_DESC_F_WRITE));
	CHECK(!pk_used(&h.r[2], 0, true));
	CHECK(memcmp(in + 12, "hello", 5) == 0);
	hr_close(&h);
}

/* --- the device thread ------------------------------------------------------------------- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Wait (in real time, bounded) until the used idx reaches @want. */
static bool wait_used(const struct hr_ring *r, uint16_t want)
{
	const uint64_t deadline = now_ms() + 5000;

	while (sp_used_idx(r) != want)
		if (now_ms() > deadline)
			return false;
	return true;
}

/* Sink traffic through a polling device thread: no notification either
 * way (NO_NOTIFY), every buffer back. */
static void t_thread_sink(void)
{
	struct devsim_chain c = { 0 };
	struct hr h;
	struct hr_ring *r;
	unsigned bad = 0;

	hr_open(&h, DEVSIM_BACKEND_SINK, 0, 1, 64);
	r = &h.r[0];
	r->avail->flags = VMMIO_AVAIL_F_NO_INTERRUPT;
	for (uint16_t d = 0; d < 64; d++)
		sp_desc(r, d, buf[d % 8], 64, 0, 0);
	CHECK_EQ(devsim_thread_start(h.s, NULL), 0);
	CHECK_EQ(devsim_thread_start(h.s, NULL), -EBUSY);
	CHECK_EQ(devsim_step(h.s), 0);
	CHECK_EQ(take(&h, 0, &c), -EBUSY);
	for (unsigned round = 0; round < 2000 && !bad; round++) {
		for (uint16_t d = 0; d < 32; d++)
			sp_add(r, (uint16_t)((round % 2) * 32 + d));
		sp_publish(r);
		bad += !wait_used(r, r->avail_idx);
		bad += sp_used_at(r, (uint16_t)(r->avail_idx - 1)).id != (round % 2) * 32 + 31;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(r->used->flags, VMMIO_USED_F_NO_NOTIFY); /* a polling device */
	devsim_thread_stop(h.s);
	CHECK_EQ(r->used->flags, 0); /* ALWAYS again */
	CHECK_EQ(stats(&h, 0).used, 64000);
	CHECK_EQ(stats(&h, 0).kicks, 0);
	CHECK_EQ(stats(&h, 0).irqs, 0);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* Wait (real time, bounded) until the device thread has slept @n times on queue @q. */
static bool wait_sleeps(struct hr *h, uint16_t q, uint64_t n)
{
	const uint64_t deadline = now_ms() + 5000;

	while (stats(h, q).sleeps < n)
		if (now_ms() > deadline)
			return false;
	return true;
}

/* Whether the device asks the driver for a notification on ring @r now. */
static bool asks_for_kick(struct hr_ring *r, bool event_idx)
{
	if (r->packed)
		return vmmio_load16(&r->dev_ev->flags) == VMMIO_PEVENT_ENABLE;
	if (event_idx)
		return vmmio_load16(&r->used->flags) == 0 && sp_avail_event(r) == r->avail_idx;
	return vmmio_load16(&r->used->flags) == 0;
}

static void publish_one(struct hr_ring *r, uint16_t id)
{
	if (r->packed) {
		pk_add(r, id, buf[id % 8], 16, 0);
	} else {
		sp_desc(r, id, buf[id % 8], 16, 0, 0);
		sp_add(r, id);
		sp_publish(r);
	}
}

static bool used_count(struct hr_ring *r, unsigned n)
{
	if (!r->packed)
		return sp_used_idx(r) == (uint16_t)n;
	/* one descriptor per buffer, in order: the n-th is at n - 1 */
	return n && pk_used(r, (uint16_t)((n - 1) % r->num), ((n - 1) / r->num) % 2 == 0);
}

/* A device thread that sleeps when idle (sleep_after): once idle it asks
 * for a notification (flags 0, avail_event at the next entry, or ENABLE),
 * and a buffer published without one is not used until it comes; after
 * the notification it uses the buffer and stops asking. */
static void thread_sleep_case(unsigned rf)
{
	const bool event_idx = rf & RF_EVENT_IDX;
	const struct devsim_thread_opts o = { .cpu = -1, .sleep_after = 16 };
	struct timespec pause = { 0, 50 * 1000000L };
	struct hr h;
	struct hr_ring *r;

	hr_open(&h, DEVSIM_BACKEND_SINK, rf, 1, 8);
	r = &h.r[0];
	/* no interrupts: flags, or (EVENT_IDX, flags must be 0) a used_event
	 * the device does not reach in this test */
	if (r->packed)
		r->drv_ev->flags = VMMIO_PEVENT_DISABLE;
	else if (event_idx)
		*sp_used_event(r) = 0x8000;
	else
		r->avail->flags = VMMIO_AVAIL_F_NO_INTERRUPT;
	CHECK_EQ(devsim_thread_start(h.s, &o), 0);
	for (unsigned i = 1; i <= 20; i++) {
		bool used;

		if (!wait_sleeps(&h, 0, i)) {
			CHECK(!"the idle device went to sleep");
			break;
		}
		CHECK(asks_for_kick(r, event_idx));
		publish_one(r, (uint16_t)(i % 8));
		nanosleep(&pause, NULL);
		/* asleep: the buffer waits for the notification */
		CHECK(!used_count(r, i));
		CHECK_EQ(stats(&h, 0).used, i - 1);
		hr_notify(&h, 0);
		for (uint64_t t = now_ms(); !(used = used_count(r, i)) && now_ms() - t < 5000;)
			;
		if (!used) {
			CHECK(!"the notification woke the device");
			break;
		}
	}
	devsim_thread_stop(h.s);
	CHECK_EQ(stats(&h, 0).used, 20);
	CHECK_EQ(stats(&h, 0).kicks, 20);
	CHECK(stats(&h, 0).sleeps >= 20);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

static void t_thread_sleep_split(void)
{
	thread_sleep_case(0);
}

static void t_thread_sleep_split_event_idx(void)
{
	thread_sleep_case(RF_EVENT_IDX);
}

static void t_thread_sleep_packed(void)
{
	thread_sleep_case(RF_PACKED);
}

/* A queue asleep when the thread stops is awake when it starts again,
 * even without sleep_after: it serves a buffer published with no
 * notification (the restarted thread asks for none). */
static void t_thread_restart_awake(void)
{
	const struct devsim_thread_opts o = { .cpu = -1, .sleep_after = 16 };
	struct hr h;
	struct hr_ring *r;

	hr_open(&h, DEVSIM_BACKEND_SINK, 0, 1, 8);
	r = &h.r[0];
	r->avail->flags = VMMIO_AVAIL_F_NO_INTERRUPT;
	CHECK_EQ(devsim_thread_start(h.s, &o), 0);
	CHECK(wait_sleeps(&h, 0, 1));
	devsim_thread_stop(h.s);
	CHECK_EQ(devsim_thread_start(h.s, NULL), 0);
	publish_one(r, 3);
	CHECK(wait_used(r, 1));
	CHECK_EQ(r->used->flags, VMMIO_USED_F_NO_NOTIFY);
	devsim_thread_stop(h.s);
	CHECK_EQ(stats(&h, 0).kicks, 0);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

static void t_thread_packed_irq(void)
{
	struct hr h;
	struct hr_ring *r;

	hr_open(&h, DEVSIM_BACKEND_SINK, RF_PACKED, 1, 8);
	r = &h.r[0];
	CHECK_EQ(devsim_thread_start(h.s, &(struct devsim_thread_opts){ .cpu = 0 }), 0);
	pk_add(r, 3, buf[0], 8, 0);
	/* the driver asks for an interrupt (ENABLE): the wait blocks in real time */
	CHECK_EQ(wait_irq(&h.sim, 5000), 1);
	CHECK_EQ(rd(&h.sim, VMMIO_REG_INTERRUPT_STATUS), VMMIO_ISR_USED_BUFFER);
	wr(&h.sim, VMMIO_REG_INTERRUPT_ACK, VMMIO_ISR_USED_BUFFER);
	CHECK(pk_used(r, 0, true) && r->pd[0].id == 3);
	CHECK_EQ(r->dev_ev->flags, VMMIO_PEVENT_DISABLE);
	CHECK_EQ(wait_irq(&h.sim, 10), 0);
	devsim_thread_stop(h.s);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* A reset completes only once the thread let go of the rings: after the
 * read-back, buffers written to the old ring are never used. */
static void t_thread_reset(void)
{
	struct hr h;
	struct hr_ring *r;
	unsigned reads = 0;

	hr_open(&h, DEVSIM_BACKEND_SINK, 0, 2, 8);
	r = &h.r[0];
	r->avail->flags = VMMIO_AVAIL_F_NO_INTERRUPT;
	sp_desc(r, 0, buf[0], 8, 0, 0);
	CHECK_EQ(devsim_thread_start(h.s, NULL), 0);
	sp_add(r, 0);
	sp_publish(r);
	CHECK(wait_used(r, 1));

	/* a queue stop: QueueReady reads 1 until the thread let go */
	wr(&h.sim, VMMIO_REG_QUEUE_SEL, 1);
	wr(&h.sim, VMMIO_REG_QUEUE_READY, 0);
	while (rd(&h.sim, VMMIO_REG_QUEUE_READY) && reads < 10000000)
		reads++;
	CHECK_EQ(rd(&h.sim, VMMIO_REG_QUEUE_READY), 0);
	sp_desc(&h.r[1], 0, buf[0], 8, 0, 0);
	sp_add(&h.r[1], 0);
	sp_publish(&h.r[1]);

	wr(&h.sim, VMMIO_REG_STATUS, 0);
	reads = 0;
	while (rd(&h.sim, VMMIO_REG_STATUS) && reads < 10000000)
		reads++;
	CHECK_EQ(rd(&h.sim, VMMIO_REG_STATUS), 0);
	sp_add(r, 0);
	sp_publish(r);
	struct timespec ts = { 0, 50 * 1000000L };
	nanosleep(&ts, NULL);
	CHECK_EQ(sp_used_idx(r), 1);
	CHECK_EQ(sp_used_idx(&h.r[1]), 0);
	devsim_thread_stop(h.s);
	hr_close(&h);
}

int main(void)
{
	TAP_RUN(t_split_chain);
	TAP_RUN(t_split_indirect);
	TAP_RUN(t_split_wrap);
	TAP_RUN(t_split_in_order_batch);
	TAP_RUN(t_split_legacy);
	TAP_RUN(t_split_irq_flags);
	TAP_RUN(t_split_irq_used_event);
	TAP_RUN(t_packed_chain);
	TAP_RUN(t_packed_indirect);
	TAP_RUN(t_packed_wrap);
	TAP_RUN(t_packed_in_order_batch);
	TAP_RUN(t_packed_irq_modes);
	TAP_RUN(t_kick_modes_split);
	TAP_RUN(t_kick_never_rare_store);
	TAP_RUN(t_kick_modes_packed);
	TAP_RUN(t_step_needs_notify);
	TAP_RUN(t_nothing_before_driver_ok);
	TAP_RUN(t_rule_chain_len);
	TAP_RUN(t_rule_indirect_feature);
	TAP_RUN(t_rule_indirect_nested);
	TAP_RUN(t_rule_indirect_next);
	TAP_RUN(t_rule_write_after_read);
	TAP_RUN(t_rule_in_order_next);
	TAP_RUN(t_rule_avail_no_decrement);
	TAP_RUN(t_rule_exposed_unchanged);
	TAP_RUN(t_rule_avail_flags);
	TAP_RUN(t_rule_notify_required);
	TAP_RUN(t_rule_notify_data);
	TAP_RUN(t_descriptor_out_of_range);
	TAP_RUN(t_queue_reset_starts_over);
	TAP_RUN(t_fault_names);
	TAP_RUN(t_fault_split_lies);
	TAP_RUN(t_fault_packed_lies);
	TAP_RUN(t_fault_sink);
	TAP_RUN(t_fault_notifications);
	TAP_RUN(t_sink);
	TAP_RUN(t_loopback);
	TAP_RUN(t_loopback_packed);
	TAP_RUN(t_thread_sink);
	TAP_RUN(t_thread_sleep_split);
	TAP_RUN(t_thread_sleep_split_event_idx);
	TAP_RUN(t_thread_sleep_packed);
	TAP_RUN(t_thread_restart_awake);
	TAP_RUN(t_thread_packed_irq);
	TAP_RUN(t_thread_reset);
	return tap_end();
}
