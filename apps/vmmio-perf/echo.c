/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Echo mode (virtio-net, a real device): ARP round trips with the peer on
 * the device's network, the one exchange every peer answers unasked (QEMU's
 * user network for its gateway, testpmd's icmpecho for any address). Each
 * round sends --burst requests on queue 1 and waits for as many replies on
 * queue 0, each checked field by field; a frame that is not ARP at all is
 * the peer saying something else, counted and given back. Receive queue 0
 * stays full; the buffers come from a packet pool (vmmio_pktpool.h), each
 * one segment of header and frame.
 */
#include <stdlib.h>
#include <string.h>

#include "arp.h"
#include "perf.h"
#include "vmmio_features.h"
#include "vmmio_net.h"
#include "vmmio_pktpool.h"

#define RXQ 0u
#define TXQ 1u
/* One buffer: the header and the largest frame without offloads (1514). */
#define SLOT 2048u

struct echo {
	struct perf_ctx *c;
	struct vmmio_vq *rx, *tx;
	struct vmmio_pktpool *pool; /* c->pkts: qsize receive buffers, then burst transmit */
	unsigned qsize, burst, hdr;
	uint8_t mac[6];
	struct vmmio_seg *seg; /* staging, qsize entries */
	struct vmmio_buf *buf;
	struct vmmio_used *used;
	uint64_t answered, other;
};

/* Cookies are buffer numbers + 1 (a cookie is never NULL). */
static void *cookie_of(uint32_t i)
{
	return (void *)(uintptr_t)(i + 1u);
}

static uint32_t buffer_of(void *cookie)
{
	return (uint32_t)((uintptr_t)cookie - 1u);
}

static int echo_init(struct echo *e, struct perf_ctx *c)
{
	const struct vmmio_pktpool_opts po = {
		.count = c->o->qsize + c->o->burst, .size = SLOT, .node = c->bus.numa_node,
	};
	struct vmmio_net_config cfg;
	const struct vmmio_features *f = &c->dev.driver_features;

	memset(e, 0, sizeof(*e));
	e->c = c;
	e->rx = c->q[RXQ].vq;
	e->tx = c->q[TXQ].vq;
	e->qsize = c->o->qsize;
	e->burst = c->o->burst;
	e->hdr = c->hdr_len;
	/* One segment per packet needs free message framing ("Message
	 * Framing": always with VERSION_1, ANY_LAYOUT on a legacy device). */
	if (!vmmio_feat_has(f, VMMIO_F_VERSION_1) && !vmmio_feat_has(f, VMMIO_F_ANY_LAYOUT))
		return perf_fail(c, "--mode echo: %s negotiated neither VIRTIO_F_VERSION_1 nor "
				 "VIRTIO_F_ANY_LAYOUT: the header would need a descriptor of its own",
				 c->o->device);
	if (vmmio_net_config_read(&c->dev, &cfg) || !cfg.has_mac)
		return perf_fail(c, "--mode echo: %s has no MAC address to ask from "
				 "(VIRTIO_NET_F_MAC): %s",
				 c->o->device, vmmio_dev_error(&c->dev));
	memcpy(e->mac, cfg.mac, sizeof(e->mac));
	if (vmmio_pktpool_create(c->bus.dma, &po, &c->pkts, c->err, sizeof(c->err)))
		return -1;
	e->pool = c->pkts;
	e->seg = calloc(e->qsize, sizeof(*e->seg));
	e->buf = calloc(e->qsize, sizeof(*e->buf));
	e->used = calloc(e->qsize, sizeof(*e->used));
	if (!e->seg || !e->buf || !e->used)
		return perf_fail(c, "no memory for the staging arrays of %u entries", e->qsize);
	return 0;
}

static void echo_free(struct echo *e)
{
	free(e->seg);
	free(e->buf);
	free(e->used);
}

/* Stage buffer @i as entry @k: device-writable (receive) or readable. */
static void stage(struct echo *e, unsigned k, uint32_t i, uint32_t len, bool writable)
{
	e->seg[k] = (struct vmmio_seg){ vmmio_pktpool_iova(e->pool, i), len };
	e->buf[k] = (struct vmmio_buf){ .seg = &e->seg[k], .n_out = !writable,
					.n_in = writable, .cookie = cookie_of(i) };
}

static int post(struct echo *e, struct vmmio_vq *vq, unsigned n)
{
	int r = vmmio_vq_add(vq, e->buf, n);

	if (r != (int)n) {
		if (perf_queues_ok(e->c))
			return -1;
		return perf_fail(e->c, "queue %u: added %d of %u buffers (%s)", vmmio_vq_index(vq),
				 r, n, vmmio_vq_error(vq));
	}
	if (vmmio_vq_kick(vq, &e->c->dev) < 0)
		return perf_fail(e->c, "%s", vmmio_dev_error(&e->c->dev));
	return 0;
}

