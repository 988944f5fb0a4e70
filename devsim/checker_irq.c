/* SPDX-License-Identifier: BSD-3-Clause */
/* The checker's rules about interrupts: reading InterruptStatus, writing
 * InterruptACK. */
#include <inttypes.h>

#include "checker_internal.h"

void devsim_chk_check_isr_read(struct devsim *s, const struct devsim_access_ctx *a, struct what *w)
{
	struct devsim_checker *c = &s->chk;

	if (c->isr_unacked)
		devsim_chk_record(s, DEVSIM_RULE_ACK_HANDLED, a->seq,
				  "%s again: events 0x%" PRIx32
				  " of the last read were not acknowledged",
				  devsim_chk_wtext(w), c->isr_unacked);
	c->isr_unacked = 0;
	c->irq_unread = false;
}

void devsim_chk_check_ack(struct devsim *s, const struct devsim_access_ctx *a, struct what *w)
{
	struct devsim_checker *c = &s->chk;
	uint32_t undefined = a->val & ~VMMIO_ISR_DEFINED;
	uint32_t unseen = a->val & VMMIO_ISR_DEFINED & ~c->isr_seen;

	if (undefined & c->isr_last_read)
		devsim_chk_record(s, DEVSIM_RULE_ISR_UNDEFINED_IGNORE, a->seq,
				  "%s: acts on undefined bits 0x%" PRIx32
				  " read from InterruptStatus",
				  devsim_chk_wtext(w), undefined & c->isr_last_read);
	if (undefined)
		devsim_chk_record(s, DEVSIM_RULE_ACK_UNDEFINED_BITS, a->seq,
				  "%s: bits 0x%" PRIx32 " are undefined", devsim_chk_wtext(w),
				  undefined);
	if (unseen)
		devsim_chk_record(s, DEVSIM_RULE_ACK_ONLY_HANDLED, a->seq,
				  "%s: events 0x%" PRIx32
				  " were not read as set in InterruptStatus",
				  devsim_chk_wtext(w), unseen);
	c->isr_seen &= ~a->val;
	c->isr_unacked &= ~a->val;
}
