/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Feature bits ("Feature Bits", "Reserved Feature Bits") as a 128-bit set,
 * and the spec's feature metadata: names, which device type or transport a
 * bit belongs to, and which bits a bit requires. Used by the driver's
 * negotiation, by devsim's checker and by the tools that print features.
 */
#ifndef VMMIO_FEATURES_H
#define VMMIO_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmmio_api.h"

#define VMMIO_FEATURE_WORDS 4u /* 128 bits, read through DeviceFeaturesSel 0..3 */
#define VMMIO_FEATURE_BITS (VMMIO_FEATURE_WORDS * 32u)

/* Device IDs ("Device Types") that this project knows. */
#define VMMIO_DEVICE_ID_NET 1u
#define VMMIO_DEVICE_ID_BLK 2u

/* Device-independent bits ("Reserved Feature Bits", legacy ones too). */
#define VMMIO_F_NOTIFY_ON_EMPTY 24 /* legacy only */
#define VMMIO_F_ANY_LAYOUT 27 /* legacy only */
#define VMMIO_F_INDIRECT_DESC 28
#define VMMIO_F_EVENT_IDX 29
#define VMMIO_F_UNUSED_30 30 /* legacy: SHOULD NOT be negotiated */
#define VMMIO_F_VERSION_1 32
#define VMMIO_F_ACCESS_PLATFORM 33
#define VMMIO_F_RING_PACKED 34
#define VMMIO_F_IN_ORDER 35
#define VMMIO_F_ORDER_PLATFORM 36
#define VMMIO_F_SR_IOV 37 /* PCI only */
#define VMMIO_F_NOTIFICATION_DATA 38
#define VMMIO_F_NOTIF_CONFIG_DATA 39
#define VMMIO_F_RING_RESET 40
#define VMMIO_F_ADMIN_VQ 41 /* not supported on MMIO */
#define VMMIO_F_SUSPEND 43

/* virtio-net bits ("Network Device / Feature bits"). */
#define VMMIO_NET_F_CSUM 0
#define VMMIO_NET_F_GUEST_CSUM 1
#define VMMIO_NET_F_CTRL_GUEST_OFFLOADS 2
#define VMMIO_NET_F_MTU 3
#define VMMIO_NET_F_MAC 5
#define VMMIO_NET_F_GSO 6 /* legacy only */
#define VMMIO_NET_F_GUEST_TSO4 7
#define VMMIO_NET_F_GUEST_TSO6 8
#define VMMIO_NET_F_GUEST_ECN 9
#define VMMIO_NET_F_GUEST_UFO 10
#define VMMIO_NET_F_HOST_TSO4 11
#define VMMIO_NET_F_HOST_TSO6 12
#define VMMIO_NET_F_HOST_ECN 13
#define VMMIO_NET_F_HOST_UFO 14
#define VMMIO_NET_F_MRG_RXBUF 15
#define VMMIO_NET_F_STATUS 16
#define VMMIO_NET_F_CTRL_VQ 17
#define VMMIO_NET_F_CTRL_RX 18
#define VMMIO_NET_F_CTRL_VLAN 19
#define VMMIO_NET_F_CTRL_RX_EXTRA 20
#define VMMIO_NET_F_GUEST_ANNOUNCE 21
#define VMMIO_NET_F_MQ 22
#define VMMIO_NET_F_CTRL_MAC_ADDR 23
#define VMMIO_NET_F_DEVICE_STATS 50
#define VMMIO_NET_F_HASH_TUNNEL 51
#define VMMIO_NET_F_VQ_NOTF_COAL 52
#define VMMIO_NET_F_NOTF_COAL 53
#define VMMIO_NET_F_GUEST_USO4 54
#define VMMIO_NET_F_GUEST_USO6 55
#define VMMIO_NET_F_HOST_USO 56
#define VMMIO_NET_F_HASH_REPORT 57
#define VMMIO_NET_F_GUEST_HDRLEN 59
#define VMMIO_NET_F_RSS 60
#define VMMIO_NET_F_RSC_EXT 61
#define VMMIO_NET_F_STANDBY 62
#define VMMIO_NET_F_SPEED_DUPLEX 63
#define VMMIO_NET_F_RSS_CONTEXT 64
#define VMMIO_NET_F_GUEST_UDP_TUNNEL_GSO 65
#define VMMIO_NET_F_GUEST_UDP_TUNNEL_GSO_CSUM 66
#define VMMIO_NET_F_HOST_UDP_TUNNEL_GSO 67
#define VMMIO_NET_F_HOST_UDP_TUNNEL_GSO_CSUM 68
#define VMMIO_NET_F_OUT_NET_HEADER 69
#define VMMIO_NET_F_IPSEC 70

