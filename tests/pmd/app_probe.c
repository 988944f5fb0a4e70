/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Devargs refused at probe: rte_vdev_init() fails with the PMD's error,
 * the log holds the exact message (once), and nothing is left behind: no
 * port, no thread (the device's), no file descriptor, no memzone.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>

#include "app.h"

/* Spelled out here, not taken from the PMD, so a change shows up. */
#define KEYS "dev, queues, queue_size, packed, in_order, event_idx, mrg_rxbuf, hotplug_wait, intr"
#define DEVARGS_TAIL " (devargs: " KEYS ")"
#define DEV_TAKES                                                                  \
	"a --device argument such as sim:net, uio:/dev/uio0 or mem:0xfeb02e00; one " \
	"with a ',' in brackets: dev=[sim:net,legacy]"

struct bad {
	const char *what;
	const char *devargs;
	int rc;
	const char *msg; /* after "net_virtio_mmio: <name>: ", up to the newline */
};

static const struct bad bad[] = {
	{ "packed=1 on a legacy device", "dev=[sim:net,legacy],packed=1", -ENOTSUP,
	  "packed=1: the device does not offer VIRTIO_F_RING_PACKED" },
	{ "in_order=1 on a legacy device", "dev=[sim:net,legacy],in_order=1", -ENOTSUP,
	  "in_order=1: the device does not offer VIRTIO_F_IN_ORDER" },
	{ "queues=4 on a 1-pair device", "dev=sim:net,queues=4", -EINVAL,
	  "queues=4: the device has 1 queue pair (max_virtqueue_pairs)" },
	{ "queues=3 on a 2-pair device", "dev=[sim:net,pairs=2],queues=3", -EINVAL,
	  "queues=3: the device has 2 queue pairs (max_virtqueue_pairs)" },
	{ "queue_size=300 (split)", "dev=sim:net,packed=0,queue_size=300", -EINVAL,
	  "queue_size=300: the device takes up to 256, a power of 2 (split rings)" },
	{ "queue_size=100 (split: not a power of 2)", "dev=sim:net,packed=0,queue_size=100",
	  -EINVAL, "queue_size=100: the device takes up to 256, a power of 2 (split rings)" },
	{ "queue_size=300 (packed)", "dev=sim:net,packed=1,queue_size=300", -EINVAL,
	  "queue_size=300: the device takes up to 256" },
	{ "not a network device", "dev=sim:blk", -ENODEV,
	  "sim:blk is a block device (DeviceID 2), not a network device" },
	{ "an empty slot (DeviceID 0)", "dev=[sim:net,hotplug=0]", -ENODEV,
	  "sim:net,hotplug=0: DeviceID 0, an empty slot (hotplug_wait=<seconds> waits for a "
	  "device)" },
	{ "unknown key", "dev=sim:net,foo=1", -EINVAL,
	  "unknown devarg \"foo=1\" (valid keys: " KEYS "; if it belongs to dev=, bracket the "
	  "value: dev=[sim:net,foo=1]) (at offset 12)" DEVARGS_TAIL },
	{ "number out of range", "dev=sim:net,queues=0", -EINVAL,
	  "devarg \"queues=0\": out of range (queues= takes 1..128) (at offset 12)" DEVARGS_TAIL },
	{ "bad flag", "dev=sim:net,packed=2", -EINVAL,
	  "devarg \"packed=2\": not a flag (packed= takes 0 or 1) (at offset 12)" DEVARGS_TAIL },
	{ "unknown intr mode", "dev=sim:net,intr=maybe", -EINVAL,
	  "devarg \"intr=maybe\": unknown mode (intr= takes poll or interrupt) (at offset "
	  "12)" DEVARGS_TAIL },
	{ "key given twice", "dev=sim:net,queues=2,queues=3", -EINVAL,
	  "devarg \"queues=3\": queues= given twice (at offset 21)" DEVARGS_TAIL },
	{ "no dev=", "queues=1", -EINVAL, "dev= is required (dev= takes " DEV_TAKES ")" DEVARGS_TAIL },
	{ "unknown device type", "dev=sim:nett", -EINVAL,
	  "devarg \"dev=sim:nett\": --device \"sim:nett\": unknown device type \"nett\" (expected "
	  "net or blk)" DEVARGS_TAIL },
	{ "sim option out of range", "dev=[sim:net,mtu=10]", -EINVAL,
	  "devarg \"dev=[sim:net,mtu=10]\": --device \"sim:net,mtu=10\": mtu=10 out of range "
	  "68..65535 (at offset 8)" DEVARGS_TAIL },
};

static void t_bad_devargs(const void *arg)
{
	const struct bad *b = arg;
	static unsigned seq;
	char name[RTE_DEV_NAME_MAX_LEN], line[1024];
	unsigned mz = app_memzones(false);
	int threads = app_count_entries("/proc/self/task"), fds = app_count_entries("/proc/self/fd");
	uint16_t ports = rte_eth_dev_count_total(), port;
	char *log;
	int r;

	snprintf(name, sizeof(name), "net_virtio_mmio_bad%u", seq++);
	snprintf(line, sizeof(line), "net_virtio_mmio: %s: %s\n", name, b->msg);
	app_log_begin();
	r = rte_vdev_init(name, b->devargs);
	log = app_log_end();
	app_diag("rte_vdev_init(\"%s\", \"%s\") = %d (%s)", name, b->devargs, r,
		 r < 0 ? strerror(-r) : "success");
	CHECK_EQ(r, b->rc);
	CHECK_STR_HAS_ONCE(log, line);
	free(log);
	if (r == 0) {
		rte_vdev_uninit(name);
		return;
	}
	CHECK(rte_eth_dev_get_port_by_name(name, &port) != 0);
	CHECK_EQ(rte_eth_dev_count_total(), ports);
	CHECK_EQ(app_count_entries("/proc/self/task"), threads);
	CHECK_EQ(app_count_entries("/proc/self/fd"), fds);
	CHECK_EQ(app_memzones(false), mz);
	/* The vdev bus forgot the device: the name can be used again. */
	CHECK_EQ(rte_vdev_uninit(name), -ENOENT);
}

/* hotplug_wait=: a slot that fills while probe waits gives a port; one
 * that stays empty fails when the wait runs out. */
static void t_hotplug(const void *arg)
{
	const bool fills = arg != NULL;
	const char *name = fills ? "net_virtio_mmio_hp1" : "net_virtio_mmio_hp0";
	const char *devargs = fills ? "dev=[sim:net,hotplug=300],hotplug_wait=3" :
				      "dev=[sim:net,hotplug=0],hotplug_wait=1";
	uint64_t t0 = app_now_ms(), ms;
	uint16_t port;
	char *log;
	int r;

	app_log_begin();
	r = rte_vdev_init(name, devargs);
	log = app_log_end();
	ms = app_now_ms() - t0;
	app_diag("rte_vdev_init(\"%s\", \"%s\") = %d after %" PRIu64 " ms", name, devargs, r, ms);
	CHECK_STR_HAS_ONCE(log, fills ? "waiting up to 3 s for the device behind sim:net,hotplug=300" :
					"waiting up to 1 s for the device behind sim:net,hotplug=0");
	if (fills) {
		CHECK_EQ(r, 0);
		CHECK(rte_eth_dev_get_port_by_name(name, &port) == 0);
		CHECK(ms < 3000);
	} else {
		/* devsim waits on its virtual clock: no real second passes. */
		CHECK_EQ(r, -ETIMEDOUT);
		CHECK(rte_eth_dev_get_port_by_name(name, &port) != 0);
		CHECK_STR_HAS_ONCE(log, "DeviceID still 0 (placeholder) after waiting 1000 ms for "
					"hotplug");
	}
	free(log);
	rte_vdev_uninit(name);
}

void app_probe_cases(void)
{
	char what[160];

	for (size_t i = 0; i < RTE_DIM(bad); i++) {
		snprintf(what, sizeof(what), "bad devargs at probe: %s", bad[i].what);
		app_run(what, t_bad_devargs, &bad[i]);
	}
	app_run("hotplug_wait: a device comes into the slot while probe waits", t_hotplug, "");
	app_run("hotplug_wait: the slot stays empty, probe gives up", t_hotplug, NULL);
	app_skip("bad devargs at probe: intr=interrupt on a device without an interrupt line",
		 "every sim: device has one (an eventfd); only mem: is poll-only, and it needs "
		 "/dev/mem and a device at a physical address");
}
