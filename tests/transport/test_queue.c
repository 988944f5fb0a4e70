/* SPDX-License-Identifier: BSD-3-Clause */
/* Queue setup (modern and legacy), stop, QueueReset, notifications. */
#include <errno.h>
#include <stdint.h>

#include "fixture.h"

#define RING_BASE 0x40000000ull

static struct vmmio_queue_cfg modern_cfg(uint16_t num)
{
	struct vmmio_queue_cfg c = {
		.num = num,
		.desc = RING_BASE,
		.driver = RING_BASE + 0x10000,
		.device = RING_BASE + 0x20000,
	};
	return c;
}

static struct vmmio_queue_cfg legacy_cfg(uint16_t num)
{
	struct vmmio_legacy_layout l;
	struct vmmio_queue_cfg c = { .num = num, .desc = RING_BASE };

	vmmio_legacy_layout(num, VMMIO_LEGACY_ALIGN, &l);
	c.driver = RING_BASE + l.avail_off;
	c.device = RING_BASE + l.used_off;
	return c;
}

static void negotiate(struct fixture *fx)
{
	struct vmmio_features all = fx_all_features();

	CHECK_EQ(vmmio_probe(&fx->dev, &fx->win, NULL), 0);
	CHECK_EQ(vmmio_begin(&fx->dev), 0);
	CHECK_EQ(vmmio_negotiate(&fx->dev, &all), 0);
}

static void t_modern_enable_disable(void)
{
	struct fixture fx;
	struct devsim_queue_state q;
	struct vmmio_queue_cfg c = modern_cfg(256);
	uint16_t max;

	fx_open(&fx, DEVSIM_NET, false, NULL);
	negotiate(&fx);
	CHECK_EQ(vmmio_queue_max(&fx.dev, 1, &max), 0);
	CHECK_EQ(max, fx.cfg.queue_num_max[1]);
	CHECK_EQ(vmmio_queue_enable(&fx.dev, 1, &c), 0);
	CHECK_EQ(devsim_queue_state(fx.sim, 1, &q), 0);
	CHECK(q.ready);
	CHECK_EQ(q.num, 256);
	CHECK_EQ(q.desc, c.desc);
	CHECK_EQ(q.driver, c.driver);
	CHECK_EQ(q.device, c.device);
	/* In use: a second enable is refused without touching its registers. */
	CHECK_EQ(vmmio_queue_enable(&fx.dev, 1, &c), -EBUSY);
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "queue 1 is already in use");
	CHECK_EQ(vmmio_driver_ok(&fx.dev), 0);
	CHECK_EQ(vmmio_queue_disable(&fx.dev, 1), 0);
	CHECK_EQ(devsim_queue_state(fx.sim, 1, &q), 0);
	CHECK(!q.ready);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_modern_address_high_halves(void)
{
	struct fixture fx;
	struct devsim_queue_state q;
	struct vmmio_queue_cfg c = modern_cfg(8);

	c.desc = 0x123456789abcd000ull;
	c.driver = 0xfedcba9876543000ull;
	c.device = 0x0000000100000000ull;
	fx_open(&fx, DEVSIM_NET, false, NULL);
	negotiate(&fx);
	CHECK_EQ(vmmio_queue_enable(&fx.dev, 0, &c), 0);
	CHECK_EQ(devsim_queue_state(fx.sim, 0, &q), 0);
	CHECK_EQ(q.desc, c.desc);
	CHECK_EQ(q.driver, c.driver);
	CHECK_EQ(q.device, c.device);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_size_above_max_refused(void)
{
	struct fixture fx;
	struct vmmio_queue_cfg c = modern_cfg(512);

	fx_open(&fx, DEVSIM_NET, false, NULL);
	negotiate(&fx);
	CHECK_EQ(vmmio_queue_enable(&fx.dev, 0, &c), -EINVAL);
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "QueueSize 512 is not within 1..QueueSizeMax 256");
	c.num = 0;
	CHECK_EQ(vmmio_queue_enable(&fx.dev, 0, &c), -EINVAL);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_absent_queue(void)
{
	struct fixture fx;
	struct vmmio_queue_cfg c = modern_cfg(8);
	uint16_t max = 99;

	fx_open(&fx, DEVSIM_NET, false, NULL);
	negotiate(&fx);
	CHECK_EQ(vmmio_queue_max(&fx.dev, fx.cfg.num_queues, &max), 0);
	CHECK_EQ(max, 0);
	CHECK_EQ(vmmio_queue_enable(&fx.dev, fx.cfg.num_queues, &c), -ENOENT);
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "does not exist");
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_discovery_needs_features_ok(void)
{
	struct fixture fx;
	uint16_t max;

	fx_open(&fx, DEVSIM_NET, false, NULL);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_begin(&fx.dev), 0);
	CHECK_EQ(vmmio_queue_max(&fx.dev, 0, &max), -EPERM);
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "before feature negotiation");
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void slow_stop(struct devsim_config *c) { c->queue_reset_delay_reads = 4; }

