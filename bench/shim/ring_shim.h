/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The C side of the ring microbenchmarks: one virtqueue (queue 0 of a
 * devsim net device whose SINK backend uses every available buffer at
 * once, length 0), serviced synchronously by devsim_step() in the same
 * thread, so each driver operation can be timed alone. The device asks
 * never to be notified (a polling device, as in vmmio-perf) and the driver
 * has interrupts disabled, so no notification is in the figures. Buffers
 * are one zero-length device-writable segment.
 */
#ifndef VMMIO_RING_SHIM_H
#define VMMIO_RING_SHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ring_bench;

/* A device and a driver past DRIVER_OK with queue 0 of @qsize entries in
 * the split or @packed format, with or without VIRTIO_F_EVENT_IDX. NULL
 * with the reason in @err. */
struct ring_bench *ring_bench_open(int packed, int event_idx, unsigned qsize, char *err,
				   size_t errlen);
void ring_bench_close(struct ring_bench *b);

/* Add @n buffers and publish them (vmmio_vq_kick: notify if asked).
 * Returns how many were added, or -1. */
int ring_bench_add_publish(struct ring_bench *b, unsigned n);
/* The device: use everything available. Returns the buffers used. */
unsigned ring_bench_device_step(struct ring_bench *b);
/* Reap up to @n used buffers. Returns how many. */
unsigned ring_bench_reap(struct ring_bench *b, unsigned n);

/* Notifications the driver sent so far. */
unsigned long long ring_bench_kicks(const struct ring_bench *b);
/* The driver's words when the queue broke or an add failed ("" if none). */
const char *ring_bench_error(const struct ring_bench *b);

#ifdef __cplusplus
}
#endif

#endif /* VMMIO_RING_SHIM_H */
