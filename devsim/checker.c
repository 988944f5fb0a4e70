/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The spec checker: every driver access passes through here before the
 * device serves it, and each "The driver MUST" of rules.def that the access
 * breaks is recorded with the access's sequence number and what was seen.
 * The comment before each rule in rules.def says what is observed; the
 * check functions below follow those comments.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "devsim_internal.h"

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

static void record(struct devsim *s, enum devsim_rule rule, uint64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void record(struct devsim *s, enum devsim_rule rule, uint64_t seq, const char *fmt, ...)
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
	s->n_viol = 0;
	s->viol_dropped = 0;
	memset(s->rule_hits, 0, sizeof(s->rule_hits));
}

/* --- helpers -------------------------------------------------------------------- */

/* One access, described for the details ("read QueueReady", "wrote 0x1 to
 * QueueReady"); formatted only when a violation needs it, since every
 * access of the datapath passes here too. */
struct what {
	const struct devsim *s;
	const struct devsim_access_ctx *a;
	char text[80];
};

static const char *wtext(struct what *w)
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
static bool well_formed(const struct devsim_access_ctx *a, const struct devsim_reg *r)
{
	return r && a->size == 4 && !(a->off & 3u);
}

static bool is_read_of(const struct devsim_access_ctx *a, uint32_t off)
{
	return !a->write && a->off == off && a->size == 4;
}

/* Feature names of @mask in feature word @word. */
static const char *bit_names(const struct devsim *s, uint32_t word, uint32_t mask, char *buf,
			     size_t len)
{
	struct vmmio_features f = { { 0 } };

	if (word >= VMMIO_FEATURE_WORDS) {
		snprintf(buf, len, "bits 0x%" PRIx32 " of word %" PRIu32, mask, word);
		return buf;
	}
	f.w[word] = mask;
	vmmio_features_format(s->personality_id, &f, "|", buf, len);
	return buf;
}

static uint32_t mmio_version(const struct devsim *s)
{
	return devsim_is_legacy(s) ? VMMIO_VERSION_LEGACY : VMMIO_VERSION_MODERN;
}

/* QueueReady of the selected queue as the driver would read it now. */
static uint32_t presented_ready(const struct devsim *s)
{
	const struct devsim_queue *q;

	if (!devsim_queue_exists(s, s->queue_sel))
		return 0;
	q = &s->q[s->queue_sel];
	return q->ready_reads_left ? 1 : q->ready;
}

static struct devsim_queue_chk *queue_chk(struct devsim *s)
{
	return s->queue_sel < DEVSIM_MAX_QUEUES ? &s->chk.q[s->queue_sel] : NULL;
}

/* Status = 0: what the checker tracks "since the last reset" starts over. */
static void checker_reset(struct devsim_checker *c)
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

/* --- rules about the whole device -------------------------------------------------- */

/* MMIO-INIT-PROBE-ORDER, MMIO-MAGIC-IGNORE, MMIO-VERSION-IGNORE, MMIO-DEVICE-ID-ZERO. */
static void check_probe(struct devsim *s, const struct devsim_access_ctx *a, struct what *w)
{
	static const uint32_t order[] = { VMMIO_REG_MAGIC_VALUE, VMMIO_REG_VERSION,
					  VMMIO_REG_DEVICE_ID };
	static const char *const order_names[] = { "MagicValue", "Version", "DeviceID" };
	struct devsim_checker *c = &s->chk;

	if (c->probe_step < 3 && !is_read_of(a, order[c->probe_step])) {
		record(s, DEVSIM_RULE_INIT_PROBE_ORDER, a->seq,
		       "access %u of the probe %s; expected a 32-bit read of %s", c->probe_step + 1,
		       wtext(w), order_names[c->probe_step]);
		c->probe_step = 3;
	}
	if (c->magic_bad)
		record(s, DEVSIM_RULE_MAGIC_IGNORE, a->seq, "%s after MagicValue read as bad", wtext(w));
	if (c->version_bad)
		record(s, DEVSIM_RULE_VERSION_IGNORE, a->seq, "%s after Version read as 0x%" PRIx32,
		       wtext(w), s->cfg.version);
	if (c->devid_zero && !is_read_of(a, VMMIO_REG_DEVICE_ID))
		record(s, DEVSIM_RULE_DEVICE_ID_ZERO, a->seq, "%s while DeviceID reads 0", wtext(w));
}

