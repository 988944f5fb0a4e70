/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * devsim keeps the device rules of the registers: identification, feature
 * words and selectors, the status field with reset and FEATURES_OK,
 * InterruptStatus/ACK, DEVICE_NEEDS_RESET, and the configuration space with
 * its generation.
 */
#include "sim.h"

static void t_identity_modern_net(void)
{
	struct sim sim;

	sim_open(&sim, DEVSIM_NET, false);
	CHECK_EQ(rd(&sim, VMMIO_REG_MAGIC_VALUE), 0x74726976);
	CHECK_EQ(rd(&sim, VMMIO_REG_VERSION), 2);
	CHECK_EQ(rd(&sim, VMMIO_REG_DEVICE_ID), 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_VENDOR_ID), 0x554d4551);
	sim_check_clean(&sim);
	sim_close(&sim);
}

static void t_identity_legacy_blk(void)
{
	struct sim sim;

	sim_open(&sim, DEVSIM_BLK, true);
	CHECK_EQ(rd(&sim, VMMIO_REG_MAGIC_VALUE), 0x74726976);
	CHECK_EQ(rd(&sim, VMMIO_REG_VERSION), 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_DEVICE_ID), 2);
	CHECK_EQ(rd(&sim, VMMIO_REG_VENDOR_ID), 0x554d4551);
	sim_close(&sim);
}

/* A bad MagicValue or Version in the config is what the device presents. */
static void t_bad_identity_presented(void)
{
	struct sim sim;

	sim_config(&sim, DEVSIM_NET, false);
	sim.cfg.magic = 0x12345678;
	sim.cfg.version = 3;
	sim.cfg.vendor_id = 0xabcd;
	sim_start(&sim);
	CHECK_EQ(rd(&sim, VMMIO_REG_MAGIC_VALUE), 0x12345678);
	CHECK_EQ(rd(&sim, VMMIO_REG_VERSION), 3);
	CHECK_EQ(rd(&sim, VMMIO_REG_VENDOR_ID), 0xabcd);
	sim_close(&sim);
}

static void t_device_features_words(void)
{
	struct sim sim;

	sim_open(&sim, DEVSIM_NET, false);
	for (uint32_t w = 0; w < VMMIO_FEATURE_WORDS; w++)
		CHECK_EQ(sim_offered_word(&sim, w), sim.cfg.features.w[w]);
	CHECK(sim_offered_word(&sim, 1) & 1u); /* VIRTIO_F_VERSION_1 is bit 32 */
	CHECK_EQ(sim_offered_word(&sim, 4), 0);
	CHECK_EQ(sim_offered_word(&sim, 1000), 0);
	/* The selector is what counts, not the order of the reads. */
	CHECK_EQ(sim_offered_word(&sim, 0), sim.cfg.features.w[0]);
	sim_close(&sim);
}

/* Version 1 has one HostFeatures word: bits >= 32 are never presented. */
static void t_device_features_legacy_one_word(void)
{
	struct sim sim;

	sim_config(&sim, DEVSIM_NET, true);
	vmmio_feat_set(&sim.cfg.features, VMMIO_F_VERSION_1);
	sim_start(&sim);
	CHECK_EQ(sim_offered_word(&sim, 0), sim.cfg.features.w[0]);
	CHECK(sim_offered_word(&sim, 0) & (1u << VMMIO_F_ANY_LAYOUT));
	CHECK_EQ(sim_offered_word(&sim, 1), 0);
	sim_close(&sim);
}

static void t_driver_features_words(void)
{
	struct sim sim;
	struct vmmio_features got;
	const uint32_t words[VMMIO_FEATURE_WORDS] = { 0x11, 0x22, 0x33, 0x44 };

	sim_open(&sim, DEVSIM_NET, false);
	for (uint32_t w = 0; w < VMMIO_FEATURE_WORDS; w++)
		sim_accept_word(&sim, w, words[w]);
	sim_accept_word(&sim, 7, 0xffffffff); /* no such word: dropped */
	devsim_driver_features(sim.s, &got);
	for (uint32_t w = 0; w < VMMIO_FEATURE_WORDS; w++)
		CHECK_EQ(got.w[w], words[w]);
	/* Rewriting a word replaces it. */
	sim_accept_word(&sim, 2, 0x5);
	devsim_driver_features(sim.s, &got);
	CHECK_EQ(got.w[2], 0x5);
	CHECK_EQ(got.w[1], 0x22);
	sim_close(&sim);
}

