/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device side of the registers: what a virtio-mmio device presents and
 * does on each access, for both layouts, written from every "The device
 * MUST" of transport-mmio.tex and of the Device Status, Feature Bits,
 * Device Reset and Virtqueue Reset sections of content.tex.
 *
 * The checker has already seen the access (checker.c); here the access is
 * only served. Accesses the spec leaves undefined (narrow or misaligned
 * control accesses, offsets of no register, beyond the configuration space,
 * reads of write-only registers) read 0 and writes to them are dropped.
 */
#include <string.h>

#include "devsim_ext.h"
#include "devsim_internal.h"

void devsim_offered_visible(const struct devsim *s, struct vmmio_features *out)
{
	*out = s->cfg.features;
	if (devsim_is_legacy(s))
		for (unsigned w = 1; w < VMMIO_FEATURE_WORDS; w++)
			out->w[w] = 0;
}

void devsim_notify_driver(struct devsim *s, uint32_t isr_bits)
{
	/* "The device MUST NOT [...] send any used buffer notifications to the
	 * driver before DRIVER_OK" (Device Status Field). */
	if (!(s->status & VMMIO_STATUS_DRIVER_OK))
		isr_bits &= ~VMMIO_ISR_USED_BUFFER;
	if (!isr_bits)
		return;
	/* Presented "from the moment it takes place, until the driver
	 * acknowledges" (MMIO Device Register Layout). */
	s->isr |= isr_bits;
	devsim_irq_raise(s);
}

static struct devsim_queue *selected_queue(struct devsim *s)
{
	return devsim_queue_exists(s, s->queue_sel) ? &s->q[s->queue_sel] : NULL;
}

/* Clear a queue's configuration ("The device MUST reset any state of a
 * virtqueue to the default state"); the notification counters are
 * statistics for the tests and stay. */
static void queue_clear(struct devsim_queue *q)
{
	unsigned notifies = q->notifies;
	uint32_t last_notify = q->last_notify;

	memset(q, 0, sizeof(*q));
	q->notifies = notifies;
	q->last_notify = last_notify;
}

/* Status = 0: "Upon reset, the device MUST clear all bits in
 * InterruptStatus and ready bits in the QueueReady register for all
 * queues", legacy "sets QueuePFN to zero (0x0) for all queues", and "MUST
 * present a 0 in QueueReset on reset". ConfigGeneration and the
 * configuration space stay. */
static void device_reset(struct devsim *s)
{
	if (s->status && s->cfg.reset_delay_reads) {
		s->status_before_reset = s->status;
		s->status_reads_left = s->cfg.reset_delay_reads;
	}
	if (s->status)
		s->status_pre_reset = s->status;
	if (s->ext)
		devsim_ext_reset(s);
	devsim_ring_device_reset(s);
	s->status = 0;
	s->isr = 0;
	devsim_irq_clear(s);
	s->dev_feat_sel = 0;
	s->drv_feat_sel = 0;
	memset(&s->driver_features, 0, sizeof(s->driver_features));
	s->queue_sel = 0;
	for (unsigned q = 0; q < DEVSIM_MAX_QUEUES; q++)
		queue_clear(&s->q[q]);
	s->shm_sel = 0;
	s->guest_page_size = 0;
	devsim_net_reset(s);
	s->resets++;
}

/* "The device SHOULD accept any valid subset of features the driver
 * accepts, otherwise it MUST fail to set the FEATURES_OK device status bit
 * when the driver writes it" (Feature Bits); "A device MAY fail to operate
 * further if VIRTIO_F_VERSION_1 is not accepted" (Reserved Feature Bits). */
static bool features_acceptable(const struct devsim *s)
{
	struct vmmio_features refused;

	if (s->cfg.refuse_all)
		return false;
	vmmio_feat_and(&refused, &s->driver_features, &s->cfg.refuse);
	if (!vmmio_feat_empty(&refused))
		return false;
	return s->cfg.version != VMMIO_VERSION_MODERN ||
	       vmmio_feat_has(&s->driver_features, VMMIO_F_VERSION_1);
}

