/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Probe rules: MagicValue, Version and DeviceID come first and decide
 * whether the driver may touch anything else ("MMIO Device Register
 * Layout", "MMIO-specific Initialization And Device Operation").
 */
#include <errno.h>

#include "driver.h"
#include "raw.h"

#define BAD_MAGIC 0x72697674u /* "virt" with the wrong byte order */
#define BAD_VERSION 3u

/* The log entry @i is a read of register @off. */
static void expect_log_read(const struct devsim *sim, size_t i, uint32_t off)
{
	const struct devsim_access *a;

	if (i >= devsim_log_count(sim)) {
		conf_failf(__FILE__, __LINE__, "the log has no access #%zu", i);
		return;
	}
	a = devsim_log_entry(sim, i);
	EXPECT_EQ(a->kind, DEVSIM_READ);
	EXPECT_EQ(a->off, off);
}

static void pos_magic(void)
{
	struct drv t;

	drv_config(&t, DEVSIM_NET, false);
	t.cfg.magic = BAD_MAGIC;
	drv_start(&t);
	EXPECT_RC(&t.dev, vmmio_probe(&t.dev, &t.win, NULL), -ENODEV);
	expect_log_read(t.sim, 0, VMMIO_REG_MAGIC_VALUE);
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_magic(void)
{
	struct raw r;

	raw_config(&r, DEVSIM_NET, false);
	r.cfg.magic = BAD_MAGIC;
	raw_start(&r);
	EXPECT_EQ(raw_read(&r, VMMIO_REG_MAGIC_VALUE), BAD_MAGIC);
	raw_expect_clean(&r);
	raw_read(&r, VMMIO_REG_VERSION);
	raw_expect_caught(&r, DEVSIM_RULE_MAGIC_IGNORE);
	raw_close(&r);
}

static void pos_version(void)
{
	struct drv t;

	drv_config(&t, DEVSIM_NET, false);
	t.cfg.version = BAD_VERSION;
	drv_start(&t);
	EXPECT_RC(&t.dev, vmmio_probe(&t.dev, &t.win, NULL), -EPROTONOSUPPORT);
	expect_log_read(t.sim, 0, VMMIO_REG_MAGIC_VALUE);
	expect_log_read(t.sim, 1, VMMIO_REG_VERSION);
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_version(void)
{
	struct raw r;

	raw_config(&r, DEVSIM_NET, false);
	r.cfg.version = BAD_VERSION;
	raw_start(&r);
	EXPECT_EQ(raw_read(&r, VMMIO_REG_MAGIC_VALUE), VMMIO_MAGIC_VALUE);
	EXPECT_EQ(raw_read(&r, VMMIO_REG_VERSION), BAD_VERSION);
	raw_expect_clean(&r);
	raw_read(&r, VMMIO_REG_DEVICE_ID);
	raw_expect_caught(&r, DEVSIM_RULE_VERSION_IGNORE);
	raw_close(&r);
}

/* A placeholder is ignored without an error; one that is hotplugged while
 * the driver waits (seed 000) is then initialised normally. */
static void pos_device_id_zero(void)
{
	struct vmmio_probe_opts wait = { .hotplug_wait = true, .hotplug_timeout_ms = 1000 };
	struct drv_queues q = { 0 };
	struct vmmio_features all;
	struct drv t;

	drv_config(&t, DEVSIM_NET, false);
	t.cfg.device_id = 0;
	drv_start(&t);
	EXPECT_RC(&t.dev, vmmio_probe(&t.dev, &t.win, NULL), VMMIO_PROBE_PLACEHOLDER);
	EXPECT_EQ(vmmio_dev_error(&t.dev)[0], '\0');
	/* The last access was the DeviceID read that found the placeholder. */
	EXPECT_EQ(devsim_log_count(t.sim), 3);
	expect_log_read(t.sim, 2, VMMIO_REG_DEVICE_ID);
	expect_clean(t.sim);
	drv_close(&t);

	drv_config(&t, DEVSIM_NET, false);
	t.cfg.device_id = 0;
	drv_start(&t);
	devsim_hotplug(t.sim, VMMIO_DEVICE_ID_NET, 50);
	EXPECT_OK(&t.dev, vmmio_probe(&t.dev, &t.win, &wait));
	EXPECT_EQ(t.dev.device_id, VMMIO_DEVICE_ID_NET);
	drv_all_features(&all);
	EXPECT_OK(&t.dev, vmmio_init(&t.dev, &all, drv_setup_queues, &q));
	expect_status(t.sim, DRV_LIVE_MODERN);
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_device_id_zero(void)
{
	struct raw r;

	raw_config(&r, DEVSIM_NET, false);
	r.cfg.device_id = 0;
	raw_start(&r);
	EXPECT_EQ(raw_read(&r, VMMIO_REG_MAGIC_VALUE), VMMIO_MAGIC_VALUE);
	EXPECT_EQ(raw_read(&r, VMMIO_REG_VERSION), VMMIO_VERSION_MODERN);
	EXPECT_EQ(raw_read(&r, VMMIO_REG_DEVICE_ID), 0);
	raw_expect_clean(&r);
	raw_read(&r, VMMIO_REG_INTERRUPT_STATUS);
	raw_expect_caught(&r, DEVSIM_RULE_DEVICE_ID_ZERO);
	raw_close(&r);
}

static void pos_probe_order(void)
{
	struct drv t;

	for (int legacy = 0; legacy <= 1; legacy++) {
		drv_config(&t, DEVSIM_NET, legacy);
		drv_start(&t);
		EXPECT_OK(&t.dev, vmmio_probe(&t.dev, &t.win, NULL));
		EXPECT_EQ(t.dev.version, legacy ? VMMIO_VERSION_LEGACY : VMMIO_VERSION_MODERN);
		EXPECT_EQ(t.dev.device_id, VMMIO_DEVICE_ID_NET);
		EXPECT_EQ(t.dev.vendor_id, t.cfg.vendor_id);
		expect_clean(t.sim);
		drv_close(&t);
	}
}

static void neg_probe_order(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	EXPECT_EQ(raw_read(&r, VMMIO_REG_MAGIC_VALUE), VMMIO_MAGIC_VALUE);
	raw_expect_clean(&r);
	raw_read(&r, VMMIO_REG_DEVICE_ID);
	raw_expect_caught(&r, DEVSIM_RULE_INIT_PROBE_ORDER);
	raw_close(&r);
}

static const struct conformance_case cases[] = {
	{ DEVSIM_RULE_MAGIC_IGNORE,
	  "a device with a bad MagicValue is refused (-ENODEV) after reading only MagicValue",
	  pos_magic, "read Version after MagicValue read 0x72697674", neg_magic },
	{ DEVSIM_RULE_VERSION_IGNORE,
	  "a Version 3 device is refused (-EPROTONOSUPPORT) after MagicValue and Version",
	  pos_version, "read DeviceID after Version read 3", neg_version },
	{ DEVSIM_RULE_DEVICE_ID_ZERO,
	  "a DeviceID 0 placeholder is ignored without an error; a hotplugged one is awaited and initialised",
	  pos_device_id_zero, "read InterruptStatus after DeviceID read 0", neg_device_id_zero },
	{ DEVSIM_RULE_INIT_PROBE_ORDER,
	  "vmmio_probe() on a Version 2 and a Version 1 device", pos_probe_order,
	  "read DeviceID right after MagicValue, skipping Version", neg_probe_order },
};

const struct conformance_table conformance_probe_cases = CONFORMANCE_TABLE(cases);
