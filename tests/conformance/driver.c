/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers of the positive tests: the driver on a devsim device. */
#include "driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void drv_config(struct drv *t, enum devsim_personality p, bool legacy)
{
	memset(t, 0, sizeof(*t));
	devsim_config_default(&t->cfg, p, legacy);
}

void drv_start(struct drv *t)
{
	t->sim = devsim_create(&t->cfg);
	if (!t->sim) {
		printf("# devsim_create refused the device configuration\n");
		abort();
	}
	t->win = devsim_regwin(t->sim);
}

void drv_close(struct drv *t)
{
	devsim_destroy(t->sim);
	t->sim = NULL;
}

void drv_all_features(struct vmmio_features *f)
{
	memset(f, 0xff, sizeof(*f));
}

/* Far above 4 GiB on Version 2 so that the High halves of the address
 * registers matter; page aligned, and QueuePFN still fits 32 bits. */
#define DRV_QUEUE_BASE 0x100000000ull
#define DRV_QUEUE_STRIDE 0x1000000ull /* room for the largest split ring */

void drv_queue_cfg(const struct vmmio_dev *d, uint16_t idx, uint16_t num,
		   struct vmmio_queue_cfg *out)
{
	uint64_t base = DRV_QUEUE_BASE + (uint64_t)idx * DRV_QUEUE_STRIDE;

	out->num = num;
	out->desc = base;
	if (d->version == VMMIO_VERSION_LEGACY) {
		/* "Legacy Interfaces: A Note on Virtqueue Layout": one
		 * contiguous area, the used ring at QueueAlign. */
		struct vmmio_legacy_layout l;

		vmmio_legacy_layout(num, VMMIO_LEGACY_ALIGN, &l);
		out->driver = base + l.avail_off;
		out->device = base + l.used_off;
	} else {
		out->driver = base + DRV_QUEUE_STRIDE / 2;
		out->device = base + DRV_QUEUE_STRIDE * 3 / 4;
	}
}

int drv_setup_queues(struct vmmio_dev *d, void *arg)
{
	struct drv_queues *q = arg;

	q->calls++;
	q->enabled = 0;
	for (uint16_t idx = 0; idx < DEVSIM_MAX_QUEUES; idx++) {
		uint16_t max = 0;
		struct vmmio_queue_cfg cfg;
		int rc = vmmio_queue_max(d, idx, &max);

		if (rc)
			return rc;
		if (!max)
			break; /* "If the returned value is zero (0x0) the queue is not available." */
		drv_queue_cfg(d, idx, q->num && q->num < max ? q->num : max, &cfg);
		rc = vmmio_queue_enable(d, idx, &cfg);
		if (rc)
			return rc;
		q->enabled++;
	}
	return 0;
}

bool drv_live(struct drv *t, const struct vmmio_features *wanted, struct drv_queues *q)
{
	struct vmmio_features all;
	int rc = vmmio_probe(&t->dev, &t->win, NULL);

	if (rc) {
		conf_failf(__FILE__, __LINE__, "vmmio_probe returned %d (%s)", rc,
			   vmmio_dev_error(&t->dev));
		return false;
	}
	drv_all_features(&all);
	rc = vmmio_init(&t->dev, wanted ? wanted : &all, drv_setup_queues, q);
	if (rc) {
		conf_failf(__FILE__, __LINE__, "vmmio_init returned %d (%s)", rc,
			   vmmio_dev_error(&t->dev));
		return false;
	}
	EXPECT(q->enabled > 0);
	return true;
}

void expect_clean(struct devsim *sim)
{
	size_t n = devsim_violation_count(sim);

	EXPECT_EQ(n, 0);
	if (n)
		conf_print_violations(sim);
}

void expect_status(struct devsim *sim, uint8_t status)
{
	char have[96], want[96];
	uint8_t s = devsim_status(sim);

	if (s != status)
		conf_failf(__FILE__, __LINE__, "device Status is %s, want %s",
			   vmmio_status_format(s, have, sizeof(have)),
			   vmmio_status_format(status, want, sizeof(want)));
}

void expect_queue_ready(struct devsim *sim, uint16_t q, bool ready)
{
	struct devsim_queue_state st;

	if (devsim_queue_state(sim, q, &st)) {
		conf_failf(__FILE__, __LINE__, "devsim has no queue %u", (unsigned)q);
		return;
	}
	if (st.ready != ready)
		conf_failf(__FILE__, __LINE__, "queue %u is %sready, want %sready", (unsigned)q,
			   st.ready ? "" : "not ", ready ? "" : "not ");
}
