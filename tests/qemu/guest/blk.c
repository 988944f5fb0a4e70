/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The blk case: read sector 0 of the disk behind a virtio-blk device with
 * one request ("Device Operation" of the block device: a 16-byte header the
 * device reads, the data and a status byte it writes) and compare it byte
 * for byte with the file the host wrote into the image.
 */
#include <stdio.h>
#include <string.h>

#include "guest.h"
#include "vmmio_features.h"

#define BLK_SECTOR 512u
#define BLK_T_IN 0u /* VIRTIO_BLK_T_IN: read */
#define BLK_S_OK 0u
#define BLK_CFG_CAPACITY 0x00 /* le64, in 512-byte sectors */

/* Slot 0 holds the request header at 0, the data at GUEST_HDR_SLOT and the
 * status byte after the data. */
#define OFF_DATA GUEST_HDR_SLOT
#define OFF_STATUS (GUEST_HDR_SLOT + BLK_SECTOR)

static int read_expected(const char *path, uint8_t *buf)
{
	FILE *f = fopen(path, "rb");
	size_t got;

	if (!f)
		return guest_fail("--expect %s: cannot open it", path);
	got = fread(buf, 1, BLK_SECTOR, f);
	fclose(f);
	if (got != BLK_SECTOR)
		return guest_fail("--expect %s: %zu bytes, not one %u-byte sector", path, got,
				  BLK_SECTOR);
	return 0;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int read_sector0(struct guest_dev *g)
{
	uint8_t *s = guest_slot(g, 0);
	const uint64_t iova = guest_slot_iova(g, 0);
	/* Three segments: every device takes them (a legacy device without
	 * ANY_LAYOUT wants the header and status in descriptors of their own). */
	const struct vmmio_seg seg[3] = {
		{ iova, 16 },
		{ iova + OFF_DATA, BLK_SECTOR },
		{ iova + OFF_STATUS, 1 },
	};
	const struct vmmio_buf b = { seg, 1, 2, s };
	const uint64_t deadline = guest_now_ms() + g->o->timeout_ms;
	struct vmmio_used u;

	put_le(s, BLK_T_IN, 4);
	put_le(s + 4, 0, 4); /* reserved */
	put_le(s + 8, 0, 8); /* sector 0 */
	memset(s + OFF_DATA, 0xa5, BLK_SECTOR); /* so a read that wrote nothing shows */
	s[OFF_STATUS] = 0xff;
	if (vmmio_vq_add(g->vq[0], &b, 1) != 1)
		return guest_fail("request not added: %s", vmmio_vq_error(g->vq[0]));
	if (vmmio_vq_kick(g->vq[0], &g->dev) < 0)
		return guest_fail("kick: %s", vmmio_dev_error(&g->dev));
	while (!vmmio_vq_reap(g->vq[0], &u, 1)) {
		if (vmmio_vq_broken(g->vq[0]))
			return guest_faults(g);
		if (guest_now_ms() > deadline)
			return guest_fail("no completion within %u ms", g->o->timeout_ms);
	}
	if (u.cookie != s)
		return guest_fail("the device completed cookie %p, not the request %p", u.cookie,
				  (void *)s);
	if (s[OFF_STATUS] != BLK_S_OK)
		return guest_fail("status %u, not VIRTIO_BLK_S_OK", s[OFF_STATUS]);
	/* The device wrote the data and the status byte. */
	if (u.len != BLK_SECTOR + 1)
		guest_log("note: used length %u (the data and status are %u bytes)", u.len,
			  BLK_SECTOR + 1);
	return 0;
}

int guest_blk(const struct guest_opts *o)
{
	struct guest_dev g;
	struct vmmio_features want = { 0 };
	uint8_t expect[BLK_SECTOR];
	uint64_t capacity = 0;
	int rc = -1;

	if (read_expected(o->expect_file, expect) || guest_open(&g, o, VMMIO_DEVICE_ID_BLK))
		goto out;
	/* The ring features only: none of the block device's own is needed to
	 * read a sector. */
	vmmio_feat_set(&want, VMMIO_F_INDIRECT_DESC);
	vmmio_feat_set(&want, VMMIO_F_EVENT_IDX);
	vmmio_feat_set(&want, VMMIO_F_VERSION_1);
	vmmio_feat_set(&want, VMMIO_F_ANY_LAYOUT);
	vmmio_feat_set(&want, VMMIO_F_IN_ORDER);
	if (o->packed)
		vmmio_feat_set(&want, VMMIO_F_RING_PACKED);
	if (guest_init(&g, &want, 1, 16, 1))
		goto out;
	if (vmmio_cfg_read(&g.dev, BLK_CFG_CAPACITY, 8, &capacity)) {
		guest_fail("capacity: %s", vmmio_dev_error(&g.dev));
		goto out;
	}
	guest_log("capacity %llu sectors (%llu KiB)", (unsigned long long)capacity,
		  (unsigned long long)capacity / 2);
	if (!capacity) {
		guest_fail("capacity 0: no disk behind the device");
		goto out;
	}
	vmmio_vq_intr_disable(g.vq[0]);
	if (read_sector0(&g))
		goto out;
	for (unsigned i = 0; i < BLK_SECTOR; i++) {
		if (guest_slot(&g, 0)[OFF_DATA + i] != expect[i]) {
			guest_fail("sector 0 byte %u is 0x%02x, the image has 0x%02x", i,
				   guest_slot(&g, 0)[OFF_DATA + i], expect[i]);
			goto out;
		}
	}
	guest_log("sector 0: %u bytes read, identical to %s", BLK_SECTOR, o->expect_file);
	rc = guest_faults(&g);
out:
	guest_close(&g);
	return rc;
}
