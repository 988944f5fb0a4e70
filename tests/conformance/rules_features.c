/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * "Feature Bits" and "Reserved Feature Bits": accept only offered, defined
 * bits with their requirements, always VERSION_1, never fail on unknown
 * offers, and nothing new after FEATURES_OK ("Device Initialization").
 */
#include <errno.h>
#include <string.h>

#include "driver.h"
#include "raw.h"

/* Bits the spec does not define for a network device: checked below with
 * the feature table so that the tests cannot silently go vacuous. */
static const unsigned unknown_net_bits[] = { 4, 100, 127 };

static void expect_unknown_to_spec(const unsigned *bits, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (vmmio_feature_info(VMMIO_DEVICE_ID_NET, bits[i]))
			conf_failf(__FILE__, __LINE__, "bit %u is defined for net: pick another",
				   bits[i]);
}

/* The device's accepted set is a subset of @offered. */
static void expect_accepted_within(const struct devsim *sim, const struct vmmio_features *offered)
{
	struct vmmio_features accepted, extra;

	devsim_driver_features(sim, &accepted);
	vmmio_feat_andnot(&extra, &accepted, offered);
	EXPECT(vmmio_feat_empty(&extra));
}

static void pos_feat_not_offered(void)
{
	struct drv_queues q = { 0 };
	struct vmmio_features accepted;
	struct drv t;

	for (int legacy = 0; legacy <= 1; legacy++) {
		drv_config(&t, DEVSIM_NET, legacy);
		vmmio_feat_clear(&t.cfg.features, VMMIO_NET_F_CSUM);
		vmmio_feat_clear(&t.cfg.features, VMMIO_NET_F_MRG_RXBUF);
		drv_start(&t);
		if (drv_live(&t, NULL, &q)) {
			expect_accepted_within(t.sim, &t.cfg.features);
			devsim_driver_features(t.sim, &accepted);
			EXPECT(!vmmio_feat_has(&accepted, VMMIO_NET_F_CSUM));
			EXPECT(!vmmio_feat_has(&accepted, VMMIO_NET_F_MRG_RXBUF));
			EXPECT(vmmio_feat_has(&accepted, VMMIO_NET_F_MAC));
		}
		expect_clean(t.sim);
		drv_close(&t);
	}
}

static void neg_feat_not_offered(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	EXPECT(!vmmio_feat_has(&r.cfg.features, VMMIO_NET_F_CTRL_VLAN));
	raw_to_driver(&r);
	raw_read_features(&r);
	raw_expect_clean(&r);
	raw_write(&r, VMMIO_REG_DRIVER_FEATURES_SEL, 0);
	raw_write(&r, VMMIO_REG_DRIVER_FEATURES, 1u << VMMIO_NET_F_CTRL_VLAN);
	raw_expect_caught(&r, DEVSIM_RULE_FEAT_NOT_OFFERED);
	raw_expect_not_caught(&r, DEVSIM_RULE_FEAT_INVALID);
	raw_close(&r);
}

/* MQ offered without CTRL_VQ, GUEST_TSO4 without GUEST_CSUM: the driver
 * wanting everything must leave both out. */
