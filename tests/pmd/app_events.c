/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the device does to the port, through the model behind it
 * (rte_pmd_vmmio_sim_model()): link changes (RTE_ETH_EVENT_INTR_LSC), Rx
 * interrupts woken through the application's epoll, DEVICE_NEEDS_RESET
 * mid-traffic (RTE_ETH_EVENT_INTR_RESET, recovered by the application), and
 * a used entry that lies (that queue stops, the others run on). Each with
 * intr=poll and intr=interrupt where the port's interrupt mode matters.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_epoll.h>
#include <rte_interrupts.h>

#include "app.h"
#include "devsim.h"
#include "devsim_vq.h"
#include "vmmio_net.h"

/* Generous: the link is polled every 100 ms (intr=poll), and the machine
 * may be loaded. */
#define EVENT_TIMEOUT_MS 3000u
#define XFER_TIMEOUT_MS 30000u

struct mode {
	const struct app_ring *ring;
	bool intr; /* intr=interrupt, else intr=poll */
	bool app_polls; /* the app reads the link all the while (LSC) */
};

static const char *intr_name(bool intr)
{
	return intr ? "interrupt" : "poll";
}

/* --- events ------------------------------------------------------------------------------------ */

struct events {
	uint32_t lsc, reset, other;
};

static int on_event(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	struct events *ev = arg;

	(void)port;
	(void)ret;
	if (type == RTE_ETH_EVENT_INTR_LSC)
		__atomic_add_fetch(&ev->lsc, 1, __ATOMIC_RELEASE);
	else if (type == RTE_ETH_EVENT_INTR_RESET)
		__atomic_add_fetch(&ev->reset, 1, __ATOMIC_RELEASE); /* the app resets, not here */
	else
		__atomic_add_fetch(&ev->other, 1, __ATOMIC_RELEASE);
	return 0;
}

static uint32_t seen(const uint32_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_ACQUIRE);
}

/* --- 5. link state changes ---------------------------------------------------------------------- */

static void set_link(struct devsim *sim, bool up)
{
	const uint8_t status[2] = { up ? VMMIO_NET_S_LINK_UP : 0, 0 }; /* le16 */

	devsim_config_change(sim, VMMIO_NET_CFG_STATUS, status, sizeof(status));
}

/* Wait for an LSC callback after @before and the link in state @up;
 * returns the milliseconds it took, or -1. With @app_polls the link is
 * read every millisecond meanwhile, as an application watching it does
 * (the callback must come all the same); else only once the callback
 * came. */
static int wait_link(const struct app_port *p, const struct events *ev, uint32_t before, bool up,
		     bool app_polls)
{
	uint64_t t0 = app_now_ms();

	do {
		struct rte_eth_link link;
		bool called = seen(&ev->lsc) > before;

		if ((called || app_polls) && rte_eth_link_get_nowait(p->id, &link) == 0 &&
		    link.link_status == (up ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN) && called)
			return (int)(app_now_ms() - t0);
		app_sleep_ms(1);
	} while (app_now_ms() - t0 < EVENT_TIMEOUT_MS);
	return -1;
}

static void t_lsc(const void *arg)
{
	const struct mode *m = arg;
	struct rte_eth_conf conf = { .intr_conf.lsc = 1 };
	struct rte_mempool *mp = app_pool(2047, APP_MBUF_ROOM);
	struct events ev = { 0 };
	struct rte_eth_link link;
	struct app_port p;
	char devargs[96];
	int worst = 0;

	snprintf(devargs, sizeof(devargs), "dev=sim:net,%s,intr=%s", m->ring->devarg,
		 intr_name(m->intr));
	if (!mp || app_port_open(&p, devargs)) {
		CHECK(!"port opens");
		goto out;
	}
	CHECK(p.sim != NULL);
	CHECK_EQ(rte_eth_dev_callback_register(p.id, RTE_ETH_EVENT_INTR_LSC, on_event, &ev), 0);
	if (!p.sim || app_port_setup(&p, &conf, 1, mp) || rte_eth_dev_start(p.id)) {
		CHECK(!"port starts");
		goto close;
	}
	CHECK_EQ(rte_eth_link_get_nowait(p.id, &link), 0);
	CHECK_EQ(link.link_status, RTE_ETH_LINK_UP);
	for (int round = 0; round < 3; round++) {
		for (int up = 0; up < 2; up++) {
			uint32_t before = seen(&ev.lsc);
			int ms;

			set_link(p.sim, up);
			ms = wait_link(&p, &ev, before, up, m->app_polls);
			if (ms < 0)
				app_fail(__FILE__, __LINE__,
					 "round %d: no LSC callback with the link %s within %u ms "
					 "(callbacks %u)",
					 round, up ? "up" : "down", EVENT_TIMEOUT_MS, seen(&ev.lsc));
			worst = RTE_MAX(worst, ms);
		}
	}
	app_diag("%s, intr=%s%s: %u LSC callbacks for 6 link changes, slowest %d ms",
		 m->ring->name, intr_name(m->intr),
		 m->app_polls ? ", the app reading the link every ms" : "", seen(&ev.lsc), worst);
	CHECK_EQ(seen(&ev.lsc), 6);
	CHECK_EQ(seen(&ev.other), 0);
	CHECK(app_traffic(&p, 0, 50, 60, 1514, XFER_TIMEOUT_MS));
close:
	rte_eth_dev_callback_unregister(p.id, RTE_ETH_EVENT_INTR_LSC, on_event, &ev);
	app_port_close(&p);
out:
	app_pool_done(mp);
}

