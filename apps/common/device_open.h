/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Open the device a --device argument names and hand back its register
 * window. Today the only bus is sim (devsim in process); real buses add a
 * branch here and keep the same shape.
 */
#ifndef VMMIO_APPS_DEVICE_OPEN_H
#define VMMIO_APPS_DEVICE_OPEN_H

#include <stdbool.h>
#include <stddef.h>

#include "vmmio_devarg.h"
#include "vmmio_regwin.h"

struct devsim;

/* sim: who services the rings (devsim's enum devsim_backend). */
enum device_open_backend {
	DEVICE_OPEN_BACKEND_DEFAULT, /* the device type's: net LOOPBACK, blk none */
	DEVICE_OPEN_BACKEND_LOOPBACK, /* net: transmitted packets come back on receive */
	DEVICE_OPEN_BACKEND_SINK, /* every available buffer is used at once, length 0 */
};

struct device_open_opts {
	/* sim: the driver enumerates shared memory regions, which devsim's
	 * checker would otherwise flag (MMIO-SHM-UNEXPECTED). */
	bool driver_expects_shm;
	/* sim: print each driver-rule violation to stderr as it happens. */
	bool verbose;
	enum device_open_backend backend;
};

struct opened_device {
	struct vmmio_devarg arg; /* the parsed argument */
	struct vmmio_regwin win; /* name: the argument as given */
	struct devsim *sim; /* the model behind a sim: device, else NULL */
};

/*
 * Parse @arg and open the device. @opts may be NULL. Returns 0, or a
 * negative errno with a message naming @arg in @err. @arg must outlive
 * @dev (the window's name points at it).
 */
int device_open(const char *arg, const struct device_open_opts *opts, struct opened_device *dev,
		char *err, size_t errlen);

/* Release what device_open() set up; @dev may be closed twice. */
void device_close(struct opened_device *dev);

#endif /* VMMIO_APPS_DEVICE_OPEN_H */
