/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ring rules of "Split Virtqueues" and "Packed Virtqueues" (RING-* in
 * rules.def), which devsim checks on the device side of the rings as it
 * reads what the driver made available.
 *
 * Positive tests run the driver's ring engines (vmmio_vq_*) on a live
 * device (driver.h: drv_ring_*), in both ring formats where the rule
 * applies, with the device serviced by hand (MANUAL: the test takes each
 * buffer and checks it is what was added) or at once (SINK); each shows
 * the scenario happened (buffers back, chain shapes, devsim's notification
 * counts).
 *
 * Negative tests write the rings by hand (raw.h) on a live device: one
 * correct buffer first, which the checker must let through, then exactly
 * one break, which it must name.
 */
#include <errno.h>
#include <string.h>

#include "devsim_vq.h"
#include "driver.h"
#include "raw.h"
#include "vmmio_barrier.h"

static const char *fmt_name(bool packed)
{
	return packed ? "packed" : "split";
}

/* --- helpers of the negative tests: rings written by hand ---------------------- */

/* A live modern net device (features: VERSION_1 and the ring features
 * @want) serviced by @backend, with queue 0 on the hand-written ring @g. */
static void raw_ring_open(struct raw *r, struct raw_ring *g, unsigned want, uint16_t num,
			  enum devsim_backend backend)
{
	struct vmmio_features f;

	raw_config(r, DEVSIM_NET, false);
	r->cfg.backend = backend;
	raw_start(r);
	raw_ring_alloc(g, num, want & DRV_RF_PACKED);
	raw_min_features(r, &f);
	drv_ring_features_add(&f, want);
	raw_live_ring(r, &f, g);
}

static void raw_ring_close(struct raw *r, struct raw_ring *g)
{
	raw_close(r);
	raw_ring_free(g);
}

/* === RING-CHAIN-LEN ================================================================ */

static void chain_len_direct(struct drv_ring_run *x)
{
	struct vmmio_seg s3[3], s8a[8], s8b[8], s9[9];
	struct vmmio_buf b;

	/* 3 descriptors, then two chains of exactly QueueSize (8): on the
	 * packed ring the first of them crosses the ring's end. */
	b = drv_ring_buf(x, s3, 1, 2, 0, 1);
	drv_ring_manual_round(x, &b, 1);
	b = drv_ring_buf(x, s8a, 2, 6, 8, 2);
	drv_ring_manual_round(x, &b, 1);
	b = drv_ring_buf(x, s8b, 8, 0, 16, 3);
	drv_ring_manual_round(x, &b, 1);
	/* One more segment is refused, with nothing written. */
	b = drv_ring_buf(x, s9, 3, 6, 24, 4);
	EXPECT_RC(&x->t.dev, vmmio_vq_add(x->vq, &b, 1), -EINVAL);
	EXPECT_EQ(vmmio_vq_outstanding(x->vq), 0);
	EXPECT_EQ(vmmio_vq_room(x->vq), 8);
}

static void chain_len_indirect(struct drv_ring_run *x)
{
	struct vmmio_seg s8[8], s9[9], s1[1];
	struct vmmio_buf b;
	int rc;

	/* An indirect table of exactly QueueSize (8) entries ... */
	b = drv_ring_buf(x, s8, 3, 5, 0, 1);
	drv_ring_manual_round(x, &b, 1);
	/* ... but not one more, though the driver's tables hold 16: the
	 * table is the chain, and it may not be longer than QueueSize. */
	b = drv_ring_buf(x, s9, 3, 6, 8, 2);
	rc = vmmio_vq_add(x->vq, &b, 1);
	if (rc != -EINVAL) {
		conf_failf(__FILE__, __LINE__,
			   "9 segments on a queue of 8 with tables of %u: vmmio_vq_add() returned %d, want -EINVAL",
			   x->r.p[0].indirect_max, rc);
		return;
	}
	EXPECT_EQ(vmmio_vq_outstanding(x->vq), 0);
	b = drv_ring_buf(x, s1, 0, 1, 20, 3);
	drv_ring_manual_round(x, &b, 1);
	EXPECT_EQ(drv_ring_stats(x).indirect, 1);
}

static void pos_chain_len(void)
{
	const struct drv_rings shape = { .num = 8 };
	struct drv_ring_run x;

	for (int packed = 0; packed <= 1; packed++) {
		const unsigned fmt = packed ? DRV_RF_PACKED : 0;

		printf("# %s ring of 8, direct chains\n", fmt_name(packed));
		if (drv_ring_open(&x, false, fmt, DEVSIM_BACKEND_MANUAL, &shape))
			chain_len_direct(&x);
		drv_ring_end(&x);
		printf("# %s ring of 8, indirect tables of up to 16 entries\n", fmt_name(packed));
		if (drv_ring_open(&x, false, fmt | DRV_RF_INDIRECT, DEVSIM_BACKEND_MANUAL,
				  &shape)) {
			EXPECT_EQ(x.r.p[0].indirect_max, VMMIO_VQ_INDIRECT_MAX_DEFAULT);
			chain_len_indirect(&x);
		}
		drv_ring_end(&x);
	}
}

static void neg_chain_len_packed(void)
{
	struct raw_ring g;
	struct raw r;
	struct vmmio_pdesc d = { 0, 9 * 16, 1, VMMIO_DESC_F_INDIRECT };

	raw_ring_open(&r, &g, DRV_RF_PACKED | DRV_RF_INDIRECT, 8, DEVSIM_BACKEND_MANUAL);
	raw_packed_good(&r, &g);
	raw_expect_clean(&r);
	/* An indirect table of 9 entries on a queue of 8. */
	d.addr = raw_packed_table(&g, 4096, 9, 0, 0);
	raw_packed_avail(&g, &d, 1);
	raw_notify(&r, 0);
	raw_take_refused(&r);
	raw_expect_only(&r, DEVSIM_RULE_RING_CHAIN_LEN);
	raw_ring_close(&r, &g);
}

static void neg_chain_len(void)
{
	struct raw_ring g;
	struct raw r;

	raw_ring_open(&r, &g, 0, 8, DEVSIM_BACKEND_MANUAL);
	raw_split_good(&r, &g);
	raw_expect_clean(&r);
	/* Descriptors 2 and 3 link to each other: a chain without end. */
	g.sdesc[2] = (struct vmmio_vring_desc){ raw_blk(&g, 2), 64, VMMIO_DESC_F_NEXT, 3 };
	g.sdesc[3] = (struct vmmio_vring_desc){ raw_blk(&g, 3), 64, VMMIO_DESC_F_NEXT, 2 };
	raw_split_avail(&g, 2);
	raw_notify(&r, 0);
	raw_take_refused(&r);
	raw_expect_only(&r, DEVSIM_RULE_RING_CHAIN_LEN);
	raw_ring_close(&r, &g);
	neg_chain_len_packed();
}

/* === RING-INDIRECT-FEATURE =========================================================== */

static void indirect_feature_round(struct drv_ring_run *x, bool indirect)
{
	static const uint16_t nseg[] = { 2, 3, 4, 6, 1, 5 };
	struct vmmio_seg seg[6][6];
	struct vmmio_buf b[6];
	unsigned want_ind = 0;

	for (unsigned i = 0; i < 6; i++) {
		b[i] = drv_ring_buf(x, seg[i], 1, (uint16_t)(nseg[i] - 1), 8 * i, i + 1);
		want_ind += nseg[i] >= 2;
	}
	drv_ring_manual_round(x, b, 6);
	EXPECT_EQ(drv_ring_stats(x).indirect, indirect ? want_ind : 0);
}

