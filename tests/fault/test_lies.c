/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One test per lie a device can tell in a used entry (devsim_fault()): the
 * driver must mark the queue broken with the right vmmio_vq_fault(), name
 * the queue and the value the device wrote in vmmio_vq_error(), return no
 * buffer twice or beyond what the device used, return nothing more and
 * refuse adds once broken, and recover by queue reset or device reset:
 * every outstanding buffer handed back exactly once (those added but not
 * made available yet too), then traffic flows. Each lie runs on both the
 * any-order and the IN_ORDER reap paths (there told on a batch: one used
 * entry for two buffers), early on and after the ring wrapped (the packed
 * wrap counters at 0). A lie that only a batch can tell runs on batches of
 * two and of three instead (one buffer is left for the device to go on
 * using after the lie).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "traffic.h"
#include "vmmio_barrier.h"

struct lie {
	const char *name;
	enum devsim_fault f;
	bool packed;
	enum vmmio_vq_fault want;
	/* the field vmmio_vq_error() must quote: "id %u", "len %u", ... */
	enum { SAYS_ID, SAYS_LEN, SAYS_IDX, SAYS_FLAGS } says;
	bool batch_only; /* told only on an IN_ORDER batch */
};

static const struct lie lies[] = {
	{ "split used-id-range", DEVSIM_FAULT_USED_ID_RANGE, false, VMMIO_VQ_BAD_ID, SAYS_ID, false },
	{ "split used-id-not-head", DEVSIM_FAULT_USED_ID_NOT_HEAD, false, VMMIO_VQ_NOT_HEAD,
	  SAYS_ID, false },
	{ "split used-id-stale", DEVSIM_FAULT_USED_ID_STALE, false, VMMIO_VQ_NOT_OUTSTANDING,
	  SAYS_ID, false },
	{ "split used-len", DEVSIM_FAULT_USED_LEN, false, VMMIO_VQ_BAD_LEN, SAYS_LEN, false },
	{ "split used-idx-jump", DEVSIM_FAULT_USED_IDX_JUMP, false, VMMIO_VQ_BAD_USED_IDX,
	  SAYS_IDX, false },
	{ "packed used-id-range", DEVSIM_FAULT_USED_ID_RANGE, true, VMMIO_VQ_BAD_ID, SAYS_ID, false },
	{ "packed used-id-stale", DEVSIM_FAULT_USED_ID_STALE, true, VMMIO_VQ_NOT_OUTSTANDING,
	  SAYS_ID, false },
	{ "packed used-len", DEVSIM_FAULT_USED_LEN, true, VMMIO_VQ_BAD_LEN, SAYS_LEN, false },
	{ "split used-id-unpublished", DEVSIM_FAULT_USED_ID_UNPUBLISHED, false,
	  VMMIO_VQ_NOT_OUTSTANDING, SAYS_ID, false },
	{ "split used-idx-back", DEVSIM_FAULT_USED_IDX_BACK, false, VMMIO_VQ_BAD_USED_IDX,
	  SAYS_IDX, false },
	{ "packed packed-wrap", DEVSIM_FAULT_PACKED_WRAP, true, VMMIO_VQ_BAD_FLAGS, SAYS_FLAGS, false },
	{ "packed used-id-unpublished", DEVSIM_FAULT_USED_ID_UNPUBLISHED, true,
	  VMMIO_VQ_NOT_OUTSTANDING, SAYS_ID, false },
	/* one used entry closing the batch, used idx moved by one only */
	{ "split used-idx-short", DEVSIM_FAULT_USED_IDX_SHORT, false, VMMIO_VQ_BAD_USED_IDX,
	  SAYS_IDX, true },
};

/* Honest buffers before the lie: a few, or enough to wrap the ring of
 * TR_NUM descriptors (two per buffer) an odd number of times. */
#define WARM_SHORT 0u
#define WARM_WRAPPED 13u

struct lie_case {
	const struct lie *lie;
	bool in_order;
	unsigned batch; /* buffers the lying used write returns */
	bool device_reset; /* recover by device reset, else by queue reset */
	unsigned warm;
	char name[112];
};

/* The split used ring of @t's queue (IOVA = VA), as the device writes it. */
static struct vmmio_vring_used *used_ring(const struct traffic *t)
{
	struct vmmio_queue_cfg cfg;

