/* SPDX-License-Identifier: BSD-3-Clause */
/* The status handshake and feature negotiation. */
#include <errno.h>
#include <stdint.h>

#include "fixture.h"
#include "vmmio_regs.h"

static void t_init_modern_negotiates(void)
{
	struct fixture fx;
	struct vmmio_features all = fx_all_features();

	fx_open(&fx, DEVSIM_NET, false, NULL);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_init(&fx.dev, &all, NULL, NULL), 0);
	CHECK_EQ(devsim_status(fx.sim), VMMIO_STATUS_ACKNOWLEDGE | VMMIO_STATUS_DRIVER |
						VMMIO_STATUS_FEATURES_OK | VMMIO_STATUS_DRIVER_OK);
	CHECK(vmmio_feat_has(&fx.dev.driver_features, VMMIO_F_VERSION_1));
	CHECK(vmmio_feat_has(&fx.dev.driver_features, VMMIO_NET_F_MAC));
	CHECK(vmmio_feat_has(&fx.dev.driver_features, VMMIO_F_RING_PACKED));
	/* What the device stored is what the driver believes it accepted. */
	struct vmmio_features stored;
	devsim_driver_features(fx.sim, &stored);
	CHECK(vmmio_feat_equal(&stored, &fx.dev.driver_features));
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_init_only_wanted_and_offered(void)
{
	struct fixture fx;
	struct vmmio_features want = { { 0 } };

	fx_open(&fx, DEVSIM_NET, false, NULL);
	vmmio_feat_set(&want, VMMIO_NET_F_MAC);
	vmmio_feat_set(&want, VMMIO_NET_F_GUEST_TSO4); /* not offered by default */
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_init(&fx.dev, &want, NULL, NULL), 0);
	struct vmmio_features expect = { { 0 } };
	vmmio_feat_set(&expect, VMMIO_NET_F_MAC);
	vmmio_feat_set(&expect, VMMIO_F_VERSION_1); /* always, on Version 2 */
	CHECK(vmmio_feat_equal(&fx.dev.driver_features, &expect));
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void offer_invalid_bits(struct devsim_config *c)
{
	vmmio_feat_set(&c->features, 44); /* reserved for future extensions */
	vmmio_feat_set(&c->features, VMMIO_F_ADMIN_VQ); /* not on MMIO */
	vmmio_feat_set(&c->features, VMMIO_F_SR_IOV); /* PCI only */
	vmmio_feat_set(&c->features, 127); /* undefined for net */
}

static void t_init_ignores_invalid_offers(void)
{
	struct fixture fx;
	struct vmmio_features all = fx_all_features();

	fx_open(&fx, DEVSIM_NET, false, offer_invalid_bits);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_init(&fx.dev, &all, NULL, NULL), 0); /* no failure for unknown bits */
	CHECK(!vmmio_feat_has(&fx.dev.driver_features, 44));
	CHECK(!vmmio_feat_has(&fx.dev.driver_features, VMMIO_F_ADMIN_VQ));
	CHECK(!vmmio_feat_has(&fx.dev.driver_features, VMMIO_F_SR_IOV));
	CHECK(!vmmio_feat_has(&fx.dev.driver_features, 127));
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void offer_unmet_dependency(struct devsim_config *c)
{
	/* MQ requires CTRL_VQ: a device offering MQ without CTRL_VQ breaks a
	 * device rule, and the driver must still not accept MQ alone. */
	vmmio_feat_clear(&c->features, VMMIO_NET_F_CTRL_VQ);
	vmmio_feat_set(&c->features, VMMIO_NET_F_MQ);
}

