/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loopback mode (virtio-net): packets go out on the transmit queue (1) and
 * the device hands each back on the receive queue (0). Every packet
 * carries a sequence number at the start of its payload and its
 * complement at the end; the receiver checks both and the length, so a
 * lost, duplicated, reordered, truncated or corrupted packet ends the run.
 *
 * Packet buffers are one segment each (header, then payload), so a packet
 * takes one descriptor whatever the indirect settings.
 *
 * devsim's loopback takes a transmitted packet only when a receive buffer
 * waits for it, so the driver may keep both rings full. A vhost-user
 * backend (testpmd forwarding) takes every transmitted packet at once and
 * drops what finds the receive ring full; there, no more packets are in
 * flight than the receive ring holds, so each has a buffer to land in.
 */
#include <stdlib.h>
#include <string.h>

#include "perf.h"

#define RXQ 0u
#define TXQ 1u
#define SLOT_ALIGN 64u /* a packet buffer starts on its own cache line */

struct lb {
	struct perf_ctx *c;
	struct vmmio_vq *rx, *tx;
	unsigned burst, qsize;
	uint64_t max_in_flight; /* packets sent and not received yet, at most */
	unsigned frame; /* header + payload: the bytes of one packet buffer */
	struct vmmio_dma *pool; /* qsize receive slots, then qsize transmit slots */
	uint8_t **tx_free; /* transmit slots not on the ring */
	unsigned n_free;
	/* Staging for one burst each way, and what was reaped. */
	struct vmmio_seg *tx_seg, *rx_seg;
	struct vmmio_buf *tx_buf, *rx_buf;
	struct vmmio_used *tx_used, *rx_used;
	uint64_t next_seq; /* of the next packet sent */
	uint64_t expect_seq; /* of the next packet received */
};

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static int lb_init(struct lb *l, struct perf_ctx *c)
{
	const unsigned q = c->o->qsize;
	size_t slot;

	memset(l, 0, sizeof(*l));
	l->c = c;
	l->rx = c->q[RXQ].vq;
	l->tx = c->q[TXQ].vq;
	l->burst = c->o->burst;
	l->qsize = q;
	l->max_in_flight = c->vhost ? q : UINT64_MAX;
	l->frame = c->hdr_len + c->o->pkt_size;
	slot = (l->frame + SLOT_ALIGN - 1) & ~(size_t)(SLOT_ALIGN - 1);
	l->pool = &c->pool;
	if (perf_pool(c, 2 * q * slot))
		return -1;
	l->tx_free = calloc(q, sizeof(*l->tx_free));
	l->tx_seg = calloc(q, sizeof(*l->tx_seg));
	l->rx_seg = calloc(q, sizeof(*l->rx_seg));
	l->tx_buf = calloc(q, sizeof(*l->tx_buf));
	l->rx_buf = calloc(q, sizeof(*l->rx_buf));
	l->tx_used = calloc(q, sizeof(*l->tx_used));
	l->rx_used = calloc(q, sizeof(*l->rx_used));
	if (!l->tx_free || !l->tx_seg || !l->rx_seg || !l->tx_buf || !l->rx_buf || !l->tx_used ||
	    !l->rx_used)
		return perf_fail(c, "no memory for the staging arrays of %u entries", q);
	/* Transmit headers stay zero: no offloads, no GSO ("Packet Transmission"). */
	for (unsigned i = 0; i < q; i++)
		l->tx_free[i] = (uint8_t *)l->pool->va + (size_t)(q + i) * slot;
	l->n_free = q;
	for (unsigned i = 0; i < q; i++) {
		l->rx_seg[i] = (struct vmmio_seg){ 0, l->frame };
		l->rx_buf[i] = (struct vmmio_buf){ .seg = &l->rx_seg[i], .n_in = 1 };
		l->tx_seg[i] = (struct vmmio_seg){ 0, l->frame };
		l->tx_buf[i] = (struct vmmio_buf){ .seg = &l->tx_seg[i], .n_out = 1 };
	}
	return 0;
}

