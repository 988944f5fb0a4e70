/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtqueue API's common layer: parameters, memory layout, creation,
 * the buffer checks both engines share, broken-queue state, statistics,
 * notification and reset, and the one-branch dispatch to split.c or
 * packed.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vq_internal.h"

/* Indirect tables start on a cache line of their own. */
#define VQ_IND_ALIGN 64u

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
	return p->packed ? vq_packed_ring_size(p) : vq_split_ring_size(p);
}

static size_t ind_offset(const struct vmmio_vq_params *p)
{
	return (ring_size(p) + VQ_IND_ALIGN - 1) & ~(size_t)(VQ_IND_ALIGN - 1);
}

size_t vmmio_vq_mem_size(const struct vmmio_vq_params *p)
{
	if (!params_ok(p, NULL, 0))
		return 0;
	return ind_offset(p) + (size_t)p->num * 16u * p->indirect_max;
}

struct vmmio_vq *vmmio_vq_create(const struct vmmio_vq_params *p, const struct vmmio_dma *mem,
				 char *err, size_t errlen)
{
	char why[96];
	struct vmmio_vq *vq;
	size_t need;

	if (!params_ok(p, why, sizeof(why))) {
		snprintf(err, errlen, "queue %u: %s", p->index, why);
		return NULL;
	}
	need = vmmio_vq_mem_size(p);
	if (!mem || !mem->va || mem->len < need || (uintptr_t)mem->va % VMMIO_VQ_MEM_ALIGN ||
	    mem->iova % VMMIO_VQ_MEM_ALIGN) {
		snprintf(err, errlen,
			 "queue %u: ring memory must be %zu bytes aligned to %u (got %zu at %p, IOVA 0x%llx)",
			 p->index, need, VMMIO_VQ_MEM_ALIGN, mem ? mem->len : 0,
			 mem ? mem->va : NULL, mem ? (unsigned long long)mem->iova : 0ull);
		return NULL;
	}
	vq = calloc(1, sizeof(*vq));
	if (!vq) {
		snprintf(err, errlen, "queue %u: out of memory", p->index);
		return NULL;
	}
	vq->p = *p;
	if (vq->p.indirect_max && !vq->p.indirect_min)
		vq->p.indirect_min = 2;
	vq->mem = *mem;
	vq->ind_va = (uint8_t *)mem->va + ind_offset(p);
	vq->ind_iova = mem->iova + ind_offset(p);
	if ((p->packed ? vq_packed_create(vq) : vq_split_create(vq)) < 0) {
		snprintf(err, errlen, "queue %u: out of memory", p->index);
		free(vq);
		return NULL;
	}
	memset(mem->va, 0, need);
	if (p->packed)
		vq_packed_init(vq);
	else
		vq_split_init(vq);
	return vq;
}

void vmmio_vq_destroy(struct vmmio_vq *vq)
{
	if (!vq)
		return;
	if (vq->p.packed)
		vq_packed_destroy(vq);
	else
		vq_split_destroy(vq);
	free(vq);
}

void vmmio_vq_queue_cfg(const struct vmmio_vq *vq, struct vmmio_queue_cfg *out)
{
	if (vq->p.packed)
		vq_packed_queue_cfg(vq, out);
	else
		vq_split_queue_cfg(vq, out);
}

int vmmio_vq_enable(struct vmmio_vq *vq, struct vmmio_dev *d)
{
	struct vmmio_queue_cfg cfg;

	vmmio_vq_queue_cfg(vq, &cfg);
	return vmmio_queue_enable(d, vq->p.index, &cfg);
}

/* --- errors ------------------------------------------------------------------------ */

void vq_break(struct vmmio_vq *vq, enum vmmio_vq_fault f, const char *fmt, ...)
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