/* MMIO-QUEUE-STOP-READBACK: the access after a stop must read QueueReady. */
static void check_stop_readback(struct devsim *s, const struct devsim_access_ctx *a,
				struct what *w)
{
	struct devsim_checker *c = &s->chk;

	if (!c->stop_pending)
		return;
	c->stop_pending = false;
	if (!is_read_of(a, VMMIO_REG_QUEUE_READY))
		record(s, DEVSIM_RULE_QUEUE_STOP_READBACK, a->seq,
		       "%s after writing 0 to QueueReady of queue %" PRIu32 ", before reading it back",
		       wtext(w), c->stop_queue);
}

/* CFG-WIDE-FIELD-ATOMIC, its bracket side: a ConfigGeneration read opens it,
 * configuration accesses keep it open, anything else closes it and must not
 * come right after a wide field was read. */
static void check_generation_bracket(struct devsim *s, const struct devsim_access_ctx *a,
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
		record(s, DEVSIM_RULE_CFG_WIDE_ATOMIC, a->seq,
		       "%s after reading 64-bit field %s, without reading ConfigGeneration again",
		       wtext(w), c->wide_field);
	c->wide_pending = false;
	c->gen_open = false;
}

/* STATUS-FAILED-RESET: after FAILED only a reset may be written. */
static void check_failed_reset(struct devsim *s, const struct devsim_access_ctx *a,
			       const struct devsim_reg *r, struct what *w)
{
	if (!a->write || !s->chk.failed)
		return;
	if (well_formed(a, r) && a->off == VMMIO_REG_STATUS && a->val == 0)
		return;
	record(s, DEVSIM_RULE_STATUS_FAILED_RESET, a->seq, "%s after setting FAILED, before a reset",
	       wtext(w));
}

/* --- the configuration space ------------------------------------------------------- */

static bool field_present(const struct devsim *s, const struct devsim_cfg_field *f)
{
	struct vmmio_features offered;

	if (f->feature < 0)
		return true;
	devsim_offered_visible(s, &offered);
	return vmmio_feat_has(&offered, (unsigned)f->feature) ||
	       (f->feature_alt >= 0 && vmmio_feat_has(&offered, (unsigned)f->feature_alt));
}

/* "8 bit wide accesses for 8 bit wide fields, 16 bit wide and aligned
 * accesses for 16 bit wide fields and 32 bit wide and aligned accesses for
 * 32 and 64 bit wide fields", inside one element of the field. */
static bool width_matches(const struct devsim *s, const struct devsim_cfg_field *f, uint32_t coff,
			  unsigned size)
{
	unsigned want = f->size == 8 ? 4u : f->size;
	uint32_t end = (uint32_t)f->off + (uint32_t)f->size * f->count;

	if (devsim_is_legacy(s) && size == 1)
		return true; /* Version 1 configuration space may be read byte by byte */
	return size == want && coff >= f->off && coff + size <= end && (coff - f->off) % want == 0 &&
	       coff % want == 0;
}

