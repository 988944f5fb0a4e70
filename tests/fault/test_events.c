/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lies about notifications and device state (devsim_fault()): dropped
 * kicks, dropped and spurious used buffer notifications, and
 * DEVICE_NEEDS_RESET in the middle of traffic. None of them may lose or
 * duplicate a buffer, crash, or break a queue: a driver re-polls (buffers
 * arrive on the next kick or poll), handles a spurious interrupt as an
 * empty one, and recovers from NEEDS_RESET by reset and reclaim.
 */
#include <errno.h>
#include <stdio.h>

#include "tap.h"
#include "traffic.h"

struct ev_case {
	bool packed;
	bool event_idx;
	bool in_order; /* the sink then uses each round's buffers as one batch */
	char name[64];
};

/*
 * The sink backend services a queue only when it was notified: a dropped
 * kick leaves the buffers on the ring, unseen, and the next notification
 * (the driver's next kick, or a re-kick when it polls and finds nothing)
 * makes the device find all of them.
 */
static void t_drop_kick(const void *arg)
{
	const struct ev_case *c = arg;
	const struct rig_ring ring = { .packed = c->packed, .event_idx = c->event_idx, .in_order = c->in_order };
	struct devsim_vq_stats st;
	struct traffic t;

	if (tr_open(&t, &ring, DEVSIM_BACKEND_SINK)) {
		CHECK(!"rig_open");
		return;
	}
	CHECK_EQ(devsim_vq_kick_mode(t.sim, TR_Q, DEVSIM_KICK_ALWAYS, 0, false, false), 0);
	CHECK_EQ(devsim_fault(t.sim, TR_Q, DEVSIM_FAULT_DROP_KICK, 1), 0);
	CHECK_EQ(tr_add(&t, 3, true), 3);
	CHECK_EQ(devsim_vq_stats(t.sim, TR_Q, &st), 0);
	CHECK_EQ(st.kicks, 1);
	CHECK_EQ(st.kicks_dropped, 1);
	CHECK_EQ(devsim_step(t.sim), 0);
	CHECK_EQ(tr_reap(&t), 0);
	CHECK(!vmmio_vq_broken(t.vq));

	CHECK_EQ(tr_add(&t, 2, true), 2);
	CHECK_EQ(devsim_vq_stats(t.sim, TR_Q, &st), 0);
	if (!c->event_idx)
		CHECK_EQ(st.kicks, 2); /* flags 0: every publish notifies */
	/* with EVENT_IDX the event point is still where the device last
	 * looked, behind this publish: the driver re-kicks when it polls */
	if (st.kicks == 1)
		CHECK_EQ(vmmio_vq_notify(t.vq, &t.rig.dev), 0);
	CHECK_EQ(devsim_step(t.sim), 5);
	CHECK_EQ(tr_reap(&t), 5);
	CHECK(!vmmio_vq_broken(t.vq));
	CHECK_EQ(tr_missing(&t), 0);
	CHECK_EQ(devsim_vq_stats(t.sim, TR_Q, &st), 0);
	CHECK_EQ(st.kicks_dropped, 1);
	CHECK_EQ(rig_dump_violations(&t.rig), 0);
	tr_close(&t);
}

static void t_drop_irq(const void *arg)
{
	const struct ev_case *c = arg;
	const struct rig_ring ring = { .packed = c->packed, .event_idx = c->event_idx, .in_order = c->in_order };
	struct devsim_vq_stats st;
	struct traffic t;

	if (tr_open(&t, &ring, DEVSIM_BACKEND_MANUAL)) {
		CHECK(!"rig_open");
		return;
	}
	CHECK_EQ(tr_add(&t, 4, true), 4);
	CHECK_EQ(tr_take(&t), 4);
	CHECK(vmmio_vq_intr_enable(t.vq));
	CHECK_EQ(devsim_fault(t.sim, TR_Q, DEVSIM_FAULT_DROP_IRQ, 1), 0);
	CHECK_EQ(tr_use(&t, 1), 0);
	CHECK_EQ(devsim_vq_stats(t.sim, TR_Q, &st), 0);
	CHECK_EQ(st.irqs_dropped, 1);
	/* no interrupt came: the driver's poll finds the buffer all the same */
	CHECK_EQ(vmmio_irq_wait(&t.rig.dev, 0), 0);
	CHECK_EQ(tr_reap(&t), 1);
	/* the next one is notified */
	CHECK(vmmio_vq_intr_enable(t.vq));
	CHECK_EQ(tr_use(&t, 1), 0);
	CHECK_EQ(vmmio_irq_wait(&t.rig.dev, 10), 1);
	CHECK_EQ(vmmio_irq_handle(&t.rig.dev), VMMIO_EV_USED);
	CHECK_EQ(tr_reap(&t), 1);
	vmmio_vq_intr_disable(t.vq);
	CHECK_EQ(tr_use(&t, 2), 0);
	CHECK_EQ(tr_reap(&t), 2);
	CHECK(!vmmio_vq_broken(t.vq));
	CHECK_EQ(tr_missing(&t), 0);
	CHECK_EQ(rig_dump_violations(&t.rig), 0);
	tr_close(&t);
}

