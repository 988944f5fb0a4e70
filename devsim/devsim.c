/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * devsim's lifecycle, the register window through which a driver reaches
 * the model (every access is checked, served and logged, in that order),
 * the device-side events a test can trigger, and inspection.
 *
 * Time is virtual: it passes only inside wait_irq, which never sleeps;
 * while the device thread runs (thread.c), wait_irq blocks in real time
 * instead, since interrupts then come from another thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "devsim_internal.h"

static bool config_valid(const struct devsim_config *c)
{
	if (c->num_queues > DEVSIM_MAX_QUEUES || c->config_size > DEVSIM_CONFIG_MAX ||
	    c->n_fields > DEVSIM_MAX_CFG_FIELDS || c->n_shm > DEVSIM_MAX_SHM)
		return false;
	if (c->personality != DEVSIM_NET && c->personality != DEVSIM_BLK)
		return false;
	for (unsigned i = 0; i < c->n_fields; i++) {
		const struct devsim_cfg_field *f = &c->fields[i];

		if (f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8)
			return false;
		if (f->count == 0 || (unsigned)f->off + (unsigned)f->size * f->count > DEVSIM_CONFIG_MAX)
			return false;
	}
	return true;
}

/* The wait_irq condition variable runs on the monotonic clock. */
static int init_sync(struct devsim *s)
{
	pthread_condattr_t ca;
	int r;

	if (pthread_mutex_init(&s->lock, NULL))
		return -1;
	if (pthread_condattr_init(&ca))
		goto err_mutex;
	r = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) || pthread_cond_init(&s->irq_cond, &ca);
	pthread_condattr_destroy(&ca);
	if (!r)
		return 0;
err_mutex:
	pthread_mutex_destroy(&s->lock);
	return -1;
}

struct devsim *devsim_create(const struct devsim_config *c)
{
	struct devsim *s;

	if (!c || !config_valid(c)) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	if (init_sync(s)) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	s->cfg = *c;
	/* Readable while an interrupt is pending: the window's irq_fd. */
	s->irq_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	/* A test that asks for these backends drives real rings from the start. */
	s->rings_live = c->backend == DEVSIM_BACKEND_MANUAL || c->backend == DEVSIM_BACKEND_SINK;
	s->device_id = c->device_id;
	s->personality_id = devsim_personality_device_id(c->personality);
	memcpy(s->config, c->config, sizeof(s->config));
	devsim_net_reset(s);
	snprintf(s->name, sizeof(s->name), "sim:%s", c->personality == DEVSIM_BLK ? "blk" : "net");
	return s;
}

void devsim_destroy(struct devsim *s)
{
	if (!s)
		return;
	devsim_thread_stop(s);
	for (unsigned q = 0; q < DEVSIM_MAX_QUEUES; q++) {
		free(s->vq[q].inflight);
		free(s->vq[q].done);
		free(s->vq[q].seg);
		free(s->vq[q].pend);
	}
	devsim_net_free(s);
	if (s->irq_fd >= 0)
		close(s->irq_fd);
	pthread_cond_destroy(&s->irq_cond);
	pthread_mutex_destroy(&s->lock);
	free(s->log);
	free(s->viol);
	free(s);
}

/* --- the register window -------------------------------------------------- */

static uint32_t size_mask(unsigned size)
{
	return size >= 4 ? UINT32_MAX : (1u << (8 * size)) - 1u;
}

static uint32_t win_read(void *ctx, uint32_t off, unsigned size)
{
	struct devsim *s = ctx;
	struct devsim_access_ctx a = { .write = false, .off = off, .size = size };
	uint32_t val;

	pthread_mutex_lock(&s->lock);
	a.seq = s->seq++;
	devsim_check_access(s, &a);
	val = devsim_reg_read(s, off, size);
	devsim_check_read_value(s, &a, val);
	devsim_log_add(s, a.seq, DEVSIM_READ, off, size, val);
	pthread_mutex_unlock(&s->lock);
	return val;
}