static void check_config(struct devsim *s, const struct devsim_access_ctx *a, struct what *w)
{
	struct devsim_checker *c = &s->chk;
	uint32_t coff = a->off - VMMIO_REG_CONFIG;
	bool size_ok = a->size == 1 || a->size == 2 || a->size == 4;
	bool width_reported = false;

	if (!size_ok) {
		record(s, DEVSIM_RULE_CFG_WIDTH, a->seq, "%u-byte access: %s", a->size, wtext(w));
		width_reported = true;
	}
	if (coff + a->size > s->cfg.config_size || coff + a->size < coff) {
		record(s, DEVSIM_RULE_UNDEF_ACCESS, a->seq,
		       "%s: the configuration space is %u bytes", wtext(w), s->cfg.config_size);
		return;
	}
	for (unsigned i = 0; i < s->cfg.n_fields; i++) {
		const struct devsim_cfg_field *f = &s->cfg.fields[i];
		uint32_t end = (uint32_t)f->off + (uint32_t)f->size * f->count;

		if (coff + a->size <= f->off || coff >= end)
			continue;
		if (!field_present(s, f))
			record(s, DEVSIM_RULE_CFG_OPTIONAL_FIELD, a->seq,
			       "%s: field %s exists only with %s, which the device does not offer",
			       wtext(w), f->name,
			       vmmio_feature_name(s->personality_id, (unsigned)f->feature));
		if (!width_reported && !width_matches(s, f, coff, a->size)) {
			record(s, DEVSIM_RULE_CFG_WIDTH, a->seq, "%u-bit access: %s, field %s is %u-bit",
			       8u * a->size, wtext(w), f->name, 8u * f->size);
			width_reported = true;
		}
		if (f->size == 8 && !a->write && !devsim_is_legacy(s)) {
			if (!c->gen_open)
				record(s, DEVSIM_RULE_CFG_WIDE_ATOMIC, a->seq,
				       "%s (64-bit field %s) without reading ConfigGeneration first",
				       wtext(w), f->name);
			c->wide_pending = true;
			c->wide_field = f->name;
		}
	}
	if (!a->write)
		return;
	if (!devsim_is_legacy(s) && (s->status & VMMIO_STATUS_DRIVER) &&
	    !(s->status & VMMIO_STATUS_FEATURES_OK))
		record(s, DEVSIM_RULE_INIT_CONFIG_NO_WRITE, a->seq,
		       "%s during feature negotiation (Status 0x%x: DRIVER, no FEATURES_OK)", wtext(w),
		       s->status);
	if (c->fok_reread_pending)
		record(s, DEVSIM_RULE_INIT_FEATURES_OK_REREAD, a->seq,
		       "%s after setting FEATURES_OK, before reading Status back", wtext(w));
}

/* --- the control registers ----------------------------------------------------------- */

/* MMIO-UNDEF-ACCESS, MMIO-REG-WIDTH, MMIO-WRITE-RO, MMIO-READ-WO. */
static void check_layout(struct devsim *s, const struct devsim_access_ctx *a,
			 const struct devsim_reg *r, struct what *w)
{
	if (!r) {
		record(s, DEVSIM_RULE_UNDEF_ACCESS, a->seq, "%s: no register at 0x%03" PRIx32
		       " in the Version %" PRIu32 " layout", wtext(w), a->off, mmio_version(s));
		return;
	}
	if (a->size != 4 || (a->off & 3u))
		record(s, DEVSIM_RULE_REG_WIDTH, a->seq, "%u-bit access at offset 0x%03" PRIx32 ": %s",
		       8u * a->size, a->off, wtext(w));
	if (a->write && !(r->dir & DEVSIM_DIR_W))
		record(s, DEVSIM_RULE_WRITE_RO, a->seq, "%s (read-only)", wtext(w));
	if (!a->write && !(r->dir & DEVSIM_DIR_R))
		record(s, DEVSIM_RULE_READ_WO, a->seq, "%s (write-only)", wtext(w));
}

/* INIT-RESET-FIRST, INIT-SETUP-AFTER-FEATURES-OK, MMIO-SHM-UNEXPECTED:
 * rules about which kind of register may be used when. */
