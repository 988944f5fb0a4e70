/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Negative tests: the registers driven by hand, through devsim's register
 * window, so a test can follow the spec's sequence up to a point and then
 * break exactly one rule. Each step here is correct on its own; the break
 * is written out in the test.
 */
#ifndef VMMIO_CONFORMANCE_RAW_H
#define VMMIO_CONFORMANCE_RAW_H

#include <stdbool.h>
#include <stdint.h>

#include "conformance.h"
#include "devsim.h"
#include "vmmio_features.h"
#include "vmmio_regs.h"

struct raw {
	struct devsim_config cfg; /* edit between raw_config() and raw_start() */
	struct devsim *sim;
	struct vmmio_regwin win;
	uint8_t status; /* the status bits written since the last reset */
	struct vmmio_features offered; /* read by raw_read_features() */
};

/* A default device of @p in r->cfg; nothing is created yet. */
void raw_config(struct raw *r, enum devsim_personality p, bool legacy);
void raw_start(struct raw *r);
/* raw_config() and raw_start(): a default device, created. */
void raw_open(struct raw *r, enum devsim_personality p, bool legacy);
void raw_close(struct raw *r);

/* One 32-bit register access. */
uint32_t raw_read(struct raw *r, uint32_t off);
void raw_write(struct raw *r, uint32_t off, uint32_t val);
/* The interrupt wait of the window: 1 interrupt, 0 timeout. */
int raw_wait_irq(struct raw *r, int timeout_ms);

/* The device raises @bits; wait for the interrupt and read InterruptStatus
 * (expecting exactly @bits), as a driver does before it acknowledges. */
void raw_take_irq(struct raw *r, uint32_t bits);
/* Read MagicValue, Version and DeviceID (checking each), then VendorID. */
void raw_probe(struct raw *r);
/* Write 0 to Status and read it until it is 0. */
void raw_reset(struct raw *r);
/* Add @bits to the status written so far and write it. */
void raw_status(struct raw *r, uint8_t bits);
/* Set ACKNOWLEDGE, then DRIVER. */
void raw_ack_driver(struct raw *r);
/* Read every DeviceFeatures word into r->offered (each after its Sel). */
void raw_read_features(struct raw *r);
/* Write @f through DriverFeaturesSel/DriverFeatures (word 0 only on Version 1). */
void raw_write_features(struct raw *r, const struct vmmio_features *f);
/* Set FEATURES_OK and read Status back: true when the device kept it. */
bool raw_features_ok(struct raw *r);
/* The least a driver may accept: VERSION_1 on Version 2, nothing on Version 1. */
void raw_min_features(const struct raw *r, struct vmmio_features *f);

/* Probe, reset, ACKNOWLEDGE, DRIVER: the start of every init sequence. */
void raw_to_driver(struct raw *r);
/* raw_to_driver(), read the features and write @accept
 * (NULL: raw_min_features()); on Version 2 also FEATURES_OK and its read-back. */
void raw_negotiate(struct raw *r, const struct vmmio_features *accept);
/* Version 1: write GuestPageSize (a page of VMMIO_LEGACY_PAGE_SIZE). */
void raw_guest_page_size(struct raw *r);
/* Configure queue @q with @num entries and enable it (Version 2: QueueReady;
 * Version 1: QueueAlign and QueuePFN, after raw_guest_page_size()). */
void raw_queue_setup(struct raw *r, uint16_t q, uint16_t num);
/* The address queue @q uses (page aligned: its QueuePFN times the page). */
uint64_t raw_queue_addr(uint16_t q);
/* raw_negotiate(@accept), queue 0 set up, DRIVER_OK: a live device. */
void raw_live(struct raw *r, const struct vmmio_features *accept);

/* No violation so far (the steps before the break were correct). */
void raw_expect_clean(struct raw *r);
/* The checker recorded @rule, with a detail saying what it saw. */
void raw_expect_caught(struct raw *r, enum devsim_rule rule);
/* The checker did not record @rule (the break was only the intended one). */
void raw_expect_not_caught(struct raw *r, enum devsim_rule rule);

#endif /* VMMIO_CONFORMANCE_RAW_H */
