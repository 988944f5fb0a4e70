/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Positive tests: the driver (the vmmio_* API) on a devsim device with the
 * checker on. These helpers build the device, run the common steps and
 * check that the checker stayed silent.
 */
#ifndef VMMIO_CONFORMANCE_DRIVER_H
#define VMMIO_CONFORMANCE_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "conformance.h"
#include "devsim.h"
#include "devsim_vq.h"
#include "vmmio_dev.h"
#include "vmmio_mem.h"
#include "vmmio_vq.h"

struct drv {
	struct devsim_config cfg; /* edit between drv_config() and drv_start() */
	struct devsim *sim;
	struct vmmio_regwin win;
	struct vmmio_dev dev;
};

/* A default device of @p in t->cfg; nothing is created yet. */
void drv_config(struct drv *t, enum devsim_personality p, bool legacy);
/* Create the device from t->cfg. */
void drv_start(struct drv *t);
void drv_close(struct drv *t);

/* Every feature bit: the driver asks for all, the transport picks. */
void drv_all_features(struct vmmio_features *f);

/* The setup callback of vmmio_init(): enable every queue the device has. */
struct drv_queues {
	uint16_t num; /* QueueSize to write; 0: QueueSizeMax */
	unsigned calls; /* times the callback ran */
	unsigned enabled; /* queues enabled by its last run */
};
int drv_setup_queues(struct vmmio_dev *d, void *arg);

/* Addresses of queue @idx with @num entries: high (64-bit) addresses on
 * Version 2, the legacy page layout on Version 1. */
void drv_queue_cfg(const struct vmmio_dev *d, uint16_t idx, uint16_t num,
		   struct vmmio_queue_cfg *out);

/* vmmio_probe() then vmmio_init(@wanted, or all bits if NULL) with every
 * queue enabled; checks both succeed. Returns true when the device is live. */
bool drv_live(struct drv *t, const struct vmmio_features *wanted, struct drv_queues *q);

/*
 * The driver's ring engines (vmmio_vq_*) on queues 0..nq-1, created by the
 * setup callback from the negotiated features (vmmio_vq_params_from_dev())
 * with the overrides below, with memory from the heap allocator (Version 1:
 * low memory); plus a data area for the buffers' segments.
 */
#define DRV_RINGS_MAX 3u
#define DRV_RINGS_DATA 262144u /* bytes of the data area */

struct drv_rings {
	uint16_t nq; /* queues that get a ring (<= DRV_RINGS_MAX) */
	uint16_t num; /* QueueSize of each */
	bool no_indirect; /* no indirect tables even when INDIRECT_DESC is negotiated */
	uint16_t indirect_min; /* 0: the engine's default */
	/* made by drv_setup_rings() */
	struct vmmio_vq_params p[DRV_RINGS_MAX];
	struct vmmio_vq *vq[DRV_RINGS_MAX];
	struct vmmio_dma data;
};
int drv_setup_rings(struct vmmio_dev *d, void *arg);
/* vmmio_probe() and vmmio_init(@wanted) with drv_setup_rings(@r); checks
 * both succeed and every ring was made. True when the device is live. */
bool drv_rings_live(struct drv *t, const struct vmmio_features *wanted, struct drv_rings *r);
/* The same steps one by one up to the rings made and enabled, without
 * DRIVER_OK (vmmio_driver_ok() is the caller's). */
bool drv_rings_ready(struct drv *t, const struct vmmio_features *wanted, struct drv_rings *r);
/* Destroy the rings and free their memory. */
void drv_rings_free(struct drv_rings *r);
/* Segment @k of the data area: @len bytes at a device address of their own
 * (k * 256; len <= 256). */
struct vmmio_seg drv_seg(const struct drv_rings *r, unsigned k, uint32_t len);

/* --- the driver's rings with the device serviced by the test ---------------- */

/* Ring features a test asks for. */
enum {
	DRV_RF_PACKED = 1u << 0,
	DRV_RF_EVENT_IDX = 1u << 1,
	DRV_RF_IN_ORDER = 1u << 2,
	DRV_RF_INDIRECT = 1u << 3,
	DRV_RF_NOTIFY_DATA = 1u << 4,
};

/* Every feature bit but the ring features not in @want (DRV_RF_*): the
 * driver takes what the device offers of the rest. */
void drv_ring_features(struct vmmio_features *f, unsigned want);
/* Add the ring features @want to @f. */
void drv_ring_features_add(struct vmmio_features *f, unsigned want);