static int buf_error(struct vmmio_vq *vq, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int buf_error(struct vmmio_vq *vq, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(vq->err, sizeof(vq->err), "queue %u: invalid buffer: ", vq->p.index);

	va_start(ap, fmt);
	vsnprintf(vq->err + n, sizeof(vq->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int vq_check_buf(struct vmmio_vq *vq, const struct vmmio_buf *b, uint16_t *ndescs,
		 bool *indirect, uint32_t *in_len)
{
	const unsigned nseg = (unsigned)b->n_out + b->n_in;
	uint64_t total = 0, in = 0;

	if (!b->cookie)
		return buf_error(vq, "NULL cookie");
	if (!nseg || !b->seg)
		return buf_error(vq, "no segment");
	for (unsigned i = 0; i < nseg; i++) {
		total += b->seg[i].len;
		if (i >= b->n_out)
			in += b->seg[i].len;
	}
	/* "Drivers MUST NOT add a descriptor chain longer than 2^32 bytes in
	 * total". */
	if (total > UINT32_MAX)
		return buf_error(vq, "%llu bytes in %u segments, above 4 GiB",
				 (unsigned long long)total, nseg);
	*in_len = (uint32_t)in;
	/* An indirect table is a chain too: at most QueueSize entries. */
	*indirect = vq->p.indirect_max && nseg >= vq->p.indirect_min &&
		    nseg <= vq->p.indirect_max && nseg <= vq->p.num;
	if (*indirect) {
		*ndescs = 1;
		return 0;
	}
	/* "A driver MUST NOT create a descriptor chain longer than the Queue
	 * Size of the device." */
	if (nseg > vq->p.num)
		return buf_error(vq, "%u segments, more than QueueSize %u%s", nseg, vq->p.num,
				 vq->p.indirect_max ? " and the indirect table size" : "");
	*ndescs = (uint16_t)nseg;
	return 0;
}

/* --- the dispatch ------------------------------------------------------------------- */

int vmmio_vq_add(struct vmmio_vq *vq, const struct vmmio_buf *bufs, unsigned n)
{
	if (vq->broken)
		return -EIO;
	return vq->p.packed ? vq_packed_add(vq, bufs, n) : vq_split_add(vq, bufs, n);
}

unsigned vmmio_vq_room(const struct vmmio_vq *vq)
{
	return vq->broken ? 0 : vq->num_free;
}

unsigned vmmio_vq_outstanding(const struct vmmio_vq *vq)
{
	return vq->outstanding;
}

bool vmmio_vq_publish(struct vmmio_vq *vq)
{
	bool need;

	if (vq->broken || !vq->unpublished)
		return false;
	need = vq->p.packed ? vq_packed_publish(vq) : vq_split_publish(vq);
	vq->unpublished = 0;
	vq->stats.publishes++;
	if (!need)
		vq->stats.kicks_suppressed++;
	return need;
}

uint32_t vmmio_vq_notify_value(const struct vmmio_vq *vq)
{
	return vq->p.packed ? vq_packed_notify_value(vq) : vq_split_notify_value(vq);
}

int vmmio_vq_notify(struct vmmio_vq *vq, struct vmmio_dev *d)
{
	int r = vmmio_notify(d, vmmio_vq_notify_value(vq));

	if (!r)
		vq->stats.kicks++;
	return r;
}

int vmmio_vq_kick(struct vmmio_vq *vq, struct vmmio_dev *d)
{
	int r;

	if (!vmmio_vq_publish(vq) && !vq->kick_deferred)
		return 0;
	/* Buffers may be made available before DRIVER_OK, notifications may
	 * not: the next kick after DRIVER_OK sends the one that was due. */
	if (!(d->status & VMMIO_STATUS_DRIVER_OK)) {
		vq->kick_deferred = true;
		return 0;
	}
	vq->kick_deferred = false;
	r = vmmio_vq_notify(vq, d);
	return r < 0 ? r : 1;
}

unsigned vmmio_vq_reap(struct vmmio_vq *vq, struct vmmio_used *out, unsigned n)
{
	unsigned got;

	if (vq->broken || !n)
		return 0;
	got = vq->p.packed ? vq_packed_reap(vq, out, n) : vq_split_reap(vq, out, n);
	vq->stats.reaped += got;
	return got;
}

bool vmmio_vq_has_used(const struct vmmio_vq *vq)
{
	if (vq->broken)
		return false;
	return vq->p.packed ? vq_packed_has_used(vq) : vq_split_has_used(vq);
}

void vmmio_vq_intr_disable(struct vmmio_vq *vq)
{
	vq->intr_enabled = false;
	if (vq->p.packed)
		vq_packed_intr_disable(vq);
	else
		vq_split_intr_disable(vq);
}

bool vmmio_vq_intr_enable(struct vmmio_vq *vq)
{
	vq->intr_enabled = true;
	/* Nothing will be reaped from a broken queue: "go ahead and wait"
	 * (the caller learns why from vmmio_vq_broken()). */
	if (vq->broken)
		return true;
	return vq->p.packed ? vq_packed_intr_enable(vq) : vq_split_intr_enable(vq);
}

/* --- reset ---------------------------------------------------------------------------- */

/* A reclaim without a callback: the buffers are only counted. */
static void reclaim_drop(void *cookie, void *arg)
{
	(void)cookie;
	(void)arg;
}

unsigned vmmio_vq_reclaim(struct vmmio_vq *vq, vmmio_vq_reclaim_fn fn, void *arg)
{
	unsigned n;

	/* The one place a NULL @fn is handled: the engines always call one. */
	if (!fn)
		fn = reclaim_drop;
	n = vq->p.packed ? vq_packed_reclaim(vq, fn, arg) : vq_split_reclaim(vq, fn, arg);

	vq->stats.reclaimed += n;
	vq->broken = false;
	vq->fault = VMMIO_VQ_OK;
	vq->err[0] = '\0';
	vq->kick_deferred = false;
	vq->unpublished = 0;
	memset(vq->mem.va, 0, vmmio_vq_mem_size(&vq->p));
	if (vq->p.packed)
		vq_packed_init(vq);
	else
		vq_split_init(vq);
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
