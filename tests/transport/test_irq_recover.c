/* SPDX-License-Identifier: BSD-3-Clause */
/* Interrupt handling and DEVICE_NEEDS_RESET recovery. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>

#include "fixture.h"

#define RING_BASE 0x40000000ull

/* The device-specific setup a net driver does: enable rx and tx. */
struct setup_ctx {
	unsigned calls;
	uint16_t num;
};

static int enable_two_queues(struct vmmio_dev *d, void *arg)
{
	struct setup_ctx *s = arg;

	s->calls++;
	for (uint16_t q = 0; q < 2; q++) {
		struct vmmio_queue_cfg c = {
			.num = s->num,
			.desc = RING_BASE + q * 0x100000ull,
			.driver = RING_BASE + q * 0x100000ull + 0x10000,
			.device = RING_BASE + q * 0x100000ull + 0x20000,
		};
		int r = vmmio_queue_enable(d, q, &c);

		if (r)
			return r;
	}
	return 0;
}

static void t_irq_used_and_config(void)
{
	struct fixture fx;
	struct vmmio_features all = fx_all_features();

	fx_open(&fx, DEVSIM_NET, false, NULL);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_init(&fx.dev, &all, NULL, NULL), 0);
	CHECK_EQ(vmmio_irq_handle(&fx.dev), 0); /* nothing pending */
	devsim_raise_irq(fx.sim, VMMIO_ISR_USED_BUFFER);
	CHECK_EQ(vmmio_irq_wait(&fx.dev, 10), 1);
	CHECK_EQ(vmmio_irq_handle(&fx.dev), VMMIO_EV_USED);
	CHECK_EQ(devsim_isr(fx.sim), 0); /* acknowledged */
	devsim_raise_irq(fx.sim, VMMIO_ISR_USED_BUFFER | VMMIO_ISR_CONFIG_CHANGE);
	CHECK_EQ(vmmio_irq_wait(&fx.dev, 10), 1);
	CHECK_EQ(vmmio_irq_handle(&fx.dev), VMMIO_EV_USED | VMMIO_EV_CONFIG);
	CHECK_EQ(devsim_isr(fx.sim), 0);
	CHECK_EQ(vmmio_irq_wait(&fx.dev, 10), 0); /* no interrupt: times out */
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_irq_undefined_bits_ignored(void)
{
	struct fixture fx;
	struct vmmio_features all = fx_all_features();

	fx_open(&fx, DEVSIM_NET, false, NULL);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_init(&fx.dev, &all, NULL, NULL), 0);
	devsim_raise_irq(fx.sim, 0xf0u | VMMIO_ISR_USED_BUFFER);
	CHECK_EQ(vmmio_irq_wait(&fx.dev, 10), 1);
	CHECK_EQ(vmmio_irq_handle(&fx.dev), VMMIO_EV_USED);
	/* The ACK carried only the defined bit: the undefined ones remain. */
	CHECK_EQ(devsim_isr(fx.sim), 0xf0u);
	fx_check_clean(&fx);
	fx_close(&fx);
}

/* The register accesses and unmasks (what a UIO bus sees) from log entry
 * @from on, as "R:off", "W:off", "U" tokens into @buf. */
static const char *log_tail(const struct devsim *sim, size_t from, char *buf, size_t len)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (size_t i = from; i < devsim_log_count(sim) && pos + 12 < len; i++) {
		const struct devsim_access *a = devsim_log_entry(sim, i);

		if (a->kind == DEVSIM_IRQ_UNMASK)
			pos += (size_t)snprintf(buf + pos, len - pos, "U ");
		else if (devsim_access_is_reg(a))
			pos += (size_t)snprintf(buf + pos, len - pos, "%c:%03x ",
						a->kind == DEVSIM_READ ? 'R' : 'W', a->off);
	}
	return buf;
}

/*
 * The line is re-enabled after the ACK, never before (a level-triggered
 * line unmasked before it would fire again at once), and after an
 * interrupt with nothing to acknowledge too (or it would stay masked).
 */
static void t_irq_unmask_after_ack(void)
{
	struct fixture fx;
	struct vmmio_features all = fx_all_features();
	char buf[128];
	size_t from;

	fx_open(&fx, DEVSIM_NET, false, NULL);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_init(&fx.dev, &all, NULL, NULL), 0);
	devsim_raise_irq(fx.sim, VMMIO_ISR_USED_BUFFER);
	CHECK_EQ(vmmio_irq_wait(&fx.dev, 10), 1);
	from = devsim_log_count(fx.sim);
	CHECK_EQ(vmmio_irq_handle(&fx.dev), VMMIO_EV_USED);
	CHECK_STR_HAS(log_tail(fx.sim, from, buf, sizeof(buf)), "R:060 W:064 U ");
	from = devsim_log_count(fx.sim);
	CHECK_EQ(vmmio_irq_handle(&fx.dev), 0);
	CHECK_STR_HAS(log_tail(fx.sim, from, buf, sizeof(buf)), "R:060 U ");
	CHECK(!strstr(buf, "W:064"));
	fx_check_clean(&fx);
	fx_close(&fx);
}

/* The window's irq_fd is readable while an interrupt waits to be taken,
 * and wait_irq(0) takes it. */