static int rx_fill(struct echo *e)
{
	for (uint32_t i = 0; i < e->qsize; i++)
		stage(e, i, i, SLOT, true);
	return post(e, e->rx, e->qsize);
}

/* Reap what came in: count the replies (each checked), give every buffer
 * back. -1 on a wrong reply. */
static int rx_poll(struct echo *e, unsigned *replies)
{
	unsigned n = vmmio_vq_reap(e->rx, e->used, e->qsize);
	char why[160];

	for (unsigned k = 0; k < n; k++) {
		const uint32_t i = buffer_of(e->used[k].cookie);
		const uint8_t *frame = (const uint8_t *)vmmio_pktpool_va(e->pool, i) + e->hdr;
		const uint32_t len = e->used[k].len;

		if (i >= e->qsize || len < e->hdr)
			return perf_fail(e->c, "queue %u: used buffer %u with %u bytes is no "
					 "receive buffer with a header", RXQ, i, len);
		if (!app_arp_check_reply(frame, len - e->hdr, e->mac, e->c->o->own_ip,
					 e->c->o->peer_ip, why, sizeof(why)))
			++*replies;
		else if (!app_arp_is_arp(frame, len - e->hdr))
			e->other++;
		else
			return perf_fail(e->c, "reply %llu is wrong: %s",
					 (unsigned long long)e->answered + *replies, why);
		stage(e, k, i, SLOT, true);
	}
	return n ? post(e, e->rx, n) : 0;
}

/* One round: @n requests, then their @n replies. */
static int round_trip(struct echo *e, unsigned n)
{
	uint64_t since;
	unsigned replies = 0, spins = 0;

	for (unsigned k = 0; k < n; k++) {
		const uint32_t i = e->qsize + k;
		uint8_t *p = vmmio_pktpool_va(e->pool, i);

		/* No offloads: flags 0, GSO_NONE ("Packet Transmission"). */
		memset(p, 0, e->hdr);
		app_arp_request(p + e->hdr, e->mac, e->c->o->own_ip, e->c->o->peer_ip);
		stage(e, k, i, e->hdr + APP_ARP_FRAME_LEN, false);
	}
	if (post(e, e->tx, n))
		return -1;
	since = perf_now_ns();
	while (replies < n) {
		if (rx_poll(e, &replies))
			return -1;
		if (perf_spin_expired(since, &spins))
			return perf_stalled(e->c, "%u of %u replies in 2 s from the peer %u.%u.%u.%u",
					    replies, n, e->c->o->peer_ip >> 24,
					    (e->c->o->peer_ip >> 16) & 0xff,
					    (e->c->o->peer_ip >> 8) & 0xff, e->c->o->peer_ip & 0xff);
	}
	/* The requests' buffers are used once the replies are in (the peer
	 * answered them); take them back before they are written again. */
	spins = 0;
	while (vmmio_vq_outstanding(e->tx)) {
		vmmio_vq_reap(e->tx, e->used, n);
		if (perf_spin_expired(since, &spins))
			return perf_stalled(e->c, "queue %u kept %u requests after their replies",
					    TXQ, vmmio_vq_outstanding(e->tx));
	}
	e->answered += n;
	return 0;
}

static int throughput(struct echo *e, struct perf_result *r)
{
	const uint64_t base = e->answered;
	struct perf_phase ph;

	perf_phase_start(&ph, e->c->o->duration, !e->c->o->quiet);
	do {
		if (round_trip(e, e->burst))
			return -1;
	} while (perf_phase_tick(&ph, e->answered - base) == PERF_TICK_GO);
	r->packets = e->answered - base;
	r->seconds = (double)(ph.now - ph.start) / 1e9;
	return 0;
}

int perf_run_echo(struct perf_ctx *c, struct perf_result *r)
{
	const unsigned n = c->o->rtt_samples;
	uint64_t *samples = n ? malloc(n * sizeof(*samples)) : NULL;
	struct echo e;
	int ret = -1;

	if (n && !samples)
		return perf_fail(c, "no memory for %u round-trip samples", n);
	if (echo_init(&e, c) || rx_fill(&e))
		goto out;
	if (c->o->duration > 0 && throughput(&e, r))
		goto out;
	for (unsigned i = 0; i < n; i++) {
		const uint64_t t0 = perf_now_ns();

		if (round_trip(&e, 1))
			goto out;
		samples[i] = perf_now_ns() - t0;
	}
	perf_rtt_summarise(samples, n, &r->rtt);
	r->total_packets = e.answered;
	if (e.other)
		fprintf(stderr, "%s: %llu frames from the peer that were not ARP, ignored\n",
			PERF_PROG, (unsigned long long)e.other);
	ret = perf_queues_ok(c);
out:
	echo_free(&e);
	free(samples);
	return ret;
}
