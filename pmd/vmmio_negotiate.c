/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Feature negotiation ("Feature Bits", "Device Initialization"): what the
 * port asks of the device, from its devargs and the offloads the app
 * configured, and the way from reset to FEATURES_OK.
 */
#include <string.h>

#include "vmmio_pmd.h"

/* A devarg that turns a feature on, off or leaves it to the device. */
static void feat_tri(struct vmmio_features *f, unsigned bit, int8_t v)
{
	if (v == VMMIO_PMD_OFF)
		vmmio_feat_clear(f, bit);
	else
		vmmio_feat_set(f, bit);
}

/* What this port asks for: every device feature the PMD drives, the ring
 * features as the devargs say, and the offloads the app configured. */
void vmmio_port_wanted(const struct vmmio_port *p, const struct rte_eth_conf *conf,
		       struct vmmio_features *f)
{
	uint64_t rx = conf ? conf->rxmode.offloads : 0, tx = conf ? conf->txmode.offloads : 0;

	memset(f, 0, sizeof(*f));
	vmmio_feat_set(f, VMMIO_F_VERSION_1);
	vmmio_feat_set(f, VMMIO_F_ANY_LAYOUT);
	vmmio_feat_set(f, VMMIO_F_INDIRECT_DESC);
	vmmio_feat_set(f, VMMIO_F_NOTIFICATION_DATA);
	vmmio_feat_set(f, VMMIO_F_RING_RESET);
	feat_tri(f, VMMIO_F_RING_PACKED, p->args.packed);
	feat_tri(f, VMMIO_F_IN_ORDER, p->args.in_order);
	feat_tri(f, VMMIO_F_EVENT_IDX, p->args.event_idx);
	feat_tri(f, VMMIO_NET_F_MRG_RXBUF, p->args.mrg_rxbuf);
	vmmio_feat_set(f, VMMIO_NET_F_MAC);
	vmmio_feat_set(f, VMMIO_NET_F_STATUS);
	vmmio_feat_set(f, VMMIO_NET_F_MTU);
	vmmio_feat_set(f, VMMIO_NET_F_SPEED_DUPLEX);
	vmmio_feat_set(f, VMMIO_NET_F_CTRL_VQ);
	vmmio_feat_set(f, VMMIO_NET_F_CTRL_RX);
	vmmio_feat_set(f, VMMIO_NET_F_CTRL_MAC_ADDR);
	vmmio_feat_set(f, VMMIO_NET_F_MQ);
	if (rx & (RTE_ETH_RX_OFFLOAD_UDP_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
		  RTE_ETH_RX_OFFLOAD_TCP_LRO))
		vmmio_feat_set(f, VMMIO_NET_F_GUEST_CSUM);
	if (rx & RTE_ETH_RX_OFFLOAD_TCP_LRO) {
		vmmio_feat_set(f, VMMIO_NET_F_GUEST_TSO4);
		vmmio_feat_set(f, VMMIO_NET_F_GUEST_TSO6);
	}
	if (tx & (RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
		  RTE_ETH_TX_OFFLOAD_TCP_TSO))
		vmmio_feat_set(f, VMMIO_NET_F_CSUM);
	if (tx & RTE_ETH_TX_OFFLOAD_TCP_TSO) {
		vmmio_feat_set(f, VMMIO_NET_F_HOST_TSO4);
		vmmio_feat_set(f, VMMIO_NET_F_HOST_TSO6);
	}
}

int vmmio_port_negotiate(struct vmmio_port *p)
{
	int r;

	if (p->negotiated)
		return 0;
	r = vmmio_begin(&p->dev);
	if (!r)
		r = vmmio_negotiate(&p->dev, &p->wanted);
	if (r) {
		PMD_LOG(ERR, "%s: %s", p->name, vmmio_dev_error(&p->dev));
		return r;
	}
	/* "The header is 12 bytes long if VIRTIO_F_VERSION_1 or
	 * VIRTIO_NET_F_MRG_RXBUF is negotiated; else 10" (legacy). */
	p->hdr_len = vmmio_port_has(p, VMMIO_F_VERSION_1) || vmmio_port_has(p, VMMIO_NET_F_MRG_RXBUF) ?
			     VMMIO_NET_HDR_LEN :
			     VMMIO_NET_HDR_LEN_LEGACY;
	p->negotiated = true;
	return vmmio_ctrl_setup(p);
}
