/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-mmio control plane: probe, the status handshake and feature
 * negotiation, configuration space, queue setup and reset, interrupts,
 * DEVICE_NEEDS_RESET recovery and shared memory regions. Everything here is
 * slow path; the datapath touches only QueueNotify (vmmio_notify()).
 *
 * Every function that can fail returns 0 (or a documented positive value)
 * on success and a negative errno on failure; the failure is also described
 * in words, naming the register or device at fault, by vmmio_dev_error().
 */
#ifndef VMMIO_DEV_H
#define VMMIO_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmmio_api.h"
#include "vmmio_features.h"
#include "vmmio_regs.h"
#include "vmmio_regwin.h"

#define VMMIO_ERR_LEN 512
/* Largest queue size of either ring format ("Queue Size ... maximum 32768"). */
#define VMMIO_QUEUE_SIZE_MAX 32768u
/* Legacy (Version 1) queues: the page size and used-ring alignment we write. */
#define VMMIO_LEGACY_PAGE_SIZE 4096u
#define VMMIO_LEGACY_ALIGN 4096u
/* Default for vmmio_dev.timeout_ms. */
#define VMMIO_TIMEOUT_MS_DEFAULT 1000u

struct vmmio_dev {
	struct vmmio_regwin win;
	uint32_t version; /* 1 legacy, 2 modern */
	uint32_t device_id;
	uint32_t vendor_id;
	struct vmmio_features device_features; /* offered, read during vmmio_begin() */
	struct vmmio_features driver_features; /* accepted; locked after FEATURES_OK */
	uint8_t status; /* the status bits this driver has set since the last reset */
	bool features_locked;
	unsigned timeout_ms; /* how long reset, queue stop and queue reset may take */
	unsigned recoveries; /* completed vmmio_recover() calls */
	unsigned config_changes; /* configuration change notifications seen */
	char err[VMMIO_ERR_LEN];
};

/* The last failure of @d, in words ("" if none). */
VMMIO_API const char *vmmio_dev_error(const struct vmmio_dev *d);

/* --- probe ("MMIO-specific Initialization", seed 000) ------------------- */

struct vmmio_probe_opts {
	/*
	 * DeviceID 0 is a placeholder. Without hotplug_wait, vmmio_probe()
	 * returns VMMIO_PROBE_PLACEHOLDER without error. With it, it waits for
	 * the interrupt (up to hotplug_timeout_ms in all) and re-reads only
	 * DeviceID, continuing when it becomes non-zero.
	 */
	bool hotplug_wait;
	int hotplug_timeout_ms;
};

#define VMMIO_PROBE_PLACEHOLDER 1

/*
 * Read MagicValue, Version and DeviceID (and VendorID for a real device).
 * Returns 0 for a device, VMMIO_PROBE_PLACEHOLDER for DeviceID 0 (no other
 * register touched), -ENODEV for a bad MagicValue, -EPROTONOSUPPORT for a
 * Version other than 1 or 2, -ETIMEDOUT when a hotplug wait ran out, or the
 * bus's error from waiting. @opts may be NULL.
 */
VMMIO_API int vmmio_probe(struct vmmio_dev *d, const struct vmmio_regwin *win,
			  const struct vmmio_probe_opts *opts);

/* --- initialisation ("Device Initialization") --------------------------- */

/* Write 0 to Status and wait until it reads 0. -ETIMEDOUT if it never does. */
VMMIO_API int vmmio_reset(struct vmmio_dev *d);

/* Reset, ACKNOWLEDGE, DRIVER, then read the offered feature bits. The
 * configuration space may be read (not written) from here on. */
VMMIO_API int vmmio_begin(struct vmmio_dev *d);

/*
 * Accept (@wanted & offered & valid for this device and transport), dropping
 * bits whose requirements are not met; VERSION_1 is always accepted on
 * Version 2 and never on Version 1. Write the set, then (Version 2) set
 * FEATURES_OK and read it back. On refusal set FAILED and return -ENOTSUP
 * with a message naming the features. A Version 2 device that does not
 * offer VERSION_1 is refused the same way.
 */