/* Version 1 has INDIRECT_DESC too: a device that does not offer it, and a
 * driver that asks for every feature. */
static void indirect_feature_unoffered(void)
{
	const struct drv_rings shape = { .num = 32, .nq = 1 };
	struct vmmio_features all;
	struct drv_ring_run x;

	printf("# legacy split ring, INDIRECT_DESC not offered\n");
	drv_config(&x.t, DEVSIM_NET, true);
	vmmio_feat_clear(&x.t.cfg.features, VMMIO_F_INDIRECT_DESC);
	x.t.cfg.backend = DEVSIM_BACKEND_MANUAL;
	drv_start(&x.t);
	x.r = shape;
	drv_all_features(&all);
	if (drv_rings_live(&x.t, &all, &x.r)) {
		x.vq = x.r.vq[0];
		EXPECT_EQ(x.r.p[0].indirect_max, 0);
		indirect_feature_round(&x, false);
	}
	drv_ring_end(&x);
}

static void pos_indirect_feature(void)
{
	const struct drv_rings shape = { .num = 32 };
	struct drv_ring_run x;

	for (int packed = 0; packed <= 1; packed++) {
		for (int ind = 0; ind <= 1; ind++) {
			const unsigned want =
				(packed ? DRV_RF_PACKED : 0) | (ind ? DRV_RF_INDIRECT : 0);

			printf("# %s ring, INDIRECT_DESC %snegotiated\n", fmt_name(packed),
			       ind ? "" : "not ");
			if (drv_ring_open(&x, false, want, DEVSIM_BACKEND_MANUAL, &shape))
				indirect_feature_round(&x, ind);
			drv_ring_end(&x);
		}
	}
	indirect_feature_unoffered();
}

static void neg_indirect_feature_packed(void)
{
	struct vmmio_pdesc d = { 0, 2 * 16, 1, VMMIO_DESC_F_INDIRECT };
	struct raw_ring g;
	struct raw r;

	raw_ring_open(&r, &g, DRV_RF_PACKED, 8, DEVSIM_BACKEND_MANUAL);
	raw_packed_good(&r, &g);
	raw_expect_clean(&r);
	d.addr = raw_packed_table(&g, 4096, 2, 0, 0);
	raw_packed_avail(&g, &d, 1);
	raw_notify(&r, 0);
	raw_take_refused(&r);
	raw_expect_only(&r, DEVSIM_RULE_RING_INDIRECT_FEATURE);
	raw_ring_close(&r, &g);
}

static void neg_indirect_feature(void)
{
	struct vmmio_vring_desc *t;
	struct raw_ring g;
	uint64_t t_iova;
	struct raw r;

	raw_ring_open(&r, &g, 0, 8, DEVSIM_BACKEND_MANUAL);
	raw_split_good(&r, &g);
	raw_expect_clean(&r);
	/* A well-formed indirect table, but INDIRECT_DESC was not accepted. */
	t = raw_ring_data(&g, 4096, &t_iova);
	t[0] = (struct vmmio_vring_desc){ raw_blk(&g, 2), 64, VMMIO_DESC_F_NEXT, 1 };
	t[1] = (struct vmmio_vring_desc){ raw_blk(&g, 3), 64, VMMIO_DESC_F_WRITE, 0 };
	g.sdesc[2] = (struct vmmio_vring_desc){ t_iova, 32, VMMIO_DESC_F_INDIRECT, 0 };
	raw_split_avail(&g, 2);
	raw_notify(&r, 0);
	raw_take_refused(&r);
	raw_expect_only(&r, DEVSIM_RULE_RING_INDIRECT_FEATURE);
	raw_ring_close(&r, &g);
	neg_indirect_feature_packed();
}

/* === RING-INDIRECT-NESTED ============================================================ */

/* Buffers of 2..16 segments, every one an indirect table, twice over (the
 * tables of the first round are written again in the second). */
static void indirect_nested_rounds(struct drv_ring_run *x)
{
	static struct vmmio_seg seg[15][16];
	struct vmmio_buf b[15];

	for (unsigned round = 0; round < 2; round++) {
		for (unsigned i = 0; i < 15; i++) {
			const uint16_t n = (uint16_t)(i + 2);

			b[i] = drv_ring_buf(x, seg[i], (uint16_t)(n / 3), (uint16_t)(n - n / 3),
					    16 * i, 100 * round + i + 1);
		}
		drv_ring_manual_round(x, b, 15);
	}
	EXPECT_EQ(drv_ring_stats(x).indirect, 30);
}

static void pos_indirect_nested(void)
{
	static const unsigned variants[] = {
		DRV_RF_INDIRECT,
		DRV_RF_INDIRECT | DRV_RF_IN_ORDER,
		DRV_RF_PACKED | DRV_RF_INDIRECT,
		DRV_RF_PACKED | DRV_RF_INDIRECT | DRV_RF_IN_ORDER,
	};
	const struct drv_rings shape = { .num = 16 };
	struct drv_ring_run x;

	for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
		printf("# %s ring%s, tables of 2..16 entries\n",
		       fmt_name(variants[v] & DRV_RF_PACKED),
		       variants[v] & DRV_RF_IN_ORDER ? ", IN_ORDER" : "");
		if (drv_ring_open(&x, false, variants[v], DEVSIM_BACKEND_MANUAL, &shape))
			indirect_nested_rounds(&x);
		drv_ring_end(&x);
	}
}

/* Packed: "The driver MUST NOT set any flags except DESC_F_WRITE within an
 * indirect descriptor": a table entry with NEXT. */
static void neg_indirect_nested_packed(void)
{
	struct vmmio_pdesc d = { 0, 2 * 16, 1, VMMIO_DESC_F_INDIRECT };
	struct raw_ring g;
	struct raw r;

	raw_ring_open(&r, &g, DRV_RF_PACKED | DRV_RF_INDIRECT, 8, DEVSIM_BACKEND_MANUAL);
	raw_packed_good(&r, &g);
	raw_expect_clean(&r);
	d.addr = raw_packed_table(&g, 4096, 2, 0, VMMIO_DESC_F_NEXT);
	raw_packed_avail(&g, &d, 1);
	raw_notify(&r, 0);
	raw_take_refused(&r);
	raw_expect_only(&r, DEVSIM_RULE_RING_INDIRECT_NESTED);
	raw_ring_close(&r, &g);
}

static void neg_indirect_nested(void)
{
	struct vmmio_vring_desc *t1, *t2;
	uint64_t t1_iova, t2_iova;
	struct raw_ring g;
	struct raw r;

	raw_ring_open(&r, &g, DRV_RF_INDIRECT, 8, DEVSIM_BACKEND_MANUAL);
	t1 = raw_ring_data(&g, 4096, &t1_iova);
	t1[0] = (struct vmmio_vring_desc){ raw_blk(&g, 0), 64, VMMIO_DESC_F_NEXT, 1 };
	t1[1] = (struct vmmio_vring_desc){ raw_blk(&g, 1), 64, VMMIO_DESC_F_WRITE, 0 };
	g.sdesc[0] = (struct vmmio_vring_desc){ t1_iova, 32, VMMIO_DESC_F_INDIRECT, 0 };
	raw_split_avail(&g, 0);
	raw_notify(&r, 0);
	raw_take_use(&r, 2, true, 64);
	raw_expect_clean(&r);
	/* The second entry of a table is itself an indirect descriptor. */
	t2 = raw_ring_data(&g, 8192, &t2_iova);
	t2[0] = (struct vmmio_vring_desc){ raw_blk(&g, 2), 64, VMMIO_DESC_F_NEXT, 1 };
	t2[1] = (struct vmmio_vring_desc){ t1_iova, 32, VMMIO_DESC_F_INDIRECT, 0 };
	g.sdesc[1] = (struct vmmio_vring_desc){ t2_iova, 32, VMMIO_DESC_F_INDIRECT, 0 };
	raw_split_avail(&g, 1);
	raw_notify(&r, 0);
	raw_take_refused(&r);
	raw_expect_only(&r, DEVSIM_RULE_RING_INDIRECT_NESTED);
	raw_ring_close(&r, &g);
	neg_indirect_nested_packed();
}

