/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmmio-guest: the tests that run inside the QEMU guest against QEMU's own
 * virtio-mmio devices (tests/qemu/run_guest.py boots the guest, and
 * guest-tests.sh calls this program once per case). Each run drives one
 * device through libvmmio's public API only, as an application would:
 *
 *   net  ARP round trips with the peer behind the device (QEMU's user
 *        network answers for 10.0.2.2; testpmd's icmpecho, behind
 *        vhost-user on the host or on a hub NIC in the guest with our PMD,
 *        answers any address), each reply checked; poll or
 *        interrupt mode; queue reset and device reset with traffic after.
 *   blk  read sector 0 and compare it byte for byte with a file.
 *
 * Every line it prints starts with "# " (a TAP comment); the exit status
 * is the verdict: 0 passed, 1 failed, 2 usage error.
 *
 * The pieces: main.c (command line), dev.c (open, negotiate, queues,
 * packet buffers), net.c (the net cases, with apps/common/arp.c), blk.c, dump.c
 * (what the rings hold, printed when a device stops answering).
 */
#ifndef VMMIO_GUEST_H
#define VMMIO_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "vmmio_bus.h"
#include "vmmio_dev.h"
#include "vmmio_features.h"
#include "vmmio_vq.h"

#define GUEST_PROG "vmmio-guest"
#define GUEST_MAX_QUEUES 2u
#define GUEST_SLOT 2048u /* one packet buffer: header slot + frame */
#define GUEST_HDR_SLOT 64u /* where the frame starts inside a slot */

struct guest_opts {
	const char *cmd; /* "net" or "blk" */
	const char *device;
	bool packed; /* --ring packed */
	unsigned count; /* round trips per phase */
	uint32_t peer_ip, own_ip; /* host order */
	bool irq; /* interrupt mode */
	bool reset; /* queue reset and device reset phases */
	unsigned expect_version; /* 0: either */
	const char *expect_file; /* blk: sector 0 */
	unsigned timeout_ms; /* per round trip or request */
	struct vmmio_features drop; /* --drop: features not to ask for */
};

/* An open, initialised device with its queues and packet buffers. */
struct guest_dev {
	const struct guest_opts *o;
	struct vmmio_bus_dev bus;
	bool opened, probed;
	struct vmmio_dev dev;
	struct vmmio_vq *vq[GUEST_MAX_QUEUES];
	uint16_t qsize[GUEST_MAX_QUEUES];
	unsigned nq;
	struct vmmio_dma pool; /* GUEST_SLOT-byte slots */
	unsigned slots;
};

/* Print "# " + the message. */
void guest_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* guest_log() the message, return -1. */
int guest_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Open and probe o->device, check its type (and Version when asked). */
int guest_open(struct guest_dev *g, const struct guest_opts *o, uint32_t device_id);
/* Negotiate @want, create and enable @nq queues of at most @qmax entries,
 * allocate @slots packet slots, DRIVER_OK; prints the negotiated features. */
int guest_init(struct guest_dev *g, const struct vmmio_features *want, unsigned nq,
	       uint16_t qmax, unsigned slots);
/* Reset the device, then free everything. */
void guest_close(struct guest_dev *g);

/* Slot @i of the packet pool: its address for the driver and the device. */
static inline uint8_t *guest_slot(const struct guest_dev *g, unsigned i)
{
	return (uint8_t *)g->pool.va + (size_t)i * GUEST_SLOT;
}
static inline uint64_t guest_slot_iova(const struct guest_dev *g, unsigned i)
{
	return g->pool.iova + (uint64_t)i * GUEST_SLOT;
}

/* Print what the rings hold (dump.c): for a stall. */
void guest_dump_queues(const struct guest_dev *g);

/* Milliseconds on the monotonic clock. */
uint64_t guest_now_ms(void);

/* 0 when no queue broke and the device does not need a reset, else the
 * driver's finding (printed) and -1. */
int guest_faults(struct guest_dev *g);

int guest_net(const struct guest_opts *o);
int guest_blk(const struct guest_opts *o);

#endif /* VMMIO_GUEST_H */