VMMIO_API int vmmio_negotiate(struct vmmio_dev *d, const struct vmmio_features *wanted);

/* Set DRIVER_OK: the device is live. */
VMMIO_API int vmmio_driver_ok(struct vmmio_dev *d);

/* Set FAILED: the driver has given up; only a reset may follow. */
VMMIO_API void vmmio_fail(struct vmmio_dev *d);

/* Device-specific setup between FEATURES_OK and DRIVER_OK (queues, config). */
typedef int (*vmmio_setup_fn)(struct vmmio_dev *d, void *arg);

/*
 * The whole sequence: vmmio_begin(), vmmio_negotiate(@wanted), @setup (may
 * be NULL), vmmio_driver_ok(). A failing step after DRIVER sets FAILED.
 */
VMMIO_API int vmmio_init(struct vmmio_dev *d, const struct vmmio_features *wanted,
			 vmmio_setup_fn setup, void *arg);

/* --- DEVICE_NEEDS_RESET (seed 004) -------------------------------------- */

/* Read Status: true when the device set DEVICE_NEEDS_RESET. */
VMMIO_API bool vmmio_needs_reset(struct vmmio_dev *d);

/*
 * Recover a device by reset and re-initialisation with the same accepted
 * features, calling @setup again to rebuild the queues. Requests that were
 * in flight have an unknown fate (they may or may not have completed): the
 * caller must resubmit or fail each of them. Returns as vmmio_init().
 */
VMMIO_API int vmmio_recover(struct vmmio_dev *d, vmmio_setup_fn setup, void *arg);

/* --- configuration space ("Device Configuration Space") ----------------- */

/*
 * Raw field accessors at @off from the start of the configuration space
 * (register offset 0x100 + @off), with no generation handling: for use
 * inside vmmio_cfg_snapshot(). @size is the field's width (1, 2, 4 or 8);
 * 8 is two 32-bit accesses. Version 1 devices are read byte by byte.
 * Misaligned fields are refused with -EINVAL.
 */
VMMIO_API int vmmio_cfg_get(struct vmmio_dev *d, uint32_t off, unsigned size, uint64_t *val);

/* A reader of a set of fields, called until it saw one consistent version. */
typedef int (*vmmio_cfg_reader_fn)(struct vmmio_dev *d, void *out);

#define VMMIO_CFG_RETRIES 64

/*
 * Call @read (which fills @size bytes at @out, and may take its
 * parameters from there) until the configuration
 * space did not change meanwhile: bracketed by equal ConfigGeneration reads
 * on Version 2; two reads with identical results on Version 1 (which has no
 * ConfigGeneration). -EAGAIN after VMMIO_CFG_RETRIES attempts.
 */
VMMIO_API int vmmio_cfg_snapshot(struct vmmio_dev *d, vmmio_cfg_reader_fn read, void *out,
				 size_t size);

/* One field, read atomically (vmmio_cfg_get() inside vmmio_cfg_snapshot()). */
VMMIO_API int vmmio_cfg_read(struct vmmio_dev *d, uint32_t off, unsigned size, uint64_t *val);

/* Write one field of @size 1, 2 or 4. Refused with -EPERM during feature
 * negotiation on Version 2 (after DRIVER, before FEATURES_OK). */
VMMIO_API int vmmio_cfg_write(struct vmmio_dev *d, uint32_t off, unsigned size, uint32_t val);

/* --- virtqueues ("Virtqueue Configuration") ------------------------------ */

struct vmmio_queue_cfg {
	uint16_t num; /* QueueSize, 1..QueueSizeMax */
	uint64_t desc; /* Descriptor Area, device-visible address */
	uint64_t driver; /* Driver Area */
	uint64_t device; /* Device Area */
};

/*
 * Select queue @idx, check it is not in use (QueueReady, or QueuePFN on
 * Version 1, reads 0: else -EBUSY) and read QueueSizeMax into *max (0 means
 * the queue does not exist; values above VMMIO_QUEUE_SIZE_MAX are clamped).
 */
