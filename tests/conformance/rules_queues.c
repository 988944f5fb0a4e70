/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtqueue rules of "MMIO Device Register Layout", "Virtqueue Reset" and
 * "Virtqueue Re-enable": QueueSize within QueueSizeMax, a ready queue's
 * registers left alone, QueueReady = 0 read back, QueueReset read back 0,
 * and a reset queue configured afresh before QueueReady = 1.
 */
#include <errno.h>

#include "driver.h"
#include "raw.h"

/* Setup callback: try queue 0 one entry too large (refused by the driver),
 * then at exactly QueueSizeMax. */
struct size_try {
	uint16_t max;
	int too_big_rc;
	int rc;
};

static int setup_size_limit(struct vmmio_dev *d, void *arg)
{
	struct size_try *s = arg;
	struct vmmio_queue_cfg cfg;
	int rc = vmmio_queue_max(d, 0, &s->max);

	if (rc)
		return rc;
	drv_queue_cfg(d, 0, (uint16_t)(s->max + 1), &cfg);
	s->too_big_rc = vmmio_queue_enable(d, 0, &cfg);
	drv_queue_cfg(d, 0, s->max, &cfg);
	s->rc = vmmio_queue_enable(d, 0, &cfg);
	return s->rc;
}

static void pos_queue_size_max(void)
{
	struct devsim_queue_state st;
	struct vmmio_features all;
	struct drv t;

	drv_all_features(&all);
	for (int legacy = 0; legacy <= 1; legacy++) {
		struct size_try s = { 0 };

		drv_config(&t, DEVSIM_NET, legacy);
		drv_start(&t);
		EXPECT_OK(&t.dev, vmmio_probe(&t.dev, &t.win, NULL));
		EXPECT_OK(&t.dev, vmmio_init(&t.dev, &all, setup_size_limit, &s));
		EXPECT_EQ(s.max, t.cfg.queue_num_max[0]);
		EXPECT_EQ(s.too_big_rc, -EINVAL);
		EXPECT_EQ(devsim_queue_state(t.sim, 0, &st), 0);
		EXPECT(st.ready);
		EXPECT_EQ(st.num, s.max);
		expect_clean(t.sim);
		drv_close(&t);
	}
}

static void neg_queue_size_max(void)
{
	uint32_t max;
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_negotiate(&r, NULL);
	raw_write(&r, VMMIO_REG_QUEUE_SEL, 0);
	EXPECT_EQ(raw_read(&r, VMMIO_REG_QUEUE_READY), 0);
	max = raw_read(&r, VMMIO_REG_QUEUE_NUM_MAX);
	EXPECT(max > 0);
	raw_expect_clean(&r);
	raw_write(&r, VMMIO_REG_QUEUE_NUM, max + 1);
	raw_expect_caught(&r, DEVSIM_RULE_QUEUE_SIZE_MAX);
	raw_close(&r);
}

/* A queue in use is refused (-EBUSY) without touching its registers; once
 * stopped it can be configured again with another size. */
static void pos_queue_ready_lock(void)
{
	struct drv_queues q = { 0 };
	struct devsim_queue_state st;
	struct vmmio_queue_cfg cfg;
	uint16_t max = 0;
	struct drv t;

	for (int legacy = 0; legacy <= 1; legacy++) {
		drv_config(&t, DEVSIM_NET, legacy);
		drv_start(&t);
		if (drv_live(&t, NULL, &q)) {
			drv_queue_cfg(&t.dev, 0, 16, &cfg);
			EXPECT_RC(&t.dev, vmmio_queue_enable(&t.dev, 0, &cfg), -EBUSY);
			EXPECT_RC(&t.dev, vmmio_queue_max(&t.dev, 0, &max), -EBUSY);
			EXPECT_EQ(devsim_queue_state(t.sim, 0, &st), 0);
			EXPECT_EQ(st.num, t.cfg.queue_num_max[0]);
			EXPECT_OK(&t.dev, vmmio_queue_disable(&t.dev, 0));
			EXPECT_OK(&t.dev, vmmio_queue_enable(&t.dev, 0, &cfg));
			EXPECT_EQ(devsim_queue_state(t.sim, 0, &st), 0);
			EXPECT(st.ready);
			EXPECT_EQ(st.num, 16);
		}
		expect_clean(t.sim);
		drv_close(&t);
	}
}

