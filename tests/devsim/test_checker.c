/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sanity of devsim's checker: a correct raw driver sequence is clean on
 * every personality and layout, a few broken ones are caught with useful
 * details, and the rule table is complete. (tests/conformance has one
 * positive and one negative test per rule.)
 */
#include "sim.h"

/* The whole life of a modern device, by the book: probe, init, queues,
 * a bracketed configuration read, DRIVER_OK, notifications, an interrupt
 * handled, a queue stopped, a reset. */
static void t_clean_modern_net(void)
{
	struct sim sim;

	sim_open(&sim, DEVSIM_NET, false);
	sim_bring_up(&sim);
	CHECK_EQ(rd(&sim, VMMIO_REG_CONFIG_GENERATION), 0);
	CHECK_EQ(cfg_rd(&sim, 10, 2), 1500);
	CHECK_EQ(rd(&sim, VMMIO_REG_CONFIG_GENERATION), 0);
	wr(&sim, VMMIO_REG_QUEUE_NOTIFY, 0);
	devsim_raise_irq(sim.s, VMMIO_ISR_USED_BUFFER);
	CHECK_EQ(wait_irq(&sim, 10), 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_INTERRUPT_STATUS), VMMIO_ISR_USED_BUFFER);
	wr(&sim, VMMIO_REG_INTERRUPT_ACK, VMMIO_ISR_USED_BUFFER);
	CHECK_EQ(wait_irq(&sim, 10), 0);
	wr(&sim, VMMIO_REG_QUEUE_SEL, 2);
	wr(&sim, VMMIO_REG_QUEUE_READY, 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_READY), 0);
	CHECK_EQ(sim_reset(&sim), 1);
	sim_check_clean(&sim);
	sim_close(&sim);
}

static void t_clean_legacy_net(void)
{
	struct sim sim;

	sim_open(&sim, DEVSIM_NET, true);
	sim_bring_up(&sim);
	for (unsigned i = 0; i < 6; i++)
		cfg_rd(&sim, i, 1);
	wr(&sim, VMMIO_REG_QUEUE_NOTIFY, 1);
	sim_check_clean(&sim);
	sim_close(&sim);
}

/* The 64-bit capacity inside a ConfigGeneration bracket is clean; outside
 * it, or without the closing read, it is not. */
static void t_blk_wide_field(void)
{
	struct sim sim;
	const struct devsim_violation *v;

	sim_open(&sim, DEVSIM_BLK, false);
	sim_bring_up(&sim);
	rd(&sim, VMMIO_REG_CONFIG_GENERATION);
	cfg_rd(&sim, 0, 4);
	cfg_rd(&sim, 4, 4);
	rd(&sim, VMMIO_REG_CONFIG_GENERATION);
	sim_check_clean(&sim);
	/* The closing read may open the next bracket; a Status read ends it. */
	rd(&sim, VMMIO_REG_CONFIG_GENERATION);
	cfg_rd(&sim, 0, 4);
	cfg_rd(&sim, 4, 4);
	rd(&sim, VMMIO_REG_CONFIG_GENERATION);
	sim_check_clean(&sim);

	rd(&sim, VMMIO_REG_STATUS);
	cfg_rd(&sim, 0, 4);
	v = sim_find(&sim, DEVSIM_RULE_CFG_WIDE_ATOMIC);
	CHECK(v != NULL);
	if (v)
		CHECK_STR_HAS(v->detail, "capacity");
	devsim_clear_violations(sim.s);
	rd(&sim, VMMIO_REG_CONFIG_GENERATION);
	cfg_rd(&sim, 0, 4);
	cfg_rd(&sim, 4, 4);
	CHECK(!devsim_violated(sim.s, DEVSIM_RULE_CFG_WIDE_ATOMIC));
	rd(&sim, VMMIO_REG_STATUS);
	CHECK(devsim_violated(sim.s, DEVSIM_RULE_CFG_WIDE_ATOMIC));
	sim_close(&sim);
}

static void t_write_magic_is_write_ro(void)
{
	struct sim sim;
	const struct devsim_violation *v;
	const struct devsim_access *last;

	sim_open(&sim, DEVSIM_NET, false);
	sim_probe(&sim);
	wr(&sim, VMMIO_REG_MAGIC_VALUE, 2);
	CHECK_EQ(devsim_violation_count(sim.s), 1);
	v = sim_find(&sim, DEVSIM_RULE_WRITE_RO);
	last = devsim_log_entry(sim.s, devsim_log_count(sim.s) - 1);
	CHECK(v != NULL);
	if (v) {
		CHECK_STR_HAS(v->detail, "wrote 0x2 to MagicValue");
		CHECK_EQ(v->seq, last->seq); /* the access that broke it */
	}
	sim_close(&sim);
}

static void t_read_of_write_only(void)
{
	struct sim sim;
	const struct devsim_violation *v;

	sim_open(&sim, DEVSIM_NET, false);
	sim_bring_up(&sim);
	rd(&sim, VMMIO_REG_INTERRUPT_ACK);
	v = sim_find(&sim, DEVSIM_RULE_READ_WO);
	CHECK(v != NULL);
	if (v)
		CHECK_STR_HAS(v->detail, "InterruptACK");
	sim_close(&sim);
}

static void t_narrow_control_access(void)
{
	struct sim sim;

	sim_open(&sim, DEVSIM_NET, false);
	sim_probe(&sim);
	sim.w.ops->read(sim.w.ctx, VMMIO_REG_STATUS, 2);
	CHECK(devsim_violated(sim.s, DEVSIM_RULE_REG_WIDTH));
	CHECK(!devsim_violated(sim.s, DEVSIM_RULE_UNDEF_ACCESS));
	sim.w.ops->read(sim.w.ctx, 0x0a8, 4);
	CHECK(devsim_violated(sim.s, DEVSIM_RULE_UNDEF_ACCESS));
	sim_close(&sim);
}

