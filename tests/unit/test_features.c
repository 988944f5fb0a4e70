/* SPDX-License-Identifier: BSD-3-Clause */
/* The feature table and what it implies: names, valid sets per device type
 * and MMIO version, the requirement checks, formatting. */
#include <string.h>

#include "tap.h"
#include "vmmio_features.h"

#define NET VMMIO_DEVICE_ID_NET
#define BLK VMMIO_DEVICE_ID_BLK

static struct vmmio_features set_of(const unsigned *bits, size_t n)
{
	struct vmmio_features f = { { 0 } };

	for (size_t i = 0; i < n; i++)
		vmmio_feat_set(&f, bits[i]);
	return f;
}

#define SET(...) set_of((const unsigned[]){ __VA_ARGS__ }, \
			sizeof((const unsigned[]){ __VA_ARGS__ }) / sizeof(unsigned))

static void t_names_follow_the_spec(void)
{
	CHECK(strcmp(vmmio_feature_name(NET, VMMIO_NET_F_MAC), "VIRTIO_NET_F_MAC") == 0);
	CHECK(strcmp(vmmio_feature_name(NET, VMMIO_F_EVENT_IDX), "VIRTIO_F_EVENT_IDX") == 0);
	CHECK(strcmp(vmmio_feature_name(BLK, VMMIO_F_EVENT_IDX), "VIRTIO_F_EVENT_IDX") == 0);
	CHECK(strcmp(vmmio_feature_name(NET, 63), "VIRTIO_NET_F_SPEED_DUPLEX") == 0);
	CHECK(strcmp(vmmio_feature_name(NET, 70), "VIRTIO_NET_F_IPSEC") == 0);
	CHECK(strcmp(vmmio_feature_name(BLK, 17), "VIRTIO_BLK_F_ZONED") == 0);
	CHECK(strcmp(vmmio_feature_name(NET, 30), "UNUSED") == 0);
	/* The same bit means different things per device type. */
	CHECK(strcmp(vmmio_feature_name(NET, 5), "VIRTIO_NET_F_MAC") == 0);
	CHECK(strcmp(vmmio_feature_name(BLK, 5), "VIRTIO_BLK_F_RO") == 0);
	/* Legacy names. */
	CHECK(strcmp(vmmio_feature_name(NET, 6), "VIRTIO_NET_F_GSO") == 0);
	CHECK(strcmp(vmmio_feature_name(NET, 42), "VIRTIO_NET_F_GUEST_RSC6") == 0);
	CHECK(strcmp(vmmio_feature_name(BLK, 0), "VIRTIO_BLK_F_BARRIER") == 0);
	CHECK(strcmp(vmmio_feature_name(BLK, 7), "VIRTIO_BLK_F_SCSI") == 0);
	CHECK(strcmp(vmmio_feature_name(BLK, 24), "VIRTIO_F_NOTIFY_ON_EMPTY") == 0);
	/* Bit 41 is both net's legacy GUEST_RSC4 and ADMIN_VQ: the one that
	 * can reach an MMIO driver (not legacy-only above 31) wins. */
	CHECK(strcmp(vmmio_feature_name(NET, 41), "VIRTIO_F_ADMIN_VQ") == 0);
	CHECK(strcmp(vmmio_feature_name(BLK, 41), "VIRTIO_F_ADMIN_VQ") == 0);
}

static void t_unknown_bits_are_numbered(void)
{
	CHECK(strcmp(vmmio_feature_name(NET, 45), "bit 45") == 0);
	CHECK(strcmp(vmmio_feature_name(NET, 127), "bit 127") == 0);
	CHECK(strcmp(vmmio_feature_name(BLK, 3), "bit 3") == 0);
	CHECK(strcmp(vmmio_feature_name(NET, 4000000000u), "bit 4000000000") == 0);
	/* Unknown device type: only the device-independent bits have names. */
	CHECK(strcmp(vmmio_feature_name(99, 5), "bit 5") == 0);
	CHECK(strcmp(vmmio_feature_name(0, 5), "bit 5") == 0);
	CHECK(strcmp(vmmio_feature_name(99, 32), "VIRTIO_F_VERSION_1") == 0);
	CHECK(vmmio_feature_info(NET, 45) == NULL);
	CHECK(vmmio_feature_info(99, VMMIO_NET_F_MAC) == NULL);
}

