/* SPDX-License-Identifier: BSD-3-Clause */
/* Raw register steps of the negative tests, each one as the spec has it. */
#include "raw.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devsim_vq.h"
#include "vmmio_barrier.h"
#include "vmmio_dev.h"

/* Status polls before giving up on a reset that never completes. */
#define RAW_RESET_POLLS 64
/* Queues of the negative tests live here, page aligned, one 16 MiB slot each. */
#define RAW_QUEUE_BASE 0x40000000ull
#define RAW_QUEUE_STRIDE 0x1000000ull

void raw_config(struct raw *r, enum devsim_personality p, bool legacy)
{
	memset(r, 0, sizeof(*r));
	devsim_config_default(&r->cfg, p, legacy);
}

void raw_start(struct raw *r)
{
	r->sim = devsim_create(&r->cfg);
	if (!r->sim) {
		printf("# devsim_create refused the device configuration\n");
		abort();
	}
	r->win = devsim_regwin(r->sim);
}

void raw_open(struct raw *r, enum devsim_personality p, bool legacy)
{
	raw_config(r, p, legacy);
	raw_start(r);
}

void raw_close(struct raw *r)
{
	devsim_destroy(r->sim);
	r->sim = NULL;
}

uint32_t raw_read(struct raw *r, uint32_t off)
{
	return r->win.ops->read(r->win.ctx, off, 4);
}

void raw_write(struct raw *r, uint32_t off, uint32_t val)
{
	r->win.ops->write(r->win.ctx, off, 4, val);
}

int raw_wait_irq(struct raw *r, int timeout_ms)
{
	return r->win.ops->wait_irq(r->win.ctx, timeout_ms);
}

static bool legacy(const struct raw *r)
{
	return r->cfg.version == VMMIO_VERSION_LEGACY;
}

void raw_probe(struct raw *r)
{
	EXPECT_EQ(raw_read(r, VMMIO_REG_MAGIC_VALUE), VMMIO_MAGIC_VALUE);
	EXPECT_EQ(raw_read(r, VMMIO_REG_VERSION), r->cfg.version);
	EXPECT_EQ(raw_read(r, VMMIO_REG_DEVICE_ID), r->cfg.device_id);
	EXPECT_EQ(raw_read(r, VMMIO_REG_VENDOR_ID), r->cfg.vendor_id);
}

void raw_reset(struct raw *r)
{
	unsigned polls = 0;

	raw_write(r, VMMIO_REG_STATUS, 0);
	while (raw_read(r, VMMIO_REG_STATUS) != 0 && ++polls < RAW_RESET_POLLS)
		;
	EXPECT(polls < RAW_RESET_POLLS);
	r->status = 0;
}

void raw_status(struct raw *r, uint8_t bits)
{
	r->status |= bits;
	raw_write(r, VMMIO_REG_STATUS, r->status);
}

void raw_ack_driver(struct raw *r)
{
	raw_status(r, VMMIO_STATUS_ACKNOWLEDGE);
	raw_status(r, VMMIO_STATUS_DRIVER);
}

/* Version 1 has no feature bits above 31 ("Legacy Interface: Feature Bits"). */
static unsigned feature_words(const struct raw *r)
{
	return legacy(r) ? 1u : VMMIO_FEATURE_WORDS;
}

void raw_read_features(struct raw *r)
{
	memset(&r->offered, 0, sizeof(r->offered));
	for (unsigned i = 0; i < feature_words(r); i++) {
		raw_write(r, VMMIO_REG_DEVICE_FEATURES_SEL, i);
		r->offered.w[i] = raw_read(r, VMMIO_REG_DEVICE_FEATURES);
	}
	EXPECT(vmmio_feat_equal(&r->offered, &r->cfg.features));
}

void raw_write_features(struct raw *r, const struct vmmio_features *f)
{
	for (unsigned i = 0; i < feature_words(r); i++) {
		raw_write(r, VMMIO_REG_DRIVER_FEATURES_SEL, i);
		raw_write(r, VMMIO_REG_DRIVER_FEATURES, f->w[i]);
	}
}

bool raw_features_ok(struct raw *r)
{
	raw_status(r, VMMIO_STATUS_FEATURES_OK);
	return raw_read(r, VMMIO_REG_STATUS) & VMMIO_STATUS_FEATURES_OK;
}

void raw_min_features(const struct raw *r, struct vmmio_features *f)
{
	memset(f, 0, sizeof(*f));
	if (!legacy(r))
		vmmio_feat_set(f, VMMIO_F_VERSION_1);
}

