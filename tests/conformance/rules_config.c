/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration space rules ("MMIO Device Register Layout", "Device
 * Configuration Space"): accesses as wide as the field, optional fields
 * only when their feature is offered, and wide fields read between two
 * equal ConfigGeneration values.
 */
#include <string.h>

#include "driver.h"
#include "raw.h"
#include "vmmio_net.h"

/* virtio-blk configuration ("Device configuration layout"). */
#define BLK_CFG_CAPACITY 0x00 /* le64 */
#define BLK_CFG_BLK_SIZE 0x14 /* le32, VIRTIO_BLK_F_BLK_SIZE */

static uint32_t cfg_le(const struct devsim_config *c, unsigned off, unsigned size)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)c->config[off + i] << (8 * i);
	return v;
}

/* The net fields read through the driver are those of the offered
 * features and match what the device holds. */
static void expect_net_config(struct drv *t)
{
	const struct vmmio_features *f = &t->cfg.features;
	struct vmmio_net_config nc;

	EXPECT_OK(&t->dev, vmmio_net_config_read(&t->dev, &nc));
	EXPECT_EQ(nc.has_mac, vmmio_feat_has(f, VMMIO_NET_F_MAC));
	EXPECT_EQ(nc.has_status, vmmio_feat_has(f, VMMIO_NET_F_STATUS));
	EXPECT_EQ(nc.has_mtu, vmmio_feat_has(f, VMMIO_NET_F_MTU));
	EXPECT_EQ(nc.has_max_virtqueue_pairs, vmmio_feat_has(f, VMMIO_NET_F_MQ));
	EXPECT_EQ(nc.has_speed_duplex, vmmio_feat_has(f, VMMIO_NET_F_SPEED_DUPLEX));
	EXPECT(nc.has_mac && nc.has_status && nc.has_mtu);
	EXPECT(!memcmp(nc.mac, &t->cfg.config[VMMIO_NET_CFG_MAC], sizeof(nc.mac)));
	EXPECT_EQ(nc.status, cfg_le(&t->cfg, VMMIO_NET_CFG_STATUS, 2));
	EXPECT_EQ(nc.mtu, cfg_le(&t->cfg, VMMIO_NET_CFG_MTU, 2));
	if (nc.has_max_virtqueue_pairs)
		EXPECT_EQ(nc.max_virtqueue_pairs, cfg_le(&t->cfg, VMMIO_NET_CFG_MAX_VQ_PAIRS, 2));
	if (nc.has_speed_duplex) {
		EXPECT_EQ(nc.speed, cfg_le(&t->cfg, VMMIO_NET_CFG_SPEED, 4));
		EXPECT_EQ(nc.duplex, t->cfg.config[VMMIO_NET_CFG_DUPLEX]);
	}
}

/* Net fields of 8, 16 and 32 bits (Version 2 and 1); blk's 64-bit
 * capacity and 32-bit blk_size. */
