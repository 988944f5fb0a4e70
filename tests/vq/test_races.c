/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The notification races, between the driver and a device on another
 * core. Each side publishes, then reads the other side's suppression
 * field; each needs a full barrier between the two, or both can read the
 * other's old value and neither acts ("Notifying The Device", "Used Buffer
 * Notification Suppression", "Driver and Device Event Suppression").
 *
 *   - kick: a device that goes to sleep asks for a notification (flags 0,
 *     avail_event, packed ENABLE or DESC) and looks at the ring once more,
 *     while the driver publishes a buffer and decides whether to notify
 *     (vmmio_vq_publish()): never may the device find nothing and the
 *     driver decide against the notification. The device is written by
 *     hand from the spec (devsim is too slow to race).
 *   - interrupt left on: the driver reaps (moving used_event on) while the
 *     device uses another buffer and decides on the interrupt: never may
 *     the device decide against it and the driver's next look find nothing.
 *   - through devsim's device thread sleeping after every buffer: one
 *     buffer at a time, each needing a notification, none lost.
 * The first two are litmus tests: a missing barrier shows in some runs,
 * not all; the rounds are many so that it does in most.
 *
 *   test_vq_races [seed]     (or VMMIO_SEED=seed)
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rig.h"
#include "tap.h"
#include "vmmio_barrier.h"

#define RACE_ROUNDS 200000u
#define INTR_RACE_ROUNDS 1000000u /* its window is narrower */
#define RACE_NUM 256u
#define SLEEP_ROUNDS 2000u
#define SLEEP_WAIT_MS 2000u

static uint8_t target[16]; /* every buffer's one writable segment */

static const struct vmmio_seg target_seg = { (uint64_t)(uintptr_t)target, sizeof(target) };
static const struct vmmio_buf target_buf = { &target_seg, 0, 1, target };

/* A queue over heap memory with no device behind it: the tests play it. */
struct bare {
	struct vmmio_vq *vq;
	struct vmmio_queue_cfg cfg;
};

static bool bare_open(struct bare *b, const struct vmmio_vq_params *p)
{
	char err[VMMIO_VQ_ERR_LEN];

	b->vq = vmmio_vq_create(p, vmmio_heap_allocator(), err, sizeof(err));
	if (!b->vq) {
		printf("# %s\n", err);
		return false;
	}
	vmmio_vq_queue_cfg(b->vq, &b->cfg);
	return true;
}

static void bare_close(struct bare *b)
{
	vmmio_vq_destroy(b->vq);
}

/* The hand-written device's state, handed over with the round number. */
struct race {
	struct vmmio_vring_avail *avail; /* split */
	struct vmmio_vring_used *used;
	struct vmmio_pdesc *ring; /* packed */
	struct vmmio_pevent *dev_ev;
	uint16_t num;
	bool packed, event_idx;
	uint16_t pos; /* split: avail entries taken; packed: next descriptor */
	bool wrap; /* packed: its wrap counter */
	uint32_t delay; /* spins before the device acts */
	uint32_t go, done; /* atomic: the round started, finished */
	bool found; /* kick race: the device's look found a buffer */
	bool notified; /* interrupt race: the device decided to interrupt */
};

static void spin(uint32_t n)
{
	for (volatile uint32_t i = 0; i < n; i++)
		;
}

/* Wait for round @round to start; false when told to stop. */
static bool round_start(struct race *x, uint32_t round)
{
	uint32_t go;

	while ((go = __atomic_load_n(&x->go, __ATOMIC_ACQUIRE)) != round)
		if (go == UINT32_MAX)
			return false;
	spin(x->delay);
	return true;
}

static bool packed_avail(const struct race *x)
{
	const uint16_t f = vmmio_load16(&x->ring[x->pos].flags);

	return !!(f & VMMIO_DESC_F_AVAIL) == x->wrap && !!(f & VMMIO_DESC_F_USED) != x->wrap;
}

/* The device about to sleep: ask for a notification about the next
 * buffer, full barrier, look at the ring once more. */