	vmmio_vq_queue_cfg(t->vq, &cfg);
	return (struct vmmio_vring_used *)(uintptr_t)cfg.device;
}

/* What the device wrote where the driver reads next, after @reaped buffers
 * of two descriptors each were used in order and reaped. */
static void quote_lie(const struct traffic *t, const struct lie *l, unsigned reaped, char *buf,
		      size_t len)
{
	struct vmmio_queue_cfg cfg;
	const struct vmmio_vring_used *used;
	const struct vmmio_vring_used_elem *e;
	const struct vmmio_pdesc *d;

	vmmio_vq_queue_cfg(t->vq, &cfg);
	if (l->packed) {
		d = (const struct vmmio_pdesc *)(uintptr_t)cfg.desc + (2 * reaped) % TR_NUM;
		if (l->says == SAYS_FLAGS)
			snprintf(buf, len, "flags 0x%04x", d->flags);
		else if (l->says == SAYS_LEN)
			snprintf(buf, len, "len %u", d->len);
		else
			snprintf(buf, len, "id %u", d->id);
		return;
	}
	used = used_ring(t);
	e = &used->ring[reaped % TR_NUM];
	if (l->says == SAYS_IDX)
		snprintf(buf, len, "used idx %u", used->idx);
	else if (l->says == SAYS_LEN)
		snprintf(buf, len, "len %u", e->len);
	else
		snprintf(buf, len, "id %u", e->id);
}

static void recover(struct traffic *t, bool device_reset)
{
	if (device_reset) {
		/* vmmio_recover() resets the device; the rig's setup callback
		 * reclaims each queue before enabling it again. */
		CHECK_EQ(vmmio_recover(&t->rig.dev, rig_setup, &t->rig), 0);
	} else {
		CHECK_EQ(vmmio_vq_reset(t->vq, &t->rig.dev, tr_reclaimed, t), 0);
		CHECK_EQ(vmmio_vq_enable(t->vq, &t->rig.dev), 0);
	}
	tr_device_reset(t);
}

static void t_lie(const void *arg)
{
	const struct lie_case *lc = arg;
	const struct lie *l = lc->lie;
	const struct rig_ring ring = { .packed = l->packed, .in_order = lc->in_order };
	struct traffic t;
	struct vmmio_used u[4];
	struct vmmio_buf b;
	char quote[64];
	unsigned missing;

	if (tr_open(&t, &ring, DEVSIM_BACKEND_MANUAL)) {
		CHECK(!"rig_open");
		return;
	}
	/* honest traffic first: the lie comes on a ring that has moved */
	for (unsigned i = 0; i < lc->warm; i++) {
		CHECK_EQ(tr_add(&t, 1, true), 1);
		CHECK_EQ(tr_take(&t), 1);
		CHECK_EQ(tr_use(&t, 1), 0);
		CHECK_EQ(tr_reap(&t), 1);
	}
	CHECK_EQ(tr_add(&t, 6, true), 6);
	CHECK_EQ(tr_take(&t), 6);
	CHECK_EQ(tr_use(&t, 2), 0);
	CHECK_EQ(tr_reap(&t), 2);
	/* and buffers added, not yet made available, when it comes */
	CHECK_EQ(tr_add(&t, 2, false), 2);

	CHECK_EQ(devsim_fault(t.sim, TR_Q, l->f, 0), 0);
	CHECK_EQ(tr_use_batch(&t, lc->batch, lc->in_order), 0);
	quote_lie(&t, l, lc->warm + 2, quote, sizeof(quote));
	CHECK_EQ(tr_reap(&t), 0);
	CHECK(vmmio_vq_broken(t.vq));
	CHECK_EQ(vmmio_vq_fault(t.vq), l->want);
	CHECK_STR_HAS(vmmio_vq_error(t.vq), "queue 0: ");
	CHECK_STR_HAS(vmmio_vq_error(t.vq), quote);
	printf("# %s\n", vmmio_vq_error(t.vq));

	/* broken: nothing comes back, nothing goes in, even from a device
	 * that goes on using buffers */
	CHECK_EQ(tr_use(&t, 1), 0);
	CHECK_EQ(vmmio_vq_reap(t.vq, u, 4), 0);
	CHECK(!vmmio_vq_has_used(t.vq));
	/* nothing to reap before waiting: an interrupt-driven consumer
	 * may sleep (and learns why from vmmio_vq_broken()) */
	CHECK(vmmio_vq_intr_enable(t.vq));
	vmmio_vq_intr_disable(t.vq);
	CHECK_EQ(vmmio_vq_room(t.vq), 0);
	b = (struct vmmio_buf){ t.b[0].seg, 1, 1, &t.b[0] };
	CHECK_EQ(vmmio_vq_add(t.vq, &b, 1), -EIO);
	CHECK_EQ(tr_add(&t, 1, true), -EIO);

	recover(&t, lc->device_reset);
	missing = tr_missing(&t);
	CHECK_EQ(missing, 0);
	CHECK(!vmmio_vq_broken(t.vq));
	CHECK_EQ(vmmio_vq_fault(t.vq), VMMIO_VQ_OK);
	CHECK_EQ(vmmio_vq_outstanding(t.vq), 0);

	/* traffic flows again */
	CHECK_EQ(tr_add(&t, TR_NUM / 2, true), TR_NUM / 2);
	CHECK_EQ(tr_take(&t), TR_NUM / 2);
	CHECK_EQ(tr_use(&t, TR_NUM / 2), 0);
	CHECK_EQ(tr_reap(&t), TR_NUM / 2);
	CHECK(!vmmio_vq_broken(t.vq));
	CHECK_EQ(tr_missing(&t), 0);
	CHECK_EQ(rig_dump_violations(&t.rig), 0);
	tr_close(&t);
}

