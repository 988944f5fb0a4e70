/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hugepage allocator on real hugepages with physical addresses from
 * /proc/self/pagemap: ranges page-aligned and offset-consistent with what
 * pagemap says of every page they cover, zeroed, aligned as asked, never
 * across a 2 MiB boundary, on the node reported, reachable through their
 * fd; freeing and reallocating; the limits; a packet pool over hugepages;
 * running the pool dry gives the message, not SIGBUS; destroy gives every
 * page back (free_hugepages is what it was).
 *
 * Needs root, a 2 MiB hugetlbfs mount and some free hugepages (a dozen);
 * without them the whole test is one TAP skip saying why. With
 * VMMIO_TEST_HUGEPAGES=1 (a run whose set-up reserved pages) the skip is a
 * failure. Run alone (is_parallel false): it reads the pool's counters.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hugemem_checks.h"
#include "hugemem_internal.h"
#include "tap.h"
#include "vmmio_hugemem.h"
#include "vmmio_pktpool.h"

#define MiB (1u << 20)
#define POOL "/sys/kernel/mm/hugepages/hugepages-2048kB/"

static struct vmmio_allocator *a;

static long counter(const char *name)
{
	char path[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), POOL "%s", name);
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* The physical address of @va, read here independently of the library. */
static uint64_t phys(const void *va)
{
	const uintptr_t v = (uintptr_t)va;
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0 || pread(fd, &e, 8, (off_t)(v / 4096 * 8)) != 8)
		e = 0;
	if (fd >= 0)
		close(fd);
	return (e >> 63) ? (e & ((1ull << 55) - 1)) * 4096 + v % 4096 : 0;
}

static void check_range(const struct vmmio_dma *m, size_t len, size_t align)
{
	/* the device's address is the frame's, offset and all, at both ends,
	 * and within one hugepage for the device too */
	CHECK_EQ(m->iova, phys(m->va));
	CHECK_EQ(m->iova + len - 1, phys((const uint8_t *)m->va + len - 1));
	CHECK_EQ(m->iova % 4096, (uintptr_t)m->va % 4096);
	CHECK_EQ(m->iova / (2 * MiB), (m->iova + len - 1) / (2 * MiB));
	CHECK_EQ(m->node, vmmio_hugemem_node(a));
	hm_check_common(m, len, align, 0xa5);
}

static void t_ranges(void)
{
	static const struct { size_t len, align; } asks[] = {
		{ 64, 64 },	   { 4096, 4096 },    { 3000, 64 },	  { 65536, 65536 },
		{ MiB + 1, 4096 }, { 2 * MiB, 4096 }, { 700000, 2 * MiB }, { 1500, 2048 },
		{ 16 << 10, 16 << 10 }, { MiB, MiB },
	};
	enum { N = sizeof(asks) / sizeof(asks[0]) };
	struct vmmio_dma m[N], again;
	char err[1024];

	CHECK_EQ(a->max_contig, 2 * MiB);
	for (int i = 0; i < N; i++) {
		const struct vmmio_dma_req req = { asks[i].len, asks[i].align, VMMIO_NUMA_ANY, 0 };

		CHECK_EQ(vmmio_dma_alloc(a, &req, &m[i], err, sizeof(err)), 0);
		if (!m[i].va) {
			printf("# %s\n", err);
			return;
		}
		check_range(&m[i], asks[i].len, asks[i].align);
	}
	printf("# %u hugepages held, first range at va %p iova 0x%llx node %d\n",
	       vmmio_hugemem_pages_held(a), m[0].va, (unsigned long long)m[0].iova, m[0].node);
	/* a freed range is zeroed when it is handed out again */
	{
		const struct vmmio_dma_req req = { 3000, 64, VMMIO_NUMA_ANY, 0 };

		vmmio_dma_free(a, &m[2]);
		CHECK_EQ(vmmio_dma_alloc(a, &req, &m[2], err, sizeof(err)), 0);
		check_range(&m[2], 3000, 64);
	}
	for (int i = 0; i < N; i++)
		vmmio_dma_free(a, &m[i]);
	CHECK_EQ(vmmio_hugemem_pages_held(a), 0);
	/* and pages again after that, zeroed though the last user wrote them */
	{
		const struct vmmio_dma_req req = { 2 * MiB, 2 * MiB, VMMIO_NUMA_ANY, 0 };

		CHECK_EQ(vmmio_dma_alloc(a, &req, &again, err, sizeof(err)), 0);
		check_range(&again, 2 * MiB, 2 * MiB);
		vmmio_dma_free(a, &again);
	}
}

