/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtqueue API's slow path: parameters, memory, creation and
 * destruction, the out-of-line fault reports of both engines, notification,
 * interrupt enabling, reclaim and reset, state. The burst path is inline
 * (vmmio_vq.h and the private headers it includes).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vq_engine.h"

/* A legacy device takes the ring's page number in the 32-bit QueuePFN. */
#define LEGACY_IOVA_LIMIT ((uint64_t)VMMIO_LEGACY_PAGE_SIZE << 32)
/* Bytes of one indirect table entry (both formats' descriptors). */
#define IND_ENTRY 16u

void vmmio_vq_params_from_dev(struct vmmio_vq_params *p, const struct vmmio_dev *d,
			      uint16_t index, uint16_t num)
{
	const struct vmmio_features *f = &d->driver_features;

	memset(p, 0, sizeof(*p));
	p->index = index;
	p->num = num;
	p->legacy = d->version == VMMIO_VERSION_LEGACY;
	p->packed = vmmio_feat_has(f, VMMIO_F_RING_PACKED);
	p->event_idx = vmmio_feat_has(f, VMMIO_F_EVENT_IDX);
	p->in_order = vmmio_feat_has(f, VMMIO_F_IN_ORDER);
	p->notification_data = vmmio_feat_has(f, VMMIO_F_NOTIFICATION_DATA);
	if (vmmio_feat_has(f, VMMIO_F_INDIRECT_DESC))
		p->indirect_max = VMMIO_VQ_INDIRECT_MAX_DEFAULT;
	p->numa_node = VMMIO_NUMA_ANY;
}

/*
 * Whether @p can make a queue; if not, the reason into @why (@len bytes,
 * may be 0), quoting the value at fault.
 */
static bool params_ok(const struct vmmio_vq_params *p, char *why, size_t len)
{
	if (!p->num || p->num > VMMIO_QUEUE_SIZE_MAX)
		snprintf(why, len, "queue size must be 1..32768 (got %u)", p->num);
	else if (!p->packed && (p->num & (p->num - 1)))
		snprintf(why, len, "a split ring's size must be a power of 2 (got %u)", p->num);
	else if (p->packed && p->legacy)
		snprintf(why, len, "legacy (Version 1) devices have no packed rings");
	else if (p->indirect_max == 1)
		snprintf(why, len, "an indirect table needs at least 2 entries (indirect_max 1)");
	else if (p->indirect_min == 1)
		snprintf(why, len, "indirect_min must be 0 (default 2) or at least 2 (got 1)");
	else
		return true;
	return false;
}

static size_t ring_size(const struct vmmio_vq_params *p)
{
	return p->packed ? vmmio_vq_packed_ring_size(p) : vmmio_vq_split_ring_size(p);
}

/* log2 of the bytes between two indirect tables: a power of 2, so that a
 * slot's table is found with shifts and masks, never a division. */
static unsigned ind_stride_shift(const struct vmmio_vq_params *p)
{
	unsigned s = 4;

	while ((1u << s) < IND_ENTRY * p->indirect_max)
		s++;
	return s;
}

size_t vmmio_vq_mem_size(const struct vmmio_vq_params *p)
{
	if (!params_ok(p, NULL, 0))
		return 0;
	if (!p->indirect_max)
		return ring_size(p);
	return ring_size(p) + ((size_t)p->num << ind_stride_shift(p));
}

/* --- memory ------------------------------------------------------------------------- */

static int dma_get(struct vmmio_vq *vq, struct vmmio_dma *m, size_t len, char *err, size_t errlen)
{
	const struct vmmio_dma_req req = {
		.len = len,
		.align = VMMIO_VQ_MEM_ALIGN,
		.node = vq->p.numa_node,
		.iova_limit = vq->p.legacy ? LEGACY_IOVA_LIMIT : 0,
	};
	char why[VMMIO_VQ_ERR_LEN / 2];
	int r = vmmio_dma_alloc(vq->alloc, &req, m, why, sizeof(why));

	if (r)
		snprintf(err, errlen, "queue %u: no DMA memory for %zu bytes: %s", vq->p.index, len,
			 why);
	return r;
}