static void neg_queue_ready_lock(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_live(&r, NULL); /* leaves queue 0 selected and ready */
	raw_expect_clean(&r);
	raw_write(&r, VMMIO_REG_QUEUE_NUM, 32);
	raw_expect_caught(&r, DEVSIM_RULE_QUEUE_READY_LOCK);
	raw_close(&r);
}

/* From the log: each QueueReady = 0 write is followed directly by a
 * QueueReady read. Returns how many stops were seen. */
static unsigned expect_stops_read_back(const struct devsim *sim)
{
	size_t n = devsim_log_count(sim);
	unsigned stops = 0;

	for (size_t i = 0; i < n; i++) {
		const struct devsim_access *a = devsim_log_entry(sim, i), *next;

		if (a->kind != DEVSIM_WRITE || a->off != VMMIO_REG_QUEUE_READY || a->value)
			continue;
		stops++;
		next = i + 1 < n ? devsim_log_entry(sim, i + 1) : NULL;
		if (!next || next->kind != DEVSIM_READ || next->off != VMMIO_REG_QUEUE_READY)
			conf_failf(__FILE__, __LINE__,
				   "QueueReady = 0 (access #%zu) is not followed by a QueueReady read", i);
	}
	return stops;
}

/* A device that takes a few reads to stop the queue. */
static void pos_queue_stop_readback(void)
{
	struct drv_queues q = { 0 };
	struct drv t;

	drv_config(&t, DEVSIM_NET, false);
	t.cfg.queue_reset_delay_reads = 3;
	drv_start(&t);
	if (drv_live(&t, NULL, &q)) {
		EXPECT_OK(&t.dev, vmmio_queue_disable(&t.dev, 0));
		EXPECT_OK(&t.dev, vmmio_queue_disable(&t.dev, 2));
		expect_queue_ready(t.sim, 0, false);
		expect_queue_ready(t.sim, 1, true);
		expect_queue_ready(t.sim, 2, false);
		EXPECT_EQ(expect_stops_read_back(t.sim), 2);
	}
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_queue_stop_readback(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_live(&r, NULL);
	raw_expect_clean(&r);
	raw_write(&r, VMMIO_REG_QUEUE_READY, 0);
	raw_read(&r, VMMIO_REG_STATUS);
	raw_expect_caught(&r, DEVSIM_RULE_QUEUE_STOP_READBACK);
	raw_close(&r);
}

/* The least a modern driver accepts plus RING_RESET. */
static void min_with_ring_reset(const struct raw *r, struct vmmio_features *f)
{
	raw_min_features(r, f);
	vmmio_feat_set(f, VMMIO_F_RING_RESET);
}

/* A device whose queue reset takes a few reads; and without RING_RESET
 * negotiated the driver refuses without touching QueueReset. */
static void pos_queue_reset_complete(void)
{
	struct drv_queues q = { 0 };
	struct devsim_queue_state st;
	struct vmmio_features wanted;
	struct drv t;

	drv_config(&t, DEVSIM_NET, false);
	t.cfg.queue_reset_delay_reads = 3;
	drv_start(&t);
	if (drv_live(&t, NULL, &q)) {
		EXPECT(vmmio_feat_has(&t.dev.driver_features, VMMIO_F_RING_RESET));
		EXPECT_OK(&t.dev, vmmio_queue_reset(&t.dev, 0));
		EXPECT_EQ(devsim_queue_state(t.sim, 0, &st), 0);
		EXPECT(!st.resetting);
		EXPECT(!st.ready);
	}
	expect_clean(t.sim);
	drv_close(&t);

	drv_config(&t, DEVSIM_NET, false);
	drv_start(&t);
	drv_all_features(&wanted);
	vmmio_feat_clear(&wanted, VMMIO_F_RING_RESET);
	if (drv_live(&t, &wanted, &q)) {
		EXPECT_RC(&t.dev, vmmio_queue_reset(&t.dev, 0), -ENOTSUP);
		expect_queue_ready(t.sim, 0, true);
	}
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_queue_reset_complete(void)
{
	struct vmmio_features accept;
	struct raw r;

	raw_config(&r, DEVSIM_NET, false);
	r.cfg.queue_reset_delay_reads = 3;
	raw_start(&r);
	min_with_ring_reset(&r, &accept);
	raw_live(&r, &accept);
	raw_write(&r, VMMIO_REG_QUEUE_RESET, 1);
	EXPECT_EQ(raw_read(&r, VMMIO_REG_QUEUE_RESET), 1);
	raw_expect_clean(&r);
	/* Still resetting: configuring the queue now is too early. */
	raw_write(&r, VMMIO_REG_QUEUE_DESC_LOW, (uint32_t)raw_queue_addr(4));
	raw_expect_caught(&r, DEVSIM_RULE_QUEUE_RESET_COMPLETE);
	raw_close(&r);
}

/* Reset a queue and enable it again with other parameters. */
static void pos_queue_reenable(void)
{
	struct drv_queues q = { 0 };
	struct devsim_queue_state st;
	struct vmmio_queue_cfg cfg;
	struct drv t;

	drv_config(&t, DEVSIM_NET, false);
	drv_start(&t);
	if (drv_live(&t, NULL, &q)) {
		EXPECT_OK(&t.dev, vmmio_queue_reset(&t.dev, 1));
		drv_queue_cfg(&t.dev, 3, 32, &cfg); /* queue 3's addresses: different ones */
		EXPECT_OK(&t.dev, vmmio_queue_enable(&t.dev, 1, &cfg));
		EXPECT_EQ(devsim_queue_state(t.sim, 1, &st), 0);
		EXPECT(st.ready);
		EXPECT_EQ(st.num, 32);
		EXPECT_EQ(st.desc, cfg.desc);
		EXPECT_EQ(st.driver, cfg.driver);
		EXPECT_EQ(st.device, cfg.device);
	}
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_queue_reenable(void)
{
	struct vmmio_features accept;
	uint64_t desc = raw_queue_addr(4);
	unsigned polls = 0;
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	min_with_ring_reset(&r, &accept);
	raw_live(&r, &accept);
	raw_write(&r, VMMIO_REG_QUEUE_RESET, 1);
	while (raw_read(&r, VMMIO_REG_QUEUE_RESET) && ++polls < 64)
		;
	EXPECT(polls < 64);
	raw_write(&r, VMMIO_REG_QUEUE_NUM, 32);
	raw_write(&r, VMMIO_REG_QUEUE_DESC_LOW, (uint32_t)desc);
	raw_write(&r, VMMIO_REG_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	raw_expect_clean(&r);
	/* Driver and Device Area not written again. */
	raw_write(&r, VMMIO_REG_QUEUE_READY, 1);
	raw_expect_caught(&r, DEVSIM_RULE_QUEUE_REENABLE);
	raw_close(&r);
}

static const struct conformance_case cases[] = {
	{ DEVSIM_RULE_QUEUE_SIZE_MAX,
	  "QueueSizeMax + 1 is refused (-EINVAL) by the driver, QueueSizeMax is used (Version 2 and 1)",
	  pos_queue_size_max, "write QueueSizeMax + 1 to QueueSize", neg_queue_size_max },
	{ DEVSIM_RULE_QUEUE_READY_LOCK,
	  "enabling or sizing a queue in use is refused (-EBUSY); after a stop it takes a new size",
	  pos_queue_ready_lock, "write QueueSize of the ready queue", neg_queue_ready_lock },
	{ DEVSIM_RULE_QUEUE_STOP_READBACK,
	  "vmmio_queue_disable() on a device slow to stop: QueueReady = 0 then read back (per the log)",
	  pos_queue_stop_readback, "read Status right after writing 0 to QueueReady",
	  neg_queue_stop_readback },
	{ DEVSIM_RULE_QUEUE_RESET_COMPLETE,
	  "vmmio_queue_reset() on a device that takes 3 reads; refused (-ENOTSUP) without RING_RESET",
	  pos_queue_reset_complete, "write QueueDescLow while QueueReset still reads 1",
	  neg_queue_reset_complete },
	{ DEVSIM_RULE_QUEUE_REENABLE,
	  "a reset queue is enabled again with a new size and new addresses",
	  pos_queue_reenable, "after a queue reset, set QueueReady with only QueueSize and QueueDesc written",
	  neg_queue_reenable },
};

const struct conformance_table conformance_queue_cases = CONFORMANCE_TABLE(cases);
