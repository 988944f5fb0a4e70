/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tests' allocator: the heap allocator's memory (IOVA = VA, low
 * mappings below an IOVA limit), but in ranges of at most max_contig bytes,
 * as hugepages give them, so a queue's indirect tables are spread over
 * several ranges; and it counts what is out, so a test can tell that a
 * queue gave everything back.
 */
#ifndef VMMIO_TEST_TALLOC_H
#define VMMIO_TEST_TALLOC_H

#include <stddef.h>

#include "vmmio_vq.h"

struct talloc {
	struct vmmio_allocator a; /* pass &t->a to vmmio_vq_create() */
	unsigned dma_out; /* DMA ranges given and not freed */
	unsigned dma_total; /* DMA ranges ever given */
	unsigned priv_out; /* private blocks given and not freed */
};

/* Ranges of at most @max_contig bytes (0: no limit). */
void talloc_init(struct talloc *t, size_t max_contig);

/* The smallest power of 2 (at least 4096) that holds the ring areas of
 * @p: a max_contig that lets the ring be created and splits the tables. */
size_t talloc_ring_contig(const struct vmmio_vq_params *p);

#endif /* VMMIO_TEST_TALLOC_H */