static void t_driver_features_legacy_one_word(void)
{
	struct sim sim;
	struct vmmio_features got;

	sim_open(&sim, DEVSIM_NET, true);
	sim_accept_word(&sim, 0, 0x20);
	sim_accept_word(&sim, 1, 0x1);
	devsim_driver_features(sim.s, &got);
	CHECK_EQ(got.w[0], 0x20);
	CHECK_EQ(got.w[1], 0);
	sim_close(&sim);
}

/* Status = 0 is a reset: status, ISR, queues, features and selectors. */
static void t_reset_clears_state(void)
{
	struct sim sim;
	struct devsim_queue_state qs;
	struct vmmio_features got;
	uint32_t gen;

	sim_open(&sim, DEVSIM_NET, false);
	sim_bring_up(&sim);
	devsim_raise_irq(sim.s, VMMIO_ISR_USED_BUFFER);
	wr(&sim, VMMIO_REG_SHM_SEL, 3);
	gen = devsim_config_generation(sim.s);
	CHECK_EQ(devsim_isr(sim.s), VMMIO_ISR_USED_BUFFER);
	CHECK_EQ(devsim_queue_state(sim.s, 1, &qs), 0);
	CHECK(qs.ready);
	CHECK_EQ(devsim_resets(sim.s), 1);

	wr(&sim, VMMIO_REG_STATUS, 0);
	CHECK_EQ(devsim_resets(sim.s), 2);
	CHECK_EQ(devsim_status(sim.s), 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_STATUS), 0);
	CHECK_EQ(devsim_isr(sim.s), 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_INTERRUPT_STATUS), 0);
	for (uint16_t q = 0; q < sim.cfg.num_queues; q++) {
		CHECK_EQ(devsim_queue_state(sim.s, q, &qs), 0);
		CHECK(!qs.ready);
		CHECK_EQ(qs.desc, 0);
		CHECK_EQ(qs.num, 0);
	}
	devsim_driver_features(sim.s, &got);
	CHECK(vmmio_feat_empty(&got));
	CHECK_EQ(devsim_config_generation(sim.s), gen); /* kept across reset */
	/* The selectors are unset again: a DeviceFeatures read needs a Sel write. */
	CHECK(!devsim_violated(sim.s, DEVSIM_RULE_DEVICE_FEATURES_SEL));
	rd(&sim, VMMIO_REG_DEVICE_FEATURES);
	CHECK(devsim_violated(sim.s, DEVSIM_RULE_DEVICE_FEATURES_SEL));
	sim_close(&sim);
}

/* QueueReady reads 0 on every queue after reset, through the registers. */
static void t_reset_queue_ready_reads_zero(void)
{
	struct sim sim;

	sim_open(&sim, DEVSIM_NET, false);
	sim_bring_up(&sim);
	wr(&sim, VMMIO_REG_STATUS, 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_STATUS), 0);
	sim_negotiate(&sim, &sim.cfg.features);
	for (uint32_t q = 0; q < sim.cfg.num_queues; q++) {
		wr(&sim, VMMIO_REG_QUEUE_SEL, q);
		CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_READY), 0);
		CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_RESET), 0);
	}
	sim_check_clean(&sim);
	sim_close(&sim);
}

static void t_reset_legacy_clears_pfn(void)
{
	struct sim sim;
	struct devsim_queue_state qs;

	sim_open(&sim, DEVSIM_NET, true);
	sim_bring_up(&sim);
	CHECK_EQ(devsim_guest_page_size(sim.s), 4096);
	wr(&sim, VMMIO_REG_STATUS, 0);
	CHECK_EQ(devsim_queue_state(sim.s, 0, &qs), 0);
	CHECK(!qs.ready);
	CHECK_EQ(qs.pfn, 0);
	CHECK_EQ(devsim_guest_page_size(sim.s), 0);
	wr(&sim, VMMIO_REG_QUEUE_SEL, 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_LEGACY_QUEUE_PFN), 0);
	sim_close(&sim);
}

