/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A whole life of a device on each variant, with every rule checked at
 * once: probe, initialisation, configuration, notifications both ways,
 * queue stop/restart (and reset where negotiated), DEVICE_NEEDS_RESET
 * recovery, and a final reset.
 */
#include "driver.h"
#include "vmmio_net.h"

/* blk "Device configuration layout": the 64-bit capacity in sectors. */
#define BLK_CFG_CAPACITY 0x00

static void read_config(struct drv *t)
{
	if (t->cfg.personality == DEVSIM_BLK) {
		uint64_t capacity = 0;

		EXPECT_OK(&t->dev, vmmio_cfg_read(&t->dev, BLK_CFG_CAPACITY, 8, &capacity));
		EXPECT_EQ(capacity, 2048);
	} else {
		struct vmmio_net_config nc;

		EXPECT_OK(&t->dev, vmmio_net_config_read(&t->dev, &nc));
		EXPECT(nc.has_mac);
		EXPECT_EQ(nc.mac[0], t->cfg.config[VMMIO_NET_CFG_MAC]);
	}
}

/* Restart the last queue: stopped and enabled again, or reset and
 * re-enabled with another size when RING_RESET was negotiated. */
static void restart_queue(struct drv *t, uint16_t idx)
{
	struct vmmio_queue_cfg cfg;

	if (vmmio_feat_has(&t->dev.driver_features, VMMIO_F_RING_RESET))
		EXPECT_OK(&t->dev, vmmio_queue_reset(&t->dev, idx));
	else
		EXPECT_OK(&t->dev, vmmio_queue_disable(&t->dev, idx));
	expect_queue_ready(t->sim, idx, false);
	drv_queue_cfg(&t->dev, idx, 16, &cfg);
	EXPECT_OK(&t->dev, vmmio_queue_enable(&t->dev, idx, &cfg));
	expect_queue_ready(t->sim, idx, true);
}

static void lifecycle(enum devsim_personality p, bool legacy)
{
	struct drv_queues q = { 0 };
	struct devsim_queue_state st;
	uint8_t live = legacy ? DRV_LIVE_LEGACY : DRV_LIVE_MODERN;
	struct drv t;

	drv_config(&t, p, legacy);
	drv_start(&t);
	if (drv_live(&t, NULL, &q)) {
		expect_status(t.sim, live);
		read_config(&t);
		for (uint16_t i = 0; i < q.enabled; i++) {
			EXPECT_OK(&t.dev, vmmio_notify(&t.dev, i));
			EXPECT_EQ(devsim_queue_state(t.sim, i, &st), 0);
			EXPECT_EQ(st.notifies, 1);
		}
		devsim_raise_irq(t.sim, VMMIO_ISR_USED_BUFFER);
		EXPECT_EQ(vmmio_irq_wait(&t.dev, 100), 1);
		EXPECT_EQ(vmmio_irq_handle(&t.dev), VMMIO_EV_USED);
		restart_queue(&t, (uint16_t)(q.enabled - 1));
		devsim_set_needs_reset(t.sim);
		EXPECT_EQ(vmmio_irq_wait(&t.dev, 100), 1);
		EXPECT(vmmio_irq_handle(&t.dev) & VMMIO_EV_NEEDS_RESET);
		EXPECT_OK(&t.dev, vmmio_recover(&t.dev, drv_setup_queues, &q));
		expect_status(t.sim, live);
		read_config(&t);
		EXPECT_OK(&t.dev, vmmio_reset(&t.dev));
		expect_status(t.sim, 0);
	}
	expect_clean(t.sim);
	drv_close(&t);
}

void lifecycle_net_modern(void)
{
	lifecycle(DEVSIM_NET, false);
}

void lifecycle_net_legacy(void)
{
	lifecycle(DEVSIM_NET, true);
}

void lifecycle_blk_modern(void)
{
	lifecycle(DEVSIM_BLK, false);
}
