/* SPDX-License-Identifier: BSD-3-Clause */
/* Deterministic traffic for the fault tests. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "traffic.h"

/* Made-up device addresses: the manual backend never touches buffers. */
#define TR_ADDR(i, s) (0x500000000ull + (uint64_t)(i) * 0x1000u + (uint64_t)(s) * 0x800u)

int tr_open(struct traffic *t, const struct rig_ring *ring, enum devsim_backend backend)
{
	const struct rig_opts o = { .ring = *ring, .backend = backend, .nq = 1, .num = TR_NUM };
	int e;

	memset(t, 0, sizeof(*t));
	e = rig_open(&t->rig, &o);
	if (e) {
		printf("# %s\n", t->rig.err);
		return e;
	}
	t->vq = t->rig.vq[TR_Q];
	t->sim = t->rig.sim;
	t->rig.reclaim = tr_recovered;
	t->rig.reclaim_arg = t;
	return 0;
}

void tr_close(struct traffic *t)
{
	rig_close(&t->rig);
}

int tr_add(struct traffic *t, unsigned n, bool kick)
{
	struct vmmio_buf bufs[TR_NUM];
	int r;

	if (n > TR_NUM || t->n_bufs + n > TR_MAX_BUFS)
		return -ENOSPC;
	for (unsigned i = 0; i < n; i++) {
		struct tr_buf *b = &t->b[t->n_bufs + i];

		b->seg[0] = (struct vmmio_seg){ TR_ADDR(t->n_bufs + i, 0), TR_OUT_LEN };
		b->seg[1] = (struct vmmio_seg){ TR_ADDR(t->n_bufs + i, 1), TR_IN_LEN };
		bufs[i] = (struct vmmio_buf){ b->seg, 1, 1, b };
	}
	r = vmmio_vq_add(t->vq, bufs, n);
	for (int i = 0; i < r; i++)
		t->b[t->n_bufs + i].added = true;
	if (r > 0)
		t->n_bufs += (unsigned)r;
	if (kick && vmmio_vq_kick(t->vq, &t->rig.dev) < 0)
		return -EIO;
	return r;
}

unsigned tr_take(struct traffic *t)
{
	struct devsim_seg seg[4];
	unsigned n = 0;

	for (;;) {
		struct devsim_chain c = { .seg = seg, .seg_cap = 4 };
		uint64_t i;

		if (devsim_vq_take(t->sim, TR_Q, &c) != 1)
			return n;
		i = (seg[0].addr - TR_ADDR(0, 0)) / 0x1000u;
		if (c.n_seg != 2 || i >= t->n_bufs || seg[0].addr != TR_ADDR(i, 0)) {
			printf("# the device took a buffer the driver was not given "
			       "(0x%llx, %u segments)\n",
			       (unsigned long long)seg[0].addr, c.n_seg);
			return n;
		}
		t->b[i].id = c.id;
		t->held[t->n_held++] = (unsigned)i;
		n++;
	}
}

int tr_use(struct traffic *t, unsigned n)
{
	return tr_use_batch(t, n, false);
}

int tr_use_batch(struct traffic *t, unsigned n, bool batch)
{
	struct devsim_used u[TR_MAX_BUFS];
	int r;

	if (n > t->n_held)
		return -ENOENT;
	for (unsigned i = 0; i < n; i++)
		u[i] = (struct devsim_used){ t->b[t->held[i]].id, 100 + i };
	r = devsim_vq_use(t->sim, TR_Q, u, n, batch);
	if (!r) {
		memmove(t->held, t->held + n, (t->n_held - n) * sizeof(t->held[0]));
		t->n_held -= n;
	}
	return r;
}

void tr_handed_back(struct traffic *t, void *cookie)
{
	const uintptr_t c = (uintptr_t)cookie, base = (uintptr_t)t->b;
	struct tr_buf *b = cookie;

	if (c < base || c >= base + sizeof(t->b) || (c - base) % sizeof(*b) || !b->added ||
	    b->returned) {
		printf("# cookie %p handed back, not an outstanding buffer\n", cookie);
		t->bad_cookies++;
		return;
	}
	b->returned++;
}

unsigned tr_reap(struct traffic *t)
{
	struct vmmio_used u[TR_NUM];
	unsigned n = 0, got;

	while ((got = vmmio_vq_reap(t->vq, u, TR_NUM)) > 0) {
		for (unsigned i = 0; i < got; i++)
			tr_handed_back(t, u[i].cookie);
		n += got;
	}
	return n;
}

void tr_reclaimed(void *cookie, void *arg)
{
	tr_handed_back(arg, cookie);
}

void tr_recovered(uint16_t q, void *cookie, void *arg)
{
	(void)q;
	tr_handed_back(arg, cookie);
}

void tr_device_reset(struct traffic *t)
{
	t->n_held = 0;
}

unsigned tr_missing(const struct traffic *t)
{
	unsigned n = t->bad_cookies;

	for (unsigned i = 0; i < t->n_bufs; i++)
		n += t->b[i].returned != 1;
	return n;
}