/* A slow reset: Status keeps the old value for reset_delay_reads reads. */
static void t_reset_delay(void)
{
	struct sim sim;
	uint32_t st = VMMIO_STATUS_ACKNOWLEDGE | VMMIO_STATUS_DRIVER;

	sim_config(&sim, DEVSIM_NET, false);
	sim.cfg.reset_delay_reads = 3;
	sim_start(&sim);
	sim_probe(&sim);
	/* From status 0 the reset is immediate: nothing to present. */
	CHECK_EQ(sim_reset(&sim), 1);
	wr(&sim, VMMIO_REG_STATUS, VMMIO_STATUS_ACKNOWLEDGE);
	wr(&sim, VMMIO_REG_STATUS, st);
	wr(&sim, VMMIO_REG_STATUS, 0);
	CHECK_EQ(devsim_status(sim.s), 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(rd(&sim, VMMIO_REG_STATUS), st);
	CHECK_EQ(rd(&sim, VMMIO_REG_STATUS), 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_STATUS), 0);
	/* The helper counts the same: 3 old values, then 0. */
	wr(&sim, VMMIO_REG_STATUS, VMMIO_STATUS_ACKNOWLEDGE);
	CHECK_EQ(sim_reset(&sim), 4);
	sim_check_clean(&sim);
	sim_close(&sim);
}

static void t_features_ok_accepted(void)
{
	struct sim sim;

	sim_open(&sim, DEVSIM_NET, false);
	CHECK(sim_negotiate(&sim, &sim.cfg.features) & VMMIO_STATUS_FEATURES_OK);
	CHECK(devsim_status(sim.s) & VMMIO_STATUS_FEATURES_OK);
	sim_check_clean(&sim);
	sim_close(&sim);
}

/* FEATURES_OK does not stick when an accepted bit is in the refuse set. */
static void t_features_ok_refuse_mask(void)
{
	struct sim sim;
	struct vmmio_features accept;

	sim_config(&sim, DEVSIM_NET, false);
	vmmio_feat_set(&sim.cfg.refuse, VMMIO_NET_F_MTU);
	sim_start(&sim);
	accept = sim.cfg.features;
	CHECK(!(sim_negotiate(&sim, &accept) & VMMIO_STATUS_FEATURES_OK));
	CHECK(!(devsim_status(sim.s) & VMMIO_STATUS_FEATURES_OK));
	CHECK(devsim_status(sim.s) & VMMIO_STATUS_DRIVER);
	/* Without the refused bit, after a reset, the same device accepts. */
	vmmio_feat_clear(&accept, VMMIO_NET_F_MTU);
	CHECK(sim_negotiate(&sim, &accept) & VMMIO_STATUS_FEATURES_OK);
	sim_close(&sim);
}

static void t_features_ok_refuse_all(void)
{
	struct sim sim;
	struct vmmio_features accept = { { 0 } };

	sim_config(&sim, DEVSIM_NET, false);
	sim.cfg.refuse_all = true;
	sim_start(&sim);
	vmmio_feat_set(&accept, VMMIO_F_VERSION_1);
	CHECK(!(sim_negotiate(&sim, &accept) & VMMIO_STATUS_FEATURES_OK));
	CHECK(!(sim_negotiate(&sim, &sim.cfg.features) & VMMIO_STATUS_FEATURES_OK));
	sim_close(&sim);
}

/* A Version 2 device refuses a driver that did not accept VERSION_1. */
static void t_features_ok_needs_version_1(void)
{
	struct sim sim;
	struct vmmio_features accept;

	sim_open(&sim, DEVSIM_NET, false);
	accept = sim.cfg.features;
	vmmio_feat_clear(&accept, VMMIO_F_VERSION_1);
	CHECK(!(sim_negotiate(&sim, &accept) & VMMIO_STATUS_FEATURES_OK));
	vmmio_feat_set(&accept, VMMIO_F_VERSION_1);
	CHECK(sim_negotiate(&sim, &accept) & VMMIO_STATUS_FEATURES_OK);
	sim_close(&sim);
}

/* The driver's bits stick; DEVICE_NEEDS_RESET is the device's: a driver
 * write neither sets nor clears it, only a reset does. */
static void t_status_bits_and_needs_reset(void)
{
	struct sim sim;
	const uint32_t ad = VMMIO_STATUS_ACKNOWLEDGE | VMMIO_STATUS_DRIVER;

	sim_open(&sim, DEVSIM_NET, false);
	sim_probe(&sim);
	sim_reset(&sim);
	wr(&sim, VMMIO_REG_STATUS, VMMIO_STATUS_ACKNOWLEDGE);
	CHECK_EQ(rd(&sim, VMMIO_REG_STATUS), VMMIO_STATUS_ACKNOWLEDGE);
	wr(&sim, VMMIO_REG_STATUS, ad | VMMIO_STATUS_DEVICE_NEEDS_RESET);
	CHECK_EQ(rd(&sim, VMMIO_REG_STATUS), ad);
	devsim_set_needs_reset(sim.s);
	CHECK_EQ(rd(&sim, VMMIO_REG_STATUS), ad | VMMIO_STATUS_DEVICE_NEEDS_RESET);
	wr(&sim, VMMIO_REG_STATUS, ad | VMMIO_STATUS_FAILED);
	CHECK_EQ(rd(&sim, VMMIO_REG_STATUS),
		 ad | VMMIO_STATUS_FAILED | VMMIO_STATUS_DEVICE_NEEDS_RESET);
	CHECK_EQ(sim_reset(&sim), 1);
	CHECK_EQ(devsim_status(sim.s), 0);
	sim_close(&sim);
}