/* --- 6. Rx interrupts --------------------------------------------------------------------------- */

#define RX_INTR_DELAY_MS 100u
#define RX_INTR_TIMEOUT_MS 2000u

struct later {
	struct app_port *p;
	struct app_frame f;
	uint64_t sent_at; /* ms, 0: not sent */
};

/* Another thread transmits one frame after a delay, while the app sleeps
 * in epoll. */
static void *tx_later(void *arg)
{
	struct later *l = arg;
	struct rte_mbuf *m;

	app_sleep_ms(RX_INTR_DELAY_MS);
	m = app_mbuf(l->p->mp, &l->f);
	if (!m)
		return NULL;
	__atomic_store_n(&l->sent_at, app_now_ms(), __ATOMIC_RELEASE);
	if (rte_eth_tx_burst(l->p->id, 0, &m, 1) != 1) {
		__atomic_store_n(&l->sent_at, 0, __ATOMIC_RELEASE);
		rte_pktmbuf_free(m);
	}
	return NULL;
}

static void t_rx_intr(const void *arg)
{
	const struct app_ring *ring = arg;
	struct rte_eth_conf conf = { .intr_conf.rxq = 1 };
	struct rte_mempool *mp = app_pool(2047, APP_MBUF_ROOM);
	struct rte_epoll_event e[4];
	struct app_port p;
	char devargs[96], why[160];
	unsigned spurious = 0, slowest = 0;
	uint64_t irqs;
	int r;

	snprintf(devargs, sizeof(devargs), "dev=sim:net,%s,intr=interrupt", ring->devarg);
	if (!mp || !app_port_up(&p, devargs, &conf, 1, mp))
		goto out;
	r = rte_eth_dev_rx_intr_ctl_q(p.id, 0, RTE_EPOLL_PER_THREAD, RTE_INTR_EVENT_ADD, NULL);
	CHECK_EQ(r, 0);
	for (int round = 0; round < 3 && !r; round++) {
		struct later l = { .p = &p };
		struct rte_mbuf *rx = NULL;
		uint64_t t0, woke = 0;
		pthread_t th;

		app_frame_random(&l.f, 60 + app_rand() % 1455);
		/* Nothing left over from the round before. */
		while (rte_epoll_wait(RTE_EPOLL_PER_THREAD, e, RTE_DIM(e), 0) > 0)
			;
		CHECK_EQ(rte_eth_dev_rx_intr_enable(p.id, 0), 0);
		if (pthread_create(&th, NULL, tx_later, &l)) {
			CHECK(!"thread starts");
			free(l.f.data);
			break;
		}
		t0 = app_now_ms();
		/* Sleep until woken; a wake-up with nothing to receive is
		 * counted and slept over. */
		while (!rx && app_now_ms() - t0 < RX_INTR_DELAY_MS + RX_INTR_TIMEOUT_MS) {
			int n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, e, RTE_DIM(e),
					       (int)(RX_INTR_DELAY_MS + RX_INTR_TIMEOUT_MS -
						     (app_now_ms() - t0)));

			if (n <= 0)
				break;
			woke = app_now_ms();
			/* The frame is there when the interrupt came: a few
			 * polls at most (its used entry may be behind the
			 * notification on another CPU). */
			for (int k = 0; k < 100 && !rx; k++)
				if (!rte_eth_rx_burst(p.id, 0, &rx, 1))
					app_sleep_ms(1);
			if (!rx)
				spurious++;
		}
		CHECK_EQ(rte_eth_dev_rx_intr_disable(p.id, 0), 0);
		pthread_join(th, NULL);
		if (!rx) {
			app_fail(__FILE__, __LINE__,
				 "round %d: no Rx interrupt within %u ms of the frame sent (sent: %s)",
				 round, RX_INTR_TIMEOUT_MS, l.sent_at ? "yes" : "no");
		} else {
			uint64_t sent = __atomic_load_n(&l.sent_at, __ATOMIC_ACQUIRE);

			CHECK(sent != 0);
			CHECK(woke >= sent);
			slowest = RTE_MAX(slowest, (unsigned)(woke - sent));
			if (!app_mbuf_equal(rx, l.f.data, l.f.len, why, sizeof(why)))
				app_fail(__FILE__, __LINE__, "round %d: frame: %s", round, why);
			rte_pktmbuf_free(rx);
		}
		free(l.f.data);
	}
	irqs = app_xstat(p.id, "rx_q0_interrupts");
	app_diag("%s: 3 frames each sent %u ms into rte_epoll_wait: woken at most %u ms after "
		 "the send, %u wake-ups with nothing to receive; rx_q0_interrupts %llu",
		 ring->name, RX_INTR_DELAY_MS, slowest, spurious, (unsigned long long)irqs);
	CHECK(irqs > 0 && irqs != UINT64_MAX);
	CHECK_EQ(rte_eth_dev_rx_intr_ctl_q(p.id, 0, RTE_EPOLL_PER_THREAD, RTE_INTR_EVENT_DEL,
					   NULL),
		 0);
	CHECK(app_traffic(&p, 0, 50, 60, 1514, XFER_TIMEOUT_MS));
	app_port_close(&p);