void raw_to_driver(struct raw *r)
{
	raw_probe(r);
	raw_reset(r);
	raw_ack_driver(r);
}

void raw_negotiate(struct raw *r, const struct vmmio_features *accept)
{
	struct vmmio_features min;

	if (!accept) {
		raw_min_features(r, &min);
		accept = &min;
	}
	raw_to_driver(r);
	raw_read_features(r);
	raw_write_features(r, accept);
	if (!legacy(r))
		EXPECT(raw_features_ok(r));
}

void raw_guest_page_size(struct raw *r)
{
	raw_write(r, VMMIO_REG_LEGACY_GUEST_PAGE_SIZE, VMMIO_LEGACY_PAGE_SIZE);
}

uint64_t raw_queue_addr(uint16_t q)
{
	return RAW_QUEUE_BASE + q * RAW_QUEUE_STRIDE;
}

static void write64(struct raw *r, uint32_t low_off, uint64_t val)
{
	raw_write(r, low_off, (uint32_t)val);
	raw_write(r, low_off + 4, (uint32_t)(val >> 32));
}

void raw_queue_setup(struct raw *r, uint16_t q, uint16_t num)
{
	uint64_t base = raw_queue_addr(q);

	/* "Virtqueue Configuration" (and its legacy variant), step by step. */
	raw_write(r, VMMIO_REG_QUEUE_SEL, q);
	if (legacy(r)) {
		EXPECT_EQ(raw_read(r, VMMIO_REG_LEGACY_QUEUE_PFN), 0);
		EXPECT(raw_read(r, VMMIO_REG_QUEUE_NUM_MAX) >= num);
		raw_write(r, VMMIO_REG_QUEUE_NUM, num);
		raw_write(r, VMMIO_REG_LEGACY_QUEUE_ALIGN, VMMIO_LEGACY_ALIGN);
		raw_write(r, VMMIO_REG_LEGACY_QUEUE_PFN, (uint32_t)(base / VMMIO_LEGACY_PAGE_SIZE));
		return;
	}
	EXPECT_EQ(raw_read(r, VMMIO_REG_QUEUE_READY), 0);
	EXPECT(raw_read(r, VMMIO_REG_QUEUE_NUM_MAX) >= num);
	raw_write(r, VMMIO_REG_QUEUE_NUM, num);
	write64(r, VMMIO_REG_QUEUE_DESC_LOW, base);
	write64(r, VMMIO_REG_QUEUE_DRIVER_LOW, base + RAW_QUEUE_STRIDE / 2);
	write64(r, VMMIO_REG_QUEUE_DEVICE_LOW, base + RAW_QUEUE_STRIDE * 3 / 4);
	raw_write(r, VMMIO_REG_QUEUE_READY, 1);
}

void raw_live(struct raw *r, const struct vmmio_features *accept)
{
	raw_negotiate(r, accept);
	if (legacy(r))
		raw_guest_page_size(r);
	raw_queue_setup(r, 0, 64);
	raw_status(r, VMMIO_STATUS_DRIVER_OK);
}

void raw_expect_clean(struct raw *r)
{
	size_t n = devsim_violation_count(r->sim);

	if (n) {
		conf_failf(__FILE__, __LINE__,
			   "%zu violation(s) before the deliberate break: the correct steps were flagged",
			   n);
		conf_print_violations(r->sim);
	}
}

void raw_expect_caught(struct raw *r, enum devsim_rule rule)
{
	const char *id = devsim_rule_info(rule)->id;

	EXPECT(devsim_violated(r->sim, rule));
	for (size_t i = 0; i < devsim_violation_count(r->sim); i++) {
		const struct devsim_violation *v = devsim_violation(r->sim, i);

		if (v->rule != rule)
			continue;
		if (!v->detail[0])
			conf_failf(__FILE__, __LINE__, "%s recorded without a detail", id);
		return;
	}
	conf_failf(__FILE__, __LINE__, "the checker did not catch %s", id);
	conf_print_violations(r->sim);
}

void raw_expect_not_caught(struct raw *r, enum devsim_rule rule)
{
	if (devsim_violated(r->sim, rule)) {
		conf_failf(__FILE__, __LINE__, "the break was also flagged as %s",
			   devsim_rule_info(rule)->id);
		conf_print_violations(r->sim);
	}
}

void raw_take_irq(struct raw *r, uint32_t bits)
{
	devsim_raise_irq(r->sim, bits);
	EXPECT_EQ(raw_wait_irq(r, 100), 1);
	EXPECT_EQ(raw_read(r, VMMIO_REG_INTERRUPT_STATUS), bits);
}

