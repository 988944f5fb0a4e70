/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An external device side (devsim_ext.h): the register events that hand
 * the rings over, take them back, and pass notifications on. Called from
 * registers.c with the lock held.
 */
#include <errno.h>
#include <string.h>

#include "devsim_ext.h"
#include "devsim_internal.h"

void devsim_ext_attach(struct devsim *s, const struct devsim_ext_ops *ops, void *ctx)
{
	pthread_mutex_lock(&s->lock);
	s->ext = ops;
	s->ext_ctx = ctx;
	s->ext_started = false;
	pthread_mutex_unlock(&s->lock);
}

/* "The device SHOULD set DEVICE_NEEDS_RESET when it enters an error state
 * that a reset is needed" (Device Status Field). */
void devsim_ext_lost(struct devsim *s)
{
	pthread_mutex_lock(&s->lock);
	if (s->ext_started) {
		s->ext_started = false;
		devsim_needs_reset(s);
	}
	pthread_mutex_unlock(&s->lock);
}

static uint64_t addr64(const uint32_t r[2])
{
	return (uint64_t)r[1] << 32 | r[0];
}

static void geometry(const struct devsim *s, uint16_t q, struct devsim_ext_queue *out)
{
	const struct devsim_queue *dq = &s->q[q];

	out->index = q;
	out->num = dq->num;
	out->desc = addr64(dq->desc);
	out->driver = addr64(dq->driver);
	out->device = addr64(dq->device);
}

/* A start the other side refused: an error state a reset is needed for. */
static void ext_failed(struct devsim *s)
{
	s->ext_started = false;
	devsim_needs_reset(s);
}

void devsim_ext_status(struct devsim *s, uint8_t old)
{
	struct devsim_ext_queue q[DEVSIM_MAX_QUEUES];
	unsigned n = 0;

	if ((old & VMMIO_STATUS_DRIVER_OK) || !(s->status & VMMIO_STATUS_DRIVER_OK) ||
	    !(s->status & VMMIO_STATUS_FEATURES_OK) || (s->status & VMMIO_STATUS_FAILED))
		return;
	for (uint16_t i = 0; i < s->cfg.num_queues; i++)
		if (devsim_queue_exists(s, i) && s->q[i].ready)
			geometry(s, i, &q[n++]);
	s->ext_started = true;
	if (s->ext->start(s->ext_ctx, &s->driver_features, q, n))
		ext_failed(s);
}

void devsim_ext_reset(struct devsim *s)
{
	if (!s->ext_started)
		return;
	s->ext_started = false;
	s->ext->reset(s->ext_ctx);
}

void devsim_ext_queue(struct devsim *s, uint16_t q, bool on)
{
	struct devsim_ext_queue g;

	if (!s->ext_started)
		return;
	if (!on) {
		s->ext->queue_stop(s->ext_ctx, q);
		return;
	}
	geometry(s, q, &g);
	if (s->ext->queue_start(s->ext_ctx, &g))
		ext_failed(s);
}
