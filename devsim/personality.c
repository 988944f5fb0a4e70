/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The two device personalities devsim can present: virtio-net ("Network
 * Device", struct virtio_net_config) and virtio-blk ("Block Device", struct
 * virtio_blk_config, which has the 64-bit field the wide-read rule needs).
 * Each gives the offered features, the queues, the initial configuration
 * space contents and the field table the checker matches accesses against.
 */
#include <string.h>

#include "devsim_internal.h"

/* VIRTIO_NET_S_LINK_UP ("Device configuration layout"). */
#define NET_S_LINK_UP 1u
#define NET_SPEED_MBPS 10000u
#define NET_DUPLEX_FULL 0x01u

/* struct virtio_net_config: each field exists only with its feature bit
 * (net-description.tex, "Device configuration layout"). */
static const struct devsim_cfg_field net_fields[] = {
	{ "mac", 0, 1, 6, -1, -1 }, /* "always exists" */
	{ "status", 6, 2, 1, VMMIO_NET_F_STATUS, -1 },
	{ "max_virtqueue_pairs", 8, 2, 1, VMMIO_NET_F_MQ, VMMIO_NET_F_RSS },
	{ "mtu", 10, 2, 1, VMMIO_NET_F_MTU, -1 },
	{ "speed", 12, 4, 1, VMMIO_NET_F_SPEED_DUPLEX, -1 },
	{ "duplex", 16, 1, 1, VMMIO_NET_F_SPEED_DUPLEX, -1 },
	{ "rss_max_key_size", 17, 1, 1, VMMIO_NET_F_RSS, VMMIO_NET_F_HASH_REPORT },
	{ "rss_max_indirection_table_length", 18, 2, 1, VMMIO_NET_F_RSS, -1 },
	{ "supported_hash_types", 20, 4, 1, VMMIO_NET_F_RSS, VMMIO_NET_F_HASH_REPORT },
};
#define NET_CONFIG_SIZE 24u /* up to supported_tunnel_types, which HASH_TUNNEL adds */

/* struct virtio_blk_config (blk-description.tex, "Device configuration
 * layout"), up to write_zeroes_may_unmap and its padding. */
static const struct devsim_cfg_field blk_fields[] = {
	{ "capacity", 0, 8, 1, -1, -1 }, /* "always present" */
	{ "size_max", 8, 4, 1, VMMIO_BLK_F_SIZE_MAX, -1 },
	{ "seg_max", 12, 4, 1, VMMIO_BLK_F_SEG_MAX, -1 },
	{ "geometry.cylinders", 16, 2, 1, VMMIO_BLK_F_GEOMETRY, -1 },
	{ "geometry.heads", 18, 1, 1, VMMIO_BLK_F_GEOMETRY, -1 },
	{ "geometry.sectors", 19, 1, 1, VMMIO_BLK_F_GEOMETRY, -1 },
	{ "blk_size", 20, 4, 1, VMMIO_BLK_F_BLK_SIZE, -1 },
	{ "topology.physical_block_exp", 24, 1, 1, VMMIO_BLK_F_TOPOLOGY, -1 },
	{ "topology.alignment_offset", 25, 1, 1, VMMIO_BLK_F_TOPOLOGY, -1 },
	{ "topology.min_io_size", 26, 2, 1, VMMIO_BLK_F_TOPOLOGY, -1 },
	{ "topology.opt_io_size", 28, 4, 1, VMMIO_BLK_F_TOPOLOGY, -1 },
	{ "writeback", 32, 1, 1, VMMIO_BLK_F_CONFIG_WCE, -1 },
	{ "num_queues", 34, 2, 1, VMMIO_BLK_F_MQ, -1 },
	{ "max_discard_sectors", 36, 4, 1, VMMIO_BLK_F_DISCARD, -1 },
	{ "max_discard_seg", 40, 4, 1, VMMIO_BLK_F_DISCARD, -1 },
	{ "discard_sector_alignment", 44, 4, 1, VMMIO_BLK_F_DISCARD, -1 },
	{ "max_write_zeroes_sectors", 48, 4, 1, VMMIO_BLK_F_WRITE_ZEROES, -1 },
	{ "max_write_zeroes_seg", 52, 4, 1, VMMIO_BLK_F_WRITE_ZEROES, -1 },
	{ "write_zeroes_may_unmap", 56, 1, 1, VMMIO_BLK_F_WRITE_ZEROES, -1 },
};
#define BLK_CONFIG_SIZE 60u /* write_zeroes_may_unmap + unused1[3] */
#define BLK_CAPACITY_SECTORS 2048u
#define BLK_SIZE 512u
#define BLK_QUEUE_SIZE 128u
#define NET_QUEUE_SIZE 256u
#define NET_QUEUES 3u /* receiveq1, transmitq1, controlq */

#define DEFAULT_VENDOR_ID 0x554d4551u /* "QEMU" */

uint32_t devsim_personality_device_id(enum devsim_personality p)
{
	return p == DEVSIM_BLK ? VMMIO_DEVICE_ID_BLK : VMMIO_DEVICE_ID_NET;
}

static void put_le(uint8_t *dst, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		dst[i] = (uint8_t)(v >> (8 * i));
}

