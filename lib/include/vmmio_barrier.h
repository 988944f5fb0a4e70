/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory ordering between a driver and a device that share ring memory
 * ("Memory barriers" in the spec's virtqueue chapters), and the access
 * helpers for fields the other side writes concurrently.
 *
 * The ring engines need three orderings:
 *   - wmb: earlier stores are visible before later stores (descriptors
 *     before the index or flags that expose them);
 *   - rmb: earlier loads complete before later loads (the index or flags
 *     that announce used buffers before the entries they announce);
 *   - mb:  earlier stores are visible before later loads (publishing an
 *     index, then reading the other side's suppression field: without it
 *     both sides can miss each other's update and a notification is lost).
 * They are C11 fences, so the compiler emits what the CPU needs: on x86
 * (TSO) wmb and rmb cost nothing at run time and mb is one locked
 * instruction.
 */
#ifndef VMMIO_BARRIER_H
#define VMMIO_BARRIER_H

#include <stdatomic.h>
#include <stdint.h>

static inline void vmmio_wmb(void)
{
	atomic_thread_fence(memory_order_release);
}

static inline void vmmio_rmb(void)
{
	atomic_thread_fence(memory_order_acquire);
}

static inline void vmmio_mb(void)
{
	atomic_thread_fence(memory_order_seq_cst);
}

/* Single-copy-atomic loads and stores of shared ring fields: the compiler
 * may neither tear, merge nor cache them. */
static inline uint16_t vmmio_load16(const uint16_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void vmmio_store16(uint16_t *p, uint16_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static inline uint32_t vmmio_load32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void vmmio_store32(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

#endif /* VMMIO_BARRIER_H */
