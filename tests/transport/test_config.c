/* SPDX-License-Identifier: BSD-3-Clause */
/* Configuration space: widths, ConfigGeneration retries, legacy byte reads. */
#include <errno.h>
#include <stdint.h>

#include "fixture.h"

static void init_dev(struct fixture *fx)
{
	struct vmmio_features all = fx_all_features();

	CHECK_EQ(vmmio_probe(&fx->dev, &fx->win, NULL), 0);
	CHECK_EQ(vmmio_init(&fx->dev, &all, NULL, NULL), 0);
}

static void t_generation_retry(void)
{
	struct fixture fx;
	uint64_t mtu;

	fx_open(&fx, DEVSIM_NET, false, NULL);
	init_dev(&fx);
	uint32_t before = devsim_config_generation(fx.sim);
	devsim_config_churn(fx.sim, 3); /* the next 3 reads each see a change */
	CHECK_EQ(vmmio_cfg_read(&fx.dev, 10, 2, &mtu), 0);
	CHECK_EQ(mtu, 1500);
	/* Three changes happened, so the driver read at least four times. */
	CHECK_EQ(devsim_config_generation(fx.sim) - before, 3);
	unsigned gen_reads = 0;
	for (size_t i = 0; i < devsim_log_count(fx.sim); i++) {
		const struct devsim_access *a = devsim_log_entry(fx.sim, i);

		if (a->kind == DEVSIM_READ && a->off == VMMIO_REG_CONFIG_GENERATION)
			gen_reads++;
	}
	CHECK_EQ(gen_reads, 8); /* 4 attempts, each bracketed by two reads */
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_generation_never_settles(void)
{
	struct fixture fx;
	uint64_t v;

	fx_open(&fx, DEVSIM_NET, false, NULL);
	init_dev(&fx);
	devsim_config_churn(fx.sim, UINT32_MAX);
	CHECK_EQ(vmmio_cfg_read(&fx.dev, 10, 2, &v), -EAGAIN);
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "ConfigGeneration changed");
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_config_change_seen(void)
{
	struct fixture fx;
	uint64_t mtu;
	const uint8_t new_mtu[2] = { 0x00, 0x24 }; /* 9216, little endian */

	fx_open(&fx, DEVSIM_NET, false, NULL);
	init_dev(&fx);
	devsim_config_change(fx.sim, 10, new_mtu, sizeof(new_mtu));
	CHECK_EQ(vmmio_irq_handle(&fx.dev), VMMIO_EV_CONFIG);
	CHECK_EQ(fx.dev.config_changes, 1);
	CHECK_EQ(vmmio_cfg_read(&fx.dev, 10, 2, &mtu), 0);
	CHECK_EQ(mtu, 9216);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_wide_field_two_halves(void)
{
	struct fixture fx;
	uint64_t cap;

	fx_open(&fx, DEVSIM_BLK, false, NULL);
	init_dev(&fx);
	CHECK_EQ(vmmio_cfg_read(&fx.dev, 0, 8, &cap), 0);
	CHECK_EQ(cap, 2048);
	/* Read as two aligned 32-bit halves. */
	unsigned halves = 0;
	for (size_t i = 0; i < devsim_log_count(fx.sim); i++) {
		const struct devsim_access *a = devsim_log_entry(fx.sim, i);

		if (a->kind == DEVSIM_READ && a->off >= VMMIO_REG_CONFIG) {
			CHECK_EQ(a->size, 4);
			halves++;
		}
	}
	CHECK_EQ(halves, 2);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_legacy_reads_bytes(void)
{
	struct fixture fx;
	uint64_t mtu, status;

	fx_open(&fx, DEVSIM_NET, true, NULL);
	init_dev(&fx);
	devsim_log_clear(fx.sim);
	CHECK_EQ(vmmio_cfg_read(&fx.dev, 6, 2, &status), 0);
	CHECK_EQ(status, 1); /* link up */
	CHECK_EQ(vmmio_cfg_read(&fx.dev, 10, 2, &mtu), 0);
	CHECK_EQ(mtu, 1500);
	for (size_t i = 0; i < devsim_log_count(fx.sim); i++) {
		const struct devsim_access *a = devsim_log_entry(fx.sim, i);

		CHECK(a->off >= VMMIO_REG_CONFIG); /* no ConfigGeneration on legacy */
		CHECK_EQ(a->size, 1);
	}
	/* Two consistent reads of two bytes each, per field. */
	CHECK_EQ(devsim_log_count(fx.sim), 8);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_misaligned_field_refused(void)
{
	struct fixture fx;
	uint64_t v;

	fx_open(&fx, DEVSIM_NET, false, NULL);
	init_dev(&fx);
	devsim_log_clear(fx.sim);
	CHECK_EQ(vmmio_cfg_get(&fx.dev, 7, 2, &v), -EINVAL);
	CHECK_EQ(vmmio_cfg_get(&fx.dev, 0, 3, &v), -EINVAL);
	CHECK_EQ(vmmio_cfg_write(&fx.dev, 2, 4, 0), -EINVAL);
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "bad field");
	CHECK_EQ(devsim_log_count(fx.sim), 0); /* refused before any access */
	fx_check_clean(&fx);
	fx_close(&fx);
}

int main(void)
{
	TAP_RUN(t_generation_retry);
	TAP_RUN(t_generation_never_settles);
	TAP_RUN(t_config_change_seen);
	TAP_RUN(t_wide_field_two_halves);
	TAP_RUN(t_legacy_reads_bytes);
	TAP_RUN(t_misaligned_field_refused);
	return tap_end();
}