/* === RING-INDIRECT-NEXT ============================================================== */

/* Direct chains (1..3 segments) and indirect tables (4..8) side by side in
 * the same bursts. */
static void indirect_next_rounds(struct drv_ring_run *x)
{
	static const uint16_t nseg[] = { 1, 4, 2, 5, 3, 8, 2, 6 };
	struct vmmio_seg seg[8][8];
	struct vmmio_buf b[8];
	unsigned want_ind = 0;

	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < 8; i++) {
			b[i] = drv_ring_buf(x, seg[i], 1, (uint16_t)(nseg[i] - 1), 8 * i,
					    100 * round + i + 1);
			want_ind += nseg[i] >= 4;
		}
		drv_ring_manual_round(x, b, 8);
	}
	EXPECT_EQ(drv_ring_stats(x).indirect, want_ind);
}

static void pos_indirect_next(void)
{
	const struct drv_rings shape = { .num = 16, .indirect_min = 4 };
	struct drv_ring_run x;

	for (int packed = 0; packed <= 1; packed++) {
		printf("# %s ring, indirect from 4 segments on\n", fmt_name(packed));
		if (drv_ring_open(&x, false, (packed ? DRV_RF_PACKED : 0) | DRV_RF_INDIRECT,
				  DEVSIM_BACKEND_MANUAL, &shape))
			indirect_next_rounds(&x);
		drv_ring_end(&x);
	}
}

/* Packed: an indirect descriptor after a direct one in a NEXT list. */
static void neg_indirect_next_packed(void)
{
	struct vmmio_pdesc d[2] = {
		{ 0, 64, 1, VMMIO_DESC_F_NEXT },
		{ 0, 2 * 16, 1, VMMIO_DESC_F_INDIRECT },
	};
	struct raw_ring g;
	struct raw r;

	raw_ring_open(&r, &g, DRV_RF_PACKED | DRV_RF_INDIRECT, 8, DEVSIM_BACKEND_MANUAL);
	raw_packed_good(&r, &g);
	raw_expect_clean(&r);
	d[0].addr = raw_blk(&g, 8);
	d[1].addr = raw_packed_table(&g, 4096, 2, 0, 0);
	raw_packed_avail(&g, d, 2);
	raw_notify(&r, 0);
	raw_take_refused(&r);
	raw_expect_only(&r, DEVSIM_RULE_RING_INDIRECT_NEXT);
	raw_ring_close(&r, &g);
}

static void neg_indirect_next(void)
{
	struct vmmio_vring_desc *t;
	struct raw_ring g;
	uint64_t t_iova;
	struct raw r;

	raw_ring_open(&r, &g, DRV_RF_INDIRECT, 8, DEVSIM_BACKEND_MANUAL);
	raw_split_good(&r, &g);
	raw_expect_clean(&r);
	/* An indirect descriptor that also chains on to descriptor 3. */
	t = raw_ring_data(&g, 4096, &t_iova);
	t[0] = (struct vmmio_vring_desc){ raw_blk(&g, 2), 64, VMMIO_DESC_F_NEXT, 1 };
	t[1] = (struct vmmio_vring_desc){ raw_blk(&g, 3), 64, VMMIO_DESC_F_WRITE, 0 };
	g.sdesc[2] = (struct vmmio_vring_desc){ t_iova, 32,
						VMMIO_DESC_F_INDIRECT | VMMIO_DESC_F_NEXT, 3 };
	g.sdesc[3] = (struct vmmio_vring_desc){ raw_blk(&g, 4), 64, VMMIO_DESC_F_WRITE, 0 };
	raw_split_avail(&g, 2);
	raw_notify(&r, 0);
	raw_take_refused(&r);
	raw_expect_only(&r, DEVSIM_RULE_RING_INDIRECT_NEXT);
	raw_ring_close(&r, &g);
	neg_indirect_next_packed();
}

/* === RING-WRITE-AFTER-READ =========================================================== */

/* Every mix of readable and writable segments, direct (1..2 segments) and
 * indirect (3 and more). */
static void write_after_read_rounds(struct drv_ring_run *x)
{
	static const uint16_t shape[][2] = { { 1, 0 }, { 0, 1 }, { 1, 1 }, { 2, 3 },
					     { 3, 2 }, { 0, 4 }, { 4, 0 }, { 0, 2 } };
	struct vmmio_seg seg[8][5];
	struct vmmio_buf b[8];

	for (unsigned round = 0; round < 2; round++) {
		for (unsigned i = 0; i < 8; i++)
			b[i] = drv_ring_buf(x, seg[i], shape[i][0], shape[i][1], 8 * i,
					    100 * round + i + 1);
		drv_ring_manual_round(x, b, 8);
	}
}

static void pos_write_after_read(void)
{
	const struct drv_rings shape = { .num = 16, .indirect_min = 3 };
	const struct drv_rings direct = { .num = 32, .no_indirect = true };
	struct drv_ring_run x;

	for (int packed = 0; packed <= 1; packed++) {
		printf("# %s ring, direct chains and indirect tables\n", fmt_name(packed));
		if (drv_ring_open(&x, false, (packed ? DRV_RF_PACKED : 0) | DRV_RF_INDIRECT,
				  DEVSIM_BACKEND_MANUAL, &shape))
			write_after_read_rounds(&x);
		drv_ring_end(&x);
	}
	printf("# legacy split ring, direct chains only\n");
	if (drv_ring_open(&x, true, DRV_RF_INDIRECT | DRV_RF_EVENT_IDX, DEVSIM_BACKEND_MANUAL,
			  &direct))
		write_after_read_rounds(&x);
	drv_ring_end(&x);
}

static void neg_write_after_read_packed(void)
{
	struct vmmio_pdesc d[2] = {
		{ 0, 64, 1, VMMIO_DESC_F_WRITE | VMMIO_DESC_F_NEXT },
		{ 0, 64, 1, 0 },
	};
	struct raw_ring g;
	struct raw r;

	raw_ring_open(&r, &g, DRV_RF_PACKED, 8, DEVSIM_BACKEND_MANUAL);
	raw_packed_good(&r, &g);
	raw_expect_clean(&r);
	d[0].addr = raw_blk(&g, 2);
	d[1].addr = raw_blk(&g, 3);
	raw_packed_avail(&g, d, 2);
	raw_notify(&r, 0);
	raw_take_refused(&r);
	raw_expect_only(&r, DEVSIM_RULE_RING_WRITE_AFTER_READ);
	raw_ring_close(&r, &g);
}

