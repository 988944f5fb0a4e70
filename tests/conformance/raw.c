/* SPDX-License-Identifier: BSD-3-Clause */
/* Raw register steps of the negative tests, each one as the spec has it. */
#include "raw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmmio_dev.h"

/* Status polls before giving up on a reset that never completes. */
#define RAW_RESET_POLLS 64
/* Queues of the negative tests live here, page aligned, one 16 MiB slot each. */
#define RAW_QUEUE_BASE 0x40000000ull
#define RAW_QUEUE_STRIDE 0x1000000ull

void raw_config(struct raw *r, enum devsim_personality p, bool legacy)
{
	memset(r, 0, sizeof(*r));
	devsim_config_default(&r->cfg, p, legacy);
}

void raw_start(struct raw *r)
{
	r->sim = devsim_create(&r->cfg);
	if (!r->sim) {
		printf("# devsim_create refused the device configuration\n");
		abort();
	}
	r->win = devsim_regwin(r->sim);
}

void raw_open(struct raw *r, enum devsim_personality p, bool legacy)
{
	raw_config(r, p, legacy);
	raw_start(r);
}

void raw_close(struct raw *r)
{
	devsim_destroy(r->sim);
	r->sim = NULL;
}

uint32_t raw_read(struct raw *r, uint32_t off)
{
	return r->win.ops->read(r->win.ctx, off, 4);
}

void raw_write(struct raw *r, uint32_t off, uint32_t val)
{
	r->win.ops->write(r->win.ctx, off, 4, val);
}

int raw_wait_irq(struct raw *r, int timeout_ms)
{
	return r->win.ops->wait_irq(r->win.ctx, timeout_ms);
}

static bool legacy(const struct raw *r)
{
	return r->cfg.version == VMMIO_VERSION_LEGACY;
}

void raw_probe(struct raw *r)
{
	EXPECT_EQ(raw_read(r, VMMIO_REG_MAGIC_VALUE), VMMIO_MAGIC_VALUE);
	EXPECT_EQ(raw_read(r, VMMIO_REG_VERSION), r->cfg.version);
	EXPECT_EQ(raw_read(r, VMMIO_REG_DEVICE_ID), r->cfg.device_id);
	EXPECT_EQ(raw_read(r, VMMIO_REG_VENDOR_ID), r->cfg.vendor_id);
}

void raw_reset(struct raw *r)
{
	unsigned polls = 0;

	raw_write(r, VMMIO_REG_STATUS, 0);
	while (raw_read(r, VMMIO_REG_STATUS) != 0 && ++polls < RAW_RESET_POLLS)
		;
	EXPECT(polls < RAW_RESET_POLLS);
	r->status = 0;
}

void raw_status(struct raw *r, uint8_t bits)
{
	r->status |= bits;
	raw_write(r, VMMIO_REG_STATUS, r->status);
}

void raw_ack_driver(struct raw *r)
{
	raw_status(r, VMMIO_STATUS_ACKNOWLEDGE);
	raw_status(r, VMMIO_STATUS_DRIVER);
}

/* Version 1 has no feature bits above 31 ("Legacy Interface: Feature Bits"). */
static unsigned feature_words(const struct raw *r)
{
	return legacy(r) ? 1u : VMMIO_FEATURE_WORDS;
}

void raw_read_features(struct raw *r)
{
	memset(&r->offered, 0, sizeof(r->offered));
	for (unsigned i = 0; i < feature_words(r); i++) {
		raw_write(r, VMMIO_REG_DEVICE_FEATURES_SEL, i);
		r->offered.w[i] = raw_read(r, VMMIO_REG_DEVICE_FEATURES);
	}
	EXPECT(vmmio_feat_equal(&r->offered, &r->cfg.features));
}

void raw_write_features(struct raw *r, const struct vmmio_features *f)
{
	for (unsigned i = 0; i < feature_words(r); i++) {
		raw_write(r, VMMIO_REG_DRIVER_FEATURES_SEL, i);
		raw_write(r, VMMIO_REG_DRIVER_FEATURES, f->w[i]);
	}
}

bool raw_features_ok(struct raw *r)
{
	raw_status(r, VMMIO_STATUS_FEATURES_OK);
	return raw_read(r, VMMIO_REG_STATUS) & VMMIO_STATUS_FEATURES_OK;
}

void raw_min_features(const struct raw *r, struct vmmio_features *f)
{
	memset(f, 0, sizeof(*f));
	if (!legacy(r))
		vmmio_feat_set(f, VMMIO_F_VERSION_1);
}