static void t_queue_size_max_detail(void)
{
	struct sim sim;
	const struct devsim_violation *v;

	sim_config(&sim, DEVSIM_NET, false);
	sim.cfg.queue_num_max[1] = 4;
	sim_start(&sim);
	sim_negotiate(&sim, &sim.cfg.features);
	wr(&sim, VMMIO_REG_QUEUE_SEL, 1);
	wr(&sim, VMMIO_REG_QUEUE_NUM, 4);
	CHECK(!devsim_violated(sim.s, DEVSIM_RULE_QUEUE_SIZE_MAX));
	wr(&sim, VMMIO_REG_QUEUE_NUM, 5);
	v = sim_find(&sim, DEVSIM_RULE_QUEUE_SIZE_MAX);
	CHECK(v != NULL);
	if (v)
		CHECK_STR_HAS(v->detail, "wrote 0x5 to QueueSize, QueueSizeMax is 4 (queue 1)");
	sim_close(&sim);
}

/* The probe must start with MagicValue, Version, DeviceID. */
static void t_probe_order(void)
{
	struct sim sim;

	sim_open(&sim, DEVSIM_NET, false);
	rd(&sim, VMMIO_REG_VERSION);
	CHECK(devsim_violated(sim.s, DEVSIM_RULE_INIT_PROBE_ORDER));
	sim_close(&sim);

	sim_open(&sim, DEVSIM_NET, false);
	sim_probe(&sim);
	/* Probing again later is fine. */
	sim_probe(&sim);
	sim_check_clean(&sim);
	sim_close(&sim);
}

/* DeviceID 0: only DeviceID reads and interrupt waits until it changes. */
static void t_device_id_zero(void)
{
	struct sim sim;

	sim_config(&sim, DEVSIM_NET, false);
	sim.cfg.device_id = 0;
	sim_start(&sim);
	CHECK_EQ(rd(&sim, VMMIO_REG_MAGIC_VALUE), VMMIO_MAGIC_VALUE);
	CHECK_EQ(rd(&sim, VMMIO_REG_VERSION), 2);
	CHECK_EQ(rd(&sim, VMMIO_REG_DEVICE_ID), 0);
	CHECK_EQ(wait_irq(&sim, 5), 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_DEVICE_ID), 0);
	sim_check_clean(&sim);
	rd(&sim, VMMIO_REG_VENDOR_ID);
	CHECK(devsim_violated(sim.s, DEVSIM_RULE_DEVICE_ID_ZERO));
	sim_close(&sim);
}

/* A driver that resets and then sets DRIVER_OK on a refused feature set. */
static void t_continue_after_refusal(void)
{
	struct sim sim;
	const uint32_t st = VMMIO_STATUS_ACKNOWLEDGE | VMMIO_STATUS_DRIVER;

	sim_config(&sim, DEVSIM_NET, false);
	sim.cfg.refuse_all = true;
	sim_start(&sim);
	CHECK(!(sim_negotiate(&sim, &sim.cfg.features) & VMMIO_STATUS_FEATURES_OK));
	sim_check_clean(&sim);
	wr(&sim, VMMIO_REG_STATUS, st | VMMIO_STATUS_FEATURES_OK | VMMIO_STATUS_DRIVER_OK);
	CHECK(devsim_violated(sim.s, DEVSIM_RULE_INIT_FAILED_STOP));
	sim_close(&sim);
}

static void t_rule_table(void)
{
	for (unsigned r = 0; r < DEVSIM_RULE_COUNT; r++) {
		const struct devsim_rule_info *info = devsim_rule_info((enum devsim_rule)r);

		CHECK(info != NULL);
		if (!info)
			continue;
		CHECK(info->id[0] != '\0');
		CHECK(info->section[0] != '\0');
		CHECK(info->text[0] != '\0');
		CHECK_EQ(devsim_rule_by_id(info->id), r);
	}
	CHECK_EQ(devsim_rule_by_id("MMIO-WRITE-RO"), DEVSIM_RULE_WRITE_RO);
	CHECK_EQ(devsim_rule_by_id("VQ-REENABLE-CONFIGURE"), DEVSIM_RULE_QUEUE_REENABLE);
	CHECK_EQ(devsim_rule_by_id("NO-SUCH-RULE"), DEVSIM_RULE_COUNT);
	CHECK(devsim_rule_info(DEVSIM_RULE_COUNT) == NULL);
}

static void t_clear_violations(void)
{
	struct sim sim;

	sim_open(&sim, DEVSIM_NET, false);
	sim_probe(&sim);
	wr(&sim, VMMIO_REG_VERSION, 1);
	CHECK(devsim_violated(sim.s, DEVSIM_RULE_WRITE_RO));
	devsim_clear_violations(sim.s);
	CHECK_EQ(devsim_violation_count(sim.s), 0);
	CHECK(!devsim_violated(sim.s, DEVSIM_RULE_WRITE_RO));
	CHECK(devsim_violation(sim.s, 0) == NULL);
	sim_close(&sim);
}

int main(void)
{
	TAP_RUN(t_clean_modern_net);
	TAP_RUN(t_clean_legacy_net);
	TAP_RUN(t_blk_wide_field);
	TAP_RUN(t_write_magic_is_write_ro);
	TAP_RUN(t_read_of_write_only);
	TAP_RUN(t_narrow_control_access);
	TAP_RUN(t_queue_size_max_detail);
	TAP_RUN(t_probe_order);
	TAP_RUN(t_device_id_zero);
	TAP_RUN(t_continue_after_refusal);
	TAP_RUN(t_rule_table);
	TAP_RUN(t_clear_violations);
	return tap_end();
}
