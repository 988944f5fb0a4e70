/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The --device argument: which bus a device is reached through and where
 * the device is on it (for the simulated bus, what the device looks like).
 * vmmio_bus_open() takes the string and opens the device.
 *
 *   sim:<type>[,<option>...]     type: net | blk
 *   uio:/dev/uio<N>              a UIO device by its node (N decimal)
 *   uio:<platform device>        a virtio-mmio platform device bound to a UIO
 *                                driver (uio_vmmio), by its name in
 *                                /sys/bus/platform/devices: LNRO0005:00
 *                                (ACPI), feb02e00.virtio_mmio (DT),
 *                                virtio-mmio.0; resolved at open through
 *                                <device>/uio/uio<N>. Letters, digits and
 *                                : . _ + - only, at most 63 bytes; no options
 *                                (a ',' is refused)
 *   mem:<base>[,size=<n>]        the window at physical address <base>
 *                                through /dev/mem, poll-only; <base> 4-byte
 *                                aligned, size 0x100..0x1000 (default 0x200,
 *                                QEMU's windows), a multiple of 4; the
 *                                window ends below 2^63 (the largest
 *                                offset /dev/mem takes)
 *   vhost:<socket>[,server][,wait=<ms>]
 *                                a virtio-net device whose registers devsim
 *                                models in process and whose rings a
 *                                vhost-user backend (DPDK's net_vhost,
 *                                say) services, reached through the Unix
 *                                socket at path <socket> (1..107 bytes, no
 *                                ',', '[', ']' or control byte): we
 *                                connect to a listening backend,
 *                                or with server listen there for one that
 *                                connects; wait=<ms> (0..2^31-1, default
 *                                5000) bounds each connect attempt series
 *                                or accept, at open and on reconnection
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
 *   sleep=<rounds>       the device thread's sleep_after, 0..2^31-1
 *                        (devsim_thread_opts in devsim_vq.h): 0 polls every
 *                        queue and never asks for notifications; N > 0
 *                        sleeps on a queue that gave nothing for N rounds
 *                        in a row until it is notified. Used by
 *                        net_virtio_mmio, which starts the device thread;
 *                        the bus starts none and only passes it on in
 *                        struct vmmio_devarg_sim (not given: the starter's
 *                        default)
 * and of sim:net only:
 *   pairs=<n>            max_virtqueue_pairs = <n>, 1..7: 2<n>+1 queues
 *                        (receiveq1, transmitq1, ... and the controlq);
 *                        not with queues=
 *   mtu=<n>              the mtu field, 68..65535 ("The device MUST set mtu
 *                        to between 68 and 65535 inclusive")
 *   backend=loopback|forward|sink  who uses the buffers: loopback (the
 *                        default for net: transmitqN comes back on
 *                        receiveqN), forward (the loopback, each frame's
 *                        Ethernet destination and source swapped, as a
 *                        peer running testpmd's macswap sends it back; a
 *                        frame shorter than the 12 bytes of both comes back
 *                        unchanged) or sink (every buffer used at once,
 *                        length 0); sink is also taken by sim:blk
 * Numbers are decimal or 0x-prefixed hexadecimal. A window must hold at
 * least the registers, 0x000..0x0ff, before its configuration space at
 * 0x100 ("MMIO Device Register Layout"); no virtio-mmio window is larger
 * than a page (QEMU's are 0x200, Firecracker's 0x1000).
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
#define VMMIO_DEVARG_MAX_PAIRS 7u /* 2 * 7 + 1 queues fit VMMIO_DEVARG_MAX_QUEUES */
#define VMMIO_DEVARG_MIN_MTU 68u
#define VMMIO_DEVARG_MAX_MTU 65535u
#define VMMIO_DEVARG_MAX_QSIZE 32768u /* "Queue Size ... maximum 32768" */
#define VMMIO_DEVARG_MAX_SHM 8u
#define VMMIO_DEVARG_MAX_SHM_ID 255u
#define VMMIO_DEVARG_MAX_HOTPLUG_MS 2147483647u /* an int of milliseconds */
#define VMMIO_DEVARG_MAX_SLEEP 2147483647u /* rounds: fits sleep_after, an unsigned */
#define VMMIO_DEVARG_MAX_UIO 1048575u /* the UIO core's minors: 1 << MINORBITS */
#define VMMIO_DEVARG_NAME_MAX 64u /* a platform device name and its NUL */
#define VMMIO_DEVARG_MEM_SIZE 0x200u /* mem: the default window size */
#define VMMIO_DEVARG_MEM_SIZE_MIN 0x100u /* the registers, up to Config */
#define VMMIO_DEVARG_MEM_SIZE_MAX 0x1000u /* a page */
#define VMMIO_DEVARG_MEM_END (UINT64_C(1) << 63) /* /dev/mem offsets are an off_t */
#define VMMIO_DEVARG_VHOST_PATH_MAX 108u /* sun_path of struct sockaddr_un, NUL included */
#define VMMIO_DEVARG_VHOST_WAIT_MS 5000u /* wait= when not given */
#define VMMIO_DEVARG_MAX_WAIT_MS 2147483647u /* an int of milliseconds */

enum vmmio_devarg_bus {
	VMMIO_DEVARG_BUS_SIM, /* devsim, in process */
	VMMIO_DEVARG_BUS_UIO, /* a UIO device: window mapped, interrupt through read() */
	VMMIO_DEVARG_BUS_MEM, /* /dev/mem: window mapped, no interrupt */
	VMMIO_DEVARG_BUS_VHOST, /* devsim's registers, the rings a vhost-user backend's */
};

struct vmmio_devarg_shm {
	uint32_t id;
	uint64_t base;
	uint64_t len;
};

_Static_assert(2 * VMMIO_DEVARG_MAX_PAIRS + 1 <= VMMIO_DEVARG_MAX_QUEUES, "pairs= fits queues");

/* sim: backend= */
enum vmmio_devarg_backend {
	VMMIO_DEVARG_BACKEND_DEFAULT, /* not given: the device type's (net loopback, blk none) */
	VMMIO_DEVARG_BACKEND_LOOPBACK,
	VMMIO_DEVARG_BACKEND_SINK,
	VMMIO_DEVARG_BACKEND_FORWARD, /* net: the loopback with the MAC addresses swapped */
};

/* sim: what the model looks like. */
struct vmmio_devarg_sim {
	uint32_t device_id; /* VMMIO_DEVICE_ID_NET or VMMIO_DEVICE_ID_BLK */
	bool legacy;
	bool hotplug; /* hotplug= given */
	uint32_t hotplug_ms; /* 0: the placeholder never becomes a device */
	uint16_t queues; /* 0: the device type's default */
	uint32_t qsize; /* 0: the device type's default */
	uint16_t pairs; /* net: 0, or max_virtqueue_pairs (never with queues) */
	uint16_t mtu; /* net: 0 (the default, 1500), or the mtu field */
	enum vmmio_devarg_backend backend;
	bool sleep_set; /* sleep= given */
	uint32_t sleep; /* the device thread's sleep_after; 0 unless sleep_set */
	struct vmmio_features refuse;
	unsigned n_shm;
	struct vmmio_devarg_shm shm[VMMIO_DEVARG_MAX_SHM];
};

/* uio: which UIO device. */
struct vmmio_devarg_uio {
	bool by_name; /* name is set; otherwise index */
	uint32_t index; /* /dev/uio<index>, 0..VMMIO_DEVARG_MAX_UIO */
	char name[VMMIO_DEVARG_NAME_MAX]; /* the platform device, NUL-terminated */
};

/* mem: where the window is. */
struct vmmio_devarg_mem {
	uint64_t base; /* physical address of the window, 4-byte aligned */
	uint32_t size; /* VMMIO_DEVARG_MEM_SIZE_MIN..MAX, a multiple of 4 */
};

/* vhost: where the backend is. */
struct vmmio_devarg_vhost {
	char path[VMMIO_DEVARG_VHOST_PATH_MAX]; /* the socket, NUL-terminated */
	bool server; /* we listen and the backend connects */
	uint32_t wait_ms; /* how long to wait for the backend at each (re)connection */
};

/* One variant per bus: the member that @bus names is the one filled. */
struct vmmio_devarg {
	enum vmmio_devarg_bus bus;
	union {
		struct vmmio_devarg_sim sim;
		struct vmmio_devarg_uio uio;
		struct vmmio_devarg_mem mem;
		struct vmmio_devarg_vhost vhost;
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