static void neg_write_after_read(void)
{
	struct raw_ring g;
	struct raw r;

	raw_ring_open(&r, &g, 0, 8, DEVSIM_BACKEND_MANUAL);
	raw_split_good(&r, &g);
	raw_expect_clean(&r);
	/* A writable descriptor, then a readable one. */
	g.sdesc[2] = (struct vmmio_vring_desc){ raw_blk(&g, 2), 64,
						VMMIO_DESC_F_WRITE | VMMIO_DESC_F_NEXT, 3 };
	g.sdesc[3] = (struct vmmio_vring_desc){ raw_blk(&g, 3), 64, 0, 0 };
	raw_split_avail(&g, 2);
	raw_notify(&r, 0);
	raw_take_refused(&r);
	raw_expect_only(&r, DEVSIM_RULE_RING_WRITE_AFTER_READ);
	raw_ring_close(&r, &g);
	neg_write_after_read_packed();
}

/* === RING-IN-ORDER-NEXT ============================================================== */

/*
 * IN_ORDER on a split ring of 8: bursts of two buffers whose chains
 * (@nseg segments, or one indirect descriptor) follow each other around
 * the table, so that chains cross its end (next of descriptor 7 is 0);
 * the device takes them, checking each head is where the previous chain
 * ended, and uses each burst as one batch.
 */
static void in_order_rounds(struct drv_ring_run *x, const uint16_t *nseg, unsigned n)
{
	struct vmmio_seg seg[2][8];
	unsigned head = 0, crossed = 0;
	struct vmmio_buf b[2];
	struct vmmio_used u[2];
	struct devsim_used used[2];
	struct drv_taken tk;

	for (unsigned round = 0; round < n; round += 2) {
		for (unsigned i = 0; i < 2; i++)
			b[i] = drv_ring_buf(x, seg[i], 1, (uint16_t)(nseg[round + i] - 1), 8 * i,
					    round + i + 1);
		EXPECT_EQ(vmmio_vq_add(x->vq, b, 2), 2);
		EXPECT_EQ(vmmio_vq_kick(x->vq, &x->t.dev), 1);
		for (unsigned i = 0; i < 2; i++) {
			const uint16_t ns = nseg[round + i];
			const bool ind = drv_ring_goes_indirect(x, ns);
			const unsigned nd = ind ? 1 : ns;

			if (!drv_take(x->t.sim, &tk))
				return;
			drv_expect_chain(&tk, &b[i], ind);
			EXPECT_EQ(tk.c.id, head);
			crossed += head + nd > 8;
			head = (head + nd) % 8;
			used[i] = (struct devsim_used){ .id = tk.c.id, .len = tk.c.in_len };
		}
		/* One used entry for both ("In-order use of descriptors"). */
		EXPECT_EQ(devsim_vq_use(x->t.sim, 0, used, 2, true), 0);
		EXPECT_EQ(vmmio_vq_reap(x->vq, u, 2), 2);
		for (unsigned i = 0; i < 2; i++) {
			EXPECT(u[i].cookie == b[i].cookie);
			EXPECT_EQ(u[i].len, drv_buf_in_len(&b[i]));
		}
	}
	EXPECT(crossed >= 2);
}

static void pos_in_order_next(void)
{
	static const uint16_t direct[] = { 3, 3, 3, 3, 3, 3, 3, 3, 2, 3, 3, 2, 3, 3, 3, 3 };
	static const uint16_t mixed[] = { 3, 5, 3, 3, 6, 3, 3, 3, 5, 2, 3, 8, 3, 3, 2, 3 };
	const struct drv_rings plain = { .num = 8 }, tables = { .num = 8, .indirect_min = 4 };
	struct drv_ring_run x;

	printf("# split ring of 8, IN_ORDER, chains of 2 and 3 descriptors\n");
	if (drv_ring_open(&x, false, DRV_RF_IN_ORDER, DEVSIM_BACKEND_MANUAL, &plain))
		in_order_rounds(&x, direct, 16);
	drv_ring_end(&x);
	printf("# split ring of 8, IN_ORDER, chains and indirect tables (from 4 segments)\n");
	if (drv_ring_open(&x, false, DRV_RF_IN_ORDER | DRV_RF_INDIRECT, DEVSIM_BACKEND_MANUAL,
			  &tables))
		in_order_rounds(&x, mixed, 16);
	drv_ring_end(&x);
}

static void neg_in_order_next(void)
{
	struct raw_ring g;
	struct raw r;

	raw_ring_open(&r, &g, DRV_RF_IN_ORDER, 8, DEVSIM_BACKEND_MANUAL);
	raw_split_good(&r, &g);
	raw_expect_clean(&r);
	/* The next chain starts at 2, as it should, but links 2 to 4. */
	g.sdesc[2] = (struct vmmio_vring_desc){ raw_blk(&g, 2), 64, VMMIO_DESC_F_NEXT, 4 };
	g.sdesc[4] = (struct vmmio_vring_desc){ raw_blk(&g, 3), 64, VMMIO_DESC_F_WRITE, 0 };
	raw_split_avail(&g, 2);
	raw_notify(&r, 0);
	raw_take_refused(&r);
	raw_expect_only(&r, DEVSIM_RULE_RING_IN_ORDER_NEXT);
	raw_ring_close(&r, &g);
}

/* === RING-AVAIL-NO-DECREMENT ========================================================= */

/* More than 65536 buffers in bursts of 1..64: the 16-bit available idx
 * wraps around to 0, which is not a decrement. */
#define WRAP_BUFFERS (65536u + 300u)

static void avail_wrap_traffic(struct drv_ring_run *x)
{
	struct vmmio_seg seg[64];
	struct vmmio_buf b[64];
	unsigned total = 0;
	struct devsim_vq_stats st;

	for (unsigned burst = 0; total < WRAP_BUFFERS; burst++) {
		const unsigned n = burst % 64 + 1;

		for (unsigned i = 0; i < n; i++)
			b[i] = drv_ring_buf(x, &seg[i], 1, 0, i, i + 1);
		drv_ring_sink_round(x, b, n);
		total += n;
		if (devsim_violation_count(x->t.sim) || vmmio_vq_broken(x->vq))
			break;
	}
	st = drv_ring_dev_stats(x);
	EXPECT_EQ(st.used, total);
	EXPECT(total >= WRAP_BUFFERS);
	EXPECT_EQ(drv_ring_stats(x).reaped, total);
}

static void pos_avail_no_decrement(void)
{
	const struct drv_rings shape = { .num = 64 };
	struct drv_ring_run x;

	printf("# split ring of 64, EVENT_IDX, %u buffers\n", WRAP_BUFFERS);
	if (drv_ring_open(&x, false, DRV_RF_EVENT_IDX, DEVSIM_BACKEND_SINK, &shape))
		avail_wrap_traffic(&x);
	drv_ring_end(&x);
	printf("# legacy split ring of 64, %u buffers\n", WRAP_BUFFERS);
	if (drv_ring_open(&x, true, 0, DEVSIM_BACKEND_SINK, &shape))
		avail_wrap_traffic(&x);
	drv_ring_end(&x);
}

static void neg_avail_no_decrement(void)
{
	struct drv_taken tk;
	struct raw_ring g;
	struct raw r;

	raw_ring_open(&r, &g, 0, 8, DEVSIM_BACKEND_MANUAL);
	g.sdesc[0] = (struct vmmio_vring_desc){ raw_blk(&g, 0), 64, VMMIO_DESC_F_WRITE, 0 };
	g.sdesc[1] = (struct vmmio_vring_desc){ raw_blk(&g, 1), 64, VMMIO_DESC_F_WRITE, 0 };
	raw_split_avail(&g, 0);
	raw_split_avail(&g, 1);
	raw_notify(&r, 0);
	raw_take_use(&r, 1, false, 64);
	raw_take_use(&r, 1, false, 64);
	raw_expect_clean(&r);
	/* idx goes back from 2 to 1, "unexposing" buffer 1. */
	vmmio_store16(&g.avail->idx, 1);
	raw_notify(&r, 0);
	EXPECT(drv_take_rc(r.sim, &tk) != 1);
	raw_expect_only(&r, DEVSIM_RULE_RING_AVAIL_NO_DECREMENT);
	raw_ring_close(&r, &g);
}