static void check_register_class(struct devsim *s, const struct devsim_access_ctx *a,
				 const struct devsim_reg *r, struct what *w)
{
	struct devsim_checker *c = &s->chk;

	if (a->write && !c->reset_seen) {
		if (a->off == VMMIO_REG_STATUS && a->val != 0)
			record(s, DEVSIM_RULE_INIT_RESET_FIRST, a->seq,
			       "%s: the first Status write after probing must be 0 (reset)", wtext(w));
		else if (r->cls == DEVSIM_CLS_FEATURE || r->cls == DEVSIM_CLS_QUEUE)
			record(s, DEVSIM_RULE_INIT_RESET_FIRST, a->seq, "%s before resetting the device",
			       wtext(w));
	}
	if (!devsim_is_legacy(s) && r->cls == DEVSIM_CLS_QUEUE && !c->fok_confirmed)
		record(s, DEVSIM_RULE_INIT_SETUP_AFTER_FEATURES_OK, a->seq,
		       "%s before FEATURES_OK was set and read back", wtext(w));
	if (r->cls == DEVSIM_CLS_SHM && !s->cfg.driver_expects_shm)
		record(s, DEVSIM_RULE_SHM_UNEXPECTED, a->seq,
		       "%s, but the driver does not expect shared memory", wtext(w));
}

static void check_driver_features(struct devsim *s, const struct devsim_access_ctx *a,
				  struct what *w)
{
	struct devsim_checker *c = &s->chk;
	uint32_t word = s->drv_feat_sel;
	uint32_t words = devsim_is_legacy(s) ? 1 : VMMIO_FEATURE_WORDS;
	struct vmmio_features offered, valid;
	uint32_t bad;
	char names[96];

	if (!c->drv_sel_written)
		record(s, DEVSIM_RULE_DRIVER_FEATURES_SEL, a->seq,
		       "%s with no %s write since the last reset", wtext(w),
		       devsim_is_legacy(s) ? "GuestFeaturesSel" : "DriverFeaturesSel");
	devsim_offered_visible(s, &offered);
	bad = a->val & ~(word < VMMIO_FEATURE_WORDS ? offered.w[word] : 0u);
	if (bad)
		record(s, DEVSIM_RULE_FEAT_NOT_OFFERED, a->seq, "%s (word %" PRIu32 "): %s not offered",
		       wtext(w), word, bit_names(s, word, bad, names, sizeof(names)));
	vmmio_features_valid(s->personality_id, mmio_version(s), &valid);
	bad = a->val & ~(word < VMMIO_FEATURE_WORDS ? valid.w[word] : 0u);
	if (bad)
		record(s, DEVSIM_RULE_FEAT_INVALID, a->seq,
		       "%s (word %" PRIu32 "): %s not defined for this device on MMIO Version %" PRIu32,
		       wtext(w), word, bit_names(s, word, bad, names, sizeof(names)),
		       mmio_version(s));
	if (s->status & VMMIO_STATUS_FEATURES_OK) {
		bad = a->val & ~(word < words ? s->driver_features.w[word] : 0u);
		if (bad)
			record(s, DEVSIM_RULE_INIT_FEATURES_LOCKED, a->seq,
			       "%s (word %" PRIu32 ") after FEATURES_OK: adds %s", wtext(w), word,
			       bit_names(s, word, bad, names, sizeof(names)));
	}
	c->drv_features_written = true;
}

/* FEAT-UNKNOWN-NO-FAIL: the device offers VERSION_1 and, besides it, only
 * bits the spec does not define for it (at least one). */
static bool offers_only_unknown_bits(const struct devsim *s)
{
	struct vmmio_features others = s->cfg.features, known;

	if (devsim_is_legacy(s) || !vmmio_feat_has(&others, VMMIO_F_VERSION_1))
		return false;
	vmmio_feat_clear(&others, VMMIO_F_VERSION_1);
	if (vmmio_feat_empty(&others))
		return false;
	vmmio_features_valid(s->personality_id, VMMIO_VERSION_MODERN, &known);
	vmmio_feat_and(&known, &known, &others);
	return vmmio_feat_empty(&known);
}

/* Feature negotiation ends (FEATURES_OK, or DRIVER_OK on Version 1). */
static void check_features_final(struct devsim *s, const struct devsim_access_ctx *a,
				 struct what *w, const char *step)
{
	unsigned bit = 0;

