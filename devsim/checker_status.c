/* SPDX-License-Identifier: BSD-3-Clause */
/* The checker's rules about feature negotiation and the Status register. */
#include <inttypes.h>

#include "checker_internal.h"

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

void devsim_chk_check_driver_features(struct devsim *s, const struct devsim_access_ctx *a,
				      struct what *w)
{
	struct devsim_checker *c = &s->chk;
	uint32_t word = s->drv_feat_sel;
	uint32_t words = devsim_is_legacy(s) ? 1 : VMMIO_FEATURE_WORDS;
	struct vmmio_features offered, valid;
	uint32_t bad;
	char names[96];

	if (!c->drv_sel_written)
		devsim_chk_record(s, DEVSIM_RULE_DRIVER_FEATURES_SEL, a->seq,
				  "%s with no %s write since the last reset", devsim_chk_wtext(w),
				  devsim_is_legacy(s) ? "GuestFeaturesSel" : "DriverFeaturesSel");
	devsim_offered_visible(s, &offered);
	bad = a->val & ~(word < VMMIO_FEATURE_WORDS ? offered.w[word] : 0u);
	if (bad)
		devsim_chk_record(s, DEVSIM_RULE_FEAT_NOT_OFFERED, a->seq,
				  "%s (word %" PRIu32 "): %s not offered", devsim_chk_wtext(w),
				  word, bit_names(s, word, bad, names, sizeof(names)));
	vmmio_features_valid(s->personality_id, devsim_chk_mmio_version(s), &valid);
	bad = a->val & ~(word < VMMIO_FEATURE_WORDS ? valid.w[word] : 0u);
	if (bad)
		devsim_chk_record(s, DEVSIM_RULE_FEAT_INVALID, a->seq,
				  "%s (word %" PRIu32
				  "): %s not defined for this device on MMIO Version %" PRIu32,
				  devsim_chk_wtext(w), word,
				  bit_names(s, word, bad, names, sizeof(names)),
				  devsim_chk_mmio_version(s));
	if (s->status & VMMIO_STATUS_FEATURES_OK) {
		bad = a->val & ~(word < words ? s->driver_features.w[word] : 0u);
		if (bad)
			devsim_chk_record(s, DEVSIM_RULE_INIT_FEATURES_LOCKED, a->seq,
					  "%s (word %" PRIu32 ") after FEATURES_OK: adds %s",
					  devsim_chk_wtext(w), word,
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
		devsim_chk_record(s, DEVSIM_RULE_INIT_WRITE_FEATURES, a->seq,
				  "%s (%s) with no DriverFeatures write since the last reset",
				  devsim_chk_wtext(w), step);
	if (!vmmio_features_deps_ok(s->personality_id, &s->driver_features, &bit)) {
		char accepted[96];

		vmmio_features_format(s->personality_id, &s->driver_features, "|", accepted,
				      sizeof(accepted));
		devsim_chk_record(s, DEVSIM_RULE_FEAT_REQUIRES, a->seq,
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

void devsim_chk_check_status_write(struct devsim *s, const struct devsim_access_ctx *a,
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
		devsim_chk_reset(c);
		return;
	}
	if (legacy && (v & VMMIO_STATUS_FEATURES_OK))
		devsim_chk_record(s, DEVSIM_RULE_LEGACY_NO_FEATURES_OK, a->seq,
				  "%s: a Version 1 driver omits FEATURES_OK", devsim_chk_wtext(w));
	if (missing)
		devsim_chk_record(s, DEVSIM_RULE_STATUS_STEPS, a->seq, "%s sets %s",
				  devsim_chk_wtext(w), missing);
	if (cleared) {
		char buf[80];

		devsim_chk_record(s, DEVSIM_RULE_STATUS_NO_CLEAR, a->seq,
				  "%s clears %s (Status was 0x%x)", devsim_chk_wtext(w),
				  status_bits(cleared, buf, sizeof(buf)), old);
	}
	if ((v & VMMIO_STATUS_FAILED) && !(old & VMMIO_STATUS_FAILED) && !c->fok_written &&
	    offers_only_unknown_bits(s))
		devsim_chk_record(s, DEVSIM_RULE_FEAT_UNKNOWN_NO_FAIL, a->seq,
				  "%s during negotiation: the device offered VERSION_1 and "
				  "otherwise only bits the driver must ignore",
				  devsim_chk_wtext(w));
	if (fok_new && !legacy) {
		check_features_final(s, a, w, "FEATURES_OK");
		if (vmmio_feat_has(&s->cfg.features, VMMIO_F_VERSION_1) &&
		    !vmmio_feat_has(&s->driver_features, VMMIO_F_VERSION_1))
			devsim_chk_record(s, DEVSIM_RULE_FEAT_VERSION_1, a->seq,
					  "%s: VIRTIO_F_VERSION_1 is offered and was not accepted",
					  devsim_chk_wtext(w));
	}
	if (dok_new && legacy)
		check_features_final(s, a, w, "DRIVER_OK");
	if ((v & VMMIO_STATUS_DRIVER_OK) && (c->fok_reread_pending || (fok_new && !legacy)))
		devsim_chk_record(s, DEVSIM_RULE_INIT_FEATURES_OK_REREAD, a->seq,
				  "%s sets DRIVER_OK before Status was read back after FEATURES_OK",
				  devsim_chk_wtext(w));
	if ((v & VMMIO_STATUS_DRIVER_OK) && c->init_failed)
		devsim_chk_record(s, DEVSIM_RULE_INIT_FAILED_STOP, a->seq,
				  "%s sets DRIVER_OK after %s", devsim_chk_wtext(w),
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