/* An IOVA source that puts memory 16 TiB above its physical address. */
static int high_iova(void *ctx, const void *va, size_t len, uint64_t *iova, char *err,
		     size_t errlen)
{
	const struct vmmio_iova_source *pm = vmmio_iova_pagemap();
	int r = pm->iova(pm->ctx, va, len, iova, err, errlen);

	(void)ctx;
	*iova += 1ull << 44;
	return r;
}

static void t_limits(void)
{
	const struct vmmio_iova_source high = { high_iova, NULL, "high" };
	const struct vmmio_hugemem_opts o = { .node = VMMIO_NUMA_ANY, .iova = &high };
	struct vmmio_allocator *h;
	struct vmmio_dma m;
	char err[1024];

	CHECK_EQ(vmmio_dma_alloc(a, &(struct vmmio_dma_req){ 2 * MiB + 1, 64, -1, 0 }, &m, err,
				 sizeof(err)),
		 -EINVAL);
	CHECK_STR_HAS(err, "more than a hugepage");
	/* a legacy ring: physical memory of this machine is below 16 TiB */
	CHECK_EQ(vmmio_dma_alloc(a, &(struct vmmio_dma_req){ 16384, 4096, -1, 1ull << 44 }, &m,
				 err, sizeof(err)),
		 0);
	CHECK(m.iova + m.len <= 1ull << 44);
	vmmio_dma_free(a, &m);

	CHECK_EQ(vmmio_hugemem_create(&o, &h, err, sizeof(err)), 0);
	if (!h) {
		printf("# %s\n", err);
		return;
	}
	CHECK_EQ(vmmio_dma_alloc(h, &(struct vmmio_dma_req){ 16384, 4096, -1, 1ull << 44 }, &m,
				 err, sizeof(err)),
		 -ENOMEM);
	CHECK_STR_HAS(err, "hugepages: the hugepage at device address 0x1");
	CHECK_STR_HAS(err, "(high) lies beyond what the device reaches, 0x100000000000 (a legacy device's 32-bit QueuePFN reaches 16 TiB)");
	CHECK_EQ(vmmio_hugemem_pages_held(h), 0);
	vmmio_hugemem_destroy(h);
}

static void t_nodes(void)
{
	const int node = vmmio_hugemem_node(a);
	const struct vmmio_hugemem_opts o = { .node = node };
	struct vmmio_allocator *h;
	struct vmmio_dma m;
	char err[1024];

	printf("# allocator node %d (numa %s)\n", node, vmmio_numa_enabled() ? "on" : "off");
	CHECK_EQ(vmmio_dma_alloc(a, &(struct vmmio_dma_req){ 4096, 4096, node, 0 }, &m, err,
				 sizeof(err)),
		 0);
	CHECK_EQ(m.node, node);
	vmmio_dma_free(a, &m);
	CHECK_EQ(vmmio_dma_alloc(a, &(struct vmmio_dma_req){ 4096, 4096, 4095, 0 }, &m, err,
				 sizeof(err)),
		 -EINVAL);
	CHECK_STR_HAS(err, "NUMA node 4095 does not exist: this machine has node");
	/* the node named at create */
	CHECK_EQ(vmmio_hugemem_create(&o, &h, err, sizeof(err)), 0);
	if (h) {
		CHECK_EQ(vmmio_hugemem_node(h), node);
		vmmio_hugemem_destroy(h);
	}
	CHECK_EQ(vmmio_hugemem_create(&(struct vmmio_hugemem_opts){ .node = 4095 }, &h, err,
				      sizeof(err)),
		 -EINVAL);
	CHECK_STR_HAS(err, "hugepages: NUMA node 4095 does not exist");
}

