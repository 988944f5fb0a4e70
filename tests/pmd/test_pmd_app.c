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
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_interrupts.h>

#include "app.h"

struct baseline {
	int threads, fds;
	unsigned memzones;
	uint16_t ports;
};

static struct baseline base;

static void take_baseline(struct baseline *b)
{
	b->threads = app_count_entries("/proc/self/task");
	b->fds = app_count_entries("/proc/self/fd");
	b->memzones = app_memzones(false);
	b->ports = rte_eth_dev_count_total();
}

/* After every case: no port, thread, file descriptor or memzone left behind. */
static void t_nothing_left(const void *arg)
{
	struct baseline now;

	(void)arg;
	take_baseline(&now);
	app_diag("threads %d -> %d, fds %d -> %d, memzones %u -> %u, ports %u -> %u",
		 base.threads, now.threads, base.fds, now.fds, base.memzones, now.memzones,
		 base.ports, now.ports);
	CHECK_EQ(now.ports, base.ports);
	CHECK_EQ(now.threads, base.threads);
	CHECK_EQ(now.fds, base.fds);
	CHECK_EQ(now.memzones, base.memzones);
}

/* EAL's runtime folder (--file-prefix) outlives rte_eal_cleanup(): remove
 * it, so runs in a row leave nothing in /var/run/dpdk. */
static void remove_runtime_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(dir);
}

int main(void)
{
	char prefix[64], runtime[PATH_MAX];
	char *argv[] = {
		"test_pmd_app",
		"-l",
		"0-1",
		"--no-huge",
		"-m",
		"256",
		"--no-pci",
		"--no-telemetry",
		prefix,
		"--log-level=pmd.net.virtio_mmio:info",
		NULL,
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1, rc;
	uint64_t seed;

	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(prefix, sizeof(prefix), "--file-prefix=vmmio-app-%d", (int)getpid());
	if (rte_eal_init(argc, argv) < 0) {
		printf("Bail out! rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	snprintf(runtime, sizeof(runtime), "%s", rte_eal_get_runtime_dir());
	seed = getenv("PMD_APP_SEED") ? strtoull(getenv("PMD_APP_SEED"), NULL, 0) :
					 (uint64_t)getpid() * 0x9e3779b97f4a7c15ull;
	app_seed(seed);
	app_diag("random seed 0x%llx (PMD_APP_SEED=0x%llx repeats it)", (unsigned long long)seed,
		 (unsigned long long)seed);
	/* This thread's epoll fd (Rx interrupts) lives as long as the thread:
	 * create it before the baseline. */
	if (rte_intr_tls_epfd() < 0) {
		printf("Bail out! rte_intr_tls_epfd: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	take_baseline(&base);

	app_data_cases();
	app_tso_cases();
	app_ctrl_cases();
	app_fwd_cases();
	app_event_cases();
	app_probe_cases();
	app_run("nothing left behind (ports, threads, fds, memzones)", t_nothing_left, NULL);

	rc = app_end();
	rte_eal_cleanup();
	remove_runtime_dir(runtime);
	return rc;
}