static void lb_free(struct lb *l)
{
	free(l->tx_free);
	free(l->tx_seg);
	free(l->rx_seg);
	free(l->tx_buf);
	free(l->rx_buf);
	free(l->tx_used);
	free(l->rx_used);
}

/* Add @n staged buffers to @vq and kick it. */
static int post(struct lb *l, struct vmmio_vq *vq, const struct vmmio_buf *bufs, unsigned n)
{
	int r = vmmio_vq_add(vq, bufs, n);

	if (r != (int)n) {
		if (perf_queues_ok(l->c))
			return -1;
		return perf_fail(l->c, "queue %u: added %d of %u buffers (%s)", vmmio_vq_index(vq),
				 r, n, vmmio_vq_error(vq));
	}
	r = vmmio_vq_kick(vq, &l->c->dev);
	if (r < 0)
		return perf_fail(l->c, "%s", vmmio_dev_error(&l->c->dev));
	return 0;
}

/* Hand receive buffers at @va[0..n) (cookies) to the device. */
static int rx_refill(struct lb *l, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t *va = l->rx_used[i].cookie;

		l->rx_seg[i].addr = vmmio_dma_iova(l->pool, va);
		l->rx_buf[i].cookie = va;
	}
	return post(l, l->rx, l->rx_buf, n);
}

static int rx_fill_all(struct lb *l)
{
	size_t slot = l->pool->len / (2 * (size_t)l->qsize);

	for (unsigned i = 0; i < l->qsize; i++)
		l->rx_used[i].cookie = (uint8_t *)l->pool->va + i * slot;
	return rx_refill(l, l->qsize);
}

/* Check the @n packets reaped into rx_used, then give their buffers back. */
static int rx_consume(struct lb *l, unsigned n)
{
	const unsigned hdr = l->c->hdr_len, size = l->c->o->pkt_size;

	for (unsigned i = 0; i < n; i++) {
		const uint8_t *p = (const uint8_t *)l->rx_used[i].cookie + hdr;
		const uint64_t seq = get64(p), tail = get64(p + size - 8);

		if (l->rx_used[i].len != l->frame)
			return perf_fail(l->c,
					 "queue %u: packet %llu came back with %u bytes, sent %u (header %u + payload %u)",
					 RXQ, (unsigned long long)l->expect_seq, l->rx_used[i].len,
					 l->frame, hdr, size);
		if (seq != l->expect_seq)
			return perf_fail(l->c,
					 "queue %u: received sequence number %llu, expected %llu (a packet lost, duplicated or reordered)",
					 RXQ, (unsigned long long)seq,
					 (unsigned long long)l->expect_seq);
		if (tail != ~seq)
			return perf_fail(l->c,
					 "queue %u: packet %llu corrupted: last 8 payload bytes 0x%016llx, sent 0x%016llx",
					 RXQ, (unsigned long long)seq, (unsigned long long)tail,
					 (unsigned long long)~seq);
		l->expect_seq++;
	}
	return n ? rx_refill(l, n) : 0;
}

/* Receive up to @max packets: reap, check, refill. Returns how many, or -1. */
static int rx_poll(struct lb *l, unsigned max)
{
	unsigned n = vmmio_vq_reap(l->rx, l->rx_used, max);

	return rx_consume(l, n) ? -1 : (int)n;
}

static void tx_reap(struct lb *l)
{
	unsigned n = vmmio_vq_reap(l->tx, l->tx_used, l->burst);

	for (unsigned i = 0; i < n; i++)
		l->tx_free[l->n_free++] = l->tx_used[i].cookie;
}

/* Take @n free transmit slots and write the next sequence numbers. */
static void tx_prepare(struct lb *l, unsigned n)
{
	const unsigned hdr = l->c->hdr_len, size = l->c->o->pkt_size;

	for (unsigned i = 0; i < n; i++) {
		uint8_t *va = l->tx_free[--l->n_free];
		const uint64_t seq = l->next_seq++;

		put64(va + hdr, seq);
		put64(va + hdr + size - 8, ~seq);
		l->tx_seg[i].addr = vmmio_dma_iova(l->pool, va);
		l->tx_buf[i].cookie = va;
	}
}