static void pos_feat_requires(void)
{
	struct drv_queues q = { 0 };
	struct vmmio_features accepted;
	unsigned bad = 0;
	struct drv t;

	drv_config(&t, DEVSIM_NET, false);
	vmmio_feat_clear(&t.cfg.features, VMMIO_NET_F_CTRL_VQ);
	vmmio_feat_clear(&t.cfg.features, VMMIO_NET_F_GUEST_CSUM);
	vmmio_feat_set(&t.cfg.features, VMMIO_NET_F_GUEST_TSO4);
	EXPECT(vmmio_feat_has(&t.cfg.features, VMMIO_NET_F_MQ));
	drv_start(&t);
	if (drv_live(&t, NULL, &q)) {
		devsim_driver_features(t.sim, &accepted);
		EXPECT(!vmmio_feat_has(&accepted, VMMIO_NET_F_MQ));
		EXPECT(!vmmio_feat_has(&accepted, VMMIO_NET_F_GUEST_TSO4));
		EXPECT(vmmio_feat_has(&accepted, VMMIO_NET_F_MAC));
		EXPECT(vmmio_features_deps_ok(VMMIO_DEVICE_ID_NET, &accepted, &bad));
	}
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_feat_requires(void)
{
	struct vmmio_features accept;
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_to_driver(&r);
	raw_read_features(&r);
	raw_min_features(&r, &accept);
	vmmio_feat_set(&accept, VMMIO_NET_F_MQ); /* offered; its CTRL_VQ is not accepted */
	raw_write_features(&r, &accept);
	raw_expect_clean(&r);
	raw_status(&r, VMMIO_STATUS_FEATURES_OK);
	raw_expect_caught(&r, DEVSIM_RULE_FEAT_REQUIRES);
	raw_expect_not_caught(&r, DEVSIM_RULE_FEAT_NOT_OFFERED);
	raw_close(&r);
}

/* Offered but not acceptable on a modern MMIO net device: PCI-only SR_IOV,
 * ADMIN_VQ (not on MMIO), legacy-only GSO, and bits the spec leaves undefined. */
static void pos_feat_invalid(void)
{
	static const unsigned invalid[] = { VMMIO_F_SR_IOV, VMMIO_F_ADMIN_VQ, VMMIO_NET_F_GSO, 4,
					    100, 127 };
	struct drv_queues q = { 0 };
	struct vmmio_features accepted;
	struct drv t;

	expect_unknown_to_spec(unknown_net_bits, sizeof(unknown_net_bits) / sizeof(unsigned));
	drv_config(&t, DEVSIM_NET, false);
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		vmmio_feat_set(&t.cfg.features, invalid[i]);
	drv_start(&t);
	if (drv_live(&t, NULL, &q)) {
		devsim_driver_features(t.sim, &accepted);
		for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
			if (vmmio_feat_has(&accepted, invalid[i]))
				conf_failf(__FILE__, __LINE__, "the driver accepted bit %u", invalid[i]);
		EXPECT(vmmio_feat_has(&accepted, VMMIO_NET_F_MAC));
	}
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_feat_invalid(void)
{
	struct vmmio_features accept;
	struct raw r;

	raw_config(&r, DEVSIM_NET, false);
	vmmio_feat_set(&r.cfg.features, VMMIO_F_SR_IOV);
	raw_start(&r);
	raw_to_driver(&r);
	raw_read_features(&r);
	raw_expect_clean(&r);
	raw_min_features(&r, &accept);
	vmmio_feat_set(&accept, VMMIO_F_SR_IOV);
	raw_write_features(&r, &accept);
	raw_expect_caught(&r, DEVSIM_RULE_FEAT_INVALID);
	raw_expect_not_caught(&r, DEVSIM_RULE_FEAT_NOT_OFFERED);
	raw_close(&r);
}

/* VERSION_1 plus only bits the spec does not define. */
static void offer_only_unknown(struct devsim_config *c)
{
	memset(&c->features, 0, sizeof(c->features));
	vmmio_feat_set(&c->features, VMMIO_F_VERSION_1);
	for (size_t i = 0; i < sizeof(unknown_net_bits) / sizeof(unsigned); i++)
		vmmio_feat_set(&c->features, unknown_net_bits[i]);
}

static void pos_feat_unknown_no_fail(void)
{
	struct drv_queues q = { 0 };
	struct vmmio_features accepted, want;
	struct drv t;

	expect_unknown_to_spec(unknown_net_bits, sizeof(unknown_net_bits) / sizeof(unsigned));
	drv_config(&t, DEVSIM_NET, false);
	offer_only_unknown(&t.cfg);
	drv_start(&t);
	if (drv_live(&t, NULL, &q)) {
		expect_status(t.sim, DRV_LIVE_MODERN);
		memset(&want, 0, sizeof(want));
		vmmio_feat_set(&want, VMMIO_F_VERSION_1);
		devsim_driver_features(t.sim, &accepted);
		EXPECT(vmmio_feat_equal(&accepted, &want));
	}
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_feat_unknown_no_fail(void)
{
	struct raw r;

	raw_config(&r, DEVSIM_NET, false);
	offer_only_unknown(&r.cfg);
	raw_start(&r);
	raw_to_driver(&r);
	raw_read_features(&r);
	raw_expect_clean(&r);
	raw_status(&r, VMMIO_STATUS_FAILED);
	raw_expect_caught(&r, DEVSIM_RULE_FEAT_UNKNOWN_NO_FAIL);
	raw_close(&r);
}

/* Asked only for MAC, the driver accepts VERSION_1 too; a Version 2 device
 * that does not offer VERSION_1 is refused rather than half-driven. */
static void pos_feat_version_1(void)
{
	struct drv_queues q = { 0 };
	struct vmmio_features wanted, accepted;
	struct drv t;

	memset(&wanted, 0, sizeof(wanted));
	vmmio_feat_set(&wanted, VMMIO_NET_F_MAC);
	drv_config(&t, DEVSIM_NET, false);
	drv_start(&t);
	if (drv_live(&t, &wanted, &q)) {
		devsim_driver_features(t.sim, &accepted);
		EXPECT(vmmio_feat_has(&accepted, VMMIO_F_VERSION_1));
		EXPECT(vmmio_feat_has(&accepted, VMMIO_NET_F_MAC));
	}
	expect_clean(t.sim);
	drv_close(&t);

	drv_config(&t, DEVSIM_NET, false);
	vmmio_feat_clear(&t.cfg.features, VMMIO_F_VERSION_1);
	drv_start(&t);
	EXPECT_OK(&t.dev, vmmio_probe(&t.dev, &t.win, NULL));
	EXPECT_RC(&t.dev, vmmio_init(&t.dev, &wanted, drv_setup_queues, &q), -ENOTSUP);
	EXPECT(!(devsim_status(t.sim) & VMMIO_STATUS_DRIVER_OK));
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_feat_version_1(void)
{
	struct vmmio_features accept;
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_to_driver(&r);
	raw_read_features(&r);
	memset(&accept, 0, sizeof(accept));
	vmmio_feat_set(&accept, VMMIO_NET_F_MAC);
	raw_write_features(&r, &accept);
	raw_expect_clean(&r);
	raw_status(&r, VMMIO_STATUS_FEATURES_OK);
	raw_expect_caught(&r, DEVSIM_RULE_FEAT_VERSION_1);
	raw_close(&r);
}

/* From the log: no DriverFeatures write between a FEATURES_OK write and
 * the next reset. */
static void expect_no_feature_write_after_features_ok(const struct devsim *sim)
{
	bool locked = false;
	unsigned writes = 0;

	for (size_t i = 0; i < devsim_log_count(sim); i++) {
		const struct devsim_access *a = devsim_log_entry(sim, i);

		if (a->kind != DEVSIM_WRITE)
			continue;
		if (a->off == VMMIO_REG_STATUS)
			locked = a->value & VMMIO_STATUS_FEATURES_OK;
		if (a->off == VMMIO_REG_DRIVER_FEATURES) {
			writes++;
			if (locked)
				conf_failf(__FILE__, __LINE__,
					   "access #%zu writes DriverFeatures after FEATURES_OK", i);
		}
	}
	EXPECT(writes > 0);
}

static void pos_init_features_locked(void)
{
	struct drv_queues q = { 0 };
	struct vmmio_features accepted;
	struct drv t;

	drv_config(&t, DEVSIM_NET, false);
	drv_start(&t);
	if (drv_live(&t, NULL, &q)) {
		EXPECT(t.dev.features_locked);
		devsim_set_needs_reset(t.sim);
		EXPECT(vmmio_needs_reset(&t.dev));
		EXPECT_OK(&t.dev, vmmio_recover(&t.dev, drv_setup_queues, &q));
		devsim_driver_features(t.sim, &accepted);
		EXPECT(vmmio_feat_equal(&accepted, &t.dev.driver_features));
		expect_no_feature_write_after_features_ok(t.sim);
	}
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_init_features_locked(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_negotiate(&r, NULL);
	raw_expect_clean(&r);
	raw_write(&r, VMMIO_REG_DRIVER_FEATURES_SEL, 0);
	raw_write(&r, VMMIO_REG_DRIVER_FEATURES, 1u << VMMIO_NET_F_MAC);
	raw_expect_caught(&r, DEVSIM_RULE_INIT_FEATURES_LOCKED);
	raw_expect_not_caught(&r, DEVSIM_RULE_FEAT_NOT_OFFERED);
	raw_close(&r);
}

static const struct conformance_case cases[] = {
	{ DEVSIM_RULE_FEAT_NOT_OFFERED,
	  "a device without CSUM and MRG_RXBUF: the driver wanting all accepts only offered bits (Version 2 and 1)",
	  pos_feat_not_offered, "accept CTRL_VLAN, which the device does not offer",
	  neg_feat_not_offered },
	{ DEVSIM_RULE_FEAT_REQUIRES,
	  "MQ offered without CTRL_VQ and GUEST_TSO4 without GUEST_CSUM: both are left out",
	  pos_feat_requires, "set FEATURES_OK with MQ accepted and CTRL_VQ not", neg_feat_requires },
	{ DEVSIM_RULE_FEAT_INVALID,
	  "SR_IOV, ADMIN_VQ, the legacy GSO and undefined bits offered: none accepted",
	  pos_feat_invalid, "accept the PCI-only SR_IOV that the device offers", neg_feat_invalid },
	{ DEVSIM_RULE_FEAT_UNKNOWN_NO_FAIL,
	  "a device offering VERSION_1 and only undefined bits initialises",
	  pos_feat_unknown_no_fail, "set FAILED after reading VERSION_1 and undefined bits",
	  neg_feat_unknown_no_fail },
	{ DEVSIM_RULE_FEAT_VERSION_1,
	  "asked only for MAC the driver accepts VERSION_1 too; no VERSION_1 offered is refused",
	  pos_feat_version_1, "set FEATURES_OK with MAC accepted and VERSION_1 not",
	  neg_feat_version_1 },
	{ DEVSIM_RULE_INIT_FEATURES_LOCKED,
	  "no DriverFeatures write after FEATURES_OK through init and a recovery (per the log)",
	  pos_init_features_locked, "accept MAC after FEATURES_OK was read back",
	  neg_init_features_locked },
};

const struct conformance_table conformance_feature_cases = CONFORMANCE_TABLE(cases);
