/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Version 1 devices ("Legacy interface", "Legacy Interface: Device
 * Initialization"): GuestPageSize before the queues, QueueAlign per queue,
 * QueueSizeMax only for an unused queue, and no FEATURES_OK step.
 */
#include <errno.h>

#include "driver.h"
#include "raw.h"

/* Each queue's QueuePFN and QueueAlign describe the area the driver chose. */
static void expect_legacy_queues(struct drv *t, unsigned n)
{
	struct devsim_queue_state st;
	struct vmmio_queue_cfg cfg;

	EXPECT(n > 0);
	for (uint16_t i = 0; i < n; i++) {
		EXPECT_EQ(devsim_queue_state(t->sim, i, &st), 0);
		drv_queue_cfg(&t->dev, i, st.num, &cfg);
		EXPECT(st.ready);
		EXPECT_EQ(st.align, VMMIO_LEGACY_ALIGN);
		EXPECT_EQ((uint64_t)st.pfn * VMMIO_LEGACY_PAGE_SIZE, cfg.desc);
	}
}

/* Initialise, then re-initialise by vmmio_recover(): GuestPageSize is
 * written again after that reset. */
static void pos_legacy_page_size(void)
{
	struct drv_queues q = { 0 };
	struct drv t;

	drv_config(&t, DEVSIM_NET, true);
	drv_start(&t);
	if (drv_live(&t, NULL, &q)) {
		EXPECT_EQ(devsim_guest_page_size(t.sim), VMMIO_LEGACY_PAGE_SIZE);
		EXPECT_OK(&t.dev, vmmio_recover(&t.dev, drv_setup_queues, &q));
		EXPECT_EQ(devsim_guest_page_size(t.sim), VMMIO_LEGACY_PAGE_SIZE);
		expect_legacy_queues(&t, q.enabled);
		expect_status(t.sim, DRV_LIVE_LEGACY);
	}
	expect_clean(t.sim);
	drv_close(&t);
}

/* Version 1 negotiation, GuestPageSize if @page_size, then queue 0
 * selected, checked unused and sized. */
static void legacy_queue_start(struct raw *r, bool page_size)
{
	raw_negotiate(r, NULL);
	if (page_size)
		raw_guest_page_size(r);
	raw_write(r, VMMIO_REG_QUEUE_SEL, 0);
	EXPECT_EQ(raw_read(r, VMMIO_REG_LEGACY_QUEUE_PFN), 0);
	EXPECT(raw_read(r, VMMIO_REG_QUEUE_NUM_MAX) >= 64);
	raw_write(r, VMMIO_REG_QUEUE_NUM, 64);
}

static void neg_legacy_page_size(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, true);
	legacy_queue_start(&r, false);
	raw_write(&r, VMMIO_REG_LEGACY_QUEUE_ALIGN, VMMIO_LEGACY_ALIGN);
	raw_expect_clean(&r);
	raw_write(&r, VMMIO_REG_LEGACY_QUEUE_PFN,
		  (uint32_t)(raw_queue_addr(0) / VMMIO_LEGACY_PAGE_SIZE));
	raw_expect_caught(&r, DEVSIM_RULE_LEGACY_PAGE_SIZE);
	raw_expect_not_caught(&r, DEVSIM_RULE_LEGACY_QUEUE_ALIGN);
	raw_close(&r);
}

static void pos_legacy_queue_align(void)
{
	struct drv_queues q = { 0 };
	struct drv t;

	drv_config(&t, DEVSIM_NET, true);
	drv_start(&t);
	if (drv_live(&t, NULL, &q))
		expect_legacy_queues(&t, q.enabled);
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_legacy_queue_align(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, true);
	legacy_queue_start(&r, true);
	raw_expect_clean(&r);
	raw_write(&r, VMMIO_REG_LEGACY_QUEUE_PFN,
		  (uint32_t)(raw_queue_addr(0) / VMMIO_LEGACY_PAGE_SIZE));
	raw_expect_caught(&r, DEVSIM_RULE_LEGACY_QUEUE_ALIGN);
	raw_expect_not_caught(&r, DEVSIM_RULE_LEGACY_PAGE_SIZE);
	raw_close(&r);
}

