/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the parts of the spec checker share: the access description, the
 * helpers of checker.c, and the check functions that checker.c dispatches
 * to in checker_device.c, checker_config.c, checker_layout.c,
 * checker_status.c, checker_irq.c and checker_queues.c.
 */
#ifndef DEVSIM_CHECKER_INTERNAL_H
#define DEVSIM_CHECKER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "devsim_internal.h"

/* One access, described for the details ("read QueueReady", "wrote 0x1 to
 * QueueReady"); formatted only when a violation needs it, since every
 * access of the datapath passes here too. */
struct what {
	const struct devsim *s;
	const struct devsim_access_ctx *a;
	char text[80];
};

/* --- recording and helpers (checker.c) --------------------------------------------- */

/* Record a violation of @rule by access @seq, with printf-style details. */
void devsim_chk_record(struct devsim *s, enum devsim_rule rule, uint64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The access of @w as text, formatted on first use. */
const char *devsim_chk_wtext(struct what *w);
bool devsim_chk_well_formed(const struct devsim_access_ctx *a, const struct devsim_reg *r);
/* The MMIO Version of @s's layout: 1 (legacy) or 2. */
uint32_t devsim_chk_mmio_version(const struct devsim *s);
/* The checker's view of the selected queue, or NULL when QueueSel is out of range. */
struct devsim_queue_chk *devsim_chk_queue_chk(struct devsim *s);
void devsim_chk_reset(struct devsim_checker *c);

/* --- rules about the whole device (checker_device.c) ------------------------------- */

void devsim_chk_check_probe(struct devsim *s, const struct devsim_access_ctx *a, struct what *w);
void devsim_chk_check_stop_readback(struct devsim *s, const struct devsim_access_ctx *a,
				    struct what *w);
void devsim_chk_check_generation_bracket(struct devsim *s, const struct devsim_access_ctx *a,
					 struct what *w);
void devsim_chk_check_failed_reset(struct devsim *s, const struct devsim_access_ctx *a,
				   const struct devsim_reg *r, struct what *w);

/* --- the configuration space (checker_config.c) ------------------------------------ */

void devsim_chk_check_config(struct devsim *s, const struct devsim_access_ctx *a, struct what *w);

/* --- layout and register class (checker_layout.c) ---------------------------------- */

void devsim_chk_check_layout(struct devsim *s, const struct devsim_access_ctx *a,
			     const struct devsim_reg *r, struct what *w);
void devsim_chk_check_register_class(struct devsim *s, const struct devsim_access_ctx *a,
				     const struct devsim_reg *r, struct what *w);

/* --- features and Status (checker_status.c) ---------------------------------------- */

/* A DriverFeatures write. */
void devsim_chk_check_driver_features(struct devsim *s, const struct devsim_access_ctx *a,
				      struct what *w);
/* A Status write; 0 resets what the checker tracks. */
void devsim_chk_check_status_write(struct devsim *s, const struct devsim_access_ctx *a,
				   struct what *w);

/* --- interrupts (checker_irq.c) ---------------------------------------------------- */

/* An InterruptStatus read. */
void devsim_chk_check_isr_read(struct devsim *s, const struct devsim_access_ctx *a, struct what *w);
/* An InterruptACK write. */
void devsim_chk_check_ack(struct devsim *s, const struct devsim_access_ctx *a, struct what *w);

/* --- queues (checker_queues.c) ----------------------------------------------------- */

/* The bit of a reconfiguration register, 0 for any other offset. */
uint8_t devsim_chk_reconf_bit(uint32_t off);
/* An access to QueueSize or an address register of the selected queue. */
void devsim_chk_check_queue_config(struct devsim *s, const struct devsim_access_ctx *a,
				   struct what *w);
/* A QueueReady write. */
void devsim_chk_check_queue_ready_write(struct devsim *s, const struct devsim_access_ctx *a,
					struct what *w);
/* A legacy QueuePFN write. */
void devsim_chk_check_legacy_pfn_write(struct devsim *s, const struct devsim_access_ctx *a,
				       struct what *w);

#endif /* DEVSIM_CHECKER_INTERNAL_H */
