/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_virtio_mmio: the PMD's own state, shared by its files. A port is one
 * virtio-mmio virtio-net device opened through libvmmio's buses
 * (vmmio_bus_open()); receiveqN is virtqueue 2(N-1), transmitqN 2(N-1)+1,
 * the control queue 2 * max_virtqueue_pairs ("Device Operation").
 *
 *   vmmio_probe.c   probe and remove: the device opened, read, checked
 *   vmmio_ethdev.c  configure, start, stop, close, reset, device info
 *   vmmio_negotiate.c  the features asked for, reset to FEATURES_OK
 *   vmmio_rxtx.c    queue setup and release, the burst functions
 *   vmmio_ctrl.c    the control queue: Rx mode, MAC tables, MQ
 *   vmmio_intr.c    the interrupt line, link state, NEEDS_RESET, Rx interrupts
 *   vmmio_stats.c   stats and xstats
 *   vmmio_dma.c     ring memory from DPDK's memzones, on the queue's socket
 *   pmd_args.c      the devargs (no DPDK)
 */
#ifndef VMMIO_PMD_H
#define VMMIO_PMD_H

#include <stdbool.h>
#include <stdint.h>

#include <ethdev_driver.h>
#include <rte_spinlock.h>

#include "pmd_args.h"
#include "vmmio_bus.h"
#include "vmmio_dev.h"
#include "vmmio_mem.h"
#include "vmmio_net.h"
#include "vmmio_vq.h"

#define VMMIO_PMD_NAME net_virtio_mmio

