/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared memory regions: present, absent, lying, legacy. */
#include <errno.h>
#include <stdint.h>

#include "fixture.h"

static void two_regions(struct devsim_config *c)
{
	c->driver_expects_shm = true;
	c->shm[0] = (struct devsim_shm_region){ .id = 0, .base = 0x800000000ull, .len = 0x200000 };
	c->shm[1] = (struct devsim_shm_region){ .id = 5, .base = 0x900000000ull, .len = 0x1000 };
	c->n_shm = 2;
}

static void wrapping_region(struct devsim_config *c)
{
	c->driver_expects_shm = true;
	c->shm[0] = (struct devsim_shm_region){ .id = 1, .base = UINT64_MAX - 0xfff, .len = 0x2000 };
	c->n_shm = 1;
}

static void expects_shm(struct devsim_config *c) { c->driver_expects_shm = true; }

static void init_dev(struct fixture *fx)
{
	struct vmmio_features all = fx_all_features();

	CHECK_EQ(vmmio_probe(&fx->dev, &fx->win, NULL), 0);
	CHECK_EQ(vmmio_init(&fx->dev, &all, NULL, NULL), 0);
}

static void t_regions_listed(void)
{
	struct fixture fx;
	struct vmmio_shm r[4];

	fx_open(&fx, DEVSIM_NET, false, two_regions);
	init_dev(&fx);
	CHECK_EQ(vmmio_shm_list(&fx.dev, 255, r, 4), 2);
	CHECK_EQ(r[0].id, 0);
	CHECK_EQ(r[0].base, 0x800000000ull);
	CHECK_EQ(r[0].len, 0x200000);
	CHECK_EQ(r[1].id, 5);
	CHECK_EQ(r[1].base, 0x900000000ull);
	CHECK_EQ(r[1].len, 0x1000);
	CHECK_EQ(vmmio_shm_get(&fx.dev, 1, &r[2]), -ENOENT);
	/* Only the first n are stored; all are counted. */
	CHECK_EQ(vmmio_shm_list(&fx.dev, 255, r, 1), 2);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_no_regions(void)
{
	struct fixture fx;
	struct vmmio_shm r;

	fx_open(&fx, DEVSIM_NET, false, expects_shm);
	init_dev(&fx);
	CHECK_EQ(vmmio_shm_list(&fx.dev, 255, &r, 1), 0);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_wrapping_region_rejected(void)
{
	struct fixture fx;
	struct vmmio_shm r;

	fx_open(&fx, DEVSIM_NET, false, wrapping_region);
	init_dev(&fx);
	CHECK_EQ(vmmio_shm_get(&fx.dev, 1, &r), -EINVAL);
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "wraps");
	CHECK_EQ(vmmio_shm_list(&fx.dev, 3, &r, 1), -EINVAL);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_legacy_has_no_shm(void)
{
	struct fixture fx;
	struct vmmio_shm r;

	fx_open(&fx, DEVSIM_NET, true, expects_shm);
	init_dev(&fx);
	devsim_log_clear(fx.sim);
	CHECK_EQ(vmmio_shm_get(&fx.dev, 0, &r), -ENOTSUP);
	CHECK_EQ(devsim_log_count(fx.sim), 0);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_init_never_touches_shm(void)
{
	struct fixture fx;

	/* A driver that does not expect shared memory: init must not use it. */
	fx_open(&fx, DEVSIM_NET, false, NULL);
	init_dev(&fx);
	for (size_t i = 0; i < devsim_log_count(fx.sim); i++) {
		uint32_t off = devsim_log_entry(fx.sim, i)->off;

		CHECK(off < VMMIO_REG_SHM_SEL || off > VMMIO_REG_SHM_BASE_HIGH);
	}
	fx_check_clean(&fx);
	fx_close(&fx);
}

int main(void)
{
	TAP_RUN(t_regions_listed);
	TAP_RUN(t_no_regions);
	TAP_RUN(t_wrapping_region_rejected);
	TAP_RUN(t_legacy_has_no_shm);
	TAP_RUN(t_init_never_touches_shm);
	return tap_end();
}