/* Before DRIVER_OK, DEVICE_NEEDS_RESET sends no notification. */
static void t_needs_reset_before_driver_ok(void)
{
	struct sim sim;

	sim_open(&sim, DEVSIM_NET, false);
	sim_negotiate(&sim, &sim.cfg.features);
	devsim_set_needs_reset(sim.s);
	CHECK(rd(&sim, VMMIO_REG_STATUS) & VMMIO_STATUS_DEVICE_NEEDS_RESET);
	CHECK_EQ(rd(&sim, VMMIO_REG_INTERRUPT_STATUS), 0);
	CHECK_EQ(wait_irq(&sim, 10), 0);
	sim_close(&sim);
}

/* With DRIVER_OK, DEVICE_NEEDS_RESET comes with a configuration change
 * notification. */
static void t_needs_reset_after_driver_ok(void)
{
	struct sim sim;

	sim_open(&sim, DEVSIM_NET, false);
	sim_bring_up(&sim);
	devsim_set_needs_reset(sim.s);
	CHECK_EQ(wait_irq(&sim, 10), 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_INTERRUPT_STATUS), VMMIO_ISR_CONFIG_CHANGE);
	wr(&sim, VMMIO_REG_INTERRUPT_ACK, VMMIO_ISR_CONFIG_CHANGE);
	CHECK(rd(&sim, VMMIO_REG_STATUS) & VMMIO_STATUS_DEVICE_NEEDS_RESET);
	CHECK(rd(&sim, VMMIO_REG_STATUS) & VMMIO_STATUS_DRIVER_OK);
	sim_check_clean(&sim);
	sim_close(&sim);
}

/* Events stay in InterruptStatus until acknowledged; an ACK clears only
 * the bits written. */
static void t_isr_until_ack(void)
{
	struct sim sim;

	sim_open(&sim, DEVSIM_NET, false);
	sim_bring_up(&sim);
	devsim_raise_irq(sim.s, VMMIO_ISR_USED_BUFFER);
	CHECK_EQ(rd(&sim, VMMIO_REG_INTERRUPT_STATUS), 1);
	devsim_raise_irq(sim.s, VMMIO_ISR_CONFIG_CHANGE);
	CHECK_EQ(devsim_isr(sim.s), 3);
	CHECK_EQ(rd(&sim, VMMIO_REG_INTERRUPT_STATUS), 3);
	wr(&sim, VMMIO_REG_INTERRUPT_ACK, VMMIO_ISR_USED_BUFFER);
	CHECK_EQ(rd(&sim, VMMIO_REG_INTERRUPT_STATUS), VMMIO_ISR_CONFIG_CHANGE);
	wr(&sim, VMMIO_REG_INTERRUPT_ACK, VMMIO_ISR_CONFIG_CHANGE);
	CHECK_EQ(rd(&sim, VMMIO_REG_INTERRUPT_STATUS), 0);
	/* Undefined bits can be raised, to test a driver that must ignore them. */
	devsim_raise_irq(sim.s, 0x8u | VMMIO_ISR_USED_BUFFER);
	CHECK_EQ(rd(&sim, VMMIO_REG_INTERRUPT_STATUS), 0x9);
	CHECK_EQ(wait_irq(&sim, 0), 1);
	sim_close(&sim);
}

/* No used buffer notification before DRIVER_OK. */
static void t_no_used_irq_before_driver_ok(void)
{
	struct sim sim;

	sim_open(&sim, DEVSIM_NET, false);
	sim_negotiate(&sim, &sim.cfg.features);
	devsim_raise_irq(sim.s, VMMIO_ISR_USED_BUFFER);
	CHECK_EQ(devsim_isr(sim.s), 0);
	CHECK_EQ(wait_irq(&sim, 5), 0);
	devsim_raise_irq(sim.s, VMMIO_ISR_CONFIG_CHANGE | VMMIO_ISR_USED_BUFFER);
	CHECK_EQ(devsim_isr(sim.s), VMMIO_ISR_CONFIG_CHANGE);
	CHECK_EQ(wait_irq(&sim, 5), 1);
	sim_close(&sim);
}

