/* SPDX-License-Identifier: BSD-3-Clause */
/* The split ring engine's private state (split.c). */
#ifndef VMMIO_VQ_SPLIT_H
#define VMMIO_VQ_SPLIT_H

#include <stdint.h>

#include "vmmio_ring.h"

struct vq_split_extra;

struct vq_split {
	struct vmmio_vring_desc *desc;
	struct vmmio_vring_avail *avail;
	struct vmmio_vring_used *used;
	uint64_t desc_iova, avail_iova, used_iova;
	struct vq_split_extra *extra; /* per descriptor: the driver's own record */
};

#endif /* VMMIO_VQ_SPLIT_H */