static void pos_cfg_width(void)
{
	struct drv_queues q = { 0 };
	uint64_t capacity = 0, blk_size = 0;
	struct drv t;

	for (int legacy = 0; legacy <= 1; legacy++) {
		drv_config(&t, DEVSIM_NET, legacy);
		drv_start(&t);
		if (drv_live(&t, NULL, &q))
			expect_net_config(&t);
		expect_clean(t.sim);
		drv_close(&t);
	}

	drv_config(&t, DEVSIM_BLK, false);
	EXPECT(vmmio_feat_has(&t.cfg.features, VMMIO_BLK_F_BLK_SIZE));
	drv_start(&t);
	if (drv_live(&t, NULL, &q)) {
		EXPECT_OK(&t.dev, vmmio_cfg_read(&t.dev, BLK_CFG_CAPACITY, 8, &capacity));
		EXPECT_OK(&t.dev, vmmio_cfg_read(&t.dev, BLK_CFG_BLK_SIZE, 4, &blk_size));
		EXPECT_EQ(capacity, 2048);
		EXPECT_EQ(blk_size, 512);
	}
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_cfg_width(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_negotiate(&r, NULL);
	raw_expect_clean(&r);
	/* mac[0..3], four 8-bit fields, in one 32-bit read. */
	raw_read(&r, VMMIO_REG_CONFIG + VMMIO_NET_CFG_MAC);
	raw_expect_caught(&r, DEVSIM_RULE_CFG_WIDTH);
	raw_expect_not_caught(&r, DEVSIM_RULE_CFG_OPTIONAL_FIELD);
	raw_close(&r);
}

/* Without STATUS, MTU, MQ and SPEED_DUPLEX only the MAC is read; without
 * MAC too, nothing. */
static void pos_cfg_optional_field(void)
{
	static const unsigned optional[] = { VMMIO_NET_F_STATUS, VMMIO_NET_F_MTU, VMMIO_NET_F_MQ,
					     VMMIO_NET_F_SPEED_DUPLEX };
	struct drv_queues q = { 0 };
	struct vmmio_net_config nc;
	struct drv t;

	for (int no_mac = 0; no_mac <= 1; no_mac++) {
		drv_config(&t, DEVSIM_NET, false);
		for (size_t i = 0; i < sizeof(optional) / sizeof(optional[0]); i++)
			vmmio_feat_clear(&t.cfg.features, optional[i]);
		if (no_mac)
			vmmio_feat_clear(&t.cfg.features, VMMIO_NET_F_MAC);
		drv_start(&t);
		memset(&nc, 0xa5, sizeof(nc));
		if (drv_live(&t, NULL, &q)) {
			EXPECT_OK(&t.dev, vmmio_net_config_read(&t.dev, &nc));
			EXPECT_EQ(nc.has_mac, !no_mac);
			EXPECT(!nc.has_status && !nc.has_mtu);
			EXPECT(!nc.has_max_virtqueue_pairs && !nc.has_speed_duplex);
			EXPECT_EQ(nc.mtu, 0);
		}
		expect_clean(t.sim);
		drv_close(&t);
	}
}

static void neg_cfg_optional_field(void)
{
	struct raw r;

	raw_config(&r, DEVSIM_NET, false);
	vmmio_feat_clear(&r.cfg.features, VMMIO_NET_F_MTU);
	raw_start(&r);
	raw_negotiate(&r, NULL);
	raw_expect_clean(&r);
	r.win.ops->read(r.win.ctx, VMMIO_REG_CONFIG + VMMIO_NET_CFG_MTU, 2);
	raw_expect_caught(&r, DEVSIM_RULE_CFG_OPTIONAL_FIELD);
	raw_expect_not_caught(&r, DEVSIM_RULE_CFG_WIDTH);
	raw_close(&r);
}

/* blk's 64-bit capacity: read plainly, while the configuration churns
 * (the driver must retry), and after a real change. */
static void pos_cfg_wide_atomic(void)
{
	static const uint8_t new_capacity[8] = { 0x00, 0x10 }; /* 4096 sectors, little endian */
	struct drv_queues q = { 0 };
	uint64_t capacity = 0;
	struct drv t;

	drv_config(&t, DEVSIM_BLK, false);
	drv_start(&t);
	if (drv_live(&t, NULL, &q)) {
		EXPECT_OK(&t.dev, vmmio_cfg_read(&t.dev, BLK_CFG_CAPACITY, 8, &capacity));
		EXPECT_EQ(capacity, 2048);
		devsim_config_churn(t.sim, 3);
		EXPECT_OK(&t.dev, vmmio_cfg_read(&t.dev, BLK_CFG_CAPACITY, 8, &capacity));
		EXPECT_EQ(capacity, 2048);
		devsim_config_change(t.sim, BLK_CFG_CAPACITY, new_capacity, sizeof(new_capacity));
		EXPECT_EQ(vmmio_irq_wait(&t.dev, 100), 1);
		EXPECT_EQ(vmmio_irq_handle(&t.dev), VMMIO_EV_CONFIG);
		EXPECT_OK(&t.dev, vmmio_cfg_read(&t.dev, BLK_CFG_CAPACITY, 8, &capacity));
		EXPECT_EQ(capacity, 4096);
	}
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_cfg_wide_atomic(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_BLK, false);
	raw_negotiate(&r, NULL);
	raw_expect_clean(&r);
	raw_read(&r, VMMIO_REG_CONFIG + BLK_CFG_CAPACITY);
	raw_read(&r, VMMIO_REG_CONFIG + BLK_CFG_CAPACITY + 4);
	raw_expect_caught(&r, DEVSIM_RULE_CFG_WIDE_ATOMIC);
	raw_expect_not_caught(&r, DEVSIM_RULE_CFG_WIDTH);
	raw_close(&r);
}

static const struct conformance_case cases[] = {
	{ DEVSIM_RULE_CFG_WIDTH,
	  "net fields of 8, 16 and 32 bits (Version 2 and 1), blk's 64-bit capacity and blk_size",
	  pos_cfg_width, "read the 8-bit mac bytes with one 32-bit access", neg_cfg_width },
	{ DEVSIM_RULE_CFG_OPTIONAL_FIELD,
	  "without STATUS, MTU, MQ, SPEED_DUPLEX (and MAC) only offered fields are read",
	  pos_cfg_optional_field, "read mtu from a device that does not offer MTU",
	  neg_cfg_optional_field },
	{ DEVSIM_RULE_CFG_WIDE_ATOMIC,
	  "blk capacity read plainly, while the configuration churns, and after a change",
	  pos_cfg_wide_atomic, "read both capacity halves without ConfigGeneration",
	  neg_cfg_wide_atomic },
};

const struct conformance_table conformance_config_cases = CONFORMANCE_TABLE(cases);