VMMIO_API int vmmio_queue_max(struct vmmio_dev *d, uint16_t idx, uint16_t *max);

/*
 * Configure and enable queue @idx. Version 2: QueueSize, the three 64-bit
 * addresses, QueueReady = 1. Version 1: the three areas must follow the
 * legacy layout (vmmio_legacy_layout() with VMMIO_LEGACY_ALIGN, descriptor
 * area page aligned): QueueSize, QueueAlign, QueuePFN. -EINVAL names the
 * value at fault; -ENOENT for an absent queue; -EBUSY for a queue in use.
 */
VMMIO_API int vmmio_queue_enable(struct vmmio_dev *d, uint16_t idx,
				 const struct vmmio_queue_cfg *cfg);

/* Stop using queue @idx: write 0 to QueueReady (QueuePFN on Version 1) and
 * read it back until it reads 0 (-ETIMEDOUT otherwise). */
VMMIO_API int vmmio_queue_disable(struct vmmio_dev *d, uint16_t idx);

/*
 * Reset queue @idx through QueueReset (VIRTIO_F_RING_RESET must have been
 * negotiated: else -ENOTSUP): write 1, wait until it reads 0, and check
 * QueueReady reads 0. The queue may then be enabled again, with other
 * parameters if wanted.
 */
VMMIO_API int vmmio_queue_reset(struct vmmio_dev *d, uint16_t idx);

/* The legacy split-ring layout of @num entries: offsets of the available
 * and used rings from the descriptor table and the total size. */
struct vmmio_legacy_layout {
	uint64_t avail_off;
	uint64_t used_off;
	uint64_t size;
};
VMMIO_API void vmmio_legacy_layout(uint16_t num, uint32_t align, struct vmmio_legacy_layout *out);

/* Available buffer notification: write @value (the queue index, or the
 * NOTIFICATION_DATA word) to QueueNotify. -EPERM before DRIVER_OK. */
VMMIO_API int vmmio_notify(struct vmmio_dev *d, uint32_t value);

/* --- interrupts ("Notifications From The Device") ------------------------ */

#define VMMIO_EV_USED 0x1u /* used buffer notification */
#define VMMIO_EV_CONFIG 0x2u /* configuration change notification */
#define VMMIO_EV_NEEDS_RESET 0x4u /* ... and Status has DEVICE_NEEDS_RESET */

/* Wait for the interrupt line (the bus's wait_irq). 1 irq, 0 timeout, <0 error. */
VMMIO_API int vmmio_irq_wait(struct vmmio_dev *d, int timeout_ms);

/*
 * Handle an interrupt: read InterruptStatus (undefined bits ignored), ACK
 * exactly the defined bits that were set, re-enable the line (the window's
 * irq_unmask, for a bus that masks it while it fires), and on a
 * configuration change read Status for DEVICE_NEEDS_RESET. Returns the
 * VMMIO_EV_* mask (0 for an interrupt with nothing set).
 */
VMMIO_API unsigned vmmio_irq_handle(struct vmmio_dev *d);

/* --- shared memory regions ("Shared Memory Regions") --------------------- */

struct vmmio_shm {
	uint32_t id;
	uint64_t base;
	uint64_t len;
};

/* Region @id: -ENOENT when absent (length -1 / base all ones), -ENOTSUP on
 * Version 1. Only for drivers that expect shared memory. */
VMMIO_API int vmmio_shm_get(struct vmmio_dev *d, uint32_t id, struct vmmio_shm *out);

/* Enumerate the regions with ids 0..@max_id into @out (at most @n);
 * returns how many exist, or a negative errno. */
VMMIO_API int vmmio_shm_list(struct vmmio_dev *d, uint32_t max_id, struct vmmio_shm *out,
			     unsigned n);

/* --- names for humans ---------------------------------------------------- */

/* "ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK" (or "0") into @buf. */
VMMIO_API const char *vmmio_status_format(uint8_t status, char *buf, size_t len);

/* "network device", "block device", ...; "unknown device type" otherwise. */
VMMIO_API const char *vmmio_device_type_name(uint32_t device_id);

#endif /* VMMIO_DEV_H */