/* === RING-EXPOSED-UNCHANGED ========================================================== */

/* Reap exactly @n buffers, in this order: @b[order[0]], @b[order[1]], ...
 * each with the length the device gave (@len[i]). */
static void expect_reaped_as(struct vmmio_vq *vq, const struct vmmio_buf *b,
			     const unsigned *order, const uint32_t *len, unsigned n)
{
	struct vmmio_used u[8];

	EXPECT(n <= 8);
	EXPECT_EQ(vmmio_vq_reap(vq, u, 8), n);
	for (unsigned i = 0; i < n; i++) {
		EXPECT(u[i].cookie == b[order[i]].cookie);
		EXPECT_EQ(u[i].len, len[i]);
	}
}

/*
 * The device holds buffers while the driver reaps the ones it used out of
 * order and reuses their descriptors (split: the free list; packed: the
 * buffer ids and indirect tables) for new buffers it publishes: the held
 * buffers' descriptors must not change, which devsim checks when it uses
 * them.
 */
static void exposed_rounds(struct drv_ring_run *x)
{
	static const uint16_t nseg[6] = { 1, 3, 2, 1, 4, 2 };
	static const unsigned first[2] = { 2, 0 }, rest[4] = { 1, 3, 4, 5 };
	static const uint32_t first_len[2] = { 7, 0 }, rest_len[4] = { 2, 0, 64, 0 };
	struct vmmio_seg seg[6][4];
	struct devsim_used u[4];
	struct vmmio_buf b[6];
	struct drv_taken tk;
	uint16_t id[6];

	for (unsigned round = 0; round < 4; round++) {
		for (unsigned i = 0; i < 6; i++)
			b[i] = drv_ring_buf(x, seg[i], 1, (uint16_t)(nseg[i] - 1), 8 * i,
					    10 * round + i + 1);
		/* Four buffers; the device takes them all. */
		EXPECT_EQ(vmmio_vq_add(x->vq, b, 4), 4);
		EXPECT_EQ(vmmio_vq_kick(x->vq, &x->t.dev), 1);
		for (unsigned i = 0; i < 4; i++) {
			if (!drv_take(x->t.sim, &tk))
				return;
			drv_expect_chain(&tk, &b[i], drv_ring_goes_indirect(x, nseg[i]));
			id[i] = tk.c.id;
		}
		/* It uses the third and the first; the driver reaps them ... */
		for (unsigned i = 0; i < 2; i++)
			u[i] = (struct devsim_used){ id[first[i]], first_len[i] };
		EXPECT_EQ(devsim_vq_use(x->t.sim, 0, u, 2, false), 0);
		expect_reaped_as(x->vq, b, first, first_len, 2);
		/* ... and adds two more in the room they left, while the
		 * device holds the second and the fourth. */
		EXPECT_EQ(vmmio_vq_add(x->vq, &b[4], 2), 2);
		EXPECT_EQ(vmmio_vq_kick(x->vq, &x->t.dev), 1);
		for (unsigned i = 4; i < 6; i++) {
			if (!drv_take(x->t.sim, &tk))
				return;
			drv_expect_chain(&tk, &b[i], drv_ring_goes_indirect(x, nseg[i]));
			id[i] = tk.c.id;
		}
		for (unsigned i = 0; i < 4; i++)
			u[i] = (struct devsim_used){ id[rest[i]], rest_len[i] };
		EXPECT_EQ(devsim_vq_use(x->t.sim, 0, u, 4, false), 0);
		expect_reaped_as(x->vq, b, rest, rest_len, 4);
	}
	EXPECT_EQ(drv_ring_dev_stats(x).used, 24);
	EXPECT_EQ(vmmio_vq_outstanding(x->vq), 0);
}

static void pos_exposed_unchanged(void)
{
	const struct drv_rings shape = { .num = 8, .indirect_min = 3 };
	struct drv_ring_run x;

	for (int packed = 0; packed <= 1; packed++) {
		printf("# %s ring of 8, buffers used out of order, descriptors reused\n",
		       fmt_name(packed));
		if (drv_ring_open(&x, false, (packed ? DRV_RF_PACKED : 0) | DRV_RF_INDIRECT,
				  DEVSIM_BACKEND_MANUAL, &shape))
			exposed_rounds(&x);
		drv_ring_end(&x);
	}
}

/* Split: the descriptor table entry of a buffer the device holds. */
static void neg_exposed_unchanged_split(void)
{
	struct devsim_used u = { 2, 64 };
	struct drv_taken tk;
	struct raw_ring g;
	struct raw r;

	raw_ring_open(&r, &g, 0, 8, DEVSIM_BACKEND_MANUAL);
	raw_split_good(&r, &g);
	g.sdesc[2] = (struct vmmio_vring_desc){ raw_blk(&g, 2), 64, VMMIO_DESC_F_WRITE, 0 };
	raw_split_avail(&g, 2);
	raw_notify(&r, 0);
	if (drv_take(r.sim, &tk))
		EXPECT_EQ(tk.c.id, 2);
	raw_expect_clean(&r);
	g.sdesc[2].addr = raw_blk(&g, 3);
	devsim_vq_use(r.sim, 0, &u, 1, false);
	raw_expect_only(&r, DEVSIM_RULE_RING_EXPOSED_UNCHANGED);
	raw_ring_close(&r, &g);
}

static void neg_exposed_unchanged(void)
{
	struct vmmio_pdesc d = { 0, 64, 0, VMMIO_DESC_F_WRITE };
	struct devsim_used u = { 1, 64 };
	struct raw_ring g;
	struct drv_taken tk;
	struct raw r;
	uint16_t pos;

	raw_ring_open(&r, &g, DRV_RF_PACKED, 8, DEVSIM_BACKEND_MANUAL);
	d.addr = raw_blk(&g, 0);
	raw_packed_avail(&g, &d, 1);
	raw_notify(&r, 0);
	raw_take_use(&r, 1, false, 64);
	d.addr = raw_blk(&g, 1);
	d.id = 1;
	pos = raw_packed_avail(&g, &d, 1);
	raw_notify(&r, 0);
	if (drv_take(r.sim, &tk))
		EXPECT_EQ(tk.c.id, 1);
	raw_expect_clean(&r);
	/* The device holds buffer 1; its descriptor is rewritten. */
	g.pdesc[pos].len = 128;
	devsim_vq_use(r.sim, 0, &u, 1, false);
	raw_expect_only(&r, DEVSIM_RULE_RING_EXPOSED_UNCHANGED);
	raw_ring_close(&r, &g);
	neg_exposed_unchanged_split();
}

/* === RING-AVAIL-FLAGS ================================================================ */

/* Rounds of 4 buffers with used buffer notifications off (poll mode) and
 * on, alternately: the device sends one for each round it was asked to,
 * none otherwise, and the driver sees it in InterruptStatus. */