static void win_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
	struct devsim *s = ctx;
	struct devsim_access_ctx a = {
		.write = true, .off = off, .size = size, .val = val & size_mask(size)
	};

	pthread_mutex_lock(&s->lock);
	a.seq = s->seq++;
	devsim_check_access(s, &a);
	devsim_reg_write(s, off, size, a.val);
	devsim_log_add(s, a.seq, DEVSIM_WRITE, off, size, a.val);
	pthread_mutex_unlock(&s->lock);
}

/* Apply the scheduled hotplug: the DeviceID changes and the interrupt fires. */
static void hotplug_now(struct devsim *s, uint32_t device_id)
{
	s->hotplug_scheduled = false;
	s->device_id = device_id;
	devsim_irq_raise(s);
}

/* The interrupt edge (lock held): wait_irq and the eventfd both see it. */
void devsim_irq_raise(struct devsim *s)
{
	static const uint64_t one = 1;

	s->irq_pending = true;
	if (s->irq_fd >= 0 && write(s->irq_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is full, the fd is readable anyway */
	}
	pthread_cond_broadcast(&s->irq_cond);
}

/* The edge taken or dropped (lock held): the eventfd reads empty again. */
void devsim_irq_clear(struct devsim *s)
{
	uint64_t n;

	s->irq_pending = false;
	if (s->irq_fd >= 0 && read(s->irq_fd, &n, sizeof(n)) < 0) {
		/* EAGAIN: nothing was counted */
	}
}

/* With the device thread running: wait for its interrupt in real time
 * (lock held; released while waiting). 1 interrupt, 0 timeout. */
static int wait_real_time(struct devsim *s, int timeout_ms)
{
	struct timespec dl;

	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += timeout_ms / 1000;
	dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	while (!s->irq_pending) {
		if (timeout_ms < 0)
			pthread_cond_wait(&s->irq_cond, &s->lock);
		else if (pthread_cond_timedwait(&s->irq_cond, &s->lock, &dl) == ETIMEDOUT)
			break;
	}
	return s->irq_pending ? 1 : 0;
}

static int win_wait_irq(void *ctx, int timeout_ms)
{
	struct devsim *s = ctx;
	uint64_t seq;
	int ret;

	pthread_mutex_lock(&s->lock);
	seq = s->seq++;
	devsim_check_wait(s, seq);
	if (s->thread_running) {
		ret = wait_real_time(s, timeout_ms);
	} else if (s->irq_pending) {
		ret = 1;
	} else if (s->hotplug_scheduled &&
		   (timeout_ms < 0 || s->hotplug_at <= s->clock_ms + (uint64_t)timeout_ms)) {
		s->clock_ms = s->hotplug_at;
		hotplug_now(s, s->hotplug_id);
		ret = 1;
	} else if (timeout_ms < 0) {
		/* Waiting forever on a model where nothing is due would hang. */
		ret = -EDEADLK;
	} else {
		s->clock_ms += (uint64_t)timeout_ms;
		ret = 0;
	}
	if (ret == 1)
		devsim_irq_clear(s);
	devsim_check_wait_done(s, ret);
	devsim_log_add(s, seq, DEVSIM_IRQ_WAIT, (uint32_t)timeout_ms, 0, (uint32_t)ret);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

/* devsim's line is never masked: the unmask is only logged, so that tests
 * can see the driver re-enable it where a UIO bus needs it. */
static int win_irq_unmask(void *ctx)
{
	struct devsim *s = ctx;

	pthread_mutex_lock(&s->lock);
	devsim_log_add(s, s->seq++, DEVSIM_IRQ_UNMASK, 0, 0, 0);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static void win_close(void *ctx)
{
	devsim_destroy(ctx);
}

static const struct vmmio_regwin_ops devsim_ops = {
	.read = win_read,
	.write = win_write,
	.wait_irq = win_wait_irq,
	.irq_unmask = win_irq_unmask,
	.close = win_close,
};

struct vmmio_regwin devsim_regwin(struct devsim *s)
{
	struct vmmio_regwin w = {
		.ops = &devsim_ops, .ctx = s, .name = s->name, .irq_fd = s->irq_fd
	};

	return w;
}

/* --- device-side events ------------------------------------------------------- */

void devsim_hotplug(struct devsim *s, uint32_t device_id, unsigned after_ms)
{
	pthread_mutex_lock(&s->lock);
	if (after_ms == 0) {
		hotplug_now(s, device_id);
	} else {
		s->hotplug_scheduled = true;
		s->hotplug_at = s->clock_ms + after_ms;
		s->hotplug_id = device_id;
	}
	pthread_mutex_unlock(&s->lock);
}

/* "If DRIVER_OK is set, after it sets DEVICE_NEEDS_RESET, the device MUST
 * send a device configuration change notification to the driver." */
void devsim_needs_reset(struct devsim *s)
{
	s->status |= VMMIO_STATUS_DEVICE_NEEDS_RESET;
	if (s->status & VMMIO_STATUS_DRIVER_OK)
		devsim_notify_driver(s, VMMIO_ISR_CONFIG_CHANGE);
}

void devsim_set_needs_reset(struct devsim *s)
{
	pthread_mutex_lock(&s->lock);
	devsim_needs_reset(s);
	pthread_mutex_unlock(&s->lock);
}

void devsim_config_change(struct devsim *s, uint16_t off, const void *data, size_t len)
{
	if (off >= s->cfg.config_size)
		return;
	if (len > (size_t)(s->cfg.config_size - off))
		len = s->cfg.config_size - off;
	pthread_mutex_lock(&s->lock);
	memcpy(&s->config[off], data, len);
	/* "The device MUST change value returned in ConfigGeneration if there
	 * is any risk of a driver seeing an inconsistent configuration state." */
	s->config_gen++;
	if (s->status & VMMIO_STATUS_DRIVER_OK)
		devsim_notify_driver(s, VMMIO_ISR_CONFIG_CHANGE);
	pthread_mutex_unlock(&s->lock);
}

void devsim_config_churn(struct devsim *s, uint32_t n)
{
	pthread_mutex_lock(&s->lock);
	s->churn = n;
	pthread_mutex_unlock(&s->lock);
}

void devsim_raise_irq(struct devsim *s, uint32_t isr_bits)
{
	pthread_mutex_lock(&s->lock);
	devsim_notify_driver(s, isr_bits);
	pthread_mutex_unlock(&s->lock);
}

/* --- inspection ----------------------------------------------------------------- */

uint8_t devsim_status(const struct devsim *s)
{
	return s->status;
}

uint32_t devsim_isr(const struct devsim *s)
{
	return s->isr;
}

uint32_t devsim_config_generation(const struct devsim *s)
{
	return s->config_gen;
}

void devsim_driver_features(const struct devsim *s, struct vmmio_features *out)
{
	*out = s->driver_features;
}

int devsim_queue_state(const struct devsim *s, uint16_t q, struct devsim_queue_state *out)
{
	const struct devsim_queue *dq;

	if (!devsim_queue_exists(s, q))
		return -ENOENT;
	dq = &s->q[q];
	memset(out, 0, sizeof(*out));
	out->ready = devsim_is_legacy(s) ? dq->pfn != 0 : (dq->ready != 0 || dq->ready_reads_left);
	out->num = dq->num;
	out->desc = (uint64_t)dq->desc[1] << 32 | dq->desc[0];
	out->driver = (uint64_t)dq->driver[1] << 32 | dq->driver[0];
	out->device = (uint64_t)dq->device[1] << 32 | dq->device[0];
	out->pfn = dq->pfn;
	out->align = dq->align;
	out->resetting = dq->reset_reads_left != 0;
	out->notifies = dq->notifies;
	out->last_notify = dq->last_notify;
	return 0;
}

uint32_t devsim_guest_page_size(const struct devsim *s)
{
	return s->guest_page_size;
}

unsigned devsim_resets(const struct devsim *s)
{
	return s->resets;
}