static void t_config_change(void)
{
	struct sim sim;
	const uint8_t mtu[2] = { 0x00, 0x10 }; /* 4096, little endian */
	uint32_t gen;

	sim_open(&sim, DEVSIM_NET, false);
	sim_negotiate(&sim, &sim.cfg.features);
	gen = rd(&sim, VMMIO_REG_CONFIG_GENERATION);
	/* Before DRIVER_OK: new contents and generation, no notification. */
	devsim_config_change(sim.s, 10, mtu, sizeof(mtu));
	CHECK(rd(&sim, VMMIO_REG_CONFIG_GENERATION) != gen);
	CHECK_EQ(cfg_rd(&sim, 10, 2), 4096);
	CHECK_EQ(devsim_isr(sim.s), 0);
	CHECK_EQ(wait_irq(&sim, 1), 0);
	sim_close(&sim);

	sim_open(&sim, DEVSIM_NET, false);
	sim_bring_up(&sim);
	gen = devsim_config_generation(sim.s);
	devsim_config_change(sim.s, 10, mtu, sizeof(mtu));
	CHECK_EQ(devsim_config_generation(sim.s), gen + 1);
	CHECK_EQ(wait_irq(&sim, 1), 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_INTERRUPT_STATUS), VMMIO_ISR_CONFIG_CHANGE);
	wr(&sim, VMMIO_REG_INTERRUPT_ACK, VMMIO_ISR_CONFIG_CHANGE);
	CHECK_EQ(rd(&sim, VMMIO_REG_CONFIG_GENERATION), gen + 1);
	CHECK_EQ(cfg_rd(&sim, 10, 2), 4096);
	CHECK_EQ(rd(&sim, VMMIO_REG_CONFIG_GENERATION), gen + 1);
	sim_check_clean(&sim);
	sim_close(&sim);
}

/* Churn: each of the next n configuration reads bumps the generation, so a
 * bracketed read sees a change until the churn is over. */
static void t_config_churn(void)
{
	struct sim sim;
	uint32_t before, after;
	unsigned tries = 0;

	sim_open(&sim, DEVSIM_NET, false);
	sim_negotiate(&sim, &sim.cfg.features);
	devsim_config_churn(sim.s, 2);
	do {
		tries++;
		before = rd(&sim, VMMIO_REG_CONFIG_GENERATION);
		CHECK_EQ(cfg_rd(&sim, 0, 1), 0x52);
		after = rd(&sim, VMMIO_REG_CONFIG_GENERATION);
	} while (before != after && tries < 10);
	CHECK_EQ(tries, 3);
	sim_check_clean(&sim);

	/* UINT32_MAX: every read, forever. */
	devsim_config_churn(sim.s, UINT32_MAX);
	before = devsim_config_generation(sim.s);
	for (int i = 0; i < 50; i++)
		cfg_rd(&sim, 6, 2);
	CHECK_EQ(devsim_config_generation(sim.s), before + 50);
	devsim_config_churn(sim.s, 0);
	cfg_rd(&sim, 6, 2);
	CHECK_EQ(devsim_config_generation(sim.s), before + 50);
	sim_close(&sim);
}

/* The configuration space: 1, 2 and 4 byte little-endian accesses, bounded
 * by config_size (reads beyond are 0 and a violation). */
static void t_config_space_access(void)
{
	struct sim sim;
	const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	uint32_t gen;

	sim_open(&sim, DEVSIM_NET, false);
	sim_negotiate(&sim, &sim.cfg.features);
	for (unsigned i = 0; i < 6; i++)
		CHECK_EQ(cfg_rd(&sim, i, 1), mac[i]);
	CHECK_EQ(cfg_rd(&sim, 6, 2), 1); /* status: LINK_UP */
	CHECK_EQ(cfg_rd(&sim, 8, 2), 1); /* max_virtqueue_pairs */
	CHECK_EQ(cfg_rd(&sim, 10, 2), 1500); /* mtu */
	CHECK_EQ(cfg_rd(&sim, 12, 4), 10000); /* speed */
	CHECK_EQ(cfg_rd(&sim, 16, 1), 1); /* duplex: full */
	sim_check_clean(&sim);

	/* A driver write lands little endian and changes the generation. */
	wr(&sim, VMMIO_REG_STATUS, devsim_status(sim.s) | VMMIO_STATUS_DRIVER_OK);
	gen = devsim_config_generation(sim.s);
	cfg_wr(&sim, 12, 4, 0x01020304);
	CHECK_EQ(cfg_rd(&sim, 12, 4), 0x01020304);
	CHECK(devsim_config_generation(sim.s) != gen);

	CHECK(!devsim_violated(sim.s, DEVSIM_RULE_UNDEF_ACCESS));
	CHECK_EQ(cfg_rd(&sim, sim.cfg.config_size, 1), 0);
	CHECK(devsim_violated(sim.s, DEVSIM_RULE_UNDEF_ACCESS));
	sim_close(&sim);
}