static void avail_flags_rounds(struct drv_ring_run *x)
{
	struct vmmio_seg seg[4];
	struct vmmio_buf b[4];
	uint64_t irqs = drv_ring_dev_stats(x).irqs;

	for (unsigned round = 0; round < 8; round++) {
		const bool on = round % 2;

		if (on)
			EXPECT(vmmio_vq_intr_enable(x->vq));
		else
			vmmio_vq_intr_disable(x->vq);
		for (unsigned i = 0; i < 4; i++)
			b[i] = drv_ring_buf(x, &seg[i], 0, 1, i, 4 * round + i + 1);
		drv_ring_sink_round(x, b, 4);
		if (on) {
			EXPECT(drv_ring_dev_stats(x).irqs > irqs);
			EXPECT_EQ(vmmio_irq_handle(&x->t.dev) & VMMIO_EV_USED, VMMIO_EV_USED);
		} else {
			EXPECT_EQ(drv_ring_dev_stats(x).irqs, irqs);
		}
		irqs = drv_ring_dev_stats(x).irqs;
	}
}

static void pos_avail_flags(void)
{
	static const struct {
		bool legacy;
		unsigned want;
		const char *name;
	} variants[] = {
		{ false, 0, "split ring, flags" },
		{ false, DRV_RF_EVENT_IDX, "split ring, EVENT_IDX (flags 0, used_event moves)" },
		{ true, 0, "legacy split ring, flags" },
		{ true, DRV_RF_EVENT_IDX, "legacy split ring, EVENT_IDX" },
	};
	const struct drv_rings shape = { .num = 16 };
	struct drv_ring_run x;

	for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
		printf("# %s\n", variants[v].name);
		if (drv_ring_open(&x, variants[v].legacy, variants[v].want, DEVSIM_BACKEND_SINK,
				  &shape))
			avail_flags_rounds(&x);
		drv_ring_end(&x);
	}
}

/*
 * With @want's features, set avail flags to @flags after a correct buffer.
 * The device reads the flags when it decides on the used buffer
 * notification: a buffer is made available, taken and used.
 */
static void avail_flags_break(unsigned want, uint16_t flags)
{
	struct drv_taken tk;
	struct raw_ring g;
	struct raw r;

	raw_ring_open(&r, &g, want, 8, DEVSIM_BACKEND_MANUAL);
	raw_split_good(&r, &g);
	raw_expect_clean(&r);
	vmmio_store16(&g.avail->flags, flags);
	g.sdesc[2] = (struct vmmio_vring_desc){ raw_blk(&g, 2), 64, VMMIO_DESC_F_WRITE, 0 };
	raw_split_avail(&g, 2);
	raw_notify(&r, 0);
	if (drv_take_rc(r.sim, &tk) == 1)
		devsim_vq_use(r.sim, 0, &(struct devsim_used){ tk.c.id, 64 }, 1, false);
	raw_expect_only(&r, DEVSIM_RULE_RING_AVAIL_FLAGS);
	raw_ring_close(&r, &g);
}

static void neg_avail_flags(void)
{
	/* NO_INTERRUPT, right without EVENT_IDX, wrong with it ... */
	avail_flags_break(DRV_RF_EVENT_IDX, VMMIO_AVAIL_F_NO_INTERRUPT);
	/* ... and without it, a bit the spec does not define. */
	avail_flags_break(0, 2);
}

/* === RING-NOTIFY-REQUIRED ============================================================ */

/* Where the driver's next buffer of one descriptor goes: the available
 * idx (split) or the ring position and wrap counter (packed). */
struct next_pos {
	uint16_t idx;
	uint16_t off;
	bool wrap;
};

static void next_pos_step(struct next_pos *p, uint16_t num, unsigned descs)
{
	p->idx = (uint16_t)(p->idx + 1);
	for (unsigned i = 0; i < descs; i++) {
		if (++p->off == num) {
			p->off = 0;
			p->wrap = !p->wrap;
		}
	}
}

/* Publish one single-descriptor buffer and kick; the device runs after the
 * kick decision (so it may check it). Returns what vmmio_vq_kick() said. */
static int publish_one(struct drv_ring_run *x, struct next_pos *p, uintptr_t cookie)
{
	struct vmmio_seg seg;
	struct vmmio_buf b = drv_ring_buf(x, &seg, 0, 1, (unsigned)cookie % 64, cookie);
	int rc;

	EXPECT_EQ(vmmio_vq_add(x->vq, &b, 1), 1);
	rc = vmmio_vq_kick(x->vq, &x->t.dev);
	next_pos_step(p, x->r.num, 1);
	devsim_step(x->t.sim);
	return rc;
}

/* Reap whatever the device used; returns how many. */
static unsigned reap_any(struct vmmio_vq *vq)
{
	struct vmmio_used u[32];
	unsigned n = 0, m;

	while ((m = vmmio_vq_reap(vq, u, 32)) > 0)
		n += m;
	return n;
}

/*
 * The device, checking every step (devsim_vq_kick_mode(check)), asks for:
 * every notification (ALWAYS); then, with EVENT_IDX, one at a position
 * 0..3 buffers ahead, round after round (split avail_event; packed DESC
 * with offset and wrap counter, the ring wrapping several times); then
 * none (NEVER, a polling device). The driver must notify exactly when
 * asked: devsim counts the notifications.
 */
static void notify_required_rounds(struct drv_ring_run *x)
{
	const bool event_idx = x->r.p[0].event_idx;
	struct next_pos p = { .wrap = true };
	uint64_t kicks, added = 0, reaped = 0;
	uint64_t suppressed = 0;
	uintptr_t cookie = 1;

	EXPECT_EQ(devsim_vq_kick_mode(x->t.sim, 0, DEVSIM_KICK_ALWAYS, 0, false, true), 0);
	for (unsigned i = 0; i < 10; i++, added++)
		EXPECT_EQ(publish_one(x, &p, cookie++), 1);
	reaped += reap_any(x->vq);
	EXPECT_EQ(drv_ring_dev_stats(x).kicks, 10);

	for (unsigned round = 0; event_idx && round < 24; round++) {
		const unsigned ahead = round % 4;
		struct next_pos at = p;
		int notified = 0;

		for (unsigned i = 0; i < ahead; i++)
			next_pos_step(&at, x->r.num, 1);
		EXPECT_EQ(devsim_vq_kick_mode(x->t.sim, 0, DEVSIM_KICK_AT,
					      x->r.p[0].packed ? at.off : at.idx, at.wrap, true),
			  0);
		kicks = drv_ring_dev_stats(x).kicks;
		/* The buffer at the event position needs the notification;
		 * the ones before it and the one after it do not. */
		for (unsigned i = 0; i <= ahead + 1; i++, added++) {
			const int rc = publish_one(x, &p, cookie++);

			EXPECT_EQ(rc, i == ahead);
			notified += rc == 1;
		}
		EXPECT_EQ(notified, 1);
		suppressed += ahead + 1;
		EXPECT_EQ(drv_ring_dev_stats(x).kicks, kicks + 1);
		reaped += reap_any(x->vq);
	}

	EXPECT_EQ(devsim_vq_kick_mode(x->t.sim, 0, DEVSIM_KICK_NEVER, 0, false, true), 0);
	kicks = drv_ring_dev_stats(x).kicks;
	for (unsigned i = 0; i < 10; i++, added++, suppressed++)
		EXPECT_EQ(publish_one(x, &p, cookie++), 0);
	reaped += reap_any(x->vq);
	EXPECT_EQ(drv_ring_dev_stats(x).kicks, kicks);
	/* Nothing is left behind (the polling device took the last ones). */
	EXPECT_EQ(reaped, added);
	EXPECT_EQ(drv_ring_stats(x).kicks, drv_ring_dev_stats(x).kicks);
	EXPECT_EQ(drv_ring_stats(x).kicks_suppressed, suppressed);
}

