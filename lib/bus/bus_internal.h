/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to lib/bus: what each bus implements. vmmio_bus_open() parses
 * the argument, then calls the open of the bus it names with dev->arg and
 * dev->name filled in (dev->numa_node VMMIO_NUMA_ANY); the bus fills
 * dev->win, dev->dma, dev->numa_node and dev->priv. Closing is the window's
 * close (vmmio_regwin.h), which releases what the bus set up.
 */
#ifndef VMMIO_BUS_INTERNAL_H
#define VMMIO_BUS_INTERNAL_H

#include "vmmio_bus.h"

/*
 * Where a bus finds the system: the real one for vmmio_bus_open(), a fake
 * tree in a temporary directory for the unit tests (tests/unit/test_bus_hw.c),
 * which link libvmmio.a and call vmmio_bus_open_env(). Hidden: not in
 * libvmmio.so.
 */
struct vmmio_bus_env {
	/* Prefix of every path a bus opens (/sys/..., /dev/..., /proc/iomem):
	 * "" for the real system. */
	const char *root;
	/* uio: >= 0, an fd that stands in for /dev/uioN's interrupt (poll,
	 * read of the count, write of the unmask), duplicated by the bus: a
	 * regular file can stand in for the mapping but cannot be polled. -1:
	 * the device's own. */
	int uio_irq_fd;
};

/* vmmio_bus_open() in @env (NULL: the real system). */
int vmmio_bus_open_env(const struct vmmio_bus_env *env, const char *arg,
		       const struct vmmio_bus_opts *opts, struct vmmio_bus_dev *dev, char *err,
		       size_t errlen);

int vmmio_bus_sim_open(struct vmmio_bus_dev *dev, const struct vmmio_bus_opts *opts,
		       const struct vmmio_bus_env *env, char *err, size_t errlen);
int vmmio_bus_uio_open(struct vmmio_bus_dev *dev, const struct vmmio_bus_opts *opts,
		       const struct vmmio_bus_env *env, char *err, size_t errlen);
int vmmio_bus_mem_open(struct vmmio_bus_dev *dev, const struct vmmio_bus_opts *opts,
		       const struct vmmio_bus_env *env, char *err, size_t errlen);
int vmmio_bus_vhost_open(struct vmmio_bus_dev *dev, const struct vmmio_bus_opts *opts,
			 const struct vmmio_bus_env *env, char *err, size_t errlen);

#endif /* VMMIO_BUS_INTERNAL_H */
