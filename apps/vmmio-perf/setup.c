/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bring the device up for a run: open it, negotiate the ring format asked
 * for, create and enable the queues inside vmmio_init()'s setup step,
 * DRIVER_OK, then start the device's polling thread on its CPU and pin the
 * driver to its own.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <string.h>

#include "devsim.h"
#include "devsim_vq.h"
#include "perf.h"
#include "vmmio_bus_sim.h"
#include "vmmio_net.h"

/* virtio-net header ("Device Operation"): 12 bytes with VERSION_1 or
 * MRG_RXBUF (num_buffers present), 10 on a legacy device without it. */
#define NET_HDR_LEN 12u
#define NET_HDR_LEN_LEGACY 10u

int perf_fail(struct perf_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}

int perf_stalled(struct perf_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (perf_queues_ok(c))
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* The features to ask for: the net driver's set for a net device, the
 * ring bits alone for another type; the ring format as asked. */
static void wanted_features(const struct perf_ctx *c, struct vmmio_features *f)
{
	static const unsigned ring_bits[] = {
		VMMIO_F_INDIRECT_DESC,	    VMMIO_F_EVENT_IDX, VMMIO_F_VERSION_1,
		VMMIO_F_RING_PACKED,	    VMMIO_F_IN_ORDER,  VMMIO_F_NOTIFICATION_DATA,
		VMMIO_F_ANY_LAYOUT,
	};

	if (c->dev.device_id == VMMIO_DEVICE_ID_NET) {
		vmmio_net_driver_features(f);
	} else {
		memset(f, 0, sizeof(*f));
		for (size_t i = 0; i < sizeof(ring_bits) / sizeof(ring_bits[0]); i++)
			vmmio_feat_set(f, ring_bits[i]);
	}
	if (!c->o->packed)
		vmmio_feat_clear(f, VMMIO_F_RING_PACKED);
	if (!c->o->event_idx)
		vmmio_feat_clear(f, VMMIO_F_EVENT_IDX);
}

static int queue_setup(struct perf_ctx *c, struct vmmio_dev *d, uint16_t idx)
{
	struct perf_queue *q = &c->q[idx];
	struct vmmio_vq_params p;
	uint16_t max;
	int r;

	r = vmmio_queue_max(d, idx, &max);
	if (r)
		return perf_fail(c, "%s", vmmio_dev_error(d));
	if (!max)
		return perf_fail(c, "%s: queue %u does not exist (QueueSizeMax reads 0)",
				 c->o->device, idx);
	if (c->o->qsize > max)
		return perf_fail(c, "--qsize %u: queue %u of %s holds at most %u (QueueSizeMax)",
			    c->o->qsize, idx, c->o->device, max);
	vmmio_vq_params_from_dev(&p, d, idx, (uint16_t)c->o->qsize);
	q->vq = vmmio_vq_create(&p, c->bus.dma, c->err, sizeof(c->err));
	if (!q->vq)
		return -1;
	/* Poll mode: the driver never waits for an interrupt. */
	vmmio_vq_intr_disable(q->vq);
	r = vmmio_vq_enable(q->vq, d);
	if (r)
		return perf_fail(c, "%s", vmmio_dev_error(d));
	return 0;
}

/* vmmio_init()'s step between FEATURES_OK and DRIVER_OK. */
static int setup_queues(struct vmmio_dev *d, void *arg)
{
	struct perf_ctx *c = arg;

	if (c->o->packed && !vmmio_feat_has(&d->driver_features, VMMIO_F_RING_PACKED)) {
		const bool legacy = d->version == VMMIO_VERSION_LEGACY;

		perf_fail(c, "--ring packed: %s does not offer VIRTIO_F_RING_PACKED%s",
			  c->o->device, legacy ? " (a legacy device has no packed rings)" : "");
		return -ENOTSUP;
	}
	for (uint16_t q = 0; q < c->nq; q++)
		if (queue_setup(c, d, q))
			return -EINVAL;
	return 0;
}

static int pin_self(struct perf_ctx *c, int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return perf_fail(c, "--driver-cpu %d: cannot run there: %s", cpu, strerror(errno));
	return 0;
}

static int open_device(struct perf_ctx *c)
{
	struct vmmio_bus_opts bo = {
		.sim.backend = c->o->mode == PERF_MODE_RING ? VMMIO_SIM_BACKEND_SINK :
							      VMMIO_SIM_BACKEND_LOOPBACK,
	};
	int r;

	if (vmmio_bus_open(c->o->device, &bo, &c->bus, c->err, sizeof(c->err)))
		return -1;
	c->opened = true;
	/* Loopback mode needs a device side that sends every frame back:
	 * devsim's device thread in this process (sim:), or a vhost-user
	 * backend that forwards what it receives to the same port (vhost:,
	 * testpmd's io forwarding, say). Ring mode needs the sink, which only
	 * sim has; echo needs a network peer, which sim lacks. */
	c->sim = vmmio_bus_sim_model(&c->bus);
	c->vhost = c->bus.arg.bus == VMMIO_DEVARG_BUS_VHOST;
	if (c->o->mode == PERF_MODE_ECHO && c->sim)
		return perf_fail(c, "--mode echo: --device \"%s\" is simulated, with no network "
				 "peer to answer; echo needs a real virtio-net device (uio:..., mem:...)",
				 c->o->device);
	if (c->o->mode == PERF_MODE_RING && !c->sim)
		return perf_fail(c, "--device \"%s\": ring mode needs a sim device (devsim's "
				 "device thread, which uses each buffer at once); --mode echo measures "
				 "a real net device%s",
				 c->o->device,
				 c->vhost ? ", --mode loopback one behind a vhost-user backend" : "");
	if (c->o->mode == PERF_MODE_LOOPBACK && !c->sim && !c->vhost)
		return perf_fail(c, "--device \"%s\": loopback mode needs a sim device (devsim's "
				 "device thread) or a vhost: one whose backend sends every frame back; "
				 "--mode echo measures a real net device",
				 c->o->device);
	r = vmmio_probe(&c->dev, &c->bus.win, NULL);
	if (r == VMMIO_PROBE_PLACEHOLDER)
		return perf_fail(c, "--device \"%s\": DeviceID 0, a placeholder without a device",
			    c->o->device);
	if (r)
		return perf_fail(c, "%s", vmmio_dev_error(&c->dev));
	c->probed = true;
	return 0;
}

int perf_setup(struct perf_ctx *c, const struct perf_opts *o)
{
	struct vmmio_features want;
	int r;

	memset(c, 0, sizeof(*c));
	c->o = o;
	if (open_device(c))
		return -1;
	if (o->mode != PERF_MODE_RING && c->dev.device_id != VMMIO_DEVICE_ID_NET)
		return perf_fail(c, "--mode %s: --device \"%s\" is a %s, not a network device",
				 o->mode == PERF_MODE_ECHO ? "echo" : "loopback", o->device,
				 vmmio_device_type_name(c->dev.device_id));
	c->nq = o->mode == PERF_MODE_RING ? 1 : 2;
	wanted_features(c, &want);
	r = vmmio_init(&c->dev, &want, setup_queues, c);
	if (r) {
		/* A failing setup step left its words in c->err. */
		if (!c->err[0])
			perf_fail(c, "%s", vmmio_dev_error(&c->dev));
		return -1;
	}
	c->hdr_len = vmmio_feat_has(&c->dev.driver_features, VMMIO_F_VERSION_1) ||
			     vmmio_feat_has(&c->dev.driver_features, VMMIO_NET_F_MRG_RXBUF) ?
			     NET_HDR_LEN : NET_HDR_LEN_LEGACY;
	/* echo: the device is the machine's own; vhost: the backend's
	 * process services the rings. No device thread to start. */
	if (!c->sim)
		return pin_self(c, o->driver_cpu);
	r = devsim_thread_start(c->sim, &(struct devsim_thread_opts){
						   .cpu = o->device_cpu, .sleep_after = o->device_sleep });
	if (r)
		return perf_fail(c, "device thread on CPU %d: %s", o->device_cpu, strerror(-r));
	c->thread_running = true;
	return pin_self(c, o->driver_cpu);
}

int perf_pool(struct perf_ctx *c, size_t len)
{
	const struct vmmio_dma_req req = { .len = len, .align = VMMIO_VQ_MEM_ALIGN,
					   .node = VMMIO_NUMA_ANY };
	char why[256];

	if (vmmio_dma_alloc(c->bus.dma, &req, &c->pool, why, sizeof(why)))
		return perf_fail(c, "no memory for %zu bytes of packet buffers: %s", len, why);
	return 0;
}

int perf_queues_ok(struct perf_ctx *c)
{
	for (unsigned q = 0; q < c->nq; q++) {
		const struct vmmio_vq *vq = c->q[q].vq;

		if (vmmio_vq_broken(vq))
			return perf_fail(c, "the device broke the ring: %s", vmmio_vq_error(vq));
	}
	return 0;
}

uint64_t perf_driver_kicks(const struct perf_ctx *c)
{
	struct vmmio_vq_stats st;
	uint64_t kicks = 0;

	for (unsigned q = 0; q < c->nq; q++) {
		vmmio_vq_stats(c->q[q].vq, &st);
		kicks += st.kicks;
	}
	return kicks;
}

bool perf_device_counts(const struct perf_ctx *c, uint64_t *irqs, uint64_t *sleeps)
{
	struct devsim_vq_stats st;

	*irqs = *sleeps = 0;
	if (!c->sim)
		return false;
	for (uint16_t q = 0; q < c->nq; q++) {
		if (devsim_vq_stats(c->sim, q, &st))
			return false;
		*irqs += st.irqs;
		*sleeps += st.sleeps;
	}
	return true;
}

void perf_device_stop(struct perf_ctx *c)
{
	if (c->thread_running)
		devsim_thread_stop(c->sim);
	c->thread_running = false;
}

void perf_teardown(struct perf_ctx *c)
{
	perf_device_stop(c);
	/* The device lets go of the rings before their memory goes. */
	if (c->probed)
		vmmio_reset(&c->dev);
	for (unsigned q = 0; q < PERF_MAX_QUEUES; q++) {
		vmmio_vq_destroy(c->q[q].vq);
		c->q[q].vq = NULL;
	}
	if (c->opened) {
		vmmio_dma_free(c->bus.dma, &c->pool);
		vmmio_pktpool_destroy(c->pkts);
		c->pkts = NULL;
		vmmio_bus_close(&c->bus);
	}
	c->opened = false;
}
