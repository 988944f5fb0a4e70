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
