/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_virtio_mmio's ethdev operations: the port's life cycle, which maps
 * onto the device's ("Device Initialization"):
 *
 *   probe      (vmmio_probe.c) open, probe, read features and config, reset
 *   configure  reset, ACKNOWLEDGE, DRIVER, features from the offloads asked,
 *              FEATURES_OK read back
 *   queue setup  rings created for the negotiated format
 *   start      queues enabled, Rx rings filled, DRIVER_OK, control commands
 *   stop       device reset: nothing touches the rings after it, every
 *              mbuf they held goes back to its pool
 *   reset      after DEVICE_NEEDS_RESET: a stopped port, reset and read anew
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ether.h>

#include "vmmio_bus_sim.h"
#include "vmmio_pmd.h"

#ifdef VMMIO_BUS_SIM
#include "devsim_vq.h"
#endif

/* Reset the device: it lets go of every ring, so their mbufs can go back. */
static void port_reset_device(struct rte_eth_dev *dev)
{
	struct vmmio_port *p = vmmio_port_of(dev);

	if (vmmio_reset(&p->dev))
		PMD_LOG(ERR, "%s: %s", p->name, vmmio_dev_error(&p->dev));
	vmmio_queues_reclaim(dev);
	p->negotiated = false;
	p->live = false;
}

/* --- info and configuration ------------------------------------------------------------ */

static int vmmio_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct vmmio_port *p = vmmio_port_of(dev);

	info->max_rx_queues = p->max_pairs;
	info->max_tx_queues = p->max_pairs;
	info->max_mac_addrs = vmmio_port_offers(p, VMMIO_NET_F_CTRL_RX) ? VMMIO_PMD_MAX_MAC : 1;
	info->min_rx_bufsize = RTE_ETHER_MIN_LEN;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = p->max_mtu;
	info->max_rx_pktlen = p->max_mtu + VMMIO_PMD_L2_OVERHEAD;
	info->rx_desc_lim = (struct rte_eth_desc_lim){ .nb_max = p->ring_max[0],
						       .nb_min = 1,
						       .nb_align = 1 };
	info->tx_desc_lim = (struct rte_eth_desc_lim){ .nb_max = p->ring_max[1],
						       .nb_min = 1,
						       .nb_align = 1 };
	info->default_rxportconf.ring_size = p->ring_default;
	info->default_txportconf.ring_size = p->ring_default;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.nb_queues = 1;
	info->speed_capa = RTE_ETH_LINK_SPEED_FIXED;

	/* Offloads the device offers and this PMD turns into header fields. */
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	if (vmmio_port_offers(p, VMMIO_NET_F_CSUM))
		info->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	if (vmmio_port_offers(p, VMMIO_NET_F_CSUM) && vmmio_port_offers(p, VMMIO_NET_F_HOST_TSO4) &&
	    vmmio_port_offers(p, VMMIO_NET_F_HOST_TSO6))
		info->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
	info->rx_offload_capa = 0;
	if (vmmio_port_offers(p, VMMIO_NET_F_MRG_RXBUF) && p->args.mrg_rxbuf != VMMIO_PMD_OFF)
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_SCATTER;
	if (vmmio_port_offers(p, VMMIO_NET_F_GUEST_CSUM))
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_UDP_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
	/* GSO frames of up to 64 KiB: without mergeable buffers they need
	 * 65562-byte Rx buffers ("Setting Up Receive Buffers"), no mbuf's. */
	if (vmmio_port_offers(p, VMMIO_NET_F_GUEST_CSUM) && vmmio_port_offers(p, VMMIO_NET_F_GUEST_TSO4) &&
	    vmmio_port_offers(p, VMMIO_NET_F_GUEST_TSO6) &&
	    (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER))
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_TCP_LRO;
	info->rx_queue_offload_capa = 0;
	info->tx_queue_offload_capa = 0;
	info->flow_type_rss_offloads = 0;
	return 0;
}

