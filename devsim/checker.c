/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The spec checker: every driver access passes through here before the
 * device serves it, and each "The driver MUST" of rules.def that the access
 * breaks is recorded with the access's sequence number and what was seen.
 * The comment before each rule in rules.def says what is observed; the
 * check functions follow those comments.
 *
 * This file holds the rule table, the recording of violations, the helpers
 * the checker's parts share, and the entry points that dispatch each access
 * to the rules of checker_device.c, checker_config.c, checker_layout.c,
 * checker_status.c, checker_irq.c and checker_queues.c.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "checker_internal.h"

static const struct devsim_rule_info rule_table[DEVSIM_RULE_COUNT] = {
#define DEVSIM_RULE(name, id, section, text) [DEVSIM_RULE_##name] = { id, section, text },
#include "rules.def"
#undef DEVSIM_RULE
};

const struct devsim_rule_info *devsim_rule_info(enum devsim_rule rule)
{
	return (unsigned)rule < DEVSIM_RULE_COUNT ? &rule_table[rule] : NULL;
}

enum devsim_rule devsim_rule_by_id(const char *id)
{
	for (unsigned r = 0; id && r < DEVSIM_RULE_COUNT; r++)
		if (strcmp(rule_table[r].id, id) == 0)
			return (enum devsim_rule)r;
	return DEVSIM_RULE_COUNT;
}

/* --- recording -------------------------------------------------------------------- */

void devsim_chk_record(struct devsim *s, enum devsim_rule rule, uint64_t seq, const char *fmt, ...)
{
	struct devsim_violation v = { .rule = rule, .seq = seq };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v.detail, sizeof(v.detail), fmt, ap);
	va_end(ap);
	s->rule_hits[rule]++;
	if (s->cfg.verbose)
		fprintf(stderr, "devsim %s: access #%" PRIu64 ": %s: %s\n", s->name, seq,
			rule_table[rule].id, v.detail);
	if (s->n_viol == s->viol_cap) {
		size_t cap = s->viol_cap ? s->viol_cap * 2 : 16;
		struct devsim_violation *grown;

		if (cap > DEVSIM_MAX_VIOLATIONS || !(grown = realloc(s->viol, cap * sizeof(*grown)))) {
			s->viol_dropped++;
			return;
		}
		s->viol = grown;
		s->viol_cap = cap;
	}
	s->viol[s->n_viol++] = v;
}

size_t devsim_violation_count(const struct devsim *s)
{
	return s->n_viol;
}

const struct devsim_violation *devsim_violation(const struct devsim *s, size_t i)
{
	return i < s->n_viol ? &s->viol[i] : NULL;
}

bool devsim_violated(const struct devsim *s, enum devsim_rule rule)
{
	return (unsigned)rule < DEVSIM_RULE_COUNT && s->rule_hits[rule] != 0;
}

void devsim_clear_violations(struct devsim *s)
{
	/* The device thread may be recording a ring violation. */
	pthread_mutex_lock(&s->lock);
	s->n_viol = 0;
	s->viol_dropped = 0;
	memset(s->rule_hits, 0, sizeof(s->rule_hits));
	pthread_mutex_unlock(&s->lock);
}

/* --- helpers -------------------------------------------------------------------- */

const char *devsim_chk_wtext(struct what *w)
{
	char name[48];

	if (w->text[0])
		return w->text;
	devsim_reg_name(w->s, w->a->off, name, sizeof(name));
	if (w->a->write)
		snprintf(w->text, sizeof(w->text), "wrote 0x%" PRIx32 " to %s", w->a->val, name);
	else
		snprintf(w->text, sizeof(w->text), "read %s", name);
	return w->text;
}

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* A well-formed access: 4 bytes, aligned, at a register of this layout. */
bool devsim_chk_well_formed(const struct devsim_access_ctx *a, const struct devsim_reg *r)
{
	return r && a->size == 4 && !(a->off & 3u);
}

uint32_t devsim_chk_mmio_version(const struct devsim *s)
{
	return devsim_is_legacy(s) ? VMMIO_VERSION_LEGACY : VMMIO_VERSION_MODERN;
}

struct devsim_queue_chk *devsim_chk_queue_chk(struct devsim *s)
{
	return s->queue_sel < DEVSIM_MAX_QUEUES ? &s->chk.q[s->queue_sel] : NULL;
}