static void status_write(struct devsim *s, uint32_t val)
{
	uint8_t v = (uint8_t)val, old = s->status;

	if (v == 0) {
		device_reset(s);
		return;
	}
	/* Writing a new status ends a pending slow reset: it reads back now. */
	s->status_reads_left = 0;
	/* DEVICE_NEEDS_RESET is the device's to set; only a reset clears it. */
	v = (uint8_t)((v & ~VMMIO_STATUS_DEVICE_NEEDS_RESET) |
		      (s->status & VMMIO_STATUS_DEVICE_NEEDS_RESET));
	if ((v & VMMIO_STATUS_FEATURES_OK) && !features_acceptable(s))
		v &= (uint8_t)~VMMIO_STATUS_FEATURES_OK;
	s->status = v;
	if (s->ext)
		devsim_ext_status(s, old);
	/* The device thread starts or stops servicing with DRIVER_OK. */
	devsim_ring_epoch_bump(s);
}

static uint32_t status_read(struct devsim *s)
{
	/* A reset that takes a while: the old status until it completes. */
	if (s->status_reads_left) {
		s->status_reads_left--;
		return s->status_before_reset;
	}
	/* The reset completes once the device thread let go of the rings. */
	if (s->status == 0 && devsim_ring_thread_behind(s, s->reset_epoch))
		return s->status_pre_reset;
	return s->status;
}

static uint32_t device_features_read(const struct devsim *s)
{
	struct vmmio_features offered;

	devsim_offered_visible(s, &offered);
	return s->dev_feat_sel < VMMIO_FEATURE_WORDS ? offered.w[s->dev_feat_sel] : 0;
}

static void driver_features_write(struct devsim *s, uint32_t val)
{
	uint32_t words = devsim_is_legacy(s) ? 1 : VMMIO_FEATURE_WORDS;

	if (s->drv_feat_sel < words)
		s->driver_features.w[s->drv_feat_sel] = val;
}

static uint32_t queue_ready_read(struct devsim *s)
{
	struct devsim_queue *q = selected_queue(s);

	if (!q)
		return 0;
	/* A stop that takes a while: still 1 until it completes. */
	if (q->ready_reads_left) {
		q->ready_reads_left--;
		return 1;
	}
	/* A stop completes once the device thread let go of the ring. */
	if (!q->ready && devsim_ring_thread_behind(s, s->vqc[s->queue_sel].stop_epoch))
		return 1;
	return q->ready;
}

static void queue_ready_write(struct devsim *s, uint32_t val)
{
	struct devsim_queue *q = selected_queue(s);

	if (!q)
		return;
	if (val == 0 && q->ready != 0)
		q->ready_reads_left = s->cfg.queue_reset_delay_reads;
	if (val != 0) {
		/* "MUST present a 0 in QueueReset after the virtqueue is
		 * enabled with QueueReady". */
		q->reset_reads_left = 0;
		q->ready_reads_left = 0;
	}
	if ((val != 0) != (q->ready != 0)) {
		q->ready = val;
		if (s->ext)
			devsim_ext_queue(s, (uint16_t)s->queue_sel, val != 0);
		devsim_ring_event(s, (uint16_t)s->queue_sel, val ? VQ_EV_START : VQ_EV_STOP);
	}
	q->ready = val; /* the value written reads back */
}

static uint32_t queue_reset_read(struct devsim *s)
{
	struct devsim_queue *q = selected_queue(s);

	if (q && devsim_ring_thread_behind(s, s->vqc[s->queue_sel].reset_epoch))
		return 1;
	if (!q || !q->reset_reads_left)
		return 0;
	/* "MUST continue to present 1 in QueueReset as long as the queue
	 * reset is ongoing". */
	q->reset_reads_left--;
	return 1;
}

static void queue_reset_write(struct devsim *s, uint32_t val)
{
	struct devsim_queue *q = selected_queue(s);

	/* "If VIRTIO_F_RING_RESET has been negotiated, writing one (0x1) to
	 * this register selectively resets the queue." */
	if (!q || val != 1 || !vmmio_feat_has(&s->driver_features, VMMIO_F_RING_RESET))
		return;
	if (s->ext && q->ready)
		devsim_ext_queue(s, (uint16_t)s->queue_sel, false);
	queue_clear(q);
	q->reset_reads_left = s->cfg.queue_reset_delay_reads;
	devsim_ring_event(s, (uint16_t)s->queue_sel, VQ_EV_RESET);
}