static int vmmio_dev_configure(struct rte_eth_dev *dev)
{
	struct vmmio_port *p = vmmio_port_of(dev);
	const struct rte_eth_conf *conf = &dev->data->dev_conf;
	struct vmmio_features f;

	if (conf->rxmode.mq_mode != RTE_ETH_MQ_RX_NONE && conf->rxmode.mq_mode != RTE_ETH_MQ_RX_RSS) {
		PMD_LOG(ERR, "%s: Rx multi-queue mode %d: only none or RSS (the device spreads "
			     "flows over the queue pairs itself)",
			p->name, conf->rxmode.mq_mode);
		return -ENOTSUP;
	}
	if (conf->intr_conf.rxq && p->args.intr != VMMIO_PMD_INTR_INTERRUPT) {
		PMD_LOG(ERR, "%s: Rx interrupts need the devarg intr=interrupt", p->name);
		return -ENOTSUP;
	}
	if (conf->intr_conf.lsc && !vmmio_port_offers(p, VMMIO_NET_F_STATUS)) {
		PMD_LOG(ERR, "%s: link state interrupts: the device does not offer "
			     "VIRTIO_NET_F_STATUS",
			p->name);
		return -ENOTSUP;
	}
	if (dev->data->mtu > p->max_mtu) {
		PMD_LOG(ERR, "%s: MTU %u above the device's %u", p->name, dev->data->mtu,
			p->max_mtu);
		return -EINVAL;
	}
	vmmio_port_wanted(p, conf, &f);
	if (p->negotiated && !vmmio_feat_equal(&f, &p->wanted))
		port_reset_device(dev);
	p->wanted = f;
	return vmmio_port_negotiate(p);
}

/* --- start and stop ----------------------------------------------------------------- */

static void queue_states(struct rte_eth_dev *dev, uint8_t state)
{
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++)
		dev->data->rx_queue_state[q] = state;
	for (uint16_t q = 0; q < dev->data->nb_tx_queues; q++)
		dev->data->tx_queue_state[q] = state;
}

/* What the control queue holds across a reset: queue pairs, Rx mode, filters. */
static int replay_ctrl(struct rte_eth_dev *dev)
{
	struct vmmio_port *p = vmmio_port_of(dev);
	uint16_t pairs = RTE_MAX(dev->data->nb_rx_queues, dev->data->nb_tx_queues);
	int r = 0;

	/* After a reset the device uses one pair ("Automatic receive
	 * steering in multiqueue mode"): only more need a command. */
	if (vmmio_port_has(p, VMMIO_NET_F_MQ) && pairs > 1)
		r = vmmio_ctrl_pairs(p, pairs);
	if (!r && vmmio_port_has(p, VMMIO_NET_F_CTRL_RX)) {
		r = vmmio_ctrl_rx_mode(p, VMMIO_NET_CTRL_RX_PROMISC, dev->data->promiscuous);
		if (!r)
			r = vmmio_ctrl_rx_mode(p, VMMIO_NET_CTRL_RX_ALLMULTI,
					       dev->data->all_multicast);
		if (!r)
			r = vmmio_ctrl_mac_tables(dev);
	}
	return r;
}

static int vmmio_dev_start(struct rte_eth_dev *dev)
{
	struct vmmio_port *p = vmmio_port_of(dev);
	int r;

	r = vmmio_port_negotiate(p);
	if (!r)
		r = vmmio_queues_enable(dev);
	if (!r)
		r = vmmio_rx_queues_fill(dev);
	if (!r && dev->data->dev_conf.intr_conf.rxq)
		r = vmmio_rx_intr_setup(dev);
	if (r)
		goto fail;
	r = vmmio_driver_ok(&p->dev);
	if (r) {
		PMD_LOG(ERR, "%s: %s", p->name, vmmio_dev_error(&p->dev));
		goto fail;
	}
	p->live = true;
	p->reset_reported = false;
	/* Notifications owed for buffers made available before DRIVER_OK. */
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vmmio_rxq *rxq = dev->data->rx_queues[q];

		vmmio_vq_kick(rxq->vq, &p->dev);
	}
	r = replay_ctrl(dev);
	if (r)
		goto fail;
	vmmio_set_burst_functions(dev);
	vmmio_link_refresh(dev);
	r = vmmio_intr_start(dev);
	if (r)
		goto fail;
	queue_states(dev, RTE_ETH_QUEUE_STATE_STARTED);
	p->started = true;
	return 0;
fail:
	vmmio_rx_intr_release(dev);
	port_reset_device(dev);
	return r;
}

static int vmmio_dev_stop(struct rte_eth_dev *dev)
{
	struct vmmio_port *p = vmmio_port_of(dev);
	struct rte_eth_link link = { .link_status = RTE_ETH_LINK_DOWN };

	if (!p->started)
		return 0;
	vmmio_intr_stop(dev);
	port_reset_device(dev);
	vmmio_rx_intr_release(dev);
	queue_states(dev, RTE_ETH_QUEUE_STATE_STOPPED);
	rte_eth_linkstatus_set(dev, &link);
	p->started = false;
	dev->data->dev_started = 0;
	return 0;
}