out:
	app_pool_done(mp);
}

/* --- 8. DEVICE_NEEDS_RESET mid-traffic -------------------------------------------------------- */

/* Traffic until @ev->reset moves (after @inject_after bursts, the device
 * is told to need a reset); what comes back is not checked (frames in
 * flight when the device gave up are lost). Returns ms from the
 * injection to the event, or -1. */
static int flood_until_reset(struct app_port *p, struct events *ev, unsigned inject_after,
			     bool use_fault, unsigned *frames)
{
	uint64_t injected = 0;
	unsigned bursts = 0;

	*frames = 0;
	for (;;) {
		struct rte_mbuf *tx[APP_BURST], *rx[APP_BURST];
		unsigned n = 0;
		uint16_t k, got;

		if (seen(&ev->reset))
			return injected ? (int)(app_now_ms() - injected) : -1;
		if (injected && app_now_ms() - injected > EVENT_TIMEOUT_MS)
			return -1;
		if (bursts++ == inject_after) {
			if (use_fault)
				CHECK_EQ(devsim_fault(p->sim, 0, DEVSIM_FAULT_NEEDS_RESET, 0), 0);
			else
				devsim_set_needs_reset(p->sim);
			injected = app_now_ms();
		}
		while (n < APP_BURST) {
			struct app_frame f;

			app_frame_random(&f, 60 + app_rand() % 1455);
			tx[n] = app_mbuf(p->mp, &f);
			free(f.data);
			if (!tx[n])
				break;
			n++;
		}
		k = rte_eth_tx_burst(p->id, 0, tx, (uint16_t)n);
		for (unsigned i = k; i < n; i++)
			rte_pktmbuf_free(tx[i]);
		got = rte_eth_rx_burst(p->id, 0, rx, APP_BURST);
		*frames += got;
		for (uint16_t i = 0; i < got; i++)
			rte_pktmbuf_free(rx[i]);
		if (!k && !got)
			app_sleep_ms(1);
	}
}

