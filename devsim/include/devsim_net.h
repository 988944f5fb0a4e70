/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * devsim's virtio-net personality beyond the rings: the state the driver
 * set through the control virtqueue ("Control Virtqueue" of the Network
 * Device), for tests to look at.
 *
 * With VIRTIO_NET_F_CTRL_VQ negotiated, the backends that service the rings
 * (LOOPBACK, FORWARD and SINK, from devsim_step() or the device thread) also
 * service the controlq: queue 2N, N = max_virtqueue_pairs with
 * VIRTIO_NET_F_MQ negotiated, else 1. Each command is acked VIRTIO_NET_OK
 * or VIRTIO_NET_ERR (one byte, used length 1):
 *   VIRTIO_NET_CTRL_RX PROMISC, ALLMULTI       (VIRTIO_NET_F_CTRL_RX) data u8 0 or 1
 *   VIRTIO_NET_CTRL_MAC TABLE_SET               (VIRTIO_NET_F_CTRL_RX) two tables
 *   VIRTIO_NET_CTRL_MAC ADDR_SET                (VIRTIO_NET_F_CTRL_MAC_ADDR) u8[6]
 *   VIRTIO_NET_CTRL_MQ VQ_PAIRS_SET             (VIRTIO_NET_F_MQ) le16 1..max_virtqueue_pairs
 * Anything else, a command whose feature was not negotiated, or data of the
 * wrong size is acked VIRTIO_NET_ERR. The filters are state only: the
 * loopback (and FORWARD) delivers every packet ("these commands are
 * best-effort: unwanted packets could still arrive") and services pairs
 * 1..curr_pairs.
 */
#ifndef DEVSIM_NET_H
#define DEVSIM_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "devsim.h"

/* MAC addresses devsim keeps per filtering table. */
#define DEVSIM_NET_MAC_TABLE 64u

struct devsim_net_state {
	bool promisc, allmulti; /* VIRTIO_NET_CTRL_RX_PROMISC, _ALLMULTI */
	uint8_t mac[6]; /* the default MAC rx filtering accepts (ADDR_SET, else config mac) */
	/* VIRTIO_NET_CTRL_MAC_TABLE_SET: the first DEVSIM_NET_MAC_TABLE entries
	 * of each table; *_overflow when the driver gave more (devsim then
	 * receives all of that kind, as the spec's footnote allows) */
	unsigned uc_count, mc_count;
	uint8_t uc[DEVSIM_NET_MAC_TABLE][6], mc[DEVSIM_NET_MAC_TABLE][6];
	bool uc_overflow, mc_overflow;
	uint16_t curr_pairs; /* VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET: queue pairs in use */
	uint64_t ctrl_cmds; /* commands acked (OK or ERR) */
	uint64_t ctrl_errors; /* ... of which VIRTIO_NET_ERR (no room for the ack included) */
};

/*
 * A snapshot of the virtio-net state (taken under devsim's lock: safe
 * while the device thread runs). -ENODEV for a device that is not
 * virtio-net. A device reset restores: promisc and allmulti off, empty
 * tables, curr_pairs 1, mac = the configuration space's mac.
 */
int devsim_net_state(const struct devsim *s, struct devsim_net_state *out);

#endif /* DEVSIM_NET_H */