/* 4096 buffers of 2 KiB: four hugepages, each buffer where pagemap says. */
static void t_pktpool(void)
{
	const struct vmmio_pktpool_opts o = { .count = 4096, .size = 2048, .node = -1 };
	struct vmmio_pktpool *p;
	char err[1024];

	CHECK_EQ(vmmio_pktpool_create(a, &o, &p, err, sizeof(err)), 0);
	if (!p) {
		printf("# %s\n", err);
		return;
	}
	CHECK_EQ(p->nranges, 4);
	CHECK_EQ(vmmio_hugemem_pages_held(a), 4);
	CHECK_EQ(vmmio_pktpool_node(p), vmmio_hugemem_node(a));
	for (uint32_t i = 0; i < 4096; i++) {
		const uint8_t *va = vmmio_pktpool_va(p, i);
		const uint64_t iova = vmmio_pktpool_iova(p, i);

		if (iova != phys(va) || iova + 2047 != phys(va + 2047) || va[0] || va[2047] ||
		    (uintptr_t)va / (2 * MiB) != ((uintptr_t)va + 2047) / (2 * MiB)) {
			CHECK(!"buffer not where pagemap says, not zeroed, or across a page");
			printf("# buffer %u\n", i);
			break;
		}
	}
	vmmio_pktpool_destroy(p);
	CHECK_EQ(vmmio_hugemem_pages_held(a), 0);
}

/* Take every page there is: the last request fails with the message. */
static void t_exhaust(void)
{
	const long avail = counter("free_hugepages") - counter("resv_hugepages");
	enum { MAX = 512 };
	static struct vmmio_dma m[MAX + 1];
	char err[1024] = "";
	int n = 0, r = 0;

	if (avail > MAX) {
		printf("# %ld hugepages free: not taking them all\n", avail);
		return;
	}
	while (n <= MAX && !(r = vmmio_dma_alloc(a, &(struct vmmio_dma_req){ 2 * MiB, 4096, -1, 0 },
						 &m[n], err, sizeof(err))))
		n++;
	printf("# %d hugepages taken\n", n);
	CHECK_EQ(n, avail);
	CHECK_EQ(r, -ENOSPC);
	CHECK_STR_HAS(err, "hugepages: no free 2 MiB hugepage");
	CHECK_STR_HAS(err, "this allocator holds");
	CHECK_STR_HAS(err, "and needs 1 more. Reserve more: hugeadm --pool-pages-min 2MB:");
	while (n--)
		vmmio_dma_free(a, &m[n]);
	CHECK_EQ(vmmio_hugemem_pages_held(a), 0);
}

/* Destroying an allocator with live ranges gives every page back. */
static void t_destroy(void)
{
	const long before = counter("free_hugepages");
	struct vmmio_allocator *h;
	struct vmmio_dma m[3];
	char err[1024];

	CHECK_EQ(vmmio_hugemem_create(NULL, &h, err, sizeof(err)), 0);
	if (!h)
		return;
	for (int i = 0; i < 3; i++)
		CHECK_EQ(vmmio_dma_alloc(h, &(struct vmmio_dma_req){ 2 * MiB, 4096, -1, 0 }, &m[i],
					 err, sizeof(err)),
			 0);
	CHECK_EQ(counter("free_hugepages"), before - 3);
	vmmio_hugemem_destroy(h);
	CHECK_EQ(counter("free_hugepages"), before);
}

static int skip_or_fail(const char *why)
{
	const char *must = getenv("VMMIO_TEST_HUGEPAGES");

	if (must && !strcmp(must, "1")) {
		printf("not ok 1 - hugepages # VMMIO_TEST_HUGEPAGES=1 but: %s\n1..1\n", why);
		return 1;
	}
	printf("ok 1 - hugepages # SKIP %s\n1..1\n", why);
	return 0;
}

int main(void)
{
	const long baseline = counter("free_hugepages");
	char err[1024];

	if (geteuid() != 0)
		return skip_or_fail("not root: physical addresses need CAP_SYS_ADMIN");
	if (vmmio_hugemem_create(NULL, &a, err, sizeof(err)))
		return skip_or_fail(err);
	if (counter("free_hugepages") - counter("resv_hugepages") < 8) {
		vmmio_hugemem_destroy(a);
		return skip_or_fail("fewer than 8 hugepages free");
	}
	TAP_RUN(t_ranges);
	TAP_RUN(t_limits);
	TAP_RUN(t_nodes);
	TAP_RUN(t_pktpool);
	TAP_RUN(t_exhaust);
	TAP_RUN(t_destroy);
	vmmio_hugemem_destroy(a);
	printf("# free_hugepages %ld before, %ld after\n", baseline, counter("free_hugepages"));
	tap_case_failures = 0;
	CHECK_EQ(counter("free_hugepages"), baseline);
	tap_count++;
	tap_failed_cases += tap_case_failures != 0;
	printf("%s %d - no hugepage leaked\n", tap_case_failures ? "not ok" : "ok", tap_count);
	return tap_end();
}