static void queue_notify_write(struct devsim *s, uint32_t val)
{
	/* The low 16 bits are the queue index, with or without
	 * NOTIFICATION_DATA ("Available Buffer Notifications"). */
	uint32_t idx = val & 0xffffu;

	if (!devsim_queue_exists(s, idx))
		return;
	s->q[idx].notifies++;
	s->q[idx].last_notify = val;
	if (s->ext_started)
		s->ext->notify(s->ext_ctx, (uint16_t)idx, val);
	devsim_ring_on_notify(s, (uint16_t)idx, val);
}

static const struct devsim_shm_region *selected_shm(const struct devsim *s)
{
	for (unsigned i = 0; i < s->cfg.n_shm; i++)
		if (s->cfg.shm[i].id == s->shm_sel)
			return &s->cfg.shm[i];
	return NULL;
}

/* SHMLen / SHMBase halves: "Reading from a non-existent region [...]
 * results in a length of -1" and "a base address of 0xffffffffffffffff". */
static uint32_t shm_read(const struct devsim *s, uint32_t off)
{
	const struct devsim_shm_region *r = selected_shm(s);
	uint64_t v;

	if (!r)
		return UINT32_MAX;
	v = (off == VMMIO_REG_SHM_LEN_LOW || off == VMMIO_REG_SHM_LEN_HIGH) ? r->len : r->base;
	return (off == VMMIO_REG_SHM_LEN_HIGH || off == VMMIO_REG_SHM_BASE_HIGH) ?
		       (uint32_t)(v >> 32) :
		       (uint32_t)v;
}

static bool config_in_range(const struct devsim *s, uint32_t off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && off >= VMMIO_REG_CONFIG &&
	       off - VMMIO_REG_CONFIG + size <= s->cfg.config_size;
}

/* Little endian: "The device configuration space uses the little-endian
 * format for multi-byte fields" (and the legacy layout is guest-native,
 * little endian on every host this project supports). */
static uint32_t config_read(struct devsim *s, uint32_t off, unsigned size)
{
	uint32_t v = 0;

	if (!config_in_range(s, off, size))
		return 0;
	off -= VMMIO_REG_CONFIG;
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)s->config[off + i] << (8 * i);
	/* devsim_config_churn(): the configuration changes after this read. */
	if (s->churn) {
		s->config_gen++;
		if (s->churn != UINT32_MAX)
			s->churn--;
	}
	return v;
}

static void config_write(struct devsim *s, uint32_t off, unsigned size, uint32_t val)
{
	bool changed = false;

	if (!config_in_range(s, off, size))
		return;
	off -= VMMIO_REG_CONFIG;
	for (unsigned i = 0; i < size; i++) {
		uint8_t b = (uint8_t)(val >> (8 * i));

		changed |= s->config[off + i] != b;
		s->config[off + i] = b;
	}
	/* ConfigGeneration changes whenever the configuration does. */
	if (changed)
		s->config_gen++;
}

/* The control register at @off if this access to it is defined. */
static const struct devsim_reg *control_reg(const struct devsim *s, uint32_t off, unsigned size,
					    unsigned dir)
{
	const struct devsim_reg *r;

	if (size != 4 || (off & 3u) || off >= VMMIO_REG_CONFIG)
		return NULL;
	r = devsim_reg_find(s, off);
	return r && (r->dir & dir) ? r : NULL;
}