/* A net device and the driver's ring on its queue 0. */
struct drv_ring_run {
	struct drv t;
	struct drv_rings r;
	struct vmmio_vq *vq; /* queue 0 */
};

/*
 * Create a net device serviced by @backend and bring it up with the ring
 * features @want and rings of @shape (nq 0 means 1); checks queue 0 got
 * exactly the features asked for. True when it is live.
 */
bool drv_ring_open(struct drv_ring_run *x, bool legacy, unsigned want,
		   enum devsim_backend backend, const struct drv_rings *shape);
/* The checker stayed silent all along (expect_clean()); free everything. */
void drv_ring_end(struct drv_ring_run *x);

/* A buffer of @n_out device-readable then @n_in device-writable segments of
 * 64 bytes, in data blocks from @k on; @seg holds n_out + n_in entries. */
struct vmmio_buf drv_ring_buf(const struct drv_ring_run *x, struct vmmio_seg *seg, uint16_t n_out,
			      uint16_t n_in, unsigned k, uintptr_t cookie);
/* Device-writable bytes of @b. */
uint32_t drv_buf_in_len(const struct vmmio_buf *b);
/* Whether the driver sends a buffer of @nseg segments on queue 0 as an
 * indirect table, by the parameters its ring was made with. */
bool drv_ring_goes_indirect(const struct drv_ring_run *x, unsigned nseg);

/* A buffer as the device took it (DEVSIM_BACKEND_MANUAL). */
#define DRV_TAKE_SEGS 40u
struct drv_taken {
	struct devsim_chain c;
	struct devsim_seg seg[DRV_TAKE_SEGS];
};
/* devsim_vq_take() on queue 0. */
int drv_take_rc(struct devsim *sim, struct drv_taken *tk);
/* The same, expecting a buffer: true when there was one. */
bool drv_take(struct devsim *sim, struct drv_taken *tk);
/* What the device read is @b, segment by segment, through an indirect
 * table when @indirect. */
void drv_expect_chain(const struct drv_taken *tk, const struct vmmio_buf *b, bool indirect);

/* Reap everything the device used: @n (<= 256) buffers, exactly the
 * cookies @first .. @first + n - 1, each once; the queue is not broken. */
void drv_expect_reaped(struct vmmio_vq *vq, uintptr_t first, unsigned n);
/*
 * MANUAL device: add @n (<= 64) buffers in one burst and kick (the device
 * asks for every notification by default); the device takes each, which
 * must be what was added, and uses them all in order, filling each
 * writable part; the driver reaps them in that order with those lengths.
 */
void drv_ring_manual_round(struct drv_ring_run *x, const struct vmmio_buf *b, unsigned n);
/* SINK device: add @n buffers (cookies consecutive from b[0]'s), kick, let
 * the device run, reap them all. */
void drv_ring_sink_round(struct drv_ring_run *x, const struct vmmio_buf *b, unsigned n);

/* Queue 0's counters on the device side and on the driver side. */
struct devsim_vq_stats drv_ring_dev_stats(const struct drv_ring_run *x);
struct vmmio_vq_stats drv_ring_stats(const struct drv_ring_run *x);

/* The checker saw no violation; prints them as TAP diagnostics otherwise. */
void expect_clean(struct devsim *sim);
/* Status (as the device shows it) is exactly @status. */
void expect_status(struct devsim *sim, uint8_t status);
/* Queue @q is (not) ready. */
void expect_queue_ready(struct devsim *sim, uint16_t q, bool ready);

/* The status a live device shows on Version 2 and Version 1. */
#define DRV_LIVE_MODERN                                                    \
	(VMMIO_STATUS_ACKNOWLEDGE | VMMIO_STATUS_DRIVER | VMMIO_STATUS_FEATURES_OK | \
	 VMMIO_STATUS_DRIVER_OK)
#define DRV_LIVE_LEGACY (VMMIO_STATUS_ACKNOWLEDGE | VMMIO_STATUS_DRIVER | VMMIO_STATUS_DRIVER_OK)

/* A driver call returns @want (0 for success); prints the driver's error. */
#define EXPECT_RC(dev, call, want)                                                      \
	do {                                                                            \
		int conf_rc_ = (call);                                                  \
		if (conf_rc_ != (want))                                                 \
			conf_failf(__FILE__, __LINE__, "%s returned %d, want %d (%s)", #call, \
				   conf_rc_, (int)(want), vmmio_dev_error(dev));        \
	} while (0)
#define EXPECT_OK(dev, call) EXPECT_RC(dev, call, 0)

#endif /* VMMIO_CONFORMANCE_DRIVER_H */
