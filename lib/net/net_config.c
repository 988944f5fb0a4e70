/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-net configuration space ("Network Device / Device configuration
 * layout") and the net driver's feature set.
 */
#include <stdio.h>
#include <string.h>

#include "vmmio_net.h"

/* "For optional configuration space fields, the driver MUST check that the
 * corresponding feature is offered before accessing that part of the
 * configuration space" ("Device Configuration Space"): offered, not
 * accepted, so the fields may be read during negotiation too. */
static bool offered(const struct vmmio_dev *d, unsigned bit)
{
	return vmmio_feat_has(&d->device_features, bit);
}

/* One pass over the fields; vmmio_cfg_snapshot() repeats it until the
 * configuration did not change meanwhile ("Drivers MUST NOT assume reads
 * from ... multiple fields" are atomic). */
static int read_fields(struct vmmio_dev *d, void *arg)
{
	struct vmmio_net_config *c = arg;
	uint64_t v;
	int rc;

	/* The snapshot compares whole passes: no stale bytes, padding included. */
	memset(c, 0, sizeof(*c));

	if (offered(d, VMMIO_NET_F_MAC)) {
		/* u8 mac[6]: six 8-bit fields, read by 8-bit accesses. */
		for (unsigned i = 0; i < sizeof(c->mac); i++) {
			rc = vmmio_cfg_get(d, VMMIO_NET_CFG_MAC + i, 1, &v);
			if (rc < 0)
				return rc;
			c->mac[i] = (uint8_t)v;
		}
		c->has_mac = true;
	}
	if (offered(d, VMMIO_NET_F_STATUS)) {
		rc = vmmio_cfg_get(d, VMMIO_NET_CFG_STATUS, 2, &v);
		if (rc < 0)
			return rc;
		c->status = (uint16_t)v;
		c->has_status = true;
	}
	/* "max_virtqueue_pairs only exists if VIRTIO_NET_F_MQ or
	 * VIRTIO_NET_F_RSS is set." */
	if (offered(d, VMMIO_NET_F_MQ) || offered(d, VMMIO_NET_F_RSS)) {
		rc = vmmio_cfg_get(d, VMMIO_NET_CFG_MAX_VQ_PAIRS, 2, &v);
		if (rc < 0)
			return rc;
		c->max_virtqueue_pairs = (uint16_t)v;
		c->has_max_virtqueue_pairs = true;
	}
	if (offered(d, VMMIO_NET_F_MTU)) {
		rc = vmmio_cfg_get(d, VMMIO_NET_CFG_MTU, 2, &v);
		if (rc < 0)
			return rc;
		c->mtu = (uint16_t)v;
		c->has_mtu = true;
	}
	/* "The following two fields, speed and duplex, only exist if
	 * VIRTIO_NET_F_SPEED_DUPLEX is set." */
	if (offered(d, VMMIO_NET_F_SPEED_DUPLEX)) {
		rc = vmmio_cfg_get(d, VMMIO_NET_CFG_SPEED, 4, &v);
		if (rc < 0)
			return rc;
		c->speed = (uint32_t)v;
		rc = vmmio_cfg_get(d, VMMIO_NET_CFG_DUPLEX, 1, &v);
		if (rc < 0)
			return rc;
		c->duplex = (uint8_t)v;
		c->has_speed_duplex = true;
	}
	return 0;
}

int vmmio_net_config_read(struct vmmio_dev *d, struct vmmio_net_config *out)
{
	return vmmio_cfg_snapshot(d, read_fields, out, sizeof(*out));
}

void vmmio_net_driver_features(struct vmmio_features *out)
{
	static const unsigned bits[] = {
		/* Rings and transport. */
		VMMIO_F_INDIRECT_DESC,
		VMMIO_F_EVENT_IDX,
		VMMIO_F_VERSION_1,
		VMMIO_F_RING_PACKED,
		VMMIO_F_IN_ORDER,
		VMMIO_F_NOTIFICATION_DATA,
		VMMIO_F_RING_RESET,
		/* "Transitional devices MUST offer, and if offered by the device
		 * transitional drivers MUST accept" it (legacy only). */
		VMMIO_F_ANY_LAYOUT,
		/* The device type. */
		VMMIO_NET_F_MAC,
		VMMIO_NET_F_STATUS,
		VMMIO_NET_F_MTU,
		VMMIO_NET_F_SPEED_DUPLEX,
		VMMIO_NET_F_MRG_RXBUF,
	};

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		vmmio_feat_set(out, bits[i]);
}

const char *vmmio_net_status_format(uint16_t status)
{
	static _Thread_local char buf[sizeof("link down, announce, bits 0xffff")];
	uint16_t unknown = status & (uint16_t) ~(VMMIO_NET_S_LINK_UP | VMMIO_NET_S_ANNOUNCE);
	int n;

	n = snprintf(buf, sizeof(buf), "%s", status & VMMIO_NET_S_LINK_UP ? "link up" : "link down");
	if (status & VMMIO_NET_S_ANNOUNCE)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ", announce");
	if (unknown)
		snprintf(buf + n, sizeof(buf) - (size_t)n, ", bits 0x%x", unknown);
	return buf;
}
