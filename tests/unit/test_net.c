/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-net helpers: the link status names, the driver's feature set, and
 * the configuration reader against devsim (its checker watches the field
 * widths and that only offered fields are touched).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devsim.h"
#include "tap.h"
#include "vmmio_dev.h"
#include "vmmio_net.h"

static void t_status_format(void)
{
	CHECK(strcmp(vmmio_net_status_format(0), "link down") == 0);
	CHECK(strcmp(vmmio_net_status_format(VMMIO_NET_S_LINK_UP), "link up") == 0);
	CHECK(strcmp(vmmio_net_status_format(VMMIO_NET_S_LINK_UP | VMMIO_NET_S_ANNOUNCE),
		     "link up, announce") == 0);
	CHECK(strcmp(vmmio_net_status_format(VMMIO_NET_S_ANNOUNCE), "link down, announce") == 0);
	CHECK(strcmp(vmmio_net_status_format(0x8001), "link up, bits 0x8000") == 0);
	CHECK(strcmp(vmmio_net_status_format(0xffff), "link up, announce, bits 0xfffc") == 0);
}

static void t_driver_features(void)
{
	struct vmmio_features f, v1, v2, either;

	vmmio_net_driver_features(&f);
	CHECK(vmmio_feat_has(&f, VMMIO_NET_F_MAC));
	CHECK(vmmio_feat_has(&f, VMMIO_NET_F_STATUS));
	CHECK(vmmio_feat_has(&f, VMMIO_NET_F_MTU));
	CHECK(vmmio_feat_has(&f, VMMIO_NET_F_SPEED_DUPLEX));
	CHECK(vmmio_feat_has(&f, VMMIO_NET_F_MRG_RXBUF));
	CHECK(vmmio_feat_has(&f, VMMIO_F_EVENT_IDX));
	CHECK(vmmio_feat_has(&f, VMMIO_F_RING_PACKED));
	CHECK(vmmio_feat_has(&f, VMMIO_F_ANY_LAYOUT));
	/* Not yet: no IOMMU handling, no control queue. */
	CHECK(!vmmio_feat_has(&f, VMMIO_F_ACCESS_PLATFORM));
	CHECK(!vmmio_feat_has(&f, VMMIO_NET_F_CTRL_VQ));
	CHECK(!vmmio_feat_has(&f, VMMIO_NET_F_MQ));
	/* Everything asked for is valid on one of the two MMIO versions, and
	 * asks for nothing it does not also ask for. */
	vmmio_features_valid(VMMIO_DEVICE_ID_NET, 1, &v1);
	vmmio_features_valid(VMMIO_DEVICE_ID_NET, 2, &v2);
	for (unsigned i = 0; i < VMMIO_FEATURE_WORDS; i++)
		either.w[i] = v1.w[i] | v2.w[i];
	vmmio_feat_andnot(&either, &f, &either);
	CHECK(vmmio_feat_empty(&either));
	CHECK(vmmio_features_deps_ok(VMMIO_DEVICE_ID_NET, &f, NULL));
}

/* A net device with known configuration contents, probed and begun. */
struct net_fx {
	struct devsim_config cfg;
	struct devsim *sim;
	struct vmmio_regwin win;
	struct vmmio_dev dev;
};