void raw_to_driver(struct raw *r)
{
	raw_probe(r);
	raw_reset(r);
	raw_ack_driver(r);
}

void raw_negotiate(struct raw *r, const struct vmmio_features *accept)
{
	struct vmmio_features min;

	if (!accept) {
		raw_min_features(r, &min);
		accept = &min;
	}
	raw_to_driver(r);
	raw_read_features(r);
	raw_write_features(r, accept);
	if (!legacy(r))
		EXPECT(raw_features_ok(r));
}

void raw_guest_page_size(struct raw *r)
{
	raw_write(r, VMMIO_REG_LEGACY_GUEST_PAGE_SIZE, VMMIO_LEGACY_PAGE_SIZE);
}

uint64_t raw_queue_addr(uint16_t q)
{
	return RAW_QUEUE_BASE + q * RAW_QUEUE_STRIDE;
}

static void write64(struct raw *r, uint32_t low_off, uint64_t val)
{
	raw_write(r, low_off, (uint32_t)val);
	raw_write(r, low_off + 4, (uint32_t)(val >> 32));
}

void raw_queue_setup(struct raw *r, uint16_t q, uint16_t num)
{
	uint64_t base = raw_queue_addr(q);

	/* "Virtqueue Configuration" (and its legacy variant), step by step. */
	raw_write(r, VMMIO_REG_QUEUE_SEL, q);
	if (legacy(r)) {
		EXPECT_EQ(raw_read(r, VMMIO_REG_LEGACY_QUEUE_PFN), 0);
		EXPECT(raw_read(r, VMMIO_REG_QUEUE_NUM_MAX) >= num);
		raw_write(r, VMMIO_REG_QUEUE_NUM, num);
		raw_write(r, VMMIO_REG_LEGACY_QUEUE_ALIGN, VMMIO_LEGACY_ALIGN);
		raw_write(r, VMMIO_REG_LEGACY_QUEUE_PFN, (uint32_t)(base / VMMIO_LEGACY_PAGE_SIZE));
		return;
	}
	EXPECT_EQ(raw_read(r, VMMIO_REG_QUEUE_READY), 0);
	EXPECT(raw_read(r, VMMIO_REG_QUEUE_NUM_MAX) >= num);
	raw_write(r, VMMIO_REG_QUEUE_NUM, num);
	write64(r, VMMIO_REG_QUEUE_DESC_LOW, base);
	write64(r, VMMIO_REG_QUEUE_DRIVER_LOW, base + RAW_QUEUE_STRIDE / 2);
	write64(r, VMMIO_REG_QUEUE_DEVICE_LOW, base + RAW_QUEUE_STRIDE * 3 / 4);
	raw_write(r, VMMIO_REG_QUEUE_READY, 1);
}

void raw_live(struct raw *r, const struct vmmio_features *accept)
{
	raw_negotiate(r, accept);
	if (legacy(r))
		raw_guest_page_size(r);
	raw_queue_setup(r, 0, 64);
	raw_status(r, VMMIO_STATUS_DRIVER_OK);
}

void raw_expect_clean(struct raw *r)
{
	size_t n = devsim_violation_count(r->sim);

	if (n) {
		conf_failf(__FILE__, __LINE__,
			   "%zu violation(s) before the deliberate break: the correct steps were flagged",
			   n);
		conf_print_violations(r->sim);
	}
}

void raw_expect_caught(struct raw *r, enum devsim_rule rule)
{
	const char *id = devsim_rule_info(rule)->id;

	EXPECT(devsim_violated(r->sim, rule));
	for (size_t i = 0; i < devsim_violation_count(r->sim); i++) {
		const struct devsim_violation *v = devsim_violation(r->sim, i);

		if (v->rule != rule)
			continue;
		if (!v->detail[0])
			conf_failf(__FILE__, __LINE__, "%s recorded without a detail", id);
		return;
	}
	conf_failf(__FILE__, __LINE__, "the checker did not catch %s", id);
	conf_print_violations(r->sim);
}

void raw_expect_not_caught(struct raw *r, enum devsim_rule rule)
{
	if (devsim_violated(r->sim, rule)) {
		conf_failf(__FILE__, __LINE__, "the break was also flagged as %s",
			   devsim_rule_info(rule)->id);
		conf_print_violations(r->sim);
	}
}

void raw_take_irq(struct raw *r, uint32_t bits)
{
	devsim_raise_irq(r->sim, bits);
	EXPECT_EQ(raw_wait_irq(r, 100), 1);
	EXPECT_EQ(raw_read(r, VMMIO_REG_INTERRUPT_STATUS), bits);
}
