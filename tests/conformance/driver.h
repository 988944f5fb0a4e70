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
#include "vmmio_dev.h"

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
