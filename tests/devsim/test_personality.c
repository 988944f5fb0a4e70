/* SPDX-License-Identifier: BSD-3-Clause */
/* devsim's default personalities, as devsim.h describes them, and config checks. */
#include "sim.h"

static const struct devsim_cfg_field *field(const struct devsim_config *c, const char *name)
{
	for (unsigned i = 0; i < c->n_fields; i++)
		if (strcmp(c->fields[i].name, name) == 0)
			return &c->fields[i];
	return NULL;
}

/* A field at @off of @size (and @count) that exists with @feature. */
static void check_field(const struct devsim_config *c, const char *name, unsigned off,
			unsigned size, unsigned count, int feature)
{
	const struct devsim_cfg_field *f = field(c, name);

	CHECK(f != NULL);
	if (!f) {
		printf("# no field %s\n", name);
		return;
	}
	CHECK_EQ(f->off, off);
	CHECK_EQ(f->size, size);
	CHECK_EQ(f->count, count);
	CHECK_EQ(f->feature, feature);
}

static void t_net_modern(void)
{
	static const unsigned bits[] = {
		VMMIO_F_VERSION_1,	   VMMIO_NET_F_MAC,	       VMMIO_NET_F_STATUS,
		VMMIO_NET_F_MTU,	   VMMIO_NET_F_MRG_RXBUF,      VMMIO_NET_F_CSUM,
		VMMIO_NET_F_GUEST_CSUM,	   VMMIO_NET_F_CTRL_VQ,	       VMMIO_NET_F_MQ,
		VMMIO_NET_F_CTRL_RX,	   VMMIO_NET_F_CTRL_MAC_ADDR,  VMMIO_NET_F_HOST_TSO4,
		VMMIO_NET_F_HOST_TSO6,	   VMMIO_NET_F_GUEST_TSO4,     VMMIO_NET_F_GUEST_TSO6,
		VMMIO_NET_F_SPEED_DUPLEX,  VMMIO_F_INDIRECT_DESC,      VMMIO_F_EVENT_IDX,
		VMMIO_F_RING_PACKED,	   VMMIO_F_IN_ORDER,	       VMMIO_F_NOTIFICATION_DATA,
		VMMIO_F_RING_RESET,
	};
	struct devsim_config c;
	struct vmmio_features want = { { 0 } };

	devsim_config_default(&c, DEVSIM_NET, false);
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		vmmio_feat_set(&want, bits[i]);
	CHECK(vmmio_feat_equal(&c.features, &want));
	CHECK_EQ(c.personality, DEVSIM_NET);
	CHECK_EQ(c.magic, VMMIO_MAGIC_VALUE);
	CHECK_EQ(c.version, 2);
	CHECK_EQ(c.device_id, 1);
	CHECK_EQ(c.vendor_id, 0x554d4551);
	CHECK_EQ(c.num_queues, 3);
	for (unsigned q = 0; q < 3; q++)
		CHECK_EQ(c.queue_num_max[q], 256);
	CHECK_EQ(c.n_shm, 0);
	CHECK(vmmio_feat_empty(&c.refuse));
	CHECK(!c.refuse_all);
	CHECK_EQ(c.config_size, 24);
	CHECK(memcmp(c.config, "\x52\x54\x00\x12\x34\x56", 6) == 0);
	CHECK_EQ(c.config[6] | c.config[7] << 8, 1); /* VIRTIO_NET_S_LINK_UP */
	CHECK_EQ(c.config[8] | c.config[9] << 8, 1); /* one queue pair */
	CHECK_EQ(c.config[10] | c.config[11] << 8, 1500);
	check_field(&c, "mac", 0, 1, 6, -1);
	check_field(&c, "status", 6, 2, 1, VMMIO_NET_F_STATUS);
	check_field(&c, "max_virtqueue_pairs", 8, 2, 1, VMMIO_NET_F_MQ);
	check_field(&c, "mtu", 10, 2, 1, VMMIO_NET_F_MTU);
	check_field(&c, "speed", 12, 4, 1, VMMIO_NET_F_SPEED_DUPLEX);
	check_field(&c, "duplex", 16, 1, 1, VMMIO_NET_F_SPEED_DUPLEX);
	check_field(&c, "rss_max_key_size", 17, 1, 1, VMMIO_NET_F_RSS);
	check_field(&c, "rss_max_indirection_table_length", 18, 2, 1, VMMIO_NET_F_RSS);
	check_field(&c, "supported_hash_types", 20, 4, 1, VMMIO_NET_F_RSS);
	/* "only exists if VIRTIO_NET_F_MQ or VIRTIO_NET_F_RSS is set", and so on. */
	CHECK(field(&c, "max_virtqueue_pairs") &&
	      field(&c, "max_virtqueue_pairs")->feature_alt == VMMIO_NET_F_RSS);
	CHECK(field(&c, "rss_max_key_size") &&
	      field(&c, "rss_max_key_size")->feature_alt == VMMIO_NET_F_HASH_REPORT);
	CHECK(field(&c, "supported_hash_types") &&
	      field(&c, "supported_hash_types")->feature_alt == VMMIO_NET_F_HASH_REPORT);
}