/*
 * Split, IN_ORDER: a batch of four announced by one used entry, two of
 * them reaped; then the used idx goes back inside the batch. The driver
 * returns nothing more (not the two left, which the idx no longer
 * covers), breaks the queue and names the idx.
 */
static void t_idx_back_in_batch(void)
{
	const struct rig_ring ring = { .in_order = true };
	struct traffic t;
	struct vmmio_used u[4];

	if (tr_open(&t, &ring, DEVSIM_BACKEND_MANUAL)) {
		CHECK(!"rig_open");
		return;
	}
	CHECK_EQ(tr_add(&t, 6, true), 6);
	CHECK_EQ(tr_take(&t), 6);
	CHECK_EQ(tr_use_batch(&t, 4, true), 0);
	CHECK_EQ(vmmio_vq_reap(t.vq, u, 2), 2);
	CHECK(!vmmio_vq_broken(t.vq));
	CHECK_EQ(devsim_fault(t.sim, TR_Q, DEVSIM_FAULT_USED_IDX_BACK, 0), 0);
	CHECK_EQ(tr_use(&t, 1), 0);
	CHECK_EQ(vmmio_vq_reap(t.vq, u, 4), 0);
	CHECK(vmmio_vq_broken(t.vq));
	CHECK_EQ(vmmio_vq_fault(t.vq), VMMIO_VQ_BAD_USED_IDX);
	CHECK_STR_HAS(vmmio_vq_error(t.vq), "used idx 3 went back");
	CHECK_STR_HAS(vmmio_vq_error(t.vq), "2 buffers left");
	printf("# %s\n", vmmio_vq_error(t.vq));
	for (unsigned i = 0; i < 2; i++)
		tr_handed_back(&t, u[i].cookie);
	recover(&t, false);
	CHECK_EQ(tr_missing(&t), 0);
	CHECK_EQ(rig_dump_violations(&t.rig), 0);
	tr_close(&t);
}

/*
 * Split, IN_ORDER, the first batch on a fresh ring: four buffers published,
 * the device writes one used entry at ring[0] naming the fourth (closing
 * a batch of four) but moves used idx by one only. That idx announces one
 * entry for one buffer, not four: the driver returns none of them.
 */
