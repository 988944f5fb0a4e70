/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Servicing the rings with the configured backend: synchronously, one
 * round per devsim_step() (deterministic tests), or in the device thread's
 * loop (thread.c). Nothing is serviced before DRIVER_OK ("The device MUST
 * NOT consume buffers [...] before DRIVER_OK", Device Status Field) nor on
 * a queue that is not ready.
 */
#include "devsim_internal.h"

/* Queue @q may be serviced now (step: notified or NEVER; thread: not
 * asleep, or woken by a notification). */
static bool vq_armed(struct devsim *s, uint16_t q)
{
	if (s->thread_running)
		return devsim_ring_thread_due(s, q);
	return s->vq[q].applied == DEVSIM_KICK_NEVER || s->vqc[q].notified;
}

static bool serviceable(const struct devsim *s, uint16_t q)
{
	return s->vq[q].usable && !s->vq[q].broken;
}

/* One round of queue @q with @service, when it is due. */
static unsigned queue_round(struct devsim *s, uint16_t q,
			    unsigned (*service)(struct devsim *s, uint16_t q))
{
	unsigned n;

	if (!serviceable(s, q) || !vq_armed(s, q))
		return 0;
	vq_stat_add(&s->vqc[q].st.polls, 1);
	n = service(s, q);
	if (s->thread_running)
		devsim_ring_thread_idle_check(s, q, n);
	return n;
}

/* virtio-net pairs receiveqN = 2(N-1) and transmitqN = 2(N-1)+1, of which
 * the first curr_pairs are in use: "After initialization of reset, the
 * device MUST queue packets only on receiveq1" and "MUST NOT queue packets
 * on receive queues greater than virtqueue_pairs" once VQ_PAIRS_SET was
 * used. The controlq after them is serviced on its own (net_ctrl.c). */
static unsigned loopback_all(struct devsim *s)
{
	const int ctrl = devsim_net_ctrl_queue(s);
	const unsigned pairs = devsim_net_pairs(s);
	unsigned used = 0;

	/* The transmit queue is the one that brings work: the device sleeps
	 * on it (with the thread's sleep_after), never on the receive queue;
	 * nor while a packet waits for receive buffers. */
	for (uint16_t tx = 1; tx < s->cfg.num_queues && tx / 2u < pairs; tx += 2) {
		uint16_t rx = (uint16_t)(tx - 1);
		unsigned n;

		if (!serviceable(s, tx) || !serviceable(s, rx) || !vq_armed(s, tx))
			continue;
		vq_stat_add(&s->vqc[tx].st.polls, 1);
		vq_stat_add(&s->vqc[rx].st.polls, 1);
		n = devsim_ring_loopback_service(s, rx, tx);
		if (s->thread_running)
			devsim_ring_thread_idle_check(s, tx, n + s->net.tx[tx / 2].busy);
		used += n;
	}
	if (ctrl >= 0)
		used += queue_round(s, (uint16_t)ctrl, devsim_net_ctrl_service);
	return used;
}

/* Every queue used at once, but a virtio-net controlq, whose commands
 * are carried out. */
static unsigned sink_all(struct devsim *s)
{
	const int ctrl = devsim_net_ctrl_queue(s);
	unsigned used = 0;

	for (uint16_t q = 0; q < s->cfg.num_queues; q++)
		used += queue_round(s, q,
				    q == ctrl ? devsim_net_ctrl_service : devsim_ring_sink_service);
	return used;
}

unsigned devsim_ring_service_all(struct devsim *s)
{
	switch (s->cfg.backend) {
	case DEVSIM_BACKEND_SINK:
		return sink_all(s);
	case DEVSIM_BACKEND_LOOPBACK:
	case DEVSIM_BACKEND_FORWARD: /* the loopback, swapping addresses (net_tx.swap) */
		return s->cfg.personality == DEVSIM_NET ? loopback_all(s) : 0;
	default: /* NONE: nothing; MANUAL: the test takes and uses */
		return 0;
	}
}

unsigned devsim_step(struct devsim *s)
{
	unsigned used;

	if (s->thread_running || s->ext)
		return 0;
	s->rings_live = true;
	if (!(s->status & VMMIO_STATUS_DRIVER_OK))
		return 0;
	for (uint16_t q = 0; q < s->cfg.num_queues; q++) {
		if (!devsim_ring_sync(s, q))
			continue;
		devsim_ring_check_pending_notify(s, q);
		devsim_ring_check_notify_required(s, q);
	}
	used = devsim_ring_service_all(s);
	for (uint16_t q = 0; q < s->cfg.num_queues; q++)
		if (s->vq[q].usable)
			devsim_ring_ask_refresh(s, q);
	return used;
}
