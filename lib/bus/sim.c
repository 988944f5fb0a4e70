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

_Static_assert(VMMIO_DEVARG_MAX_QUEUES <= DEVSIM_MAX_QUEUES, "queues= fits the model");
_Static_assert(VMMIO_DEVARG_MAX_SHM <= DEVSIM_MAX_SHM, "shm= fits the model");
_Static_assert(VMMIO_DEVARG_MAX_QSIZE <= UINT16_MAX, "qsize= fits QueueSizeMax");

static void sim_apply(struct devsim_config *c, const struct vmmio_devarg_sim *a,
		      const struct vmmio_bus_opts *opts)
{
	if (a->queues) {
		/* New queues get the size the defaults give the first one. */
		for (unsigned q = c->num_queues; q < a->queues; q++)
			c->queue_num_max[q] = c->queue_num_max[0];
		c->num_queues = a->queues;
	}
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
	if (opts->sim.backend == VMMIO_SIM_BACKEND_LOOPBACK)
		c->backend = DEVSIM_BACKEND_LOOPBACK;
	else if (opts->sim.backend == VMMIO_SIM_BACKEND_SINK)
		c->backend = DEVSIM_BACKEND_SINK;
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
