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
	int (*open)(struct vmmio_bus_dev *dev, const struct vmmio_bus_opts *opts, char *err,
		    size_t errlen);
} buses[] = {
#ifdef VMMIO_BUS_SIM
	{ VMMIO_DEVARG_BUS_SIM, "sim", vmmio_bus_sim_open },
#endif
};

#define N_BUSES (sizeof(buses) / sizeof(buses[0]))

const char *vmmio_bus_names(void)
{
	static char names[64];

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

int vmmio_bus_open(const char *arg, const struct vmmio_bus_opts *opts, struct vmmio_bus_dev *dev,
		   char *err, size_t errlen)
{
	static const struct vmmio_bus_opts defaults;
	int rc;

	memset(dev, 0, sizeof(*dev));
	dev->win.irq_fd = -1;
	rc = vmmio_devarg_parse(arg, &dev->arg, err, errlen);
	if (rc < 0)
		return rc;
	snprintf(dev->name, sizeof(dev->name), "%s", arg);
	for (size_t i = 0; i < N_BUSES; i++) {
		if (buses[i].id != dev->arg.bus)
			continue;
		rc = buses[i].open(dev, opts ? opts : &defaults, err, errlen);
		if (rc < 0) {
			/* nothing open: closing it does nothing */
			memset(dev, 0, sizeof(*dev));
			dev->win.irq_fd = -1;
		} else {
			dev->win.name = dev->name;
		}
		return rc;
	}
	snprintf(err, errlen, "--device \"%s\": this build has no such bus (it has: %s)", arg,
		 vmmio_bus_names());
	return -ENODEV;
}

void vmmio_bus_close(struct vmmio_bus_dev *dev)
{
	vmmio_regwin_close(&dev->win);
	dev->priv = NULL;
}