static void t_stop_reads_back(void)
{
	struct fixture fx;
	struct vmmio_queue_cfg c = modern_cfg(64);

	fx_open(&fx, DEVSIM_NET, false, slow_stop);
	negotiate(&fx);
	CHECK_EQ(vmmio_queue_enable(&fx.dev, 0, &c), 0);
	devsim_log_clear(fx.sim);
	CHECK_EQ(vmmio_queue_disable(&fx.dev, 0), 0);
	/* QueueSel, QueueReady = 0, then reads until 0: four 1s and a 0. */
	unsigned reads = 0;
	for (size_t i = 0; i < devsim_log_count(fx.sim); i++) {
		const struct devsim_access *a = devsim_log_entry(fx.sim, i);

		if (a->kind == DEVSIM_READ && a->off == VMMIO_REG_QUEUE_READY)
			reads++;
	}
	CHECK_EQ(reads, 5);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_legacy_queue_setup(void)
{
	struct fixture fx;
	struct devsim_queue_state q;
	struct vmmio_queue_cfg c = legacy_cfg(128);

	fx_open(&fx, DEVSIM_NET, true, NULL);
	negotiate(&fx);
	CHECK_EQ(devsim_guest_page_size(fx.sim), 4096);
	CHECK_EQ(vmmio_queue_enable(&fx.dev, 0, &c), 0);
	CHECK_EQ(devsim_queue_state(fx.sim, 0, &q), 0);
	CHECK(q.ready);
	CHECK_EQ(q.num, 128);
	CHECK_EQ(q.pfn, RING_BASE / 4096);
	CHECK_EQ(q.align, VMMIO_LEGACY_ALIGN);
	CHECK_EQ(vmmio_driver_ok(&fx.dev), 0);
	CHECK_EQ(vmmio_queue_disable(&fx.dev, 0), 0);
	CHECK_EQ(devsim_queue_state(fx.sim, 0, &q), 0);
	CHECK(!q.ready);
	CHECK_EQ(q.pfn, 0);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_legacy_layout_formula(void)
{
	struct vmmio_legacy_layout l;

	/* The spec's virtq_size(): ALIGN(16*qsz + 2*(3+qsz)) + ALIGN(2*3 + 8*qsz),
	 * whose second term is the used ring rounded up. */
	vmmio_legacy_layout(256, 4096, &l);
	CHECK_EQ(l.avail_off, 4096);
	CHECK_EQ(l.used_off, 8192); /* 4096 + 518 rounded up */
	CHECK_EQ(l.size, 8192 + 6 + 8 * 256);
	vmmio_legacy_layout(1, 4096, &l);
	CHECK_EQ(l.avail_off, 16);
	CHECK_EQ(l.used_off, 4096);
}

static void t_legacy_bad_layout_refused(void)
{
	struct fixture fx;
	struct vmmio_queue_cfg c = legacy_cfg(128);

	fx_open(&fx, DEVSIM_NET, true, NULL);
	negotiate(&fx);
	c.device += 8;
	CHECK_EQ(vmmio_queue_enable(&fx.dev, 0, &c), -EINVAL);
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "legacy layout");
	c = legacy_cfg(100);
	CHECK_EQ(vmmio_queue_enable(&fx.dev, 0, &c), -EINVAL);
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "power of 2");
	c = legacy_cfg(128);
	c.desc += 64;
	c.driver += 64;
	c.device += 64;
	CHECK_EQ(vmmio_queue_enable(&fx.dev, 0, &c), -EINVAL);
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "page");
	struct devsim_queue_state q;
	CHECK_EQ(devsim_queue_state(fx.sim, 0, &q), 0);
	CHECK(!q.ready);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_queue_reset(void)
{
	struct fixture fx;
	struct devsim_queue_state q;
	struct vmmio_queue_cfg c = modern_cfg(256);

	fx_open(&fx, DEVSIM_NET, false, slow_stop);
	negotiate(&fx);
	CHECK(vmmio_feat_has(&fx.dev.driver_features, VMMIO_F_RING_RESET));
	CHECK_EQ(vmmio_queue_enable(&fx.dev, 0, &c), 0);
	CHECK_EQ(vmmio_driver_ok(&fx.dev), 0);
	CHECK_EQ(vmmio_queue_reset(&fx.dev, 0), 0);
	CHECK_EQ(devsim_queue_state(fx.sim, 0, &q), 0);
	CHECK(!q.ready);
	CHECK(!q.resetting);
	/* Re-enable with other parameters. */
	c = modern_cfg(64);
	c.desc += 0x1000;
	CHECK_EQ(vmmio_queue_enable(&fx.dev, 0, &c), 0);
	CHECK_EQ(devsim_queue_state(fx.sim, 0, &q), 0);
	CHECK(q.ready);
	CHECK_EQ(q.num, 64);
	CHECK_EQ(q.desc, c.desc);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void no_ring_reset(struct devsim_config *c)
{
	vmmio_feat_clear(&c->features, VMMIO_F_RING_RESET);
}

static void t_queue_reset_needs_feature(void)
{
	struct fixture fx;

	fx_open(&fx, DEVSIM_NET, false, no_ring_reset);
	negotiate(&fx);
	devsim_log_clear(fx.sim);
	CHECK_EQ(vmmio_queue_reset(&fx.dev, 0), -ENOTSUP);
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "VIRTIO_F_RING_RESET");
	CHECK_EQ(devsim_log_count(fx.sim), 0);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_notify_after_driver_ok_only(void)
{
	struct fixture fx;
	struct devsim_queue_state q;
	struct vmmio_queue_cfg c = modern_cfg(256);

	fx_open(&fx, DEVSIM_NET, false, NULL);
	negotiate(&fx);
	CHECK_EQ(vmmio_queue_enable(&fx.dev, 1, &c), 0);
	CHECK_EQ(vmmio_notify(&fx.dev, 1), -EPERM);
	CHECK_EQ(vmmio_driver_ok(&fx.dev), 0);
	CHECK_EQ(vmmio_notify(&fx.dev, 1), 0);
	CHECK_EQ(devsim_queue_state(fx.sim, 1, &q), 0);
	CHECK_EQ(q.notifies, 1);
	CHECK_EQ(q.last_notify, 1);
	fx_check_clean(&fx);
	fx_close(&fx);
}

int main(void)
{
	TAP_RUN(t_modern_enable_disable);
	TAP_RUN(t_modern_address_high_halves);
	TAP_RUN(t_size_above_max_refused);
	TAP_RUN(t_absent_queue);
	TAP_RUN(t_discovery_needs_features_ok);
	TAP_RUN(t_stop_reads_back);
	TAP_RUN(t_legacy_queue_setup);
	TAP_RUN(t_legacy_layout_formula);
	TAP_RUN(t_legacy_bad_layout_refused);
	TAP_RUN(t_queue_reset);
	TAP_RUN(t_queue_reset_needs_feature);
	TAP_RUN(t_notify_after_driver_ok_only);
	return tap_end();
}
