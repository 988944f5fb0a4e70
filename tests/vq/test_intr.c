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
 * Once enabled, interrupts stay on over reaps (flags, used_event or the
 * packed DESC event follow the reaped position) until disabled (the race
 * of a consumer that leaves them on with a device on another core is in
 * test_races.c).
 *
 * And in poll mode with EVENT_IDX (split), used_event is kept where no
 * device decision can cross it, even one in the middle of publishing a
 * whole ring of used buffers at once: no interrupt, ever, over several
 * wraps of the 16-bit used idx.
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

/* One intr_enable(), then round after round of the device using a buffer
 * and the driver reaping it: an interrupt for every one. */
static void t_intr_stays_on(const void *arg)
{
	const struct intr_case *c = arg;
	struct traffic t;
	unsigned missed = 0, rounds = 0;

	if (tr_open(&t, &c->ring, DEVSIM_BACKEND_MANUAL)) {
		CHECK(!"rig_open");
		return;
	}
	CHECK(vmmio_vq_intr_enable(t.vq));
	for (unsigned r = 0; r < 5 * TR_NUM && t.n_bufs + 1 <= TR_MAX_BUFS; r++) {
		if (tr_add(&t, 1, true) != 1 || tr_take(&t) != 1 || tr_use(&t, 1)) {
			RIG_FAIL(c->seed, "round %u: the buffer did not go round", r);
			break;
		}
		if (vmmio_irq_wait(&t.rig.dev, 0) != 1)
			missed++;
		else
			vmmio_irq_handle(&t.rig.dev);
		if (tr_reap(&t) != 1)
			RIG_FAIL(c->seed, "round %u: not reaped", r);
		rounds++;
	}
	CHECK_EQ(missed, 0);
	CHECK_EQ(rounds, 5 * TR_NUM);
	CHECK_EQ(tr_missing(&t) - (unsigned)vmmio_vq_outstanding(t.vq), 0);
	CHECK_EQ(rig_dump_violations(&t.rig), 0);
	tr_close(&t);
}

/* --- used_event in poll mode ----------------------------------------------------- */

#define PARK_BUFS 300000u /* more than 4 wraps of the 16-bit used idx */

struct park_case {
	uint16_t num;
	bool in_order;
	uint64_t seed;
	char name[64];
};

/* Whether @e lies in [@lo, @lo + @len) in 16-bit arithmetic. */
static bool in_window(uint16_t e, uint16_t lo, unsigned len)
{
	return (uint16_t)(e - lo) < len;
}

static void t_used_event_parked(const void *arg)
{
	const struct park_case *c = arg;
	const struct rig_opts o = { .ring = { .event_idx = true, .in_order = c->in_order },
				    .backend = DEVSIM_BACKEND_MANUAL, .nq = 1, .num = c->num };
	static struct devsim_used used[VMMIO_QUEUE_SIZE_MAX];
	static struct vmmio_used out[64];
	static struct rig r;
	static uint8_t target[16]; /* every buffer: the device writes nothing */
	const struct vmmio_seg seg = { (uint64_t)(uintptr_t)target, sizeof(target) };
	const struct vmmio_buf b = { &seg, 0, 1, target };
	struct vmmio_queue_cfg cfg;
	struct devsim_vq_stats st;
	volatile uint16_t *ue;
	struct vmmio_vq *vq;
	struct rng g;
	uint64_t reaped = 0;
	unsigned stores = 0, bad = 0;
	uint16_t last = 0;

	if (rig_open(&r, &o)) {
		RIG_FAIL(c->seed, "%s", r.err);
		return;
	}
	vq = r.vq[0];
	vmmio_vq_queue_cfg(vq, &cfg);
	ue = vmmio_split_used_event((struct vmmio_vring_avail *)(uintptr_t)cfg.driver, c->num);
	rng_seed(&g, c->seed * 31 + c->num + c->in_order);
	while (reaped < PARK_BUFS && !bad) {
		unsigned n = 0;
		struct devsim_chain ch = { 0 };

		/* a full ring, used by the device in one publish */
		while (vmmio_vq_add(vq, &b, 1) == 1)
			;
		vmmio_vq_kick(vq, &r.dev);
		while (devsim_vq_take(r.sim, 0, &ch) == 1)
			used[n++] = (struct devsim_used){ ch.id, 0 };
		if (n != c->num || devsim_vq_use(r.sim, 0, used, n, c->in_order)) {
			RIG_FAIL(c->seed, "the device took %u of %u buffers", n, c->num);
			break;
		}
		/* the driver reaps it in random bites; after each, used_event
		 * must be out of every window the device can decide over:
		 * old and new idx within num of last_used either way */
		for (unsigned left = n; left && !bad;) {
			unsigned k = rng_range(&g, 1, 64), got;

			got = vmmio_vq_reap(vq, out, k < left ? k : left);
			if (!got) {
				RIG_FAIL(c->seed, "reap returned nothing with %u used", left);
				bad++;
				break;
			}
			left -= got;
			reaped += got;
			if (*ue != last) {
				last = *ue;
				stores++;
			}
			if (c->num < 32768 &&
			    in_window(*ue, (uint16_t)(reaped - c->num), 2u * c->num)) {
				RIG_FAIL(c->seed,
					 "after %llu buffers used_event %u is within %u of last_used %u",
					 (unsigned long long)reaped, *ue, c->num, (uint16_t)reaped);
				bad++;
			}
		}
	}
	CHECK_EQ(devsim_vq_stats(r.sim, 0, &st), 0);
	CHECK_EQ(st.irqs, 0);
	CHECK_EQ(bad, 0);
	CHECK(!vmmio_vq_broken(vq));
	/* moved rarely: about once per 65536 - 2 * num buffers */
	CHECK(c->num >= 16384 || stores <= PARK_BUFS / (65536u - 2u * c->num) + 2);
	CHECK_EQ(rig_dump_violations(&r), 0);
	printf("# %s: %llu buffers, used_event moved %u times, %llu interrupts\n", c->name,
	       (unsigned long long)reaped, stores, (unsigned long long)st.irqs);
	rig_close(&r);
}

int main(int argc, char **argv)
{
	static struct park_case parks[8];
	static const uint16_t park_sizes[4] = { 1, 8, 256, 16384 };
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
	for (unsigned i = 0; i < 8; i++) {
		char name[96];

		snprintf(name, sizeof(name), "%s: interrupts stay on over reaps", cases[i].name);
		tap_run_arg(name, t_intr_stays_on, &cases[i]);
	}
	for (unsigned i = 0; i < 8; i++) {
		struct park_case *p = &parks[i];

		p->num = park_sizes[i % 4];
		p->in_order = i >= 4;
		p->seed = seed;
		snprintf(p->name, sizeof(p->name), "used_event parked: split+event_idx%s, QueueSize %u",
			 p->in_order ? "+in_order" : "", p->num);
		tap_run_arg(p->name, t_used_event_parked, p);
	}
	return tap_end();
}
