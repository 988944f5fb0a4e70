/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sim bus's own: the device model behind a sim: device, for what only
 * an in-process device has (its device thread, its statistics, its faults;
 * devsim.h and devsim_vq.h). Built only with the sim bus; the vhost bus's
 * model likewise.
 */
#ifndef VMMIO_BUS_SIM_H
#define VMMIO_BUS_SIM_H

#include "vmmio_bus.h"

struct devsim;

/* The model behind @dev, or NULL when @dev is not on the sim bus. */
VMMIO_API struct devsim *vmmio_bus_sim_model(const struct vmmio_bus_dev *dev);

/* The model whose registers a vhost: device presents (its checker, its
 * access log; the rings are the backend's), or NULL when @dev is not on
 * the vhost bus. Built only with the vhost bus. */
VMMIO_API struct devsim *vmmio_bus_vhost_model(const struct vmmio_bus_dev *dev);

#endif /* VMMIO_BUS_SIM_H */
