/* SPDX-License-Identifier: BSD-3-Clause */
/* The checker's rules about virtqueue setup, enabling, stopping and reset. */
#include <inttypes.h>

#include "checker_internal.h"

/* QueueReady of the selected queue as the driver would read it now. */
static uint32_t presented_ready(const struct devsim *s)
{
	const struct devsim_queue *q;

	if (!devsim_queue_exists(s, s->queue_sel))
		return 0;
	q = &s->q[s->queue_sel];
	return q->ready_reads_left ? 1 : q->ready;
}

/* The bit of a reconfiguration register in devsim_queue_chk.reconf. */
uint8_t devsim_chk_reconf_bit(uint32_t off)
{
	switch (off) {
	case VMMIO_REG_QUEUE_NUM:
		return 0x01;
	case VMMIO_REG_QUEUE_DESC_LOW:
		return 0x02;
	case VMMIO_REG_QUEUE_DESC_HIGH:
		return 0x04;
	case VMMIO_REG_QUEUE_DRIVER_LOW:
		return 0x08;
	case VMMIO_REG_QUEUE_DRIVER_HIGH:
		return 0x10;
	case VMMIO_REG_QUEUE_DEVICE_LOW:
		return 0x20;
	case VMMIO_REG_QUEUE_DEVICE_HIGH:
		return 0x40;
	default:
		return 0;
	}
}

static const uint32_t reconf_regs[] = {
	VMMIO_REG_QUEUE_NUM,	    VMMIO_REG_QUEUE_DESC_LOW,	 VMMIO_REG_QUEUE_DESC_HIGH,
	VMMIO_REG_QUEUE_DRIVER_LOW, VMMIO_REG_QUEUE_DRIVER_HIGH, VMMIO_REG_QUEUE_DEVICE_LOW,
	VMMIO_REG_QUEUE_DEVICE_HIGH,
};

/* QueueSize and the address registers: MMIO-QUEUE-READY-LOCK,
 * MMIO-QUEUE-RESET-COMPLETE, and what VQ-REENABLE-CONFIGURE counts. */
void devsim_chk_check_queue_config(struct devsim *s, const struct devsim_access_ctx *a,
				   struct what *w)
{
	struct devsim_queue_chk *qc = devsim_chk_queue_chk(s);
	uint32_t ready = presented_ready(s);

	if (!devsim_is_legacy(s) && ready)
		devsim_chk_record(s, DEVSIM_RULE_QUEUE_READY_LOCK, a->seq,
				  "%s while QueueReady of queue %" PRIu32 " is 0x%" PRIx32,
				  devsim_chk_wtext(w), s->queue_sel, ready);
	if (qc && qc->reset_pending)
		devsim_chk_record(s, DEVSIM_RULE_QUEUE_RESET_COMPLETE, a->seq,
				  "%s of queue %" PRIu32 " before QueueReset read back 0",
				  devsim_chk_wtext(w), s->queue_sel);
	if (qc && a->write)
		qc->reconf |= devsim_chk_reconf_bit(a->off);
	if (a->write && a->off == VMMIO_REG_QUEUE_NUM && a->val > devsim_queue_max(s, s->queue_sel))
		devsim_chk_record(s, DEVSIM_RULE_QUEUE_SIZE_MAX, a->seq,
				  "%s, QueueSizeMax is %" PRIu32 " (queue %" PRIu32 ")",
				  devsim_chk_wtext(w), devsim_queue_max(s, s->queue_sel),
				  s->queue_sel);
}

/* A queue is about to be enabled: INIT-FEATURES-OK-REREAD, INIT-FAILED-STOP. */
static void check_queue_enable(struct devsim *s, const struct devsim_access_ctx *a,
			       struct what *w)
{
	struct devsim_checker *c = &s->chk;

	if (c->fok_reread_pending)
		devsim_chk_record(s, DEVSIM_RULE_INIT_FEATURES_OK_REREAD, a->seq,
				  "%s (queue %" PRIu32
				  ") before Status was read back after FEATURES_OK",
				  devsim_chk_wtext(w), s->queue_sel);
	if (c->init_failed)
		devsim_chk_record(s, DEVSIM_RULE_INIT_FAILED_STOP, a->seq,
				  "%s (queue %" PRIu32 ") after %s", devsim_chk_wtext(w),
				  s->queue_sel,
				  c->failed ? "FAILED was set" : "the device refused FEATURES_OK");
}

void devsim_chk_check_queue_ready_write(struct devsim *s, const struct devsim_access_ctx *a,
					struct what *w)
{
	struct devsim_checker *c = &s->chk;
	struct devsim_queue_chk *qc = devsim_chk_queue_chk(s);

	if (qc && qc->reset_pending)
		devsim_chk_record(s, DEVSIM_RULE_QUEUE_RESET_COMPLETE, a->seq,
				  "%s of queue %" PRIu32 " before QueueReset read back 0",
				  devsim_chk_wtext(w), s->queue_sel);
	if (a->val == 0) {
		if (presented_ready(s)) {
			c->stop_pending = true;
			c->stop_queue = s->queue_sel;
		}
		return;
	}
	if (qc && qc->reenable_pending) {
		if (qc->reconf != DEVSIM_RECONF_ALL) {
			char missing[160] = "";
			size_t len = 0;

			for (size_t i = 0; i < sizeof(reconf_regs) / sizeof(reconf_regs[0]); i++) {
				char name[24];

				if (qc->reconf & devsim_chk_reconf_bit(reconf_regs[i]))
					continue;
				devsim_reg_name(s, reconf_regs[i], name, sizeof(name));
				len += (size_t)snprintf(missing + len, len < sizeof(missing) ?
							sizeof(missing) - len : 0,
							"%s%s", len ? "," : "", name);
				if (len >= sizeof(missing))
					break;
			}
			devsim_chk_record(s, DEVSIM_RULE_QUEUE_REENABLE, a->seq,
					  "%s of queue %" PRIu32
					  " after a queue reset without writing %s",
					  devsim_chk_wtext(w), s->queue_sel, missing);
		}
		qc->reenable_pending = false;
	}
	check_queue_enable(s, a, w);
}

void devsim_chk_check_legacy_pfn_write(struct devsim *s, const struct devsim_access_ctx *a,
				       struct what *w)
{
	struct devsim_queue_chk *qc = devsim_chk_queue_chk(s);

	if (a->val == 0)
		return;
	if (!s->chk.page_size_written)
		devsim_chk_record(s, DEVSIM_RULE_LEGACY_PAGE_SIZE, a->seq,
				  "%s (queue %" PRIu32
				  ") with no GuestPageSize write since the last reset",
				  devsim_chk_wtext(w), s->queue_sel);
	if (!qc || !qc->align_written)
		devsim_chk_record(s, DEVSIM_RULE_LEGACY_QUEUE_ALIGN, a->seq,
				  "%s (queue %" PRIu32
				  ") with no QueueAlign write for it since the last reset",
				  devsim_chk_wtext(w), s->queue_sel);
	check_queue_enable(s, a, w);
}