uint32_t devsim_reg_read(struct devsim *s, uint32_t off, unsigned size)
{
	struct devsim_queue *q;

	if (off >= VMMIO_REG_CONFIG)
		return config_read(s, off, size);
	if (!control_reg(s, off, size, DEVSIM_DIR_R))
		return 0;
	switch (off) {
	case VMMIO_REG_MAGIC_VALUE:
		return s->cfg.magic;
	case VMMIO_REG_VERSION:
		return s->cfg.version;
	case VMMIO_REG_DEVICE_ID:
		return s->device_id;
	case VMMIO_REG_VENDOR_ID:
		return s->cfg.vendor_id;
	case VMMIO_REG_DEVICE_FEATURES:
		return device_features_read(s);
	case VMMIO_REG_QUEUE_NUM_MAX:
		return devsim_queue_max(s, s->queue_sel);
	case VMMIO_REG_QUEUE_READY:
		return queue_ready_read(s);
	case VMMIO_REG_LEGACY_QUEUE_PFN:
		q = selected_queue(s);
		if (q && !q->pfn && devsim_ring_thread_behind(s, s->vqc[s->queue_sel].stop_epoch))
			return s->vqc[s->queue_sel].pfn_before;
		return q ? q->pfn : 0;
	case VMMIO_REG_INTERRUPT_STATUS:
		return s->isr;
	case VMMIO_REG_STATUS:
		return status_read(s);
	case VMMIO_REG_SHM_LEN_LOW:
	case VMMIO_REG_SHM_LEN_HIGH:
	case VMMIO_REG_SHM_BASE_LOW:
	case VMMIO_REG_SHM_BASE_HIGH:
		return shm_read(s, off);
	case VMMIO_REG_QUEUE_RESET:
		return queue_reset_read(s);
	case VMMIO_REG_CONFIG_GENERATION:
		return s->config_gen;
	default:
		return 0;
	}
}

/* The queue registers that only store a value. */
static void queue_store(struct devsim *s, uint32_t off, uint32_t val)
{
	struct devsim_queue *q = selected_queue(s);

	if (!q)
		return;
	switch (off) {
	case VMMIO_REG_QUEUE_NUM:
		q->num = (uint16_t)val;
		break;
	case VMMIO_REG_QUEUE_DESC_LOW:
	case VMMIO_REG_QUEUE_DESC_HIGH:
		q->desc[off == VMMIO_REG_QUEUE_DESC_HIGH] = val;
		break;
	case VMMIO_REG_QUEUE_DRIVER_LOW:
	case VMMIO_REG_QUEUE_DRIVER_HIGH:
		q->driver[off == VMMIO_REG_QUEUE_DRIVER_HIGH] = val;
		break;
	case VMMIO_REG_QUEUE_DEVICE_LOW:
	case VMMIO_REG_QUEUE_DEVICE_HIGH:
		q->device[off == VMMIO_REG_QUEUE_DEVICE_HIGH] = val;
		break;
	case VMMIO_REG_LEGACY_QUEUE_ALIGN:
		q->align = val;
		break;
	case VMMIO_REG_LEGACY_QUEUE_PFN:
		/* 0: "the driver stops using the queue" */
		if (val != q->pfn) {
			s->vqc[s->queue_sel].pfn_before = q->pfn;
			q->pfn = val;
			devsim_ring_event(s, (uint16_t)s->queue_sel,
					  val ? VQ_EV_START : VQ_EV_STOP);
		}
		break;
	default:
		break;
	}
}

void devsim_reg_write(struct devsim *s, uint32_t off, unsigned size, uint32_t val)
{
	if (off >= VMMIO_REG_CONFIG) {
		config_write(s, off, size, val);
		return;
	}
	if (!control_reg(s, off, size, DEVSIM_DIR_W))
		return;
	switch (off) {
	case VMMIO_REG_DEVICE_FEATURES_SEL:
		s->dev_feat_sel = val;
		break;
	case VMMIO_REG_DRIVER_FEATURES:
		driver_features_write(s, val);
		break;
	case VMMIO_REG_DRIVER_FEATURES_SEL:
		s->drv_feat_sel = val;
		break;
	case VMMIO_REG_LEGACY_GUEST_PAGE_SIZE:
		s->guest_page_size = val;
		break;
	case VMMIO_REG_QUEUE_SEL:
		s->queue_sel = val;
		break;
	case VMMIO_REG_QUEUE_READY:
		queue_ready_write(s, val);
		break;
	case VMMIO_REG_QUEUE_NOTIFY:
		queue_notify_write(s, val);
		break;
	case VMMIO_REG_INTERRUPT_ACK:
		s->isr &= ~val;
		break;
	case VMMIO_REG_STATUS:
		status_write(s, val);
		break;
	case VMMIO_REG_SHM_SEL:
		s->shm_sel = val;
		break;
	case VMMIO_REG_QUEUE_RESET:
		queue_reset_write(s, val);
		break;
	default:
		queue_store(s, off, val);
		break;
	}
}
