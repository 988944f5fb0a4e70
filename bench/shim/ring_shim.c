/* SPDX-License-Identifier: BSD-3-Clause */
/* One virtqueue against devsim's SINK backend, for the benchmarks (see ring_shim.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devsim.h"
#include "devsim_vq.h"
#include "ring_shim.h"
#include "vmmio_dev.h"
#include "vmmio_vq.h"

struct ring_bench {
	struct devsim *sim;
	struct vmmio_regwin win;
	struct vmmio_dev dev;
	unsigned qsize;
	struct vmmio_dma ring;
	struct vmmio_dma target; /* where the zero-length segments point */
	struct vmmio_vq *vq;
	struct vmmio_seg seg;
	struct vmmio_buf *buf; /* qsize copies of one buffer */
	struct vmmio_used *used;
	char err[VMMIO_VQ_ERR_LEN];
};

static int setup_queue(struct vmmio_dev *d, void *arg)
{
	struct ring_bench *b = arg;
	struct vmmio_vq_params p;

	vmmio_vq_params_from_dev(&p, d, 0, (uint16_t)b->qsize);
	b->vq = vmmio_vq_create(&p, vmmio_heap_allocator(), b->err, sizeof(b->err));
	if (!b->vq)
		return -1;
	vmmio_vq_intr_disable(b->vq);
	return vmmio_vq_enable(b->vq, d);
}

static struct ring_bench *open_failed(struct ring_bench *b, char *err, size_t errlen,
				      const char *what)
{
	snprintf(err, errlen, "%s: %s", what, b->err[0] ? b->err : vmmio_dev_error(&b->dev));
	ring_bench_close(b);
	return NULL;
}

struct ring_bench *ring_bench_open(int packed, int event_idx, unsigned qsize, char *err,
				   size_t errlen)
{
	struct ring_bench *b = calloc(1, sizeof(*b));
	struct vmmio_features want = { { 0 } };
	struct devsim_config c;

	if (!b) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->qsize = qsize;
	b->buf = calloc(qsize, sizeof(*b->buf));
	b->used = calloc(qsize, sizeof(*b->used));
	if (!b->buf || !b->used || vmmio_dma_heap_alloc(&b->target, 64, 64))
		return open_failed(b, err, errlen, "out of memory");
	devsim_config_default(&c, DEVSIM_NET, false);
	c.backend = DEVSIM_BACKEND_SINK;
	c.queue_num_max[0] = (uint16_t)qsize;
	b->sim = devsim_create(&c);
	if (!b->sim)
		return open_failed(b, err, errlen, "devsim_create");
	b->win = devsim_regwin(b->sim);
	if (vmmio_probe(&b->dev, &b->win, NULL))
		return open_failed(b, err, errlen, "probe");
	/* Only the ring format and the suppression scheme under test. */
	vmmio_feat_set(&want, VMMIO_F_VERSION_1);
	if (packed)
		vmmio_feat_set(&want, VMMIO_F_RING_PACKED);
	if (event_idx)
		vmmio_feat_set(&want, VMMIO_F_EVENT_IDX);
	if (vmmio_init(&b->dev, &want, setup_queue, b))
		return open_failed(b, err, errlen, "init");
	if (devsim_vq_kick_mode(b->sim, 0, DEVSIM_KICK_NEVER, 0, false, false))
		return open_failed(b, err, errlen, "kick mode");
	b->seg = (struct vmmio_seg){ b->target.iova, 0 };
	for (unsigned i = 0; i < qsize; i++)
		b->buf[i] = (struct vmmio_buf){ .seg = &b->seg, .n_in = 1, .cookie = b };
	return b;
}

void ring_bench_close(struct ring_bench *b)
{
	if (!b)
		return;
	if (b->sim)
		devsim_destroy(b->sim);
	vmmio_vq_destroy(b->vq);
	if (b->target.va)
		vmmio_dma_heap_free(&b->target);
	free(b->buf);
	free(b->used);
	free(b);
}

int ring_bench_add_publish(struct ring_bench *b, unsigned n)
{
	int r = vmmio_vq_add(b->vq, b->buf, n);

	if (r < 0 || vmmio_vq_kick(b->vq, &b->dev) < 0)
		return -1;
	return r;
}

unsigned ring_bench_device_step(struct ring_bench *b)
{
	return devsim_step(b->sim);
}

unsigned ring_bench_reap(struct ring_bench *b, unsigned n)
{
	return vmmio_vq_reap(b->vq, b->used, n);
}

unsigned long long ring_bench_kicks(const struct ring_bench *b)
{
	struct vmmio_vq_stats st;

	vmmio_vq_stats(b->vq, &st);
	return st.kicks;
}

const char *ring_bench_error(const struct ring_bench *b)
{
	return b->vq ? vmmio_vq_error(b->vq) : b->err;
}
