/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control queue, seen from the device (devsim_net_state()): what the
 * application asks through ethdev reaches the device's state. Rx mode
 * (VIRTIO_NET_CTRL_RX PROMISC, ALLMULTI), the MAC filter tables
 * (MAC_TABLE_SET), the primary address (MAC_ADDR_SET) and the queue pairs
 * (MQ VQ_PAIRS_SET). rte_eth_dev_stop resets the device, which clears all
 * of it: the next start replays it, settings made while stopped included.
 * The device refuses no command (ctrl_errors stays 0).
 */
#include <stdio.h>
#include <string.h>

#include <rte_ether.h>

#include "app.h"
#include "devsim_net.h"

#define POOL_MBUFS 2047u
#define XFER_TIMEOUT_MS 30000u

static const struct rte_ether_addr uc[2] = {
	{ { 0x02, 0x11, 0x22, 0x33, 0x44, 0x01 } },
	{ { 0x02, 0x11, 0x22, 0x33, 0x44, 0x02 } },
};
static const struct rte_ether_addr mc[3] = {
	{ { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 } },
	{ { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb } },
	{ { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 } },
};

/* What the device should hold. */
struct want {
	bool promisc, allmulti;
	unsigned nuc, nmc;
	const struct rte_ether_addr *uc[2], *mc[3];
};

static bool in_table(const uint8_t (*t)[6], unsigned n, const struct rte_ether_addr *a)
{
	for (unsigned i = 0; i < n; i++)
		if (!memcmp(t[i], a->addr_bytes, RTE_ETHER_ADDR_LEN))
			return true;
	return false;
}

/* The device's state against @w; @when names the step in the diagnostic. */
static void check_state(const struct app_port *p, const struct want *w, const char *when)
{
	struct devsim_net_state st;
	unsigned fails = app_case_failures();

	if (devsim_net_state(p->sim, &st)) {
		CHECK(!"devsim_net_state");
		return;
	}
	CHECK_EQ(st.promisc, w->promisc);
	CHECK_EQ(st.allmulti, w->allmulti);
	CHECK_EQ(st.uc_count, w->nuc);
	CHECK_EQ(st.mc_count, w->nmc);
	CHECK(!st.uc_overflow && !st.mc_overflow);
	for (unsigned i = 0; i < w->nuc; i++)
		CHECK(in_table(st.uc, st.uc_count, w->uc[i]));
	/* The multicast list goes as the app gave it, in order. */
	for (unsigned i = 0; i < w->nmc && i < st.mc_count; i++)
		CHECK(!memcmp(st.mc[i], w->mc[i]->addr_bytes, RTE_ETHER_ADDR_LEN));
	CHECK_EQ(st.ctrl_errors, 0);
	if (app_case_failures() != fails)
		app_diag("%s: %s: device promisc %d allmulti %d, %u unicast, %u multicast, "
			 "%llu commands, %llu refused",
			 p->name, when, st.promisc, st.allmulti, st.uc_count, st.mc_count,
			 (unsigned long long)st.ctrl_cmds, (unsigned long long)st.ctrl_errors);
}

static uint64_t ctrl_cmds(const struct app_port *p)
{
	struct devsim_net_state st;

	return devsim_net_state(p->sim, &st) ? 0 : st.ctrl_cmds;
}

/* --- Rx mode and MAC filter tables ------------------------------------------------------------ */

