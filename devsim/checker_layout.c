/* SPDX-License-Identifier: BSD-3-Clause */
/* The checker's rules read off the register layout tables: where and how a
 * control register may be accessed, and which class of register may be used when. */
#include <inttypes.h>

#include "checker_internal.h"

/* --- the control registers ----------------------------------------------------------- */

/* MMIO-UNDEF-ACCESS, MMIO-REG-WIDTH, MMIO-WRITE-RO, MMIO-READ-WO. */
void devsim_chk_check_layout(struct devsim *s, const struct devsim_access_ctx *a,
			     const struct devsim_reg *r, struct what *w)
{
	if (!r) {
		devsim_chk_record(s, DEVSIM_RULE_UNDEF_ACCESS, a->seq,
				  "%s: no register at 0x%03" PRIx32 " in the Version %" PRIu32
				  " layout",
				  devsim_chk_wtext(w), a->off, devsim_chk_mmio_version(s));
		return;
	}
	if (a->size != 4 || (a->off & 3u))
		devsim_chk_record(s, DEVSIM_RULE_REG_WIDTH, a->seq,
				  "%u-bit access at offset 0x%03" PRIx32 ": %s", 8u * a->size,
				  a->off, devsim_chk_wtext(w));
	if (a->write && !(r->dir & DEVSIM_DIR_W))
		devsim_chk_record(s, DEVSIM_RULE_WRITE_RO, a->seq, "%s (read-only)",
				  devsim_chk_wtext(w));
	if (!a->write && !(r->dir & DEVSIM_DIR_R))
		devsim_chk_record(s, DEVSIM_RULE_READ_WO, a->seq, "%s (write-only)",
				  devsim_chk_wtext(w));
}

/* INIT-RESET-FIRST, INIT-SETUP-AFTER-FEATURES-OK, MMIO-SHM-UNEXPECTED:
 * rules about which kind of register may be used when. */
void devsim_chk_check_register_class(struct devsim *s, const struct devsim_access_ctx *a,
				     const struct devsim_reg *r, struct what *w)
{
	struct devsim_checker *c = &s->chk;

	if (a->write && !c->reset_seen) {
		if (a->off == VMMIO_REG_STATUS && a->val != 0)
			devsim_chk_record(s, DEVSIM_RULE_INIT_RESET_FIRST, a->seq,
					  "%s: the first Status write after probing must be 0 (reset)",
					  devsim_chk_wtext(w));
		else if (r->cls == DEVSIM_CLS_FEATURE || r->cls == DEVSIM_CLS_QUEUE)
			devsim_chk_record(s, DEVSIM_RULE_INIT_RESET_FIRST, a->seq,
					  "%s before resetting the device", devsim_chk_wtext(w));
	}
	if (!devsim_is_legacy(s) && r->cls == DEVSIM_CLS_QUEUE && !c->fok_confirmed)
		devsim_chk_record(s, DEVSIM_RULE_INIT_SETUP_AFTER_FEATURES_OK, a->seq,
				  "%s before FEATURES_OK was set and read back",
				  devsim_chk_wtext(w));
	if (r->cls == DEVSIM_CLS_SHM && !s->cfg.driver_expects_shm)
		devsim_chk_record(s, DEVSIM_RULE_SHM_UNEXPECTED, a->seq,
				  "%s, but the driver does not expect shared memory",
				  devsim_chk_wtext(w));
}
