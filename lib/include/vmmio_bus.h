/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Buses: how a device reaches the driver. vmmio_bus_open() takes a
 * --device argument (vmmio_devarg.h), opens the device on its bus and hands
 * back what everything above the bus works with:
 *
 *   - the register window and the interrupt (struct vmmio_regwin: register
 *     access, wait, unmask, an fd to poll, close);
 *   - the memory the device can reach (struct vmmio_allocator: DMA ranges
 *     with the addresses the device uses for them).
 *
 * Apps and the PMD call only this; what a bus does stays in lib/bus/:
 * sim (devsim, in process), uio (a device bound to a UIO driver: window
 * mapped, interrupt through /dev/uioN), mem (the window mapped from
 * /dev/mem, poll-only) and vhost (devsim's registers in process, the rings
 * serviced by a vhost-user backend in another process, memory shared by
 * fd); VFIO later, behind the same call. A
 * bus is in the library only when the build enables it (meson option
 * "buses"). uio and mem serve DMA memory from 2 MiB hugepages by physical
 * address (vmmio_hugemem.h): they need root and reserved hugepages, unless
 * the caller only looks at registers (hw.no_dma).
 */
#ifndef VMMIO_BUS_H
#define VMMIO_BUS_H

#include <stdbool.h>
#include <stddef.h>

#include "vmmio_api.h"
#include "vmmio_devarg.h"
#include "vmmio_mem.h"
#include "vmmio_regwin.h"

#define VMMIO_BUS_NAME_MAX 128

/* sim: who uses the buffers the driver makes available. */
enum vmmio_sim_backend {
	VMMIO_SIM_BACKEND_DEFAULT, /* the device type's: net loops back, blk uses none */
	VMMIO_SIM_BACKEND_LOOPBACK, /* net: transmitted packets come back on receive */
	VMMIO_SIM_BACKEND_SINK, /* every available buffer is used at once, length 0 */
	/* net: as LOOPBACK, with each frame's Ethernet destination and source
	 * swapped (testpmd's macswap on the other end) */
	VMMIO_SIM_BACKEND_FORWARD,
};

/* vhost: a range of the driver's memory the backend maps, fd-backed. */
struct vmmio_bus_mem_region {
	void *va; /* where the driver has it: descriptors carry these addresses */
	size_t len;
	int fd; /* the file it is mapped from (MAP_SHARED) */
	uint64_t fd_off; /* va[0]'s offset in @fd */
};

/* What the caller wants of a bus beyond the --device argument. */
struct vmmio_bus_opts {
	struct {
		/* The driver enumerates shared memory regions, which devsim's
		 * checker would otherwise flag (MMIO-SHM-UNEXPECTED). */
		bool driver_expects_shm;
		/* Print each driver-rule violation to stderr as it happens. */
		bool verbose;
		enum vmmio_sim_backend backend;
	} sim;
	/* uio and mem (a real device). All zero: the defaults. */
	struct {
		/* Put DMA memory on NUMA node @node (VMMIO_NUMA_ANY: the calling
		 * thread's) instead of the device's own (uio: its numa_node in
		 * sysfs; mem: unknown, so the calling thread's). Only when
		 * @node_set: node 0 is a real node, so 0 cannot mean "default". */
		bool node_set;
		int node;
		/* hugetlbfs mount for DMA memory; NULL: the first 2 MiB mount. */
		const char *hugetlbfs;
		/* Registers and interrupt only, no DMA memory (dev->dma NULL): for
		 * probing a device on a machine without hugepages. */
		bool no_dma;
	} hw;
	/* vhost. All zero: the defaults. */
	struct {
		/*
		 * Where the driver's rings and buffers live, when not in the
		 * bus's own memory: called at each DRIVER_OK to fill @out with
		 * up to @max ranges; returns how many (1..@max) or a negative
		 * errno with the reason in @err. A PMD passes its framework's
		 * memory here (DPDK's memory segments); dev->dma is then NULL.
		 * NULL: dev->dma, a memfd the bus creates, is all there is.
		 */
		int (*mem_regions)(void *ctx, struct vmmio_bus_mem_region *out, unsigned max,
				   char *err, size_t errlen);
		void *mem_ctx;
		/* Size of that memfd; 0: VMMIO_BUS_VHOST_MEM_DEFAULT. */
		size_t mem_size;
		/* How long each reply of the backend may take, in ms; a backend
		 * silent for longer is an error naming the request. 0:
		 * VMMIO_BUS_VHOST_REPLY_MS_DEFAULT. */
		unsigned reply_ms;
	} vhost;
};

#define VMMIO_BUS_VHOST_MEM_DEFAULT ((size_t)256 << 20)
#define VMMIO_BUS_VHOST_REPLY_MS_DEFAULT 5000u
/* The most memory regions a vhost-user memory table carries. */
#define VMMIO_BUS_VHOST_MAX_REGIONS 8u

/* An open device. */
struct vmmio_bus_dev {
	struct vmmio_devarg arg; /* the parsed argument */
	struct vmmio_regwin win; /* registers and interrupt; win.name is name */
	const struct vmmio_allocator *dma; /* memory the device reaches */
	/* The NUMA node the bus put dev->dma's memory on (the device's own,
	 * or what hw.node asked), VMMIO_NUMA_ANY when unknown (sim, mem):
	 * what a PMD reports as the port's socket. */
	int numa_node;
	char name[VMMIO_BUS_NAME_MAX]; /* the argument as given (truncated) */
	void *priv; /* the bus's */
};

/*
 * Parse @arg and open the device. @opts may be NULL. Returns 0, or a
 * negative errno with a message naming @arg and what failed in @err:
 * -EINVAL for a bad argument, -ENODEV for a bus this build lacks, the
 * bus's error otherwise.
 */
VMMIO_API int vmmio_bus_open(const char *arg, const struct vmmio_bus_opts *opts,
			     struct vmmio_bus_dev *dev, char *err, size_t errlen);

/* Close what vmmio_bus_open() opened; @dev may be closed twice. The driver
 * must have reset the device first (nothing may use its memory after). */
VMMIO_API void vmmio_bus_close(struct vmmio_bus_dev *dev);

/* The buses this build has, "sim, uio, mem" (for help texts). */
VMMIO_API const char *vmmio_bus_names(void);

#endif /* VMMIO_BUS_H */
