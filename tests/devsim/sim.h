/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared set-up of the devsim tests: a model driven through its register
 * window with raw 32-bit accesses, as a driver would, independent of
 * lib/transport.
 */
#ifndef VMMIO_TEST_DEVSIM_SIM_H
#define VMMIO_TEST_DEVSIM_SIM_H

#include <stdlib.h>
#include <string.h>

#include "devsim.h"
#include "tap.h"
#include "vmmio_regs.h"

struct sim {
	struct devsim_config cfg;
	struct devsim *s;
	struct vmmio_regwin w;
};

/* A default device of @p in sim->cfg, to edit before sim_start(). */
static inline void sim_config(struct sim *sim, enum devsim_personality p, bool legacy)
{
	memset(sim, 0, sizeof(*sim));
	devsim_config_default(&sim->cfg, p, legacy);
}

static inline void sim_start(struct sim *sim)
{
	sim->s = devsim_create(&sim->cfg);
	if (!sim->s) {
		printf("# devsim_create failed\n");
		abort();
	}
	sim->w = devsim_regwin(sim->s);
}

static inline void sim_open(struct sim *sim, enum devsim_personality p, bool legacy)
{
	sim_config(sim, p, legacy);
	sim_start(sim);
}

static inline void sim_close(struct sim *sim)
{
	devsim_destroy(sim->s);
	sim->s = NULL;
}

static inline uint32_t rd(struct sim *sim, uint32_t off)
{
	return sim->w.ops->read(sim->w.ctx, off, 4);
}

static inline void wr(struct sim *sim, uint32_t off, uint32_t val)
{
	sim->w.ops->write(sim->w.ctx, off, 4, val);
}

static inline uint32_t cfg_rd(struct sim *sim, uint32_t off, unsigned size)
{
	return sim->w.ops->read(sim->w.ctx, VMMIO_REG_CONFIG + off, size);
}

static inline void cfg_wr(struct sim *sim, uint32_t off, unsigned size, uint32_t val)
{
	sim->w.ops->write(sim->w.ctx, VMMIO_REG_CONFIG + off, size, val);
}

static inline int wait_irq(struct sim *sim, int timeout_ms)
{
	return sim->w.ops->wait_irq(sim->w.ctx, timeout_ms);
}

/* The probe a driver starts with: MagicValue, Version, DeviceID, VendorID. */
static inline void sim_probe(struct sim *sim)
{
	CHECK_EQ(rd(sim, VMMIO_REG_MAGIC_VALUE), VMMIO_MAGIC_VALUE);
	CHECK_EQ(rd(sim, VMMIO_REG_VERSION), sim->cfg.version);
	CHECK_EQ(rd(sim, VMMIO_REG_DEVICE_ID), sim->cfg.device_id);
	CHECK_EQ(rd(sim, VMMIO_REG_VENDOR_ID), sim->cfg.vendor_id);
}

/* Reset and wait until Status reads 0; returns the reads it took. */
static inline unsigned sim_reset(struct sim *sim)
{
	unsigned reads = 0;

	wr(sim, VMMIO_REG_STATUS, 0);
	while (reads < 100) {
		reads++;
		if (rd(sim, VMMIO_REG_STATUS) == 0)
			break;
	}
	return reads;
}

/* Write feature word @word through DriverFeaturesSel/DriverFeatures. */
static inline void sim_accept_word(struct sim *sim, uint32_t word, uint32_t bits)
{
	wr(sim, VMMIO_REG_DRIVER_FEATURES_SEL, word);
	wr(sim, VMMIO_REG_DRIVER_FEATURES, bits);
}

/* Read offered word @word through DeviceFeaturesSel/DeviceFeatures. */
static inline uint32_t sim_offered_word(struct sim *sim, uint32_t word)
{
	wr(sim, VMMIO_REG_DEVICE_FEATURES_SEL, word);
	return rd(sim, VMMIO_REG_DEVICE_FEATURES);
}

/* Probe, reset, ACKNOWLEDGE|DRIVER, read all offered words and accept
 * @accept (each word written); Version 2 also sets FEATURES_OK and returns
 * the Status read back. */
