/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device thread: a device on another core, servicing every ready
 * queue with the backend. It polls and asks for no notifications (kick
 * mode NEVER on every queue), as a polling backend would; with a
 * sleep_after it also sleeps on an idle queue until notified, as a device
 * that is woken by QueueNotify does (struct devsim_thread_opts).
 *
 * The register side and the thread meet through an epoch: every register
 * change the thread must see (Status, QueueReady, QueuePFN, QueueReset)
 * bumps it under the lock. The thread's loop reads it without the lock and,
 * when it moved, takes the lock once to rebuild the rings that changed and
 * publishes the epoch it caught up with. A device reset, queue stop or
 * queue reset reads back as complete only once the thread caught up, so
 * the thread never touches a ring after the driver took it back.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "devsim_internal.h"
#include "vmmio_barrier.h"

uint64_t devsim_ring_epoch_bump(struct devsim *s)
{
	uint64_t e = s->epoch + 1;

	__atomic_store_n(&s->epoch, e, __ATOMIC_RELEASE);
	return e;
}

bool devsim_ring_thread_behind(const struct devsim *s, uint64_t e)
{
	return s->thread_running && __atomic_load_n(&s->thread_epoch, __ATOMIC_ACQUIRE) < e;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

/* --- sleeping when idle ------------------------------------------------------------- */

bool devsim_ring_thread_due(struct devsim *s, uint16_t q)
{
	struct devsim_vq *vq = &s->vq[q];

	if (!vq->asleep)
		return true;
	/* Acquire: pairs with the release in devsim_ring_on_notify(); the
	 * driver published before it notified, so the ring is read after. */
	if (__atomic_load_n(&s->vqc[q].kicks, __ATOMIC_ACQUIRE) == vq->sleep_kicks)
		return false;
	vq->asleep = false;
	vq->idle = 0;
	devsim_ring_apply_mode(s, q, DEVSIM_KICK_NEVER, 0, false);
	return true;
}

/* No queue asleep (the thread is not running): a queue asleep when the
 * thread stopped would otherwise wait for a notification the driver, told
 * NEVER or ALWAYS anew, has no reason to send. */
static void vq_thread_wake_all(struct devsim *s)
{
	for (uint16_t q = 0; q < DEVSIM_MAX_QUEUES; q++) {
		s->vq[q].asleep = false;
		s->vq[q].idle = 0;
	}
}

void devsim_ring_thread_idle_check(struct devsim *s, uint16_t q, unsigned used)
{
	struct devsim_vq *vq = &s->vq[q];
	uint64_t kicks;

	if (used || !s->sleep_after) {
		vq->idle = 0;
		return;
	}
	if (++vq->idle < s->sleep_after)
		return;
	vq->idle = 0;
	/* The count before asking: a notification sent from here on wakes us. */
	kicks = __atomic_load_n(&s->vqc[q].kicks, __ATOMIC_ACQUIRE);
	/* One notification for the next buffer, as a device that sleeps asks
	 * for it: avail_event at the next entry (EVENT_IDX), the packed DESC
	 * event at the next descriptor (EVENT_IDX), else flags 0 or ENABLE. */
	devsim_ring_apply_mode(s, q, DEVSIM_KICK_AT, vq->packed ? vq->avail_pos : vq->last_avail,
			       vq->avail_wrap);
	/*
	 * The device's half of "Notifying The Device": our request must be
	 * visible before we look at the ring again (a store, then a load: a
	 * full barrier). The driver publishes, then reads our request after
	 * its own full barrier: either it sees the request and notifies, or
	 * we see its buffers here. Without this barrier both can miss, and
	 * the buffers wait for ever.
	 */
	vmmio_mb();
	if (devsim_ring_has_avail(s, q)) {
		devsim_ring_apply_mode(s, q, DEVSIM_KICK_NEVER, 0, false);
		return;
	}
	vq->asleep = true;
	vq->sleep_kicks = kicks;
	vq_stat_add(&s->vqc[q].st.sleeps, 1);
}

/* --- the thread ---------------------------------------------------------------------- */

/* Rebuild what changed (lock held); returns whether DRIVER_OK is set. On
 * the first round every ring gets the thread's kick mode. */
static bool catch_up(struct devsim *s, bool first)
{
	for (uint16_t q = 0; q < s->cfg.num_queues; q++) {
		uint64_t gen = s->vq[q].gen;

		if (devsim_ring_sync(s, q) && first && gen == s->vqc[q].gen)
			devsim_ring_apply_kick(s, q);
	}
	__atomic_store_n(&s->thread_epoch, s->epoch, __ATOMIC_RELEASE);
	return s->status & VMMIO_STATUS_DRIVER_OK;
}

/* Idle rounds between yields: a spinning device must not starve the
 * driver on a machine with fewer cores than threads. */
#define IDLE_SPINS 1024u

static void *device_thread(void *arg)
{
	struct devsim *s = arg;
	uint64_t seen = 0;
	bool first = true, run = false;
	unsigned idle = 0;

	while (!__atomic_load_n(&s->thread_stop, __ATOMIC_ACQUIRE)) {
		if (first || __atomic_load_n(&s->epoch, __ATOMIC_ACQUIRE) != seen) {
			pthread_mutex_lock(&s->lock);
			seen = s->epoch;
			run = catch_up(s, first);
			pthread_mutex_unlock(&s->lock);
			first = false;
		}
		if (run && devsim_ring_service_all(s)) {
			idle = 0;
			continue;
		}
		if (++idle % IDLE_SPINS)
			cpu_relax();
		else
			sched_yield();
	}
	return NULL;
}

int devsim_thread_start(struct devsim *s, const struct devsim_thread_opts *o)
{
	const int cpu = o ? o->cpu : -1;
	pthread_attr_t attr;
	int r;

	if (s->thread_running || s->ext)
		return -EBUSY;
	if (cpu >= CPU_SETSIZE)
		return -EINVAL;
	s->sleep_after = o ? o->sleep_after : 0;
	vq_thread_wake_all(s);
	r = pthread_attr_init(&attr);
	if (r)
		return -r;
	{
		/* Unpinned means any online CPU, not the creator's affinity
		 * (a DPDK lcore's is one CPU, which the device would share). */
		long n = cpu >= 0 ? 0 : sysconf(_SC_NPROCESSORS_ONLN);
		cpu_set_t set;

		CPU_ZERO(&set);
		if (cpu >= 0)
			CPU_SET(cpu, &set);
		for (long i = 0; i < n && i < CPU_SETSIZE; i++)
			CPU_SET(i, &set);
		if (CPU_COUNT(&set))
			r = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	s->rings_live = true;
	__atomic_store_n(&s->thread_stop, 0, __ATOMIC_RELAXED);
	pthread_mutex_lock(&s->lock);
	/* Read-backs wait for the thread's first catch-up from now on. */
	__atomic_store_n(&s->thread_epoch, 0, __ATOMIC_RELAXED);
	s->thread_running = true;
	pthread_mutex_unlock(&s->lock);
	if (!r)
		r = pthread_create(&s->thread, &attr, device_thread, s);
	pthread_attr_destroy(&attr);
	if (r) {
		pthread_mutex_lock(&s->lock);
		s->thread_running = false;
		pthread_mutex_unlock(&s->lock);
		return -r;
	}
	return 0;
}

void devsim_thread_stop(struct devsim *s)
{
	if (!s->thread_running)
		return;
	__atomic_store_n(&s->thread_stop, 1, __ATOMIC_RELEASE);
	pthread_join(s->thread, NULL);
	pthread_mutex_lock(&s->lock);
	s->thread_running = false;
	pthread_mutex_unlock(&s->lock);
	/* Step mode again: the kick modes the tests set. */
	vq_thread_wake_all(s);
	for (uint16_t q = 0; q < s->cfg.num_queues; q++)
		if (s->vq[q].gen == s->vqc[q].gen && s->vq[q].usable)
			devsim_ring_apply_kick(s, q);
}
