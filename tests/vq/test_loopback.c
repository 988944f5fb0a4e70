/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Real traffic through devsim's device thread (loopback backend): packets
 * sent on the transmit queue come back on the receive queue, the driver
 * and the device on two threads sharing only the rings. Every packet's
 * length and bytes are checked on the way back, in order, none lost or
 * duplicated; in poll mode (interrupts off), then with the driver
 * sleeping on used buffer notifications (vmmio_vq_intr_enable() before
 * each wait: a lost wake-up shows as a wait that times out). Each also
 * with a device that sleeps whenever its transmit queue is idle and waits
 * for a notification (devsim_thread_opts.sleep_after = 1): a notification
 * the driver owed and did not send shows as packets that never come back.
 *
 *   test_vq_loopback [seed]     (or VMMIO_SEED=seed)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rig.h"
#include "tap.h"

#define RXQ 0
#define TXQ 1
#define NUM 256u
#define NET_HDR_LEN 12u /* struct virtio_net_hdr with num_buffers (VERSION_1) */
#define MTU_FRAME 1514u
#define SLOT (NET_HDR_LEN + MTU_FRAME)
#define POLL_PACKETS 100000u
#define IRQ_PACKETS 10000u
#define STALL_MS 10000u /* no progress for this long: something was lost */
#define IRQ_WAIT_MS 5000 /* generous: a loaded CI machine may not run the device thread */

struct lb_case {
	struct rig_ring ring;
	bool irq; /* sleep on interrupts instead of polling */
	bool irq_left_on; /* ... enabled once, never re-armed before a wait */
	bool device_sleeps; /* the device sleeps when idle, woken by kicks */
	uint64_t seed;
	unsigned index;
	char name[80];
};

