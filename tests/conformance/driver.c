/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers of the positive tests: the driver on a devsim device. */
#include "driver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void drv_config(struct drv *t, enum devsim_personality p, bool legacy)
{
	memset(t, 0, sizeof(*t));
	devsim_config_default(&t->cfg, p, legacy);
}

void drv_start(struct drv *t)
{
	t->sim = devsim_create(&t->cfg);
	if (!t->sim) {
		printf("# devsim_create refused the device configuration\n");
		abort();
	}
	t->win = devsim_regwin(t->sim);
}

void drv_close(struct drv *t)
{
	devsim_destroy(t->sim);
	t->sim = NULL;
}

void drv_all_features(struct vmmio_features *f)
{
	memset(f, 0xff, sizeof(*f));
}

/* Far above 4 GiB on Version 2 so that the High halves of the address
 * registers matter; page aligned, and QueuePFN still fits 32 bits. */
#define DRV_QUEUE_BASE 0x100000000ull
#define DRV_QUEUE_STRIDE 0x1000000ull /* room for the largest split ring */

void drv_queue_cfg(const struct vmmio_dev *d, uint16_t idx, uint16_t num,
		   struct vmmio_queue_cfg *out)
{
	uint64_t base = DRV_QUEUE_BASE + (uint64_t)idx * DRV_QUEUE_STRIDE;

	out->num = num;
	out->desc = base;
	if (d->version == VMMIO_VERSION_LEGACY) {
		/* "Legacy Interfaces: A Note on Virtqueue Layout": one
		 * contiguous area, the used ring at QueueAlign. */
		struct vmmio_legacy_layout l;

		vmmio_legacy_layout(num, VMMIO_LEGACY_ALIGN, &l);
		out->driver = base + l.avail_off;
		out->device = base + l.used_off;
	} else {
		out->driver = base + DRV_QUEUE_STRIDE / 2;
		out->device = base + DRV_QUEUE_STRIDE * 3 / 4;
	}
}

int drv_setup_queues(struct vmmio_dev *d, void *arg)
{
	struct drv_queues *q = arg;

	q->calls++;
	q->enabled = 0;
	for (uint16_t idx = 0; idx < DEVSIM_MAX_QUEUES; idx++) {
		uint16_t max = 0;
		struct vmmio_queue_cfg cfg;
		int rc = vmmio_queue_max(d, idx, &max);

		if (rc)
			return rc;
		if (!max)
			break; /* "If the returned value is zero (0x0) the queue is not available." */
		drv_queue_cfg(d, idx, q->num && q->num < max ? q->num : max, &cfg);
		rc = vmmio_queue_enable(d, idx, &cfg);
		if (rc)
			return rc;
		q->enabled++;
	}
	return 0;
}

bool drv_live(struct drv *t, const struct vmmio_features *wanted, struct drv_queues *q)
{
	struct vmmio_features all;
	int rc = vmmio_probe(&t->dev, &t->win, NULL);

	if (rc) {
		conf_failf(__FILE__, __LINE__, "vmmio_probe returned %d (%s)", rc,
			   vmmio_dev_error(&t->dev));
		return false;
	}
	drv_all_features(&all);
	rc = vmmio_init(&t->dev, wanted ? wanted : &all, drv_setup_queues, q);
	if (rc) {
		conf_failf(__FILE__, __LINE__, "vmmio_init returned %d (%s)", rc,
			   vmmio_dev_error(&t->dev));
		return false;
	}
	EXPECT(q->enabled > 0);
	return true;
}

void expect_clean(struct devsim *sim)
{
	size_t n = devsim_violation_count(sim);

	EXPECT_EQ(n, 0);
	if (n)
		conf_print_violations(sim);
}

void expect_status(struct devsim *sim, uint8_t status)
{
	char have[96], want[96];
	uint8_t s = devsim_status(sim);

	if (s != status)
		conf_failf(__FILE__, __LINE__, "device Status is %s, want %s",
			   vmmio_status_format(s, have, sizeof(have)),
			   vmmio_status_format(status, want, sizeof(want)));
}

