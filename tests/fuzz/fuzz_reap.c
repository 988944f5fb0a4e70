/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A lying device at the ring level: the reap path of both engines over
 * ring memory whose device-writable parts hold whatever the input says.
 * No devsim: the harness creates a queue over heap memory, adds and
 * publishes buffers, and plays the device itself, either honestly (used
 * entries for what was made available, with lengths and ids the input may
 * falsify) or by writing input bytes straight into what a device may
 * write (split: the used ring's flags, idx, entries and avail_event;
 * packed: the id, len and flags words of descriptors and the device event
 * area). The honest device may report a run of buffers as one IN_ORDER
 * batch (one used entry naming the last). It reaps in bursts of various
 * sizes, adds more in between, and at the end reclaims. Aborts unless:
 *   - every returned cookie was outstanding and made available, and is
 *     returned at most once; with IN_ORDER, oldest first;
 *   - a returned length is at most that buffer's writable size;
 *   - a broken queue returns nothing, refuses adds with -EIO, names its
 *     fault; a queue that is not broken has none;
 *   - reclaim hands back exactly the rest (added = reaped + reclaimed).
 * ASan catches any access outside the ring memory.
 *
 * Input: byte 0 features (FEAT_*), byte 1 the queue size, then commands
 * (CMD_*), each a byte followed by its operands; reads past the end are 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vmmio_barrier.h"
#include "vmmio_vq.h"

#define FEAT_PACKED 0x01u
#define FEAT_EVENT_IDX 0x02u
#define FEAT_IN_ORDER 0x04u
#define FEAT_INDIRECT 0x08u
#define FEAT_NOTIF_DATA 0x10u
#define FEAT_LEGACY 0x20u /* split only */

enum cmd {
	CMD_ADD, /* count: add buffers from the plan, then maybe publish */
	CMD_USE, /* n, len32, lie: the device uses n buffers (lie: id from input,
		  * idx or flags off, or one entry for the batch) */
	CMD_POKE, /* off16, n, bytes: write n bytes of device-writable memory */
	CMD_REAP, /* n: reap a burst of up to n */
	CMD_INTR, /* what: interrupts on or off, has_used */
	CMD_RECLAIM, /* reclaim everything and start over */
	CMD_COUNT
};

#define MAX_COMMANDS 512u
#define MAX_BUFS 4096u /* buffers over one input */
#define SEG_MAX 8u /* 3 readable + 3 writable + 2 (a longer chain) */

struct buf {
	struct vmmio_seg seg[SEG_MAX];
	uint32_t in_len;
	bool outstanding;
	bool published; /* made available (vmmio_vq_publish() after its add) */
};

struct harness {
	const uint8_t *data;
	size_t size, pos;
	struct vmmio_vq *vq;
	struct vmmio_queue_cfg cfg;
	uint16_t num;
	bool packed;
	struct buf bufs[MAX_BUFS];
	unsigned n_bufs; /* buffers made so far */
	unsigned n_published; /* bufs[0..n_published) were made available */
	unsigned oldest; /* no buffer before it is outstanding */
	bool in_order;
	unsigned added, reaped, reclaimed, outstanding;
	/* the honest device's position */
	uint16_t avail_seen, used_idx; /* split */
	uint16_t dev_pos; /* packed */
	bool dev_wrap;
};

static void fail(const char *what, unsigned a, unsigned b)
{
	fprintf(stderr, "fuzz_reap: %s (%u, %u)\n", what, a, b);
	abort();
}

static uint8_t in8(struct harness *h)
{
	return h->pos < h->size ? h->data[h->pos++] : 0;
}

static uint16_t in16(struct harness *h)
{
	const uint16_t lo = in8(h);

	return (uint16_t)(lo | in8(h) << 8);
}

static uint32_t in32(struct harness *h)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < 4; i++)
		v |= (uint32_t)in8(h) << (8 * i);
	return v;
}

static void *va(uint64_t iova)
{
	return (void *)(uintptr_t)iova; /* heap DMA: IOVA = VA */
}

/* --- the driver side ----------------------------------------------------------- */

