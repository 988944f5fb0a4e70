/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmd-app: net_virtio_mmio inside a DPDK application of its own, on the
 * in-process device (dev=sim:net), for what testpmd cannot show: payloads
 * byte for byte, checksum offload both ways, mergeable buffers with jumbo
 * frames, MTU limits, TSO and LRO, the control queue's effect on the
 * device (Rx mode, MAC filters and address, queue pairs, replayed after a
 * restart), the forward backend, link change events, Rx interrupts,
 * DEVICE_NEEDS_RESET recovered by the application, a device that lies
 * about a used entry, mbufs that all come back, and devargs refused with
 * their exact message.
 * Each datapath case runs on split and on packed rings.
 *
 * The program runs EAL itself (no hugepages: IOVA as VA, which the
 * in-process device needs) and creates and removes its ports with
 * rte_vdev_init() and rte_vdev_uninit(). TAP on stdout; DPDK's log on
 * stderr.
 */
#include <limits.h>
#include <stdio.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_interrupts.h>

#include "app.h"

static struct app_leaks base;

/* After every case: no port, thread, file descriptor or memzone left behind. */
static void t_nothing_left(const void *arg)
{
	(void)arg;
	app_leaks_check(&base, "since the start");
}

int main(void)
{
	char runtime[PATH_MAX];
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (app_eal_init("test_pmd_app", "0@0,1@1", "vmmio-app", runtime, sizeof(runtime)))
		return 1;
	/* This thread's epoll fd (Rx interrupts) lives as long as the thread:
	 * create it before the baseline. */
	if (rte_intr_tls_epfd() < 0) {
		printf("Bail out! rte_intr_tls_epfd: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	app_leaks_take(&base);

	app_data_cases();
	app_tso_cases();
	app_ctrl_cases();
	app_fwd_cases();
	app_event_cases();
	app_probe_cases();
	app_run("nothing left behind (ports, threads, fds, memzones)", t_nothing_left, NULL);

	rc = app_end();
	rte_eal_cleanup();
	app_remove_dir(runtime);
	return rc;
}
