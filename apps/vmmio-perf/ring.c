/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ring mode: one queue (0) and a device that uses every available buffer
 * at once with length 0 (devsim's SINK backend). Each buffer is one
 * zero-length device-writable segment, so nothing is copied: what is
 * measured is the ring protocol itself, descriptors and indices crossing
 * between the driver's core and the device's.
 */
#include <stdlib.h>

#include "perf.h"

struct ring {
	struct perf_ctx *c;
	struct vmmio_vq *vq;
	unsigned burst;
	struct vmmio_seg seg; /* every buffer's one segment */
	struct vmmio_buf *buf; /* burst entries */
	struct vmmio_used *used;
	uint64_t added, reaped;
};

static int ring_post(struct ring *g, unsigned n)
{
	int r = vmmio_vq_add(g->vq, g->buf, n);

	if (r != (int)n) {
		if (perf_queues_ok(g->c))
			return -1;
		return perf_fail(g->c, "queue 0: added %d of %u buffers (%s)", r, n,
				 vmmio_vq_error(g->vq));
	}
	g->added += n;
	r = vmmio_vq_kick(g->vq, &g->c->dev);
	if (r < 0)
		return perf_fail(g->c, "%s", vmmio_dev_error(&g->c->dev));
	return 0;
}

static int throughput(struct ring *g, struct perf_result *r)
{
	struct perf_phase ph;
	const uint64_t base = g->reaped;
	unsigned it = 0;

	perf_phase_start(&ph, g->c->o->duration, !g->c->o->quiet);
	for (;;) {
		unsigned room, k;

		g->reaped += vmmio_vq_reap(g->vq, g->used, g->burst);
		room = vmmio_vq_room(g->vq);
		k = room < g->burst ? room : g->burst;
		if (k && ring_post(g, k))
			return -1;
		if (++it & PERF_TICK_MASK)
			continue;
		switch (perf_phase_tick(&ph, g->reaped - base)) {
		case PERF_TICK_GO:
			continue;
		case PERF_TICK_DONE:
			break;
		case PERF_TICK_STALLED:
			return perf_stalled(g->c, "queue 0: no buffer used for 2 s (%llu of %llu)",
					    (unsigned long long)g->reaped,
					    (unsigned long long)g->added);
		}
		break;
	}
	r->packets = g->reaped - base;
	r->seconds = (double)(ph.now - ph.start) / 1e9;
	return 0;
}

static int drain(struct ring *g)
{
	uint64_t since = perf_now_ns();
	unsigned spins = 0, n;

	while (g->reaped != g->added) {
		n = vmmio_vq_reap(g->vq, g->used, g->burst);
		g->reaped += n;
		if (n)
			since = perf_now_ns();
		else if (perf_spin_expired(since, &spins))
			return perf_stalled(g->c, "queue 0: %llu buffers never used",
					    (unsigned long long)(g->added - g->reaped));
	}
	return 0;
}

static int ping_pong(struct ring *g, uint64_t *samples, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned spins = 0;
		uint64_t t0 = perf_now_ns();

		if (ring_post(g, 1))
			return -1;
		while (!vmmio_vq_reap(g->vq, g->used, 1))
			if (perf_spin_expired(t0, &spins))
				return perf_stalled(g->c, "round trip %u: queue 0 used no buffer in 2 s",
						    i);
		samples[i] = perf_now_ns() - t0;
		g->reaped++;
	}
	return 0;
}

int perf_run_ring(struct perf_ctx *c, struct perf_result *r)
{
	const unsigned n = c->o->rtt_samples;
	uint64_t *samples = n ? malloc(n * sizeof(*samples)) : NULL;
	struct ring g = { .c = c, .vq = c->q[0].vq, .burst = c->o->burst };
	int ret = -1;

	g.buf = calloc(g.burst, sizeof(*g.buf));
	g.used = calloc(g.burst, sizeof(*g.used));
	if ((n && !samples) || !g.buf || !g.used) {
		perf_fail(c, "no memory for %u buffers and %u samples", g.burst, n);
		goto out;
	}
	if (perf_pool(c, 64))
		goto out;
	/* Zero bytes at a valid device address: the device writes nothing. */
	g.seg = (struct vmmio_seg){ c->pool.iova, 0 };
	for (unsigned i = 0; i < g.burst; i++)
		g.buf[i] = (struct vmmio_buf){ .seg = &g.seg, .n_in = 1, .cookie = &g.seg };
	if (c->o->duration > 0 && (throughput(&g, r) || drain(&g)))
		goto out;
	if (ping_pong(&g, samples, n))
		goto out;
	perf_rtt_summarise(samples, n, &r->rtt);
	r->total_packets = g.reaped;
	ret = perf_queues_ok(c);
out:
	free(g.buf);
	free(g.used);
	free(samples);
	return ret;
}