/*
 * The indirect tables: num slots of 1 << stride bytes, in ranges of
 * 1 << chunk slots, as large as the allocator gives contiguous (a table
 * never straddles two ranges, which need not be adjacent for the device).
 */
static int ind_alloc(struct vmmio_vq *vq, char *err, size_t errlen)
{
	const size_t max = vq->alloc->max_contig;
	unsigned chunk = 15; /* log2 of slots per range: all 32768 at most */

	vq->ind_stride_shift = (uint8_t)ind_stride_shift(&vq->p);
	while ((1u << chunk) >= 2u * vq->p.num)
		chunk--;
	if (max) {
		if (max < (1u << vq->ind_stride_shift)) {
			snprintf(err, errlen,
				 "queue %u: an indirect table of %u bytes does not fit the %zu contiguous bytes %s gives",
				 vq->p.index, 1u << vq->ind_stride_shift, max, vq->alloc->name);
			return -ENOMEM;
		}
		while (((size_t)1 << (chunk + vq->ind_stride_shift)) > max)
			chunk--;
	}
	vq->ind_chunk_shift = (uint8_t)chunk;
	vq->n_ind = (vq->p.num + (1u << chunk) - 1) >> chunk;
	vq->ind = vq->alloc->ops->zalloc(vq->alloc->ctx, vq->n_ind * sizeof(*vq->ind),
					 vq->p.numa_node);
	if (!vq->ind) {
		snprintf(err, errlen, "queue %u: out of memory", vq->p.index);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < vq->n_ind; i++) {
		const unsigned slots = i + 1 < vq->n_ind ? 1u << chunk : vq->p.num - (i << chunk);
		int r = dma_get(vq, &vq->ind[i], (size_t)slots << vq->ind_stride_shift, err, errlen);

		if (r)
			return r;
	}
	return 0;
}

static void *shadow_alloc(struct vmmio_vq *vq, size_t len)
{
	return vq->alloc->ops->zalloc(vq->alloc->ctx, len, vq->p.numa_node);
}

static void shadow_free(const struct vmmio_allocator *a, void *p, size_t len)
{
	if (p)
		a->ops->free(a->ctx, p, len);
}

static size_t extra_size(const struct vmmio_vq_params *p)
{
	return (size_t)p->num * (p->packed ? sizeof(struct vmmio_vq_packed_extra)
					   : sizeof(struct vmmio_vq_split_extra));
}

/* Everything but the queue itself, as far as it was allocated. */
static void vq_mem_free(struct vmmio_vq *vq)
{
	const struct vmmio_allocator *a = vq->alloc;

	for (unsigned i = 0; vq->ind && i < vq->n_ind; i++)
		vmmio_dma_free(a, &vq->ind[i]);
	shadow_free(a, vq->ind, vq->n_ind * sizeof(*vq->ind));
	vmmio_dma_free(a, &vq->ring);
	shadow_free(a, vq->reclaim_order, vq->p.num * sizeof(*vq->reclaim_order));
	/* split.extra and packed.extra share their place in the union */
	shadow_free(a, vq->p.packed ? (void *)vq->packed.extra : (void *)vq->split.extra,
		    extra_size(&vq->p));
}

/* Start over: ring memory zeroed, the engine's shadow state initial. */
static void vq_init(struct vmmio_vq *vq)
{
	memset(vq->ring.va, 0, vq->ring.len);
	if (vq->p.packed)
		vmmio_vq_packed_init(vq);
	else
		vmmio_vq_split_init(vq);
}