static void t_rx_mode(const void *arg)
{
	const struct app_ring *ring = arg;
	struct rte_eth_conf conf = { 0 };
	struct rte_mempool *mp = app_pool(POOL_MBUFS, APP_MBUF_ROOM);
	struct rte_ether_addr mcl[3] = { mc[0], mc[1], mc[2] };
	struct want w = { 0 };
	uint64_t cmds0, cmds1;
	struct app_port p;
	char devargs[64];

	snprintf(devargs, sizeof(devargs), "dev=sim:net,%s", ring->devarg);
	if (!mp || !app_port_up(&p, devargs, &conf, 1, mp))
		goto out;
	if (!p.sim) {
		CHECK(!"a simulated device behind the port");
		goto close;
	}
	check_state(&p, &w, "started");
	cmds0 = ctrl_cmds(&p);

	/* Rx mode on a started port: at once. */
	CHECK_EQ(rte_eth_promiscuous_enable(p.id), 0);
	w.promisc = true;
	check_state(&p, &w, "promiscuous on");
	CHECK_EQ(rte_eth_promiscuous_disable(p.id), 0);
	w.promisc = false;
	check_state(&p, &w, "promiscuous off");
	CHECK_EQ(rte_eth_allmulticast_enable(p.id), 0);
	w.allmulti = true;
	check_state(&p, &w, "all-multicast on");
	CHECK_EQ(rte_eth_allmulticast_disable(p.id), 0);
	w.allmulti = false;
	check_state(&p, &w, "all-multicast off");

	/* Unicast filter: two addresses in, one out. */
	CHECK_EQ(rte_eth_dev_mac_addr_add(p.id, (struct rte_ether_addr *)&uc[0], 0), 0);
	CHECK_EQ(rte_eth_dev_mac_addr_add(p.id, (struct rte_ether_addr *)&uc[1], 0), 0);
	w = (struct want){ .nuc = 2, .uc = { &uc[0], &uc[1] } };
	check_state(&p, &w, "two unicast addresses added");
	CHECK_EQ(rte_eth_dev_mac_addr_remove(p.id, (struct rte_ether_addr *)&uc[0]), 0);
	w = (struct want){ .nuc = 1, .uc = { &uc[1] } };
	check_state(&p, &w, "the first removed");
	CHECK_EQ(rte_eth_dev_mac_addr_remove(p.id, (struct rte_ether_addr *)&uc[1]), 0);
	w.nuc = 0;
	check_state(&p, &w, "both removed");

	/* Multicast list, with one unicast address and all-multicast on. */
	CHECK_EQ(rte_eth_dev_set_mc_addr_list(p.id, mcl, 3), 0);
	CHECK_EQ(rte_eth_dev_mac_addr_add(p.id, (struct rte_ether_addr *)&uc[1], 0), 0);
	CHECK_EQ(rte_eth_allmulticast_enable(p.id), 0);
	w = (struct want){ .allmulti = true,
			   .nuc = 1,
			   .uc = { &uc[1] },
			   .nmc = 3,
			   .mc = { &mc[0], &mc[1], &mc[2] } };
	check_state(&p, &w, "three multicast addresses");
	CHECK(app_traffic(&p, 0, 64, 60, 1514, XFER_TIMEOUT_MS));

	/* Stop resets the device: all of it gone there. */
	CHECK_EQ(rte_eth_dev_stop(p.id), 0);
	check_state(&p, &(struct want){ 0 }, "stopped (device reset)");
	/* Set while stopped: applied at start, with the rest replayed. */
	CHECK_EQ(rte_eth_promiscuous_enable(p.id), 0);
	CHECK_EQ(rte_eth_promiscuous_get(p.id), 1);
	CHECK_EQ(rte_eth_dev_mac_addr_add(p.id, (struct rte_ether_addr *)&uc[0], 0), 0);
	check_state(&p, &(struct want){ 0 }, "promiscuous on while stopped");
	CHECK_EQ(rte_eth_dev_start(p.id), 0);
	w.promisc = true;
	w.nuc = 2;
	w.uc[1] = &uc[0];
	check_state(&p, &w, "started again");
	CHECK(app_traffic(&p, 0, 64, 60, 1514, XFER_TIMEOUT_MS));

	/* And once more, off while stopped. */
	CHECK_EQ(rte_eth_dev_stop(p.id), 0);
	CHECK_EQ(rte_eth_promiscuous_disable(p.id), 0);
	CHECK_EQ(rte_eth_dev_set_mc_addr_list(p.id, NULL, 0), 0);
	CHECK_EQ(rte_eth_dev_start(p.id), 0);
	w.promisc = false;
	w.nmc = 0;
	check_state(&p, &w, "promiscuous off and no multicast while stopped, started");
	cmds1 = ctrl_cmds(&p);
	app_diag("%s: %llu control commands since the first start, none refused", ring->name,
		 (unsigned long long)(cmds1 - cmds0));
	CHECK(cmds1 > cmds0);
close:
	app_port_close(&p);
out:
	app_pool_done(mp);
}

/* --- the primary MAC address ------------------------------------------------------------------ */

static void check_mac(const struct app_port *p, const struct rte_ether_addr *a, const char *when)
{
	struct devsim_net_state st;
	struct rte_ether_addr port;
	char want[RTE_ETHER_ADDR_FMT_SIZE], dev[RTE_ETHER_ADDR_FMT_SIZE];

	if (devsim_net_state(p->sim, &st)) {
		CHECK(!"devsim_net_state");
		return;
	}
	CHECK_EQ(rte_eth_macaddr_get(p->id, &port), 0);
	CHECK(rte_is_same_ether_addr(&port, a));
	CHECK_EQ(st.ctrl_errors, 0);
	if (memcmp(st.mac, a->addr_bytes, RTE_ETHER_ADDR_LEN)) {
		rte_ether_format_addr(want, sizeof(want), a);
		rte_ether_format_addr(dev, sizeof(dev), (const struct rte_ether_addr *)st.mac);
		app_fail(__FILE__, __LINE__, "%s: %s: the device's address is %s, the port's %s",
			 p->name, when, dev, want);
	}
}

