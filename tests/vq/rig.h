/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The datapath tests' rig: a devsim virtio-net device and the driver
 * brought up on it with vmmio_probe()/vmmio_init(), negotiating exactly
 * the ring features of the combination under test, with virtqueues made
 * by the setup callback (vmmio_vq_params_from_dev(), heap memory through
 * the counting test allocator in ranges no larger than a ring, so the
 * indirect tables are spread over several, vmmio_vq_enable()). Also the tests' random numbers, seeds and failure
 * reports, which always name the seed so a failure can be replayed.
 */
#ifndef VMMIO_TEST_RIG_H
#define VMMIO_TEST_RIG_H

#include <stdbool.h>
#include <stdint.h>

#include "devsim.h"
#include "devsim_vq.h"
#include "talloc.h"
#include "vmmio_dev.h"
#include "vmmio_vq.h"

/* The ring features of one combination under test. */
struct rig_ring {
	bool packed;
	bool event_idx;
	bool in_order;
	bool indirect;
	bool notif_data;
	bool legacy; /* a Version 1 device (split only; no bit >= 32) */
};

struct rig_opts {
	struct rig_ring ring;
	enum devsim_backend backend;
	uint16_t nq; /* queues 0..nq-1 are created */
	uint16_t num; /* their QueueSize (QueueSizeMax is raised to it if needed) */
};

/* Called with each buffer vmmio_vq_reclaim() hands back during a recovery. */
typedef void (*rig_reclaim_fn)(uint16_t q, void *cookie, void *arg);

struct rig {
	struct rig_opts o;
	struct devsim_config cfg;
	struct devsim *sim;
	struct vmmio_regwin win;
	struct vmmio_dev dev;
	struct talloc alloc; /* the queues' memory */
	struct vmmio_vq *vq[DEVSIM_MAX_QUEUES];
	/* what the setup callback does with queues that exist (recovery) */
	rig_reclaim_fn reclaim;
	void *reclaim_arg;
	uint16_t reclaim_q; /* the queue being reclaimed */
	unsigned reclaimed; /* buffers handed back by the setup callback */
	unsigned setups; /* setup callback calls */
	char err[VMMIO_ERR_LEN];
};

/* "split", "packed+event_idx+in_order", "legacy-split+indirect". */
const char *rig_ring_name(const struct rig_ring *r, char *buf, size_t len);

/*
 * Create the device (MANUAL or LOOPBACK backend as @o says) and bring the
 * driver up to DRIVER_OK with the features of @o->ring (and RING_RESET on
 * a modern device). Returns 0, or a negative errno with the reason in
 * r->err (the rig is closed then).
 */
int rig_open(struct rig *r, const struct rig_opts *o);
void rig_close(struct rig *r);

/* The setup callback rig_open() passes to vmmio_init(); vmmio_recover()
 * takes it too. On a queue that exists it reclaims (to r->reclaim) and
 * enables it again. @arg is the rig. */
int rig_setup(struct vmmio_dev *d, void *arg);

/* Print the checker's violations (the first 20) as TAP diagnostics;
 * returns how many there are. */
size_t rig_dump_violations(const struct rig *r);

/* --- random numbers and seeds ---------------------------------------------------- */

struct rng {
	uint64_t s;
};

static inline void rng_seed(struct rng *g, uint64_t seed)
{
	/* xorshift must not start at 0; mix the seed so 1, 2, 3 differ a lot */
	g->s = (seed + 1) * 0x9e3779b97f4a7c15ull;
	if (!g->s)
		g->s = 1;
}

/* xorshift64*: the same sequence on every machine. */
static inline uint64_t rng_next(struct rng *g)
{
	g->s ^= g->s >> 12;
	g->s ^= g->s << 25;
	g->s ^= g->s >> 27;
	return g->s * 0x2545f4914f6cdd1dull;
}

/* Uniform in [0, n); 0 when n is 0. */
static inline uint32_t rng_below(struct rng *g, uint32_t n)
{
	return n ? (uint32_t)((rng_next(g) >> 32) * n >> 32) : 0;
}

/* Uniform in [lo, hi]. */
static inline uint32_t rng_range(struct rng *g, uint32_t lo, uint32_t hi)
{
	return lo + rng_below(g, hi - lo + 1);
}

/* True with probability 1/n. */
static inline bool rng_one_in(struct rng *g, uint32_t n)
{
	return rng_below(g, n) == 0;
}

/*
 * The base seed: argv[1] when given, else $VMMIO_SEED, else @dflt (fixed,
 * so CI runs are deterministic). Printed as a TAP diagnostic.
 */
uint64_t rig_base_seed(int argc, char **argv, uint64_t dflt);

/* Print "# FAIL file:line: seed S: message". */
void rig_fail(uint64_t seed, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Fail the current TAP case (tap.h, included by the test) naming @seed. */
#define RIG_FAIL(seed, ...) \
	(tap_case_failures++, rig_fail((seed), __FILE__, __LINE__, __VA_ARGS__))

#endif /* VMMIO_TEST_RIG_H */