struct vmmio_vq *vmmio_vq_create(const struct vmmio_vq_params *p, const struct vmmio_allocator *a,
				 char *err, size_t errlen)
{
	struct vmmio_vq *vq;
	char why[96];
	void *extra;

	if (!params_ok(p, why, sizeof(why))) {
		snprintf(err, errlen, "queue %u: %s", p->index, why);
		return NULL;
	}
	if (a->max_contig && ring_size(p) > a->max_contig) {
		snprintf(err, errlen,
			 "queue %u: a ring of %u entries takes %zu contiguous bytes, %s gives at most %zu",
			 p->index, p->num, ring_size(p), a->name, a->max_contig);
		return NULL;
	}
	vq = a->ops->zalloc(a->ctx, sizeof(*vq), p->numa_node);
	if (!vq) {
		snprintf(err, errlen, "queue %u: out of memory", p->index);
		return NULL;
	}
	vq->p = *p;
	if (vq->p.indirect_max && !vq->p.indirect_min)
		vq->p.indirect_min = 2;
	vq->alloc = a;
	vq->ring.fd = -1;
	extra = shadow_alloc(vq, extra_size(p));
	if (p->packed)
		vq->packed.extra = extra;
	else
		vq->split.extra = extra;
	vq->reclaim_order = shadow_alloc(vq, p->num * sizeof(*vq->reclaim_order));
	if (!extra || !vq->reclaim_order) {
		snprintf(err, errlen, "queue %u: out of memory", p->index);
		goto fail;
	}
	if (dma_get(vq, &vq->ring, ring_size(p), err, errlen))
		goto fail;
	if (p->indirect_max && ind_alloc(vq, err, errlen))
		goto fail;
	vq_init(vq);
	return vq;
fail:
	vq_mem_free(vq);
	a->ops->free(a->ctx, vq, sizeof(*vq));
	return NULL;
}

void vmmio_vq_destroy(struct vmmio_vq *vq)
{
	const struct vmmio_allocator *a;

	if (!vq)
		return;
	a = vq->alloc;
	vq_mem_free(vq);
	a->ops->free(a->ctx, vq, sizeof(*vq));
}

void vmmio_vq_queue_cfg(const struct vmmio_vq *vq, struct vmmio_queue_cfg *out)
{
	if (vq->p.packed)
		vmmio_vq_packed_queue_cfg(vq, out);
	else
		vmmio_vq_split_queue_cfg(vq, out);
}

int vmmio_vq_enable(struct vmmio_vq *vq, struct vmmio_dev *d)
{
	struct vmmio_queue_cfg cfg;

	vmmio_vq_queue_cfg(vq, &cfg);
	return vmmio_queue_enable(d, vq->p.index, &cfg);
}

/* --- the engines' fault reports ------------------------------------------------------ */

void vmmio_vq_pvt_break(struct vmmio_vq *vq, enum vmmio_vq_fault f, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (vq->broken)
		return;
	vq->broken = true;
	vq->fault = f;
	n = snprintf(vq->err, sizeof(vq->err), "queue %u: ", vq->p.index);
	va_start(ap, fmt);
	vsnprintf(vq->err + n, sizeof(vq->err) - (size_t)n, fmt, ap);
	va_end(ap);
}

void vmmio_vq_pvt_bad_buf(struct vmmio_vq *vq, const struct vmmio_buf *b)
{
	const unsigned nseg = (unsigned)b->n_out + b->n_in;
	int n = snprintf(vq->err, sizeof(vq->err), "queue %u: invalid buffer: ", vq->p.index);
	char *w = vq->err + n;
	const size_t left = sizeof(vq->err) - (size_t)n;
	uint64_t total = 0;

	if (!b->cookie) {
		snprintf(w, left, "NULL cookie");
		return;
	}
	if (!nseg || !b->seg) {
		snprintf(w, left, "no segment");
		return;
	}
	for (unsigned i = 0; i < nseg; i++)
		total += b->seg[i].len;
	if (total > UINT32_MAX)
		snprintf(w, left, "%llu bytes in %u segments, above 4 GiB",
			 (unsigned long long)total, nseg);
	else
		snprintf(w, left, "%u segments, more than QueueSize %u%s", nseg, vq->p.num,
			 vq->p.indirect_max ? " and the indirect table size" : "");
}

/* --- notification and interrupts -------------------------------------------------------- */

int vmmio_vq_notify(struct vmmio_vq *vq, struct vmmio_dev *d)
{
	int r = vmmio_notify(d, vmmio_vq_notify_value(vq));

	if (!r)
		vq->stats.kicks++;
	return r;
}

void vmmio_vq_intr_disable(struct vmmio_vq *vq)
{
	vq->intr_enabled = false;
	if (vq->p.packed)
		vmmio_vq_packed_intr_disable(vq);
	else
		vmmio_vq_split_intr_disable(vq);
}