static void t_init_drops_unmet_requirements(void)
{
	struct fixture fx;
	struct vmmio_features all = fx_all_features();

	fx_open(&fx, DEVSIM_NET, false, offer_unmet_dependency);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_init(&fx.dev, &all, NULL, NULL), 0);
	CHECK(!vmmio_feat_has(&fx.dev.driver_features, VMMIO_NET_F_MQ));
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_init_legacy_no_version_1(void)
{
	struct fixture fx;
	struct vmmio_features all = fx_all_features();

	fx_open(&fx, DEVSIM_NET, true, NULL);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_init(&fx.dev, &all, NULL, NULL), 0);
	CHECK(!vmmio_feat_has(&fx.dev.driver_features, VMMIO_F_VERSION_1));
	CHECK_EQ(fx.dev.driver_features.w[1], 0);
	CHECK(vmmio_feat_has(&fx.dev.driver_features, VMMIO_F_ANY_LAYOUT));
	/* No FEATURES_OK on the legacy interface. */
	CHECK_EQ(devsim_status(fx.sim),
		 VMMIO_STATUS_ACKNOWLEDGE | VMMIO_STATUS_DRIVER | VMMIO_STATUS_DRIVER_OK);
	CHECK_EQ(devsim_guest_page_size(fx.sim), VMMIO_LEGACY_PAGE_SIZE);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void refuse_packed(struct devsim_config *c)
{
	vmmio_feat_set(&c->refuse, VMMIO_F_RING_PACKED);
}

static void t_refused_features_set_failed(void)
{
	struct fixture fx;
	struct vmmio_features all = { { 0 } };

	/* A set whose names all fit in the message (the device offers more). */
	vmmio_feat_set(&all, VMMIO_F_VERSION_1);
	vmmio_feat_set(&all, VMMIO_NET_F_MAC);
	vmmio_feat_set(&all, VMMIO_F_EVENT_IDX);
	vmmio_feat_set(&all, VMMIO_F_RING_PACKED);
	fx_open(&fx, DEVSIM_NET, false, refuse_packed);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_init(&fx.dev, &all, NULL, NULL), -ENOTSUP);
	CHECK(devsim_status(fx.sim) & VMMIO_STATUS_FAILED);
	CHECK(!(devsim_status(fx.sim) & VMMIO_STATUS_DRIVER_OK));
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "refused");
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "VIRTIO_F_RING_PACKED");
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "FAILED");
	fx_check_clean(&fx);

	/* After a reset, a smaller set is accepted. */
	struct vmmio_features fewer = all;
	vmmio_feat_clear(&fewer, VMMIO_F_RING_PACKED);
	CHECK_EQ(vmmio_init(&fx.dev, &fewer, NULL, NULL), 0);
	CHECK(devsim_status(fx.sim) & VMMIO_STATUS_DRIVER_OK);
	CHECK(!(devsim_status(fx.sim) & VMMIO_STATUS_FAILED));
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void no_version_1(struct devsim_config *c)
{
	vmmio_feat_clear(&c->features, VMMIO_F_VERSION_1);
}

static void t_modern_without_version_1_fails(void)
{
	struct fixture fx;
	struct vmmio_features all = fx_all_features();

	fx_open(&fx, DEVSIM_NET, false, no_version_1);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_init(&fx.dev, &all, NULL, NULL), -ENOTSUP);
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "VIRTIO_F_VERSION_1");
	CHECK(devsim_status(fx.sim) & VMMIO_STATUS_FAILED);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_features_locked_after_features_ok(void)
{
	struct fixture fx;
	struct vmmio_features all = fx_all_features();

	fx_open(&fx, DEVSIM_NET, false, NULL);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_begin(&fx.dev), 0);
	CHECK_EQ(vmmio_negotiate(&fx.dev, &all), 0);
	CHECK_EQ(vmmio_negotiate(&fx.dev, &all), -EPERM);
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "locked");
	CHECK_EQ(vmmio_driver_ok(&fx.dev), 0);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_config_read_not_written_during_negotiation(void)
{
	struct fixture fx;
	struct vmmio_features all = fx_all_features();
	uint64_t mac0;

	fx_open(&fx, DEVSIM_NET, false, NULL);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_begin(&fx.dev), 0);
	/* Seed 002: reading is allowed during negotiation... */
	CHECK_EQ(vmmio_cfg_read(&fx.dev, 0, 1, &mac0), 0);
	CHECK_EQ(mac0, fx.cfg.config[0]);
	/* ... writing is not. */
	CHECK_EQ(vmmio_cfg_write(&fx.dev, 0, 1, 0x02), -EPERM);
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "negotiation");
	CHECK_EQ(vmmio_negotiate(&fx.dev, &all), 0);
	CHECK_EQ(vmmio_cfg_write(&fx.dev, 0, 1, 0x02), 0);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void slow_reset(struct devsim_config *c) { c->reset_delay_reads = 5; }
