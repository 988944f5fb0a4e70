/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The feature bits the spec defines, as data: chapter "Reserved Feature
 * Bits" (device-independent, with its legacy section), "Network Device /
 * Feature bits" and "Block Device / Feature bits" (each with its legacy
 * section), and the requirements of "Network Device / Feature bits /
 * Feature bit requirements".
 */
#include <stddef.h>

#include "feature_table.h"

/* Requirement lists end at the first -1; unused slots must hold -1 too,
 * since 0 is a real bit number. Lists travel through the macros below in
 * parentheses and are unwrapped into braces at the end. */
#define NONE (-1, -1, -1, -1)
#define REQ1(a) ((a), -1, -1, -1)
#define REQ2(a, b) ((a), (b), -1, -1)
#define REQ3(a, b, c) ((a), (b), (c), -1)
#define REQ4(a, b, c, d) ((a), (b), (c), (d))
#define UNWRAP(...) __VA_ARGS__

#define FEAT(dev, b, nm, legacy, notmmio, all, any)                                             \
	{ .bit = (b), .name = (nm), .device_id = (dev), .legacy_only = (legacy),                 \
	  .not_on_mmio = (notmmio), .requires_all = { UNWRAP all },                              \
	  .requires_any = { UNWRAP any } }

/* Device-independent bits: "Reserved Feature Bits". */
#define INDEP(b, nm) FEAT(0, b, nm, false, false, NONE, NONE)
#define INDEP_LEGACY(b, nm) FEAT(0, b, nm, true, false, NONE, NONE)
#define INDEP_NOT_MMIO(b, nm) FEAT(0, b, nm, false, true, NONE, NONE)

#define NET(b, nm) FEAT(VMMIO_DEVICE_ID_NET, b, nm, false, false, NONE, NONE)
#define NET_ALL(b, nm, all) FEAT(VMMIO_DEVICE_ID_NET, b, nm, false, false, all, NONE)
#define NET_ANY(b, nm, any) FEAT(VMMIO_DEVICE_ID_NET, b, nm, false, false, NONE, any)
#define NET_LEGACY(b, nm) FEAT(VMMIO_DEVICE_ID_NET, b, nm, true, false, NONE, NONE)

#define BLK(b, nm) FEAT(VMMIO_DEVICE_ID_BLK, b, nm, false, false, NONE, NONE)
#define BLK_LEGACY(b, nm) FEAT(VMMIO_DEVICE_ID_BLK, b, nm, true, false, NONE, NONE)

/* virtio-blk bits that vmmio_features.h does not name (no user in the code). */
#define BLK_F_BARRIER 0 /* legacy */
#define BLK_F_SCSI 7 /* legacy */
#define BLK_F_LIFETIME 15
#define BLK_F_SECURE_ERASE 16
#define BLK_F_ZONED 17

/* virtio-net legacy bits above 31 that vmmio_features.h does not name. */
#define NET_F_GUEST_RSC4 41
#define NET_F_GUEST_RSC6 42

