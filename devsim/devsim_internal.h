/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * devsim's private state, shared by its six parts: the lifecycle and the
 * register window (devsim.c), the device-side register semantics
 * (registers.c), the personalities (personality.c), the driver-rule checker
 * (checker.c and its parts, checker_*.c, which share checker_internal.h),
 * the access log with the register layout tables (log.c), the datapath
 * (vq_*.c, backend_*.c, thread.c, which share vq_internal.h), and the
 * virtio-net device beyond the rings (net_*.c, net_internal.h).
 */
#ifndef DEVSIM_INTERNAL_H
#define DEVSIM_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devsim.h"
#include "net_internal.h"
#include "vmmio_regs.h"
#include "vq_internal.h"

/* The access log keeps the newest this many entries (a ring once full), so
 * a long datapath run does not grow without bound. */
#define DEVSIM_LOG_MAX 65536u
/* Violations kept with their details; devsim_violated() counts them all. */
#define DEVSIM_MAX_VIOLATIONS 4096u

/* --- register layout (log.c) ---------------------------------------------- */

enum devsim_dir { DEVSIM_DIR_R = 1, DEVSIM_DIR_W = 2, DEVSIM_DIR_RW = 3 };

/* Which table of transport-mmio.tex a register is in. */
#define DEVSIM_LAYOUT_MODERN 1u /* "MMIO Device Register Layout" (Version 2) */
#define DEVSIM_LAYOUT_LEGACY 2u /* "MMIO Device Legacy Register Layout" (Version 1) */
#define DEVSIM_LAYOUT_BOTH (DEVSIM_LAYOUT_MODERN | DEVSIM_LAYOUT_LEGACY)

/* What a register is about, for the checker's initialisation rules. */
enum devsim_reg_class {
	DEVSIM_CLS_ID, /* MagicValue, Version, DeviceID, VendorID */
	DEVSIM_CLS_FEATURE, /* DeviceFeatures(Sel), DriverFeatures(Sel) */
	DEVSIM_CLS_QUEUE, /* queue selection and setup, GuestPageSize */
	DEVSIM_CLS_NOTIFY, /* QueueNotify */
	DEVSIM_CLS_IRQ, /* InterruptStatus, InterruptACK */
	DEVSIM_CLS_STATUS, /* Status */
	DEVSIM_CLS_SHM, /* SHMSel, SHMLen*, SHMBase* */
	DEVSIM_CLS_GENERATION, /* ConfigGeneration */
};

struct devsim_reg {
	uint16_t off;
	uint8_t dir; /* enum devsim_dir */
	uint8_t layouts; /* DEVSIM_LAYOUT_* */
	uint8_t cls; /* enum devsim_reg_class */
	const char *name; /* the Version 2 table's name */
	const char *legacy_name; /* the Version 1 table's name, if different */
};

/* The control register at the 4-byte aligned offset @off of @s's layout,
 * or NULL when the layout has none there. */
const struct devsim_reg *devsim_reg_find(const struct devsim *s, uint32_t off);
/* The register's name in @s's layout. */
const char *devsim_reg_label(const struct devsim *s, const struct devsim_reg *r);

/* Append one access to the log. */
void devsim_log_add(struct devsim *s, uint64_t seq, enum devsim_access_kind kind, uint32_t off,
		    unsigned size, uint32_t value);

/* --- device state (registers.c, devsim.c) ------------------------------------ */

struct devsim_queue {
	uint16_t num; /* QueueSize */
	uint32_t desc[2], driver[2], device[2]; /* address registers: low, high */
	uint32_t ready; /* the last value written to QueueReady */
	unsigned ready_reads_left; /* QueueReady still reads 1 after a stop */
	unsigned reset_reads_left; /* QueueReset still reads 1 */
	uint32_t pfn, align; /* legacy QueuePFN, QueueAlign */
	unsigned notifies; /* statistics: kept across resets */
	uint32_t last_notify;
};