	if (!s->chk.drv_features_written)
		record(s, DEVSIM_RULE_INIT_WRITE_FEATURES, a->seq,
		       "%s (%s) with no DriverFeatures write since the last reset", wtext(w), step);
	if (!vmmio_features_deps_ok(s->personality_id, &s->driver_features, &bit)) {
		char accepted[96];

		vmmio_features_format(s->personality_id, &s->driver_features, "|", accepted,
				      sizeof(accepted));
		record(s, DEVSIM_RULE_FEAT_REQUIRES, a->seq,
		       "%s: accepted %s lacks what it requires (accepted: %s)", step,
		       vmmio_feature_name(s->personality_id, bit), accepted);
	}
}

/* The names of the status bits in @bits: "DRIVER|FEATURES_OK". */
static const char *status_bits(uint8_t bits, char *buf, size_t len)
{
	static const char *const names[8] = { "ACKNOWLEDGE", "DRIVER", "DRIVER_OK", "FEATURES_OK",
					      "SUSPEND", "0x20", "DEVICE_NEEDS_RESET", "FAILED" };
	size_t pos = 0;

	buf[0] = '\0';
	for (unsigned b = 0; b < 8; b++)
		if (bits & (1u << b) && pos < len)
			pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", pos ? "|" : "", names[b]);
	return buf;
}

/* The first missing prerequisite of the steps set in @v (STATUS-SET-STEPS). */
static const char *missing_step(const struct devsim *s, uint8_t v)
{
	if ((v & VMMIO_STATUS_DRIVER) && !(v & VMMIO_STATUS_ACKNOWLEDGE))
		return "DRIVER without ACKNOWLEDGE";
	if ((v & VMMIO_STATUS_FEATURES_OK) && !(v & VMMIO_STATUS_DRIVER))
		return "FEATURES_OK without DRIVER";
	if ((v & VMMIO_STATUS_DRIVER_OK) && !(v & VMMIO_STATUS_DRIVER))
		return "DRIVER_OK without DRIVER";
	if ((v & VMMIO_STATUS_DRIVER_OK) && !devsim_is_legacy(s) && !(v & VMMIO_STATUS_FEATURES_OK))
		return "DRIVER_OK without FEATURES_OK";
	return NULL;
}

static void check_status_write(struct devsim *s, const struct devsim_access_ctx *a,
			       struct what *w)
{
	struct devsim_checker *c = &s->chk;
	uint8_t v = (uint8_t)a->val, old = s->status;
	bool legacy = devsim_is_legacy(s);
	bool fok_new = (v & VMMIO_STATUS_FEATURES_OK) && !(old & VMMIO_STATUS_FEATURES_OK);
	bool dok_new = (v & VMMIO_STATUS_DRIVER_OK) && !(old & VMMIO_STATUS_DRIVER_OK);
	uint8_t cleared = old & (uint8_t)~v & (uint8_t)~VMMIO_STATUS_DEVICE_NEEDS_RESET;
	const char *missing = missing_step(s, v);

