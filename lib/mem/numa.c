/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NUMA for the allocators: which node a request means, binding memory to it
 * before it is touched, and which node memory landed on. libnuma only for
 * what it knows (whether NUMA is there, which nodes exist, the node of a
 * CPU); the policy calls are numaif.h's thin system-call wrappers, which
 * never print, so a library user's stderr stays ours to fill.
 *
 * A kernel without NUMA support (numa_available() < 0) has node 0 alone:
 * nothing is bound, every node reported is 0, and asking for node 0 or any
 * node just works.
 */
#include <errno.h>
#include <numa.h>
#include <numaif.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hugemem_internal.h"

/* Mode flags get_mempolicy() may return; numaif.h of libnuma 2.0 lacks them. */
#ifndef MPOL_F_STATIC_NODES
#define MPOL_F_STATIC_NODES (1 << 15)
#endif
#ifndef MPOL_F_RELATIVE_NODES
#define MPOL_F_RELATIVE_NODES (1 << 14)
#endif

#define MASK_BITS (8 * sizeof(((struct vmmio_numa_saved *)0)->mask))

bool vmmio_numa_enabled(void)
{
	static atomic_int avail = -2;
	int a = atomic_load_explicit(&avail, memory_order_relaxed);

	/* libnuma wants numa_available() before anything else; the answer
	 * never changes, so two threads that both ask it agree. */
	if (a == -2) {
		a = numa_available() < 0 ? -1 : 0;
		atomic_store_explicit(&avail, a, memory_order_relaxed);
	}
	return a >= 0;
}

int vmmio_numa_current(void)
{
	int cpu, node;

	if (!vmmio_numa_enabled())
		return 0;
	cpu = sched_getcpu();
	node = cpu < 0 ? -1 : numa_node_of_cpu(cpu);
	return node < 0 ? 0 : node;
}

static bool node_exists(int node)
{
	if (!vmmio_numa_enabled())
		return node == 0;
	return node >= 0 && node <= numa_max_node() && numa_bitmask_isbitset(numa_nodes_ptr,
									   (unsigned)node);
}

/* "0-1,3": the nodes there are, for messages. */
static void node_list(char *buf, size_t len)
{
	const int max = vmmio_numa_enabled() ? numa_max_node() : 0;
	size_t at = 0;

	buf[0] = '\0';
	for (int n = 0; n <= max; n++) {
		int last = n;

		if (!node_exists(n))
			continue;
		while (last + 1 <= max && node_exists(last + 1))
			last++;
		at += (size_t)snprintf(buf + at, at < len ? len - at : 0,
				       last > n ? "%s%d-%d" : "%s%d", at ? "," : "", n, last);
		if (at >= len)
			return;
		n = last;
	}
}

int vmmio_numa_resolve(int node, int *out, char *err, size_t errlen)
{
	char nodes[128];

	if (node == VMMIO_NUMA_ANY) {
		*out = vmmio_numa_current();
		return 0;
	}
	if (!node_exists(node)) {
		node_list(nodes, sizeof(nodes));
		snprintf(err, errlen, "NUMA node %d does not exist: this machine has node%s %s%s",
			 node, strchr(nodes, ',') || strchr(nodes, '-') ? "s" : "", nodes,
			 vmmio_numa_enabled() ? "" : " (the kernel has no NUMA support)");
		return -EINVAL;
	}
	*out = node;
	return 0;
}

int vmmio_numa_node_of(const void *va)
{
	int node = -1;

	if (!vmmio_numa_enabled())
		return 0;
	if (get_mempolicy(&node, NULL, 0, (void *)(uintptr_t)va, MPOL_F_NODE | MPOL_F_ADDR))
		return VMMIO_NUMA_ANY;
	return node;
}

static void one_node(unsigned long *mask, int node)
{
	memset(mask, 0, MASK_BITS / 8);
	mask[(unsigned)node / (8 * sizeof(long))] |= 1ul << ((unsigned)node % (8 * sizeof(long)));
}

int vmmio_numa_bind(void *va, size_t len, int node, char *err, size_t errlen)
{
	unsigned long mask[MASK_BITS / (8 * sizeof(unsigned long))];

	if (!vmmio_numa_enabled())
		return 0;
	one_node(mask, node);
	if (mbind(va, len, MPOL_BIND, mask, MASK_BITS + 1, 0)) {
		const int e = errno;

		snprintf(err, errlen, "cannot bind memory to NUMA node %d: %s%s", node, strerror(e),
			 e == EINVAL ? " (is the node outside this process's cpuset, or without memory?)"
				     : "");
		return -e;
	}
	return 0;
}

int vmmio_numa_thread_bind(int node, struct vmmio_numa_saved *saved, char *err, size_t errlen)
{
	unsigned long mask[MASK_BITS / (8 * sizeof(unsigned long))];

	saved->set = false;
	if (!vmmio_numa_enabled())
		return 0;
	if (get_mempolicy(&saved->mode, saved->mask, MASK_BITS + 1, NULL, 0)) {
		const int e = errno;

		snprintf(err, errlen, "cannot read the thread's memory policy: %s", strerror(e));
		return -e;
	}
	one_node(mask, node);
	if (set_mempolicy(MPOL_BIND, mask, MASK_BITS + 1)) {
		const int e = errno;

		snprintf(err, errlen, "cannot bind allocations to NUMA node %d: %s%s", node,
			 strerror(e),
			 e == EINVAL ? " (is the node outside this process's cpuset, or without memory?)"
				     : "");
		return -e;
	}
	saved->set = true;
	return 0;
}

void vmmio_numa_thread_restore(const struct vmmio_numa_saved *saved)
{
	const int mode = saved->mode & ~(MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES);

	if (!saved->set)
		return;
	/* MPOL_DEFAULT and MPOL_LOCAL take no nodes; the others take theirs. */
	if (mode == MPOL_DEFAULT || mode == MPOL_LOCAL)
		set_mempolicy(saved->mode, NULL, 0);
	else
		set_mempolicy(saved->mode, saved->mask, MASK_BITS + 1);
}

void *vmmio_numa_zalloc(size_t len, int node)
{
	unsigned long mask[MASK_BITS / (8 * sizeof(unsigned long))];
	void *p;

	if (!len)
		len = 1;
	/* Anonymous pages come zeroed, and can be given a policy before the
	 * first touch places them: the heap's memory is wherever it was. */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (vmmio_numa_enabled()) {
		if (node == VMMIO_NUMA_ANY)
			node = vmmio_numa_current();
		if (node_exists(node)) {
			/* Preferred, not bound: shadow state on a node short of memory
			 * is slower, while bound memory there would be killed for. */
			one_node(mask, node);
			(void)mbind(p, len, MPOL_PREFERRED, mask, MASK_BITS + 1, 0);
		}
	}
	return p;
}

void vmmio_numa_free(void *p, size_t len)
{
	if (p)
		munmap(p, len ? len : 1);
}