static void t_idx_short_batch_of_four(void)
{
	const struct rig_ring ring = { .in_order = true };
	const struct vmmio_vring_used *used;
	struct vmmio_used u[4];
	struct traffic t;

	if (tr_open(&t, &ring, DEVSIM_BACKEND_MANUAL)) {
		CHECK(!"rig_open");
		return;
	}
	used = used_ring(&t);
	CHECK_EQ(tr_add(&t, 4, true), 4);
	CHECK_EQ(tr_take(&t), 4);
	CHECK_EQ(devsim_fault(t.sim, TR_Q, DEVSIM_FAULT_USED_IDX_SHORT, 0), 0);
	CHECK_EQ(tr_use_batch(&t, 4, true), 0);
	CHECK_EQ(used->idx, 1);
	CHECK_EQ(used->ring[0].id, 6); /* the fourth buffer's head: two descriptors each */
	CHECK_EQ(vmmio_vq_reap(t.vq, u, 4), 0);
	CHECK(vmmio_vq_broken(t.vq));
	CHECK_EQ(vmmio_vq_fault(t.vq), VMMIO_VQ_BAD_USED_IDX);
	CHECK_STR_HAS(vmmio_vq_error(t.vq),
		      "used ring entry 0 names id 6, closing a batch of 4 buffers, but used idx 1 is only 1 past it");
	printf("# %s\n", vmmio_vq_error(t.vq));
	recover(&t, false);
	CHECK_EQ(tr_missing(&t), 0);
	CHECK_EQ(rig_dump_violations(&t.rig), 0);
	tr_close(&t);
}

/*
 * Split, IN_ORDER: two of a batch of four returned, then the device puts
 * the used idx back to the last used position. The two left are still
 * waiting as far as has_used() and intr_enable() can tell (a consumer
 * must not sleep on them); the reap finds the lie.
 */
static void t_has_used_mid_batch(void)
{
	const struct rig_ring ring = { .in_order = true };
	struct vmmio_vring_used *used;
	struct vmmio_used u[4];
	struct traffic t;

	if (tr_open(&t, &ring, DEVSIM_BACKEND_MANUAL)) {
		CHECK(!"rig_open");
		return;
	}
	used = used_ring(&t);
	CHECK_EQ(tr_add(&t, 6, true), 6);
	CHECK_EQ(tr_take(&t), 6);
	CHECK_EQ(tr_use_batch(&t, 4, true), 0);
	CHECK_EQ(vmmio_vq_reap(t.vq, u, 2), 2);
	for (unsigned i = 0; i < 2; i++)
		tr_handed_back(&t, u[i].cookie);
	vmmio_store16(&used->idx, 2);
	CHECK(vmmio_vq_has_used(t.vq));
	CHECK(!vmmio_vq_intr_enable(t.vq));
	vmmio_vq_intr_disable(t.vq);
	CHECK_EQ(vmmio_vq_reap(t.vq, u, 4), 0);
	CHECK_EQ(vmmio_vq_fault(t.vq), VMMIO_VQ_BAD_USED_IDX);
	CHECK_STR_HAS(vmmio_vq_error(t.vq), "used idx 2 went back");
	recover(&t, false);
	CHECK_EQ(tr_missing(&t), 0);
	tr_close(&t);
}

/*
 * Version 1: "when using the legacy interface, it is generally a good idea
 * to ignore the len value in used ring entries": a length beyond the
 * buffer is no lie there, it is capped at the buffer's writable size.
 */
static void t_legacy_len_capped(void)
{
	const struct rig_ring ring = { .legacy = true };
	struct vmmio_used u[4];
	struct traffic t;

	if (tr_open(&t, &ring, DEVSIM_BACKEND_MANUAL)) {
		CHECK(!"rig_open");
		return;
	}
	CHECK_EQ(tr_add(&t, 2, true), 2);
	CHECK_EQ(tr_take(&t), 2);
	CHECK_EQ(devsim_fault(t.sim, TR_Q, DEVSIM_FAULT_USED_LEN, 0), 0);
	CHECK_EQ(tr_use(&t, 2), 0);
	CHECK_EQ(vmmio_vq_reap(t.vq, u, 4), 2);
	CHECK(!vmmio_vq_broken(t.vq));
	CHECK_EQ(u[0].len, TR_IN_LEN); /* 257 reported, capped */
	CHECK_EQ(u[1].len, 101);
	for (unsigned i = 0; i < 2; i++)
		tr_handed_back(&t, u[i].cookie);
	CHECK_EQ(tr_missing(&t), 0);
	tr_close(&t);
}

/*
 * Packed: "Element Length is reserved for used descriptors without the
 * VIRTQ_DESC_F_WRITE flag, and is ignored by drivers". A device that
 * leaves the driver's length in the used descriptor of a buffer it only
 * read tells no lie: the buffer comes back, 0 bytes written. One that
 * writes a length within the writable part without WRITE (as QEMU does)
 * is believed; with WRITE, a length beyond it is a lie.
 */
