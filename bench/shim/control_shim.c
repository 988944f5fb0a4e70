/* SPDX-License-Identifier: BSD-3-Clause */
/* libvmmio control-plane operations for the benchmarks (see control_shim.h). */
#include <stdlib.h>
#include <string.h>

#include "control_shim.h"
#include "devsim.h"
#include "vmmio_dev.h"
#include "vmmio_net.h"

struct ctl_bench {
	struct devsim *sim;
	struct vmmio_regwin win;
	struct vmmio_dev dev;
	struct vmmio_features want;
	unsigned long accesses;
};

struct ctl_bench *ctl_bench_open(int legacy)
{
	struct devsim_config c;
	struct ctl_bench *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	devsim_config_default(&c, DEVSIM_NET, legacy != 0);
	b->sim = devsim_create(&c);
	if (!b->sim) {
		free(b);
		return NULL;
	}
	b->win = devsim_regwin(b->sim);
	vmmio_net_driver_features(&b->want);
	if (vmmio_probe(&b->dev, &b->win, NULL)) {
		ctl_bench_close(b);
		return NULL;
	}
	return b;
}

void ctl_bench_close(struct ctl_bench *b)
{
	if (!b)
		return;
	devsim_destroy(b->sim);
	free(b);
}

static int enable_rx_tx(struct vmmio_dev *d, void *arg)
{
	(void)arg;
	for (uint16_t q = 0; q < 2; q++) {
		struct vmmio_legacy_layout l;
		const uint64_t base = 0x40000000ull + q * 0x100000ull;
		struct vmmio_queue_cfg c = { .num = 256, .desc = base };

		/* The legacy layout is also a valid modern one. */
		vmmio_legacy_layout(c.num, VMMIO_LEGACY_ALIGN, &l);
		c.driver = base + l.avail_off;
		c.device = base + l.used_off;
		int r = vmmio_queue_enable(d, q, &c);
		if (r)
			return r;
	}
	return 0;
}

/* Count the accesses of one operation, then forget them so the model's
 * log does not grow across iterations. */
static void account(struct ctl_bench *b)
{
	b->accesses = devsim_log_count(b->sim);
	devsim_log_clear(b->sim);
}

int ctl_bench_init(struct ctl_bench *b)
{
	int r = vmmio_init(&b->dev, &b->want, enable_rx_tx, NULL);

	account(b);
	return r;
}

int ctl_bench_read_net_config(struct ctl_bench *b)
{
	struct vmmio_net_config nc;
	int r = vmmio_net_config_read(&b->dev, &nc);

	account(b);
	return r;
}

int ctl_bench_irq(struct ctl_bench *b)
{
	devsim_raise_irq(b->sim, VMMIO_ISR_USED_BUFFER);
	int r = vmmio_irq_wait(&b->dev, 0) == 1 && vmmio_irq_handle(&b->dev) == VMMIO_EV_USED ? 0 : -1;

	account(b);
	return r;
}

unsigned long ctl_bench_accesses(struct ctl_bench *b)
{
	return b->accesses;
}
