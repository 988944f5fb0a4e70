/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Register-level rules of "MMIO Device Register Layout": which locations,
 * which direction, which width, the feature selectors, and the shared
 * memory registers ("MMIO-specific Initialization And Device Operation").
 */
#include <string.h>

#include "driver.h"
#include "raw.h"
#include "vmmio_net.h"

/* A location between QueueReset (0x0c0) and ConfigGeneration (0x0fc) that
 * the register table does not describe. */
#define UNDESCRIBED_OFF 0x0e0u

/* Drive a live net device through the control-plane operations after
 * initialisation: configuration read, interrupt, queue stop and restart,
 * notification, DEVICE_NEEDS_RESET recovery. */
static void exercise_live(struct drv *t, struct drv_queues *q)
{
	struct vmmio_net_config nc;
	struct vmmio_queue_cfg cfg;

	EXPECT_OK(&t->dev, vmmio_net_config_read(&t->dev, &nc));
	EXPECT(nc.has_mac);
	EXPECT_EQ(nc.mac[5], t->cfg.config[5]);
	devsim_raise_irq(t->sim, VMMIO_ISR_USED_BUFFER);
	EXPECT_EQ(vmmio_irq_wait(&t->dev, 100), 1);
	EXPECT_EQ(vmmio_irq_handle(&t->dev), VMMIO_EV_USED);
	EXPECT_OK(&t->dev, vmmio_queue_disable(&t->dev, 1));
	expect_queue_ready(t->sim, 1, false);
	drv_queue_cfg(&t->dev, 1, 32, &cfg);
	EXPECT_OK(&t->dev, vmmio_queue_enable(&t->dev, 1, &cfg));
	expect_queue_ready(t->sim, 1, true);
	EXPECT_OK(&t->dev, vmmio_notify(&t->dev, 1));
	devsim_set_needs_reset(t->sim);
	EXPECT_EQ(vmmio_irq_wait(&t->dev, 100), 1);
	EXPECT(vmmio_irq_handle(&t->dev) & VMMIO_EV_NEEDS_RESET);
	EXPECT_OK(&t->dev, vmmio_recover(&t->dev, drv_setup_queues, q));
	expect_status(t->sim, DRV_LIVE_MODERN);
}

/* A modern net device brought live and exercised by the driver: clean. */
static void live_modern_net_clean(void)
{
	struct drv_queues q = { 0 };
	struct drv t;

	drv_config(&t, DEVSIM_NET, false);
	drv_start(&t);
	if (drv_live(&t, NULL, &q))
		exercise_live(&t, &q);
	expect_clean(t.sim);
	drv_close(&t);
}