static void t_irq_fd(void)
{
	struct fixture fx;
	struct vmmio_features all = fx_all_features();
	struct pollfd p;

	fx_open(&fx, DEVSIM_NET, false, NULL);
	CHECK(fx.win.irq_fd >= 0);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_init(&fx.dev, &all, NULL, NULL), 0);
	p = (struct pollfd){ .fd = fx.win.irq_fd, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 0), 0);
	devsim_raise_irq(fx.sim, VMMIO_ISR_CONFIG_CHANGE);
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK(p.revents & POLLIN);
	CHECK_EQ(vmmio_irq_wait(&fx.dev, 0), 1);
	CHECK_EQ(poll(&p, 1, 0), 0);
	CHECK_EQ(vmmio_irq_handle(&fx.dev), VMMIO_EV_CONFIG);
	CHECK_EQ(vmmio_irq_wait(&fx.dev, 0), 0);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_needs_reset_recovery(void)
{
	struct fixture fx;
	struct vmmio_features all = fx_all_features();
	struct setup_ctx s = { .num = 128 };
	struct devsim_queue_state q;

	fx_open(&fx, DEVSIM_NET, false, NULL);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_init(&fx.dev, &all, enable_two_queues, &s), 0);
	const struct vmmio_features negotiated = fx.dev.driver_features;
	CHECK(!vmmio_needs_reset(&fx.dev));

	devsim_set_needs_reset(fx.sim);
	/* Announced by a configuration change notification. */
	CHECK_EQ(vmmio_irq_wait(&fx.dev, 10), 1);
	CHECK_EQ(vmmio_irq_handle(&fx.dev), VMMIO_EV_CONFIG | VMMIO_EV_NEEDS_RESET);
	CHECK(vmmio_needs_reset(&fx.dev));

	CHECK_EQ(vmmio_recover(&fx.dev, enable_two_queues, &s), 0);
	CHECK_EQ(s.calls, 2);
	CHECK_EQ(fx.dev.recoveries, 1);
	CHECK(!vmmio_needs_reset(&fx.dev));
	CHECK(vmmio_feat_equal(&fx.dev.driver_features, &negotiated));
	CHECK_EQ(devsim_status(fx.sim), VMMIO_STATUS_ACKNOWLEDGE | VMMIO_STATUS_DRIVER |
						VMMIO_STATUS_FEATURES_OK | VMMIO_STATUS_DRIVER_OK);
	for (uint16_t i = 0; i < 2; i++) {
		CHECK_EQ(devsim_queue_state(fx.sim, i, &q), 0);
		CHECK(q.ready);
		CHECK_EQ(q.num, 128);
	}
	CHECK_EQ(devsim_resets(fx.sim), 2);
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_needs_reset_before_driver_ok_no_irq(void)
{
	struct fixture fx;
	struct vmmio_features all = fx_all_features();

	fx_open(&fx, DEVSIM_NET, false, NULL);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_begin(&fx.dev), 0);
	CHECK_EQ(vmmio_negotiate(&fx.dev, &all), 0);
	devsim_set_needs_reset(fx.sim);
	/* No DRIVER_OK yet: no notification, but Status tells. */
	CHECK_EQ(vmmio_irq_wait(&fx.dev, 10), 0);
	CHECK(vmmio_needs_reset(&fx.dev));
	CHECK_EQ(vmmio_recover(&fx.dev, NULL, NULL), 0);
	CHECK(!vmmio_needs_reset(&fx.dev));
	fx_check_clean(&fx);
	fx_close(&fx);
}

static void t_recover_needs_prior_init(void)
{
	struct fixture fx;

	fx_open(&fx, DEVSIM_NET, false, NULL);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_recover(&fx.dev, NULL, NULL), -EINVAL);
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "initialised before");
	fx_close(&fx);
}

static void t_recovery_setup_failure(void)
{
	struct fixture fx;
	struct vmmio_features all = fx_all_features();
	struct setup_ctx s = { .num = 128 };

	fx_open(&fx, DEVSIM_NET, false, NULL);
	CHECK_EQ(vmmio_probe(&fx.dev, &fx.win, NULL), 0);
	CHECK_EQ(vmmio_init(&fx.dev, &all, enable_two_queues, &s), 0);
	devsim_set_needs_reset(fx.sim);
	s.num = 1024; /* above QueueSizeMax: the rebuild fails */
	CHECK_EQ(vmmio_recover(&fx.dev, enable_two_queues, &s), -EINVAL);
	CHECK(devsim_status(fx.sim) & VMMIO_STATUS_FAILED);
	CHECK_STR_HAS(vmmio_dev_error(&fx.dev), "QueueSize 1024");
	CHECK_EQ(fx.dev.recoveries, 0);
	fx_check_clean(&fx);
	fx_close(&fx);
}

int main(void)
{
	TAP_RUN(t_irq_used_and_config);
	TAP_RUN(t_irq_undefined_bits_ignored);
	TAP_RUN(t_irq_unmask_after_ack);
	TAP_RUN(t_irq_fd);
	TAP_RUN(t_needs_reset_recovery);
	TAP_RUN(t_needs_reset_before_driver_ok_no_irq);
	TAP_RUN(t_recover_needs_prior_init);
	TAP_RUN(t_recovery_setup_failure);
	return tap_end();
}
