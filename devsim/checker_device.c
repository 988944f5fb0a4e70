/* SPDX-License-Identifier: BSD-3-Clause */
/* The checker's rules about the whole device, checked on every access. */
#include <inttypes.h>

#include "checker_internal.h"

static bool is_read_of(const struct devsim_access_ctx *a, uint32_t off)
{
	return !a->write && a->off == off && a->size == 4;
}

/* --- rules about the whole device -------------------------------------------------- */

/* MMIO-INIT-PROBE-ORDER, MMIO-MAGIC-IGNORE, MMIO-VERSION-IGNORE, MMIO-DEVICE-ID-ZERO. */
void devsim_chk_check_probe(struct devsim *s, const struct devsim_access_ctx *a, struct what *w)
{
	static const uint32_t order[] = { VMMIO_REG_MAGIC_VALUE, VMMIO_REG_VERSION,
					  VMMIO_REG_DEVICE_ID };
	static const char *const order_names[] = { "MagicValue", "Version", "DeviceID" };
	struct devsim_checker *c = &s->chk;

	if (c->probe_step < 3 && !is_read_of(a, order[c->probe_step])) {
		devsim_chk_record(s, DEVSIM_RULE_INIT_PROBE_ORDER, a->seq,
				  "access %u of the probe %s; expected a 32-bit read of %s",
				  c->probe_step + 1, devsim_chk_wtext(w),
				  order_names[c->probe_step]);
		c->probe_step = 3;
	}
	if (c->magic_bad)
		devsim_chk_record(s, DEVSIM_RULE_MAGIC_IGNORE, a->seq,
				  "%s after MagicValue read as bad", devsim_chk_wtext(w));
	if (c->version_bad)
		devsim_chk_record(s, DEVSIM_RULE_VERSION_IGNORE, a->seq,
				  "%s after Version read as 0x%" PRIx32, devsim_chk_wtext(w),
				  s->cfg.version);
	if (c->devid_zero && !is_read_of(a, VMMIO_REG_DEVICE_ID))
		devsim_chk_record(s, DEVSIM_RULE_DEVICE_ID_ZERO, a->seq,
				  "%s while DeviceID reads 0", devsim_chk_wtext(w));
}

/* MMIO-QUEUE-STOP-READBACK: the access after a stop must read QueueReady. */
void devsim_chk_check_stop_readback(struct devsim *s, const struct devsim_access_ctx *a,
				    struct what *w)
{
	struct devsim_checker *c = &s->chk;

	if (!c->stop_pending)
		return;
	c->stop_pending = false;
	if (!is_read_of(a, VMMIO_REG_QUEUE_READY))
		devsim_chk_record(s, DEVSIM_RULE_QUEUE_STOP_READBACK, a->seq,
				  "%s after writing 0 to QueueReady of queue %" PRIu32
				  ", before reading it back",
				  devsim_chk_wtext(w), c->stop_queue);
}

/* CFG-WIDE-FIELD-ATOMIC, its bracket side: a ConfigGeneration read opens it,
 * configuration accesses keep it open, anything else closes it and must not
 * come right after a wide field was read. */
void devsim_chk_check_generation_bracket(struct devsim *s, const struct devsim_access_ctx *a,
					 struct what *w)
{
	struct devsim_checker *c = &s->chk;

	if (a->off >= VMMIO_REG_CONFIG)
		return;
	if (!devsim_is_legacy(s) && is_read_of(a, VMMIO_REG_CONFIG_GENERATION)) {
		c->gen_open = true;
		c->wide_pending = false;
		return;
	}
	if (c->wide_pending)
		devsim_chk_record(s, DEVSIM_RULE_CFG_WIDE_ATOMIC, a->seq,
				  "%s after reading 64-bit field %s, without reading ConfigGeneration again",
				  devsim_chk_wtext(w), c->wide_field);
	c->wide_pending = false;
	c->gen_open = false;
}

/* STATUS-FAILED-RESET: after FAILED only a reset may be written. */
void devsim_chk_check_failed_reset(struct devsim *s, const struct devsim_access_ctx *a,
				   const struct devsim_reg *r, struct what *w)
{
	if (!a->write || !s->chk.failed)
		return;
	if (devsim_chk_well_formed(a, r) && a->off == VMMIO_REG_STATUS && a->val == 0)
		return;
	devsim_chk_record(s, DEVSIM_RULE_STATUS_FAILED_RESET, a->seq,
			  "%s after setting FAILED, before a reset", devsim_chk_wtext(w));
}
