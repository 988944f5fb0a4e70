/* SPDX-License-Identifier: BSD-3-Clause */
/* The packed ring engine's private state (packed.c). */
#ifndef VMMIO_VQ_PACKED_H
#define VMMIO_VQ_PACKED_H

#include <stdbool.h>
#include <stdint.h>

#include "vmmio_ring.h"

struct vq_packed_extra;

struct vq_packed {
	struct vmmio_pdesc *desc;
	struct vmmio_pevent *driver_ev; /* Driver Area: written by the driver */
	struct vmmio_pevent *device_ev; /* Device Area: written by the device */
	uint64_t desc_iova, driver_iova, device_iova;
	struct vq_packed_extra *extra; /* per buffer id: the driver's own record */
};

#endif /* VMMIO_VQ_PACKED_H */
