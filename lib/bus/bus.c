/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bus layer's entry points: parse the --device argument, open the
 * device on the bus it names (if this build has that bus), close it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bus_internal.h"

static const struct {
	enum vmmio_devarg_bus id;
	const char *name;
	int (*open)(struct vmmio_bus_dev *dev, const struct vmmio_bus_opts *opts,
		    const struct vmmio_bus_env *env, char *err, size_t errlen);
} buses[] = {
#ifdef VMMIO_BUS_SIM
	{ VMMIO_DEVARG_BUS_SIM, "sim", vmmio_bus_sim_open },
#endif
#ifdef VMMIO_BUS_UIO
	{ VMMIO_DEVARG_BUS_UIO, "uio", vmmio_bus_uio_open },
#endif
#ifdef VMMIO_BUS_MEM
	{ VMMIO_DEVARG_BUS_MEM, "mem", vmmio_bus_mem_open },
#endif
#ifdef VMMIO_BUS_VHOST
	{ VMMIO_DEVARG_BUS_VHOST, "vhost", vmmio_bus_vhost_open },
#endif
};

#define N_BUSES (sizeof(buses) / sizeof(buses[0]))

const char *vmmio_bus_names(void)
{
	static char names[80];

	if (!names[0]) {
		size_t pos = 0;

		for (size_t i = 0; i < N_BUSES; i++)
			pos += (size_t)snprintf(names + pos, sizeof(names) - pos, "%s%s",
						i ? ", " : "", buses[i].name);
		if (!N_BUSES)
			snprintf(names, sizeof(names), "none");
	}
	return names;
}

/* What a device that is not open looks like: closing it does nothing. */
static void dev_clear(struct vmmio_bus_dev *dev)
{
	memset(dev, 0, sizeof(*dev));
	dev->win.irq_fd = -1;
	dev->numa_node = VMMIO_NUMA_ANY;
}

int vmmio_bus_open_env(const struct vmmio_bus_env *env, const char *arg,
		       const struct vmmio_bus_opts *opts, struct vmmio_bus_dev *dev, char *err,
		       size_t errlen)
{
	static const struct vmmio_bus_opts defaults;
	static const struct vmmio_bus_env real = { .root = "", .uio_irq_fd = -1 };
	int rc;

	dev_clear(dev);
	rc = vmmio_devarg_parse(arg, &dev->arg, err, errlen);
	if (rc < 0)
		return rc;
	snprintf(dev->name, sizeof(dev->name), "%s", arg);
	for (size_t i = 0; i < N_BUSES; i++) {
		if (buses[i].id != dev->arg.bus)
			continue;
		rc = buses[i].open(dev, opts ? opts : &defaults, env ? env : &real, err, errlen);
		if (rc < 0) {
			dev_clear(dev);
		} else {
			dev->win.name = dev->name;
		}
		return rc;
	}
	snprintf(err, errlen, "--device \"%s\": this build has no such bus (it has: %s)", arg,
		 vmmio_bus_names());
	return -ENODEV;
}

int vmmio_bus_open(const char *arg, const struct vmmio_bus_opts *opts, struct vmmio_bus_dev *dev,
		   char *err, size_t errlen)
{
	return vmmio_bus_open_env(NULL, arg, opts, dev, err, errlen);
}

void vmmio_bus_close(struct vmmio_bus_dev *dev)
{
	vmmio_regwin_close(&dev->win);
	dev->win.irq_fd = -1;
	dev->dma = NULL; /* uio and mem destroyed their allocator */
	dev->priv = NULL;
}
