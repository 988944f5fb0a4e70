/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The differential tests' model of one queue: every buffer the test made,
 * where it is (added, available, held by the device, used, reaped), what
 * the driver was asked to put on the ring and what the device must see.
 * Buffers move between FIFOs in the order the spec fixes: the device takes
 * them in the order they were made available and the driver reaps them in
 * the order the device used them.
 */
#ifndef VMMIO_TEST_MODEL_H
#define VMMIO_TEST_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "vmmio_vq.h"

enum rec_state { REC_FREE, REC_ADDED, REC_AVAIL, REC_TAKEN, REC_USED };

/* One buffer; its address is the cookie handed to the driver. */
struct rec {
	struct rec *next_free;
	uint64_t serial; /* unique over the run: segment addresses derive from it */
	enum rec_state st;
	struct vmmio_seg *seg;
	uint16_t n_out, n_in;
	uint32_t out_len, in_len;
	uint16_t ndescs; /* ring descriptors it takes (1 when indirect) */
	bool indirect;
	uint16_t dev_id; /* the id the device took it with */
	uint32_t expect_len; /* the length the driver must report */
	bool reclaimed;
};

/* A FIFO of at most @cap buffers. */
struct fifo {
	struct rec **e;
	uint32_t cap, head, n;
};

int fifo_init(struct fifo *f, uint32_t cap);
void fifo_free(struct fifo *f);
void fifo_push(struct fifo *f, struct rec *r);
struct rec *fifo_pop(struct fifo *f);
/* The @i-th oldest. */
struct rec *fifo_at(const struct fifo *f, uint32_t i);
/* Remove the @i-th oldest; the oldest takes its place (for buffers whose
 * order does not matter: a device that uses out of order). */
struct rec *fifo_take(struct fifo *f, uint32_t i);

/* Pool of @num buffers (the most a queue of @num entries holds). */
struct pool {
	struct rec *recs;
	struct rec *free_list;
	uint32_t num, in_use;
	uint64_t serial;
};

int pool_init(struct pool *p, uint32_t num);
void pool_free(struct pool *p);
/* A buffer of @n_out + @n_in segments with fresh addresses; NULL if none left. */
struct rec *pool_get(struct pool *p, uint16_t n_out, uint16_t n_in, const uint32_t *lens);
void pool_put(struct pool *p, struct rec *r);
/* True when @cookie points at a buffer of @p. */
bool pool_owns(const struct pool *p, const void *cookie);

/* The device-visible address of segment @i of buffer @serial: made up
 * (the manual backend never touches buffers), unique, and decodable. */
static inline uint64_t model_seg_addr(uint64_t serial, uint32_t i)
{
	return 0x100000000000ull + (serial << 20) + ((uint64_t)i << 4);
}

#endif /* VMMIO_TEST_MODEL_H */