static void pos_notify_required(void)
{
	const struct drv_rings shape = { .num = 16 };
	struct drv_ring_run x;

	for (int packed = 0; packed <= 1; packed++) {
		for (int ev = 0; ev <= 1; ev++) {
			const unsigned want =
				(packed ? DRV_RF_PACKED : 0) | (ev ? DRV_RF_EVENT_IDX : 0);

			printf("# %s ring of 16%s\n", fmt_name(packed),
			       ev ? ", EVENT_IDX" : ", no EVENT_IDX");
			if (drv_ring_open(&x, false, want, DEVSIM_BACKEND_SINK, &shape))
				notify_required_rounds(&x);
			drv_ring_end(&x);
		}
	}
}

/* Packed: the Device Area says ENABLE; a buffer comes without a kick. */
static void neg_notify_required_packed(void)
{
	struct vmmio_pdesc d = { 0, 64, 0, VMMIO_DESC_F_WRITE };
	struct raw_ring g;
	struct raw r;

	raw_ring_open(&r, &g, DRV_RF_PACKED, 8, DEVSIM_BACKEND_SINK);
	EXPECT_EQ(devsim_vq_kick_mode(r.sim, 0, DEVSIM_KICK_ALWAYS, 0, false, true), 0);
	d.addr = raw_blk(&g, 0);
	raw_packed_avail(&g, &d, 1);
	raw_notify(&r, 0);
	EXPECT_EQ(devsim_step(r.sim), 1);
	raw_expect_clean(&r);
	d.addr = raw_blk(&g, 1);
	d.id = 1;
	raw_packed_avail(&g, &d, 1);
	devsim_step(r.sim);
	raw_expect_only(&r, DEVSIM_RULE_RING_NOTIFY_REQUIRED);
	raw_ring_close(&r, &g);
}

static void neg_notify_required(void)
{
	struct raw_ring g;
	struct raw r;

	raw_ring_open(&r, &g, 0, 8, DEVSIM_BACKEND_SINK);
	EXPECT_EQ(devsim_vq_kick_mode(r.sim, 0, DEVSIM_KICK_ALWAYS, 0, false, true), 0);
	g.sdesc[0] = (struct vmmio_vring_desc){ raw_blk(&g, 0), 64, VMMIO_DESC_F_WRITE, 0 };
	raw_split_avail(&g, 0);
	raw_notify(&r, 0);
	EXPECT_EQ(devsim_step(r.sim), 1);
	raw_expect_clean(&r);
	/* The used flags ask for every notification; none is sent. */
	g.sdesc[1] = (struct vmmio_vring_desc){ raw_blk(&g, 1), 64, VMMIO_DESC_F_WRITE, 0 };
	raw_split_avail(&g, 1);
	devsim_step(r.sim);
	raw_expect_only(&r, DEVSIM_RULE_RING_NOTIFY_REQUIRED);
	raw_ring_close(&r, &g);
	neg_notify_required_packed();
}

/* === RING-NOTIFY-DATA ================================================================ */

/* The notification word for the next position @p, as the spec has it. */
static uint32_t notify_word(const struct drv_ring_run *x, const struct next_pos *p)
{
	if (x->r.p[0].packed)
		return vmmio_notify_data_packed(0, p->off, p->wrap);
	return vmmio_notify_data_split(0, p->idx);
}

static void expect_last_notify(const struct drv_ring_run *x, uint32_t want)
{
	struct devsim_queue_state st;

	EXPECT_EQ(devsim_queue_state(x->t.sim, 0, &st), 0);
	EXPECT_EQ(st.last_notify, want);
}

/*
 * Bursts of 1..7 buffers of one or three descriptors, each kicked: every
 * QueueNotify carries the next position (packed: around the ring of 16
 * several times). Every fourth burst is added, but before it is published
 * the driver notifies again (allowed without new buffers): the word still
 * names the published position, not the one after the added buffers.
 */
static void notify_data_rounds(struct drv_ring_run *x)
{
	struct next_pos p = { .wrap = true }, added_pos;
	struct vmmio_seg seg[7][3];
	struct vmmio_buf b[7];
	unsigned kicks = 0, wraps = 0;
	bool wrap0 = p.wrap;

	for (unsigned burst = 0; burst < 40; burst++) {
		const unsigned n = burst % 7 + 1;

		added_pos = p;
		for (unsigned i = 0; i < n; i++) {
			const uint16_t nseg = (burst + i) % 3 ? 1 : 3;

			b[i] = drv_ring_buf(x, seg[i], 0, nseg, 3 * i, 8 * burst + i + 1);
			next_pos_step(&added_pos, x->r.num, nseg);
		}
		EXPECT_EQ(vmmio_vq_add(x->vq, b, n), n);
		if (burst % 4 == 3) {
			EXPECT_EQ(vmmio_vq_notify_value(x->vq), notify_word(x, &p));
			EXPECT_OK(&x->t.dev, vmmio_vq_notify(x->vq, &x->t.dev));
			expect_last_notify(x, notify_word(x, &p));
			kicks++;
		}
		EXPECT_EQ(vmmio_vq_kick(x->vq, &x->t.dev), 1);
		kicks++;
		p = added_pos;
		expect_last_notify(x, notify_word(x, &p));
		EXPECT_EQ(vmmio_vq_notify_value(x->vq), notify_word(x, &p));
		EXPECT_EQ(devsim_step(x->t.sim), n);
		drv_expect_reaped(x->vq, 8 * burst + 1, n);
		wraps += p.wrap != wrap0;
		wrap0 = p.wrap;
	}
	EXPECT_EQ(drv_ring_dev_stats(x).kicks, kicks);
	if (x->r.p[0].packed)
		EXPECT(wraps >= 4);
}

/*
 * Buffers added and published before DRIVER_OK: no notification then
 * ("The driver MUST NOT send any buffer available notifications to the
 * device before setting DRIVER_OK"); the first kick after it sends the one
 * that was due, naming the position after them.
 */
static void notify_data_early(bool packed)
{
	const struct drv_rings shape = { .num = 16, .nq = 1 };
	struct next_pos p = { .wrap = true };
	struct vmmio_features f;
	struct vmmio_seg seg[3];
	struct vmmio_buf b[3];
	struct drv_ring_run x;

	printf("# %s ring of 16, NOTIFICATION_DATA, buffers published before DRIVER_OK\n",
	       fmt_name(packed));
	drv_config(&x.t, DEVSIM_NET, false);
	x.t.cfg.backend = DEVSIM_BACKEND_SINK;
	drv_start(&x.t);
	x.r = shape;
	drv_ring_features(&f, (packed ? DRV_RF_PACKED : 0) | DRV_RF_NOTIFY_DATA);
	if (drv_rings_ready(&x.t, &f, &x.r)) {
		x.vq = x.r.vq[0];
		for (unsigned i = 0; i < 3; i++) {
			b[i] = drv_ring_buf(&x, &seg[i], 0, 1, i, i + 1);
			next_pos_step(&p, x.r.num, 1);
		}
		EXPECT_EQ(vmmio_vq_add(x.vq, b, 3), 3);
		EXPECT_EQ(vmmio_vq_kick(x.vq, &x.t.dev), 0);
		EXPECT_EQ(drv_ring_dev_stats(&x).kicks, 0);
		EXPECT_OK(&x.t.dev, vmmio_driver_ok(&x.t.dev));
		EXPECT_EQ(vmmio_vq_kick(x.vq, &x.t.dev), 1);
		expect_last_notify(&x, notify_word(&x, &p));
		EXPECT_EQ(devsim_step(x.t.sim), 3);
		drv_expect_reaped(x.vq, 1, 3);
	}
	drv_ring_end(&x);
}

