/* SPDX-License-Identifier: BSD-3-Clause */
/* The datapath tests' rig: device, driver bring-up, queues, seeds. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig.h"

const char *rig_ring_name(const struct rig_ring *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s%s", r->legacy ? "legacy-" : "",
		 r->packed ? "packed" : "split", r->event_idx ? "+event_idx" : "",
		 r->in_order ? "+in_order" : "", r->indirect ? "+indirect" : "",
		 r->notif_data ? "+notif_data" : "");
	return buf;
}

/* The features the driver must accept for @ring. */
static struct vmmio_features rig_features(const struct rig_ring *ring)
{
	struct vmmio_features f;

	memset(&f, 0, sizeof(f));
	if (ring->event_idx)
		vmmio_feat_set(&f, VMMIO_F_EVENT_IDX);
	if (ring->indirect)
		vmmio_feat_set(&f, VMMIO_F_INDIRECT_DESC);
	if (ring->legacy)
		return f; /* Version 1 has only the low word */
	vmmio_feat_set(&f, VMMIO_F_VERSION_1);
	/* Queue reset is part of every modern run (vmmio_vq_reset()). */
	vmmio_feat_set(&f, VMMIO_F_RING_RESET);
	if (ring->packed)
		vmmio_feat_set(&f, VMMIO_F_RING_PACKED);
	if (ring->in_order)
		vmmio_feat_set(&f, VMMIO_F_IN_ORDER);
	if (ring->notif_data)
		vmmio_feat_set(&f, VMMIO_F_NOTIFICATION_DATA);
	return f;
}

static void reclaim_one(void *cookie, void *arg)
{
	struct rig *r = arg;

	r->reclaimed++;
	if (r->reclaim)
		r->reclaim(r->reclaim_q, cookie, r->reclaim_arg);
}

static int setup_queue(struct rig *r, uint16_t q)
{
	struct vmmio_vq_params p;
	uint16_t max;
	int e;

	if (r->vq[q]) {
		/* Recovery: the device was reset, so nothing of the ring is in
		 * use; hand back what was outstanding, then enable again. */
		r->reclaim_q = q;
		vmmio_vq_reclaim(r->vq[q], reclaim_one, r);
		return vmmio_vq_enable(r->vq[q], &r->dev);
	}
	e = vmmio_queue_max(&r->dev, q, &max);
	if (e)
		return e;
	if (max < r->o.num) {
		snprintf(r->dev.err, sizeof(r->dev.err), "rig: queue %u: QueueSizeMax %u < %u", q,
			 max, r->o.num);
		return -EINVAL;
	}
	vmmio_vq_params_from_dev(&p, &r->dev, q, r->o.num);
	/* Ranges as large as the ring needs: the indirect tables go into
	 * several, as they do in hugepages. */
	if (!r->alloc.a.max_contig)
		talloc_init(&r->alloc, talloc_ring_contig(&p));
	r->vq[q] = vmmio_vq_create(&p, &r->alloc.a, r->dev.err, sizeof(r->dev.err));
	if (!r->vq[q])
		return -EINVAL;
	return vmmio_vq_enable(r->vq[q], &r->dev);
}

int rig_setup(struct vmmio_dev *d, void *arg)
{
	struct rig *r = arg;

	(void)d;
	r->setups++;
	for (uint16_t q = 0; q < r->o.nq; q++) {
		int e = setup_queue(r, q);

		if (e)
			return e;
	}
	return 0;
}

int rig_open(struct rig *r, const struct rig_opts *o)
{
	struct vmmio_features want = rig_features(&o->ring);
	char name[96];
	int e;

	memset(r, 0, sizeof(*r));
	r->o = *o;
	devsim_config_default(&r->cfg, DEVSIM_NET, o->ring.legacy);
	r->cfg.backend = o->backend;
	if (o->nq > r->cfg.num_queues) {
		snprintf(r->err, sizeof(r->err), "rig: %u queues asked, the device has %u", o->nq,
			 r->cfg.num_queues);
		return -EINVAL;
	}
	for (uint16_t q = 0; q < o->nq; q++)
		if (r->cfg.queue_num_max[q] < o->num)
			r->cfg.queue_num_max[q] = o->num;
	r->sim = devsim_create(&r->cfg);
	if (!r->sim) {
		snprintf(r->err, sizeof(r->err), "rig: devsim_create failed");
		return -ENOMEM;
	}
	r->win = devsim_regwin(r->sim);
	e = vmmio_probe(&r->dev, &r->win, NULL);
	if (!e)
		e = vmmio_init(&r->dev, &want, rig_setup, r);
	if (!e && !vmmio_feat_equal(&r->dev.driver_features, &want)) {
		snprintf(r->dev.err, sizeof(r->dev.err),
			 "rig: accepted features %08x %08x are not the %s set %08x %08x",
			 r->dev.driver_features.w[0], r->dev.driver_features.w[1],
			 rig_ring_name(&o->ring, name, sizeof(name)), want.w[0], want.w[1]);
		e = -EPROTO;
	}
	if (e) {
		snprintf(r->err, sizeof(r->err), "rig_open %s: %d: %s",
			 rig_ring_name(&o->ring, name, sizeof(name)), e, vmmio_dev_error(&r->dev));
		rig_close(r);
		return e;
	}
	return 0;
}

void rig_close(struct rig *r)
{
	for (unsigned q = 0; q < DEVSIM_MAX_QUEUES; q++) {
		vmmio_vq_destroy(r->vq[q]);
		r->vq[q] = NULL;
	}
	/* The queues gave back all they took: a test that leaks stops here. */
	if (r->alloc.dma_out || r->alloc.priv_out) {
		printf("# FAIL rig_close: %u DMA ranges and %u private blocks not given back\n",
		       r->alloc.dma_out, r->alloc.priv_out);
		fflush(stdout);
		abort();
	}
	devsim_destroy(r->sim);
	r->sim = NULL;
}

size_t rig_dump_violations(const struct rig *r)
{
	size_t n = devsim_violation_count(r->sim);

	for (size_t i = 0; i < n && i < 20; i++) {
		const struct devsim_violation *v = devsim_violation(r->sim, i);

		printf("# violation %s: %s\n", devsim_rule_info(v->rule)->id, v->detail);
	}
	return n;
}

uint64_t rig_base_seed(int argc, char **argv, uint64_t dflt)
{
	const char *s = argc > 1 ? argv[1] : getenv("VMMIO_SEED");
	uint64_t seed = s && *s ? strtoull(s, NULL, 0) : dflt;

	printf("# base seed %" PRIu64 " (replay: pass it as the first argument or VMMIO_SEED)\n",
	       seed);
	return seed;
}

void rig_fail(uint64_t seed, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("# FAIL %s:%d: seed %" PRIu64 ": ", file, line, seed);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}