static void t_mac_set(const void *arg)
{
	const struct app_ring *ring = arg;
	struct rte_eth_conf conf = { 0 };
	struct rte_mempool *mp = app_pool(POOL_MBUFS, APP_MBUF_ROOM);
	struct rte_ether_addr orig, a = { { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x01 } };
	struct rte_ether_addr b = { { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x02 } };
	struct app_port p;
	char devargs[64];

	snprintf(devargs, sizeof(devargs), "dev=sim:net,%s", ring->devarg);
	if (!mp || !app_port_up(&p, devargs, &conf, 1, mp))
		goto out;
	if (!p.sim || rte_eth_macaddr_get(p.id, &orig)) {
		CHECK(!"a simulated device behind the port");
		goto close;
	}
	check_mac(&p, &orig, "started");
	CHECK_EQ(rte_eth_dev_default_mac_addr_set(p.id, &a), 0);
	check_mac(&p, &a, "set on a started port");
	CHECK(app_traffic(&p, 0, 64, 60, 1514, XFER_TIMEOUT_MS));
	CHECK_EQ(rte_eth_dev_stop(p.id), 0);
	CHECK_EQ(rte_eth_dev_start(p.id), 0);
	check_mac(&p, &a, "stopped and started");
	CHECK(app_traffic(&p, 0, 64, 60, 1514, XFER_TIMEOUT_MS));
	/* Back to the device's own address. */
	CHECK_EQ(rte_eth_dev_default_mac_addr_set(p.id, &orig), 0);
	check_mac(&p, &orig, "set back to the original");
	/* Set while stopped: at start. */
	CHECK_EQ(rte_eth_dev_stop(p.id), 0);
	CHECK_EQ(rte_eth_dev_default_mac_addr_set(p.id, &b), 0);
	CHECK_EQ(rte_eth_dev_start(p.id), 0);
	check_mac(&p, &b, "set while stopped, started");
	CHECK(app_traffic(&p, 0, 64, 60, 1514, XFER_TIMEOUT_MS));
	app_diag("%s: the device's address followed the port's through 3 changes and 2 "
		 "restarts, 3 x 64 frames went through; %llu control commands, none refused",
		 ring->name, (unsigned long long)ctrl_cmds(&p));
close:
	app_port_close(&p);
out:
	app_pool_done(mp);
}

/* --- queue pairs ------------------------------------------------------------------------------ */

static void check_pairs(const struct app_port *p, uint16_t want, const char *when)
{
	struct devsim_net_state st;

	if (devsim_net_state(p->sim, &st)) {
		CHECK(!"devsim_net_state");
		return;
	}
	if (st.curr_pairs != want)
		app_fail(__FILE__, __LINE__, "%s: %s: the device uses %u queue pairs, expected %u",
			 p->name, when, st.curr_pairs, want);
	CHECK_EQ(st.ctrl_errors, 0);
}

static void t_pairs(const void *arg)
{
	const struct app_ring *ring = arg;
	struct rte_eth_conf conf = { .rxmode.mq_mode = RTE_ETH_MQ_RX_NONE };
	struct rte_mempool *mp = app_pool(POOL_MBUFS, APP_MBUF_ROOM);
	struct rte_eth_dev_info info;
	struct app_port p;
	char devargs[64];

	snprintf(devargs, sizeof(devargs), "dev=[sim:net,pairs=2],%s", ring->devarg);
	if (!mp || !app_port_up(&p, devargs, &conf, 2, mp))
		goto out;
	if (!p.sim) {
		CHECK(!"a simulated device behind the port");
		goto close;
	}
	CHECK_EQ(rte_eth_dev_info_get(p.id, &info), 0);
	CHECK_EQ(info.max_rx_queues, 2);
	check_pairs(&p, 2, "started");
	for (int round = 0; round < 2; round++) {
		CHECK(app_traffic(&p, 0, 200, 60, 1514, XFER_TIMEOUT_MS));
		CHECK(app_traffic(&p, 1, 200, 60, 1514, XFER_TIMEOUT_MS));
		CHECK_EQ(rte_eth_dev_stop(p.id), 0);
		check_pairs(&p, 1, "stopped (device reset)");
		CHECK_EQ(rte_eth_dev_start(p.id), 0);
		check_pairs(&p, 2, "started again");
	}
	app_diag("%s, max_virtqueue_pairs 2: curr_pairs 2 after each of 3 starts, 1 after each "
		 "of 2 stops; 2 x 2 x 200 frames through both pairs; %llu control commands",
		 ring->name, (unsigned long long)ctrl_cmds(&p));
close:
	app_port_close(&p);
out:
	app_pool_done(mp);
}

void app_ctrl_cases(void)
{
	char name[128];

	for (unsigned i = 0; i < 2; i++) {
		snprintf(name, sizeof(name),
			 "control queue: Rx mode and MAC filters in the device, replayed after a "
			 "restart (%s)", app_rings[i].name);
		app_run(name, t_rx_mode, &app_rings[i]);
		snprintf(name, sizeof(name), "control queue: MAC_ADDR_SET, running and stopped, "
			 "traffic flows (%s)", app_rings[i].name);
		app_run(name, t_mac_set, &app_rings[i]);
		snprintf(name, sizeof(name),
			 "control queue: 2 queue pairs in use after every start (%s)",
			 app_rings[i].name);
		app_run(name, t_pairs, &app_rings[i]);
	}
}
