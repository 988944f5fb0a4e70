/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packed ring engine's private state (packed.c).
 *
 * Everything the driver needs to know lives here and in the per-id records
 * (struct vq_packed_extra, in packed.c); shared memory is written, never
 * read back and trusted.
 */
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

	/* --- producer: add and publish --- */
	uint16_t next_avail; /* where the next descriptor goes */
	bool avail_wrap; /* Driver Ring Wrap Counter at next_avail (starts 1) */
	/* What the device may see: everything before (pub_pos, pub_wrap). The
	 * first head added since, whose flags publish stores, sits there. */
	uint16_t pub_pos;
	bool pub_wrap;
	uint16_t head_flags; /* that head's flags, written by publish */
	uint64_t add_seq; /* buffers ever added (never wraps in practice) */
	uint64_t pub_seq; /* add_seq at the last publish */
	uint16_t free_head; /* without IN_ORDER: LIFO of free ids */
	uint16_t next_id; /* with IN_ORDER: ids are handed out in order */

	/* --- consumer: reap --- */
	uint16_t last_used; /* where the device writes its next used descriptor */
	bool used_wrap; /* Device Ring Wrap Counter expected there (starts 1) */
	uint16_t oldest_id; /* with IN_ORDER: the oldest outstanding id */
	/* With IN_ORDER: buffers of a batch the device reported with one used
	 * descriptor and not yet returned, and the length of its last one. */
	uint16_t batch_left;
	uint32_t batch_len;

	uint16_t drv_flags; /* what driver_ev->flags holds */
};

#endif /* VMMIO_VQ_PACKED_H */