static const struct vmmio_feature_info feature_table[] = {
	/* "Legacy Interface: Reserved Feature Bits". */
	INDEP_LEGACY(VMMIO_F_NOTIFY_ON_EMPTY, "VIRTIO_F_NOTIFY_ON_EMPTY"),
	INDEP_LEGACY(VMMIO_F_ANY_LAYOUT, "VIRTIO_F_ANY_LAYOUT"),
	/* "Bit 30 is used by qemu's implementation to check for experimental
	 * early versions of virtio ... and SHOULD NOT be negotiated":
	 * vmmio_features_valid() never includes it. */
	INDEP_LEGACY(VMMIO_F_UNUSED_30, "UNUSED"),

	/* "Reserved Feature Bits". */
	INDEP(VMMIO_F_INDIRECT_DESC, "VIRTIO_F_INDIRECT_DESC"),
	INDEP(VMMIO_F_EVENT_IDX, "VIRTIO_F_EVENT_IDX"),
	INDEP(VMMIO_F_VERSION_1, "VIRTIO_F_VERSION_1"),
	INDEP(VMMIO_F_ACCESS_PLATFORM, "VIRTIO_F_ACCESS_PLATFORM"),
	INDEP(VMMIO_F_RING_PACKED, "VIRTIO_F_RING_PACKED"),
	INDEP(VMMIO_F_IN_ORDER, "VIRTIO_F_IN_ORDER"),
	INDEP(VMMIO_F_ORDER_PLATFORM, "VIRTIO_F_ORDER_PLATFORM"),
	/* "Currently only PCI devices support this feature"; "A driver MUST
	 * NOT negotiate VIRTIO_F_SR_IOV if ... [the device] is not a PCI
	 * device." */
	INDEP_NOT_MMIO(VMMIO_F_SR_IOV, "VIRTIO_F_SR_IOV"),
	INDEP(VMMIO_F_NOTIFICATION_DATA, "VIRTIO_F_NOTIFICATION_DATA"),
	/* The bit means the driver uses device-provided per-queue data in
	 * its notifications; "the definition of the data ... and the
	 * delivery method is transport specific", and only the PCI transport
	 * defines such data. The MMIO register layout has no place for it,
	 * so an MMIO driver cannot honour the bit: never accept it. */
	INDEP_NOT_MMIO(VMMIO_F_NOTIF_CONFIG_DATA, "VIRTIO_F_NOTIF_CONFIG_DATA"),
	INDEP(VMMIO_F_RING_RESET, "VIRTIO_F_RING_RESET"),
	/* "Virtio Over MMIO / Features reserved for future use": "Devices
	 * and drivers utilizing Virtio Over MMIO do not support ...
	 * VIRTIO_F_ADMIN_VQ". */
	INDEP_NOT_MMIO(VMMIO_F_ADMIN_VQ, "VIRTIO_F_ADMIN_VQ"),
	INDEP(VMMIO_F_SUSPEND, "VIRTIO_F_SUSPEND"),

	/* "Network Device / Feature bits". */
	NET(VMMIO_NET_F_CSUM, "VIRTIO_NET_F_CSUM"),
	NET(VMMIO_NET_F_GUEST_CSUM, "VIRTIO_NET_F_GUEST_CSUM"),
	NET(VMMIO_NET_F_CTRL_GUEST_OFFLOADS, "VIRTIO_NET_F_CTRL_GUEST_OFFLOADS"),
	NET(VMMIO_NET_F_MTU, "VIRTIO_NET_F_MTU"),
	NET(VMMIO_NET_F_MAC, "VIRTIO_NET_F_MAC"),
	NET_ALL(VMMIO_NET_F_GUEST_TSO4, "VIRTIO_NET_F_GUEST_TSO4", REQ1(VMMIO_NET_F_GUEST_CSUM)),
	NET_ALL(VMMIO_NET_F_GUEST_TSO6, "VIRTIO_NET_F_GUEST_TSO6", REQ1(VMMIO_NET_F_GUEST_CSUM)),
	NET_ANY(VMMIO_NET_F_GUEST_ECN, "VIRTIO_NET_F_GUEST_ECN",
		REQ2(VMMIO_NET_F_GUEST_TSO4, VMMIO_NET_F_GUEST_TSO6)),
	NET_ALL(VMMIO_NET_F_GUEST_UFO, "VIRTIO_NET_F_GUEST_UFO", REQ1(VMMIO_NET_F_GUEST_CSUM)),
	NET_ALL(VMMIO_NET_F_HOST_TSO4, "VIRTIO_NET_F_HOST_TSO4", REQ1(VMMIO_NET_F_CSUM)),
	NET_ALL(VMMIO_NET_F_HOST_TSO6, "VIRTIO_NET_F_HOST_TSO6", REQ1(VMMIO_NET_F_CSUM)),
	NET_ANY(VMMIO_NET_F_HOST_ECN, "VIRTIO_NET_F_HOST_ECN",
		REQ2(VMMIO_NET_F_HOST_TSO4, VMMIO_NET_F_HOST_TSO6)),
	NET_ALL(VMMIO_NET_F_HOST_UFO, "VIRTIO_NET_F_HOST_UFO", REQ1(VMMIO_NET_F_CSUM)),
	NET(VMMIO_NET_F_MRG_RXBUF, "VIRTIO_NET_F_MRG_RXBUF"),
	NET(VMMIO_NET_F_STATUS, "VIRTIO_NET_F_STATUS"),
	NET(VMMIO_NET_F_CTRL_VQ, "VIRTIO_NET_F_CTRL_VQ"),
	NET_ALL(VMMIO_NET_F_CTRL_RX, "VIRTIO_NET_F_CTRL_RX", REQ1(VMMIO_NET_F_CTRL_VQ)),
	NET_ALL(VMMIO_NET_F_CTRL_VLAN, "VIRTIO_NET_F_CTRL_VLAN", REQ1(VMMIO_NET_F_CTRL_VQ)),
	NET(VMMIO_NET_F_CTRL_RX_EXTRA, "VIRTIO_NET_F_CTRL_RX_EXTRA"),
	NET_ALL(VMMIO_NET_F_GUEST_ANNOUNCE, "VIRTIO_NET_F_GUEST_ANNOUNCE",
		REQ1(VMMIO_NET_F_CTRL_VQ)),
	NET_ALL(VMMIO_NET_F_MQ, "VIRTIO_NET_F_MQ", REQ1(VMMIO_NET_F_CTRL_VQ)),
	NET_ALL(VMMIO_NET_F_CTRL_MAC_ADDR, "VIRTIO_NET_F_CTRL_MAC_ADDR",
		REQ1(VMMIO_NET_F_CTRL_VQ)),
	NET(VMMIO_NET_F_DEVICE_STATS, "VIRTIO_NET_F_DEVICE_STATS"),
	/* "Requires VIRTIO_NET_F_CTRL_VQ along with VIRTIO_NET_F_RSS or
	 * VIRTIO_NET_F_HASH_REPORT." */
	FEAT(VMMIO_DEVICE_ID_NET, VMMIO_NET_F_HASH_TUNNEL, "VIRTIO_NET_F_HASH_TUNNEL", false,
	     false, REQ1(VMMIO_NET_F_CTRL_VQ), REQ2(VMMIO_NET_F_RSS, VMMIO_NET_F_HASH_REPORT)),
	NET_ALL(VMMIO_NET_F_VQ_NOTF_COAL, "VIRTIO_NET_F_VQ_NOTF_COAL", REQ1(VMMIO_NET_F_CTRL_VQ)),
	NET_ALL(VMMIO_NET_F_NOTF_COAL, "VIRTIO_NET_F_NOTF_COAL", REQ1(VMMIO_NET_F_CTRL_VQ)),
	NET_ALL(VMMIO_NET_F_GUEST_USO4, "VIRTIO_NET_F_GUEST_USO4", REQ1(VMMIO_NET_F_GUEST_CSUM)),
	NET_ALL(VMMIO_NET_F_GUEST_USO6, "VIRTIO_NET_F_GUEST_USO6", REQ1(VMMIO_NET_F_GUEST_CSUM)),
	NET_ALL(VMMIO_NET_F_HOST_USO, "VIRTIO_NET_F_HOST_USO", REQ1(VMMIO_NET_F_CSUM)),
	NET(VMMIO_NET_F_HASH_REPORT, "VIRTIO_NET_F_HASH_REPORT"),
	NET(VMMIO_NET_F_GUEST_HDRLEN, "VIRTIO_NET_F_GUEST_HDRLEN"),
	NET_ALL(VMMIO_NET_F_RSS, "VIRTIO_NET_F_RSS", REQ1(VMMIO_NET_F_CTRL_VQ)),
	NET_ANY(VMMIO_NET_F_RSC_EXT, "VIRTIO_NET_F_RSC_EXT",
		REQ2(VMMIO_NET_F_HOST_TSO4, VMMIO_NET_F_HOST_TSO6)),
	NET(VMMIO_NET_F_STANDBY, "VIRTIO_NET_F_STANDBY"),
	NET(VMMIO_NET_F_SPEED_DUPLEX, "VIRTIO_NET_F_SPEED_DUPLEX"),
	NET_ALL(VMMIO_NET_F_RSS_CONTEXT, "VIRTIO_NET_F_RSS_CONTEXT",
		REQ2(VMMIO_NET_F_CTRL_VQ, VMMIO_NET_F_RSS)),
	NET_ALL(VMMIO_NET_F_GUEST_UDP_TUNNEL_GSO, "VIRTIO_NET_F_GUEST_UDP_TUNNEL_GSO",
		REQ4(VMMIO_NET_F_GUEST_TSO4, VMMIO_NET_F_GUEST_TSO6, VMMIO_NET_F_GUEST_USO4,
		     VMMIO_NET_F_GUEST_USO6)),
	NET_ALL(VMMIO_NET_F_GUEST_UDP_TUNNEL_GSO_CSUM, "VIRTIO_NET_F_GUEST_UDP_TUNNEL_GSO_CSUM",
		REQ1(VMMIO_NET_F_GUEST_UDP_TUNNEL_GSO)),
	FEAT(VMMIO_DEVICE_ID_NET, VMMIO_NET_F_HOST_UDP_TUNNEL_GSO,
	     "VIRTIO_NET_F_HOST_UDP_TUNNEL_GSO", false, false,
	     REQ3(VMMIO_NET_F_HOST_TSO4, VMMIO_NET_F_HOST_TSO6, VMMIO_NET_F_HOST_USO), NONE),
	NET_ALL(VMMIO_NET_F_HOST_UDP_TUNNEL_GSO_CSUM, "VIRTIO_NET_F_HOST_UDP_TUNNEL_GSO_CSUM",
		REQ1(VMMIO_NET_F_HOST_UDP_TUNNEL_GSO)),
	NET(VMMIO_NET_F_OUT_NET_HEADER, "VIRTIO_NET_F_OUT_NET_HEADER"),
	/* "it SHOULD also offer the VIRTIO_NET_F_OUT_NET_HEADER feature" is
	 * advice to the device, not a requirement between accepted bits. */
	NET(VMMIO_NET_F_IPSEC, "VIRTIO_NET_F_IPSEC"),

	/* "Network Device / Feature bits / Legacy Interface: Feature bits". */
	NET_LEGACY(VMMIO_NET_F_GSO, "VIRTIO_NET_F_GSO"),
	NET_LEGACY(NET_F_GUEST_RSC4, "VIRTIO_NET_F_GUEST_RSC4"),
	NET_LEGACY(NET_F_GUEST_RSC6, "VIRTIO_NET_F_GUEST_RSC6"),

	/* "Block Device / Feature bits". */
	BLK(VMMIO_BLK_F_SIZE_MAX, "VIRTIO_BLK_F_SIZE_MAX"),
	BLK(VMMIO_BLK_F_SEG_MAX, "VIRTIO_BLK_F_SEG_MAX"),
	BLK(VMMIO_BLK_F_GEOMETRY, "VIRTIO_BLK_F_GEOMETRY"),
	BLK(VMMIO_BLK_F_RO, "VIRTIO_BLK_F_RO"),
	BLK(VMMIO_BLK_F_BLK_SIZE, "VIRTIO_BLK_F_BLK_SIZE"),
	BLK(VMMIO_BLK_F_FLUSH, "VIRTIO_BLK_F_FLUSH"),
	BLK(VMMIO_BLK_F_TOPOLOGY, "VIRTIO_BLK_F_TOPOLOGY"),
	BLK(VMMIO_BLK_F_CONFIG_WCE, "VIRTIO_BLK_F_CONFIG_WCE"),
	BLK(VMMIO_BLK_F_MQ, "VIRTIO_BLK_F_MQ"),
	BLK(VMMIO_BLK_F_DISCARD, "VIRTIO_BLK_F_DISCARD"),
	BLK(VMMIO_BLK_F_WRITE_ZEROES, "VIRTIO_BLK_F_WRITE_ZEROES"),
	BLK(BLK_F_LIFETIME, "VIRTIO_BLK_F_LIFETIME"),
	BLK(BLK_F_SECURE_ERASE, "VIRTIO_BLK_F_SECURE_ERASE"),
	BLK(BLK_F_ZONED, "VIRTIO_BLK_F_ZONED"),

	/* "Block Device / Feature bits / Legacy Interface: Feature bits". */
	BLK_LEGACY(BLK_F_BARRIER, "VIRTIO_BLK_F_BARRIER"),
	BLK_LEGACY(BLK_F_SCSI, "VIRTIO_BLK_F_SCSI"),
};