/* Status = 0: what the checker tracks "since the last reset" starts over. */
void devsim_chk_reset(struct devsim_checker *c)
{
	c->reset_seen = true;
	c->dev_sel_written = false;
	c->drv_sel_written = false;
	c->drv_features_written = false;
	c->fok_written = false;
	c->fok_reread_pending = false;
	c->fok_confirmed = false;
	c->init_failed = false;
	c->failed = false;
	c->page_size_written = false;
	/* The reset clears InterruptStatus: nothing read is left to acknowledge. */
	c->isr_last_read = 0;
	c->isr_unacked = 0;
	c->isr_seen = 0;
	memset(c->q, 0, sizeof(c->q));
}

/* --- the control registers ----------------------------------------------------------- */

static void check_write(struct devsim *s, const struct devsim_access_ctx *a, struct what *w)
{
	struct devsim_checker *c = &s->chk;
	struct devsim_queue_chk *qc;

	switch (a->off) {
	case VMMIO_REG_DEVICE_FEATURES_SEL:
		c->dev_sel_written = true;
		break;
	case VMMIO_REG_DRIVER_FEATURES_SEL:
		c->drv_sel_written = true;
		break;
	case VMMIO_REG_DRIVER_FEATURES:
		devsim_chk_check_driver_features(s, a, w);
		break;
	case VMMIO_REG_LEGACY_GUEST_PAGE_SIZE:
		if (!is_pow2(a->val))
			devsim_chk_record(s, DEVSIM_RULE_LEGACY_PAGE_SIZE, a->seq,
					  "%s: not a power of 2", devsim_chk_wtext(w));
		c->page_size_written = true;
		break;
	case VMMIO_REG_LEGACY_QUEUE_ALIGN:
		if (!is_pow2(a->val))
			devsim_chk_record(s, DEVSIM_RULE_LEGACY_QUEUE_ALIGN, a->seq,
					  "%s (queue %" PRIu32 "): not a power of 2",
					  devsim_chk_wtext(w), s->queue_sel);
		qc = devsim_chk_queue_chk(s);
		if (qc)
			qc->align_written = true;
		break;
	case VMMIO_REG_LEGACY_QUEUE_PFN:
		devsim_chk_check_legacy_pfn_write(s, a, w);
		break;
	case VMMIO_REG_QUEUE_READY:
		devsim_chk_check_queue_ready_write(s, a, w);
		break;
	case VMMIO_REG_QUEUE_RESET:
		qc = devsim_chk_queue_chk(s);
		if (qc && a->val == 1) {
			qc->reset_pending = true;
			qc->reenable_pending = true;
			qc->reconf = 0;
		}
		break;
	case VMMIO_REG_QUEUE_NOTIFY:
		if (!(s->status & VMMIO_STATUS_DRIVER_OK))
			devsim_chk_record(s, DEVSIM_RULE_INIT_NOTIFY_AFTER_DRIVER_OK, a->seq,
					  "%s while Status is 0x%x (no DRIVER_OK)",
					  devsim_chk_wtext(w), s->status);
		break;
	case VMMIO_REG_INTERRUPT_ACK:
		devsim_chk_check_ack(s, a, w);
		break;
	case VMMIO_REG_STATUS:
		devsim_chk_check_status_write(s, a, w);
		break;
	default:
		if (devsim_chk_reconf_bit(a->off))
			devsim_chk_check_queue_config(s, a, w);
		break;
	}
}

static void check_read(struct devsim *s, const struct devsim_access_ctx *a, struct what *w)
{
	switch (a->off) {
	case VMMIO_REG_DEVICE_FEATURES:
		if (!s->chk.dev_sel_written)
			devsim_chk_record(s, DEVSIM_RULE_DEVICE_FEATURES_SEL, a->seq,
					  "%s with no %s write since the last reset",
					  devsim_chk_wtext(w),
					  devsim_is_legacy(s) ? "HostFeaturesSel"
							      : "DeviceFeaturesSel");
		break;
	case VMMIO_REG_QUEUE_NUM_MAX:
		if (devsim_is_legacy(s) && devsim_queue_exists(s, s->queue_sel) &&
		    s->q[s->queue_sel].pfn)
			devsim_chk_record(s, DEVSIM_RULE_LEGACY_QUEUE_NUM_MAX, a->seq,
					  "%s while QueuePFN of queue %" PRIu32 " is 0x%" PRIx32,
					  devsim_chk_wtext(w), s->queue_sel,
					  s->q[s->queue_sel].pfn);
		break;
	case VMMIO_REG_INTERRUPT_STATUS:
		devsim_chk_check_isr_read(s, a, w);
		break;
	default:
		if (devsim_chk_reconf_bit(a->off))
			devsim_chk_check_queue_config(s, a, w);
		break;
	}
}