/* virtio-blk bits used by devsim's block personality. */
#define VMMIO_BLK_F_SIZE_MAX 1
#define VMMIO_BLK_F_SEG_MAX 2
#define VMMIO_BLK_F_GEOMETRY 4
#define VMMIO_BLK_F_RO 5
#define VMMIO_BLK_F_BLK_SIZE 6
#define VMMIO_BLK_F_FLUSH 9
#define VMMIO_BLK_F_TOPOLOGY 10
#define VMMIO_BLK_F_CONFIG_WCE 11
#define VMMIO_BLK_F_MQ 12
#define VMMIO_BLK_F_DISCARD 13
#define VMMIO_BLK_F_WRITE_ZEROES 14

struct vmmio_features {
	uint32_t w[VMMIO_FEATURE_WORDS];
};

static inline bool vmmio_feat_has(const struct vmmio_features *f, unsigned bit)
{
	return bit < VMMIO_FEATURE_BITS && (f->w[bit / 32u] >> (bit % 32u)) & 1u;
}

static inline void vmmio_feat_set(struct vmmio_features *f, unsigned bit)
{
	if (bit < VMMIO_FEATURE_BITS)
		f->w[bit / 32u] |= 1u << (bit % 32u);
}

static inline void vmmio_feat_clear(struct vmmio_features *f, unsigned bit)
{
	if (bit < VMMIO_FEATURE_BITS)
		f->w[bit / 32u] &= ~(1u << (bit % 32u));
}

static inline void vmmio_feat_and(struct vmmio_features *dst, const struct vmmio_features *a,
				  const struct vmmio_features *b)
{
	for (unsigned i = 0; i < VMMIO_FEATURE_WORDS; i++)
		dst->w[i] = a->w[i] & b->w[i];
}

/* dst = a & ~b */
static inline void vmmio_feat_andnot(struct vmmio_features *dst, const struct vmmio_features *a,
				     const struct vmmio_features *b)
{
	for (unsigned i = 0; i < VMMIO_FEATURE_WORDS; i++)
		dst->w[i] = a->w[i] & ~b->w[i];
}

static inline bool vmmio_feat_empty(const struct vmmio_features *f)
{
	for (unsigned i = 0; i < VMMIO_FEATURE_WORDS; i++)
		if (f->w[i])
			return false;
	return true;
}

static inline bool vmmio_feat_equal(const struct vmmio_features *a, const struct vmmio_features *b)
{
	for (unsigned i = 0; i < VMMIO_FEATURE_WORDS; i++)
		if (a->w[i] != b->w[i])
			return false;
	return true;
}

/* Feature metadata from the spec. */
#define VMMIO_FEATURE_MAX_REQ 4

struct vmmio_feature_info {
	unsigned bit;
	const char *name; /* "VIRTIO_NET_F_MAC", "VIRTIO_F_EVENT_IDX" */
	uint32_t device_id; /* 0: device-independent (transport/ring) bit */
	bool legacy_only; /* only meaningful on the legacy interface (Version 1) */
	bool not_on_mmio; /* reserved or unsupported on the MMIO transport */
	/* Every bit in requires_all must be accepted too (-1 ends the list). */
	int requires_all[VMMIO_FEATURE_MAX_REQ];
	/* At least one bit in requires_any must be accepted (-1 ends; empty = none). */
	int requires_any[VMMIO_FEATURE_MAX_REQ];
};

/* Metadata of @bit for a device of type @device_id, or NULL if the spec
 * defines no such bit for that device type (unknown, reserved). */
VMMIO_API const struct vmmio_feature_info *vmmio_feature_info(uint32_t device_id, unsigned bit);

/* Name of @bit for @device_id; "bit N" (in a static per-thread buffer) when unknown. */
VMMIO_API const char *vmmio_feature_name(uint32_t device_id, unsigned bit);

/* Write the names of the bits in @f, separated by @sep, into @buf (always
 * NUL-terminated, truncated with "..." when too small). Returns the length
 * that the full text needs, as snprintf does. */
VMMIO_API size_t vmmio_features_format(uint32_t device_id, const struct vmmio_features *f,
				       const char *sep, char *buf, size_t len);

/*
 * The bits a driver may accept for a device of @device_id behind an MMIO
 * transport of @version ("The driver MUST ignore and MUST NOT accept any
 * feature bit that is not described in this specification, marked as
 * reserved, not supported for the specific transport, not defined for the
 * device type"). Legacy-only bits only for version 1; bits >= 32 never for
 * version 1.
 */
VMMIO_API void vmmio_features_valid(uint32_t device_id, uint32_t version,
				    struct vmmio_features *out);

/*
 * Check the spec's requirement table on an accepted set: returns true when
 * every accepted bit has the bits it requires. Otherwise false, with the
 * offending bit in *bit (if non-NULL).
 */
VMMIO_API bool vmmio_features_deps_ok(uint32_t device_id, const struct vmmio_features *f,
				      unsigned *bit);

/*
 * Remove from @f, until stable, every bit whose requirements are not met in
 * @f (so a subset of the offered bits stays self-consistent).
 */
VMMIO_API void vmmio_features_drop_unmet(uint32_t device_id, struct vmmio_features *f);

#endif /* VMMIO_FEATURES_H */
