/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small, deterministic traffic for the fault tests: buffers of one
 * readable and one writable segment on queue 0 of a rig, taken and used by
 * the test (manual backend) in the order they were made available. Every
 * buffer the driver hands back (reaped or reclaimed) is counted, so
 * "exactly once" can be checked after any mishap.
 */
#ifndef VMMIO_TEST_TRAFFIC_H
#define VMMIO_TEST_TRAFFIC_H

#include <stdbool.h>
#include <stdint.h>

#include "rig.h"

#define TR_Q 0
#define TR_NUM 16u
#define TR_MAX_BUFS 256u
#define TR_OUT_LEN 16u
#define TR_IN_LEN 256u

struct tr_buf {
	struct vmmio_seg seg[2];
	bool added;
	unsigned returned; /* times the driver handed it back */
	uint16_t id; /* as the device took it */
};

struct traffic {
	struct rig rig;
	struct vmmio_vq *vq;
	struct devsim *sim;
	struct tr_buf b[TR_MAX_BUFS];
	unsigned n_bufs;
	unsigned held[TR_MAX_BUFS]; /* buffers the device took, in order */
	unsigned n_held;
	unsigned bad_cookies; /* cookies handed back that were not outstanding */
};

/* Bring up a rig of @ring and @backend (MANUAL for tr_take/tr_use), one
 * queue of TR_NUM. */
int tr_open(struct traffic *t, const struct rig_ring *ring, enum devsim_backend backend);
void tr_close(struct traffic *t);

/* Add @n buffers and kick; returns what vmmio_vq_add() returned. */
int tr_add(struct traffic *t, unsigned n, bool kick);
/* The device takes everything available; returns how many. */
unsigned tr_take(struct traffic *t);
/* The device uses the @n oldest buffers it holds (len 100 + i); returns
 * devsim_vq_use()'s result. */
int tr_use(struct traffic *t, unsigned n);
/* The same as one IN_ORDER batch (one used entry for the @n) with @batch. */
int tr_use_batch(struct traffic *t, unsigned n, bool batch);
/* Count a buffer handed back, or a cookie that was not outstanding. */
void tr_handed_back(struct traffic *t, void *cookie);
/* Reap everything; returns how many (each counted in returned). */
unsigned tr_reap(struct traffic *t);
/* vmmio_vq_reclaim()'s callback, @arg the traffic. */
void tr_reclaimed(void *cookie, void *arg);
/* The rig's recovery callback (rig.reclaim). */
void tr_recovered(uint16_t q, void *cookie, void *arg);
/* The device forgets what it held (after a queue or device reset). */
void tr_device_reset(struct traffic *t);
/* Buffers added and not handed back exactly once (0 when all are back). */
unsigned tr_missing(const struct traffic *t);

#endif /* VMMIO_TEST_TRAFFIC_H */
