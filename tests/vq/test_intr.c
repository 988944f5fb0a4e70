/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmmio_vq_intr_enable() is race-free: it returns false when a used
 * buffer is already waiting (the interrupt for it may have been decided
 * against while interrupts were off), and when it returns true the next
 * used buffer raises an interrupt that vmmio_irq_wait() sees. Random
 * interleavings of the device using buffers (manual backend, so the
 * device acts exactly between the driver's steps) with the driver
 * disabling, enabling, waiting and reaping, on both formats with and
 * without EVENT_IDX and IN_ORDER.
 *
 *   test_vq_intr [seed]     (or VMMIO_SEED=seed)
 */
#include <inttypes.h>
#include <stdio.h>

#include "tap.h"
#include "traffic.h"

#define ROUNDS 3000u

struct intr_case {
	struct rig_ring ring;
	uint64_t seed; /* the base seed, which replays it */
	unsigned index;
	char name[64];
};

/* Handle every pending interrupt (the checker wants each one read and
 * acknowledged); returns how many were pending. */
static unsigned drain_irqs(struct traffic *t)
{
	unsigned n = 0;

	while (n < 16 && vmmio_irq_wait(&t->rig.dev, 0) == 1) {
		vmmio_irq_handle(&t->rig.dev);
		n++;
	}
	return n;
}

/* Interrupts were enabled with nothing waiting: the next used buffer must
 * raise an interrupt. Returns the buffers used (0 when none was held). */
static unsigned use_when_armed(struct traffic *t, const struct intr_case *c, unsigned r)
{
	struct devsim_vq_stats st0, st1;

	if (!t->n_held)
		return 0;
	devsim_vq_stats(t->sim, TR_Q, &st0);
	if (tr_use(t, 1))
		RIG_FAIL(c->seed, "round %u: devsim_vq_use() failed", r);
	devsim_vq_stats(t->sim, TR_Q, &st1);
	if (st1.irqs != st0.irqs + 1)
		RIG_FAIL(c->seed, "round %u: %" PRIu64 " interrupts for a used buffer after "
				  "intr_enable() returned true",
			 r, st1.irqs - st0.irqs);
	if (vmmio_irq_wait(&t->rig.dev, 0) != 1)
		RIG_FAIL(c->seed, "round %u: no interrupt after intr_enable() returned true "
				  "and a buffer was used",
			 r);
	else if (!(vmmio_irq_handle(&t->rig.dev) & VMMIO_EV_USED))
		RIG_FAIL(c->seed, "round %u: the interrupt is no used buffer notification", r);
	return 1;
}

/* Keep the device supplied; recycle the buffer records when all are back. */
static void supply(struct traffic *t, const struct intr_case *c, unsigned r)
{
	if (t->n_held < 4 && t->n_bufs + TR_NUM <= TR_MAX_BUFS) {
		const unsigned room = vmmio_vq_room(t->vq) / 2; /* 2 descriptors a buffer */

		if (room && tr_add(t, room, true) != (int)room)
			RIG_FAIL(c->seed, "round %u: adding %u buffers failed", r, room);
		tr_take(t);
	}
	if (t->n_bufs + TR_NUM > TR_MAX_BUFS && !vmmio_vq_outstanding(t->vq)) {
		t->n_bufs = 0;
		for (unsigned i = 0; i < TR_MAX_BUFS; i++)
			t->b[i] = (struct tr_buf){ 0 };
	}
}

static void t_intr(const void *arg)
{
	const struct intr_case *c = arg;
	struct traffic t;
	struct rng g;
	unsigned armed = 0, refused = 0;

	if (tr_open(&t, &c->ring, DEVSIM_BACKEND_MANUAL)) {
		CHECK(!"rig_open");
		return;
	}
	rng_seed(&g, c->seed * 8 + c->index);
	for (unsigned r = 0; r < ROUNDS && !tap_case_failures; r++) {
		unsigned waiting;

		supply(&t, c, r);
		vmmio_vq_intr_disable(t.vq);
		/* the device may use buffers while interrupts are off */
		waiting = rng_below(&g, 3);
		if (waiting > t.n_held)
			waiting = t.n_held;
		if (waiting && tr_use(&t, waiting))
			RIG_FAIL(c->seed, "round %u: devsim_vq_use() failed", r);
		drain_irqs(&t);
		if (vmmio_vq_intr_enable(t.vq)) {
			armed++;
			if (waiting)
				RIG_FAIL(c->seed, "round %u: intr_enable() returned true, %u used",
					 r, waiting);
			waiting += use_when_armed(&t, c, r);
		} else {
			refused++;
			if (!waiting)
				RIG_FAIL(c->seed, "round %u: intr_enable() false, nothing used", r);
		}
		if (tr_reap(&t) != waiting)
			RIG_FAIL(c->seed, "round %u: reaped not the %u used buffers", r, waiting);
	}
	vmmio_vq_intr_disable(t.vq);
	drain_irqs(&t);
	CHECK(armed > ROUNDS / 4);
	CHECK(refused > ROUNDS / 4);
	CHECK(!vmmio_vq_broken(t.vq));
	CHECK_EQ(t.bad_cookies, 0);
	CHECK_EQ(rig_dump_violations(&t.rig), 0);
	printf("# %s: %u armed, %u refused (a buffer was waiting)\n", c->name, armed, refused);
	tr_close(&t);
}

int main(int argc, char **argv)
{
	static struct intr_case cases[8];
	const uint64_t seed = rig_base_seed(argc, argv, 1);

	for (unsigned i = 0; i < 8; i++) {
		struct intr_case *c = &cases[i];

		c->ring.packed = i & 1;
		c->ring.event_idx = i & 2;
		c->ring.in_order = i & 4;
		c->seed = seed;
		c->index = i;
		rig_ring_name(&c->ring, c->name, sizeof(c->name));
		tap_run_arg(c->name, t_intr, c);
	}
	return tap_end();
}