bool vmmio_vq_intr_enable(struct vmmio_vq *vq)
{
	vq->intr_enabled = true;
	/* Nothing will be reaped from a broken queue: "go ahead and wait"
	 * (the caller learns why from vmmio_vq_broken()). */
	if (vq->broken)
		return true;
	return vq->p.packed ? vmmio_vq_packed_intr_enable(vq) : vmmio_vq_split_intr_enable(vq);
}

/* --- reclaim and reset ------------------------------------------------------------------- */

static uint64_t slot_seq(const struct vmmio_vq *vq, uint16_t slot)
{
	return vq->p.packed ? vq->packed.extra[slot].seq : vq->split.extra[slot].seq;
}

static void *slot_cookie(const struct vmmio_vq *vq, uint16_t slot)
{
	return vq->p.packed ? vq->packed.extra[slot].cookie : vq->split.extra[slot].cookie;
}

static void sift_down(const struct vmmio_vq *vq, uint16_t *a, unsigned root, unsigned n)
{
	for (;;) {
		unsigned c = 2 * root + 1;
		uint16_t t;

		if (c >= n)
			return;
		if (c + 1 < n && slot_seq(vq, a[c + 1]) > slot_seq(vq, a[c]))
			c++;
		if (slot_seq(vq, a[root]) >= slot_seq(vq, a[c]))
			return;
		t = a[root];
		a[root] = a[c];
		a[c] = t;
		root = c;
	}
}

/* Heapsort @a (@n slots) by add order: no allocation, n log n. */
static void sort_by_seq(const struct vmmio_vq *vq, uint16_t *a, unsigned n)
{
	for (unsigned i = n / 2; i-- > 0;)
		sift_down(vq, a, i, n);
	for (unsigned end = n; end-- > 1;) {
		const uint16_t t = a[0];

		a[0] = a[end];
		a[end] = t;
		sift_down(vq, a, 0, end);
	}
}

unsigned vmmio_vq_reclaim(struct vmmio_vq *vq, vmmio_vq_reclaim_fn fn, void *arg)
{
	uint16_t *order = vq->reclaim_order;
	/* Every outstanding buffer (published or only added, or in an
	 * IN_ORDER batch partly returned) holds a slot with its cookie. */
	const unsigned n = vq->p.packed ? vmmio_vq_packed_outstanding(vq, order)
					: vmmio_vq_split_outstanding(vq, order);

	sort_by_seq(vq, order, n);
	/* The one place a NULL @fn is handled: the buffers are counted. */
	for (unsigned i = 0; fn && i < n; i++)
		fn(slot_cookie(vq, order[i]), arg);
	vq->stats.reclaimed += n;
	vq->broken = false;
	vq->fault = VMMIO_VQ_OK;
	vq->err[0] = '\0';
	vq->kick_deferred = false;
	vq_init(vq);
	return n;
}

int vmmio_vq_reset(struct vmmio_vq *vq, struct vmmio_dev *d, vmmio_vq_reclaim_fn fn, void *arg)
{
	/* Until QueueReset reads back 0 the device may still use the ring:
	 * nothing is handed back before that. */
	int r = vmmio_queue_reset(d, vq->p.index);

	if (r)
		return r;
	vmmio_vq_reclaim(vq, fn, arg);
	return 0;
}

/* --- state ------------------------------------------------------------------------------ */

bool vmmio_vq_broken(const struct vmmio_vq *vq)
{
	return vq->broken;
}

enum vmmio_vq_fault vmmio_vq_fault(const struct vmmio_vq *vq)
{
	return vq->fault;
}

const char *vmmio_vq_error(const struct vmmio_vq *vq)
{
	return vq->err;
}

void vmmio_vq_stats(const struct vmmio_vq *vq, struct vmmio_vq_stats *out)
{
	*out = vq->stats;
}

uint16_t vmmio_vq_index(const struct vmmio_vq *vq)
{
	return vq->p.index;
}

uint16_t vmmio_vq_num(const struct vmmio_vq *vq)
{
	return vq->p.num;
}

bool vmmio_vq_is_packed(const struct vmmio_vq *vq)
{
	return vq->p.packed;
}