/* --- rings written by hand ----------------------------------------------------- */

/* Each side's structures on a cache line of their own, as the driver lays
 * them out; the spec asks only for the alignments of "Virtqueue Part
 * Alignment" (16, 2, 4; packed 16, 4, 4). */
#define RAW_RING_LINE 64u

static size_t line_up(size_t n)
{
	return (n + RAW_RING_LINE - 1) & ~(size_t)(RAW_RING_LINE - 1);
}

void raw_ring_alloc(struct raw_ring *g, uint16_t num, bool packed)
{
	size_t driver_off, device_off, size;
	uint8_t *va;

	memset(g, 0, sizeof(*g));
	g->num = num;
	g->packed = packed;
	g->wrap = true; /* "initialized to 1" */
	if (packed) {
		driver_off = line_up(vmmio_packed_desc_size(num));
		device_off = driver_off + RAW_RING_LINE;
		size = device_off + RAW_RING_LINE;
	} else {
		driver_off = vmmio_split_desc_size(num);
		device_off = line_up(driver_off + vmmio_split_avail_size(num));
		size = device_off + vmmio_split_used_size(num);
	}
	if (vmmio_dma_heap_alloc(&g->mem, size, 4096) ||
	    vmmio_dma_heap_alloc(&g->data, RAW_RING_DATA, 4096)) {
		printf("# out of memory for a ring of %u entries\n", (unsigned)num);
		abort();
	}
	va = g->mem.va;
	g->desc = g->mem.iova;
	g->driver = g->mem.iova + driver_off;
	g->device = g->mem.iova + device_off;
	if (packed) {
		g->pdesc = (struct vmmio_pdesc *)(void *)va;
		g->driver_ev = (struct vmmio_pevent *)(void *)(va + driver_off);
		g->device_ev = (struct vmmio_pevent *)(void *)(va + device_off);
	} else {
		g->sdesc = (struct vmmio_vring_desc *)(void *)va;
		g->avail = (struct vmmio_vring_avail *)(void *)(va + driver_off);
		g->used = (struct vmmio_vring_used *)(void *)(va + device_off);
	}
}

void raw_ring_free(struct raw_ring *g)
{
	vmmio_dma_heap_free(&g->mem);
	vmmio_dma_heap_free(&g->data);
}

void *raw_ring_data(const struct raw_ring *g, size_t off, uint64_t *iova)
{
	if (off >= RAW_RING_DATA) {
		printf("# raw_ring_data: offset %zu beyond the %u bytes of data\n", off,
		       RAW_RING_DATA);
		abort();
	}
	if (iova)
		*iova = g->data.iova + off;
	return (uint8_t *)g->data.va + off;
}

void raw_queue_setup_ring(struct raw *r, uint16_t q, const struct raw_ring *g)
{
	EXPECT(!legacy(r));
	raw_write(r, VMMIO_REG_QUEUE_SEL, q);
	EXPECT_EQ(raw_read(r, VMMIO_REG_QUEUE_READY), 0);
	EXPECT(raw_read(r, VMMIO_REG_QUEUE_NUM_MAX) >= g->num);
	raw_write(r, VMMIO_REG_QUEUE_NUM, g->num);
	write64(r, VMMIO_REG_QUEUE_DESC_LOW, g->desc);
	write64(r, VMMIO_REG_QUEUE_DRIVER_LOW, g->driver);
	write64(r, VMMIO_REG_QUEUE_DEVICE_LOW, g->device);
	raw_write(r, VMMIO_REG_QUEUE_READY, 1);
}

void raw_live_ring(struct raw *r, const struct vmmio_features *accept, const struct raw_ring *g)
{
	raw_negotiate(r, accept);
	raw_queue_setup_ring(r, 0, g);
	raw_status(r, VMMIO_STATUS_DRIVER_OK);
}

void raw_split_avail(struct raw_ring *g, uint16_t head)
{
	g->avail->ring[g->avail_idx % g->num] = head;
	g->avail_idx++;
	/* "Updating idx": the ring entry and descriptors before the idx. */
	vmmio_wmb();
	vmmio_store16(&g->avail->idx, g->avail_idx);
}

/* "the driver sets the VIRTQ_DESC_F_AVAIL bit in Flags to match the
 * internal Driver Ring Wrap Counter. It also sets the VIRTQ_DESC_F_USED bit
 * to match the inverse value." */
static uint16_t avail_bits(bool wrap)
{
	return wrap ? VMMIO_DESC_F_AVAIL : VMMIO_DESC_F_USED;
}

