/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-net ("Network Device"): the configuration space, the features
 * the net driver accepts, and names for the link status.
 */
#ifndef VMMIO_NET_H
#define VMMIO_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "vmmio_api.h"
#include "vmmio_dev.h"
#include "vmmio_features.h"

/* Offsets in struct virtio_net_config ("Device configuration layout"). */
#define VMMIO_NET_CFG_MAC 0x00 /* u8[6] */
#define VMMIO_NET_CFG_STATUS 0x06 /* le16 */
#define VMMIO_NET_CFG_MAX_VQ_PAIRS 0x08 /* le16 */
#define VMMIO_NET_CFG_MTU 0x0a /* le16 */
#define VMMIO_NET_CFG_SPEED 0x0c /* le32 */
#define VMMIO_NET_CFG_DUPLEX 0x10 /* u8 */

/* status bits. */
#define VMMIO_NET_S_LINK_UP 0x1u
#define VMMIO_NET_S_ANNOUNCE 0x2u

/* speed: "0 to 0x7fffffff, or 0xffffffff for unknown speed". */
#define VMMIO_NET_SPEED_UNKNOWN 0xffffffffu
/* duplex, as the field's description gives them ("0x01 for full duplex,
 * 0x00 for half duplex and 0xff for unknown"). */
#define VMMIO_NET_DUPLEX_HALF 0x00u
#define VMMIO_NET_DUPLEX_FULL 0x01u
#define VMMIO_NET_DUPLEX_UNKNOWN 0xffu

/*
 * The configuration fields this driver knows. A field is read (and its
 * has_ flag set) only when the device offers the feature that makes it
 * exist; the others read as 0.
 */
struct vmmio_net_config {
	bool has_mac; /* VIRTIO_NET_F_MAC */
	uint8_t mac[6];
	bool has_status; /* VIRTIO_NET_F_STATUS */
	uint16_t status;
	bool has_max_virtqueue_pairs; /* VIRTIO_NET_F_MQ or VIRTIO_NET_F_RSS */
	uint16_t max_virtqueue_pairs;
	bool has_mtu; /* VIRTIO_NET_F_MTU */
	uint16_t mtu;
	bool has_speed_duplex; /* VIRTIO_NET_F_SPEED_DUPLEX */
	uint32_t speed;
	uint8_t duplex;
};

/* --- the header in front of every packet ("Packet Transmission") ------------ */

/*
 * struct virtio_net_hdr, little-endian on a modern device (guest-endian on a
 * legacy one: little-endian on every host this driver supports). 12 bytes
 * with VIRTIO_F_VERSION_1 or VIRTIO_NET_F_MRG_RXBUF; else the 10 bytes
 * before num_buffers.
 */
struct vmmio_net_hdr {
	uint8_t flags; /* VMMIO_NET_HDR_F_* */
	uint8_t gso_type; /* VMMIO_NET_HDR_GSO_* */
	uint16_t hdr_len; /* Ethernet + IP + TCP/UDP header bytes (GSO) */
	uint16_t gso_size; /* payload bytes per segment (GSO) */
	uint16_t csum_start; /* checksum from this offset ... */
	uint16_t csum_offset; /* ... stored this far after csum_start */
	uint16_t num_buffers; /* receive buffers the packet took (MRG_RXBUF) */
};
#define VMMIO_NET_HDR_LEN 12u
#define VMMIO_NET_HDR_LEN_LEGACY 10u /* Version 1 without MRG_RXBUF */
_Static_assert(sizeof(struct vmmio_net_hdr) == VMMIO_NET_HDR_LEN, "virtio_net_hdr layout");

#define VMMIO_NET_HDR_F_NEEDS_CSUM 1u /* checksum from csum_start not yet filled */
#define VMMIO_NET_HDR_F_DATA_VALID 2u /* receive: the checksum was verified */
#define VMMIO_NET_HDR_F_RSC_INFO 4u

#define VMMIO_NET_HDR_GSO_NONE 0u
#define VMMIO_NET_HDR_GSO_TCPV4 1u
#define VMMIO_NET_HDR_GSO_UDP 3u
#define VMMIO_NET_HDR_GSO_TCPV6 4u
#define VMMIO_NET_HDR_GSO_UDP_L4 5u
#define VMMIO_NET_HDR_GSO_ECN 0x80u

/* --- the control virtqueue ("Control Virtqueue") ---------------------------- */

/* A command: this header and the command's data (device-readable), then
 * one ack byte (device-writable). */
struct vmmio_net_ctrl_hdr {
	uint8_t class;
	uint8_t cmd;
};
#define VMMIO_NET_OK 0u
#define VMMIO_NET_ERR 1u

#define VMMIO_NET_CTRL_RX 0u /* data: u8 on/off (VIRTIO_NET_F_CTRL_RX) */
#define VMMIO_NET_CTRL_RX_PROMISC 0u
#define VMMIO_NET_CTRL_RX_ALLMULTI 1u

#define VMMIO_NET_CTRL_MAC 1u
/* data: two struct virtio_net_ctrl_mac (le32 entries, then entries * 6
 * bytes): the unicast table, then the multicast table */
#define VMMIO_NET_CTRL_MAC_TABLE_SET 0u
#define VMMIO_NET_CTRL_MAC_ADDR_SET 1u /* data: u8[6] (VIRTIO_NET_F_CTRL_MAC_ADDR) */

#define VMMIO_NET_CTRL_MQ 4u
#define VMMIO_NET_CTRL_MQ_VQ_PAIRS_SET 0u /* data: le16 virtqueue_pairs */
#define VMMIO_NET_CTRL_MQ_VQ_PAIRS_MIN 1u
#define VMMIO_NET_CTRL_MQ_VQ_PAIRS_MAX 0x8000u

/*
 * Read the fields of the offered features (d->device_features, so after
 * vmmio_begin()), each by an access of its own width, as one consistent
 * snapshot (vmmio_cfg_snapshot()). Returns 0 or the negative errno of the
 * failing access or snapshot (the words are in vmmio_dev_error(d)).
 */
VMMIO_API int vmmio_net_config_read(struct vmmio_dev *d, struct vmmio_net_config *out);

/* The features the net driver accepts today (before intersecting with the
 * offered and valid sets). */
VMMIO_API void vmmio_net_driver_features(struct vmmio_features *out);

/* "link up", "link down, announce", "link up, bits 0xfff0" ... in a static
 * per-thread buffer. */
VMMIO_API const char *vmmio_net_status_format(uint16_t status);

#endif /* VMMIO_NET_H */