/* blk: the 64-bit capacity read as two 32-bit halves. */
static void t_config_blk_capacity(void)
{
	struct sim sim;

	sim_open(&sim, DEVSIM_BLK, false);
	sim_negotiate(&sim, &sim.cfg.features);
	CHECK_EQ(rd(&sim, VMMIO_REG_CONFIG_GENERATION), 0);
	CHECK_EQ(cfg_rd(&sim, 0, 4), 2048);
	CHECK_EQ(cfg_rd(&sim, 4, 4), 0);
	CHECK_EQ(cfg_rd(&sim, 20, 4), 512);
	CHECK_EQ(rd(&sim, VMMIO_REG_CONFIG_GENERATION), 0);
	sim_check_clean(&sim);
	sim_close(&sim);
}

/* Version 1 has no ConfigGeneration: the offset is undefined there. */
static void t_config_generation_legacy_undefined(void)
{
	struct sim sim;

	sim_open(&sim, DEVSIM_NET, true);
	sim_negotiate(&sim, &sim.cfg.features);
	devsim_config_change(sim.s, 0, "\x02", 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_CONFIG_GENERATION), 0);
	CHECK(devsim_violated(sim.s, DEVSIM_RULE_UNDEF_ACCESS));
	CHECK_EQ(cfg_rd(&sim, 0, 1), 2);
	sim_close(&sim);
}

/* Writes to read-only registers change nothing; reads of write-only ones are 0. */
static void t_direction_semantics(void)
{
	struct sim sim;

	sim_open(&sim, DEVSIM_NET, false);
	sim_probe(&sim);
	wr(&sim, VMMIO_REG_DEVICE_ID, 7);
	CHECK_EQ(rd(&sim, VMMIO_REG_DEVICE_ID), 1);
	wr(&sim, VMMIO_REG_QUEUE_SEL, 2);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_SEL), 0);
	/* A narrow control access is undefined: reads 0, write dropped. */
	CHECK_EQ(sim.w.ops->read(sim.w.ctx, VMMIO_REG_MAGIC_VALUE, 1), 0);
	sim.w.ops->write(sim.w.ctx, VMMIO_REG_STATUS, 1, VMMIO_STATUS_ACKNOWLEDGE);
	CHECK_EQ(devsim_status(sim.s), 0);
	sim_close(&sim);
}

int main(void)
{
	TAP_RUN(t_identity_modern_net);
	TAP_RUN(t_identity_legacy_blk);
	TAP_RUN(t_bad_identity_presented);
	TAP_RUN(t_device_features_words);
	TAP_RUN(t_device_features_legacy_one_word);
	TAP_RUN(t_driver_features_words);
	TAP_RUN(t_driver_features_legacy_one_word);
	TAP_RUN(t_reset_clears_state);
	TAP_RUN(t_reset_queue_ready_reads_zero);
	TAP_RUN(t_reset_legacy_clears_pfn);
	TAP_RUN(t_reset_delay);
	TAP_RUN(t_features_ok_accepted);
	TAP_RUN(t_features_ok_refuse_mask);
	TAP_RUN(t_features_ok_refuse_all);
	TAP_RUN(t_features_ok_needs_version_1);
	TAP_RUN(t_status_bits_and_needs_reset);
	TAP_RUN(t_needs_reset_before_driver_ok);
	TAP_RUN(t_needs_reset_after_driver_ok);
	TAP_RUN(t_isr_until_ack);
	TAP_RUN(t_no_used_irq_before_driver_ok);
	TAP_RUN(t_config_change);
	TAP_RUN(t_config_churn);
	TAP_RUN(t_config_space_access);
	TAP_RUN(t_config_blk_capacity);
	TAP_RUN(t_config_generation_legacy_undefined);
	TAP_RUN(t_direction_semantics);
	return tap_end();
}