static void pos_undef_access(void)
{
	struct drv_queues q = { 0 };
	struct drv t;
	uint64_t capacity = 0;

	live_modern_net_clean();

	/* blk: a configuration space with a 64-bit field at its start. */
	drv_config(&t, DEVSIM_BLK, false);
	drv_start(&t);
	if (drv_live(&t, NULL, &q))
		EXPECT_OK(&t.dev, vmmio_cfg_read(&t.dev, 0, 8, &capacity));
	EXPECT_EQ(capacity, 2048);
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_undef_access(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_negotiate(&r, NULL);
	raw_expect_clean(&r);
	raw_read(&r, UNDESCRIBED_OFF);
	raw_expect_caught(&r, DEVSIM_RULE_UNDEF_ACCESS);
	raw_close(&r);
}

static void pos_write_ro(void)
{
	live_modern_net_clean();
}

static void neg_write_ro(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_to_driver(&r);
	raw_read_features(&r);
	raw_expect_clean(&r);
	/* Accepting VERSION_1 through the wrong register of the pair. */
	raw_write(&r, VMMIO_REG_DEVICE_FEATURES_SEL, 1);
	raw_write(&r, VMMIO_REG_DEVICE_FEATURES, 1u << (VMMIO_F_VERSION_1 - 32));
	raw_expect_caught(&r, DEVSIM_RULE_WRITE_RO);
	raw_close(&r);
}

static void pos_read_wo(void)
{
	struct drv_queues q = { 0 };
	struct drv t;

	drv_config(&t, DEVSIM_NET, true);
	drv_start(&t);
	if (drv_live(&t, NULL, &q)) {
		EXPECT_OK(&t.dev, vmmio_queue_disable(&t.dev, 0));
		expect_queue_ready(t.sim, 0, false);
		EXPECT_OK(&t.dev, vmmio_notify(&t.dev, 1));
		devsim_raise_irq(t.sim, VMMIO_ISR_USED_BUFFER);
		EXPECT_EQ(vmmio_irq_handle(&t.dev), VMMIO_EV_USED);
	}
	expect_clean(t.sim);
	drv_close(&t);

	live_modern_net_clean();
}

static void neg_read_wo(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_live(&r, NULL);
	raw_expect_clean(&r);
	raw_read(&r, VMMIO_REG_QUEUE_SEL);
	raw_expect_caught(&r, DEVSIM_RULE_READ_WO);
	raw_close(&r);
}

/* Every logged access below the configuration space was 32 bits wide and
 * aligned: checked from the log, independently of the checker. */
static void expect_control_accesses_32bit(const struct devsim *sim)
{
	size_t n = devsim_log_count(sim), bad = 0;

	for (size_t i = 0; i < n; i++) {
		const struct devsim_access *a = devsim_log_entry(sim, i);

		if (devsim_access_is_reg(a) && a->off < VMMIO_REG_CONFIG &&
		    (a->size != 4 || a->off % 4))
			bad++;
	}
	EXPECT(n > 0);
	EXPECT_EQ(bad, 0);
}

static void pos_reg_width(void)
{
	struct drv_queues q = { 0 };
	struct drv t;

	for (int legacy = 0; legacy <= 1; legacy++) {
		drv_config(&t, DEVSIM_NET, legacy);
		drv_start(&t);
		if (drv_live(&t, NULL, &q) && !legacy)
			exercise_live(&t, &q);
		expect_control_accesses_32bit(t.sim);
		expect_clean(t.sim);
		drv_close(&t);
	}
}

static void neg_reg_width(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_probe(&r);
	raw_reset(&r);
	raw_expect_clean(&r);
	/* Status holds 8 bits of flags, but the register is 32 bits wide. */
	r.win.ops->read(r.win.ctx, VMMIO_REG_STATUS, 1);
	raw_expect_caught(&r, DEVSIM_RULE_REG_WIDTH);
	raw_close(&r);
}

static void pos_device_features_sel(void)
{
	struct drv t;

	for (int legacy = 0; legacy <= 1; legacy++) {
		drv_config(&t, DEVSIM_NET, legacy);
		drv_start(&t);
		EXPECT_OK(&t.dev, vmmio_probe(&t.dev, &t.win, NULL));
		EXPECT_OK(&t.dev, vmmio_begin(&t.dev));
		EXPECT(vmmio_feat_equal(&t.dev.device_features, &t.cfg.features));
		expect_clean(t.sim);
		drv_close(&t);
	}
}

static void neg_device_features_sel(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_to_driver(&r);
	raw_expect_clean(&r);
	raw_read(&r, VMMIO_REG_DEVICE_FEATURES);
	raw_expect_caught(&r, DEVSIM_RULE_DEVICE_FEATURES_SEL);
	raw_close(&r);
}

static void pos_driver_features_sel(void)
{
	struct drv_queues q = { 0 };
	struct vmmio_features accepted;
	struct drv t;

	for (int legacy = 0; legacy <= 1; legacy++) {
		drv_config(&t, DEVSIM_NET, legacy);
		drv_start(&t);
		if (drv_live(&t, NULL, &q)) {
			devsim_driver_features(t.sim, &accepted);
			EXPECT(vmmio_feat_equal(&accepted, &t.dev.driver_features));
			EXPECT(vmmio_feat_has(&accepted, VMMIO_NET_F_MAC));
		}
		expect_clean(t.sim);
		drv_close(&t);
	}
}

static void neg_driver_features_sel(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_to_driver(&r);
	raw_read_features(&r);
	raw_expect_clean(&r);
	raw_write(&r, VMMIO_REG_DRIVER_FEATURES, 1u << VMMIO_NET_F_MAC);
	raw_expect_caught(&r, DEVSIM_RULE_DRIVER_FEATURES_SEL);
	raw_close(&r);
}

static const struct devsim_shm_region shm_regions[] = {
	{ .id = 0, .base = 0x800000000ull, .len = 0x200000 },
	{ .id = 3, .base = 0x900000000ull, .len = 0x1000 },
};

/* A driver that does not expect shared memory leaves the registers alone
 * through a whole lifecycle; one that does finds exactly the regions. */
static void pos_shm_unexpected(void)
{
	struct vmmio_shm found[DEVSIM_MAX_SHM];
	struct drv_queues q = { 0 };
	struct drv t;

	drv_config(&t, DEVSIM_NET, false);
	t.cfg.driver_expects_shm = false;
	memcpy(t.cfg.shm, shm_regions, sizeof(shm_regions));
	t.cfg.n_shm = 2;
	drv_start(&t);
	if (drv_live(&t, NULL, &q))
		exercise_live(&t, &q);
	expect_clean(t.sim);
	drv_close(&t);

	drv_config(&t, DEVSIM_NET, false);
	t.cfg.driver_expects_shm = true;
	memcpy(t.cfg.shm, shm_regions, sizeof(shm_regions));
	t.cfg.n_shm = 2;
	drv_start(&t);
	memset(found, 0, sizeof(found));
	if (drv_live(&t, NULL, &q)) {
		EXPECT_RC(&t.dev, vmmio_shm_list(&t.dev, 7, found, DEVSIM_MAX_SHM), 2);
		for (unsigned i = 0; i < 2; i++) {
			EXPECT_EQ(found[i].id, shm_regions[i].id);
			EXPECT_EQ(found[i].base, shm_regions[i].base);
			EXPECT_EQ(found[i].len, shm_regions[i].len);
		}
	}
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_shm_unexpected(void)
{
	struct raw r;

	raw_config(&r, DEVSIM_NET, false);
	r.cfg.driver_expects_shm = false;
	raw_start(&r);
	raw_negotiate(&r, NULL);
	raw_expect_clean(&r);
	raw_write(&r, VMMIO_REG_SHM_SEL, 0);
	raw_expect_caught(&r, DEVSIM_RULE_SHM_UNEXPECTED);
	raw_close(&r);
}

static const struct conformance_case cases[] = {
	{ DEVSIM_RULE_UNDEF_ACCESS,
	  "a live net device (configuration, interrupts, queue restart, recovery) and a blk capacity read",
	  pos_undef_access, "read 0x0e0, between QueueReset and ConfigGeneration", neg_undef_access },
	{ DEVSIM_RULE_WRITE_RO,
	  "a live net device through configuration, interrupts, queue restart and recovery",
	  pos_write_ro, "write VERSION_1 to DeviceFeatures instead of DriverFeatures", neg_write_ro },
	{ DEVSIM_RULE_READ_WO,
	  "a live legacy and modern net device: queue stop and restart, notify, interrupts",
	  pos_read_wo, "read QueueSel on a live device", neg_read_wo },
	{ DEVSIM_RULE_REG_WIDTH,
	  "every control access of a modern and a legacy lifecycle is 32-bit and aligned (per the log)",
	  pos_reg_width, "read Status with a 1-byte access", neg_reg_width },
	{ DEVSIM_RULE_DEVICE_FEATURES_SEL,
	  "vmmio_begin() reads the offered features exactly (Version 2 and 1)",
	  pos_device_features_sel, "read DeviceFeatures with no DeviceFeaturesSel write since the reset",
	  neg_device_features_sel },
	{ DEVSIM_RULE_DRIVER_FEATURES_SEL,
	  "the device sees exactly the features the driver accepted (Version 2 and 1)",
	  pos_driver_features_sel,
	  "write DriverFeatures with no DriverFeaturesSel write since the reset",
	  neg_driver_features_sel },
	{ DEVSIM_RULE_SHM_UNEXPECTED,
	  "a lifecycle without touching SHM; with SHM expected, vmmio_shm_list() finds both regions",
	  pos_shm_unexpected, "write SHMSel when the driver does not expect shared memory",
	  neg_shm_unexpected },
};

const struct conformance_table conformance_register_cases = CONFORMANCE_TABLE(cases);
