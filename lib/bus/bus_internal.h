/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to lib/bus: what each bus implements. vmmio_bus_open() parses
 * the argument, then calls the open of the bus it names with dev->arg and
 * dev->name filled in; the bus fills dev->win, dev->dma and dev->priv.
 * Closing is the window's close (vmmio_regwin.h), which releases what the
 * bus set up.
 */
#ifndef VMMIO_BUS_INTERNAL_H
#define VMMIO_BUS_INTERNAL_H

#include "vmmio_bus.h"

int vmmio_bus_sim_open(struct vmmio_bus_dev *dev, const struct vmmio_bus_opts *opts, char *err,
		       size_t errlen);

#endif /* VMMIO_BUS_INTERNAL_H */
