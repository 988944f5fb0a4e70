/* SPDX-License-Identifier: BSD-3-Clause */
/* Probe: identity, bad MagicValue/Version, DeviceID 0 placeholder, hotplug. */
#include <errno.h>

#include "fixture.h"

static void set_bad_magic(struct devsim_config *c) { c->magic = 0x12345678; }
static void set_bad_version(struct devsim_config *c) { c->version = 3; }
static void set_placeholder(struct devsim_config *c) { c->device_id = 0; }

static void t_probe_modern_net(void)
{
	struct fixture fx;

	fx_open(&fx, DEVSIM_NET, false, NULL);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(fx.dev.version, 2);
	CHECK_EQ(fx.dev.device_id, VMMIO_DEVICE_ID_NET);
	CHECK_EQ(fx.dev.vendor_id, fx.cfg.vendor_id);
	CHECK_EQ(fx.dev.err[0], '\0');
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_probe_legacy_net(void)
{
	struct fixture fx;

	fx_open(&fx, DEVSIM_NET, true, NULL);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(fx.dev.version, 1);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_bad_magic_ignored(void)
{
	struct fixture fx;

	fx_open(&fx, DEVSIM_NET, false, set_bad_magic);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), -ENODEV);
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "MagicValue is 0x12345678");
	/* Ignored: MagicValue was the only register touched. */
	CHECK_EQ(devsim_log_count(fx.sim), 1);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_bad_version_ignored(void)
{
	struct fixture fx;

	fx_open(&fx, DEVSIM_NET, false, set_bad_version);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), -EPROTONOSUPPORT);
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "Version is 3");
	CHECK_EQ(devsim_log_count(fx.sim), 2);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_placeholder_no_error_no_access(void)
{
	struct fixture fx;

	fx_open(&fx, DEVSIM_NET, false, set_placeholder);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), VMMIO_PROBE_PLACEHOLDER);
	CHECK_EQ(vmmio_dev_error(&fx.dev)[0], '\0'); /* "MUST NOT report any error" */
	/* Magic, Version, DeviceID and nothing else. */
	CHECK_EQ(devsim_log_count(fx.sim), 3);
	CHECK_EQ(devsim_log_entry(fx.sim, 2)->off, VMMIO_REG_DEVICE_ID);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_hotplug_wait_continues(void)
{
	struct fixture fx;
	struct vmmio_probe_opts o = { .hotplug_wait = true, .hotplug_timeout_ms = 5000 };

	fx_open(&fx, DEVSIM_NET, false, set_placeholder);
	devsim_hotplug(fx.sim, VMMIO_DEVICE_ID_NET, 250); /* appears at virtual 250 ms */
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, &o), 0);
	CHECK_EQ(fx.dev.device_id, VMMIO_DEVICE_ID_NET);
	/* Before the device appeared only DeviceID reads and waits happened:
	 * the first access after the non-zero DeviceID read is VendorID. Each
	 * wake-up re-enabled the line (a UIO bus masks it) after the DeviceID
	 * read, without InterruptStatus or ACK. */
	size_t n = devsim_log_count(fx.sim), seen_at = 0;
	unsigned wakes = 0, unmasks = 0;
	for (size_t i = 3; i < n; i++) {
		const struct devsim_access *a = devsim_log_entry(fx.sim, i);

		if (!seen_at) {
			CHECK(!devsim_access_is_reg(a) || a->off == VMMIO_REG_DEVICE_ID);
			if (a->kind == DEVSIM_IRQ_WAIT && a->value == 1)
				wakes++;
			if (a->kind == DEVSIM_READ && a->value)
				seen_at = i;
		} else if (a->kind == DEVSIM_IRQ_UNMASK) {
			unmasks++;
			/* right after the DeviceID read that saw the device */
			CHECK_EQ(i, seen_at + 1);
		}
	}
	CHECK(seen_at);
	CHECK_EQ(wakes, 1);
	CHECK_EQ(unmasks, 1);
	/* And the device can be initialised. */
	struct vmmio_features all = fx_all_features();
	CHECK_EQ(vmmio_init(&fx.dev, &all, NULL, NULL), 0);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_hotplug_wait_times_out(void)
{
	struct fixture fx;
	struct vmmio_probe_opts o = { .hotplug_wait = true, .hotplug_timeout_ms = 30 };

	fx_open(&fx, DEVSIM_NET, false, set_placeholder);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, &o), -ETIMEDOUT);
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "DeviceID still 0");
	for (size_t i = 3; i < devsim_log_count(fx.sim); i++) {
		const struct devsim_access *a = devsim_log_entry(fx.sim, i);

		CHECK(!devsim_access_is_reg(a) || a->off == VMMIO_REG_DEVICE_ID);
	}
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_hotplug_spurious_irq_keeps_waiting(void)
{
	struct fixture fx;
	struct vmmio_probe_opts o = { .hotplug_wait = true, .hotplug_timeout_ms = 5000 };

	fx_open(&fx, DEVSIM_NET, false, set_placeholder);
	/* An interrupt before the device exists: DeviceID is re-read, still 0,
	 * and the driver goes on waiting (without touching InterruptStatus). */
	devsim_raise_irq(fx.sim, VMMIO_ISR_CONFIG_CHANGE);
	devsim_hotplug(fx.sim, VMMIO_DEVICE_ID_NET, 100);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, &o), 0);
	CHECK_EQ(fx.dev.device_id, VMMIO_DEVICE_ID_NET);
	unsigned irqs = 0, zero_reads = 0;
	for (size_t i = 0; i < devsim_log_count(fx.sim); i++) {
		const struct devsim_access *a = devsim_log_entry(fx.sim, i);

		if (a->kind == DEVSIM_IRQ_WAIT && a->value == 1)
			irqs++;
		if (a->kind == DEVSIM_READ && a->off == VMMIO_REG_DEVICE_ID && !a->value)
			zero_reads++;
		CHECK(a->off != VMMIO_REG_INTERRUPT_STATUS && a->off != VMMIO_REG_INTERRUPT_ACK);
	}
	CHECK_EQ(irqs, 2); /* the spurious one and the hotplug */
	CHECK_EQ(zero_reads, 2); /* the probe's read and the one after the spurious irq */
	fx_check_clean(&fx);
	fx_close(&fx);
}

