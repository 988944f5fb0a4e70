/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An external device side: devsim keeps the registers (and its checker)
 * and hands the rings to someone else, the way QEMU's virtio-mmio
 * transport hands a vhost-user netdev's rings to a backend process. The
 * vhost bus (lib/bus/vhost.c) is the user.
 *
 * Every hook runs inside the driver's register access that caused it, with
 * devsim's lock held, so the access completes only once the hook did:
 * when the driver reads Status 0 back after a reset, the other side has let
 * go of the rings ("the device MUST ... reset" before it presents 0). A hook
 * must not call back into devsim's locking API (devsim_raise_irq() etc.);
 * other threads may.
 */
#ifndef DEVSIM_EXT_H
#define DEVSIM_EXT_H

#include <stdbool.h>
#include <stdint.h>

#include "devsim.h"

/* A queue as the driver set it up (modern layout: the three addresses). */
struct devsim_ext_queue {
	uint16_t index;
	uint16_t num; /* QueueSize */
	uint64_t desc, driver, device; /* descriptor area, driver area, device area */
};

struct devsim_ext_ops {
	/*
	 * DRIVER_OK was set: @drv the features the driver accepted (FEATURES_OK
	 * stuck), @q the @n queues that are ready. 0: the other side runs
	 * them; else the device enters DEVICE_NEEDS_RESET (and the hook said
	 * why on its own channel).
	 */
	int (*start)(void *ctx, const struct vmmio_features *drv, const struct devsim_ext_queue *q,
		     unsigned n);
	/* Queue @q->index was enabled again (QueueReady 1 after a queue
	 * reset) while DRIVER_OK is set. 0, or DEVICE_NEEDS_RESET as for start. */
	int (*queue_start)(void *ctx, const struct devsim_ext_queue *q);
	/* Queue @q stops (QueueReady 0, or QueueReset) while DRIVER_OK is set. */
	void (*queue_stop)(void *ctx, uint16_t q);
	/* The driver reset the device (Status 0) after start. */
	void (*reset)(void *ctx);
	/* QueueNotify: @val as written (the queue index in its low 16 bits). */
	void (*notify)(void *ctx, uint16_t q, uint32_t val);
};

/*
 * Hand @s's rings to @ops (kept, not copied). Before the driver's first
 * access; devsim then runs no datapath of its own: devsim_step() and the
 * device thread are refused (-EBUSY).
 */
void devsim_ext_attach(struct devsim *s, const struct devsim_ext_ops *ops, void *ctx);

/* The other side went away (from any thread but a hook's; takes the lock):
 * if it was running the rings, the device enters DEVICE_NEEDS_RESET and
 * passes no more notifications on; the driver recovers by a reset, after
 * which start is called again. */
void devsim_ext_lost(struct devsim *s);

#endif /* DEVSIM_EXT_H */