struct lb {
	const struct lb_case *c;
	struct rig rig;
	struct vmmio_vq *rx, *tx;
	struct vmmio_dma rx_mem, tx_mem; /* NUM slots each */
	struct rng g;
	uint64_t sent, received, tx_done;
	uint16_t tx_len[NUM]; /* payload length per tx slot, 0 when free */
	uint64_t tx_seq[NUM];
	unsigned tx_free[NUM], n_tx_free;
	uint64_t sleeps; /* interrupt waits that ended with the interrupt */
	bool failed;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint8_t pattern(uint64_t seq, unsigned i)
{
	return (uint8_t)(seq * 131u + i * 7u + (i >> 8));
}

static uint8_t *slot_va(const struct vmmio_dma *m, unsigned i)
{
	return (uint8_t *)m->va + (size_t)i * SLOT;
}

static void lb_fail(struct lb *L, const char *what, uint64_t a, uint64_t b)
{
	if (L->failed)
		return;
	L->failed = true;
	RIG_FAIL(L->c->seed, "%s: %s (%" PRIu64 ", %" PRIu64 ") after %" PRIu64 " sent, %" PRIu64
			     " received",
		 L->c->name, what, a, b, L->sent, L->received);
}

/* Fill the receive queue with every free slot: one writable segment each. */
static void rx_refill(struct lb *L, unsigned slot)
{
	struct vmmio_seg seg = { vmmio_dma_iova(&L->rx_mem, slot_va(&L->rx_mem, slot)), SLOT };
	struct vmmio_buf b = { &seg, 0, 1, slot_va(&L->rx_mem, slot) };

	if (vmmio_vq_add(L->rx, &b, 1) != 1)
		lb_fail(L, "rx add refused", slot, vmmio_vq_room(L->rx));
}

/* Send one packet: header and payload as one or two segments. */
static bool tx_one(struct lb *L)
{
	struct vmmio_seg seg[2];
	struct vmmio_buf b;
	unsigned slot;
	uint16_t len;
	uint8_t *p;

	if (!L->n_tx_free || vmmio_vq_room(L->tx) < 2)
		return false;
	slot = L->tx_free[--L->n_tx_free];
	len = (uint16_t)rng_range(&L->g, 14, MTU_FRAME);
	p = slot_va(&L->tx_mem, slot);
	memset(p, 0, NET_HDR_LEN);
	for (unsigned i = 0; i < len; i++)
		p[NET_HDR_LEN + i] = pattern(L->sent, i);
	if (rng_one_in(&L->g, 2)) {
		seg[0] = (struct vmmio_seg){ vmmio_dma_iova(&L->tx_mem, p), NET_HDR_LEN + len };
		b = (struct vmmio_buf){ seg, 1, 0, &L->tx_len[slot] };
	} else {
		seg[0] = (struct vmmio_seg){ vmmio_dma_iova(&L->tx_mem, p), NET_HDR_LEN };
		seg[1] = (struct vmmio_seg){ seg[0].addr + NET_HDR_LEN, len };
		b = (struct vmmio_buf){ seg, 2, 0, &L->tx_len[slot] };
	}
	if (vmmio_vq_add(L->tx, &b, 1) != 1) {
		lb_fail(L, "tx add refused", slot, vmmio_vq_room(L->tx));
		return false;
	}
	L->tx_len[slot] = len;
	L->tx_seq[slot] = L->sent++;
	return true;
}

static void tx_reap(struct lb *L)
{
	struct vmmio_used u[32];
	unsigned n;

	while ((n = vmmio_vq_reap(L->tx, u, 32)) > 0)
		for (unsigned i = 0; i < n; i++) {
			uint16_t *len = u[i].cookie;
			const unsigned slot = (unsigned)(len - L->tx_len);

			if (slot >= NUM || !*len) {
				lb_fail(L, "tx cookie not outstanding", slot, 0);
				return;
			}
			*len = 0;
			L->tx_free[L->n_tx_free++] = slot;
			L->tx_done++;
		}
}

/* Check each received packet against the next one sent, then give the
 * slot back to the receive queue. */
static void rx_reap(struct lb *L)
{
	struct vmmio_used u[32];
	unsigned n;

	while ((n = vmmio_vq_reap(L->rx, u, 32)) > 0 && !L->failed) {
		for (unsigned i = 0; i < n && !L->failed; i++) {
			const uint8_t *p = u[i].cookie;
			const unsigned slot = (unsigned)((p - slot_va(&L->rx_mem, 0)) / SLOT);
			const uint64_t seq = L->received;
			const uint32_t len = u[i].len - NET_HDR_LEN;
			unsigned bad = len;

			if (u[i].len < NET_HDR_LEN + 14 || u[i].len > SLOT) {
				lb_fail(L, "rx length out of range", u[i].len, seq);
				return;
			}
			for (unsigned j = 0; j < len; j++)
				if (p[NET_HDR_LEN + j] != pattern(seq, j)) {
					bad = j;
					break;
				}
			if (bad != len) {
				lb_fail(L, "rx packet content differs (packet, byte)", seq,
					bad);
				return;
			}
			L->received++;
			rx_refill(L, slot);
		}
		vmmio_vq_kick(L->rx, &L->rig.dev);
	}
}

/* Interrupt mode: sleep until the receive queue has something. The wait
 * is only taken when packets are in flight, so it must end in time. */
static void rx_sleep(struct lb *L)
{
	if (L->received == L->sent)
		return;
	/* Interrupts left on: wait as soon as a reap found nothing. The
	 * driver's follow of used_event (or the packed event) with each reap
	 * must then be ordered before its next look at the ring. */
	if (L->c->irq_left_on) {
		if (vmmio_vq_has_used(L->rx))
			return;
		if (vmmio_irq_wait(&L->rig.dev, IRQ_WAIT_MS) != 1) {
			lb_fail(L, "no interrupt, interrupts left on, packets in flight (sent, received)",
				L->sent, L->received);
			return;
		}
		L->sleeps++;
		vmmio_irq_handle(&L->rig.dev);
		return;
	}
	if (!vmmio_vq_intr_enable(L->rx)) {
		vmmio_vq_intr_disable(L->rx);
		return; /* something arrived meanwhile: reap first */
	}
	if (vmmio_irq_wait(&L->rig.dev, IRQ_WAIT_MS) != 1) {
		/* the interrupt was lost, or no packet came */
		lb_fail(L, "no interrupt although packets were in flight (sent, received)",
			L->sent, L->received);
		return;
	}
	L->sleeps++;
	vmmio_irq_handle(&L->rig.dev);
	vmmio_vq_intr_disable(L->rx);
}

static void run(struct lb *L, uint64_t packets)
{
	uint64_t last = now_ms(), last_received = L->received;

	while (L->received < packets && !L->failed) {
		unsigned burst = rng_range(&L->g, 1, 64);

		while (burst-- && L->sent < packets && tx_one(L))
			;
		vmmio_vq_kick(L->tx, &L->rig.dev);
		tx_reap(L);
		if (L->c->irq)
			rx_sleep(L);
		rx_reap(L);
		if (L->received != last_received) {
			last_received = L->received;
			last = now_ms();
		} else if (now_ms() - last > STALL_MS) {
			lb_fail(L, "no packet came back for 10 s (sent, received)", L->sent,
				L->received);
		}
	}
}

static void t_loopback(const void *arg)
{
	const struct lb_case *c = arg;
	const struct rig_opts o = {
		.ring = c->ring, .backend = DEVSIM_BACKEND_LOOPBACK, .nq = 2, .num = NUM };
	static struct lb L;
	struct devsim_vq_stats st, tx_st;
	int e;

	memset(&L, 0, sizeof(L));
	L.c = c;
	rng_seed(&L.g, c->seed * 16 + c->index);
	if (rig_open(&L.rig, &o)) {
		RIG_FAIL(c->seed, "%s", L.rig.err);
		return;
	}
	L.rx = L.rig.vq[RXQ];
	L.tx = L.rig.vq[TXQ];
	if (vmmio_dma_heap_alloc(&L.rx_mem, NUM * SLOT, 4096) ||
	    vmmio_dma_heap_alloc(&L.tx_mem, NUM * SLOT, 4096))
		abort();
	for (unsigned i = 0; i < NUM; i++) {
		rx_refill(&L, i);
		L.tx_free[L.n_tx_free++] = NUM - 1 - i;
	}
	vmmio_vq_kick(L.rx, &L.rig.dev);
	if (c->irq_left_on)
		vmmio_vq_intr_enable(L.rx);
	e = devsim_thread_start(L.rig.sim, &(struct devsim_thread_opts){
						   .cpu = -1, .sleep_after = c->device_sleeps ? 1 : 0 });
	CHECK_EQ(e, 0);
	if (!e) {
		run(&L, c->irq ? IRQ_PACKETS : POLL_PACKETS);
		devsim_thread_stop(L.rig.sim);
	}
	tx_reap(&L);
	CHECK(!L.failed);
	CHECK_EQ(L.received, L.sent);
	CHECK_EQ(L.tx_done, L.sent);
	CHECK(!vmmio_vq_broken(L.rx));
	CHECK(!vmmio_vq_broken(L.tx));
	CHECK_EQ(devsim_vq_stats(L.rig.sim, RXQ, &st), 0);
	CHECK_EQ(st.used, L.received);
	CHECK_EQ(devsim_vq_stats(L.rig.sim, TXQ, &tx_st), 0);
	/* a sleeping device did sleep, and was woken by the driver's kicks */
	CHECK(!c->device_sleeps || (tx_st.sleeps > 0 && tx_st.kicks > 0));
	/* a polling device: only what was published before it first ran, at
	 * most a ring of buffers, saw the kick mode a queue starts with */
	CHECK(c->device_sleeps || tx_st.kicks <= NUM);
	/* in interrupt mode the driver did sleep, and was woken */
	CHECK(!c->irq || L.sleeps > 0);
	CHECK_EQ(rig_dump_violations(&L.rig), 0);
	printf("# %s: %" PRIu64 " packets, %" PRIu64 " device polls, %" PRIu64
	       " interrupt waits, %" PRIu64 " device sleeps, %" PRIu64 " kicks\n",
	       c->name, L.received, st.polls, L.sleeps, tx_st.sleeps, tx_st.kicks);
	rig_close(&L.rig);
	vmmio_dma_heap_free(&L.rx_mem);
	vmmio_dma_heap_free(&L.tx_mem);
}

int main(int argc, char **argv)
{
	static struct lb_case cases[20];
	const uint64_t seed = rig_base_seed(argc, argv, 1);

	/* split and packed, with and without EVENT_IDX, the driver polling
	 * then sleeping, the device polling then sleeping */
	for (unsigned i = 0; i < 16; i++) {
		struct lb_case *c = &cases[i];

		c->ring.packed = i & 1;
		c->ring.event_idx = i & 2;
		c->irq = i & 4;
		c->device_sleeps = i & 8;
		c->seed = seed;
		c->index = i;
		rig_ring_name(&c->ring, c->name, sizeof(c->name));
		strcat(c->name, c->irq ? ", interrupts" : ", poll mode");
		strcat(c->name, c->device_sleeps ? ", device sleeps" : "");
		tap_run_arg(c->name, t_loopback, c);
	}
	for (unsigned i = 16; i < 20; i++) {
		struct lb_case *c = &cases[i];

		c->ring.packed = i & 1;
		c->ring.event_idx = i & 2;
		c->irq = c->irq_left_on = true;
		c->seed = seed;
		c->index = i;
		rig_ring_name(&c->ring, c->name, sizeof(c->name));
		strcat(c->name, ", interrupts left on");
		tap_run_arg(c->name, t_loopback, c);
	}
	return tap_end();
}