static void t_metadata_flags(void)
{
	static const struct {
		uint32_t dev;
		unsigned bit;
		bool legacy_only, not_on_mmio;
	} cases[] = {
		{ NET, VMMIO_F_NOTIFY_ON_EMPTY, true, false },
		{ NET, VMMIO_F_ANY_LAYOUT, true, false },
		{ NET, VMMIO_F_UNUSED_30, true, false },
		{ NET, VMMIO_F_VERSION_1, false, false },
		{ NET, VMMIO_F_SR_IOV, false, true },
		{ NET, VMMIO_F_NOTIF_CONFIG_DATA, false, true },
		{ BLK, VMMIO_F_ADMIN_VQ, false, true },
		{ NET, VMMIO_F_SUSPEND, false, false },
		{ NET, VMMIO_F_RING_RESET, false, false },
		{ NET, VMMIO_NET_F_GSO, true, false },
		{ NET, 42, true, false },
		{ BLK, 0, true, false },
		{ BLK, 7, true, false },
		{ BLK, VMMIO_BLK_F_FLUSH, false, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct vmmio_feature_info *e = vmmio_feature_info(cases[i].dev, cases[i].bit);

		CHECK(e != NULL);
		if (!e)
			continue;
		CHECK_EQ(e->bit, cases[i].bit);
		CHECK_EQ(e->legacy_only, cases[i].legacy_only);
		CHECK_EQ(e->not_on_mmio, cases[i].not_on_mmio);
		CHECK(e->device_id == 0 || e->device_id == cases[i].dev);
	}
}

/* Every requirement names a bit defined for the same device type, and no
 * two bits of a device type share a name. */
static void t_table_is_consistent(void)
{
	const uint32_t devs[] = { NET, BLK };

	for (size_t d = 0; d < 2; d++) {
		for (unsigned b = 0; b < VMMIO_FEATURE_BITS; b++) {
			const struct vmmio_feature_info *e = vmmio_feature_info(devs[d], b);

			if (!e)
				continue;
			CHECK_EQ(e->bit, b);
			CHECK(strncmp(e->name, "VIRTIO_", 7) == 0 || strcmp(e->name, "UNUSED") == 0);
			for (unsigned i = 0; i < VMMIO_FEATURE_MAX_REQ; i++) {
				if (e->requires_all[i] >= 0)
					CHECK(vmmio_feature_info(devs[d], (unsigned)e->requires_all[i]));
				if (e->requires_any[i] >= 0)
					CHECK(vmmio_feature_info(devs[d], (unsigned)e->requires_any[i]));
			}
			for (unsigned o = b + 1; o < VMMIO_FEATURE_BITS; o++) {
				const struct vmmio_feature_info *x = vmmio_feature_info(devs[d], o);

				CHECK(!x || strcmp(x->name, e->name) != 0);
			}
		}
	}
}

static void t_valid_modern_net(void)
{
	struct vmmio_features v;

	vmmio_features_valid(NET, 2, &v);
	CHECK(vmmio_feat_has(&v, VMMIO_F_VERSION_1));
	CHECK(vmmio_feat_has(&v, VMMIO_F_EVENT_IDX));
	CHECK(vmmio_feat_has(&v, VMMIO_F_RING_PACKED));
	CHECK(vmmio_feat_has(&v, VMMIO_F_ACCESS_PLATFORM));
	CHECK(vmmio_feat_has(&v, VMMIO_F_ORDER_PLATFORM));
	CHECK(vmmio_feat_has(&v, VMMIO_F_NOTIFICATION_DATA));
	CHECK(vmmio_feat_has(&v, VMMIO_F_RING_RESET));
	CHECK(vmmio_feat_has(&v, VMMIO_F_SUSPEND));
	CHECK(vmmio_feat_has(&v, VMMIO_NET_F_MAC));
	CHECK(vmmio_feat_has(&v, VMMIO_NET_F_SPEED_DUPLEX));
	CHECK(vmmio_feat_has(&v, VMMIO_NET_F_IPSEC));
	/* Legacy-only, transport-forbidden, reserved. */
	CHECK(!vmmio_feat_has(&v, VMMIO_F_ANY_LAYOUT));
	CHECK(!vmmio_feat_has(&v, VMMIO_F_NOTIFY_ON_EMPTY));
	CHECK(!vmmio_feat_has(&v, VMMIO_F_UNUSED_30));
	CHECK(!vmmio_feat_has(&v, VMMIO_NET_F_GSO));
	CHECK(!vmmio_feat_has(&v, 41));
	CHECK(!vmmio_feat_has(&v, 42));
	CHECK(!vmmio_feat_has(&v, VMMIO_F_SR_IOV));
	CHECK(!vmmio_feat_has(&v, VMMIO_F_ADMIN_VQ));
	CHECK(!vmmio_feat_has(&v, VMMIO_F_NOTIF_CONFIG_DATA));
	CHECK(!vmmio_feat_has(&v, 4));
	for (unsigned b = 44; b <= 49; b++)
		CHECK(!vmmio_feat_has(&v, b));
	CHECK(!vmmio_feat_has(&v, 58));
	CHECK(!vmmio_feat_has(&v, 71));
	CHECK_EQ(v.w[3], 0);
}

static void t_valid_legacy_net(void)
{
	struct vmmio_features v;

	vmmio_features_valid(NET, 1, &v);
	/* One 32-bit feature word on the legacy interface. */
	CHECK_EQ(v.w[1], 0);
	CHECK_EQ(v.w[2], 0);
	CHECK_EQ(v.w[3], 0);
	CHECK(!vmmio_feat_has(&v, VMMIO_F_VERSION_1));
	CHECK(vmmio_feat_has(&v, VMMIO_F_ANY_LAYOUT));
	CHECK(vmmio_feat_has(&v, VMMIO_F_NOTIFY_ON_EMPTY));
	CHECK(vmmio_feat_has(&v, VMMIO_F_INDIRECT_DESC));
	CHECK(vmmio_feat_has(&v, VMMIO_F_EVENT_IDX));
	CHECK(vmmio_feat_has(&v, VMMIO_NET_F_GSO));
	CHECK(vmmio_feat_has(&v, VMMIO_NET_F_MAC));
	CHECK(vmmio_feat_has(&v, VMMIO_NET_F_CTRL_MAC_ADDR));
	/* "SHOULD NOT be negotiated", even on the legacy interface. */
	CHECK(!vmmio_feat_has(&v, VMMIO_F_UNUSED_30));
	CHECK(!vmmio_feat_has(&v, 4));
}

static void t_valid_blk_and_unknown(void)
{
	struct vmmio_features v;

	vmmio_features_valid(BLK, 2, &v);
	CHECK(vmmio_feat_has(&v, VMMIO_BLK_F_RO));
	CHECK(vmmio_feat_has(&v, VMMIO_BLK_F_FLUSH));
	CHECK(vmmio_feat_has(&v, 17)); /* ZONED */
	CHECK(!vmmio_feat_has(&v, 0)); /* BARRIER: legacy */
	CHECK(!vmmio_feat_has(&v, 7)); /* SCSI: legacy */
	CHECK(!vmmio_feat_has(&v, 3));
	CHECK(!vmmio_feat_has(&v, VMMIO_NET_F_SPEED_DUPLEX));
	CHECK(vmmio_feat_has(&v, VMMIO_F_VERSION_1));

	vmmio_features_valid(BLK, 1, &v);
	CHECK(vmmio_feat_has(&v, 0));
	CHECK(vmmio_feat_has(&v, 7));
	CHECK(vmmio_feat_has(&v, VMMIO_F_ANY_LAYOUT));

	/* An unknown device type: device-independent bits only. */
	vmmio_features_valid(99, 2, &v);
	CHECK_EQ(v.w[0], (1u << VMMIO_F_INDIRECT_DESC) | (1u << VMMIO_F_EVENT_IDX));
	CHECK(vmmio_feat_has(&v, VMMIO_F_VERSION_1));
	CHECK(vmmio_feat_has(&v, VMMIO_F_SUSPEND));
	CHECK(!vmmio_feat_has(&v, VMMIO_F_ADMIN_VQ));
	CHECK_EQ(v.w[2], 0);
	vmmio_features_valid(99, 1, &v);
	CHECK_EQ(v.w[0], (1u << VMMIO_F_NOTIFY_ON_EMPTY) | (1u << VMMIO_F_ANY_LAYOUT) |
				 (1u << VMMIO_F_INDIRECT_DESC) | (1u << VMMIO_F_EVENT_IDX));
	CHECK_EQ(v.w[1], 0);
}

static void t_deps_all(void)
{
	struct vmmio_features f;
	unsigned bit = 999;

	f = SET(VMMIO_NET_F_GUEST_TSO4);
	CHECK(!vmmio_features_deps_ok(NET, &f, &bit));
	CHECK_EQ(bit, VMMIO_NET_F_GUEST_TSO4);
	f = SET(VMMIO_NET_F_GUEST_CSUM, VMMIO_NET_F_GUEST_TSO4);
	CHECK(vmmio_features_deps_ok(NET, &f, NULL));
	/* RSS_CONTEXT needs both CTRL_VQ and RSS. */
	f = SET(VMMIO_NET_F_CTRL_VQ, VMMIO_NET_F_RSS_CONTEXT);
	CHECK(!vmmio_features_deps_ok(NET, &f, &bit));
	CHECK_EQ(bit, VMMIO_NET_F_RSS_CONTEXT);
	f = SET(VMMIO_NET_F_CTRL_VQ, VMMIO_NET_F_RSS, VMMIO_NET_F_RSS_CONTEXT);
	CHECK(vmmio_features_deps_ok(NET, &f, &bit));
	/* GUEST_UDP_TUNNEL_GSO needs four bits; three are not enough. */
	f = SET(VMMIO_NET_F_GUEST_CSUM, VMMIO_NET_F_GUEST_TSO4, VMMIO_NET_F_GUEST_TSO6,
		VMMIO_NET_F_GUEST_USO4, VMMIO_NET_F_GUEST_UDP_TUNNEL_GSO);
	CHECK(!vmmio_features_deps_ok(NET, &f, &bit));
	CHECK_EQ(bit, VMMIO_NET_F_GUEST_UDP_TUNNEL_GSO);
	vmmio_feat_set(&f, VMMIO_NET_F_GUEST_USO6);
	CHECK(vmmio_features_deps_ok(NET, &f, &bit));
	/* Requirements belong to the device type: bit 7 of blk is SCSI. */
	f = SET(7);
	CHECK(vmmio_features_deps_ok(BLK, &f, NULL));
	CHECK(!vmmio_features_deps_ok(NET, &f, NULL));
	f = (struct vmmio_features){ { 0 } };
	CHECK(vmmio_features_deps_ok(NET, &f, NULL));
}

static void t_deps_any(void)
{
	struct vmmio_features f;
	unsigned bit = 999;

	/* GUEST_ECN: GUEST_TSO4 or GUEST_TSO6. */
	f = SET(VMMIO_NET_F_GUEST_CSUM, VMMIO_NET_F_GUEST_ECN);
	CHECK(!vmmio_features_deps_ok(NET, &f, &bit));
	CHECK_EQ(bit, VMMIO_NET_F_GUEST_ECN);
	f = SET(VMMIO_NET_F_GUEST_CSUM, VMMIO_NET_F_GUEST_TSO6, VMMIO_NET_F_GUEST_ECN);
	CHECK(vmmio_features_deps_ok(NET, &f, NULL));
	f = SET(VMMIO_NET_F_GUEST_CSUM, VMMIO_NET_F_GUEST_TSO4, VMMIO_NET_F_GUEST_ECN);
	CHECK(vmmio_features_deps_ok(NET, &f, NULL));
	/* RSC_EXT: HOST_TSO4 or HOST_TSO6. */
	f = SET(VMMIO_NET_F_CSUM, VMMIO_NET_F_HOST_TSO6, VMMIO_NET_F_RSC_EXT);
	CHECK(vmmio_features_deps_ok(NET, &f, NULL));
	f = SET(VMMIO_NET_F_CSUM, VMMIO_NET_F_RSC_EXT);
	CHECK(!vmmio_features_deps_ok(NET, &f, &bit));
	CHECK_EQ(bit, VMMIO_NET_F_RSC_EXT);
	/* HASH_TUNNEL: CTRL_VQ and (RSS or HASH_REPORT). */
	f = SET(VMMIO_NET_F_CTRL_VQ, VMMIO_NET_F_HASH_TUNNEL);
	CHECK(!vmmio_features_deps_ok(NET, &f, &bit));
	CHECK_EQ(bit, VMMIO_NET_F_HASH_TUNNEL);
	f = SET(VMMIO_NET_F_CTRL_VQ, VMMIO_NET_F_HASH_REPORT, VMMIO_NET_F_HASH_TUNNEL);
	CHECK(vmmio_features_deps_ok(NET, &f, NULL));
	f = SET(VMMIO_NET_F_HASH_REPORT, VMMIO_NET_F_HASH_TUNNEL);
	CHECK(!vmmio_features_deps_ok(NET, &f, &bit));
	CHECK_EQ(bit, VMMIO_NET_F_HASH_TUNNEL);
}

static void t_drop_unmet_chains(void)
{
	struct vmmio_features f, want;

	/* Without GUEST_CSUM the whole receive-offload tree goes, through
	 * TSO4/6 and USO4/6 to UDP_TUNNEL_GSO and its _CSUM, and to ECN. */
	f = SET(VMMIO_NET_F_MAC, VMMIO_NET_F_GUEST_TSO4, VMMIO_NET_F_GUEST_TSO6,
		VMMIO_NET_F_GUEST_ECN, VMMIO_NET_F_GUEST_USO4, VMMIO_NET_F_GUEST_USO6,
		VMMIO_NET_F_GUEST_UDP_TUNNEL_GSO, VMMIO_NET_F_GUEST_UDP_TUNNEL_GSO_CSUM);
	vmmio_features_drop_unmet(NET, &f);
	want = SET(VMMIO_NET_F_MAC);
	CHECK(vmmio_feat_equal(&f, &want));

	/* With it, nothing goes. */
	f = SET(VMMIO_NET_F_GUEST_CSUM, VMMIO_NET_F_GUEST_TSO4, VMMIO_NET_F_GUEST_TSO6,
		VMMIO_NET_F_GUEST_ECN, VMMIO_NET_F_GUEST_USO4, VMMIO_NET_F_GUEST_USO6,
		VMMIO_NET_F_GUEST_UDP_TUNNEL_GSO, VMMIO_NET_F_GUEST_UDP_TUNNEL_GSO_CSUM);
	want = f;
	vmmio_features_drop_unmet(NET, &f);
	CHECK(vmmio_feat_equal(&f, &want));

	/* One missing link in the middle: only what hangs on it goes. */
	vmmio_feat_clear(&f, VMMIO_NET_F_GUEST_USO6);
	vmmio_features_drop_unmet(NET, &f);
	want = SET(VMMIO_NET_F_GUEST_CSUM, VMMIO_NET_F_GUEST_TSO4, VMMIO_NET_F_GUEST_TSO6,
		   VMMIO_NET_F_GUEST_ECN, VMMIO_NET_F_GUEST_USO4);
	CHECK(vmmio_feat_equal(&f, &want));

	/* CTRL_VQ gone: everything of the control queue goes, including the
	 * bits that need it through RSS (HASH_TUNNEL, RSS_CONTEXT). */
	f = SET(VMMIO_NET_F_STATUS, VMMIO_NET_F_CTRL_RX, VMMIO_NET_F_MQ, VMMIO_NET_F_RSS,
		VMMIO_NET_F_RSS_CONTEXT, VMMIO_NET_F_HASH_TUNNEL, VMMIO_NET_F_HASH_REPORT);
	vmmio_features_drop_unmet(NET, &f);
	want = SET(VMMIO_NET_F_STATUS, VMMIO_NET_F_HASH_REPORT);
	CHECK(vmmio_feat_equal(&f, &want));
	CHECK(vmmio_features_deps_ok(NET, &f, NULL));

	/* Host side: CSUM gone takes TSO, USO, ECN, RSC_EXT and the tunnel bits. */
	f = SET(VMMIO_NET_F_HOST_TSO4, VMMIO_NET_F_HOST_TSO6, VMMIO_NET_F_HOST_ECN,
		VMMIO_NET_F_HOST_USO, VMMIO_NET_F_RSC_EXT, VMMIO_NET_F_HOST_UDP_TUNNEL_GSO,
		VMMIO_NET_F_HOST_UDP_TUNNEL_GSO_CSUM, VMMIO_F_VERSION_1);
	vmmio_features_drop_unmet(NET, &f);
	want = SET(VMMIO_F_VERSION_1);
	CHECK(vmmio_feat_equal(&f, &want));
}

static void t_format(void)
{
	struct vmmio_features f = SET(VMMIO_NET_F_MAC, VMMIO_F_VERSION_1, 45);
	const char *full = "VIRTIO_NET_F_MAC, VIRTIO_F_VERSION_1, bit 45";
	char buf[128];
	size_t n;

	n = vmmio_features_format(NET, &f, ", ", buf, sizeof(buf));
	CHECK(strcmp(buf, full) == 0);
	CHECK_EQ(n, strlen(full));

	/* Exactly fits. */
	n = vmmio_features_format(NET, &f, ", ", buf, strlen(full) + 1);
	CHECK(strcmp(buf, full) == 0);
	CHECK_EQ(n, strlen(full));

	/* One byte short: truncated, ends in "...", still the full length. */
	memset(buf, 'x', sizeof(buf));
	n = vmmio_features_format(NET, &f, ", ", buf, strlen(full));
	CHECK_EQ(n, strlen(full));
	CHECK_EQ(strlen(buf), strlen(full) - 1);
	CHECK(strcmp(buf + strlen(buf) - 3, "...") == 0);
	CHECK(strncmp(buf, full, strlen(full) - 4) == 0);

	memset(buf, 'x', sizeof(buf));
	n = vmmio_features_format(NET, &f, " ", buf, 10);
	CHECK(strcmp(buf, "VIRTIO...") == 0);
	CHECK(buf[10] == 'x'); /* nothing written past len */

	n = vmmio_features_format(NET, &f, ",", buf, 3);
	CHECK(strcmp(buf, "..") == 0);
	n = vmmio_features_format(NET, &f, ",", buf, 1);
	CHECK(strcmp(buf, "") == 0);
	buf[0] = 'x';
	n = vmmio_features_format(NET, &f, ",", buf, 0);
	CHECK(buf[0] == 'x');
	CHECK_EQ(n, strlen("VIRTIO_NET_F_MAC,VIRTIO_F_VERSION_1,bit 45"));

	f = (struct vmmio_features){ { 0 } };
	n = vmmio_features_format(NET, &f, ",", buf, sizeof(buf));
	CHECK_EQ(n, 0);
	CHECK(strcmp(buf, "") == 0);
}

int main(void)
{
	TAP_RUN(t_names_follow_the_spec);
	TAP_RUN(t_unknown_bits_are_numbered);
	TAP_RUN(t_metadata_flags);
	TAP_RUN(t_table_is_consistent);
	TAP_RUN(t_valid_modern_net);
	TAP_RUN(t_valid_legacy_net);
	TAP_RUN(t_valid_blk_and_unknown);
	TAP_RUN(t_deps_all);
	TAP_RUN(t_deps_any);
	TAP_RUN(t_drop_unmet_chains);
	TAP_RUN(t_format);
	return tap_end();
}
