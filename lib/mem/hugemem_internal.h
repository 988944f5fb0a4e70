/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to lib/mem: the hugepage allocator's view of the system, split
 * so the unit tests (tests/unit/test_hugemem.c, linked with libvmmio.a) can
 * point it at a fake tree and check every message, and the NUMA and
 * pagemap helpers it uses. Hidden: nothing here is in libvmmio.so.
 */
#ifndef VMMIO_HUGEMEM_INTERNAL_H
#define VMMIO_HUGEMEM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmmio_hugemem.h"

/* Where the allocator finds the system. */
struct vmmio_hugemem_env {
	/* Prefix of every path it opens (/proc/mounts, /proc/meminfo,
	 * /sys/kernel/mm/hugepages, /sys/devices/system/node, the mount
	 * point): "" or NULL for the real system; a directory holding a fake
	 * tree for the tests (the bus layer's vmmio_bus_env.root fits). */
	const char *root;
	/* Tests only: take a mount that is not hugetlbfs (tmpfs, say) as if it
	 * were one, so the carving, zeroing and release logic runs on machines
	 * without hugepages (with an IOVA source that needs no frame numbers). */
	bool any_fs;
};

/* The hugepage pool's counters (sysfs hugepages-2048kB). */
struct vmmio_hugepage_counts {
	unsigned long nr, free, resv, surplus, overcommit;
};

/* vmmio_hugemem_create() in @env (NULL: the real system). */
int vmmio_hugemem_create_env(const struct vmmio_hugemem_opts *o,
			     const struct vmmio_hugemem_env *env, struct vmmio_allocator **out,
			     char *err, size_t errlen);

/* How many hugepages @a holds right now (tests: nothing leaks). */
unsigned vmmio_hugemem_pages_held(const struct vmmio_allocator *a);

/* --- hugemem_env.c: the mount and the pool's counters --------------------------------- */

/* The path of @path under @env's root, in @buf. */
const char *vmmio_hugemem_path(const struct vmmio_hugemem_env *env, const char *path, char *buf,
			       size_t len);

/*
 * The 2 MiB hugetlbfs mount: @given (checked to be one), else the first in
 * <root>/proc/mounts with pagesize=2M (or no pagesize and a 2 MiB default
 * size). Its path, unprefixed, in @mnt. 0, or -ENOENT with the mount
 * command in @err.
 */
int vmmio_hugemem_find_mount(const struct vmmio_hugemem_env *env, const char *given, char *mnt,
			     size_t mntlen, char *err, size_t errlen);

/* @fd is a file on a 2 MiB hugetlbfs (or anything, with env->any_fs). 0, or
 * -EINVAL naming @mnt and the fix. */
int vmmio_hugemem_check_fs(const struct vmmio_hugemem_env *env, int fd, const char *mnt,
			   char *err, size_t errlen);

/* The pool's counters; 0, or -errno when sysfs has no 2 MiB pool. */
int vmmio_hugemem_counts(const struct vmmio_hugemem_env *env, struct vmmio_hugepage_counts *c);

/* The 2 MiB pool of @node (sysfs per node): 0, or -errno when unknown. */
int vmmio_hugemem_node_counts(const struct vmmio_hugemem_env *env, int node, unsigned long *nr,
			      unsigned long *free);

/* Pages the pool can still hand out: free ones not reserved by a mapping,
 * plus the surplus overcommit still allows. */
unsigned long vmmio_hugemem_available(const struct vmmio_hugepage_counts *c);

/*
 * The message for "no hugepage to be had": the pool's counters, what this
 * allocator holds and needs more of (@held, @need), the node when one was
 * asked on a machine with several, and the commands that reserve enough.
 */
void vmmio_hugemem_no_pages_msg(const struct vmmio_hugemem_env *env, const char *mnt, int node,
				unsigned held, unsigned need, char *err, size_t errlen);

/* --- numa.c ---------------------------------------------------------------------------- */

/* Whether the kernel has NUMA support (libnuma's numa_available()). */
bool vmmio_numa_enabled(void);

/* The node of the calling thread's CPU (0 without NUMA support). */
int vmmio_numa_current(void);

/*
 * @node as given, or the calling thread's for VMMIO_NUMA_ANY, in *@out. 0,
 * or -EINVAL naming a node that does not exist and the ones there are.
 */
int vmmio_numa_resolve(int node, int *out, char *err, size_t errlen);

/* The node the page at @va lives on (it must be touched), or
 * VMMIO_NUMA_ANY when the kernel cannot say; 0 without NUMA support. */
int vmmio_numa_node_of(const void *va);

/* Bind [@va, @va + @len) (page aligned) to @node before it is touched: 0 or
 * -errno with the reason in @err. Nothing to do without NUMA support. */
int vmmio_numa_bind(void *va, size_t len, int node, char *err, size_t errlen);

/* The calling thread's memory policy, saved to be put back. */
struct vmmio_numa_saved {
	int mode;
	bool set;
	unsigned long mask[1024 / (8 * sizeof(unsigned long))];
};

/* Make the calling thread allocate on @node only (what fallocate() on
 * hugetlbfs obeys, not the mapping's policy) until vmmio_numa_thread_restore(). */
int vmmio_numa_thread_bind(int node, struct vmmio_numa_saved *saved, char *err, size_t errlen);
void vmmio_numa_thread_restore(const struct vmmio_numa_saved *saved);

/* Zeroed private memory preferring @node (VMMIO_NUMA_ANY: the caller's);
 * NULL when there is none. Free with vmmio_numa_free() and the same @len. */
void *vmmio_numa_zalloc(size_t len, int node);
void vmmio_numa_free(void *p, size_t len);

/* --- pagemap.c ------------------------------------------------------------------------- */

/*
 * The physical address of [@va, @va + @len) from the pagemap open at @fd
 * (/proc/self/pagemap, or a fake one in the tests): every page present,
 * with a frame number, and the frames contiguous. 0, or a negative errno
 * naming the fix in @err.
 */
int vmmio_pagemap_lookup(int fd, const void *va, size_t len, uint64_t *iova, char *err,
			 size_t errlen);

#endif /* VMMIO_HUGEMEM_INTERNAL_H */
