/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The devargs of net_virtio_mmio: what follows the vdev name in
 * --vdev net_virtio_mmio0,<key>=<value>[,<key>=<value>...]
 *
 *   dev=<--device argument>   required; the device, as vmmio_bus_open()
 *                             takes it (vmmio_devarg.h). A --device
 *                             argument can hold commas (sim:net,legacy), so
 *                             the value may be bracketed:
 *                             dev=[sim:net,legacy]; unbracketed, it ends at
 *                             the next comma
 *   queues=<n>                queue pairs to use, 1..VMMIO_PMD_MAX_PAIRS
 *   queue_size=<n>            ring size, 1..32768
 *   packed=0|1                VIRTIO_F_RING_PACKED
 *   in_order=0|1              VIRTIO_F_IN_ORDER (split or packed)
 *   event_idx=0|1             VIRTIO_F_EVENT_IDX
 *   mrg_rxbuf=0|1             VIRTIO_NET_F_MRG_RXBUF
 *   hotplug_wait=<s>          seconds to wait for a placeholder (DeviceID 0)
 *                             to become a device, 0..VMMIO_PMD_HOTPLUG_MAX
 *   intr=poll|interrupt       how the port learns of link changes and
 *                             NEEDS_RESET
 *
 * Keys are case-sensitive and given at most once, values are not empty,
 * numbers are decimal or 0x-prefixed hexadecimal (as in --device). No DPDK
 * here: the parser is pure C, unit-tested and fuzzed without DPDK.
 */
#ifndef VMMIO_PMD_ARGS_H
#define VMMIO_PMD_ARGS_H

#include <stddef.h>
#include <stdint.h>

#define VMMIO_PMD_ARG_DEV_MAX 256   /* the dev= value and its NUL */
#define VMMIO_PMD_MAX_PAIRS 128     /* queues= upper bound */
#define VMMIO_PMD_HOTPLUG_MAX 3600  /* hotplug_wait= seconds */
enum vmmio_pmd_tri { VMMIO_PMD_AUTO = -1, VMMIO_PMD_OFF = 0, VMMIO_PMD_ON = 1 };
enum vmmio_pmd_intr { VMMIO_PMD_INTR_POLL, VMMIO_PMD_INTR_INTERRUPT };
struct vmmio_pmd_args {
	char dev[VMMIO_PMD_ARG_DEV_MAX]; /* a --device argument, checked with vmmio_devarg_parse() */
	uint16_t queues; /* queue pairs, 1..VMMIO_PMD_MAX_PAIRS; 0: all the device has */
	uint16_t queue_size; /* 1..32768; 0: not given (the device's QueueSizeMax) */
	/* enum vmmio_pmd_tri; not given: AUTO (taken if offered) */
	int8_t packed, in_order, event_idx, mrg_rxbuf;
	/* seconds to wait on a DeviceID 0 placeholder, 0..VMMIO_PMD_HOTPLUG_MAX */
	uint32_t hotplug_wait;
	enum vmmio_pmd_intr intr; /* poll (default) or interrupt */
};

/* Parse the vdev argument string (what rte_vdev_device_args() returns, e.g.
 * "dev=sim:net,queues=2,packed=1"; may be NULL or empty => error: dev= is required).
 * Returns 0, or -EINVAL with a message in err naming the devarg and the values allowed. */
int vmmio_pmd_args_parse(const char *s, struct vmmio_pmd_args *out, char *err, size_t errlen);
/* "dev, queues, queue_size, packed, in_order, event_idx, mrg_rxbuf, hotplug_wait, intr" */
const char *vmmio_pmd_args_keys(void);

/*
 * More on vmmio_pmd_args_parse(): @out is fully written on every return
 * (zeroed, then the defaults: AUTO flags, intr poll; on success the values
 * given). @err (if @errlen > 0) is "" on success; on error it holds one
 * message, truncated to @errlen, that quotes the devarg at fault as written
 * and the offset where it starts in @s:
 *   devarg "queues=0": out of range (queues= takes 1..128) (at offset 12)
 * A dev= value refused by vmmio_devarg_parse() gets that parser's message
 * after the same prefix:
 *   devarg "dev=sim:nett": --device "sim:nett": unknown device type ...
 * No allocation, no global state; @s is read only up to its NUL.
 */

#endif /* VMMIO_PMD_ARGS_H */
