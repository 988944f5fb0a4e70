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
#include "vmmio_mem.h"
#include "vmmio_regs.h"
#include "vmmio_ring.h"

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

/*
 * A virtqueue written by hand (Version 2 only), in heap DMA memory
 * (IOVA = VA), so a negative test can put exactly the descriptors it wants
 * in front of the device's ring checks.
 */
#define RAW_RING_DATA 65536u /* bytes of buffers and indirect tables */

struct raw_ring {
	uint16_t num;
	bool packed;
	struct vmmio_dma mem; /* the three areas */
	struct vmmio_dma data; /* what descriptors point to (raw_ring_data()) */
	uint64_t desc, driver, device; /* device addresses of the areas */
	/* split */
	struct vmmio_vring_desc *sdesc;
	struct vmmio_vring_avail *avail;
	struct vmmio_vring_used *used;
	uint16_t avail_idx; /* the available idx last stored */
	/* packed */
	struct vmmio_pdesc *pdesc;
	struct vmmio_pevent *driver_ev; /* Driver Area */
	struct vmmio_pevent *device_ev; /* Device Area */
	uint16_t next; /* position of the next descriptor to make available ... */
	bool wrap; /* ... and the Driver Ring Wrap Counter there (starts 1) */
};

/* Zeroed rings of @num entries in the split or packed layout. */
void raw_ring_alloc(struct raw_ring *g, uint16_t num, bool packed);
void raw_ring_free(struct raw_ring *g);
/* @off bytes into the data area: the driver's pointer, and in *@iova
 * (if not NULL) the device's address. */
void *raw_ring_data(const struct raw_ring *g, size_t off, uint64_t *iova);
/* Configure queue @q on @g's areas and set QueueReady (Version 2). */
void raw_queue_setup_ring(struct raw *r, uint16_t q, const struct raw_ring *g);
/* raw_negotiate(@accept), queue 0 on @g, DRIVER_OK. */
void raw_live_ring(struct raw *r, const struct vmmio_features *accept, const struct raw_ring *g);

/* Split: put @head in the next available ring entry and store the idx
 * after it ("Updating idx"). The descriptors must be written before. */
void raw_split_avail(struct raw_ring *g, uint16_t head);
/*
 * Packed: write @n descriptors from the next position (flags without the
 * AVAIL/USED bits, which are set from the wrap counter of each position),
 * the first one's flags last, and step past them. Returns the position of
 * the first.
 */
uint16_t raw_packed_avail(struct raw_ring *g, const struct vmmio_pdesc *d, unsigned n);
/* Write @val to QueueNotify. */
void raw_notify(struct raw *r, uint32_t val);
/* Device address of data block @k (256 bytes each) of @g. */
uint64_t raw_blk(const struct raw_ring *g, unsigned k);
/* A table of @n packed descriptors in @g's data at @off (data blocks 2..),
 * each readable but the last, with @flags added to entry @at; returns the
 * table's device address. */
uint64_t raw_packed_table(struct raw_ring *g, size_t off, unsigned n, unsigned at,
			  uint16_t flags);

/* The device (DEVSIM_BACKEND_MANUAL) takes the next buffer of queue 0,
 * which must have @n_seg segments (in a table when @indirect), and uses it
 * with @len. */
void raw_take_use(struct raw *r, unsigned n_seg, bool indirect, uint32_t len);
/* The device refuses the next buffer of queue 0 (-EPROTO: a ring rule). */
void raw_take_refused(struct raw *r);
/* A correct buffer, readable then writable, made available, notified
 * (value 0), taken and used: split in descriptors 0 and 1 ... */
void raw_split_good(struct raw *r, struct raw_ring *g);
/* ... packed as buffer id 0 in the next two descriptors. */
void raw_packed_good(struct raw *r, struct raw_ring *g);

/* No violation so far (the steps before the break were correct). */
void raw_expect_clean(struct raw *r);
/* The checker recorded @rule, with a detail saying what it saw. */
void raw_expect_caught(struct raw *r, enum devsim_rule rule);
/* The checker did not record @rule (the break was only the intended one). */
void raw_expect_not_caught(struct raw *r, enum devsim_rule rule);
/* The checker recorded @rule, with a detail, and nothing else. */
void raw_expect_only(struct raw *r, enum devsim_rule rule);

#endif /* VMMIO_CONFORMANCE_RAW_H */