static void pos_notify_data(void)
{
	const struct drv_rings shape = { .num = 16 };
	struct drv_ring_run x;

	for (int packed = 0; packed <= 1; packed++) {
		printf("# %s ring of 16, NOTIFICATION_DATA\n", fmt_name(packed));
		if (drv_ring_open(&x, false, (packed ? DRV_RF_PACKED : 0) | DRV_RF_NOTIFY_DATA,
				  DEVSIM_BACKEND_SINK, &shape))
			notify_data_rounds(&x);
		drv_ring_end(&x);
		notify_data_early(packed);
	}
}

/* Split: the notification names the available idx before the last one. */
static void neg_notify_data_split(void)
{
	struct drv_taken tk;
	struct raw_ring g;
	struct raw r;

	raw_ring_open(&r, &g, DRV_RF_NOTIFY_DATA, 8, DEVSIM_BACKEND_MANUAL);
	g.sdesc[0] = (struct vmmio_vring_desc){ raw_blk(&g, 0), 64, VMMIO_DESC_F_WRITE, 0 };
	raw_split_avail(&g, 0);
	raw_notify(&r, vmmio_notify_data_split(0, 1));
	raw_take_use(&r, 1, false, 64);
	raw_expect_clean(&r);
	g.sdesc[1] = (struct vmmio_vring_desc){ raw_blk(&g, 1), 64, VMMIO_DESC_F_WRITE, 0 };
	raw_split_avail(&g, 1);
	raw_notify(&r, vmmio_notify_data_split(0, 1));
	drv_take_rc(r.sim, &tk);
	raw_expect_only(&r, DEVSIM_RULE_RING_NOTIFY_DATA);
	raw_ring_close(&r, &g);
}

static void neg_notify_data(void)
{
	struct vmmio_pdesc d = { 0, 64, 0, VMMIO_DESC_F_WRITE };
	struct raw_ring g;
	struct drv_taken tk;
	struct raw r;

	raw_ring_open(&r, &g, DRV_RF_PACKED | DRV_RF_NOTIFY_DATA, 8, DEVSIM_BACKEND_MANUAL);
	d.addr = raw_blk(&g, 0);
	raw_packed_avail(&g, &d, 1);
	raw_notify(&r, vmmio_notify_data_packed(0, 1, true));
	raw_take_use(&r, 1, false, 64);
	raw_expect_clean(&r);
	/* The descriptor at 1 is made available, but the notification still
	 * names 1 as the next one not yet available. */
	d.addr = raw_blk(&g, 1);
	d.id = 1;
	raw_packed_avail(&g, &d, 1);
	raw_notify(&r, vmmio_notify_data_packed(0, 1, true));
	/* The device looks at what it was told (before or while it reads). */
	drv_take_rc(r.sim, &tk);
	raw_expect_only(&r, DEVSIM_RULE_RING_NOTIFY_DATA);
	raw_ring_close(&r, &g);
	neg_notify_data_split();
}

static const struct conformance_case cases[] = {
	{ DEVSIM_RULE_RING_CHAIN_LEN,
	  "split and packed rings of 8: chains of 3 and of exactly 8 descriptors (packed: across "
	  "the ring's end) and an indirect table of 8; 9 segments refused (-EINVAL), also with "
	  "tables of 16",
	  pos_chain_len,
	  "split: descriptors 2 and 3 linked to each other (a loop); packed: an indirect table of "
	  "9 entries on a queue of 8",
	  neg_chain_len },
	{ DEVSIM_RULE_RING_INDIRECT_FEATURE,
	  "buffers of 1..6 segments, split and packed, with and without INDIRECT_DESC (and "
	  "Version 1 without it offered): tables only when negotiated",
	  pos_indirect_feature,
	  "an INDIRECT descriptor without INDIRECT_DESC negotiated (split and packed)",
	  neg_indirect_feature },
	{ DEVSIM_RULE_RING_INDIRECT_NESTED,
	  "indirect tables of 2..16 entries, split and packed, with and without IN_ORDER, "
	  "written twice",
	  pos_indirect_nested,
	  "split: the second entry of an indirect table has INDIRECT; packed: a table entry has "
	  "NEXT",
	  neg_indirect_nested },
	{ DEVSIM_RULE_RING_INDIRECT_NEXT,
	  "direct chains and indirect tables (from 4 segments) in the same bursts, split and "
	  "packed",
	  pos_indirect_next,
	  "split: a ring descriptor with INDIRECT and NEXT; packed: an indirect descriptor after a "
	  "direct one in a NEXT list",
	  neg_indirect_next },
	{ DEVSIM_RULE_RING_WRITE_AFTER_READ,
	  "every mix of readable and writable segments, direct and indirect, split and packed "
	  "(and Version 1); the device sees the directions in order",
	  pos_write_after_read,
	  "a writable descriptor chained to a readable one (split and packed)",
	  neg_write_after_read },
	{ DEVSIM_RULE_RING_IN_ORDER_NEXT,
	  "IN_ORDER split ring of 8: chains across the table's end (7 -> 0), direct and mixed "
	  "with indirect tables, used in batches",
	  pos_in_order_next, "IN_ORDER split: the chain at descriptor 2 links to 4",
	  neg_in_order_next },
	{ DEVSIM_RULE_RING_AVAIL_NO_DECREMENT,
	  "over 65536 buffers in bursts of 1..64 on split rings (EVENT_IDX; Version 1): the "
	  "available idx wraps around 65535 -> 0",
	  pos_avail_no_decrement, "split: idx written back from 2 to 1 after the device took both",
	  neg_avail_no_decrement },
	{ DEVSIM_RULE_RING_EXPOSED_UNCHANGED,
	  "split and packed: buffers used out of order, their descriptors and tables reused for "
	  "new buffers while the device holds others",
	  pos_exposed_unchanged,
	  "a taken buffer's descriptor changed before the device used it (packed: its length; "
	  "split: its address)",
	  neg_exposed_unchanged },
	{ DEVSIM_RULE_RING_AVAIL_FLAGS,
	  "split (Version 2 and 1, with and without EVENT_IDX): used buffer notifications off and "
	  "on in turn; the device sends them exactly when asked",
	  pos_avail_flags,
	  "split: avail flags NO_INTERRUPT with EVENT_IDX, and 0x2 without",
	  neg_avail_flags },
	{ DEVSIM_RULE_RING_NOTIFY_REQUIRED,
	  "split and packed, with and without EVENT_IDX, the device checking every step: "
	  "notifications always, at an event 0..3 buffers ahead (packed: DESC, across wraps), "
	  "never; exactly the ones asked for are sent",
	  pos_notify_required,
	  "a buffer made available while the device asks for every notification (split flags 0, "
	  "packed ENABLE), without one",
	  neg_notify_required },
	{ DEVSIM_RULE_RING_NOTIFY_DATA,
	  "split and packed with NOTIFICATION_DATA: bursts of 1..7 buffers (packed: around the "
	  "ring), notifications with buffers added but not yet published, and the first one "
	  "after DRIVER_OK for buffers published before it",
	  pos_notify_data,
	  "the notification names the position before the last one made available (packed: "
	  "offset 1 after descriptor 1; split: idx 1 after idx 2)",
	  neg_notify_data },
};

const struct conformance_table conformance_ring_cases = CONFORMANCE_TABLE(cases);