/* The checker's view of one queue (checker*.c). */
struct devsim_queue_chk {
	bool reset_pending; /* 1 written to QueueReset, 0 not read back yet */
	bool reenable_pending; /* queue reset: reconfiguration due before QueueReady = 1 */
	uint8_t reconf; /* DEVSIM_RECONF_* bits written since the queue reset */
	bool align_written; /* legacy QueueAlign written since the device reset */
};

/* QueueSize and the six address registers, as bits of devsim_queue_chk.reconf. */
#define DEVSIM_RECONF_ALL 0x7fu

/* What the checker remembers between accesses (checker*.c). */
struct devsim_checker {
	unsigned probe_step; /* 0: MagicValue due, 1: Version, 2: DeviceID, 3: done */
	bool magic_bad; /* MagicValue was read as something else than "virt" */
	bool version_bad; /* Version was read as neither 1 nor 2 */
	bool devid_zero; /* the last DeviceID read returned 0 */
	bool reset_seen; /* Status = 0 written since creation */
	/* Since the last reset: */
	bool dev_sel_written, drv_sel_written, drv_features_written;
	bool fok_written; /* FEATURES_OK written */
	bool fok_reread_pending; /* ... and Status not read since */
	bool fok_confirmed; /* a Status read showed FEATURES_OK after it was written */
	bool init_failed; /* FEATURES_OK refused or FAILED set */
	bool failed; /* FAILED set */
	bool page_size_written; /* legacy GuestPageSize */
	/* QueueReady = 0 written to a ready queue: the next access must read it back. */
	bool stop_pending;
	uint32_t stop_queue;
	/* CFG-WIDE-FIELD-ATOMIC: a ConfigGeneration read opened a bracket that
	 * only configuration accesses followed; a wide field was read in it. */
	bool gen_open, wide_pending;
	const char *wide_field; /* the wide field's name */
	bool irq_unread; /* an interrupt was delivered and InterruptStatus not read since */
	uint32_t isr_last_read; /* the last value read from InterruptStatus */
	uint32_t isr_unacked; /* defined bits of that read not acknowledged yet */
	uint32_t isr_seen; /* defined bits read as set and not acknowledged since */
	struct devsim_queue_chk q[DEVSIM_MAX_QUEUES];
};

struct devsim {
	struct devsim_config cfg;
	char name[16]; /* regwin name: "sim:net" */
	uint32_t device_id; /* DeviceID presented now (hotplug changes it) */
	uint32_t personality_id; /* the personality's device type, for the feature tables */

	uint8_t config[DEVSIM_CONFIG_MAX];
	uint32_t config_gen;
	uint32_t churn; /* configuration reads left that bump the generation */

	uint8_t status;
	uint8_t status_before_reset; /* presented during reset_delay_reads */
	unsigned status_reads_left;
	uint32_t isr;
	bool irq_pending; /* the interrupt edge, consumed by wait_irq */
	int irq_fd; /* eventfd, readable while irq_pending (-1: none) */

	uint32_t dev_feat_sel, drv_feat_sel;
	struct vmmio_features driver_features;
	uint32_t queue_sel;
	struct devsim_queue q[DEVSIM_MAX_QUEUES];
	uint32_t shm_sel;
	uint32_t guest_page_size;
	unsigned resets;

	uint64_t clock_ms; /* virtual: advances only inside wait_irq */
	bool hotplug_scheduled;
	uint64_t hotplug_at;
	uint32_t hotplug_id;

	uint64_t seq; /* of the next access */
	struct devsim_access *log; /* ring of log_cap entries, oldest at log_head */
	size_t log_cap, log_head, log_len;

	struct devsim_violation *viol;
	size_t n_viol, viol_cap, viol_dropped;
	unsigned long rule_hits[DEVSIM_RULE_COUNT];
	struct devsim_checker chk;

	/* The datapath (vq_internal.h). Until the rings are live, register
	 * accesses never touch ring memory: control-plane tests configure
	 * queue addresses that nothing backs. */
	bool rings_live;
	struct devsim_vq vq[DEVSIM_MAX_QUEUES];
	struct devsim_vq_ctl vqc[DEVSIM_MAX_QUEUES];
	struct devsim_net net; /* virtio-net: the controlq's state, the loopback's packets */

