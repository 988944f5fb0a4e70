/* SPDX-License-Identifier: BSD-3-Clause */
/* The checker's rules about the configuration space. */
#include "checker_internal.h"

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

void devsim_chk_check_config(struct devsim *s, const struct devsim_access_ctx *a, struct what *w)
{
	struct devsim_checker *c = &s->chk;
	uint32_t coff = a->off - VMMIO_REG_CONFIG;
	bool size_ok = a->size == 1 || a->size == 2 || a->size == 4;
	bool width_reported = false;

	if (!size_ok) {
		devsim_chk_record(s, DEVSIM_RULE_CFG_WIDTH, a->seq, "%u-byte access: %s", a->size,
				  devsim_chk_wtext(w));
		width_reported = true;
	}
	if (coff + a->size > s->cfg.config_size || coff + a->size < coff) {
		devsim_chk_record(s, DEVSIM_RULE_UNDEF_ACCESS, a->seq,
				  "%s: the configuration space is %u bytes", devsim_chk_wtext(w),
				  s->cfg.config_size);
		return;
	}
	for (unsigned i = 0; i < s->cfg.n_fields; i++) {
		const struct devsim_cfg_field *f = &s->cfg.fields[i];
		uint32_t end = (uint32_t)f->off + (uint32_t)f->size * f->count;

		if (coff + a->size <= f->off || coff >= end)
			continue;
		if (!field_present(s, f))
			devsim_chk_record(s, DEVSIM_RULE_CFG_OPTIONAL_FIELD, a->seq,
					  "%s: field %s exists only with %s, which the device does not offer",
					  devsim_chk_wtext(w), f->name,
					  vmmio_feature_name(s->personality_id,
							     (unsigned)f->feature));
		if (!width_reported && !width_matches(s, f, coff, a->size)) {
			devsim_chk_record(s, DEVSIM_RULE_CFG_WIDTH, a->seq,
					  "%u-bit access: %s, field %s is %u-bit", 8u * a->size,
					  devsim_chk_wtext(w), f->name, 8u * f->size);
			width_reported = true;
		}
		if (f->size == 8 && !a->write && !devsim_is_legacy(s)) {
			if (!c->gen_open)
				devsim_chk_record(s, DEVSIM_RULE_CFG_WIDE_ATOMIC, a->seq,
						  "%s (64-bit field %s) without reading ConfigGeneration first",
						  devsim_chk_wtext(w), f->name);
			c->wide_pending = true;
			c->wide_field = f->name;
		}
	}
	if (!a->write)
		return;
	if (!devsim_is_legacy(s) && (s->status & VMMIO_STATUS_DRIVER) &&
	    !(s->status & VMMIO_STATUS_FEATURES_OK))
		devsim_chk_record(s, DEVSIM_RULE_INIT_CONFIG_NO_WRITE, a->seq,
				  "%s during feature negotiation (Status 0x%x: DRIVER, no FEATURES_OK)",
				  devsim_chk_wtext(w), s->status);
	if (c->fok_reread_pending)
		devsim_chk_record(s, DEVSIM_RULE_INIT_FEATURES_OK_REREAD, a->seq,
				  "%s after setting FEATURES_OK, before reading Status back",
				  devsim_chk_wtext(w));
}