static void check_broken_state(struct harness *h)
{
	struct vmmio_used u[4];
	struct vmmio_buf b = { h->bufs[0].seg, 1, 0, &h->bufs[0] };

	if (!vmmio_vq_broken(h->vq)) {
		if (vmmio_vq_fault(h->vq) != VMMIO_VQ_OK)
			fail("a queue that is not broken reports a fault", vmmio_vq_fault(h->vq),
			     0);
		return;
	}
	if (vmmio_vq_fault(h->vq) == VMMIO_VQ_OK || !vmmio_vq_error(h->vq)[0])
		fail("a broken queue does not say why", vmmio_vq_fault(h->vq), 0);
	if (vmmio_vq_reap(h->vq, u, 4) != 0)
		fail("a broken queue returned buffers", 0, 0);
	if (vmmio_vq_add(h->vq, &b, 1) != -EIO)
		fail("a broken queue took a buffer", 0, 0);
	if (vmmio_vq_has_used(h->vq))
		fail("a broken queue says a buffer is used", 0, 0);
}

static void publish(struct harness *h)
{
	vmmio_vq_publish(h->vq);
	for (; h->n_published < h->n_bufs; h->n_published++)
		h->bufs[h->n_published].published = h->bufs[h->n_published].outstanding;
}

/* Add up to @count buffers whose shapes come from the input. */
static void cmd_add(struct harness *h)
{
	struct vmmio_buf vb[16];
	const unsigned count = 1 + in8(h) % 16;
	unsigned n = 0;
	int r;

	for (; n < count && h->n_bufs + n < MAX_BUFS; n++) {
		struct buf *b = &h->bufs[h->n_bufs + n];
		const uint8_t shape = in8(h);
		unsigned n_out = shape & 3u, n_in = (shape >> 2) & 3u;

		if (!n_out && !n_in)
			n_in = 1;
		if (shape & 0x80u) /* a longer chain: indirect range, or over QueueSize */
			n_in += 2;
		b->in_len = 0;
		for (unsigned i = 0; i < n_out + n_in; i++) {
			b->seg[i].addr =
				0x7000000000ull + ((uint64_t)(h->n_bufs + n) << 12) + i * 64u;
			b->seg[i].len = 1u + (uint32_t)in8(h) * 16u;
			if (i >= n_out)
				b->in_len += b->seg[i].len;
		}
		vb[n] = (struct vmmio_buf){ b->seg, (uint16_t)n_out, (uint16_t)n_in, b };
	}
	if (!n)
		return;
	r = vmmio_vq_add(h->vq, vb, n);
	if (vmmio_vq_broken(h->vq) ? r != -EIO : (r != -EINVAL && (r < 0 || r > (int)n)))
		fail("vmmio_vq_add() returned a value out of range", (unsigned)r, n);
	for (int i = 0; i < r; i++)
		h->bufs[h->n_bufs + i].outstanding = true;
	if (r > 0) {
		h->n_bufs += (unsigned)r;
		h->added += (unsigned)r;
		h->outstanding += (unsigned)r;
	}
	if (in8(h) & 1)
		publish(h);
}

static void cmd_reap(struct harness *h)
{
	struct vmmio_used u[64];
	const unsigned want = 1 + in8(h) % 64;
	const bool broken = vmmio_vq_broken(h->vq);
	unsigned got = vmmio_vq_reap(h->vq, u, want);

	if (got > want)
		fail("vmmio_vq_reap() returned more than asked", got, want);
	if (broken && got)
		fail("a broken queue returned buffers", got, 0);
	for (unsigned i = 0; i < got; i++) {
		struct buf *b = u[i].cookie;
		const uintptr_t c = (uintptr_t)b, base = (uintptr_t)h->bufs;

		if (c < base || c >= base + sizeof(h->bufs) || (c - base) % sizeof(*b))
			fail("vmmio_vq_reap() returned a cookie that was never added", i, got);
		if (!b->outstanding)
			fail("vmmio_vq_reap() returned a buffer that is not outstanding",
			     (unsigned)((c - base) / sizeof(*b)), i);
		if (!b->published)
			fail("vmmio_vq_reap() returned a buffer never made available",
			     (unsigned)((c - base) / sizeof(*b)), i);
		while (h->oldest < h->n_bufs && !h->bufs[h->oldest].outstanding)
			h->oldest++;
		if (h->in_order && b != &h->bufs[h->oldest])
			fail("IN_ORDER: vmmio_vq_reap() returned a buffer before an older one",
			     (unsigned)((c - base) / sizeof(*b)), h->oldest);
		if (u[i].len > b->in_len)
			fail("vmmio_vq_reap() returned a length above the writable size", u[i].len,
			     b->in_len);
		b->outstanding = false;
		h->reaped++;
		h->outstanding--;
	}
	if (vmmio_vq_outstanding(h->vq) != h->outstanding)
		fail("vmmio_vq_outstanding() disagrees", vmmio_vq_outstanding(h->vq),
		     h->outstanding);
	check_broken_state(h);
}

