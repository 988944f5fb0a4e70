/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hugepage allocator without hugepages: every message against a fake
 * system (mounts, meminfo, the pool's sysfs counters) in a temporary
 * directory, through the hidden vmmio_hugemem_create_env() of libvmmio.a;
 * the carving, zeroing, alignment and release logic on an ordinary file
 * standing in for hugetlbfs (env.any_fs) with a fake IOVA source; the
 * pagemap reader against a fake pagemap and the real one (not root: the
 * message; root: an address); NUMA node resolution. The real thing is
 * test_hugemem_real.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hugemem_checks.h"
#include "hugemem_internal.h"
#include "tap.h"
#include "vmmio_hugemem.h"

#define MiB (1u << 20)
#define POOL "/sys/kernel/mm/hugepages/hugepages-2048kB"

static char root[64];

/* Write @fmt into <root>/@rel, making its directories. */
static void put(const char *rel, const char *fmt, ...)
{
	char path[512], *slash;
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	if (!f) {
		printf("# cannot write %s\n", path);
		return;
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static void mkdir_in_root(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/.keep", rel);
	put(path, "");
}

static void pool(unsigned long nr, unsigned long free, unsigned long resv)
{
	put(POOL "/nr_hugepages", "%lu\n", nr);
	put(POOL "/free_hugepages", "%lu\n", free);
	put(POOL "/resv_hugepages", "%lu\n", resv);
	put(POOL "/surplus_hugepages", "0\n");
	put(POOL "/nr_overcommit_hugepages", "0\n");
}

static const struct vmmio_hugemem_env fake_env = { .root = root };
static const struct vmmio_hugemem_env any_env = { .root = root, .any_fs = true };

static int create(const struct vmmio_hugemem_env *env, const struct vmmio_hugemem_opts *o,
		  struct vmmio_allocator **a, char *err, size_t errlen)
{
	const struct vmmio_hugemem_opts dflt = { .node = VMMIO_NUMA_ANY };

	err[0] = '\0';
	return vmmio_hugemem_create_env(o ? o : &dflt, env, a, err, errlen);
}

/* --- the environment's messages ------------------------------------------------------------ */

static void t_not_mounted(void)
{
	struct vmmio_allocator *a = (void *)1;
	char err[1024];

	put("/proc/mounts", "proc /proc proc rw 0 0\ntmpfs /dev/shm tmpfs rw 0 0\n");
	pool(64, 64, 0);
	CHECK_EQ(create(&fake_env, NULL, &a, err, sizeof(err)), -ENOENT);
	CHECK(a == NULL);
	CHECK_STR_HAS(err, "hugepages: hugetlbfs is not mounted");
	CHECK_STR_HAS(err, "mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages");
	CHECK_STR_HAS(err, "vmmio-devbind --setup-hugepages N");
}

static void t_only_1g_mounted(void)
{
	struct vmmio_allocator *a;
	char err[1024];

	put("/proc/mounts", "hugetlbfs /dev/hugepages1G hugetlbfs rw,relatime,pagesize=1024M 0 0\n");
	CHECK_EQ(create(&fake_env, NULL, &a, err, sizeof(err)), -ENOENT);
	CHECK_STR_HAS(err, "no hugetlbfs of 2 MiB pages is mounted (only /dev/hugepages1G (1048576 kB pages))");
	CHECK_STR_HAS(err, "mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages");
}

/* The mount found: its path unescaped, pagesize= in any unit, or the
 * default size when the options name none. */
static void t_find_mount(void)
{
	char mnt[256], err[1024];

	put("/proc/mounts", "none /dev/huge\\040pages hugetlbfs rw,pagesize=2048k 0 0\n");
	CHECK_EQ(vmmio_hugemem_find_mount(&fake_env, NULL, mnt, sizeof(mnt), err, sizeof(err)), 0);
	CHECK(strcmp(mnt, "/dev/huge pages") == 0);

	put("/proc/mounts", "hugetlbfs /mnt/big hugetlbfs rw,pagesize=1G 0 0\n"
			    "hugetlbfs /mnt/dflt hugetlbfs rw,relatime,mode=1777 0 0\n");
	put("/proc/meminfo", "HugePages_Total:       0\nHugepagesize:       2048 kB\n");
	CHECK_EQ(vmmio_hugemem_find_mount(&fake_env, NULL, mnt, sizeof(mnt), err, sizeof(err)), 0);
	CHECK(strcmp(mnt, "/mnt/dflt") == 0);

	put("/proc/meminfo", "Hugepagesize:    1048576 kB\n");
	CHECK_EQ(vmmio_hugemem_find_mount(&fake_env, NULL, mnt, sizeof(mnt), err, sizeof(err)),
		 -ENOENT);
	CHECK_STR_HAS(err, "only /mnt/big (1048576 kB pages), /mnt/dflt (1048576 kB pages)");

	/* A mount named by the caller must at least be a directory. */
	CHECK_EQ(vmmio_hugemem_find_mount(&fake_env, "/no/such", mnt, sizeof(mnt), err,
					  sizeof(err)),
		 -ENOENT);
	CHECK_STR_HAS(err, "hugetlbfs mount /no/such: not a directory");
	CHECK_STR_HAS(err, "mount -t hugetlbfs -o pagesize=2M nodev /no/such");
}

static void t_no_free_pages(void)
{
	struct vmmio_allocator *a;
	char err[1024];

	put("/proc/mounts", "nodev /dev/hugepages hugetlbfs rw,pagesize=2M 0 0\n");
	mkdir_in_root("/dev/hugepages");
	pool(0, 0, 0);
	CHECK_EQ(create(&fake_env, NULL, &a, err, sizeof(err)), -ENOMEM);
	CHECK_STR_HAS(err, "hugepages: no free 2 MiB hugepage: 0 reserved, 0 free, 0 of them promised to mappings; this allocator holds 0 and needs 1 more");
	CHECK_STR_HAS(err, "hugeadm --pool-pages-min 2MB:1 ");
	CHECK_STR_HAS(err, "echo 1 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages");

	/* 8 reserved, 2 free but both promised to mappings: one more makes 9 */
	pool(8, 2, 2);
	CHECK_EQ(create(&fake_env, NULL, &a, err, sizeof(err)), -ENOMEM);
	CHECK_STR_HAS(err, "8 reserved, 2 free, 2 of them promised to mappings");
	CHECK_STR_HAS(err, "hugeadm --pool-pages-min 2MB:9 or echo 9 > ");

	/* Overcommit still allows one: past the counters (to the fs check). */
	put(POOL "/nr_overcommit_hugepages", "4\n");
	CHECK(create(&fake_env, NULL, &a, err, sizeof(err)) != -ENOMEM);
}

/* The message as an allocation sees it: what it holds, what it needs, and
 * on a machine of several nodes the node's own pool and command. */
static void t_no_pages_message(void)
{
	char err[2048];

	pool(4, 4, 0);
	vmmio_hugemem_no_pages_msg(&fake_env, "/dev/hugepages", -1, 3, 1, err, sizeof(err));
	CHECK_STR_HAS(err, "this allocator holds 3 and needs 1 more");
	/* the pool has pages, so something else stood in the way */
	CHECK_STR_HAS(err, "the pool has 4 available: is the size= limit of the mount /dev/hugepages used up");

	put("/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages", "4\n");
	put("/sys/devices/system/node/node0/hugepages/hugepages-2048kB/free_hugepages", "4\n");
	put("/sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages", "2\n");
	put("/sys/devices/system/node/node1/hugepages/hugepages-2048kB/free_hugepages", "0\n");
	vmmio_hugemem_no_pages_msg(&fake_env, "/dev/hugepages", 1, 2, 1, err, sizeof(err));
	CHECK_STR_HAS(err, "no free 2 MiB hugepage on this node");
	CHECK_STR_HAS(err, "(node 1: 2 reserved, 0 free; or echo 3 > /sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages)");

	put(POOL "/nr_hugepages", "gone\n");
	vmmio_hugemem_no_pages_msg(&fake_env, "/dev/hugepages", -1, 0, 1, err, sizeof(err));
	CHECK_STR_HAS(err, "no 2 MiB pool in sysfs");
	pool(64, 64, 0);
}

static void t_not_hugetlbfs(void)
{
	struct vmmio_allocator *a;
	char err[1024];

	put("/proc/mounts", "nodev /dev/hugepages hugetlbfs rw,pagesize=2M 0 0\n");
	pool(64, 64, 0);
	/* the "mount" is a directory of the test's file system */
	CHECK_EQ(create(&fake_env, NULL, &a, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "hugepages: /dev/hugepages is not a hugetlbfs mount: mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages");
}

static void t_bad_node(void)
{
	const struct vmmio_hugemem_opts o = { .node = 999 };
	struct vmmio_allocator *a;
	char err[1024];

	CHECK_EQ(create(&any_env, &o, &a, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "hugepages: NUMA node 999 does not exist: this machine has node");
	CHECK_STR_HAS(err, vmmio_numa_enabled() ? " 0" : "(the kernel has no NUMA support)");
}

/* --- the allocator on a stand-in file ---------------------------------------------------- */

/* IOVA = VA + 64 TiB: plainly not the virtual address, still aligned. */
#define FAKE_BASE (1ull << 46)

static int fake_iova(void *ctx, const void *va, size_t len, uint64_t *iova, char *err,
		     size_t errlen)
{
	int *calls = ctx;

	(void)err;
	(void)errlen;
	(void)len;
	++*calls;
	*iova = (uint64_t)(uintptr_t)va + FAKE_BASE;
	return 0;
}

static int calls;
static const struct vmmio_iova_source fake_source = { fake_iova, &calls, "fake" };

static int refusing_iova(void *ctx, const void *va, size_t len, uint64_t *iova, char *err,
			 size_t errlen)
{
	(void)ctx;
	(void)va;
	(void)len;
	(void)iova;
	snprintf(err, errlen, "fake: no frame numbers: run as root");
	return -EPERM;
}

static void stand_in(void)
{
	put("/proc/mounts", "nodev /dev/hugepages hugetlbfs rw,pagesize=2M 0 0\n");
	mkdir_in_root("/dev/hugepages");
	pool(64, 64, 0);
}

/* Everything a range promises; the fake source's IOVA is va + FAKE_BASE. */
static void check_range(const struct vmmio_dma *m, size_t len, size_t align, int fd)
{
	CHECK_EQ(m->iova, (uint64_t)(uintptr_t)m->va + FAKE_BASE);
	CHECK_EQ(m->fd, fd);
	hm_check_common(m, len, align, 0x5a);
}

static void t_carve(void)
{
	static const struct { size_t len, align; } asks[] = {
		{ 64, 1 },	   { 100, 8 },	       { 4096, 4096 },	  { 3000, 64 },
		{ 65536, 65536 }, { MiB + 1, 4096 },  { 2 * MiB, 4096 }, { 700000, 2 * MiB },
		{ 1, 1 },	   { 1500, 2048 },     { MiB, MiB },	  { 16, 16 },
	};
	enum { N = sizeof(asks) / sizeof(asks[0]) };
	const struct vmmio_hugemem_opts o = { .node = VMMIO_NUMA_ANY, .iova = &fake_source };
	struct vmmio_dma m[N], again;
	struct vmmio_allocator *a;
	char err[1024];
	int fd = -1;

	stand_in();
	calls = 0;
	CHECK_EQ(create(&any_env, &o, &a, err, sizeof(err)), 0);
	if (!a) {
		printf("# %s\n", err);
		return;
	}
	CHECK_EQ(a->max_contig, 2 * MiB);
	CHECK(strcmp(a->name, "hugepages") == 0);
	CHECK_EQ(vmmio_hugemem_node(a), vmmio_numa_current());
	CHECK_EQ(calls, 1); /* the probe page, already given back */
	CHECK_EQ(vmmio_hugemem_pages_held(a), 0);
	for (int i = 0; i < N; i++) {
		const struct vmmio_dma_req req = { asks[i].len, asks[i].align, VMMIO_NUMA_ANY, 0 };

		CHECK_EQ(vmmio_dma_alloc(a, &req, &m[i], err, sizeof(err)), 0);
		if (!m[i].va) {
			printf("# %s\n", err);
			continue;
		}
		if (fd < 0)
			fd = m[i].fd;
		check_range(&m[i], asks[i].len, asks[i].align, fd);
	}
	/* no two ranges overlap */
	for (int i = 0; i < N; i++)
		for (int j = i + 1; j < N; j++)
			CHECK((uint8_t *)m[i].va + m[i].len <= (uint8_t *)m[j].va ||
			      (uint8_t *)m[j].va + m[j].len <= (uint8_t *)m[i].va);
	/* 4.8 MiB in 12 ranges: three pages, first fit */
	CHECK_EQ(vmmio_hugemem_pages_held(a), 3);
	/* a freed range comes back zeroed where it was dirty */
	{
		const struct vmmio_dma_req req = { 3000, 64, VMMIO_NUMA_ANY, 0 };
		void *was = m[3].va;

		vmmio_dma_free(a, &m[3]);
		CHECK(m[3].va == NULL);
		CHECK_EQ(vmmio_dma_alloc(a, &req, &again, err, sizeof(err)), 0);
		CHECK(again.va == was);
		check_range(&again, 3000, 64, fd);
		vmmio_dma_free(a, &again);
	}
	/* every page goes back with its last range, whatever the order */
	for (int i = N - 1; i >= 0; i -= 2)
		vmmio_dma_free(a, &m[i]);
	for (int i = 0; i < N; i++)
		vmmio_dma_free(a, &m[i]);
	CHECK_EQ(vmmio_hugemem_pages_held(a), 0);
	/* and the file holds no blocks any more */
	{
		struct stat st;

		CHECK_EQ(fstat(fd, &st), 0);
		CHECK_EQ(st.st_blocks, 0);
	}
	/* pages again after that */
	{
		const struct vmmio_dma_req req = { 2 * MiB, 2 * MiB, 0, 0 };

		CHECK_EQ(vmmio_dma_alloc(a, &req, &again, err, sizeof(err)), 0);
		CHECK_EQ(vmmio_hugemem_pages_held(a), 1);
	}
	/* destroy gives back what is still held */
	vmmio_hugemem_destroy(a);
	vmmio_hugemem_destroy(NULL);
}

/* Many small ranges fill a page before the next is taken, and merge back. */
static void t_fill(void)
{
	const struct vmmio_hugemem_opts o = { .node = VMMIO_NUMA_ANY, .iova = &fake_source };
	const struct vmmio_dma_req req = { 4096, 4096, VMMIO_NUMA_ANY, 0 };
	enum { N = 1024 };
	static struct vmmio_dma m[N];
	struct vmmio_allocator *a;
	char err[1024];

	stand_in();
	CHECK_EQ(create(&any_env, &o, &a, err, sizeof(err)), 0);
	if (!a)
		return;
	for (int i = 0; i < N; i++)
		CHECK_EQ(vmmio_dma_alloc(a, &req, &m[i], err, sizeof(err)), 0);
	CHECK_EQ(vmmio_hugemem_pages_held(a), 2);
	/* free every other one: nothing goes back, and a 8 KiB range fits nowhere */
	for (int i = 0; i < N; i += 2)
		vmmio_dma_free(a, &m[i]);
	CHECK_EQ(vmmio_hugemem_pages_held(a), 2);
	{
		const struct vmmio_dma_req big = { 8192, 4096, VMMIO_NUMA_ANY, 0 };
		struct vmmio_dma b;

		CHECK_EQ(vmmio_dma_alloc(a, &big, &b, err, sizeof(err)), 0);
		CHECK_EQ(vmmio_hugemem_pages_held(a), 3);
		vmmio_dma_free(a, &b);
		CHECK_EQ(vmmio_hugemem_pages_held(a), 2);
	}
	for (int i = 1; i < N; i += 2)
		vmmio_dma_free(a, &m[i]);
	CHECK_EQ(vmmio_hugemem_pages_held(a), 0);
	vmmio_hugemem_destroy(a);
}

static void t_refusals(void)
{
	const struct vmmio_hugemem_opts o = { .node = VMMIO_NUMA_ANY, .iova = &fake_source };
	const struct vmmio_hugemem_opts refuse = { .node = VMMIO_NUMA_ANY,
						   .iova = &(const struct vmmio_iova_source){
							   refusing_iova, NULL, "fake" } };
	struct vmmio_allocator *a;
	struct vmmio_dma m;
	char err[1024];

	stand_in();
	/* the source's refusal, at create */
	CHECK_EQ(create(&any_env, &refuse, &a, err, sizeof(err)), -EPERM);
	CHECK_STR_HAS(err, "hugepages: fake: no frame numbers: run as root");

	CHECK_EQ(create(&any_env, &o, &a, err, sizeof(err)), 0);
	if (!a)
		return;
	CHECK_EQ(vmmio_dma_alloc(a, &(struct vmmio_dma_req){ 2 * MiB + 1, 64, -1, 0 }, &m, err,
				 sizeof(err)),
		 -EINVAL);
	CHECK_STR_HAS(err, "hugepages: 2097153 bytes is more than a hugepage");
	CHECK_STR_HAS(err, "max_contig");
	CHECK_EQ(vmmio_dma_alloc(a, &(struct vmmio_dma_req){ 64, 4 * MiB, -1, 0 }, &m, err,
				 sizeof(err)),
		 -EINVAL);
	CHECK_STR_HAS(err, "alignment 4194304 is not a power of 2 up to 2 MiB");
	CHECK_EQ(vmmio_dma_alloc(a, &(struct vmmio_dma_req){ 64, 64, 4095, 0 }, &m, err,
				 sizeof(err)),
		 -EINVAL);
	CHECK_STR_HAS(err, "hugepages: NUMA node 4095 does not exist");
	/* a legacy device's ring: every page of the fake source is above 16 TiB */
	CHECK_EQ(vmmio_dma_alloc(a, &(struct vmmio_dma_req){ 4096, 4096, -1, 1ull << 44 }, &m,
				 err, sizeof(err)),
		 -ENOMEM);
	CHECK_STR_HAS(err, "hugepages: the hugepage at device address 0x");
	CHECK_STR_HAS(err, "(fake) lies beyond what the device reaches, 0x100000000000 (a legacy device's 32-bit QueuePFN reaches 16 TiB)");
	CHECK_EQ(vmmio_hugemem_pages_held(a), 0);
	/* a limit above the page is fine */
	CHECK_EQ(vmmio_dma_alloc(a, &(struct vmmio_dma_req){ 4096, 4096, -1, UINT64_MAX }, &m, err,
				 sizeof(err)),
		 0);
	vmmio_dma_free(a, &m);
	CHECK_EQ(vmmio_hugemem_node(vmmio_heap_allocator()), VMMIO_NUMA_ANY);
	vmmio_hugemem_destroy(a);
}

/* Private memory: zeroed, page backed, on the node asked when there is NUMA. */
static void t_zalloc(void)
{
	const struct vmmio_hugemem_opts o = { .node = VMMIO_NUMA_ANY, .iova = &fake_source };
	struct vmmio_allocator *a;
	char err[1024];
	uint8_t *p;

	stand_in();
	CHECK_EQ(create(&any_env, &o, &a, err, sizeof(err)), 0);
	if (!a)
		return;
	p = a->ops->zalloc(a->ctx, 10000, VMMIO_NUMA_ANY);
	CHECK(p != NULL);
	if (p) {
		CHECK(hm_zeroed(p, 10000));
		memset(p, 1, 10000);
		CHECK_EQ(vmmio_numa_node_of(p), vmmio_hugemem_node(a));
		a->ops->free(a->ctx, p, 10000);
	}
	p = a->ops->zalloc(a->ctx, 0, 0);
	CHECK(p != NULL);
	a->ops->free(a->ctx, p, 0);
	vmmio_hugemem_destroy(a);
}

/* --- NUMA ------------------------------------------------------------------------------------- */

static void t_numa(void)
{
	char err[256] = "";
	int node = -5;

	CHECK_EQ(vmmio_numa_resolve(VMMIO_NUMA_ANY, &node, err, sizeof(err)), 0);
	CHECK_EQ(node, vmmio_numa_current());
	CHECK_EQ(vmmio_numa_resolve(0, &node, err, sizeof(err)), 0);
	CHECK_EQ(node, 0);
	CHECK_EQ(vmmio_numa_resolve(-7, &node, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "NUMA node -7 does not exist: this machine has node");
	printf("# numa %s, current node %d\n", vmmio_numa_enabled() ? "on" : "off",
	       vmmio_numa_current());
}

/* --- pagemap ---------------------------------------------------------------------------------- */

#define PM_PRESENT (1ull << 63)

/* A fake pagemap: a sparse file with entries at the pages of @va. */
static int fake_pagemap(const void *va, const uint64_t *ent, unsigned n)
{
	char path[128];
	const off_t at = (off_t)((uintptr_t)va / 4096 * 8);
	int fd;

	snprintf(path, sizeof(path), "%s/pagemap", root);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || pwrite(fd, ent, n * 8, at) != (ssize_t)(n * 8))
		printf("# cannot write the fake pagemap\n");
	return fd;
}

static void t_pagemap_fake(void)
{
	const void *va = (void *)(uintptr_t)0x7f0000200000ull;
	uint64_t ent[3], iova = 0;
	char err[512];
	int fd;

	/* three present, contiguous frames from 0x1234: offset kept */
	ent[0] = PM_PRESENT | 0x1234;
	ent[1] = PM_PRESENT | 0x1235;
	ent[2] = PM_PRESENT | 0x1236;
	fd = fake_pagemap(va, ent, 3);
	CHECK_EQ(vmmio_pagemap_lookup(fd, (const char *)va + 0x10, 3 * 4096 - 0x10, &iova, err,
				      sizeof(err)),
		 0);
	CHECK_EQ(iova, 0x1234ull * 4096 + 0x10);
	/* the soft-dirty and exclusive bits (55, 56) are not the frame */
	ent[0] |= 3ull << 55;
	ent[1] |= 3ull << 55;
	close(fd);
	fd = fake_pagemap(va, ent, 3);
	CHECK_EQ(vmmio_pagemap_lookup(fd, va, 2 * 4096, &iova, err, sizeof(err)), 0);
	CHECK_EQ(iova, 0x1234ull * 4096);
	close(fd);

	/* not contiguous: not a hugepage */
	ent[2] = PM_PRESENT | 0x9999;
	fd = fake_pagemap(va, ent, 3);
	CHECK_EQ(vmmio_pagemap_lookup(fd, va, 3 * 4096, &iova, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "are not physically contiguous (frame 0x9999 where 0x1236 was due)");
	close(fd);

	/* present without a frame number: not root */
	ent[0] = PM_PRESENT;
	fd = fake_pagemap(va, ent, 1);
	CHECK_EQ(vmmio_pagemap_lookup(fd, va, 64, &iova, err, sizeof(err)), -EPERM);
	CHECK_STR_HAS(err, "pagemap: no physical frame numbers (reading them needs CAP_SYS_ADMIN): run as root");
	close(fd);

	/* not present, or swapped out */
	ent[0] = 0x1234;
	fd = fake_pagemap(va, ent, 1);
	CHECK_EQ(vmmio_pagemap_lookup(fd, va, 64, &iova, err, sizeof(err)), -EFAULT);
	CHECK_STR_HAS(err, "is not in memory (it must be touched and locked");
	close(fd);
	ent[0] = PM_PRESENT | (1ull << 62) | 0x1234;
	fd = fake_pagemap(va, ent, 1);
	CHECK_EQ(vmmio_pagemap_lookup(fd, va, 64, &iova, err, sizeof(err)), -EFAULT);
	close(fd);

	/* a short file */
	fd = fake_pagemap(va, ent, 1);
	CHECK_EQ(vmmio_pagemap_lookup(fd, (const char *)va + 3 * 4096, 64, &iova, err,
				      sizeof(err)),
		 -EIO);
	CHECK_STR_HAS(err, "pagemap: cannot read the entry of");
	close(fd);
}

/* The real pagemap of a locked page: an address as root, the message as
 * anyone else (a child that dropped root shows it when we are root). */
static void t_pagemap_real(void)
{
	const struct vmmio_iova_source *src = vmmio_iova_pagemap();
	char err[512] = "";
	uint64_t iova = 0;
	uint8_t *page;
	pid_t pid;
	int st = 0;

	CHECK(strcmp(src->name, "pagemap") == 0);
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(page != MAP_FAILED);
	if (page == MAP_FAILED)
		return;
	page[0] = 1;
	mlock(page, 4096);
	if (geteuid() == 0) {
		CHECK_EQ(src->iova(src->ctx, page + 100, 200, &iova, err, sizeof(err)), 0);
		CHECK(iova != 0);
		CHECK_EQ(iova % 4096, 100);
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			/* nobody: the frame numbers read as 0 */
			if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
				_exit(2);
			/* a changed uid makes the process undumpable, and its
			 * /proc/self files root's: make them ours again */
			prctl(PR_SET_DUMPABLE, 1);
			if (src->iova(src->ctx, page, 64, &iova, err, sizeof(err)) == -EPERM &&
			    strstr(err, "run as root"))
				_exit(0);
			printf("# as nobody: %s\n", err);
			fflush(stdout);
			_exit(1);
		}
		CHECK(pid > 0);
		CHECK_EQ(waitpid(pid, &st, 0), pid);
		CHECK(WIFEXITED(st));
		CHECK_EQ(WEXITSTATUS(st), 0);
	} else {
		CHECK_EQ(src->iova(src->ctx, page, 64, &iova, err, sizeof(err)), -EPERM);
		CHECK_STR_HAS(err, "run as root");
	}
	munlock(page, 4096);
	munmap(page, 4096);
}

static void cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		printf("# could not remove %s\n", root);
}

int main(void)
{
	snprintf(root, sizeof(root), "/tmp/vmmio-hugemem-XXXXXX");
	if (!mkdtemp(root)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	TAP_RUN(t_not_mounted);
	TAP_RUN(t_only_1g_mounted);
	TAP_RUN(t_find_mount);
	TAP_RUN(t_no_free_pages);
	TAP_RUN(t_no_pages_message);
	TAP_RUN(t_not_hugetlbfs);
	TAP_RUN(t_bad_node);
	TAP_RUN(t_carve);
	TAP_RUN(t_fill);
	TAP_RUN(t_refusals);
	TAP_RUN(t_zalloc);
	TAP_RUN(t_numa);
	TAP_RUN(t_pagemap_fake);
	TAP_RUN(t_pagemap_real);
	cleanup();
	return tap_end();
}
