/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fd-backed DMA memory for a device side in another process (the vhost
 * bus): one memfd, mapped shared, carved by a first-fit allocator. The
 * peer maps the same file (SET_MEM_TABLE), so an address the driver writes
 * in a descriptor is our virtual address (IOVA = VA) and the peer
 * translates it through the memory table. The file is sparse: only pages
 * the driver touches cost memory. Internal to libvmmio.
 */
#ifndef VMMIO_MEMFD_ARENA_H
#define VMMIO_MEMFD_ARENA_H

#include <stddef.h>

#include "vmmio_mem.h"

struct vmmio_memfd_arena;

/* An arena of @size bytes (a multiple of the page size). NULL with the
 * reason in @err. */
struct vmmio_memfd_arena *vmmio_memfd_arena_create(size_t size, char *err, size_t errlen);
/* Unmap and close; everything handed out must be back. */
void vmmio_memfd_arena_destroy(struct vmmio_memfd_arena *a);
/* The allocator over @a (its name "memfd"). */
const struct vmmio_allocator *vmmio_memfd_arena_allocator(const struct vmmio_memfd_arena *a);
/* The whole arena: where it is mapped, its size, its file. */
void vmmio_memfd_arena_region(const struct vmmio_memfd_arena *a, void **va, size_t *len,
			      int *fd);

#endif /* VMMIO_MEMFD_ARENA_H */
