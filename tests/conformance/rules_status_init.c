/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * "Device Status Field" and "Device Initialization": the status steps in
 * order, never cleared, FAILED only undone by a reset, and the sequence
 * reset - ACKNOWLEDGE - DRIVER - features - FEATURES_OK - re-read - setup -
 * DRIVER_OK with nothing done early.
 */
#include <errno.h>
#include <string.h>

#include "driver.h"
#include "raw.h"
#include "vmmio_net.h"

#define MAX_STATUS_WRITES 32

/* The values the driver wrote to Status, in order, from the access log. */
static size_t status_writes(const struct devsim *sim, uint32_t *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < devsim_log_count(sim) && n < max; i++) {
		const struct devsim_access *a = devsim_log_entry(sim, i);

		if (a->kind == DEVSIM_WRITE && a->off == VMMIO_REG_STATUS)
			out[n++] = a->value;
	}
	return n;
}

/* The Status writes are exactly @want. */
static void expect_status_writes(const struct devsim *sim, const uint32_t *want, size_t n)
{
	uint32_t got[MAX_STATUS_WRITES];
	size_t have = status_writes(sim, got, MAX_STATUS_WRITES);

	EXPECT_EQ(have, n);
	for (size_t i = 0; i < have && i < n; i++)
		if (got[i] != want[i])
			conf_failf(__FILE__, __LINE__, "Status write #%zu was 0x%x, want 0x%x", i,
				   (unsigned)got[i], (unsigned)want[i]);
}

static void pos_status_steps(void)
{
	static const uint32_t modern[] = { 0, 0x1, 0x3, 0xb, 0xf };
	static const uint32_t legacy[] = { 0, 0x1, 0x3, 0x7 };
	struct drv_queues q = { 0 };
	struct drv t;

	for (int old = 0; old <= 1; old++) {
		drv_config(&t, DEVSIM_NET, old);
		drv_start(&t);
		if (drv_live(&t, NULL, &q)) {
			expect_status(t.sim, old ? DRV_LIVE_LEGACY : DRV_LIVE_MODERN);
			if (old)
				expect_status_writes(t.sim, legacy, 4);
			else
				expect_status_writes(t.sim, modern, 5);
		}
		expect_clean(t.sim);
		drv_close(&t);
	}
}

static void neg_status_steps(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_probe(&r);
	raw_reset(&r);
	raw_expect_clean(&r);
	raw_write(&r, VMMIO_REG_STATUS, VMMIO_STATUS_DRIVER);
	raw_expect_caught(&r, DEVSIM_RULE_STATUS_STEPS);
	raw_close(&r);
}

/* Every non-zero Status write keeps the bits of the one before it (a zero
 * write is a reset and starts over). */
static void expect_status_writes_keep_bits(const struct devsim *sim)
{
	uint32_t w[MAX_STATUS_WRITES];
	size_t n = status_writes(sim, w, MAX_STATUS_WRITES);

	EXPECT(n > 0);
	for (size_t i = 1; i < n; i++)
		if (w[i] && (w[i] & w[i - 1]) != w[i - 1])
			conf_failf(__FILE__, __LINE__, "Status write #%zu (0x%x) drops bits of 0x%x",
				   i, (unsigned)w[i], (unsigned)w[i - 1]);
}

/* Initialise, be told DEVICE_NEEDS_RESET, recover by reset: the status only
 * ever grows between resets. */