static void packed_used_by_hand(struct traffic *t, uint16_t pos, uint16_t id, int len,
				uint16_t flags)
{
	struct vmmio_queue_cfg cfg;
	struct vmmio_pdesc *d;

	vmmio_vq_queue_cfg(t->vq, &cfg);
	d = (struct vmmio_pdesc *)(uintptr_t)cfg.desc + pos;
	d->id = id;
	if (len >= 0)
		d->len = (uint32_t)len;
	vmmio_wmb();
	vmmio_store16(&d->flags, (uint16_t)(flags | VMMIO_DESC_F_AVAIL | VMMIO_DESC_F_USED));
}

static void t_packed_len_reserved(void)
{
	const struct rig_ring ring = { .packed = true };
	static uint8_t data[2][256];
	const struct vmmio_seg ro = { (uintptr_t)data[0], 60 }, rw = { (uintptr_t)data[1], 256 };
	const struct vmmio_buf bufs[3] = { { &ro, 1, 0, data[0] }, { &rw, 0, 1, data[1] },
					   { &rw, 0, 1, data[1] + 1 } };
	struct devsim_chain c[3] = { { 0 } };
	struct vmmio_used u[4];
	struct traffic t;

	if (tr_open(&t, &ring, DEVSIM_BACKEND_MANUAL)) {
		CHECK(!"rig_open");
		return;
	}
	CHECK_EQ(vmmio_vq_add(t.vq, bufs, 3), 3);
	CHECK(vmmio_vq_kick(t.vq, &t.rig.dev) >= 0);
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(devsim_vq_take(t.sim, TR_Q, &c[i]), 1);
	/* read-only, the driver's 60 left in place, no WRITE */
	packed_used_by_hand(&t, 0, c[0].id, -1, 0);
	CHECK_EQ(vmmio_vq_reap(t.vq, u, 4), 1);
	CHECK(u[0].cookie == data[0] && u[0].len == 0);
	/* writable, 100 bytes, no WRITE */
	packed_used_by_hand(&t, 1, c[1].id, 100, 0);
	CHECK_EQ(vmmio_vq_reap(t.vq, u, 4), 1);
	CHECK(u[0].cookie == data[1] && u[0].len == 100);
	/* writable, 300 bytes, WRITE: a lie */
	packed_used_by_hand(&t, 2, c[2].id, 300, VMMIO_DESC_F_WRITE);
	CHECK_EQ(vmmio_vq_reap(t.vq, u, 4), 0);
	CHECK_EQ(vmmio_vq_fault(t.vq), VMMIO_VQ_BAD_LEN);
	CHECK_STR_HAS(vmmio_vq_error(t.vq), "len 300");
	tr_close(&t);
}

int main(void)
{
	static struct lie_case cases[2 * 2 * 2 * sizeof(lies) / sizeof(lies[0])];
	unsigned n = 0;

	for (unsigned i = 0; i < sizeof(lies) / sizeof(lies[0]); i++)
		for (unsigned v = 0; v < 8; v++) {
			struct lie_case *c = &cases[n++];

			c->lie = &lies[i];
			c->in_order = lies[i].batch_only || (v & 1);
			c->batch = lies[i].batch_only ? (v & 1 ? 3 : 2) : c->in_order ? 2 : 1;
			c->device_reset = v & 2;
			c->warm = v & 4 ? WARM_WRAPPED : WARM_SHORT;
			snprintf(c->name, sizeof(c->name), "%s%s%s%s, recovered by %s reset",
				 lies[i].name, c->in_order ? " (in_order, on a batch" : "",
				 lies[i].batch_only ? (v & 1 ? " of 3)" : " of 2)")
				 : c->in_order	    ? ")"
						    : "",
				 c->warm ? " after the ring wrapped" : "",
				 c->device_reset ? "device" : "queue");
			tap_run_arg(c->name, t_lie, c);
		}
	TAP_RUN(t_idx_back_in_batch);
	TAP_RUN(t_idx_short_batch_of_four);
	TAP_RUN(t_packed_len_reserved);
	TAP_RUN(t_has_used_mid_batch);
	TAP_RUN(t_legacy_len_capped);
	return tap_end();
}