extern int vmmio_pmd_logtype;
#define PMD_LOG(level, fmt, ...)                                                             \
	rte_log(RTE_LOG_##level, vmmio_pmd_logtype, "net_virtio_mmio: " fmt "\n", ##__VA_ARGS__)

/* Default ring size when neither the app nor queue_size= asks for one (and the
 * device allows it): DPDK's virtio default. */
#define VMMIO_PMD_RING_DEFAULT 256u
/* Segments of one transmitted packet, header included. */
#define VMMIO_PMD_TX_MAX_SEGS 64u
/* Packets one burst call handles in a batch (mbuf bulk sizes). */
#define VMMIO_PMD_BURST 64u
#define VMMIO_PMD_MAX_MAC 64u /* unicast entries of the MAC filter table */
#define VMMIO_PMD_MAX_MC 64u /* multicast entries */
/* Frame bytes beyond the MTU: Ethernet header and one VLAN tag. */
#define VMMIO_PMD_L2_OVERHEAD (RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)
/* Link and NEEDS_RESET check period when polling (intr=poll). */
#define VMMIO_PMD_POLL_US 100000u

/* Packet size buckets of the xstats (RFC 2819 etherStatsPkts*Octets). */
enum vmmio_pmd_size_bin {
	VMMIO_BIN_UNDERSIZE, /* < 64 */
	VMMIO_BIN_64,
	VMMIO_BIN_65_127,
	VMMIO_BIN_128_255,
	VMMIO_BIN_256_511,
	VMMIO_BIN_512_1023,
	VMMIO_BIN_1024_1518,
	VMMIO_BIN_1519_MAX,
	VMMIO_BIN_COUNT
};

struct vmmio_pmd_qstats {
	uint64_t packets;
	uint64_t bytes; /* frame bytes, without the virtio-net header */
	uint64_t errors; /* rx: bad frames dropped; tx: packets refused and dropped */
	uint64_t nombuf; /* rx: refills the mempool could not serve */
	uint64_t interrupts; /* rx: interrupts that woke this queue */
	uint64_t broken; /* the device lied and broke the queue (0 or 1) */
	uint64_t bins[VMMIO_BIN_COUNT];
};

struct vmmio_port;

struct vmmio_rxq {
	struct vmmio_vq *vq;
	struct vmmio_port *port;
	struct rte_mempool *mp;
	uint16_t qid; /* ethdev queue id */
	uint16_t hdr_len; /* virtio-net header bytes in front of each frame */
	uint16_t nb_desc; /* buffers posted at most */
	uint16_t port_id;
	bool mrg_rxbuf;
	bool csum; /* report the header's checksum state in ol_flags */
	bool lro; /* report GSO as RTE_MBUF_F_RX_LRO */
	bool intr_on; /* the app asked for Rx interrupts on this queue */
	bool refill_due; /* the last refill posted less than the room (rx_refill()) */
	int efd; /* eventfd the app's epoll waits on (Rx interrupt mode), -1 */
	/* A packet over several buffers (MRG_RXBUF) that has not fully arrived. */
	struct rte_mbuf *mrg_head, *mrg_tail;
	uint16_t mrg_left;
	struct vmmio_pmd_qstats st;
	struct vmmio_vq_stats vq_base; /* the ring's counters at the last stats reset */
	int socket;
};

/* A transmitted packet whose header could not go in its headroom: the header
 * lives in a slot of the queue's header array. Tagged cookies (low bit set)
 * point at these; plain cookies are mbufs. */
struct vmmio_tx_slot {
	struct rte_mbuf *m;
	uint16_t next_free;
};

struct vmmio_txq {
	struct vmmio_vq *vq;
	struct vmmio_port *port;
	uint16_t qid;
	uint16_t hdr_len;
	uint16_t nb_desc;
	bool csum; /* the device takes VIRTIO_NET_HDR_F_NEEDS_CSUM */
	bool tso; /* ... and GSO */
	struct vmmio_dma hdrs; /* one header per slot */
	struct vmmio_tx_slot *slots;
	uint16_t free_slot; /* head of the free list, UINT16_MAX when empty */
	struct vmmio_pmd_qstats st;
	struct vmmio_vq_stats vq_base;
	int socket;
};

struct vmmio_port {
	struct rte_eth_dev *eth;
	struct vmmio_pmd_args args;
	struct vmmio_bus_dev bus;
	struct vmmio_dev dev;
	struct vmmio_allocator dma; /* DPDK memzones, the device's addresses */
	char name[RTE_DEV_NAME_MAX_LEN];

	/* What the device offers and what this port negotiated. */
	struct vmmio_net_config cfg;
	struct vmmio_features wanted; /* asked at the last negotiation */
	uint16_t max_pairs; /* queue pairs the port exposes */
	uint16_t ring_max[2]; /* QueueSizeMax of receiveq1 and transmitq1 */
	uint16_t ring_default; /* queue_size= or VMMIO_PMD_RING_DEFAULT, within ring_max */
	uint16_t hdr_len;
	uint16_t max_mtu;
	bool negotiated; /* FEATURES_OK since the last reset */
	bool live; /* DRIVER_OK since the last reset */
	bool started;

	/* The control queue (VIRTIO_NET_F_CTRL_VQ). */
	struct vmmio_vq *cvq;
	struct vmmio_dma cbuf; /* command, data and ack */
	rte_spinlock_t clock;

	/* The multicast filter (ethdev keeps the unicast one in mac_addrs),
	 * replayed after a reset like the Rx mode. */
	struct rte_ether_addr mc[VMMIO_PMD_MAX_MC];
	uint32_t nb_mc;

	/* Interrupts: the device's line through EAL's interrupt thread. */
	struct rte_intr_handle *line; /* the bus's irq fd */
	bool line_registered;
	bool alarm_set;
	uint16_t link_status; /* last reported VIRTIO_NET_S_* */
	bool reset_reported; /* RTE_ETH_EVENT_INTR_RESET sent since the last reset */
	uint64_t line_irqs;
};

static inline struct vmmio_port *vmmio_port_of(struct rte_eth_dev *dev)
{
	return dev->data->dev_private;
}

static inline uint16_t vmmio_rx_vq_index(uint16_t q)
{
	return (uint16_t)(2 * q);
}

static inline uint16_t vmmio_tx_vq_index(uint16_t q)
{
	return (uint16_t)(2 * q + 1);
}

/* vmmio_dma.c */
void vmmio_pmd_dma_init(struct vmmio_port *p);
/* The vhost bus's mem_regions (struct vmmio_bus_opts): every memory
 * segment of DPDK's, merged into runs of one file. */
int vmmio_pmd_mem_regions(void *ctx, struct vmmio_bus_mem_region *out, unsigned max, char *err,
			  size_t errlen);

/* vmmio_rxtx.c */
int vmmio_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			 unsigned int socket, const struct rte_eth_rxconf *conf,
			 struct rte_mempool *mp);