/* A poll-only bus (like /dev/mem): devsim's registers, no interrupt. The
 * device appears after @appear_after DeviceID reads (never when 0). */
struct poll_bus {
	struct vmmio_regwin inner;
	struct devsim *sim;
	unsigned id_reads;
	unsigned appear_after;
};

static uint32_t poll_bus_read(void *ctx, uint32_t off, unsigned size)
{
	struct poll_bus *b = ctx;

	if (off == VMMIO_REG_DEVICE_ID && ++b->id_reads == b->appear_after)
		devsim_hotplug(b->sim, VMMIO_DEVICE_ID_NET, 0);
	return b->inner.ops->read(b->inner.ctx, off, size);
}

static void poll_bus_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
	struct poll_bus *b = ctx;

	b->inner.ops->write(b->inner.ctx, off, size, val);
}

static int poll_bus_wait_irq(void *ctx, int timeout_ms)
{
	(void)ctx;
	(void)timeout_ms;
	return -ENOTSUP;
}

static const struct vmmio_regwin_ops poll_bus_ops = {
	.read = poll_bus_read,
	.write = poll_bus_write,
	.wait_irq = poll_bus_wait_irq,
};

static void run_poll_only(unsigned appear_after, int timeout_ms, int want_rc)
{
	struct fixture fx;
	struct poll_bus b = { .appear_after = appear_after };
	struct vmmio_probe_opts o = { .hotplug_wait = true, .hotplug_timeout_ms = timeout_ms };

	fx_open(&fx, DEVSIM_NET, false, set_placeholder);
	b.inner = fx.win;
	b.sim = fx.sim;
	struct vmmio_regwin win = { .ops = &poll_bus_ops, .ctx = &b, .name = "poll-only" };

	CHECK_EQ(vmmio_probe(&fx.dev, &win, &o), want_rc);
	if (want_rc == 0) {
		CHECK_EQ(fx.dev.device_id, VMMIO_DEVICE_ID_NET);
		CHECK_EQ(b.id_reads, appear_after);
	} else {
		CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "DeviceID still 0");
		CHECK(b.id_reads > 1); /* it did poll */
	}
	/* Only DeviceID was read while the device was absent. */
	for (size_t i = 3; i < devsim_log_count(fx.sim); i++) {
		const struct devsim_access *a = devsim_log_entry(fx.sim, i);

		if (a->kind == DEVSIM_READ && a->off == VMMIO_REG_DEVICE_ID && a->value)
			break;
		CHECK_EQ(a->off, VMMIO_REG_DEVICE_ID);
	}
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_hotplug_poll_only_bus(void)
{
	run_poll_only(4, 5000, 0); /* appears on the 4th DeviceID read */
}

static void t_hotplug_poll_only_bus_times_out(void)
{
	run_poll_only(0, 20, -ETIMEDOUT);
}

int main(void)
{
	TAP_RUN(t_probe_modern_net);
	TAP_RUN(t_probe_legacy_net);
	TAP_RUN(t_bad_magic_ignored);
	TAP_RUN(t_bad_version_ignored);
	TAP_RUN(t_placeholder_no_error_no_access);
	TAP_RUN(t_hotplug_wait_continues);
	TAP_RUN(t_hotplug_wait_times_out);
	TAP_RUN(t_hotplug_spurious_irq_keeps_waiting);
	TAP_RUN(t_hotplug_poll_only_bus);
	TAP_RUN(t_hotplug_poll_only_bus_times_out);
	return tap_end();
}