void devsim_check_access(struct devsim *s, const struct devsim_access_ctx *a)
{
	const struct devsim_reg *r = NULL;
	struct what w = { .s = s, .a = a, .text = "" };

	if (a->off < VMMIO_REG_CONFIG)
		r = devsim_reg_find(s, a->off & ~3u);
	devsim_chk_check_probe(s, a, &w);
	devsim_chk_check_stop_readback(s, a, &w);
	devsim_chk_check_generation_bracket(s, a, &w);
	devsim_chk_check_failed_reset(s, a, r, &w);
	if (a->off >= VMMIO_REG_CONFIG) {
		devsim_chk_check_config(s, a, &w);
		return;
	}
	devsim_chk_check_layout(s, a, r, &w);
	if (!devsim_chk_well_formed(a, r))
		return;
	devsim_chk_check_register_class(s, a, r, &w);
	if (a->write)
		check_write(s, a, &w);
	else
		check_read(s, a, &w);
}

void devsim_check_read_value(struct devsim *s, const struct devsim_access_ctx *a, uint32_t val)
{
	struct devsim_checker *c = &s->chk;
	struct devsim_queue_chk *qc;

	if (a->size != 4 || a->off >= VMMIO_REG_CONFIG || !devsim_reg_find(s, a->off))
		return;
	switch (a->off) {
	case VMMIO_REG_MAGIC_VALUE:
		c->magic_bad = val != VMMIO_MAGIC_VALUE;
		if (c->probe_step == 0)
			c->probe_step = c->magic_bad ? 3 : 1;
		break;
	case VMMIO_REG_VERSION:
		c->version_bad = val != VMMIO_VERSION_LEGACY && val != VMMIO_VERSION_MODERN;
		if (c->probe_step == 1)
			c->probe_step = c->version_bad ? 3 : 2;
		break;
	case VMMIO_REG_DEVICE_ID:
		c->devid_zero = val == 0;
		if (c->probe_step == 2)
			c->probe_step = 3;
		break;
	case VMMIO_REG_INTERRUPT_STATUS:
		c->isr_last_read = val;
		c->isr_unacked = val & VMMIO_ISR_DEFINED;
		c->isr_seen |= val & VMMIO_ISR_DEFINED;
		break;
	case VMMIO_REG_STATUS:
		c->fok_reread_pending = false;
		if (!c->fok_written)
			break;
		/* The read-back of step 6: FEATURES_OK stuck, or the device refused. */
		c->fok_confirmed = (val & VMMIO_STATUS_FEATURES_OK) != 0;
		if (!c->fok_confirmed)
			c->init_failed = true;
		break;
	case VMMIO_REG_QUEUE_RESET:
		qc = devsim_chk_queue_chk(s);
		if (qc && val == 0)
			qc->reset_pending = false;
		break;
	default:
		break;
	}
}

void devsim_check_wait(struct devsim *s, uint64_t seq)
{
	struct devsim_checker *c = &s->chk;

	if (c->isr_unacked)
		devsim_chk_record(s, DEVSIM_RULE_ACK_HANDLED, seq,
				  "waited for an interrupt with events 0x%" PRIx32
				  " read from InterruptStatus and not acknowledged",
				  c->isr_unacked);
	c->isr_unacked = 0;
	if (c->irq_unread)
		devsim_chk_record(s, DEVSIM_RULE_IRQ_READ_STATUS, seq,
				  "waited for an interrupt again without reading InterruptStatus after the last one");
	c->irq_unread = false;
}

void devsim_check_wait_done(struct devsim *s, int result)
{
	/* An interrupt that came while the driver waits for a placeholder to
	 * turn into a device (DeviceID read 0) is not one to handle (seed 000). */
	if (result == 1 && !s->chk.devid_zero)
		s->chk.irq_unread = true;
}
