/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --device argument to register window. The sim bus builds a devsim
 * model from the device type's defaults plus the argument's options.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "device_open.h"
#include "devsim.h"

_Static_assert(VMMIO_DEVARG_MAX_QUEUES <= DEVSIM_MAX_QUEUES, "queues= fits the model");
_Static_assert(VMMIO_DEVARG_MAX_SHM <= DEVSIM_MAX_SHM, "shm= fits the model");
_Static_assert(VMMIO_DEVARG_MAX_QSIZE <= UINT16_MAX, "qsize= fits QueueSizeMax");

static void sim_apply(struct devsim_config *c, const struct vmmio_devarg *a,
		      const struct device_open_opts *opts)
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
	if (opts) {
		c->driver_expects_shm = opts->driver_expects_shm;
		c->verbose = opts->verbose;
		if (opts->backend == DEVICE_OPEN_BACKEND_LOOPBACK)
			c->backend = DEVSIM_BACKEND_LOOPBACK;
		else if (opts->backend == DEVICE_OPEN_BACKEND_SINK)
			c->backend = DEVSIM_BACKEND_SINK;
	}
}

static int sim_open(const char *arg, const struct device_open_opts *opts,
		    struct opened_device *dev, char *err, size_t errlen)
{
	const struct vmmio_devarg *a = &dev->arg;
	struct devsim_config c;
	uint32_t device_id;

	devsim_config_default(&c,
			      a->device_id == VMMIO_DEVICE_ID_NET ? DEVSIM_NET : DEVSIM_BLK,
			      a->legacy);
	device_id = c.device_id;
	sim_apply(&c, a, opts);
	dev->sim = devsim_create(&c);
	if (!dev->sim) {
		snprintf(err, errlen, "--device \"%s\": the device model refused its configuration",
			 arg);
		return -EINVAL;
	}
	/* hotplug=0: a placeholder that never becomes a device. */
	if (a->hotplug && a->hotplug_ms > 0)
		devsim_hotplug(dev->sim, device_id, a->hotplug_ms);
	dev->win = devsim_regwin(dev->sim);
	dev->win.name = arg;
	return 0;
}

int device_open(const char *arg, const struct device_open_opts *opts, struct opened_device *dev,
		char *err, size_t errlen)
{
	int rc;

	memset(dev, 0, sizeof(*dev));
	rc = vmmio_devarg_parse(arg, &dev->arg, err, errlen);
	if (rc < 0)
		return rc;
	switch (dev->arg.bus) {
	case VMMIO_DEVARG_BUS_SIM:
		return sim_open(arg, opts, dev, err, errlen);
	}
	snprintf(err, errlen, "--device \"%s\": bus not available in this build", arg);
	return -ENODEV;
}

void device_close(struct opened_device *dev)
{
	if (dev->sim)
		devsim_destroy(dev->sim);
	dev->sim = NULL;
}