static void cmd_intr(struct harness *h)
{
	const uint8_t what = in8(h);

	if (what & 1)
		vmmio_vq_intr_enable(h->vq);
	else
		vmmio_vq_intr_disable(h->vq);
	(void)vmmio_vq_has_used(h->vq);
	check_broken_state(h);
}

static void reclaim_one(void *cookie, void *arg)
{
	struct harness *h = arg;
	struct buf *b = cookie;

	if (!b->outstanding)
		fail("vmmio_vq_reclaim() handed back a buffer that is not outstanding",
		     (unsigned)(b - h->bufs), 0);
	b->outstanding = false;
	b->published = false;
	h->reclaimed++;
	h->outstanding--;
}

static void reclaim(struct harness *h)
{
	vmmio_vq_reclaim(h->vq, reclaim_one, h);
	if (h->outstanding)
		fail("vmmio_vq_reclaim() did not hand back every outstanding buffer",
		     h->outstanding, h->reclaimed);
	if (h->added != h->reaped + h->reclaimed)
		fail("added != reaped + reclaimed", h->added, h->reaped + h->reclaimed);
	if (vmmio_vq_broken(h->vq) || vmmio_vq_outstanding(h->vq))
		fail("the queue is not whole after vmmio_vq_reclaim()", vmmio_vq_broken(h->vq),
		     vmmio_vq_outstanding(h->vq));
	h->n_published = h->oldest = h->n_bufs;
	h->avail_seen = 0;
	h->used_idx = 0;
	h->dev_pos = 0;
	h->dev_wrap = true;
}

/* --- the device side ------------------------------------------------------------- */

/* Split: use the next available buffers in order; @lie replaces the id
 * (1), offsets the idx (2), or (4) writes one used entry for the run,
 * naming its last head, at the run's first position. */
static void split_use(struct harness *h, unsigned n, uint32_t len, uint8_t lie)
{
	const struct vmmio_vring_avail *avail = va(h->cfg.driver);
	struct vmmio_vring_used *used = va(h->cfg.device);
	const uint16_t first = h->used_idx;
	uint16_t head = 0;
	unsigned k;

	for (k = 0; k < n; k++) {
		if (vmmio_load16(&avail->idx) == h->avail_seen)
			break;
		vmmio_rmb();
		head = vmmio_load16(&avail->ring[h->avail_seen % h->num]);
		h->avail_seen++;
		if (!(lie & 4)) {
			used->ring[h->used_idx % h->num].id = lie & 1 ? in16(h) : head;
			used->ring[h->used_idx % h->num].len = len;
		}
		h->used_idx++;
	}
	if ((lie & 4) && k) {
		used->ring[first % h->num].id = lie & 1 ? in16(h) : head;
		used->ring[first % h->num].len = len;
	}
	vmmio_wmb();
	vmmio_store16(&used->idx, lie & 2 ? (uint16_t)(h->used_idx + in8(h)) : h->used_idx);
}

/* Write the used descriptor at @pos for buffer @id (@lie: 1 id from the
 * input, 2 the USED bit wrong for the wrap counter @wrap, 8 WRITE set:
 * the length counts). */
static void packed_put(struct harness *h, uint16_t pos, bool wrap, uint16_t id, uint32_t len,
		       uint8_t lie)
{
	struct vmmio_pdesc *ring = va(h->cfg.desc);
	uint16_t flags = wrap ? VMMIO_DESC_F_AVAIL | VMMIO_DESC_F_USED : 0;

	ring[pos].id = lie & 1 ? in16(h) : id;
	ring[pos].len = len;
	if (lie & 2)
		flags ^= VMMIO_DESC_F_USED;
	if (lie & 8)
		flags |= VMMIO_DESC_F_WRITE;
	vmmio_wmb();
	vmmio_store16(&ring[pos].flags, flags);
}

/* Packed: use the next available chains in order, writing the used
 * descriptor over each chain's first; @lie as packed_put(), or (4) one
 * used descriptor for the run, naming its last buffer, at its first. */