/* Legacy: no bits >= 32 (no VERSION_1), ANY_LAYOUT and NOTIFY_ON_EMPTY instead. */
static void t_net_legacy(void)
{
	struct devsim_config c;

	devsim_config_default(&c, DEVSIM_NET, true);
	CHECK_EQ(c.version, 1);
	for (unsigned w = 1; w < VMMIO_FEATURE_WORDS; w++)
		CHECK_EQ(c.features.w[w], 0);
	CHECK(vmmio_feat_has(&c.features, VMMIO_F_ANY_LAYOUT));
	CHECK(vmmio_feat_has(&c.features, VMMIO_F_NOTIFY_ON_EMPTY));
	CHECK(vmmio_feat_has(&c.features, VMMIO_NET_F_MAC));
	CHECK(vmmio_feat_has(&c.features, VMMIO_F_EVENT_IDX));
	/* the controlq's commands and the offloads, as on Version 2 */
	CHECK(vmmio_feat_has(&c.features, VMMIO_NET_F_CTRL_RX));
	CHECK(vmmio_feat_has(&c.features, VMMIO_NET_F_CTRL_MAC_ADDR));
	CHECK(vmmio_feat_has(&c.features, VMMIO_NET_F_HOST_TSO4));
	CHECK(vmmio_feat_has(&c.features, VMMIO_NET_F_GUEST_TSO6));
	CHECK_EQ(c.num_queues, 3);
}

static void t_blk(void)
{
	struct devsim_config c;

	devsim_config_default(&c, DEVSIM_BLK, false);
	CHECK_EQ(c.device_id, 2);
	CHECK(vmmio_feat_has(&c.features, VMMIO_F_VERSION_1));
	CHECK(vmmio_feat_has(&c.features, VMMIO_BLK_F_BLK_SIZE));
	CHECK_EQ(c.num_queues, 1);
	CHECK_EQ(c.queue_num_max[0], 128);
	CHECK_EQ(c.config[0] | c.config[1] << 8, 2048);
	for (unsigned i = 2; i < 8; i++)
		CHECK_EQ(c.config[i], 0);
	CHECK_EQ(c.config[20] | c.config[21] << 8, 512);
	check_field(&c, "capacity", 0, 8, 1, -1);
	check_field(&c, "size_max", 8, 4, 1, VMMIO_BLK_F_SIZE_MAX);
	check_field(&c, "seg_max", 12, 4, 1, VMMIO_BLK_F_SEG_MAX);
	check_field(&c, "geometry.cylinders", 16, 2, 1, VMMIO_BLK_F_GEOMETRY);
	check_field(&c, "geometry.heads", 18, 1, 1, VMMIO_BLK_F_GEOMETRY);
	check_field(&c, "geometry.sectors", 19, 1, 1, VMMIO_BLK_F_GEOMETRY);
	check_field(&c, "blk_size", 20, 4, 1, VMMIO_BLK_F_BLK_SIZE);
	check_field(&c, "writeback", 32, 1, 1, VMMIO_BLK_F_CONFIG_WCE);
	check_field(&c, "num_queues", 34, 2, 1, VMMIO_BLK_F_MQ);
	CHECK(c.config_size >= 24);

	devsim_config_default(&c, DEVSIM_BLK, true);
	CHECK_EQ(c.version, 1);
	CHECK(!vmmio_feat_has(&c.features, VMMIO_F_VERSION_1));
	CHECK(vmmio_feat_has(&c.features, VMMIO_F_ANY_LAYOUT));
}

/* The default devices offer only bits the spec defines for them on MMIO,
 * with every requirement offered too ("The device MUST NOT offer a
 * feature which requires another feature which was not offered"). */
static void t_offers_are_valid(void)
{
	static const struct {
		enum devsim_personality p;
		bool legacy;
	} cases[] = { { DEVSIM_NET, false }, { DEVSIM_NET, true }, { DEVSIM_BLK, false },
		      { DEVSIM_BLK, true } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct devsim_config c;
		struct vmmio_features valid, extra;
		unsigned bit = 0;

		devsim_config_default(&c, cases[i].p, cases[i].legacy);
		vmmio_features_valid(c.device_id, c.version, &valid);
		vmmio_feat_andnot(&extra, &c.features, &valid);
		CHECK(vmmio_feat_empty(&extra));
		CHECK(vmmio_features_deps_ok(c.device_id, &c.features, &bit));
	}
}

static void t_create_rejects_bad_config(void)
{
	struct devsim_config c;

	devsim_config_default(&c, DEVSIM_NET, false);
	c.num_queues = DEVSIM_MAX_QUEUES + 1;
	CHECK(devsim_create(&c) == NULL);
	devsim_config_default(&c, DEVSIM_NET, false);
	c.config_size = DEVSIM_CONFIG_MAX + 1;
	CHECK(devsim_create(&c) == NULL);
	devsim_config_default(&c, DEVSIM_NET, false);
	c.fields[0].size = 3;
	CHECK(devsim_create(&c) == NULL);
	devsim_config_default(&c, DEVSIM_BLK, false);
	c.n_shm = DEVSIM_MAX_SHM + 1;
	CHECK(devsim_create(&c) == NULL);
	CHECK(devsim_create(NULL) == NULL);
}

int main(void)
{
	TAP_RUN(t_net_modern);
	TAP_RUN(t_net_legacy);
	TAP_RUN(t_blk);
	TAP_RUN(t_offers_are_valid);
	TAP_RUN(t_create_rejects_bad_config);
	return tap_end();
}
