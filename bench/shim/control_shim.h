/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The C side of the control-plane microbenchmarks: each function runs one
 * operation of libvmmio against devsim, so the C++ Google Benchmark driver
 * never sees a C struct. Returns 0 on success.
 */
#ifndef VMMIO_CONTROL_SHIM_H
#define VMMIO_CONTROL_SHIM_H

#ifdef __cplusplus
extern "C" {
#endif

struct ctl_bench;

/* A devsim net device (modern unless @legacy) with a driver probed on it. */
struct ctl_bench *ctl_bench_open(int legacy);
void ctl_bench_close(struct ctl_bench *b);

/* The whole handshake: reset .. DRIVER_OK, with two queues enabled. */
int ctl_bench_init(struct ctl_bench *b);
/* One atomic read of the whole net configuration (ConfigGeneration loop). */
int ctl_bench_read_net_config(struct ctl_bench *b);
/* Raise a used-buffer interrupt and handle it (read status, ACK). */
int ctl_bench_irq(struct ctl_bench *b);
/* Register accesses made by the last operation (devsim's log). */
unsigned long ctl_bench_accesses(struct ctl_bench *b);

#ifdef __cplusplus
}
#endif

#endif /* VMMIO_CONTROL_SHIM_H */