static void *kick_device(void *arg)
{
	struct race *x = arg;

	for (uint32_t round = 1; round_start(x, round); round++) {
		if (x->packed && x->event_idx) {
			vmmio_store16(&x->dev_ev->off_wrap,
				      (uint16_t)(x->pos | (unsigned)x->wrap << VMMIO_PEVENT_WRAP_SHIFT));
			vmmio_wmb();
			vmmio_store16(&x->dev_ev->flags, VMMIO_PEVENT_DESC);
		} else if (x->packed) {
			vmmio_store16(&x->dev_ev->flags, VMMIO_PEVENT_ENABLE);
		} else if (x->event_idx) {
			vmmio_store16((uint16_t *)vmmio_split_avail_event(x->used, x->num), x->pos);
		} else {
			vmmio_store16(&x->used->flags, 0);
		}
		vmmio_mb();
		x->found = x->packed ? packed_avail(x) : vmmio_load16(&x->avail->idx) != x->pos;
		__atomic_store_n(&x->done, round, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Between rounds (both sides still): the device asks for nothing. */
static void kick_suppress(struct race *x)
{
	if (x->packed)
		vmmio_store16(&x->dev_ev->flags, VMMIO_PEVENT_DISABLE);
	else if (x->event_idx) /* behind the driver's next publish */
		vmmio_store16((uint16_t *)vmmio_split_avail_event(x->used, x->num),
			      (uint16_t)(x->pos - 1));
	else
		vmmio_store16(&x->used->flags, VMMIO_USED_F_NO_NOTIFY);
}

/* The device uses the buffer at its position (after the round). */
static void race_use_next(struct race *x)
{
	const uint16_t mask = (uint16_t)(x->num - 1);
	uint16_t idx;

	if (x->packed) {
		struct vmmio_pdesc *d = &x->ring[x->pos];

		d->len = 0;
		vmmio_wmb();
		vmmio_store16(&d->flags, x->wrap ? VMMIO_DESC_F_AVAIL | VMMIO_DESC_F_USED : 0);
		if (++x->pos == x->num) {
			x->pos = 0;
			x->wrap = !x->wrap;
		}
		return;
	}
	idx = vmmio_load16(&x->used->idx);
	x->used->ring[idx & mask].id = vmmio_load16(&x->avail->ring[idx & mask]);
	x->used->ring[idx & mask].len = 0;
	vmmio_wmb();
	vmmio_store16(&x->used->idx, (uint16_t)(idx + 1));
	x->pos++;
}

static void race_init(struct race *x, const struct bare *b, const struct vmmio_vq_params *p)
{
	*x = (struct race){ .num = p->num, .packed = p->packed, .event_idx = p->event_idx,
			    .wrap = true };
	if (p->packed) {
		x->ring = (struct vmmio_pdesc *)(uintptr_t)b->cfg.desc;
		x->dev_ev = (struct vmmio_pevent *)(uintptr_t)b->cfg.device;
	} else {
		x->avail = (struct vmmio_vring_avail *)(uintptr_t)b->cfg.driver;
		x->used = (struct vmmio_vring_used *)(uintptr_t)b->cfg.device;
	}
}

/* A bare queue of @p whose rings @x plays, with @device on another thread
 * waiting for the first round. */
static bool race_open(struct race *x, struct bare *b, const struct vmmio_vq_params *p,
		      void *(*device)(void *), pthread_t *th)
{
	if (!bare_open(b, p)) {
		CHECK(!"queue");
		return false;
	}
	race_init(x, b, p);
	if (pthread_create(th, NULL, device, x)) {
		CHECK(!"pthread_create");
		bare_close(b);
		return false;
	}
	return true;
}

static void race_close(struct race *x, struct bare *b, pthread_t th)
{
	__atomic_store_n(&x->go, UINT32_MAX, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	CHECK(!vmmio_vq_broken(b->vq));
	bare_close(b);
}

struct race_case {
	bool packed, event_idx;
	uint64_t seed;
	char name[64];
};

static void t_kick_race(const void *arg)
{
	const struct race_case *c = arg;
	const struct vmmio_vq_params p = { .num = RACE_NUM, .packed = c->packed,
					   .event_idx = c->event_idx };
	struct vmmio_used u[2];
	struct race x;
	struct bare b;
	struct rng g;
	unsigned lost = 0, asked_late = 0;
	pthread_t th;

	if (!race_open(&x, &b, &p, kick_device, &th))
		return;
	kick_suppress(&x);
	rng_seed(&g, c->seed);
	for (uint32_t round = 1; round <= RACE_ROUNDS && !lost; round++) {
		uint32_t spin_driver;
		bool need;

		if (vmmio_vq_add(b.vq, &target_buf, 1) != 1) {
			CHECK(!"add");
			break;
		}
		/* both sides wait a little, at random, so that their
		 * critical stores and loads overlap now and then */
		x.delay = rng_below(&g, 64);
		spin_driver = rng_below(&g, 64);
		__atomic_store_n(&x.go, round, __ATOMIC_RELEASE);
		spin(spin_driver);
		need = vmmio_vq_publish(b.vq);
		while (__atomic_load_n(&x.done, __ATOMIC_ACQUIRE) != round)
			;
		if (!x.found && !need)
			lost++;
		asked_late += x.found && need;
		kick_suppress(&x);
		race_use_next(&x);
		if (vmmio_vq_reap(b.vq, u, 2) != 1) {
			CHECK(!"reap");
			break;
		}
	}
	race_close(&x, &b, th);
	CHECK_EQ(lost, 0);
	printf("# %s: %u rounds, both saw each other %u times, a notification lost %u times\n",
	       c->name, RACE_ROUNDS, asked_late, lost);
}

/* The device uses the next buffer, publishes, and decides on the interrupt
 * ("Used Buffer Notification Suppression", split with EVENT_IDX). */
static void *intr_device(void *arg)
{
	struct race *x = arg;

	for (uint32_t round = 1; round_start(x, round); round++) {
		const uint16_t old = vmmio_load16(&x->used->idx);
		uint16_t ev;

		race_use_next(x);
		vmmio_mb();
		ev = vmmio_load16((const uint16_t *)vmmio_split_used_event(x->avail, x->num));
		x->notified = vmmio_need_event(ev, (uint16_t)(old + 1), old);
		__atomic_store_n(&x->done, round, __ATOMIC_RELEASE);
	}
	return NULL;
}

/*
 * Split, EVENT_IDX, interrupts left on. Each round one buffer is used
 * already; the driver reaps it (moving used_event to last_used) while the
 * device uses the next one and decides, then the driver looks once more.
 * The device deciding against the interrupt while that look finds nothing
 * is a lost wake-up.
 */
static void t_intr_left_on_race(const void *arg)
{
	const struct race_case *c = arg;
	const struct vmmio_vq_params p = { .num = RACE_NUM, .event_idx = true };
	struct vmmio_used u[8];
	struct race x;
	struct bare b;
	struct rng g;
	unsigned lost = 0, skipped = 0;
	pthread_t th;

	if (!race_open(&x, &b, &p, intr_device, &th))
		return;
	vmmio_vq_intr_enable(b.vq);
	rng_seed(&g, c->seed);
	for (uint32_t round = 1; round <= INTR_RACE_ROUNDS && !lost; round++) {
		unsigned first, second;

		while (vmmio_vq_outstanding(b.vq) < 2)
			vmmio_vq_add(b.vq, &target_buf, 1);
		vmmio_vq_publish(b.vq);
		race_use_next(&x); /* for the first reap */
		x.delay = rng_below(&g, 64);
		__atomic_store_n(&x.go, round, __ATOMIC_RELEASE);
		first = vmmio_vq_reap(b.vq, u, 1);
		second = vmmio_vq_reap(b.vq, u, 1);
		while (__atomic_load_n(&x.done, __ATOMIC_ACQUIRE) != round)
			;
		if (first != 1) {
			CHECK_EQ(first, 1);
			break;
		}
		if (!x.notified) {
			skipped++;
			lost += !second;
		}
		while (vmmio_vq_reap(b.vq, u, 8))
			;
	}
	race_close(&x, &b, th);
	CHECK_EQ(lost, 0);
	printf("# %u rounds: the device decided against the interrupt %u times, "
	       "the driver missed the buffer then %u times\n",
	       INTR_RACE_ROUNDS, skipped, lost);
}

/* --- through devsim's device thread ------------------------------------------------ */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct sleep_case {
	struct rig_ring ring;
	uint64_t seed;
	char name[80];
};

/* One buffer at a time to a device that sleeps as soon as it is idle: each
 * publish comes after the device asked to be notified (at the position the
 * buffer goes to), so each needs its kick; one missed shows as a buffer
 * never used. */
static void t_sleeping_device(const void *arg)
{
	const struct sleep_case *c = arg;
	const struct rig_opts o = { .ring = c->ring, .backend = DEVSIM_BACKEND_SINK, .nq = 1,
				    .num = 8 };
	const struct devsim_thread_opts to = { .cpu = -1, .sleep_after = 1 };
	static struct rig r;
	struct devsim_vq_stats st;
	struct vmmio_used u[2];
	unsigned done = 0;

	if (rig_open(&r, &o)) {
		RIG_FAIL(c->seed, "%s", r.err);
		return;
	}
	CHECK_EQ(devsim_thread_start(r.sim, &to), 0);
	for (; done < SLEEP_ROUNDS; done++) {
		const uint64_t t0 = now_ms();
		unsigned got = 0;

		if (vmmio_vq_add(r.vq[0], &target_buf, 1) != 1 || vmmio_vq_kick(r.vq[0], &r.dev) < 0)
			break;
		while (!(got = vmmio_vq_reap(r.vq[0], u, 2)) && now_ms() - t0 < SLEEP_WAIT_MS)
			;
		if (got != 1) {
			RIG_FAIL(c->seed, "%s: buffer %u never used (a lost notification?)", c->name,
				 done);
			break;
		}
	}
	devsim_thread_stop(r.sim);
	CHECK_EQ(done, SLEEP_ROUNDS);
	CHECK_EQ(devsim_vq_stats(r.sim, 0, &st), 0);
	CHECK(st.sleeps > 0);
	CHECK(st.kicks > 0 && st.kicks <= done + 1);
	CHECK_EQ(rig_dump_violations(&r), 0);
	printf("# %s: %u buffers, %" PRIu64 " device sleeps, %" PRIu64 " kicks\n", c->name, done,
	       st.sleeps, st.kicks);
	rig_close(&r);
}

int main(int argc, char **argv)
{
	static struct race_case races[4];
	static struct sleep_case sleeps[8];
	const uint64_t seed = rig_base_seed(argc, argv, 1);

	for (unsigned i = 0; i < 4; i++) {
		struct race_case *c = &races[i];

		c->packed = i & 1;
		c->event_idx = i & 2;
		c->seed = seed * 4 + i;
		snprintf(c->name, sizeof(c->name), "kick race: %s%s", c->packed ? "packed" : "split",
			 c->event_idx ? (c->packed ? ", DESC" : ", EVENT_IDX") : ", flags");
		tap_run_arg(c->name, t_kick_race, c);
	}
	races[0].seed = seed;
	tap_run_arg("interrupt left on race: split, EVENT_IDX", t_intr_left_on_race, &races[0]);
	for (unsigned i = 0; i < 8; i++) {
		struct sleep_case *c = &sleeps[i];

		c->ring.packed = i & 1;
		c->ring.event_idx = i & 2;
		c->ring.in_order = i & 4;
		c->seed = seed;
		rig_ring_name(&c->ring, c->name, sizeof(c->name));
		snprintf(c->name + strlen(c->name), sizeof(c->name) - strlen(c->name),
			 ": a device asleep after each buffer");
		tap_run_arg(c->name, t_sleeping_device, c);
	}
	return tap_end();
}
