/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The register layout tables of transport-mmio.tex ("MMIO Device Register
 * Layout" and "MMIO Device Legacy Register Layout") with names and
 * directions, the access log, and the human-readable dumps.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "devsim_internal.h"

#define R DEVSIM_DIR_R
#define W DEVSIM_DIR_W
#define RW DEVSIM_DIR_RW
#define MODERN DEVSIM_LAYOUT_MODERN
#define LEGACY DEVSIM_LAYOUT_LEGACY
#define BOTH DEVSIM_LAYOUT_BOTH

static const struct devsim_reg regs[] = {
	{ VMMIO_REG_MAGIC_VALUE, R, BOTH, DEVSIM_CLS_ID, "MagicValue", NULL },
	{ VMMIO_REG_VERSION, R, BOTH, DEVSIM_CLS_ID, "Version", NULL },
	{ VMMIO_REG_DEVICE_ID, R, BOTH, DEVSIM_CLS_ID, "DeviceID", NULL },
	{ VMMIO_REG_VENDOR_ID, R, BOTH, DEVSIM_CLS_ID, "VendorID", NULL },
	{ VMMIO_REG_DEVICE_FEATURES, R, BOTH, DEVSIM_CLS_FEATURE, "DeviceFeatures", "HostFeatures" },
	{ VMMIO_REG_DEVICE_FEATURES_SEL, W, BOTH, DEVSIM_CLS_FEATURE, "DeviceFeaturesSel",
	  "HostFeaturesSel" },
	{ VMMIO_REG_DRIVER_FEATURES, W, BOTH, DEVSIM_CLS_FEATURE, "DriverFeatures", "GuestFeatures" },
	{ VMMIO_REG_DRIVER_FEATURES_SEL, W, BOTH, DEVSIM_CLS_FEATURE, "DriverFeaturesSel",
	  "GuestFeaturesSel" },
	{ VMMIO_REG_LEGACY_GUEST_PAGE_SIZE, W, LEGACY, DEVSIM_CLS_QUEUE, "GuestPageSize", NULL },
	{ VMMIO_REG_QUEUE_SEL, W, BOTH, DEVSIM_CLS_QUEUE, "QueueSel", NULL },
	{ VMMIO_REG_QUEUE_NUM_MAX, R, BOTH, DEVSIM_CLS_QUEUE, "QueueSizeMax", NULL },
	{ VMMIO_REG_QUEUE_NUM, W, BOTH, DEVSIM_CLS_QUEUE, "QueueSize", NULL },
	{ VMMIO_REG_LEGACY_QUEUE_ALIGN, W, LEGACY, DEVSIM_CLS_QUEUE, "QueueAlign", NULL },
	{ VMMIO_REG_LEGACY_QUEUE_PFN, RW, LEGACY, DEVSIM_CLS_QUEUE, "QueuePFN", NULL },
	{ VMMIO_REG_QUEUE_READY, RW, MODERN, DEVSIM_CLS_QUEUE, "QueueReady", NULL },
	{ VMMIO_REG_QUEUE_NOTIFY, W, BOTH, DEVSIM_CLS_NOTIFY, "QueueNotify", NULL },
	{ VMMIO_REG_INTERRUPT_STATUS, R, BOTH, DEVSIM_CLS_IRQ, "InterruptStatus", NULL },
	{ VMMIO_REG_INTERRUPT_ACK, W, BOTH, DEVSIM_CLS_IRQ, "InterruptACK", NULL },
	{ VMMIO_REG_STATUS, RW, BOTH, DEVSIM_CLS_STATUS, "Status", NULL },
	{ VMMIO_REG_QUEUE_DESC_LOW, W, MODERN, DEVSIM_CLS_QUEUE, "QueueDescLow", NULL },
	{ VMMIO_REG_QUEUE_DESC_HIGH, W, MODERN, DEVSIM_CLS_QUEUE, "QueueDescHigh", NULL },
	{ VMMIO_REG_QUEUE_DRIVER_LOW, W, MODERN, DEVSIM_CLS_QUEUE, "QueueDriverLow", NULL },
	{ VMMIO_REG_QUEUE_DRIVER_HIGH, W, MODERN, DEVSIM_CLS_QUEUE, "QueueDriverHigh", NULL },
	{ VMMIO_REG_QUEUE_DEVICE_LOW, W, MODERN, DEVSIM_CLS_QUEUE, "QueueDeviceLow", NULL },
	{ VMMIO_REG_QUEUE_DEVICE_HIGH, W, MODERN, DEVSIM_CLS_QUEUE, "QueueDeviceHigh", NULL },
	{ VMMIO_REG_SHM_SEL, W, MODERN, DEVSIM_CLS_SHM, "SHMSel", NULL },
	{ VMMIO_REG_SHM_LEN_LOW, R, MODERN, DEVSIM_CLS_SHM, "SHMLenLow", NULL },
	{ VMMIO_REG_SHM_LEN_HIGH, R, MODERN, DEVSIM_CLS_SHM, "SHMLenHigh", NULL },
	{ VMMIO_REG_SHM_BASE_LOW, R, MODERN, DEVSIM_CLS_SHM, "SHMBaseLow", NULL },
	{ VMMIO_REG_SHM_BASE_HIGH, R, MODERN, DEVSIM_CLS_SHM, "SHMBaseHigh", NULL },
	{ VMMIO_REG_QUEUE_RESET, RW, MODERN, DEVSIM_CLS_QUEUE, "QueueReset", NULL },
	{ VMMIO_REG_CONFIG_GENERATION, R, MODERN, DEVSIM_CLS_GENERATION, "ConfigGeneration", NULL },
};

const struct devsim_reg *devsim_reg_find(const struct devsim *s, uint32_t off)
{
	unsigned layout = devsim_is_legacy(s) ? LEGACY : MODERN;

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (regs[i].off == off && (regs[i].layouts & layout))
			return &regs[i];
	return NULL;
}

const char *devsim_reg_label(const struct devsim *s, const struct devsim_reg *r)
{
	return devsim_is_legacy(s) && r->legacy_name ? r->legacy_name : r->name;
}

const char *devsim_reg_name(const struct devsim *s, uint32_t off, char *buf, size_t len)
{
	const struct devsim_reg *r;

	if (len == 0)
		return buf;
	if (off >= VMMIO_REG_CONFIG) {
		snprintf(buf, len, "config+0x%" PRIx32, off - VMMIO_REG_CONFIG);
		return buf;
	}
	r = devsim_reg_find(s, off & ~3u);
	if (!r)
		snprintf(buf, len, "undefined register 0x%03" PRIx32, off);
	else if (off & 3u)
		snprintf(buf, len, "%s+%" PRIu32, devsim_reg_label(s, r), off & 3u);
	else
		snprintf(buf, len, "%s", devsim_reg_label(s, r));
	return buf;
}

/* --- the access log ----------------------------------------------------------- */

/* Grow the ring up to DEVSIM_LOG_MAX entries; at that size the oldest
 * entry makes room. Returns false if memory runs out (the entry is lost). */
static bool log_make_room(struct devsim *s)
{
	size_t cap;
	struct devsim_access *grown;

	if (s->log_len < s->log_cap)
		return true;
	if (s->log_cap >= DEVSIM_LOG_MAX) {
		s->log_head = (s->log_head + 1) % s->log_cap;
		s->log_len--;
		return true;
	}
	/* Only reached before the ring ever wrapped, so log_head is 0. */
	cap = s->log_cap ? s->log_cap * 2 : 256;
	if (cap > DEVSIM_LOG_MAX)
		cap = DEVSIM_LOG_MAX;
	grown = realloc(s->log, cap * sizeof(*grown));
	if (!grown)
		return false;
	s->log = grown;
	s->log_cap = cap;
	return true;
}

void devsim_log_add(struct devsim *s, uint64_t seq, enum devsim_access_kind kind, uint32_t off,
		    unsigned size, uint32_t value)
{
	struct devsim_access *e;

	if (!log_make_room(s))
		return;
	e = &s->log[(s->log_head + s->log_len) % s->log_cap];
	e->seq = seq;
	e->kind = kind;
	e->off = off;
	e->size = (uint8_t)size;
	e->value = value;
	s->log_len++;
}

size_t devsim_log_count(const struct devsim *s)
{
	return s->log_len;
}

const struct devsim_access *devsim_log_entry(const struct devsim *s, size_t i)
{
	if (i >= s->log_len)
		return NULL;
	return &s->log[(s->log_head + i) % s->log_cap];
}

void devsim_log_clear(struct devsim *s)
{
	s->log_head = 0;
	s->log_len = 0;
}

void devsim_log_dump(const struct devsim *s, FILE *f)
{
	char name[48];

	for (size_t i = 0; i < s->log_len; i++) {
		const struct devsim_access *e = devsim_log_entry(s, i);

		switch (e->kind) {
		case DEVSIM_READ:
			fprintf(f, "#%" PRIu64 " read%u  %-20s -> 0x%" PRIx32 "\n", e->seq,
				8u * e->size, devsim_reg_name(s, e->off, name, sizeof(name)), e->value);
			break;
		case DEVSIM_WRITE:
			fprintf(f, "#%" PRIu64 " write%u %-20s <- 0x%" PRIx32 "\n", e->seq,
				8u * e->size, devsim_reg_name(s, e->off, name, sizeof(name)), e->value);
			break;
		case DEVSIM_IRQ_WAIT:
			fprintf(f, "#%" PRIu64 " wait_irq %d ms -> %d\n", e->seq, (int)e->off,
				(int)e->value);
			break;
		case DEVSIM_IRQ_UNMASK:
			fprintf(f, "#%" PRIu64 " irq_unmask\n", e->seq);
			break;
		}
	}
}

void devsim_dump_violations(const struct devsim *s, FILE *f)
{
	for (size_t i = 0; i < s->n_viol; i++) {
		const struct devsim_violation *v = &s->viol[i];
		const struct devsim_rule_info *info = devsim_rule_info(v->rule);

		fprintf(f, "%s: %s (%s)\n", info->id, v->detail, info->text);
	}
	if (s->viol_dropped)
		fprintf(f, "(%zu more violations not kept)\n", s->viol_dropped);
}