	if (v == 0) {
		checker_reset(c);
		return;
	}
	if (legacy && (v & VMMIO_STATUS_FEATURES_OK))
		record(s, DEVSIM_RULE_LEGACY_NO_FEATURES_OK, a->seq,
		       "%s: a Version 1 driver omits FEATURES_OK", wtext(w));
	if (missing)
		record(s, DEVSIM_RULE_STATUS_STEPS, a->seq, "%s sets %s", wtext(w), missing);
	if (cleared) {
		char buf[80];

		record(s, DEVSIM_RULE_STATUS_NO_CLEAR, a->seq, "%s clears %s (Status was 0x%x)",
		       wtext(w), status_bits(cleared, buf, sizeof(buf)), old);
	}
	if ((v & VMMIO_STATUS_FAILED) && !(old & VMMIO_STATUS_FAILED) && !c->fok_written &&
	    offers_only_unknown_bits(s))
		record(s, DEVSIM_RULE_FEAT_UNKNOWN_NO_FAIL, a->seq,
		       "%s during negotiation: the device offered VERSION_1 and otherwise only bits "
		       "the driver must ignore", wtext(w));
	if (fok_new && !legacy) {
		check_features_final(s, a, w, "FEATURES_OK");
		if (vmmio_feat_has(&s->cfg.features, VMMIO_F_VERSION_1) &&
		    !vmmio_feat_has(&s->driver_features, VMMIO_F_VERSION_1))
			record(s, DEVSIM_RULE_FEAT_VERSION_1, a->seq,
			       "%s: VIRTIO_F_VERSION_1 is offered and was not accepted", wtext(w));
	}
	if (dok_new && legacy)
		check_features_final(s, a, w, "DRIVER_OK");
	if ((v & VMMIO_STATUS_DRIVER_OK) && (c->fok_reread_pending || (fok_new && !legacy)))
		record(s, DEVSIM_RULE_INIT_FEATURES_OK_REREAD, a->seq,
		       "%s sets DRIVER_OK before Status was read back after FEATURES_OK", wtext(w));
	if ((v & VMMIO_STATUS_DRIVER_OK) && c->init_failed)
		record(s, DEVSIM_RULE_INIT_FAILED_STOP, a->seq, "%s sets DRIVER_OK after %s", wtext(w),
		       c->failed ? "FAILED was set" : "the device refused FEATURES_OK");

	if (fok_new && !legacy) {
		c->fok_written = true;
		c->fok_reread_pending = true;
	}
	if (v & VMMIO_STATUS_FAILED) {
		c->failed = true;
		c->init_failed = true;
	}
}

static void check_isr_read(struct devsim *s, const struct devsim_access_ctx *a, struct what *w)
{
	struct devsim_checker *c = &s->chk;

	if (c->isr_unacked)
		record(s, DEVSIM_RULE_ACK_HANDLED, a->seq,
		       "%s again: events 0x%" PRIx32 " of the last read were not acknowledged", wtext(w),
		       c->isr_unacked);
	c->isr_unacked = 0;
	c->irq_unread = false;
}

static void check_ack(struct devsim *s, const struct devsim_access_ctx *a, struct what *w)
{
	struct devsim_checker *c = &s->chk;
	uint32_t undefined = a->val & ~VMMIO_ISR_DEFINED;
	uint32_t unseen = a->val & VMMIO_ISR_DEFINED & ~c->isr_seen;

	if (undefined & c->isr_last_read)
		record(s, DEVSIM_RULE_ISR_UNDEFINED_IGNORE, a->seq,
		       "%s: acts on undefined bits 0x%" PRIx32 " read from InterruptStatus", wtext(w),
		       undefined & c->isr_last_read);
	if (undefined)
		record(s, DEVSIM_RULE_ACK_UNDEFINED_BITS, a->seq, "%s: bits 0x%" PRIx32 " are undefined",
		       wtext(w), undefined);
	if (unseen)
		record(s, DEVSIM_RULE_ACK_ONLY_HANDLED, a->seq,
		       "%s: events 0x%" PRIx32 " were not read as set in InterruptStatus", wtext(w),
		       unseen);
	c->isr_seen &= ~a->val;
	c->isr_unacked &= ~a->val;
}

/* The bit of a reconfiguration register in devsim_queue_chk.reconf. */
static uint8_t reconf_bit(uint32_t off)
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
static void check_queue_config(struct devsim *s, const struct devsim_access_ctx *a,
			       struct what *w)
{
	struct devsim_queue_chk *qc = queue_chk(s);
	uint32_t ready = presented_ready(s);