static void t_spurious_irq(const void *arg)
{
	const struct ev_case *c = arg;
	const struct rig_ring ring = { .packed = c->packed, .event_idx = c->event_idx, .in_order = c->in_order };
	struct traffic t;
	unsigned irqs = 0;

	if (tr_open(&t, &ring, DEVSIM_BACKEND_MANUAL)) {
		CHECK(!"rig_open");
		return;
	}
	CHECK_EQ(tr_add(&t, 4, true), 4);
	CHECK_EQ(tr_take(&t), 4);
	CHECK_EQ(tr_use(&t, 1), 0);
	CHECK_EQ(tr_reap(&t), 1);
	CHECK(vmmio_vq_intr_enable(t.vq));
	CHECK_EQ(devsim_fault(t.sim, TR_Q, DEVSIM_FAULT_SPURIOUS_IRQ, 3), 0);
	/* each interrupt is handled as a used buffer notification that finds
	 * nothing used (notifications may coalesce in InterruptStatus) */
	while (irqs < 8 && vmmio_irq_wait(&t.rig.dev, 0) == 1) {
		irqs++;
		CHECK_EQ(vmmio_irq_handle(&t.rig.dev), VMMIO_EV_USED);
		CHECK_EQ(tr_reap(&t), 0);
	}
	CHECK(irqs >= 1 && irqs <= 3);
	CHECK(!vmmio_vq_broken(t.vq));
	CHECK(vmmio_vq_intr_enable(t.vq));
	CHECK_EQ(tr_use(&t, 3), 0);
	CHECK_EQ(vmmio_irq_wait(&t.rig.dev, 10), 1);
	CHECK_EQ(vmmio_irq_handle(&t.rig.dev), VMMIO_EV_USED);
	CHECK_EQ(tr_reap(&t), 3);
	CHECK(!vmmio_vq_broken(t.vq));
	CHECK_EQ(tr_missing(&t), 0);
	CHECK_EQ(rig_dump_violations(&t.rig), 0);
	tr_close(&t);
}

static void t_needs_reset(const void *arg)
{
	const struct ev_case *c = arg;
	const struct rig_ring ring = { .packed = c->packed, .event_idx = c->event_idx, .in_order = c->in_order };
	struct traffic t;
	unsigned ev;

	if (tr_open(&t, &ring, DEVSIM_BACKEND_MANUAL)) {
		CHECK(!"rig_open");
		return;
	}
	/* buffers in every state: reaped; then 2 used, 2 held, 2 available
	 * and 2 only added (the ring full: 8 buffers of 2 descriptors) */
	CHECK_EQ(tr_add(&t, 6, true), 6);
	CHECK_EQ(tr_take(&t), 6);
	CHECK_EQ(tr_use(&t, 2), 0);
	CHECK_EQ(tr_reap(&t), 2);
	CHECK_EQ(tr_use(&t, 2), 0);
	CHECK_EQ(tr_add(&t, 2, true), 2);
	CHECK_EQ(tr_add(&t, 2, false), 2);
	CHECK_EQ(vmmio_vq_room(t.vq), 0);

	CHECK_EQ(devsim_fault(t.sim, TR_Q, DEVSIM_FAULT_NEEDS_RESET, 0), 0);
	CHECK_EQ(vmmio_irq_wait(&t.rig.dev, 10), 1);
	ev = vmmio_irq_handle(&t.rig.dev);
	CHECK(ev & VMMIO_EV_NEEDS_RESET);
	CHECK(vmmio_needs_reset(&t.rig.dev));
	/* "in-flight requests have an unknown fate": every outstanding one,
	 * used or not, is handed back exactly once by the reclaim */
	CHECK_EQ(vmmio_recover(&t.rig.dev, rig_setup, &t.rig), 0);
	tr_device_reset(&t);
	CHECK_EQ(t.rig.setups, 2); /* the queues were rebuilt */
	CHECK_EQ(t.rig.reclaimed, 8);
	CHECK_EQ(tr_missing(&t), 0);
	CHECK(!vmmio_needs_reset(&t.rig.dev));
	CHECK_EQ(vmmio_vq_outstanding(t.vq), 0);

	CHECK_EQ(tr_add(&t, 5, true), 5);
	CHECK_EQ(tr_take(&t), 5);
	CHECK_EQ(tr_use(&t, 5), 0);
	CHECK_EQ(tr_reap(&t), 5);
	CHECK(!vmmio_vq_broken(t.vq));
	CHECK_EQ(tr_missing(&t), 0);
	CHECK_EQ(rig_dump_violations(&t.rig), 0);
	tr_close(&t);
}

int main(void)
{
	static struct ev_case cases[8];
	static const struct {
		const char *what;
		void (*fn)(const void *);
	} tests[] = {
		{ "drop-kick", t_drop_kick },
		{ "drop-irq", t_drop_irq },
		{ "spurious-irq", t_spurious_irq },
		{ "needs-reset", t_needs_reset },
	};

	for (unsigned i = 0; i < 8; i++) {
		cases[i].packed = i & 1;
		cases[i].event_idx = i & 2;
		cases[i].in_order = i & 4;
	}
	for (unsigned t = 0; t < sizeof(tests) / sizeof(tests[0]); t++)
		for (unsigned i = 0; i < 8; i++) {
			char name[96];

			snprintf(name, sizeof(name), "%s %s%s%s", tests[t].what,
				 cases[i].packed ? "packed" : "split",
				 cases[i].event_idx ? "+event_idx" : "",
				 cases[i].in_order ? "+in_order" : "");
			tap_run_arg(name, tests[t].fn, &cases[i]);
		}
	return tap_end();
}