int vmmio_port_close(struct rte_eth_dev *dev)
{
	struct vmmio_port *p = vmmio_port_of(dev);

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	vmmio_dev_stop(dev);
	/* Status 0 before the memory goes: the device must not touch it after. */
	vmmio_reset(&p->dev);
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++)
		vmmio_rx_queue_release(dev, q);
	for (uint16_t q = 0; q < dev->data->nb_tx_queues; q++)
		vmmio_tx_queue_release(dev, q);
	vmmio_ctrl_release(p);
#ifdef VMMIO_BUS_SIM
	if (vmmio_bus_sim_model(&p->bus))
		devsim_thread_stop(vmmio_bus_sim_model(&p->bus));
#endif
	vmmio_bus_close(&p->bus);
	return 0;
}

/* RTE_ETH_EVENT_INTR_RESET's answer: ethdev stopped the port; reset the
 * device and read it anew. The app configures and starts it again. */
static int vmmio_dev_reset(struct rte_eth_dev *dev)
{
	struct vmmio_port *p = vmmio_port_of(dev);

	vmmio_dev_stop(dev);
	port_reset_device(dev);
	p->reset_reported = false;
	PMD_LOG(INFO, "%s: reset (recoveries: %u)", p->name, ++p->dev.recoveries);
	return 0;
}

static int vmmio_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct vmmio_port *p = vmmio_port_of(dev);

	if (mtu < RTE_ETHER_MIN_MTU || mtu > p->max_mtu) {
		PMD_LOG(ERR, "%s: MTU %u: the device takes %u..%u%s", p->name, mtu,
			RTE_ETHER_MIN_MTU, p->max_mtu,
			vmmio_port_offers(p, VMMIO_NET_F_MTU) ? " (VIRTIO_NET_F_MTU)" : "");
		return -EINVAL;
	}
	/* Without mergeable buffers a frame must fit one Rx buffer, as Rx
	 * queue setup checks ("Setting Up Receive Buffers"). */
	for (uint16_t q = 0; !vmmio_port_has(p, VMMIO_NET_F_MRG_RXBUF) && q < dev->data->nb_rx_queues;
	     q++) {
		const struct vmmio_rxq *rxq = dev->data->rx_queues[q];
		uint32_t frame = (uint32_t)mtu + VMMIO_PMD_L2_OVERHEAD, room;

		if (!rxq)
			continue;
		room = (uint32_t)rte_pktmbuf_data_room_size(rxq->mp) - RTE_PKTMBUF_HEADROOM;
		if (room < frame) {
			PMD_LOG(ERR, "%s: MTU %u: Rx queue %u's %u-byte mbufs (pool %s) hold no "
				     "%u-byte frame and mergeable buffers are off",
				p->name, mtu, q, room, rxq->mp->name, frame);
			return -EINVAL;
		}
	}
	return 0;
}

const struct eth_dev_ops vmmio_ops = {
	.dev_configure = vmmio_dev_configure,
	.dev_start = vmmio_dev_start,
	.dev_stop = vmmio_dev_stop,
	.dev_close = vmmio_port_close,
	.dev_reset = vmmio_dev_reset,
	.dev_infos_get = vmmio_dev_infos_get,
	.link_update = vmmio_link_update,
	.mtu_set = vmmio_mtu_set,
	.promiscuous_enable = vmmio_promiscuous_enable,
	.promiscuous_disable = vmmio_promiscuous_disable,
	.allmulticast_enable = vmmio_allmulticast_enable,
	.allmulticast_disable = vmmio_allmulticast_disable,
	.mac_addr_add = vmmio_mac_addr_add,
	.mac_addr_remove = vmmio_mac_addr_remove,
	.mac_addr_set = vmmio_mac_addr_set,
	.set_mc_addr_list = vmmio_set_mc_addr_list,
	.rx_queue_setup = vmmio_rx_queue_setup,
	.rx_queue_release = vmmio_rx_queue_release,
	.tx_queue_setup = vmmio_tx_queue_setup,
	.tx_queue_release = vmmio_tx_queue_release,
	.rx_queue_intr_enable = vmmio_rx_queue_intr_enable,
	.rx_queue_intr_disable = vmmio_rx_queue_intr_disable,
	.stats_get = vmmio_stats_get,
	.stats_reset = vmmio_stats_reset,
	.xstats_get = vmmio_xstats_get,
	.xstats_get_names = vmmio_xstats_get_names,
	.xstats_reset = vmmio_stats_reset,
};