static void t_needs_reset(const void *arg)
{
	const struct mode *m = arg;
	struct rte_eth_conf conf = { 0 };
	struct rte_mempool *mp = app_pool(4095, APP_MBUF_ROOM);
	/* intr=interrupt injects through the fault API, intr=poll directly:
	 * both paths to DEVICE_NEEDS_RESET. */
	const bool use_fault = m->intr;
	unsigned before = 0, at_reset = 0, after = 0, frames = 0;
	struct events ev = { 0 };
	struct app_port p;
	char devargs[96];
	int ms;

	snprintf(devargs, sizeof(devargs), "dev=sim:net,%s,intr=%s", m->ring->devarg,
		 intr_name(m->intr));
	if (!mp || app_port_open(&p, devargs)) {
		CHECK(!"port opens");
		goto out;
	}
	CHECK_EQ(rte_eth_dev_callback_register(p.id, RTE_ETH_EVENT_INTR_RESET, on_event, &ev), 0);
	if (!p.sim || app_port_setup(&p, &conf, 1, mp)) {
		CHECK(!"port set up");
		goto close;
	}
	before = app_in_use(mp);
	if (rte_eth_dev_start(p.id)) {
		CHECK(!"port starts");
		goto close;
	}
	CHECK(app_traffic(&p, 0, 200, 60, 1514, XFER_TIMEOUT_MS));
	ms = flood_until_reset(&p, &ev, 20, use_fault, &frames);
	if (ms < 0) {
		app_fail(__FILE__, __LINE__, "no RTE_ETH_EVENT_INTR_RESET within %u ms",
			 EVENT_TIMEOUT_MS);
		goto close;
	}
	/* The application's recovery: reset, configure, queues, start. */
	CHECK_EQ(rte_eth_dev_reset(p.id), 0);
	at_reset = app_in_use(mp);
	CHECK_EQ(app_port_setup(&p, &conf, 1, mp), 0);
	CHECK_EQ(rte_eth_dev_start(p.id), 0);
	CHECK(app_traffic(&p, 0, 500, 60, 1514, XFER_TIMEOUT_MS));
	CHECK_EQ(rte_eth_dev_stop(p.id), 0);
	after = app_in_use(mp);
	app_diag("%s, intr=%s, %s: RTE_ETH_EVENT_INTR_RESET %d ms after the injection (%u frames "
		 "received mid-traffic); mempool in use: %u before rte_eth_dev_start, %u after "
		 "rte_eth_dev_reset, %u after the restarted port's rte_eth_dev_stop",
		 m->ring->name, intr_name(m->intr),
		 use_fault ? "devsim_fault(NEEDS_RESET)" : "devsim_set_needs_reset()", ms, frames,
		 before, at_reset, after);
	CHECK_EQ(at_reset, before);
	CHECK_EQ(after, before);
	CHECK_EQ(seen(&ev.reset), 1);
	CHECK_EQ(seen(&ev.other), 0);
close:
	rte_eth_dev_callback_unregister(p.id, RTE_ETH_EVENT_INTR_RESET, on_event, &ev);
	app_port_close(&p);
out:
	app_pool_done(mp);
}

/* --- 9. a device that lies about a used entry ------------------------------------------------ */