static void set_fields(struct devsim_config *c, const struct devsim_cfg_field *f, unsigned n)
{
	memcpy(c->fields, f, n * sizeof(*f));
	c->n_fields = n;
}

/* Bits every ring implementation of ours handles; the ones >= 32 exist only
 * in the modern interface, which has 128 feature bits. */
static void offer_ring_bits(struct vmmio_features *f, bool legacy)
{
	vmmio_feat_set(f, VMMIO_F_INDIRECT_DESC);
	vmmio_feat_set(f, VMMIO_F_EVENT_IDX);
	if (legacy) {
		/* "Transitional devices MUST offer [...] VIRTIO_F_ANY_LAYOUT" and
		 * MAY offer NOTIFY_ON_EMPTY ("Legacy Interface: Reserved Feature Bits"). */
		vmmio_feat_set(f, VMMIO_F_ANY_LAYOUT);
		vmmio_feat_set(f, VMMIO_F_NOTIFY_ON_EMPTY);
		return;
	}
	vmmio_feat_set(f, VMMIO_F_VERSION_1);
	vmmio_feat_set(f, VMMIO_F_RING_PACKED);
	vmmio_feat_set(f, VMMIO_F_IN_ORDER);
	vmmio_feat_set(f, VMMIO_F_NOTIFICATION_DATA);
	vmmio_feat_set(f, VMMIO_F_RING_RESET);
}

static void net_default(struct devsim_config *c, bool legacy)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	c->device_id = VMMIO_DEVICE_ID_NET;
	offer_ring_bits(&c->features, legacy);
	vmmio_feat_set(&c->features, VMMIO_NET_F_MAC);
	vmmio_feat_set(&c->features, VMMIO_NET_F_STATUS);
	vmmio_feat_set(&c->features, VMMIO_NET_F_MTU);
	vmmio_feat_set(&c->features, VMMIO_NET_F_MRG_RXBUF);
	vmmio_feat_set(&c->features, VMMIO_NET_F_CSUM);
	vmmio_feat_set(&c->features, VMMIO_NET_F_GUEST_CSUM);
	vmmio_feat_set(&c->features, VMMIO_NET_F_CTRL_VQ);
	vmmio_feat_set(&c->features, VMMIO_NET_F_MQ);
	/* The controlq's commands (net_ctrl.c) and the offloads the loopback
	 * honours (net_offload.c, net_tso.c). */
	vmmio_feat_set(&c->features, VMMIO_NET_F_CTRL_RX);
	vmmio_feat_set(&c->features, VMMIO_NET_F_CTRL_MAC_ADDR);
	vmmio_feat_set(&c->features, VMMIO_NET_F_HOST_TSO4);
	vmmio_feat_set(&c->features, VMMIO_NET_F_HOST_TSO6);
	vmmio_feat_set(&c->features, VMMIO_NET_F_GUEST_TSO4);
	vmmio_feat_set(&c->features, VMMIO_NET_F_GUEST_TSO6);
	if (!legacy)
		vmmio_feat_set(&c->features, VMMIO_NET_F_SPEED_DUPLEX);

	c->num_queues = NET_QUEUES;
	for (unsigned q = 0; q < NET_QUEUES; q++)
		c->queue_num_max[q] = NET_QUEUE_SIZE;

	memcpy(&c->config[0], mac, sizeof(mac));
	put_le(&c->config[6], NET_S_LINK_UP, 2);
	put_le(&c->config[8], 1, 2); /* max_virtqueue_pairs */
	put_le(&c->config[10], 1500, 2); /* mtu */
	put_le(&c->config[12], NET_SPEED_MBPS, 4);
	c->config[16] = NET_DUPLEX_FULL;
	c->config_size = NET_CONFIG_SIZE;
	set_fields(c, net_fields, sizeof(net_fields) / sizeof(net_fields[0]));
}

static void blk_default(struct devsim_config *c, bool legacy)
{
	c->device_id = VMMIO_DEVICE_ID_BLK;
	/* ANY_LAYOUT: "Transitional devices MUST offer" it. */
	vmmio_feat_set(&c->features, legacy ? VMMIO_F_ANY_LAYOUT : VMMIO_F_VERSION_1);
	vmmio_feat_set(&c->features, VMMIO_BLK_F_BLK_SIZE);

	c->num_queues = 1;
	c->queue_num_max[0] = BLK_QUEUE_SIZE;

	put_le(&c->config[0], BLK_CAPACITY_SECTORS, 8);
	put_le(&c->config[20], BLK_SIZE, 4);
	c->config_size = BLK_CONFIG_SIZE;
	set_fields(c, blk_fields, sizeof(blk_fields) / sizeof(blk_fields[0]));
}

void devsim_config_default(struct devsim_config *c, enum devsim_personality p, bool legacy)
{
	memset(c, 0, sizeof(*c));
	c->personality = p;
	c->magic = VMMIO_MAGIC_VALUE;
	c->version = legacy ? VMMIO_VERSION_LEGACY : VMMIO_VERSION_MODERN;
	c->vendor_id = DEFAULT_VENDOR_ID;
	if (p == DEVSIM_BLK) {
		blk_default(c, legacy);
		c->backend = DEVSIM_BACKEND_NONE; /* no block backend */
	} else {
		net_default(c, legacy);
		c->backend = DEVSIM_BACKEND_LOOPBACK;
	}
}