	if (!devsim_is_legacy(s) && ready)
		record(s, DEVSIM_RULE_QUEUE_READY_LOCK, a->seq,
		       "%s while QueueReady of queue %" PRIu32 " is 0x%" PRIx32, wtext(w), s->queue_sel,
		       ready);
	if (qc && qc->reset_pending)
		record(s, DEVSIM_RULE_QUEUE_RESET_COMPLETE, a->seq,
		       "%s of queue %" PRIu32 " before QueueReset read back 0", wtext(w), s->queue_sel);
	if (qc && a->write)
		qc->reconf |= reconf_bit(a->off);
	if (a->write && a->off == VMMIO_REG_QUEUE_NUM && a->val > devsim_queue_max(s, s->queue_sel))
		record(s, DEVSIM_RULE_QUEUE_SIZE_MAX, a->seq,
		       "%s, QueueSizeMax is %" PRIu32 " (queue %" PRIu32 ")", wtext(w),
		       devsim_queue_max(s, s->queue_sel), s->queue_sel);
}

/* A queue is about to be enabled: INIT-FEATURES-OK-REREAD, INIT-FAILED-STOP. */
static void check_queue_enable(struct devsim *s, const struct devsim_access_ctx *a,
			       struct what *w)
{
	struct devsim_checker *c = &s->chk;

	if (c->fok_reread_pending)
		record(s, DEVSIM_RULE_INIT_FEATURES_OK_REREAD, a->seq,
		       "%s (queue %" PRIu32 ") before Status was read back after FEATURES_OK", wtext(w),
		       s->queue_sel);
	if (c->init_failed)
		record(s, DEVSIM_RULE_INIT_FAILED_STOP, a->seq, "%s (queue %" PRIu32 ") after %s",
		       wtext(w), s->queue_sel,
		       c->failed ? "FAILED was set" : "the device refused FEATURES_OK");
}

static void check_queue_ready_write(struct devsim *s, const struct devsim_access_ctx *a,
				    struct what *w)
{
	struct devsim_checker *c = &s->chk;
	struct devsim_queue_chk *qc = queue_chk(s);

	if (qc && qc->reset_pending)
		record(s, DEVSIM_RULE_QUEUE_RESET_COMPLETE, a->seq,
		       "%s of queue %" PRIu32 " before QueueReset read back 0", wtext(w), s->queue_sel);
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

				if (qc->reconf & reconf_bit(reconf_regs[i]))
					continue;
				devsim_reg_name(s, reconf_regs[i], name, sizeof(name));
				len += (size_t)snprintf(missing + len, len < sizeof(missing) ?
							sizeof(missing) - len : 0,
							"%s%s", len ? "," : "", name);
				if (len >= sizeof(missing))
					break;
			}
			record(s, DEVSIM_RULE_QUEUE_REENABLE, a->seq,
			       "%s of queue %" PRIu32 " after a queue reset without writing %s", wtext(w),
			       s->queue_sel, missing);
		}
		qc->reenable_pending = false;
	}
	check_queue_enable(s, a, w);
}

static void check_legacy_pfn_write(struct devsim *s, const struct devsim_access_ctx *a,
				   struct what *w)
{
	struct devsim_queue_chk *qc = queue_chk(s);

