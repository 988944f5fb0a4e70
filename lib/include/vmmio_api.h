/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Symbol and code-placement attributes of libvmmio's headers.
 *
 * The library is built with -fvisibility=hidden: only declarations marked
 * VMMIO_API are exported from libvmmio.so (and every exported name starts
 * with vmmio_, lib/libvmmio.map), so a DPDK application that links it next
 * to DPDK's own drivers meets no stray names.
 */
#ifndef VMMIO_API_H
#define VMMIO_API_H

/* Exported from the shared library. */
#define VMMIO_API __attribute__((visibility("default")))

/* The fast path: inlined into the caller (the PMD's burst functions), so a
 * burst costs no call into the library. */
#define VMMIO_INLINE static inline __attribute__((always_inline))

/* Reached only when a device lies or a caller passes a bad buffer: kept out
 * of line and out of the hot code's cache lines. */
#define VMMIO_COLD __attribute__((cold, noinline))

#define VMMIO_LIKELY(x) __builtin_expect(!!(x), 1)
#define VMMIO_UNLIKELY(x) __builtin_expect(!!(x), 0)

#endif /* VMMIO_API_H */