static void stuck_reset(struct devsim_config *c) { c->reset_delay_reads = UINT32_MAX; }

static void t_reset_waits_for_zero(void)
{
	struct fixture fx;
	struct vmmio_features all = fx_all_features();

	fx_open(&fx, DEVSIM_NET, false, slow_reset);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_init(&fx.dev, &all, NULL, NULL), 0);
	CHECK_EQ(vmmio_init(&fx.dev, &all, NULL, NULL), 0); /* resets a live device */
	CHECK_EQ(devsim_resets(fx.sim), 2);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_reset_timeout_is_reported(void)
{
	struct fixture fx;
	struct vmmio_features all = fx_all_features();

	fx_open(&fx, DEVSIM_NET, false, stuck_reset);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_init(&fx.dev, &all, NULL, NULL), 0); /* Status was 0 already */
	fx.dev.timeout_ms = 20;
	CHECK_EQ(vmmio_reset(&fx.dev), -ETIMEDOUT);
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "Status still reads");
	fx_close(&fx);
}

static int failing_setup(struct vmmio_dev *d, void *arg)
{
	(void)arg;
	(void)d;
	return -ENOMEM;
}

static void t_setup_failure_sets_failed(void)
{
	struct fixture fx;
	struct vmmio_features all = fx_all_features();

	fx_open(&fx, DEVSIM_NET, false, NULL);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_init(&fx.dev, &all, failing_setup, NULL), -ENOMEM);
	CHECK(devsim_status(fx.sim) & VMMIO_STATUS_FAILED);
	CHECK(!(devsim_status(fx.sim) & VMMIO_STATUS_DRIVER_OK));
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "setup failed");
	fx_check_clean(&fx);
	fx_close(&fx);
}

/*
 * DriverFeaturesSel goes only as far as the last word with an accepted bit:
 * a device whose selector knows only words 0 and 1 (QEMU 7.2's virtio-mmio
 * takes any non-zero selector as word 1) must not see zero words written
 * over word 1 after it, which silently dropped VERSION_1 and RING_PACKED.
 */
static void t_driver_features_words_written(void)
{
	struct fixture fx;
	struct vmmio_features all = fx_all_features();
	unsigned max_sel = 0, word1_writes = 0;
	uint32_t sel = 0;

	fx_open(&fx, DEVSIM_NET, false, NULL);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	devsim_log_clear(fx.sim);
	CHECK_EQ(vmmio_init(&fx.dev, &all, NULL, NULL), 0);
	for (size_t i = 0; i < devsim_log_count(fx.sim); i++) {
		const struct devsim_access *a = devsim_log_entry(fx.sim, i);

		if (a->kind != DEVSIM_WRITE)
			continue;
		if (a->off == VMMIO_REG_DRIVER_FEATURES_SEL) {
			sel = a->value;
			max_sel = sel > max_sel ? sel : max_sel;
		} else if (a->off == VMMIO_REG_DRIVER_FEATURES && sel == 1) {
			word1_writes++;
		}
	}
	/* Nothing above bit 63 is accepted from devsim's net device. */
	CHECK_EQ(fx.dev.driver_features.w[2] | fx.dev.driver_features.w[3], 0);
	CHECK_EQ(max_sel, 1);
	CHECK_EQ(word1_writes, 1);
	CHECK(vmmio_feat_has(&fx.dev.driver_features, VMMIO_F_RING_PACKED));
	fx_check_clean(&fx);
	fx_close(&fx);
}

int main(void)
{
	TAP_RUN(t_init_modern_negotiates);
	TAP_RUN(t_init_only_wanted_and_offered);
	TAP_RUN(t_init_ignores_invalid_offers);
	TAP_RUN(t_init_drops_unmet_requirements);
	TAP_RUN(t_init_legacy_no_version_1);
	TAP_RUN(t_refused_features_set_failed);
	TAP_RUN(t_modern_without_version_1_fails);
	TAP_RUN(t_features_locked_after_features_ok);
	TAP_RUN(t_config_read_not_written_during_negotiation);
	TAP_RUN(t_reset_waits_for_zero);
	TAP_RUN(t_reset_timeout_is_reported);
	TAP_RUN(t_setup_failure_sets_failed);
	TAP_RUN(t_driver_features_words_written);
	return tap_end();
}