	if (a->val == 0)
		return;
	if (!s->chk.page_size_written)
		record(s, DEVSIM_RULE_LEGACY_PAGE_SIZE, a->seq,
		       "%s (queue %" PRIu32 ") with no GuestPageSize write since the last reset",
		       wtext(w), s->queue_sel);
	if (!qc || !qc->align_written)
		record(s, DEVSIM_RULE_LEGACY_QUEUE_ALIGN, a->seq,
		       "%s (queue %" PRIu32 ") with no QueueAlign write for it since the last reset",
		       wtext(w), s->queue_sel);
	check_queue_enable(s, a, w);
}

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
		check_driver_features(s, a, w);
		break;
	case VMMIO_REG_LEGACY_GUEST_PAGE_SIZE:
		if (!is_pow2(a->val))
			record(s, DEVSIM_RULE_LEGACY_PAGE_SIZE, a->seq, "%s: not a power of 2", wtext(w));
		c->page_size_written = true;
		break;
	case VMMIO_REG_LEGACY_QUEUE_ALIGN:
		if (!is_pow2(a->val))
			record(s, DEVSIM_RULE_LEGACY_QUEUE_ALIGN, a->seq, "%s (queue %" PRIu32
			       "): not a power of 2", wtext(w), s->queue_sel);
		qc = queue_chk(s);
		if (qc)
			qc->align_written = true;
		break;
	case VMMIO_REG_LEGACY_QUEUE_PFN:
		check_legacy_pfn_write(s, a, w);
		break;
	case VMMIO_REG_QUEUE_READY:
		check_queue_ready_write(s, a, w);
		break;
	case VMMIO_REG_QUEUE_RESET:
		qc = queue_chk(s);
		if (qc && a->val == 1) {
			qc->reset_pending = true;
			qc->reenable_pending = true;
			qc->reconf = 0;
		}
		break;
	case VMMIO_REG_QUEUE_NOTIFY:
		if (!(s->status & VMMIO_STATUS_DRIVER_OK))
			record(s, DEVSIM_RULE_INIT_NOTIFY_AFTER_DRIVER_OK, a->seq,
			       "%s while Status is 0x%x (no DRIVER_OK)", wtext(w), s->status);
		break;
	case VMMIO_REG_INTERRUPT_ACK:
		check_ack(s, a, w);
		break;
	case VMMIO_REG_STATUS:
		check_status_write(s, a, w);
		break;
	default:
		if (reconf_bit(a->off))
			check_queue_config(s, a, w);
		break;
	}
}

static void check_read(struct devsim *s, const struct devsim_access_ctx *a, struct what *w)
{
	switch (a->off) {
	case VMMIO_REG_DEVICE_FEATURES:
		if (!s->chk.dev_sel_written)
			record(s, DEVSIM_RULE_DEVICE_FEATURES_SEL, a->seq,
			       "%s with no %s write since the last reset", wtext(w),
			       devsim_is_legacy(s) ? "HostFeaturesSel" : "DeviceFeaturesSel");
		break;
	case VMMIO_REG_QUEUE_NUM_MAX:
		if (devsim_is_legacy(s) && devsim_queue_exists(s, s->queue_sel) &&
		    s->q[s->queue_sel].pfn)
			record(s, DEVSIM_RULE_LEGACY_QUEUE_NUM_MAX, a->seq,
			       "%s while QueuePFN of queue %" PRIu32 " is 0x%" PRIx32, wtext(w),
			       s->queue_sel, s->q[s->queue_sel].pfn);
		break;
	case VMMIO_REG_INTERRUPT_STATUS:
		check_isr_read(s, a, w);
		break;
	default:
		if (reconf_bit(a->off))
			check_queue_config(s, a, w);
		break;
	}
}

void devsim_check_access(struct devsim *s, const struct devsim_access_ctx *a)
{
	const struct devsim_reg *r = NULL;
	struct what w = { .s = s, .a = a, .text = "" };

	if (a->off < VMMIO_REG_CONFIG)
		r = devsim_reg_find(s, a->off & ~3u);
	check_probe(s, a, &w);
	check_stop_readback(s, a, &w);
	check_generation_bracket(s, a, &w);
	check_failed_reset(s, a, r, &w);
	if (a->off >= VMMIO_REG_CONFIG) {
		check_config(s, a, &w);
		return;
	}
	check_layout(s, a, r, &w);
	if (!well_formed(a, r))
		return;
	check_register_class(s, a, r, &w);
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
		qc = queue_chk(s);
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
		record(s, DEVSIM_RULE_ACK_HANDLED, seq,
		       "waited for an interrupt with events 0x%" PRIx32
		       " read from InterruptStatus and not acknowledged",
		       c->isr_unacked);
	c->isr_unacked = 0;
	if (c->irq_unread)
		record(s, DEVSIM_RULE_IRQ_READ_STATUS, seq,
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