	/* An external device side (devsim_ext.h, ext.c): the rings are its. */
	const struct devsim_ext_ops *ext;
	void *ext_ctx;
	bool ext_started; /* its start succeeded, no reset since */

	/* Two threads (thread.c): the lock serialises the register window,
	 * the checker, the log and interrupts; the rings are not locked. */
	pthread_mutex_t lock;
	pthread_cond_t irq_cond; /* irq_pending became true */
	pthread_t thread;
	bool thread_running; /* changed under the lock */
	uint32_t thread_stop; /* atomic */
	unsigned sleep_after; /* struct devsim_thread_opts */
	uint64_t epoch; /* bumped under the lock by every change the thread must see */
	uint64_t thread_epoch; /* atomic: the epoch the thread has caught up with */
	uint64_t reset_epoch; /* the last device reset's */
	uint8_t status_pre_reset; /* Status presented until the thread let go */
};

static inline bool devsim_is_legacy(const struct devsim *s)
{
	return s->cfg.version == VMMIO_VERSION_LEGACY;
}

/* The offered features the driver can see: a Version 1 device has a
 * single 32-bit HostFeatures word. */
void devsim_offered_visible(const struct devsim *s, struct vmmio_features *out);

/* Queue @q exists on this device (QueueSizeMax non-zero). */
static inline bool devsim_queue_exists(const struct devsim *s, uint32_t q)
{
	return q < s->cfg.num_queues && s->cfg.queue_num_max[q] != 0;
}

/* QueueSizeMax of queue @q: 0 for a queue the device does not have. */
static inline uint32_t devsim_queue_max(const struct devsim *s, uint32_t q)
{
	return q < s->cfg.num_queues ? s->cfg.queue_num_max[q] : 0;
}

/* Device side (registers.c). Both take a control access that is 4 bytes
 * wide and aligned, or a configuration-space access; anything else is
 * undefined and reads 0 / is dropped. */
uint32_t devsim_reg_read(struct devsim *s, uint32_t off, unsigned size);
void devsim_reg_write(struct devsim *s, uint32_t off, unsigned size, uint32_t val);
/* Set InterruptStatus bits and fire the interrupt edge (lock held). */
void devsim_notify_driver(struct devsim *s, uint32_t isr_bits);
/* Fire the interrupt edge / drop it (lock held; devsim.c): irq_pending and
 * the eventfd together. */
void devsim_irq_raise(struct devsim *s);
void devsim_irq_clear(struct devsim *s);
/* DEVICE_NEEDS_RESET and its notification (lock held). */
void devsim_needs_reset(struct devsim *s);

/* --- an external device side (ext.c), lock held ------------------------------ */

struct devsim_ext_ops;
/* Status written (@old before): DRIVER_OK newly set starts the other side. */
void devsim_ext_status(struct devsim *s, uint8_t old);
/* A device reset: the other side lets go of the rings. */
void devsim_ext_reset(struct devsim *s);
/* Queue @q enabled (@on) or stopped/reset. */
void devsim_ext_queue(struct devsim *s, uint16_t q, bool on);

/* --- personalities (personality.c) ------------------------------------------- */

/* The device type of @p (net 1, blk 2): what the checker's feature tables use. */
uint32_t devsim_personality_device_id(enum devsim_personality p);

/* --- checker (checker.c) ---------------------------------------------------- */

struct devsim_access_ctx {
	uint64_t seq;
	bool write;
	uint32_t off;
	unsigned size;
	uint32_t val; /* written value (masked to @size) */
};

/* Before the device handles a register access. */
void devsim_check_access(struct devsim *s, const struct devsim_access_ctx *a);
/* After a read, with the value the device returned. */
void devsim_check_read_value(struct devsim *s, const struct devsim_access_ctx *a, uint32_t val);
/* Before and after an interrupt wait. */
void devsim_check_wait(struct devsim *s, uint64_t seq);
void devsim_check_wait_done(struct devsim *s, int result);

#endif /* DEVSIM_INTERNAL_H */