int vmmio_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			 unsigned int socket, const struct rte_eth_txconf *conf);
void vmmio_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid);
void vmmio_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid);
/* Fill every Rx ring with mbufs (before DRIVER_OK). */
int vmmio_rx_queues_fill(struct rte_eth_dev *dev);
/* After a device reset: hand every mbuf the rings held back to its pool. */
void vmmio_queues_reclaim(struct rte_eth_dev *dev);
int vmmio_queues_enable(struct rte_eth_dev *dev);
void vmmio_set_burst_functions(struct rte_eth_dev *dev);
uint16_t vmmio_recv_pkts(void *rxq, struct rte_mbuf **pkts, uint16_t n);
uint16_t vmmio_xmit_pkts(void *txq, struct rte_mbuf **pkts, uint16_t n);

/* vmmio_ctrl.c */
int vmmio_ctrl_setup(struct vmmio_port *p);
void vmmio_ctrl_release(struct vmmio_port *p);
int vmmio_ctrl_rx_mode(struct vmmio_port *p, uint8_t cmd, bool on);
int vmmio_ctrl_mac_addr(struct vmmio_port *p, const uint8_t mac[6]);
int vmmio_ctrl_mac_tables(struct rte_eth_dev *dev);
int vmmio_ctrl_pairs(struct vmmio_port *p, uint16_t pairs);
int vmmio_promiscuous_enable(struct rte_eth_dev *dev);
int vmmio_promiscuous_disable(struct rte_eth_dev *dev);
int vmmio_allmulticast_enable(struct rte_eth_dev *dev);
int vmmio_allmulticast_disable(struct rte_eth_dev *dev);
int vmmio_mac_addr_add(struct rte_eth_dev *dev, struct rte_ether_addr *mac, uint32_t index,
		       uint32_t vmdq);
void vmmio_mac_addr_remove(struct rte_eth_dev *dev, uint32_t index);
int vmmio_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *mac);
int vmmio_set_mc_addr_list(struct rte_eth_dev *dev, struct rte_ether_addr *mc, uint32_t n);

/* vmmio_intr.c */
int vmmio_intr_start(struct rte_eth_dev *dev);
void vmmio_intr_stop(struct rte_eth_dev *dev);
int vmmio_rx_intr_setup(struct rte_eth_dev *dev);
void vmmio_rx_intr_release(struct rte_eth_dev *dev);
int vmmio_rx_queue_intr_enable(struct rte_eth_dev *dev, uint16_t qid);
int vmmio_rx_queue_intr_disable(struct rte_eth_dev *dev, uint16_t qid);
int vmmio_link_update(struct rte_eth_dev *dev, int wait);
/* Read the link from the configuration space; true when it changed. */
bool vmmio_link_refresh(struct rte_eth_dev *dev);

/* vmmio_stats.c */
int vmmio_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st);
int vmmio_stats_reset(struct rte_eth_dev *dev);
int vmmio_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int n);
int vmmio_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			   unsigned int n);

/* The device offers / the port negotiated feature @bit. */
static inline bool vmmio_port_offers(const struct vmmio_port *p, unsigned bit)
{
	return vmmio_feat_has(&p->dev.device_features, bit);
}

static inline bool vmmio_port_has(const struct vmmio_port *p, unsigned bit)
{
	return vmmio_feat_has(&p->dev.driver_features, bit);
}

/* vmmio_negotiate.c: the features asked for with @conf (NULL: no
 * offloads), and the way from reset to FEATURES_OK with p->wanted. */
void vmmio_port_wanted(const struct vmmio_port *p, const struct rte_eth_conf *conf,
		       struct vmmio_features *f);
int vmmio_port_negotiate(struct vmmio_port *p);

/* vmmio_ethdev.c */
extern const struct eth_dev_ops vmmio_ops;
int vmmio_port_close(struct rte_eth_dev *dev);

#endif /* VMMIO_PMD_H */