static inline uint32_t sim_negotiate(struct sim *sim, const struct vmmio_features *accept)
{
	unsigned words = sim->cfg.version == VMMIO_VERSION_LEGACY ? 1 : VMMIO_FEATURE_WORDS;
	uint32_t st = VMMIO_STATUS_ACKNOWLEDGE | VMMIO_STATUS_DRIVER;

	sim_probe(sim);
	sim_reset(sim);
	wr(sim, VMMIO_REG_STATUS, VMMIO_STATUS_ACKNOWLEDGE);
	wr(sim, VMMIO_REG_STATUS, st);
	for (unsigned i = 0; i < words; i++)
		sim_offered_word(sim, i);
	for (unsigned i = 0; i < words; i++)
		sim_accept_word(sim, i, accept->w[i]);
	if (sim->cfg.version == VMMIO_VERSION_LEGACY)
		return rd(sim, VMMIO_REG_STATUS);
	wr(sim, VMMIO_REG_STATUS, st | VMMIO_STATUS_FEATURES_OK);
	return rd(sim, VMMIO_REG_STATUS);
}

/* Set up queue @q with @num entries the way the spec's "Virtqueue
 * Configuration" lists (Version 2) or its legacy counterpart (Version 1:
 * GuestPageSize must have been written). */
static inline void sim_setup_queue(struct sim *sim, uint32_t q, uint32_t num)
{
	uint64_t base = 0x100000ull * (q + 1);

	wr(sim, VMMIO_REG_QUEUE_SEL, q);
	if (sim->cfg.version == VMMIO_VERSION_LEGACY) {
		CHECK_EQ(rd(sim, VMMIO_REG_LEGACY_QUEUE_PFN), 0);
		CHECK(rd(sim, VMMIO_REG_QUEUE_NUM_MAX) >= num);
		wr(sim, VMMIO_REG_QUEUE_NUM, num);
		wr(sim, VMMIO_REG_LEGACY_QUEUE_ALIGN, 4096);
		wr(sim, VMMIO_REG_LEGACY_QUEUE_PFN, (uint32_t)(base >> 12));
		return;
	}
	CHECK_EQ(rd(sim, VMMIO_REG_QUEUE_READY), 0);
	CHECK(rd(sim, VMMIO_REG_QUEUE_NUM_MAX) >= num);
	wr(sim, VMMIO_REG_QUEUE_NUM, num);
	wr(sim, VMMIO_REG_QUEUE_DESC_LOW, (uint32_t)base);
	wr(sim, VMMIO_REG_QUEUE_DESC_HIGH, (uint32_t)(base >> 32));
	wr(sim, VMMIO_REG_QUEUE_DRIVER_LOW, (uint32_t)base + 0x4000);
	wr(sim, VMMIO_REG_QUEUE_DRIVER_HIGH, (uint32_t)(base >> 32));
	wr(sim, VMMIO_REG_QUEUE_DEVICE_LOW, (uint32_t)base + 0x8000);
	wr(sim, VMMIO_REG_QUEUE_DEVICE_HIGH, (uint32_t)(base >> 32));
	wr(sim, VMMIO_REG_QUEUE_READY, 1);
}

/* Negotiate the whole offered set, set up every queue and set DRIVER_OK. */
static inline void sim_bring_up(struct sim *sim)
{
	struct vmmio_features all = sim->cfg.features;
	uint32_t st = VMMIO_STATUS_ACKNOWLEDGE | VMMIO_STATUS_DRIVER | VMMIO_STATUS_DRIVER_OK;

	if (sim->cfg.version == VMMIO_VERSION_LEGACY) {
		sim_negotiate(sim, &all);
		wr(sim, VMMIO_REG_LEGACY_GUEST_PAGE_SIZE, 4096);
	} else {
		CHECK(sim_negotiate(sim, &all) & VMMIO_STATUS_FEATURES_OK);
		st |= VMMIO_STATUS_FEATURES_OK;
	}
	for (uint32_t q = 0; q < sim->cfg.num_queues; q++)
		sim_setup_queue(sim, q, sim->cfg.queue_num_max[q]);
	wr(sim, VMMIO_REG_STATUS, st);
	CHECK_EQ(rd(sim, VMMIO_REG_STATUS), st);
}

/* Print the checker's findings and check there are none. */
static inline void sim_check_clean(struct sim *sim)
{
	size_t n = devsim_violation_count(sim->s);

	CHECK_EQ(n, 0);
	for (size_t i = 0; i < n; i++) {
		const struct devsim_violation *v = devsim_violation(sim->s, i);

		printf("# violation %s at #%llu: %s\n", devsim_rule_info(v->rule)->id,
		       (unsigned long long)v->seq, v->detail);
	}
}

/* The first violation of @rule, or NULL. */
static inline const struct devsim_violation *sim_find(struct sim *sim, enum devsim_rule rule)
{
	for (size_t i = 0; i < devsim_violation_count(sim->s); i++)
		if (devsim_violation(sim->s, i)->rule == rule)
			return devsim_violation(sim->s, i);
	return NULL;
}

#endif /* VMMIO_TEST_DEVSIM_SIM_H */
