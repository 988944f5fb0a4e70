/* SPDX-License-Identifier: BSD-3-Clause */
/* Interrupts: "Notifications From The Device" over MMIO. */
#include "transport.h"

int vmmio_irq_wait(struct vmmio_dev *d, int timeout_ms)
{
	return d->win.ops->wait_irq(d->win.ctx, timeout_ms);
}

unsigned vmmio_irq_handle(struct vmmio_dev *d)
{
	/* "The driver MUST ignore undefined bits in InterruptStatus." */
	const uint32_t isr = reg_read(d, VMMIO_REG_INTERRUPT_STATUS) & VMMIO_ISR_DEFINED;
	unsigned ev = 0;

	/* Acknowledge exactly the events read, before the caller handles them:
	 * an event that arrives meanwhile sets its bit again and re-raises the
	 * line, so none is lost. Undefined bits are never set in the ACK. Only
	 * then may a masked line (UIO) fire again: unmasked before the ACK, a
	 * level-triggered line would still be raised and fire at once. */
	if (isr)
		reg_write(d, VMMIO_REG_INTERRUPT_ACK, isr);
	vmmio_regwin_unmask(&d->win);
	if (!isr)
		return 0;
	if (isr & VMMIO_ISR_USED_BUFFER)
		ev |= VMMIO_EV_USED;
	if (isr & VMMIO_ISR_CONFIG_CHANGE) {
		ev |= VMMIO_EV_CONFIG;
		d->config_changes++;
		/* DEVICE_NEEDS_RESET is announced by a configuration change
		 * notification ("Notification of Device Configuration Changes"). */
		if (vmmio_needs_reset(d))
			ev |= VMMIO_EV_NEEDS_RESET;
	}
	return ev;
}
