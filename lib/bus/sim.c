/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sim bus: devsim, in process. The model is built from the device
 * type's defaults plus the argument's options; its window is devsim's
 * (closing it destroys the model), its memory the heap (IOVA = VA).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bus_internal.h"
#include "devsim.h"
#include "vmmio_bus_sim.h"
#include "vmmio_net.h"

_Static_assert(VMMIO_DEVARG_MAX_QUEUES <= DEVSIM_MAX_QUEUES, "queues= fits the model");
_Static_assert(VMMIO_DEVARG_MAX_SHM <= DEVSIM_MAX_SHM, "shm= fits the model");
_Static_assert(VMMIO_DEVARG_MAX_QSIZE <= UINT16_MAX, "qsize= fits QueueSizeMax");

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* queues=, or pairs=: receiveq1, transmitq1 ... receiveqN, transmitqN and
 * the controlq ("Virtqueues" of the Network Device). */
static void sim_queues(struct devsim_config *c, const struct vmmio_devarg_sim *a)
{
	unsigned n = a->pairs ? 2u * a->pairs + 1u : a->queues;

	if (a->pairs)
		put_le16(&c->config[VMMIO_NET_CFG_MAX_VQ_PAIRS], a->pairs);
	if (!n)
		return;
	/* New queues get the size the defaults give the first one. */
	for (unsigned q = c->num_queues; q < n; q++)
		c->queue_num_max[q] = c->queue_num_max[0];
	c->num_queues = (uint16_t)n;
}

static const enum devsim_backend from_arg[] = {
	[VMMIO_DEVARG_BACKEND_LOOPBACK] = DEVSIM_BACKEND_LOOPBACK,
	[VMMIO_DEVARG_BACKEND_SINK] = DEVSIM_BACKEND_SINK,
	[VMMIO_DEVARG_BACKEND_FORWARD] = DEVSIM_BACKEND_FORWARD,
};
static const enum devsim_backend from_caller[] = {
	[VMMIO_SIM_BACKEND_LOOPBACK] = DEVSIM_BACKEND_LOOPBACK,
	[VMMIO_SIM_BACKEND_SINK] = DEVSIM_BACKEND_SINK,
	[VMMIO_SIM_BACKEND_FORWARD] = DEVSIM_BACKEND_FORWARD,
};

/* A backend's name in backend=, for messages. */
static const char *backend_name(enum devsim_backend b)
{
	switch (b) {
	case DEVSIM_BACKEND_SINK:
		return "sink";
	case DEVSIM_BACKEND_FORWARD:
		return "forward";
	default:
		return "loopback";
	}
}

/* backend= of the argument or the caller's (struct vmmio_bus_opts); when
 * both name one they must agree. */
static int sim_backend(enum devsim_backend *out, enum vmmio_devarg_backend arg,
		       enum vmmio_sim_backend caller)
{
	if (arg != VMMIO_DEVARG_BACKEND_DEFAULT && caller != VMMIO_SIM_BACKEND_DEFAULT &&
	    from_arg[arg] != from_caller[caller])
		return -EINVAL;
	if (arg != VMMIO_DEVARG_BACKEND_DEFAULT)
		*out = from_arg[arg];
	else if (caller != VMMIO_SIM_BACKEND_DEFAULT)
		*out = from_caller[caller];
	return 0;
}

static void sim_apply(struct devsim_config *c, const struct vmmio_devarg_sim *a,
		      const struct vmmio_bus_opts *opts)
{
	sim_queues(c, a);
	if (a->mtu)
		put_le16(&c->config[VMMIO_NET_CFG_MTU], a->mtu);
	if (a->qsize)
		for (unsigned q = 0; q < c->num_queues; q++)
			c->queue_num_max[q] = (uint16_t)a->qsize;
	c->refuse = a->refuse;
	for (unsigned i = 0; i < a->n_shm; i++) {
		c->shm[i].id = a->shm[i].id;
		c->shm[i].base = a->shm[i].base;
		c->shm[i].len = a->shm[i].len;
	}
	c->n_shm = a->n_shm;
	/* A hotplug slot presents DeviceID 0 until devsim_hotplug(). */
	if (a->hotplug)
		c->device_id = 0;
	c->driver_expects_shm = opts->sim.driver_expects_shm;
	c->verbose = opts->sim.verbose;
	/* sleep= is not the model's: it is the device thread's, and whoever
	 * starts that thread (the PMD) reads it from dev->arg.sim. */
}

int vmmio_bus_sim_open(struct vmmio_bus_dev *dev, const struct vmmio_bus_opts *opts,
		       const struct vmmio_bus_env *env, char *err, size_t errlen)
{
	const struct vmmio_devarg_sim *a = &dev->arg.sim;
	struct devsim_config c;
	struct devsim *sim;
	uint32_t device_id;

	(void)env; /* in process: nothing of the system is used */
	devsim_config_default(&c, a->device_id == VMMIO_DEVICE_ID_NET ? DEVSIM_NET : DEVSIM_BLK,
			      a->legacy);
	device_id = c.device_id;
	sim_apply(&c, a, opts);
	if (sim_backend(&c.backend, a->backend, opts->sim.backend) < 0) {
		snprintf(err, errlen,
			 "--device \"%s\": backend=%s, but the program runs the sim device with "
			 "the %s backend",
			 dev->name, backend_name(from_arg[a->backend]),
			 backend_name(from_caller[opts->sim.backend]));
		return -EINVAL;
	}
	sim = devsim_create(&c);
	if (!sim) {
		snprintf(err, errlen, "--device \"%s\": the device model refused its configuration",
			 dev->name);
		return -EINVAL;
	}
	/* hotplug=0: a placeholder that never becomes a device. */
	if (a->hotplug && a->hotplug_ms > 0)
		devsim_hotplug(sim, device_id, a->hotplug_ms);
	dev->win = devsim_regwin(sim);
	dev->dma = vmmio_heap_allocator();
	dev->priv = sim;
	return 0;
}

struct devsim *vmmio_bus_sim_model(const struct vmmio_bus_dev *dev)
{
	return dev->arg.bus == VMMIO_DEVARG_BUS_SIM ? dev->priv : NULL;
}
