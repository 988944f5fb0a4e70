/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * devsim's events and its virtual clock: the interrupt edge and wait_irq,
 * hotplug now and after a delay, timeouts that advance the clock.
 */
#include <errno.h>

#include "sim.h"

/* A placeholder device (DeviceID 0) that a hotplug turns into a net device. */
static void open_placeholder(struct sim *sim)
{
	sim_config(sim, DEVSIM_NET, false);
	sim->cfg.device_id = 0;
	sim_start(sim);
	CHECK_EQ(rd(sim, VMMIO_REG_MAGIC_VALUE), VMMIO_MAGIC_VALUE);
	CHECK_EQ(rd(sim, VMMIO_REG_VERSION), 2);
	CHECK_EQ(rd(sim, VMMIO_REG_DEVICE_ID), 0);
}

/* The interrupt is an edge: one wait consumes it. */
static void t_wait_consumes_edge(void)
{
	struct sim sim;

	sim_open(&sim, DEVSIM_NET, false);
	sim_bring_up(&sim);
	CHECK_EQ(wait_irq(&sim, 0), 0);
	devsim_raise_irq(sim.s, VMMIO_ISR_USED_BUFFER);
	CHECK_EQ(wait_irq(&sim, 0), 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_INTERRUPT_STATUS), VMMIO_ISR_USED_BUFFER);
	wr(&sim, VMMIO_REG_INTERRUPT_ACK, VMMIO_ISR_USED_BUFFER);
	CHECK_EQ(wait_irq(&sim, 0), 0);
	/* Two events before a wait: one edge pending, both bits presented. */
	devsim_raise_irq(sim.s, VMMIO_ISR_USED_BUFFER);
	devsim_raise_irq(sim.s, VMMIO_ISR_CONFIG_CHANGE);
	CHECK_EQ(wait_irq(&sim, 100), 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_INTERRUPT_STATUS), 3);
	wr(&sim, VMMIO_REG_INTERRUPT_ACK, 3);
	CHECK_EQ(wait_irq(&sim, 100), 0);
	sim_check_clean(&sim);
	sim_close(&sim);
}

/* A device reset drops the pending interrupt together with InterruptStatus. */
static void t_reset_drops_pending_irq(void)
{
	struct sim sim;

	sim_open(&sim, DEVSIM_NET, false);
	sim_bring_up(&sim);
	devsim_raise_irq(sim.s, VMMIO_ISR_CONFIG_CHANGE);
	wr(&sim, VMMIO_REG_STATUS, 0);
	CHECK_EQ(wait_irq(&sim, 0), 0);
	sim_close(&sim);
}

static void t_hotplug_now(void)
{
	struct sim sim;

	open_placeholder(&sim);
	devsim_hotplug(sim.s, VMMIO_DEVICE_ID_NET, 0);
	CHECK_EQ(wait_irq(&sim, 0), 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_DEVICE_ID), 1);
	CHECK_EQ(wait_irq(&sim, 0), 0);
	sim_check_clean(&sim);
	sim_close(&sim);
}

/* A scheduled hotplug happens exactly when the virtual clock reaches it. */
static void t_hotplug_scheduled(void)
{
	struct sim sim;

	open_placeholder(&sim);
	devsim_hotplug(sim.s, VMMIO_DEVICE_ID_BLK, 100);
	CHECK_EQ(wait_irq(&sim, 99), 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_DEVICE_ID), 0);
	CHECK_EQ(wait_irq(&sim, 1), 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_DEVICE_ID), 2);
	CHECK_EQ(wait_irq(&sim, 1000), 0);
	sim_check_clean(&sim);
	sim_close(&sim);
}

/* A hotplug within a long timeout ends the wait early (at the hotplug
 * time, not the end of the timeout): the next hotplug is scheduled from
 * there. */
static void t_hotplug_ends_wait_early(void)
{
	struct sim sim;

	open_placeholder(&sim);
	devsim_hotplug(sim.s, 5, 10);
	CHECK_EQ(wait_irq(&sim, 1000), 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_DEVICE_ID), 5);
	/* Clock is at 10: a hotplug 20 ms later falls in a 25 ms wait. */
	devsim_hotplug(sim.s, 6, 20);
	CHECK_EQ(wait_irq(&sim, 19), 0);
	CHECK_EQ(wait_irq(&sim, 1), 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_DEVICE_ID), 6);
	sim_close(&sim);
}

/* Timeouts advance the virtual clock: 3 waits of 40 ms reach a hotplug
 * scheduled at 100 ms, which no single 40 ms wait from 0 would. */
static void t_timeout_advances_clock(void)
{
	struct sim sim;

	open_placeholder(&sim);
	devsim_hotplug(sim.s, 1, 100);
	CHECK_EQ(wait_irq(&sim, 40), 0); /* clock 40 */
	CHECK_EQ(wait_irq(&sim, 40), 0); /* clock 80 */
	CHECK_EQ(rd(&sim, VMMIO_REG_DEVICE_ID), 0);
	CHECK_EQ(wait_irq(&sim, 40), 1); /* hotplug at 100 */
	CHECK_EQ(rd(&sim, VMMIO_REG_DEVICE_ID), 1);
	sim_close(&sim);
}

/* A negative timeout waits for whatever is scheduled; with nothing due it
 * would hang, so it fails instead. */
static void t_wait_forever(void)
{
	struct sim sim;

	open_placeholder(&sim);
	CHECK_EQ(wait_irq(&sim, -1), -EDEADLK);
	devsim_hotplug(sim.s, 1, 5000);
	CHECK_EQ(wait_irq(&sim, -1), 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_DEVICE_ID), 1);
	sim_close(&sim);
}

/* Each wait is in the log with its timeout and result. */
static void t_waits_logged(void)
{
	struct sim sim;
	const struct devsim_access *e;
	size_t n;

	open_placeholder(&sim);
	devsim_hotplug(sim.s, 1, 30);
	devsim_log_clear(sim.s);
	wait_irq(&sim, 20);
	wait_irq(&sim, 20);
	n = devsim_log_count(sim.s);
	CHECK_EQ(n, 2);
	e = devsim_log_entry(sim.s, 0);
	CHECK(e && e->kind == DEVSIM_IRQ_WAIT);
	if (e) {
		CHECK_EQ(e->off, 20);
		CHECK_EQ(e->value, 0);
	}
	e = devsim_log_entry(sim.s, 1);
	CHECK(e && e->kind == DEVSIM_IRQ_WAIT);
	if (e)
		CHECK_EQ(e->value, 1);
	sim_close(&sim);
}

int main(void)
{
	TAP_RUN(t_wait_consumes_edge);
	TAP_RUN(t_reset_drops_pending_irq);
	TAP_RUN(t_hotplug_now);
	TAP_RUN(t_hotplug_scheduled);
	TAP_RUN(t_hotplug_ends_wait_early);
	TAP_RUN(t_timeout_advances_clock);
	TAP_RUN(t_wait_forever);
	TAP_RUN(t_waits_logged);
	return tap_end();
}
