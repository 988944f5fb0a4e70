/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmmio-perf: throughput and latency of the virtqueue datapath against a
 * device serviced by another core. The pieces: options.c (the command
 * line), setup.c (device, features, queues, threads), loopback.c,
 * ring.c and echo.c (the run modes), phase.c (the timed phase and its progress
 * line), rtt.c (round-trip percentiles), report.c (human and JSON output).
 */
#ifndef VMMIO_PERF_H
#define VMMIO_PERF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "vmmio_bus.h"
#include "vmmio_dev.h"
#include "vmmio_mem.h"
#include "vmmio_pktpool.h"
#include "vmmio_vq.h"

#define PERF_PROG "vmmio-perf"
#define PERF_ERR_LEN 512
#define PERF_MAX_QUEUES 2u

enum perf_mode {
	PERF_MODE_LOOPBACK, /* net: tx queue 1 -> device (or vhost backend) -> rx queue 0 */
	PERF_MODE_RING, /* one queue, SINK device: the ring protocol alone */
	PERF_MODE_ECHO, /* net, a real device: ARP round trips with its peer */
};

struct perf_opts {
	const char *device;
	enum perf_mode mode;
	bool packed;
	unsigned burst;
	unsigned pkt_size; /* payload bytes, without the virtio-net header */
	unsigned qsize;
	double duration; /* seconds of the throughput phase */
	unsigned rtt_samples;
	bool event_idx; /* ask for VIRTIO_F_EVENT_IDX */
	int driver_cpu, device_cpu; /* -1: not pinned */
	unsigned device_sleep; /* idle polls before the device sleeps; 0: never */
	const char *json; /* NULL: no JSON file */
	bool quiet;
	uint32_t peer_ip, own_ip; /* echo mode, host order */
};

/* Parse the command line into @o. 0: run; 1: --help printed; 2: usage
 * error (printed, naming the argument and value). */
int perf_parse_args(int argc, char **argv, struct perf_opts *o);

struct perf_queue {
	struct vmmio_vq *vq;
};

struct perf_ctx {
	const struct perf_opts *o;
	struct vmmio_bus_dev bus;
	bool opened; /* bus is open */
	struct devsim *sim; /* the model behind the sim: device */
	/* A vhost: device: the rings are a vhost-user backend's, in another
	 * process; no device thread here, no device-side figures. */
	bool vhost;
	struct vmmio_dev dev;
	bool probed;
	struct perf_queue q[PERF_MAX_QUEUES];
	unsigned nq;
	/* Packet buffers, freed only after the device was reset. */
	struct vmmio_dma pool;
	struct vmmio_pktpool *pkts; /* echo mode's, likewise */
	unsigned hdr_len; /* virtio-net header bytes (loopback mode) */
	bool thread_running;
	char err[PERF_ERR_LEN];
};

/* Describe what went wrong in c->err; returns -1. */
int perf_fail(struct perf_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A wait ran out: say why, with the driver's finding if a queue broke
 * (the likely cause), else with @fmt. Returns -1. */
int perf_stalled(struct perf_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Open the device, negotiate, set the queues up, DRIVER_OK, start the
 * device thread and pin this one. 0, or -1 with c->err set. */
int perf_setup(struct perf_ctx *c, const struct perf_opts *o);
/* Stop the device thread (the figures it counted are then stable). */
void perf_device_stop(struct perf_ctx *c);
/* Stop the device thread, reset the device, free everything. */
void perf_teardown(struct perf_ctx *c);
/* 0 while no queue is broken; else -1 with the driver's finding in c->err. */
int perf_queues_ok(struct perf_ctx *c);
/* The packet buffers (c->pool, @len bytes) from memory the device reaches;
 * freed by perf_teardown() after the device was reset. -1 with c->err. */
int perf_pool(struct perf_ctx *c, size_t len);
/* Notifications the driver sent, over all queues. */
uint64_t perf_driver_kicks(const struct perf_ctx *c);
/* What the device counted over all queues (only devsim counts): used
 * buffer notifications sent, and times it went to sleep. Thread stopped.
 * False when the device cannot tell. */
bool perf_device_counts(const struct perf_ctx *c, uint64_t *irqs, uint64_t *sleeps);

struct perf_rtt {
	unsigned samples;
	uint64_t p50, p99, p999, max;
};

struct perf_result {
	uint64_t packets; /* moved during the throughput phase */
	double seconds; /* its length */
	struct perf_rtt rtt;
	uint64_t total_packets; /* every packet of the run (both phases) */
	uint64_t kicks; /* driver notifications over all queues, whole run */
	int64_t irqs; /* device notifications over all queues, whole run; -1 unknown */
	int64_t device_sleeps; /* times the device slept, whole run; -1 unknown */
};

/* The modes: throughput phase then ping-pong phase. 0, or -1 with c->err
 * set (a lost, duplicated or corrupted packet, a wrong reply, a broken
 * queue, a stalled device). */
int perf_run_loopback(struct perf_ctx *c, struct perf_result *r);
int perf_run_ring(struct perf_ctx *c, struct perf_result *r);
int perf_run_echo(struct perf_ctx *c, struct perf_result *r);

/* --- timing ------------------------------------------------------------------ */

/* CLOCK_MONOTONIC in ns: a vDSO read, no system call. */
static inline uint64_t perf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Loop iterations between two clock reads in the throughput phase. */
#define PERF_TICK_MASK 63u
/* A device that moves nothing for this long is reported as stalled. */
#define PERF_STALL_NS 2000000000ull

enum perf_tick {
	PERF_TICK_GO, /* keep going */
	PERF_TICK_DONE, /* the phase's time is up */
	PERF_TICK_STALLED, /* nothing moved for PERF_STALL_NS */
};

struct perf_phase {
	uint64_t start, deadline;
	uint64_t now; /* at the last tick */
	uint64_t next_report; /* 0: no progress line */
	uint64_t last_packets, last_move;
};

void perf_phase_start(struct perf_phase *ph, double seconds, bool progress);
/* Look at the clock with the packets moved so far; prints the progress line. */
enum perf_tick perf_phase_tick(struct perf_phase *ph, uint64_t packets);
/* Wait for one event with a bounded spin: true once @now - @since passed
 * PERF_STALL_NS (checked every few thousand calls through @spins). */
bool perf_spin_expired(uint64_t since, unsigned *spins);

/* Sort @samples in place and take the percentiles (nearest rank). */
void perf_rtt_summarise(uint64_t *samples, unsigned n, struct perf_rtt *out);

/* --- output ------------------------------------------------------------------ */

void perf_report_human(FILE *f, const struct perf_ctx *c, const struct perf_result *r);
/* Write the JSON document to @f (opened on @path, closed here). 0, or -1
 * with c->err naming the file. */
int perf_report_json(FILE *f, const char *path, struct perf_ctx *c, const struct perf_result *r);

#endif /* VMMIO_PERF_H */