static int throughput(struct lb *l, struct perf_result *r)
{
	struct perf_phase ph;
	const uint64_t base = l->expect_seq;
	unsigned it = 0;

	perf_phase_start(&ph, l->c->o->duration, !l->c->o->quiet);
	for (;;) {
		unsigned k;

		tx_reap(l);
		k = l->n_free < l->burst ? l->n_free : l->burst;
		if (l->next_seq - l->expect_seq + k > l->max_in_flight)
			k = (unsigned)(l->max_in_flight - (l->next_seq - l->expect_seq));
		if (k) {
			tx_prepare(l, k);
			if (post(l, l->tx, l->tx_buf, k))
				return -1;
		}
		if (rx_poll(l, l->burst) < 0)
			return -1;
		if (++it & PERF_TICK_MASK)
			continue;
		switch (perf_phase_tick(&ph, l->expect_seq - base)) {
		case PERF_TICK_GO:
			continue;
		case PERF_TICK_DONE:
			break;
		case PERF_TICK_STALLED:
			return perf_stalled(l->c,
					    "no packet came back for 2 s (%llu sent, %llu received)",
					    (unsigned long long)l->next_seq,
					    (unsigned long long)l->expect_seq);
		}
		break;
	}
	r->packets = l->expect_seq - base;
	r->seconds = (double)(ph.now - ph.start) / 1e9;
	return 0;
}

/* Wait until every packet sent came back and every transmit slot is free. */
static int drain(struct lb *l)
{
	uint64_t since = perf_now_ns();
	unsigned spins = 0;

	while (l->expect_seq != l->next_seq || l->n_free != l->qsize) {
		const uint64_t before = l->expect_seq;
		const unsigned free_before = l->n_free;

		tx_reap(l);
		if (rx_poll(l, l->burst) < 0)
			return -1;
		if (l->expect_seq != before || l->n_free != free_before)
			since = perf_now_ns();
		else if (perf_spin_expired(since, &spins))
			return perf_stalled(l->c,
					    "%llu packets sent never came back, %u transmit buffers never used",
					    (unsigned long long)(l->next_seq - l->expect_seq),
					    l->qsize - l->n_free);
	}
	return 0;
}

static int ping_pong(struct lb *l, uint64_t *samples, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t t0, t1;
		unsigned spins = 0, got;

		/* drain() left every transmit slot free; one comes back per trip. */
		t0 = perf_now_ns();
		while (!l->n_free) {
			tx_reap(l);
			if (perf_spin_expired(t0, &spins))
				return perf_stalled(l->c, "round trip %u: queue %u used no buffer",
						    i, TXQ);
		}
		tx_prepare(l, 1);
		t0 = perf_now_ns();
		if (post(l, l->tx, l->tx_buf, 1))
			return -1;
		while (!(got = vmmio_vq_reap(l->rx, l->rx_used, 1)))
			if (perf_spin_expired(t0, &spins))
				return perf_stalled(l->c, "round trip %u: no packet back in 2 s", i);
		t1 = perf_now_ns();
		if (rx_consume(l, got))
			return -1;
		samples[i] = t1 - t0;
		tx_reap(l);
	}
	return 0;
}

int perf_run_loopback(struct perf_ctx *c, struct perf_result *r)
{
	const unsigned n = c->o->rtt_samples;
	uint64_t *samples = n ? malloc(n * sizeof(*samples)) : NULL;
	struct lb l;
	int ret = -1;

	if (n && !samples)
		return perf_fail(c, "no memory for %u round-trip samples", n);
	if (lb_init(&l, c) || rx_fill_all(&l))
		goto out;
	if (c->o->duration > 0 && (throughput(&l, r) || drain(&l)))
		goto out;
	if (ping_pong(&l, samples, n) || drain(&l))
		goto out;
	perf_rtt_summarise(samples, n, &r->rtt);
	r->total_packets = l.expect_seq;
	ret = perf_queues_ok(c);
out:
	lb_free(&l);
	free(samples);
	return ret;
}