static void pos_status_no_clear(void)
{
	struct drv_queues q = { 0 };
	struct drv t;

	drv_config(&t, DEVSIM_NET, false);
	drv_start(&t);
	if (drv_live(&t, NULL, &q)) {
		unsigned resets = devsim_resets(t.sim);

		devsim_set_needs_reset(t.sim);
		EXPECT(vmmio_needs_reset(&t.dev));
		EXPECT_OK(&t.dev, vmmio_recover(&t.dev, drv_setup_queues, &q));
		EXPECT(devsim_resets(t.sim) > resets);
		EXPECT_EQ(q.calls, 2);
		expect_status(t.sim, DRV_LIVE_MODERN);
		expect_status_writes_keep_bits(t.sim);
	}
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_status_no_clear(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_to_driver(&r);
	raw_expect_clean(&r);
	raw_write(&r, VMMIO_REG_STATUS, VMMIO_STATUS_ACKNOWLEDGE);
	raw_expect_caught(&r, DEVSIM_RULE_STATUS_NO_CLEAR);
	raw_expect_not_caught(&r, DEVSIM_RULE_STATUS_STEPS);
	raw_close(&r);
}

/* A device that refuses MRG_RXBUF at FEATURES_OK: the driver sets FAILED,
 * then re-initialises (after a reset) without it. */
static void refuse_mrg_rxbuf(struct drv *t)
{
	drv_config(t, DEVSIM_NET, false);
	vmmio_feat_set(&t->cfg.refuse, VMMIO_NET_F_MRG_RXBUF);
	drv_start(t);
}

static void pos_status_failed_reset(void)
{
	struct drv_queues q = { 0 };
	struct vmmio_features wanted;
	struct drv t;

	refuse_mrg_rxbuf(&t);
	drv_all_features(&wanted);
	EXPECT_OK(&t.dev, vmmio_probe(&t.dev, &t.win, NULL));
	EXPECT_RC(&t.dev, vmmio_init(&t.dev, &wanted, drv_setup_queues, &q), -ENOTSUP);
	EXPECT(devsim_status(t.sim) & VMMIO_STATUS_FAILED);
	vmmio_feat_clear(&wanted, VMMIO_NET_F_MRG_RXBUF);
	EXPECT_OK(&t.dev, vmmio_init(&t.dev, &wanted, drv_setup_queues, &q));
	expect_status(t.sim, DRV_LIVE_MODERN);
	EXPECT(devsim_resets(t.sim) >= 2);
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_status_failed_reset(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_to_driver(&r);
	raw_status(&r, VMMIO_STATUS_FAILED);
	raw_expect_clean(&r);
	raw_write(&r, VMMIO_REG_DRIVER_FEATURES_SEL, 0);
	raw_expect_caught(&r, DEVSIM_RULE_STATUS_FAILED_RESET);
	raw_close(&r);
}

/* A device whose reset takes a few Status reads: the driver resets first
 * and waits for it. */
static void pos_init_reset_first(void)
{
	struct drv_queues q = { 0 };
	uint32_t w[MAX_STATUS_WRITES];
	struct drv t;

	for (int legacy = 0; legacy <= 1; legacy++) {
		drv_config(&t, DEVSIM_NET, legacy);
		t.cfg.reset_delay_reads = 3;
		drv_start(&t);
		if (drv_live(&t, NULL, &q)) {
			if (status_writes(t.sim, w, MAX_STATUS_WRITES))
				EXPECT_EQ(w[0], 0);
			else
				conf_fail(__FILE__, __LINE__, "no Status write in the log");
			EXPECT(devsim_resets(t.sim) >= 1);
		}
		expect_clean(t.sim);
		drv_close(&t);
	}
}

static void neg_init_reset_first(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_probe(&r);
	raw_expect_clean(&r);
	raw_status(&r, VMMIO_STATUS_ACKNOWLEDGE);
	raw_expect_caught(&r, DEVSIM_RULE_INIT_RESET_FIRST);
	raw_close(&r);
}

/* A driver that wants no feature at all still writes its (minimal) set. */
static void pos_init_write_features(void)
{
	struct drv_queues q = { 0 };
	struct vmmio_features none, accepted, want;
	struct drv t;

	memset(&none, 0, sizeof(none));
	for (int legacy = 0; legacy <= 1; legacy++) {
		drv_config(&t, DEVSIM_NET, legacy);
		drv_start(&t);
		if (drv_live(&t, &none, &q)) {
			memset(&want, 0, sizeof(want));
			if (!legacy)
				vmmio_feat_set(&want, VMMIO_F_VERSION_1);
			devsim_driver_features(t.sim, &accepted);
			EXPECT(vmmio_feat_equal(&accepted, &want));
			expect_status(t.sim, legacy ? DRV_LIVE_LEGACY : DRV_LIVE_MODERN);
		}
		expect_clean(t.sim);
		drv_close(&t);
	}
}

/* Version 1 (no VERSION_1 to accept, so only this rule can fire). */
static void neg_init_write_features(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, true);
	raw_to_driver(&r);
	raw_read_features(&r);
	raw_expect_clean(&r);
	raw_status(&r, VMMIO_STATUS_DRIVER_OK);
	raw_expect_caught(&r, DEVSIM_RULE_INIT_WRITE_FEATURES);
	raw_close(&r);
}

/* The read-back is what tells the driver that the device refused. */
static void pos_init_features_ok_reread(void)
{
	struct drv_queues q = { 0 };
	struct vmmio_features all;
	struct drv t;

	drv_config(&t, DEVSIM_NET, false);
	drv_start(&t);
	if (drv_live(&t, NULL, &q))
		expect_status(t.sim, DRV_LIVE_MODERN);
	expect_clean(t.sim);
	drv_close(&t);

	drv_config(&t, DEVSIM_NET, false);
	t.cfg.refuse_all = true;
	drv_start(&t);
	drv_all_features(&all);
	EXPECT_OK(&t.dev, vmmio_probe(&t.dev, &t.win, NULL));
	EXPECT_RC(&t.dev, vmmio_init(&t.dev, &all, drv_setup_queues, &q), -ENOTSUP);
	EXPECT(devsim_status(t.sim) & VMMIO_STATUS_FAILED);
	EXPECT(!(devsim_status(t.sim) & VMMIO_STATUS_DRIVER_OK));
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_init_features_ok_reread(void)
{
	struct vmmio_features min;
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_to_driver(&r);
	raw_read_features(&r);
	raw_min_features(&r, &min);
	raw_write_features(&r, &min);
	raw_status(&r, VMMIO_STATUS_FEATURES_OK);
	raw_expect_clean(&r);
	raw_status(&r, VMMIO_STATUS_DRIVER_OK);
	raw_expect_caught(&r, DEVSIM_RULE_INIT_FEATURES_OK_REREAD);
	raw_close(&r);
}

/* During negotiation the configuration may be read but a write is refused
 * by the driver itself. */
static void pos_init_config_no_write(void)
{
	struct vmmio_net_config nc;
	struct vmmio_features all;
	struct drv t;

	drv_config(&t, DEVSIM_NET, false);
	drv_start(&t);
	drv_all_features(&all);
	EXPECT_OK(&t.dev, vmmio_probe(&t.dev, &t.win, NULL));
	EXPECT_OK(&t.dev, vmmio_begin(&t.dev));
	EXPECT_RC(&t.dev, vmmio_cfg_write(&t.dev, VMMIO_NET_CFG_MAC, 1, 0x02), -EPERM);
	EXPECT_OK(&t.dev, vmmio_net_config_read(&t.dev, &nc));
	EXPECT(nc.has_mac);
	EXPECT_EQ(nc.mac[0], t.cfg.config[VMMIO_NET_CFG_MAC]);
	EXPECT_OK(&t.dev, vmmio_negotiate(&t.dev, &all));
	EXPECT_OK(&t.dev, vmmio_driver_ok(&t.dev));
	expect_status(t.sim, DRV_LIVE_MODERN);
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_init_config_no_write(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_to_driver(&r);
	raw_read_features(&r);
	raw_expect_clean(&r);
	/* mac[0], an 8-bit field, by an 8-bit write. */
	r.win.ops->write(r.win.ctx, VMMIO_REG_CONFIG + VMMIO_NET_CFG_MAC, 1, 0x02);
	raw_expect_caught(&r, DEVSIM_RULE_INIT_CONFIG_NO_WRITE);
	raw_expect_not_caught(&r, DEVSIM_RULE_CFG_WIDTH);
	raw_close(&r);
}

static bool is_queue_reg(uint32_t off)
{
	return (off >= VMMIO_REG_QUEUE_SEL && off <= VMMIO_REG_QUEUE_READY) ||
	       (off >= VMMIO_REG_QUEUE_DESC_LOW && off <= VMMIO_REG_QUEUE_DEVICE_HIGH) ||
	       off == VMMIO_REG_QUEUE_RESET;
}

/* From the log: no queue register is touched before FEATURES_OK was
 * written and Status read back after it. */
static void expect_queues_after_features_ok(const struct devsim *sim)
{
	bool features_ok = false, reread = false, queue_seen = false;

	for (size_t i = 0; i < devsim_log_count(sim); i++) {
		const struct devsim_access *a = devsim_log_entry(sim, i);

		if (!devsim_access_is_reg(a))
			continue;
		if (a->off == VMMIO_REG_STATUS && a->kind == DEVSIM_WRITE) {
			features_ok = a->value & VMMIO_STATUS_FEATURES_OK;
			reread = false;
		} else if (a->off == VMMIO_REG_STATUS && features_ok)
			reread = true;
		else if (is_queue_reg(a->off)) {
			queue_seen = true;
			if (!features_ok || !reread) {
				conf_failf(__FILE__, __LINE__,
					   "access #%zu to queue register 0x%03x before FEATURES_OK was read back",
					   i, (unsigned)a->off);
				return;
			}
		}
	}
	EXPECT(queue_seen);
}

static void pos_init_setup_after_features_ok(void)
{
	struct drv_queues q = { 0 };
	struct drv t;

	drv_config(&t, DEVSIM_NET, false);
	drv_start(&t);
	if (drv_live(&t, NULL, &q)) {
		EXPECT_EQ(q.calls, 1);
		EXPECT_EQ(q.enabled, t.cfg.num_queues);
		for (uint16_t i = 0; i < t.cfg.num_queues; i++)
			expect_queue_ready(t.sim, i, true);
		expect_queues_after_features_ok(t.sim);
	}
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_init_setup_after_features_ok(void)
{
	struct vmmio_features min;
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_to_driver(&r);
	raw_read_features(&r);
	raw_min_features(&r, &min);
	raw_write_features(&r, &min);
	raw_expect_clean(&r);
	raw_write(&r, VMMIO_REG_QUEUE_SEL, 0);
	raw_expect_caught(&r, DEVSIM_RULE_INIT_SETUP_AFTER_FEATURES_OK);
	raw_close(&r);
}

/* Refused at FEATURES_OK: FAILED, no setup, no DRIVER_OK, no queue. */
static void pos_init_failed_stop(void)
{
	struct drv_queues q = { 0 };
	struct vmmio_features all;
	struct drv t;

	refuse_mrg_rxbuf(&t);
	drv_all_features(&all);
	EXPECT_OK(&t.dev, vmmio_probe(&t.dev, &t.win, NULL));
	EXPECT_RC(&t.dev, vmmio_init(&t.dev, &all, drv_setup_queues, &q), -ENOTSUP);
	EXPECT_EQ(q.calls, 0);
	EXPECT(devsim_status(t.sim) & VMMIO_STATUS_FAILED);
	EXPECT(!(devsim_status(t.sim) & VMMIO_STATUS_DRIVER_OK));
	for (uint16_t i = 0; i < t.cfg.num_queues; i++)
		expect_queue_ready(t.sim, i, false);
	expect_clean(t.sim);
	drv_close(&t);
}

/* A driver that re-reads Status but ignores what it says. Its DRIVER_OK
 * write carries FEATURES_OK again, which the checker also reports as
 * INIT-FEATURES-OK-REREAD (a FEATURES_OK not read back); every Version 2
 * way past a refusal touches a second rule, so only this one is asserted. */
static void neg_init_failed_stop(void)
{
	struct vmmio_features min;
	struct raw r;

	raw_config(&r, DEVSIM_NET, false);
	r.cfg.refuse_all = true;
	raw_start(&r);
	raw_to_driver(&r);
	raw_read_features(&r);
	raw_min_features(&r, &min);
	raw_write_features(&r, &min);
	EXPECT(!raw_features_ok(&r));
	raw_expect_clean(&r);
	raw_status(&r, VMMIO_STATUS_DRIVER_OK);
	raw_expect_caught(&r, DEVSIM_RULE_INIT_FAILED_STOP);
	raw_close(&r);
}

/* The setup callback tries to notify before DRIVER_OK: refused by the driver. */
struct early_notify {
	struct drv_queues q;
	int rc;
};

static int setup_and_notify(struct vmmio_dev *d, void *arg)
{
	struct early_notify *e = arg;
	int rc = drv_setup_queues(d, &e->q);

	e->rc = vmmio_notify(d, 0);
	return rc;
}

static void pos_init_notify_after_driver_ok(void)
{
	struct early_notify e = { .rc = 0 };
	struct devsim_queue_state st;
	struct vmmio_features all;
	struct drv t;

	drv_config(&t, DEVSIM_NET, false);
	drv_start(&t);
	drv_all_features(&all);
	EXPECT_OK(&t.dev, vmmio_probe(&t.dev, &t.win, NULL));
	EXPECT_OK(&t.dev, vmmio_init(&t.dev, &all, setup_and_notify, &e));
	EXPECT_EQ(e.rc, -EPERM);
	EXPECT_OK(&t.dev, vmmio_notify(&t.dev, 0));
	EXPECT_EQ(devsim_queue_state(t.sim, 0, &st), 0);
	EXPECT_EQ(st.notifies, 1);
	expect_clean(t.sim);
	drv_close(&t);
}

static void neg_init_notify_after_driver_ok(void)
{
	struct raw r;

	raw_open(&r, DEVSIM_NET, false);
	raw_negotiate(&r, NULL);
	raw_queue_setup(&r, 0, 64);
	raw_expect_clean(&r);
	raw_write(&r, VMMIO_REG_QUEUE_NOTIFY, 0);
	raw_expect_caught(&r, DEVSIM_RULE_INIT_NOTIFY_AFTER_DRIVER_OK);
	raw_close(&r);
}

static const struct conformance_case cases[] = {
	{ DEVSIM_RULE_STATUS_STEPS,
	  "Status is written 0, ACKNOWLEDGE, +DRIVER, +FEATURES_OK (Version 2), +DRIVER_OK",
	  pos_status_steps, "set DRIVER without ACKNOWLEDGE after the reset", neg_status_steps },
	{ DEVSIM_RULE_STATUS_NO_CLEAR,
	  "DEVICE_NEEDS_RESET recovery: every Status write keeps the bits before it, or resets",
	  pos_status_no_clear, "write ACKNOWLEDGE alone after ACKNOWLEDGE|DRIVER",
	  neg_status_no_clear },
	{ DEVSIM_RULE_STATUS_FAILED_RESET,
	  "a refused feature set ends in FAILED, then a new vmmio_init() resets and succeeds",
	  pos_status_failed_reset, "write DriverFeaturesSel after setting FAILED",
	  neg_status_failed_reset },
	{ DEVSIM_RULE_INIT_RESET_FIRST,
	  "the first Status write is 0 and its slow completion is awaited (Version 2 and 1)",
	  pos_init_reset_first, "set ACKNOWLEDGE right after the probe, without a reset",
	  neg_init_reset_first },
	{ DEVSIM_RULE_INIT_WRITE_FEATURES,
	  "a driver wanting no feature still writes its set (VERSION_1; nothing on Version 1)",
	  pos_init_write_features, "Version 1: set DRIVER_OK without writing GuestFeatures",
	  neg_init_write_features },
	{ DEVSIM_RULE_INIT_FEATURES_OK_REREAD,
	  "a device that keeps FEATURES_OK goes live; one that drops it is seen and FAILED",
	  pos_init_features_ok_reread, "set DRIVER_OK right after FEATURES_OK, without reading Status",
	  neg_init_features_ok_reread },
	{ DEVSIM_RULE_INIT_CONFIG_NO_WRITE,
	  "during negotiation vmmio_cfg_write() is refused (-EPERM) and the config is read",
	  pos_init_config_no_write, "write mac[0] after DRIVER, before FEATURES_OK",
	  neg_init_config_no_write },
	{ DEVSIM_RULE_INIT_SETUP_AFTER_FEATURES_OK,
	  "queues are set up in the setup callback, after FEATURES_OK and its read-back (per the log)",
	  pos_init_setup_after_features_ok, "write QueueSel before FEATURES_OK",
	  neg_init_setup_after_features_ok },
	{ DEVSIM_RULE_INIT_FAILED_STOP,
	  "a refused feature set: FAILED, setup never called, no DRIVER_OK, no queue enabled",
	  pos_init_failed_stop, "set DRIVER_OK after the device dropped FEATURES_OK",
	  neg_init_failed_stop },
	{ DEVSIM_RULE_INIT_NOTIFY_AFTER_DRIVER_OK,
	  "vmmio_notify() is refused (-EPERM) in the setup callback and reaches the device after DRIVER_OK",
	  pos_init_notify_after_driver_ok, "write QueueNotify after enabling a queue, before DRIVER_OK",
	  neg_init_notify_after_driver_ok },
};

const struct conformance_table conformance_status_init_cases = CONFORMANCE_TABLE(cases);