void expect_queue_ready(struct devsim *sim, uint16_t q, bool ready)
{
	struct devsim_queue_state st;

	if (devsim_queue_state(sim, q, &st)) {
		conf_failf(__FILE__, __LINE__, "devsim has no queue %u", (unsigned)q);
		return;
	}
	if (st.ready != ready)
		conf_failf(__FILE__, __LINE__, "queue %u is %sready, want %sready", (unsigned)q,
			   st.ready ? "" : "not ", ready ? "" : "not ");
}


int drv_setup_rings(struct vmmio_dev *d, void *arg)
{
	struct drv_rings *r = arg;
	char err[VMMIO_VQ_ERR_LEN];
	int rc;

	if (r->nq > DRV_RINGS_MAX)
		return -EINVAL;
	for (uint16_t i = 0; i < r->nq; i++) {
		struct vmmio_vq_params *p = &r->p[i];

		if (r->vq[i])
			return -EBUSY; /* made once: these tests never recover */
		vmmio_vq_params_from_dev(p, d, i, r->num);
		if (r->no_indirect)
			p->indirect_max = 0;
		if (p->indirect_max)
			p->indirect_min = r->indirect_min;
		r->vq[i] = vmmio_vq_create(p, vmmio_heap_allocator(), err, sizeof(err));
		if (!r->vq[i]) {
			printf("# %s\n", err);
			return -EINVAL;
		}
		rc = vmmio_vq_enable(r->vq[i], d);
		if (rc)
			return rc;
	}
	return 0;
}

/* Bring @t up with the rings of @r: all the way (vmmio_init()), or with
 * @stop_before_ok up to the setup step, DRIVER_OK not set. */
static bool rings_up(struct drv *t, const struct vmmio_features *wanted, struct drv_rings *r,
		     bool stop_before_ok)
{
	int rc;

	if (vmmio_dma_heap_alloc(&r->data, DRV_RINGS_DATA, 4096)) {
		conf_failf(__FILE__, __LINE__, "no memory for %u bytes of buffers", DRV_RINGS_DATA);
		return false;
	}
	rc = vmmio_probe(&t->dev, &t->win, NULL);
	if (!rc && !stop_before_ok)
		rc = vmmio_init(&t->dev, wanted, drv_setup_rings, r);
	if (!rc && stop_before_ok)
		rc = vmmio_begin(&t->dev);
	if (!rc && stop_before_ok)
		rc = vmmio_negotiate(&t->dev, wanted);
	if (!rc && stop_before_ok)
		rc = drv_setup_rings(&t->dev, r);
	if (rc) {
		conf_failf(__FILE__, __LINE__,
			   "bringing the device up with %u ring(s) returned %d (%s)", r->nq, rc,
			   vmmio_dev_error(&t->dev));
		return false;
	}
	for (uint16_t i = 0; i < r->nq; i++)
		if (!r->vq[i])
			return false;
	return true;
}

bool drv_rings_live(struct drv *t, const struct vmmio_features *wanted, struct drv_rings *r)
{
	return rings_up(t, wanted, r, false);
}

bool drv_rings_ready(struct drv *t, const struct vmmio_features *wanted, struct drv_rings *r)
{
	return rings_up(t, wanted, r, true);
}

void drv_rings_free(struct drv_rings *r)
{
	for (unsigned i = 0; i < DRV_RINGS_MAX; i++) {
		vmmio_vq_destroy(r->vq[i]);
		r->vq[i] = NULL;
	}
	vmmio_dma_heap_free(&r->data);
}

struct vmmio_seg drv_seg(const struct drv_rings *r, unsigned k, uint32_t len)
{
	const uint64_t off = (uint64_t)k * 256u % DRV_RINGS_DATA;

	return (struct vmmio_seg){ .addr = r->data.iova + off, .len = len };
}

/* --- the driver's rings with the device serviced by the test ------------------------ */

static const struct {
	unsigned flag;
	unsigned bit;
} ring_bits[] = {
	{ DRV_RF_PACKED, VMMIO_F_RING_PACKED },	 { DRV_RF_EVENT_IDX, VMMIO_F_EVENT_IDX },
	{ DRV_RF_IN_ORDER, VMMIO_F_IN_ORDER },	 { DRV_RF_INDIRECT, VMMIO_F_INDIRECT_DESC },
	{ DRV_RF_NOTIFY_DATA, VMMIO_F_NOTIFICATION_DATA },
};