static const uint8_t test_mac[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void net_open(struct net_fx *fx, bool legacy, const unsigned *offer, size_t n_offer)
{
	memset(fx, 0, sizeof(*fx));
	devsim_config_default(&fx->cfg, DEVSIM_NET, legacy);
	memset(&fx->cfg.features, 0, sizeof(fx->cfg.features));
	if (!legacy)
		vmmio_feat_set(&fx->cfg.features, VMMIO_F_VERSION_1);
	for (size_t i = 0; i < n_offer; i++)
		vmmio_feat_set(&fx->cfg.features, offer[i]);
	memcpy(&fx->cfg.config[VMMIO_NET_CFG_MAC], test_mac, sizeof(test_mac));
	put16(&fx->cfg.config[VMMIO_NET_CFG_STATUS], VMMIO_NET_S_LINK_UP | VMMIO_NET_S_ANNOUNCE);
	put16(&fx->cfg.config[VMMIO_NET_CFG_MAX_VQ_PAIRS], 7);
	put16(&fx->cfg.config[VMMIO_NET_CFG_MTU], 9000);
	fx->cfg.config[VMMIO_NET_CFG_SPEED] = 0x10; /* 0x2710 = 10000 */
	fx->cfg.config[VMMIO_NET_CFG_SPEED + 1] = 0x27;
	fx->cfg.config[VMMIO_NET_CFG_SPEED + 2] = 0;
	fx->cfg.config[VMMIO_NET_CFG_SPEED + 3] = 0;
	fx->cfg.config[VMMIO_NET_CFG_DUPLEX] = VMMIO_NET_DUPLEX_HALF;
	fx->sim = devsim_create(&fx->cfg);
	if (!fx->sim)
		abort();
	fx->win = devsim_regwin(fx->sim);
	CHECK_EQ(vmmio_probe(&fx->dev, &fx->win, NULL), 0);
	CHECK_EQ(vmmio_begin(&fx->dev), 0);
}

static void net_close(struct net_fx *fx)
{
	size_t n = devsim_violation_count(fx->sim);

	CHECK_EQ(n, 0);
	for (size_t i = 0; i < n; i++) {
		const struct devsim_violation *v = devsim_violation(fx->sim, i);

		printf("# violation %s: %s\n", devsim_rule_info(v->rule)->id, v->detail);
	}
	devsim_destroy(fx->sim);
}

/* Whether the driver read any configuration byte in [@from, @to). */
static bool config_touched(const struct devsim *s, uint32_t from, uint32_t to)
{
	for (size_t i = 0; i < devsim_log_count(s); i++) {
		const struct devsim_access *a = devsim_log_entry(s, i);

		if (devsim_access_is_reg(a) && a->off < VMMIO_REG_CONFIG + to &&
		    a->off + a->size > VMMIO_REG_CONFIG + from)
			return true;
	}
	return false;
}

static void t_config_all_fields(void)
{
	static const unsigned offer[] = { VMMIO_NET_F_MAC, VMMIO_NET_F_STATUS, VMMIO_NET_F_MQ,
					  VMMIO_NET_F_CTRL_VQ, VMMIO_NET_F_MTU,
					  VMMIO_NET_F_SPEED_DUPLEX };
	struct net_fx fx;
	struct vmmio_net_config c;

	/* Read during negotiation (after DRIVER, before FEATURES_OK), which
	 * "Device Initialization" allows. */
	net_open(&fx, false, offer, sizeof(offer) / sizeof(offer[0]));
	CHECK_EQ(vmmio_net_config_read(&fx.dev, &c), 0);
	CHECK(c.has_mac && c.has_status && c.has_max_virtqueue_pairs && c.has_mtu &&
	      c.has_speed_duplex);
	CHECK(memcmp(c.mac, test_mac, sizeof(test_mac)) == 0);
	CHECK_EQ(c.status, VMMIO_NET_S_LINK_UP | VMMIO_NET_S_ANNOUNCE);
	CHECK_EQ(c.max_virtqueue_pairs, 7);
	CHECK_EQ(c.mtu, 9000);
	CHECK_EQ(c.speed, 10000);
	CHECK_EQ(c.duplex, VMMIO_NET_DUPLEX_HALF);
	net_close(&fx);
}

static void t_config_only_offered_fields(void)
{
	static const unsigned offer[] = { VMMIO_NET_F_STATUS };
	struct net_fx fx;
	struct vmmio_net_config c;

	net_open(&fx, false, offer, 1);
	devsim_log_clear(fx.sim);
	CHECK_EQ(vmmio_net_config_read(&fx.dev, &c), 0);
	CHECK(c.has_status);
	CHECK_EQ(c.status, VMMIO_NET_S_LINK_UP | VMMIO_NET_S_ANNOUNCE);
	CHECK(!c.has_mac && !c.has_max_virtqueue_pairs && !c.has_mtu && !c.has_speed_duplex);
	CHECK_EQ(c.mtu, 0);
	CHECK_EQ(c.mac[0], 0);
	/* Not even the always-present mac is read without VIRTIO_NET_F_MAC. */
	CHECK(!config_touched(fx.sim, VMMIO_NET_CFG_MAC, VMMIO_NET_CFG_STATUS));
	CHECK(!config_touched(fx.sim, VMMIO_NET_CFG_MAX_VQ_PAIRS, VMMIO_NET_CFG_DUPLEX + 1));
	CHECK(config_touched(fx.sim, VMMIO_NET_CFG_STATUS, VMMIO_NET_CFG_STATUS + 2));
	net_close(&fx);
}

static void t_config_rss_gives_queue_pairs(void)
{
	static const unsigned offer[] = { VMMIO_NET_F_CTRL_VQ, VMMIO_NET_F_RSS };
	struct net_fx fx;
	struct vmmio_net_config c;

	net_open(&fx, false, offer, 2);
	CHECK_EQ(vmmio_net_config_read(&fx.dev, &c), 0);
	CHECK(c.has_max_virtqueue_pairs);
	CHECK_EQ(c.max_virtqueue_pairs, 7);
	CHECK(!c.has_status && !c.has_mtu);
	net_close(&fx);
}

static void t_config_legacy(void)
{
	static const unsigned offer[] = { VMMIO_NET_F_MAC, VMMIO_NET_F_STATUS, VMMIO_NET_F_MTU };
	struct net_fx fx;
	struct vmmio_net_config c;

	net_open(&fx, true, offer, 3);
	CHECK_EQ(fx.dev.version, 1);
	CHECK_EQ(vmmio_net_config_read(&fx.dev, &c), 0);
	CHECK(c.has_mac && c.has_status && c.has_mtu);
	CHECK(memcmp(c.mac, test_mac, sizeof(test_mac)) == 0);
	CHECK_EQ(c.mtu, 9000);
	CHECK(!c.has_speed_duplex && !c.has_max_virtqueue_pairs);
	net_close(&fx);
}

/* The device changes its configuration while it is read: the reader
 * retries and returns one consistent version. */
static void t_config_churn(void)
{
	static const unsigned offer[] = { VMMIO_NET_F_MAC, VMMIO_NET_F_MTU };
	struct net_fx fx;
	struct vmmio_net_config c;

	net_open(&fx, false, offer, 2);
	devsim_config_churn(fx.sim, 3);
	CHECK_EQ(vmmio_net_config_read(&fx.dev, &c), 0);
	CHECK(c.has_mac && c.has_mtu);
	CHECK_EQ(c.mtu, 9000);
	/* A device that never settles: the reader gives up, it does not spin. */
	devsim_config_churn(fx.sim, UINT32_MAX);
	CHECK_EQ(vmmio_net_config_read(&fx.dev, &c), -EAGAIN);
	devsim_config_churn(fx.sim, 0);
	net_close(&fx);
}

int main(void)
{
	TAP_RUN(t_status_format);
	TAP_RUN(t_driver_features);
	TAP_RUN(t_config_all_fields);
	TAP_RUN(t_config_only_offered_fields);
	TAP_RUN(t_config_rss_gives_queue_pairs);
	TAP_RUN(t_config_legacy);
	TAP_RUN(t_config_churn);
	return tap_end();
}