static void t_lying(const void *arg)
{
	const struct app_ring *ring = arg;
	struct rte_eth_conf conf = { 0 };
	struct rte_mempool *mp = app_pool(4095, APP_MBUF_ROOM);
	unsigned before = 0, after = 0, got = 0;
	struct app_port p;
	char devargs[96];
	uint64_t t0, broken_at = 0;
	char *log;

	snprintf(devargs, sizeof(devargs), "dev=[sim:net,pairs=2],%s", ring->devarg);
	if (!mp || app_port_open(&p, devargs)) {
		CHECK(!"port opens");
		goto out;
	}
	if (!p.sim || app_port_setup(&p, &conf, 2, mp)) {
		CHECK(!"port set up with 2 queue pairs");
		goto close;
	}
	before = app_in_use(mp);
	if (rte_eth_dev_start(p.id)) {
		CHECK(!"port starts");
		goto close;
	}
	CHECK(app_traffic(&p, 0, 100, 60, 1514, XFER_TIMEOUT_MS));
	CHECK(app_traffic(&p, 1, 100, 60, 1514, XFER_TIMEOUT_MS));
	CHECK_EQ(app_xstat(p.id, "rx_q1_broken"), 0);

	/* receiveq2 is virtqueue 2: its next used entry names an id >= QueueSize. */
	CHECK_EQ(devsim_fault(p.sim, 2, DEVSIM_FAULT_USED_ID_RANGE, 0), 0);
	app_log_begin();
	/* Frames on queue pair 1 until the queue broke and all 8 went out
	 * (bounded); nothing may come out of receiveq2 meanwhile. */
	t0 = app_now_ms();
	for (unsigned sent = 0; app_now_ms() - t0 < EVENT_TIMEOUT_MS;) {
		struct rte_mbuf *rx[APP_BURST];
		uint16_t n;

		if (sent < 8) {
			struct app_frame f;
			struct rte_mbuf *m;

			app_frame_random(&f, 60 + app_rand() % 1455);
			m = app_mbuf(p.mp, &f);
			free(f.data);
			if (m && rte_eth_tx_burst(p.id, 1, &m, 1) == 1)
				sent++;
			else
				rte_pktmbuf_free(m);
		}
		n = rte_eth_rx_burst(p.id, 1, rx, APP_BURST);
		got += n;
		for (uint16_t i = 0; i < n; i++)
			rte_pktmbuf_free(rx[i]);
		if (sent == 8 && !broken_at && app_xstat(p.id, "rx_q1_broken") == 1)
			broken_at = app_now_ms();
		/* Broken: 100 ms more of bursts that must all return 0. */
		if (broken_at && app_now_ms() - broken_at > 100)
			break;
		app_sleep_ms(1);
	}
	log = app_log_end();
	app_diag("%s: receiveq2 broken %lld ms after the fault was armed", ring->name,
		 broken_at ? (long long)(broken_at - t0) : -1LL);
	CHECK_EQ(got, 0);
	CHECK_EQ(app_xstat(p.id, "rx_q1_broken"), 1);
	CHECK_STR_HAS_ONCE(log, "Rx queue 1 stopped: the device broke the ring protocol");
	if (log && *log)
		app_diag("logged: %.*s", (int)strcspn(log, "\n"), log);
	free(log);
	/* The port's other queue runs on. */
	CHECK(app_traffic(&p, 0, 300, 60, 1514, XFER_TIMEOUT_MS));
	CHECK_EQ(app_xstat(p.id, "rx_q0_broken"), 0);
	CHECK_EQ(rte_eth_rx_burst(p.id, 1, (struct rte_mbuf *[1]){ NULL }, 1), 0);
	CHECK_EQ(app_xstat(p.id, "rx_q1_broken"), 1);
	CHECK_EQ(rte_eth_dev_stop(p.id), 0);
	after = app_in_use(mp);
	app_diag("%s: mempool in use: %u before rte_eth_dev_start, %u after rte_eth_dev_stop (a "
		 "broken queue's buffers included)",
		 ring->name, before, after);
	CHECK_EQ(after, before);

	/* rte_eth_dev_reset() and a new set-up bring the queue back. */
	CHECK_EQ(rte_eth_dev_reset(p.id), 0);
	CHECK_EQ(app_port_setup(&p, &conf, 2, mp), 0);
	CHECK_EQ(rte_eth_dev_start(p.id), 0);
	CHECK(app_traffic(&p, 1, 100, 60, 1514, XFER_TIMEOUT_MS));
	CHECK(app_traffic(&p, 0, 100, 60, 1514, XFER_TIMEOUT_MS));
	CHECK_EQ(app_xstat(p.id, "rx_q1_broken"), 0);
close:
	app_port_close(&p);
out:
	app_pool_done(mp);
}

/* --- the list ------------------------------------------------------------------------------------ */

void app_event_cases(void)
{
	static struct mode modes[4], watched[4];
	char name[160];

	for (unsigned i = 0; i < 4; i++) {
		modes[i] = (struct mode){ &app_rings[i / 2], i % 2 == 1, false };
		watched[i] = (struct mode){ &app_rings[i / 2], i % 2 == 1, true };
	}
	for (unsigned i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "link down and up: LSC callback and link status (%s, "
			 "intr=%s)", modes[i].ring->name, intr_name(modes[i].intr));
		app_run(name, t_lsc, &modes[i]);
	}
	for (unsigned i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "link down and up while the app reads the link: LSC "
			 "callback all the same (%s, intr=%s)", watched[i].ring->name,
			 intr_name(watched[i].intr));
		app_run(name, t_lsc, &watched[i]);
	}
	for (unsigned i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "Rx interrupt wakes rte_epoll_wait (%s, intr=interrupt)",
			 app_rings[i].name);
		app_run(name, t_rx_intr, &app_rings[i]);
	}
	for (unsigned i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "DEVICE_NEEDS_RESET mid-traffic: event, app reset, "
			 "traffic again, no leak (%s, intr=%s)", modes[i].ring->name,
			 intr_name(modes[i].intr));
		app_run(name, t_needs_reset, &modes[i]);
	}
	for (unsigned i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "lying device: receiveq2 breaks, queue 0 runs on (%s)",
			 app_rings[i].name);
		app_run(name, t_lying, &app_rings[i]);
	}
}