#define N_RING_BITS (sizeof(ring_bits) / sizeof(ring_bits[0]))

void drv_ring_features(struct vmmio_features *f, unsigned want)
{
	drv_all_features(f);
	for (size_t i = 0; i < N_RING_BITS; i++)
		if (!(want & ring_bits[i].flag))
			vmmio_feat_clear(f, ring_bits[i].bit);
}

void drv_ring_features_add(struct vmmio_features *f, unsigned want)
{
	for (size_t i = 0; i < N_RING_BITS; i++)
		if (want & ring_bits[i].flag)
			vmmio_feat_set(f, ring_bits[i].bit);
}

bool drv_ring_open(struct drv_ring_run *x, bool legacy, unsigned want,
		   enum devsim_backend backend, const struct drv_rings *shape)
{
	struct vmmio_features f;
	const struct vmmio_vq_params *p;

	drv_config(&x->t, DEVSIM_NET, legacy);
	x->t.cfg.backend = backend;
	drv_start(&x->t);
	x->r = *shape;
	if (!x->r.nq)
		x->r.nq = 1;
	x->vq = NULL;
	drv_ring_features(&f, want);
	if (!drv_rings_live(&x->t, &f, &x->r))
		return false;
	x->vq = x->r.vq[0];
	p = &x->r.p[0];
	EXPECT_EQ(p->packed, !!(want & DRV_RF_PACKED));
	EXPECT_EQ(p->event_idx, !!(want & DRV_RF_EVENT_IDX));
	EXPECT_EQ(p->in_order, !!(want & DRV_RF_IN_ORDER));
	EXPECT_EQ(p->notification_data, !!(want & DRV_RF_NOTIFY_DATA));
	EXPECT_EQ(p->indirect_max != 0, (want & DRV_RF_INDIRECT) && !shape->no_indirect);
	EXPECT_EQ(p->legacy, legacy);
	return true;
}

void drv_ring_end(struct drv_ring_run *x)
{
	expect_clean(x->t.sim);
	drv_rings_free(&x->r);
	drv_close(&x->t);
}

struct vmmio_buf drv_ring_buf(const struct drv_ring_run *x, struct vmmio_seg *seg, uint16_t n_out,
			      uint16_t n_in, unsigned k, uintptr_t cookie)
{
	for (unsigned i = 0; i < (unsigned)n_out + n_in; i++)
		seg[i] = drv_seg(&x->r, k + i, 64);
	return (struct vmmio_buf){ .seg = seg, .n_out = n_out, .n_in = n_in,
				   .cookie = (void *)cookie };
}

uint32_t drv_buf_in_len(const struct vmmio_buf *b)
{
	uint32_t n = 0;

	for (unsigned i = b->n_out; i < (unsigned)b->n_out + b->n_in; i++)
		n += b->seg[i].len;
	return n;
}

static uint32_t buf_out_len(const struct vmmio_buf *b)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < b->n_out; i++)
		n += b->seg[i].len;
	return n;
}

bool drv_ring_goes_indirect(const struct drv_ring_run *x, unsigned nseg)
{
	const struct vmmio_vq_params *p = &x->r.p[0];
	const unsigned min = p->indirect_min ? p->indirect_min : 2;

	return p->indirect_max && nseg >= min && nseg <= p->indirect_max;
}

int drv_take_rc(struct devsim *sim, struct drv_taken *tk)
{
	memset(tk, 0, sizeof(*tk));
	tk->c.seg = tk->seg;
	tk->c.seg_cap = DRV_TAKE_SEGS;
	return devsim_vq_take(sim, 0, &tk->c);
}

bool drv_take(struct devsim *sim, struct drv_taken *tk)
{
	int rc = drv_take_rc(sim, tk);

	if (rc != 1)
		conf_failf(__FILE__, __LINE__, "devsim_vq_take(queue 0) returned %d, want 1", rc);
	return rc == 1;
}