uint16_t raw_packed_avail(struct raw_ring *g, const struct vmmio_pdesc *d, unsigned n)
{
	const uint16_t head = g->next;
	uint16_t head_flags = 0;

	for (unsigned i = 0; i < n; i++) {
		struct vmmio_pdesc *p = &g->pdesc[g->next];
		const uint16_t flags = (uint16_t)(d[i].flags | avail_bits(g->wrap));

		p->addr = d[i].addr;
		p->len = d[i].len;
		p->id = d[i].id;
		if (i)
			vmmio_store16(&p->flags, flags);
		else
			head_flags = flags;
		if (++g->next == g->num) {
			g->next = 0;
			g->wrap = !g->wrap;
		}
	}
	/* "A driver MUST NOT make the first descriptor in the list available
	 * before all subsequent descriptors comprising the list are made
	 * available." */
	vmmio_wmb();
	vmmio_store16(&g->pdesc[head].flags, head_flags);
	return head;
}

void raw_notify(struct raw *r, uint32_t val)
{
	raw_write(r, VMMIO_REG_QUEUE_NOTIFY, val);
}

/* Room for the segments of a chain the device takes: more than the queue
 * sizes of the negative tests, so a chain that is too long is found too
 * long, not too big for the caller. */
#define RAW_TAKE_SEGS 64u

uint64_t raw_blk(const struct raw_ring *g, unsigned k)
{
	uint64_t iova;

	raw_ring_data(g, (size_t)k * 256u, &iova);
	return iova;
}

void raw_take_use(struct raw *r, unsigned n_seg, bool indirect, uint32_t len)
{
	struct devsim_seg seg[RAW_TAKE_SEGS];
	struct devsim_chain c = { .seg = seg, .seg_cap = RAW_TAKE_SEGS };
	struct devsim_used u;
	int rc = devsim_vq_take(r->sim, 0, &c);

	if (rc != 1) {
		conf_failf(__FILE__, __LINE__, "devsim_vq_take(queue 0) returned %d, want 1", rc);
		return;
	}
	EXPECT_EQ(c.n_seg, n_seg);
	EXPECT_EQ(c.indirect, indirect);
	u = (struct devsim_used){ .id = c.id, .len = len };
	EXPECT_EQ(devsim_vq_use(r->sim, 0, &u, 1, false), 0);
}

void raw_split_good(struct raw *r, struct raw_ring *g)
{
	g->sdesc[0] = (struct vmmio_vring_desc){ raw_blk(g, 0), 64, VMMIO_DESC_F_NEXT, 1 };
	g->sdesc[1] = (struct vmmio_vring_desc){ raw_blk(g, 1), 64, VMMIO_DESC_F_WRITE, 0 };
	raw_split_avail(g, 0);
	raw_notify(r, 0);
	raw_take_use(r, 2, false, 64);
}

void raw_packed_good(struct raw *r, struct raw_ring *g)
{
	const struct vmmio_pdesc d[2] = {
		{ raw_blk(g, 0), 64, 0, VMMIO_DESC_F_NEXT },
		{ raw_blk(g, 1), 64, 0, VMMIO_DESC_F_WRITE },
	};

	raw_packed_avail(g, d, 2);
	raw_notify(r, 0);
	raw_take_use(r, 2, false, 64);
}

uint64_t raw_packed_table(struct raw_ring *g, size_t off, unsigned n, unsigned at,
			  uint16_t flags)
{
	struct vmmio_pdesc *t;
	uint64_t iova;

	t = raw_ring_data(g, off, &iova);
	for (unsigned i = 0; i < n; i++)
		t[i] = (struct vmmio_pdesc){ raw_blk(g, 2 + i), 64, 0,
					     i + 1 == n ? VMMIO_DESC_F_WRITE : 0 };
	t[at].flags |= flags;
	return iova;
}

void raw_expect_only(struct raw *r, enum devsim_rule rule)
{
	const size_t n = devsim_violation_count(r->sim);

	raw_expect_caught(r, rule);
	if (n > 1) {
		conf_failf(__FILE__, __LINE__, "%zu violations recorded, want only %s", n,
			   devsim_rule_info(rule)->id);
		conf_print_violations(r->sim);
	}
}

void raw_take_refused(struct raw *r)
{
	struct devsim_seg seg[RAW_TAKE_SEGS];
	struct devsim_chain c = { .seg = seg, .seg_cap = RAW_TAKE_SEGS };

	EXPECT_EQ(devsim_vq_take(r->sim, 0, &c), -EPROTO);
}