/* A queue in use is refused (-EBUSY) before QueueSizeMax is read; once
 * stopped (QueuePFN = 0) its maximum can be read again. */
static void pos_legacy_queue_num_max(void)
{
	struct drv_queues q = { 0 };
	uint16_t max = 0;
	struct drv t;

	drv_config(&t, DEVSIM_NET, true);
	drv_start(&t);
	if (drv_live(&t, NULL, &q)) {
		EXPECT_RC(&t.dev, vmmio_queue_max(&t.dev, 0, &max), -EBUSY);
		EXPECT_OK(&t.dev, vmmio_queue_disable(&t.dev, 0));
		expect_queue_ready(t.sim, 0, false);
		EXPECT_OK(&t.dev, vmmio_queue_max(&t.dev, 0, &max));
		EXPECT_EQ(max, t.cfg.queue_num_max[0]);
	}
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_legacy_queue_num_max(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, true);
	raw_live(&r, NULL); /* leaves queue 0 selected, QueuePFN set */
	raw_expect_clean(&r);
	raw_read(&r, VMMIO_REG_QUEUE_NUM_MAX);
	raw_expect_caught(&r, DEVSIM_RULE_LEGACY_QUEUE_NUM_MAX);
	raw_close(&r);
}

/* No Status write of a Version 1 lifecycle carries FEATURES_OK. */
static void pos_legacy_no_features_ok(void)
{
	struct drv_queues q = { 0 };
	unsigned status_writes = 0;
	struct drv t;

	drv_config(&t, DEVSIM_NET, true);
	drv_start(&t);
	if (drv_live(&t, NULL, &q)) {
		expect_status(t.sim, DRV_LIVE_LEGACY);
		for (size_t i = 0; i < devsim_log_count(t.sim); i++) {
			const struct devsim_access *a = devsim_log_entry(t.sim, i);

			if (a->kind != DEVSIM_WRITE || a->off != VMMIO_REG_STATUS)
				continue;
			status_writes++;
			EXPECT(!(a->value & VMMIO_STATUS_FEATURES_OK));
		}
		EXPECT(status_writes > 0);
	}
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_legacy_no_features_ok(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, true);
	raw_negotiate(&r, NULL);
	raw_expect_clean(&r);
	raw_status(&r, VMMIO_STATUS_FEATURES_OK);
	raw_expect_caught(&r, DEVSIM_RULE_LEGACY_NO_FEATURES_OK);
	raw_close(&r);
}

static const struct conformance_case cases[] = {
	{ DEVSIM_RULE_LEGACY_PAGE_SIZE,
	  "GuestPageSize is 4096 after initialisation and again after a recovery",
	  pos_legacy_page_size, "write QueuePFN with no GuestPageSize since the reset",
	  neg_legacy_page_size },
	{ DEVSIM_RULE_LEGACY_QUEUE_ALIGN,
	  "each queue's QueueAlign is 4096 and QueuePFN its descriptor page",
	  pos_legacy_queue_align, "write QueuePFN with no QueueAlign for that queue",
	  neg_legacy_queue_align },
	{ DEVSIM_RULE_LEGACY_QUEUE_NUM_MAX,
	  "vmmio_queue_max() on a queue in use is refused (-EBUSY); after a stop it reads the maximum",
	  pos_legacy_queue_num_max, "read QueueSizeMax of the queue in use",
	  neg_legacy_queue_num_max },
	{ DEVSIM_RULE_LEGACY_NO_FEATURES_OK,
	  "a Version 1 device goes live with no Status write carrying FEATURES_OK",
	  pos_legacy_no_features_ok, "set FEATURES_OK on a Version 1 device",
	  neg_legacy_no_features_ok },
};

const struct conformance_table conformance_legacy_cases = CONFORMANCE_TABLE(cases);