const struct vmmio_feature_info *vmmio_feature_table(size_t *n)
{
	*n = sizeof(feature_table) / sizeof(feature_table[0]);
	return feature_table;
}

/*
 * Two entries can share a bit: the spec allocates 41 and 42 to the device
 * type ("0 to 23, 41, 42 and 50 to 127 ... for the specific device type")
 * and net uses them for its legacy-only GUEST_RSC4/6, while "Reserved
 * Feature Bits" also defines VIRTIO_F_ADMIN_VQ (41). A legacy-only bit
 * above 31 can never reach an MMIO driver (the legacy interface has one
 * 32-bit feature word), so an entry that is not legacy-only wins: bit 41
 * of a net device is named VIRTIO_F_ADMIN_VQ. Neither is ever valid.
 */
const struct vmmio_feature_info *vmmio_feature_info(uint32_t device_id, unsigned bit)
{
	const struct vmmio_feature_info *legacy = NULL;

	for (size_t i = 0; i < sizeof(feature_table) / sizeof(feature_table[0]); i++) {
		const struct vmmio_feature_info *e = &feature_table[i];

		if (e->bit != bit || (e->device_id != 0 && e->device_id != device_id))
			continue;
		if (!e->legacy_only)
			return e;
		if (!legacy)
			legacy = e;
	}
	return legacy;
}
