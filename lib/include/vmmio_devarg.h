/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The --device argument: which bus a device is reached through and where
 * the device is on it (for the simulated bus, what the device looks like).
 * vmmio_bus_open() takes the string and opens the device.
 *
 *   sim:<type>[,<option>...]     type: net | blk
 *
 * Options of sim:
 *   legacy               a Version 1 (legacy) device
 *   hotplug=<ms>         DeviceID reads 0 until the virtual clock reaches
 *                        <ms>; hotplug=0 is a placeholder that never appears
 *   queues=<n>           number of virtqueues, 1..16
 *   qsize=<n>            QueueSizeMax of every queue, 1..32768
 *   refuse=<feature>     the device clears FEATURES_OK when the driver
 *                        accepts <feature> (a spec name such as
 *                        VIRTIO_NET_F_MTU, or a bit number); may repeat
 *   shm=<id>:<base>:<len>  a shared memory region (Version 2); may repeat
 *                        up to 8 times
 * Numbers are decimal or 0x-prefixed hexadecimal.
 *
 * The parser is pure: no allocation, no global state, reads the string
 * only up to its NUL, and fills a bounded struct.
 */
#ifndef VMMIO_DEVARG_H
#define VMMIO_DEVARG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmmio_api.h"
#include "vmmio_features.h"

#define VMMIO_DEVARG_MAX_QUEUES 16u
#define VMMIO_DEVARG_MAX_QSIZE 32768u /* "Queue Size ... maximum 32768" */
#define VMMIO_DEVARG_MAX_SHM 8u
#define VMMIO_DEVARG_MAX_SHM_ID 255u
#define VMMIO_DEVARG_MAX_HOTPLUG_MS 2147483647u /* an int of milliseconds */

enum vmmio_devarg_bus {
	VMMIO_DEVARG_BUS_SIM, /* devsim, in process */
};

struct vmmio_devarg_shm {
	uint32_t id;
	uint64_t base;
	uint64_t len;
};

/* sim: what the model looks like. */
struct vmmio_devarg_sim {
	uint32_t device_id; /* VMMIO_DEVICE_ID_NET or VMMIO_DEVICE_ID_BLK */
	bool legacy;
	bool hotplug; /* hotplug= given */
	uint32_t hotplug_ms; /* 0: the placeholder never becomes a device */
	uint16_t queues; /* 0: the device type's default */
	uint32_t qsize; /* 0: the device type's default */
	struct vmmio_features refuse;
	unsigned n_shm;
	struct vmmio_devarg_shm shm[VMMIO_DEVARG_MAX_SHM];
};

/* One variant per bus: the member that @bus names is the one filled. */
struct vmmio_devarg {
	enum vmmio_devarg_bus bus;
	union {
		struct vmmio_devarg_sim sim;
	};
};

/*
 * Parse @s into @out. Returns 0, or -EINVAL with a message in @err (if
 * @errlen > 0) that quotes the argument and names the part at fault:
 *   --device "sim:nett": unknown device type "nett" (expected net or blk)
 * @out is fully written either way (zeroed on error).
 */
VMMIO_API int vmmio_devarg_parse(const char *s, struct vmmio_devarg *out, char *err,
				 size_t errlen);

#endif /* VMMIO_DEVARG_H */
