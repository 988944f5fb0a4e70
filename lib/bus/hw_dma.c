/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The DMA memory of the buses that reach real devices (uio, mem): the
 * hugepage allocator, with physical addresses (no IOMMU between a
 * virtio-mmio device and memory on the machines these buses serve), on
 * the device's NUMA node unless the caller says otherwise.
 */
#include <stdio.h>

#include "../mem/hugemem_internal.h"
#include "mmio_win.h"

int vmmio_bus_hw_dma(struct vmmio_bus_dev *dev, const struct vmmio_bus_opts *opts,
		     const struct vmmio_bus_env *env, int device_node, struct vmmio_allocator **out,
		     char *err, size_t errlen)
{
	/* The same system the bus looks at: a test's fake tree has no
	 * hugetlbfs, so the allocator's refusal is the same on every host. */
	const struct vmmio_hugemem_env henv = { .root = env->root };
	struct vmmio_hugemem_opts ho = {
		.mount = opts->hw.hugetlbfs,
		.node = opts->hw.node_set ? opts->hw.node : device_node,
		.iova = NULL, /* physical addresses: no IOMMU between device and memory */
	};
	char why[512] = "";
	int rc;

	*out = NULL;
	dev->numa_node = ho.node;
	dev->dma = NULL;
	if (opts->hw.no_dma)
		return 0;
	rc = vmmio_hugemem_create_env(&ho, &henv, out, why, sizeof(why));
	if (rc < 0) {
		*out = NULL;
		snprintf(err, errlen, "--device \"%s\": DMA memory: %s", dev->name, why);
		return rc;
	}
	dev->dma = *out;
	return 0;
}