static void packed_use(struct harness *h, unsigned n, uint32_t len, uint8_t lie)
{
	struct vmmio_pdesc *ring = va(h->cfg.desc);
	const uint16_t first = h->dev_pos;
	const bool first_wrap = h->dev_wrap;
	uint16_t id = 0;
	unsigned k;

	for (k = 0; k < n; k++) {
		const uint16_t head = h->dev_pos;
		uint16_t flags = vmmio_load16(&ring[head].flags), count = 1, pos = head;
		const bool avail = flags & VMMIO_DESC_F_AVAIL, usedf = flags & VMMIO_DESC_F_USED;

		if (avail != h->dev_wrap || usedf == h->dev_wrap)
			break;
		vmmio_rmb();
		/* the buffer id is in the chain's last descriptor */
		while ((flags & VMMIO_DESC_F_NEXT) && count < h->num) {
			pos = pos + 1 == h->num ? 0 : pos + 1;
			flags = vmmio_load16(&ring[pos].flags);
			count++;
		}
		id = ring[pos].id;
		if (!(lie & 4))
			packed_put(h, head, h->dev_wrap, id, len, lie);
		h->dev_pos += count;
		if (h->dev_pos >= h->num) {
			h->dev_pos -= h->num;
			h->dev_wrap = !h->dev_wrap;
		}
	}
	if ((lie & 4) && k)
		packed_put(h, first, first_wrap, id, len, lie);
}

static void cmd_use(struct harness *h)
{
	const unsigned n = 1 + in8(h) % 8;
	const uint8_t lenmode = in8(h);
	/* mostly small lengths, sometimes anything */
	const uint32_t len = lenmode & 0x80u ? in32(h) : lenmode;
	const uint8_t lie = in8(h);

	if (h->packed)
		packed_use(h, n, len, lie);
	else
		split_use(h, n, len, lie);
}

/* Write input bytes into memory a device may write. */
static void cmd_poke(struct harness *h)
{
	uint16_t off = in16(h);
	const unsigned n = 1 + in8(h) % 16;

	for (unsigned i = 0; i < n; i++, off++) {
		const uint8_t v = in8(h);

		if (!h->packed) {
			const size_t used = vmmio_split_used_size(h->num);

			((uint8_t *)va(h->cfg.device))[off % used] = v;
		} else {
			/* the id/len/flags half of a descriptor, or the device
			 * event suppression area */
			const size_t slots = (size_t)h->num * 8u + sizeof(struct vmmio_pevent);
			const size_t s = off % slots;

			if (s < (size_t)h->num * 8u)
				((uint8_t *)va(h->cfg.desc))[(s / 8u) * 16u + 8u + s % 8u] = v;
			else
				((uint8_t *)va(h->cfg.device))[s - (size_t)h->num * 8u] = v;
		}
	}
}

/* --- the target ------------------------------------------------------------------------ */

static void make_queue(struct harness *h)
{
	const uint8_t feat = in8(h), size = in8(h);
	struct vmmio_vq_params p = { 0 };
	char err[VMMIO_VQ_ERR_LEN];

	p.packed = feat & FEAT_PACKED;
	p.event_idx = feat & FEAT_EVENT_IDX;
	p.in_order = feat & FEAT_IN_ORDER;
	p.notification_data = feat & FEAT_NOTIF_DATA;
	p.legacy = !p.packed && (feat & FEAT_LEGACY);
	if (feat & FEAT_INDIRECT) {
		p.indirect_max = 2 + size / 16u % 8u;
		p.indirect_min = (feat & 0x40u) ? 3 : 0;
	}
	/* small queues: every slot is reached, wraps come fast */
	p.num = p.packed ? 1 + size % 16u : (uint16_t)(1u << (size % 5u));
	h->num = p.num;
	h->packed = p.packed;
	h->in_order = p.in_order;
	h->vq = vmmio_vq_create(&p, vmmio_heap_allocator(), err, sizeof(err));
	if (!h->vq)
		fail("vmmio_vq_create() refused valid parameters", p.num, p.packed);
	vmmio_vq_queue_cfg(h->vq, &h->cfg);
	h->dev_wrap = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct harness h;

	memset(&h, 0, sizeof(h));
	h.data = data;
	h.size = size;
	make_queue(&h);
	for (unsigned i = 0; i < MAX_COMMANDS && h.pos < h.size; i++) {
		switch (in8(&h) % CMD_COUNT) {
		case CMD_ADD:
			cmd_add(&h);
			break;
		case CMD_USE:
			cmd_use(&h);
			break;
		case CMD_POKE:
			cmd_poke(&h);
			break;
		case CMD_REAP:
			cmd_reap(&h);
			break;
		case CMD_INTR:
			cmd_intr(&h);
			break;
		default:
			reclaim(&h);
			break;
		}
	}
	/* drain what a truthful device left, then take the rest back */
	for (unsigned i = 0; i < 4 && !vmmio_vq_broken(h.vq); i++)
		cmd_reap(&h);
	reclaim(&h);
	vmmio_vq_destroy(h.vq);
	return 0;
}
