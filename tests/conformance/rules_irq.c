/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interrupt rules of "MMIO Device Register Layout" and "Notifications From
 * The Device": read InterruptStatus after an interrupt, ignore its
 * undefined bits, and ACK exactly the defined events handled.
 */
#include "driver.h"
#include "raw.h"
#include "vmmio_net.h"

/* Undefined InterruptStatus bits a device model may set to test drivers. */
#define ISR_UNDEFINED_SOME 0x80000010u

/* The last value written to InterruptACK (from the log), or -1 if none. */
static long long last_ack(const struct devsim *sim)
{
	for (size_t i = devsim_log_count(sim); i-- > 0;) {
		const struct devsim_access *a = devsim_log_entry(sim, i);

		if (a->kind == DEVSIM_WRITE && a->off == VMMIO_REG_INTERRUPT_ACK)
			return a->value;
	}
	return -1;
}

/* Raise @isr, wait for the interrupt and handle it: returns the events. */
static unsigned raise_and_handle(struct drv *t, uint32_t isr)
{
	devsim_raise_irq(t->sim, isr);
	EXPECT_EQ(vmmio_irq_wait(&t->dev, 100), 1);
	return vmmio_irq_handle(&t->dev);
}

static void pos_isr_undefined_ignore(void)
{
	struct drv_queues q = { 0 };
	struct drv t;

	drv_config(&t, DEVSIM_NET, false);
	drv_start(&t);
	if (drv_live(&t, NULL, &q)) {
		EXPECT_EQ(raise_and_handle(&t, VMMIO_ISR_USED_BUFFER | ISR_UNDEFINED_SOME),
			  VMMIO_EV_USED);
		EXPECT_EQ(last_ack(t.sim), VMMIO_ISR_USED_BUFFER);
		EXPECT_EQ(devsim_isr(t.sim) & VMMIO_ISR_DEFINED, 0);
	}
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_isr_undefined_ignore(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_live(&r, NULL);
	raw_take_irq(&r, VMMIO_ISR_USED_BUFFER | 0x10u);
	raw_expect_clean(&r);
	raw_write(&r, VMMIO_REG_INTERRUPT_ACK, VMMIO_ISR_USED_BUFFER | 0x10u);
	raw_expect_caught(&r, DEVSIM_RULE_ISR_UNDEFINED_IGNORE);
	raw_close(&r);
}

static void pos_ack_undefined_bits(void)
{
	struct drv_queues q = { 0 };
	struct drv t;

	drv_config(&t, DEVSIM_NET, false);
	drv_start(&t);
	if (drv_live(&t, NULL, &q)) {
		EXPECT_EQ(raise_and_handle(&t, VMMIO_ISR_DEFINED), VMMIO_EV_USED | VMMIO_EV_CONFIG);
		EXPECT_EQ(last_ack(t.sim), VMMIO_ISR_DEFINED);
		EXPECT_EQ(raise_and_handle(&t, ~VMMIO_ISR_CONFIG_CHANGE), VMMIO_EV_USED);
		EXPECT_EQ(last_ack(t.sim), VMMIO_ISR_USED_BUFFER);
	}
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_ack_undefined_bits(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_live(&r, NULL);
	raw_take_irq(&r, VMMIO_ISR_USED_BUFFER);
	raw_expect_clean(&r);
	raw_write(&r, VMMIO_REG_INTERRUPT_ACK, VMMIO_ISR_USED_BUFFER | 0x4u);
	raw_expect_caught(&r, DEVSIM_RULE_ACK_UNDEFINED_BITS);
	raw_expect_not_caught(&r, DEVSIM_RULE_ISR_UNDEFINED_IGNORE);
	raw_close(&r);
}

/* Several interrupts in a row, on both versions: each one leaves
 * InterruptStatus clear. */
static void pos_ack_handled(void)
{
	static const uint32_t events[] = { VMMIO_ISR_USED_BUFFER, VMMIO_ISR_CONFIG_CHANGE,
					   VMMIO_ISR_DEFINED, VMMIO_ISR_USED_BUFFER };
	struct drv_queues q = { 0 };
	struct drv t;

	for (int legacy = 0; legacy <= 1; legacy++) {
		drv_config(&t, DEVSIM_NET, legacy);
		drv_start(&t);
		if (drv_live(&t, NULL, &q)) {
			for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
				unsigned ev = raise_and_handle(&t, events[i]);

				EXPECT_EQ(ev & (VMMIO_EV_USED | VMMIO_EV_CONFIG), events[i]);
				EXPECT_EQ(devsim_isr(t.sim), 0);
			}
		}
		expect_clean(t.sim);
		drv_close(&t);
	}
}

static void neg_ack_handled(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_live(&r, NULL);
	raw_take_irq(&r, VMMIO_ISR_USED_BUFFER);
	raw_expect_clean(&r);
	raw_read(&r, VMMIO_REG_INTERRUPT_STATUS);
	raw_expect_caught(&r, DEVSIM_RULE_ACK_HANDLED);
	raw_close(&r);
}

/* A used-buffer interrupt, then a real configuration change: each is
 * acknowledged alone. */
static void pos_ack_only_handled(void)
{
	static const uint8_t link_down[2] = { 0, 0 };
	struct drv_queues q = { 0 };
	struct vmmio_net_config nc;
	struct drv t;

	drv_config(&t, DEVSIM_NET, false);
	drv_start(&t);
	if (drv_live(&t, NULL, &q)) {
		EXPECT_EQ(raise_and_handle(&t, VMMIO_ISR_USED_BUFFER), VMMIO_EV_USED);
		EXPECT_EQ(last_ack(t.sim), VMMIO_ISR_USED_BUFFER);
		devsim_config_change(t.sim, VMMIO_NET_CFG_STATUS, link_down, sizeof(link_down));
		EXPECT_EQ(vmmio_irq_wait(&t.dev, 100), 1);
		EXPECT_EQ(vmmio_irq_handle(&t.dev), VMMIO_EV_CONFIG);
		EXPECT_EQ(last_ack(t.sim), VMMIO_ISR_CONFIG_CHANGE);
		EXPECT_EQ(t.dev.config_changes, 1);
		EXPECT_OK(&t.dev, vmmio_net_config_read(&t.dev, &nc));
		EXPECT(nc.has_status);
		EXPECT_EQ(nc.status & VMMIO_NET_S_LINK_UP, 0);
	}
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_ack_only_handled(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_live(&r, NULL);
	raw_take_irq(&r, VMMIO_ISR_USED_BUFFER);
	raw_expect_clean(&r);
	raw_write(&r, VMMIO_REG_INTERRUPT_ACK, VMMIO_ISR_DEFINED);
	raw_expect_caught(&r, DEVSIM_RULE_ACK_ONLY_HANDLED);
	raw_expect_not_caught(&r, DEVSIM_RULE_ACK_UNDEFINED_BITS);
	raw_close(&r);
}

/* Wait, handle, wait again (which times out: the line is quiet). */
static void pos_irq_read_status(void)
{
	struct drv_queues q = { 0 };
	struct drv t;

	for (int legacy = 0; legacy <= 1; legacy++) {
		drv_config(&t, DEVSIM_NET, legacy);
		drv_start(&t);
		if (drv_live(&t, NULL, &q)) {
			EXPECT_EQ(raise_and_handle(&t, VMMIO_ISR_USED_BUFFER), VMMIO_EV_USED);
			EXPECT_EQ(vmmio_irq_wait(&t.dev, 10), 0);
			EXPECT_EQ(raise_and_handle(&t, VMMIO_ISR_USED_BUFFER), VMMIO_EV_USED);
		}
		expect_clean(t.sim);
		drv_close(&t);
	}
}

static void neg_irq_read_status(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_live(&r, NULL);
	devsim_raise_irq(r.sim, VMMIO_ISR_USED_BUFFER);
	EXPECT_EQ(raw_wait_irq(&r, 100), 1);
	raw_expect_clean(&r);
	raw_wait_irq(&r, 10);
	raw_expect_caught(&r, DEVSIM_RULE_IRQ_READ_STATUS);
	raw_close(&r);
}

static const struct conformance_case cases[] = {
	{ DEVSIM_RULE_ISR_UNDEFINED_IGNORE,
	  "an interrupt with undefined InterruptStatus bits is handled as used buffer, ACK 0x1",
	  pos_isr_undefined_ignore, "ACK the undefined bit 0x10 just read from InterruptStatus",
	  neg_isr_undefined_ignore },
	{ DEVSIM_RULE_ACK_UNDEFINED_BITS,
	  "ACK carries only bits 0 and 1, also when every other bit is set in InterruptStatus",
	  pos_ack_undefined_bits, "ACK 0x5 for a used buffer notification", neg_ack_undefined_bits },
	{ DEVSIM_RULE_ACK_HANDLED,
	  "four interrupts in a row each leave InterruptStatus clear (Version 2 and 1)",
	  pos_ack_handled, "read InterruptStatus again without acknowledging", neg_ack_handled },
	{ DEVSIM_RULE_ACK_ONLY_HANDLED,
	  "a used buffer and then a configuration change are each acknowledged alone",
	  pos_ack_only_handled, "ACK 0x3 after reading only the used buffer bit",
	  neg_ack_only_handled },
	{ DEVSIM_RULE_IRQ_READ_STATUS,
	  "wait, handle, wait again (timeout), and again (Version 2 and 1)", pos_irq_read_status,
	  "wait for the interrupt twice without reading InterruptStatus", neg_irq_read_status },
};

const struct conformance_table conformance_irq_cases = CONFORMANCE_TABLE(cases);