void drv_expect_chain(const struct drv_taken *tk, const struct vmmio_buf *b, bool indirect)
{
	const unsigned n = (unsigned)b->n_out + b->n_in;

	EXPECT_EQ(tk->c.n_seg, n);
	EXPECT_EQ(tk->c.indirect, indirect);
	EXPECT_EQ(tk->c.ndescs, indirect ? 1 : n);
	EXPECT_EQ(tk->c.out_len, buf_out_len(b));
	EXPECT_EQ(tk->c.in_len, drv_buf_in_len(b));
	for (unsigned i = 0; i < n && i < tk->c.n_seg; i++) {
		EXPECT_EQ(tk->seg[i].addr, b->seg[i].addr);
		EXPECT_EQ(tk->seg[i].len, b->seg[i].len);
		EXPECT_EQ(tk->seg[i].write, i >= b->n_out);
	}
}

#define REAP_MAX 256u

void drv_expect_reaped(struct vmmio_vq *vq, uintptr_t first, unsigned n)
{
	bool seen[REAP_MAX] = { false };
	struct vmmio_used u[32];
	unsigned got = 0, m;

	EXPECT(n <= REAP_MAX);
	while ((m = vmmio_vq_reap(vq, u, 32)) > 0) {
		for (unsigned i = 0; i < m; i++) {
			const uintptr_t c = (uintptr_t)u[i].cookie - first;

			if (c >= n || c >= REAP_MAX || seen[c]) {
				conf_failf(__FILE__, __LINE__,
					   "reaped cookie %p, want %u..%u once each", u[i].cookie,
					   (unsigned)first, (unsigned)(first + n - 1));
				continue;
			}
			seen[c] = true;
		}
		got += m;
	}
	EXPECT_EQ(got, n);
	if (vmmio_vq_broken(vq))
		conf_failf(__FILE__, __LINE__, "the queue broke: %s", vmmio_vq_error(vq));
}

#define ROUND_MAX 64u

void drv_ring_manual_round(struct drv_ring_run *x, const struct vmmio_buf *b, unsigned n)
{
	struct devsim_used used[ROUND_MAX];
	struct vmmio_used u[ROUND_MAX];
	struct drv_taken tk;

	if (n > ROUND_MAX) {
		conf_failf(__FILE__, __LINE__, "a round of %u buffers, at most %u", n, ROUND_MAX);
		return;
	}
	EXPECT_EQ(vmmio_vq_add(x->vq, b, n), n);
	EXPECT_EQ(vmmio_vq_kick(x->vq, &x->t.dev), 1);
	for (unsigned i = 0; i < n; i++) {
		const unsigned nseg = (unsigned)b[i].n_out + b[i].n_in;

		if (!drv_take(x->t.sim, &tk))
			return;
		drv_expect_chain(&tk, &b[i], drv_ring_goes_indirect(x, nseg));
		used[i] = (struct devsim_used){ .id = tk.c.id, .len = tk.c.in_len };
	}
	EXPECT_EQ(drv_take_rc(x->t.sim, &tk), 0);
	EXPECT_EQ(devsim_vq_use(x->t.sim, 0, used, n, false), 0);
	EXPECT_EQ(vmmio_vq_reap(x->vq, u, ROUND_MAX), n);
	for (unsigned i = 0; i < n; i++) {
		EXPECT(u[i].cookie == b[i].cookie);
		EXPECT_EQ(u[i].len, drv_buf_in_len(&b[i]));
	}
	EXPECT_EQ(vmmio_vq_outstanding(x->vq), 0);
}

void drv_ring_sink_round(struct drv_ring_run *x, const struct vmmio_buf *b, unsigned n)
{
	EXPECT_EQ(vmmio_vq_add(x->vq, b, n), n);
	EXPECT(vmmio_vq_kick(x->vq, &x->t.dev) >= 0);
	EXPECT_EQ(devsim_step(x->t.sim), n);
	drv_expect_reaped(x->vq, (uintptr_t)b[0].cookie, n);
}

struct devsim_vq_stats drv_ring_dev_stats(const struct drv_ring_run *x)
{
	struct devsim_vq_stats st;

	memset(&st, 0, sizeof(st));
	EXPECT_EQ(devsim_vq_stats(x->t.sim, 0, &st), 0);
	return st;
}

struct vmmio_vq_stats drv_ring_stats(const struct drv_ring_run *x)
{
	struct vmmio_vq_stats st;

	vmmio_vq_stats(x->vq, &st);
	return st;
}
