/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * devsim: a virtio-mmio device model written from the device side of the
 * spec, with a checker that records every driver rule broken.
 *
 * The model is reached through a struct vmmio_regwin (devsim_regwin()), so
 * the driver's register accesses trap into the model's handlers as they
 * would on hardware. Everything is synchronous and deterministic; time only
 * passes inside wait_irq, on a virtual clock.
 *
 * One driver thread per model; the device thread (devsim_thread_start() in
 * devsim_vq.h) may run beside it, and then wait_irq blocks in real time.
 */
#ifndef DEVSIM_H
#define DEVSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vmmio_features.h"
#include "vmmio_regwin.h"

#define DEVSIM_MAX_QUEUES 16u
#define DEVSIM_MAX_SHM 8u
#define DEVSIM_CONFIG_MAX 256u /* bytes of device-specific configuration space */
#define DEVSIM_MAX_CFG_FIELDS 24u

/* The driver rules (devsim/rules.def). */
enum devsim_rule {
#define DEVSIM_RULE(name, id, section, text) DEVSIM_RULE_##name,
#include "../rules.def"
#undef DEVSIM_RULE
	DEVSIM_RULE_COUNT
};

struct devsim_rule_info {
	const char *id; /* stable id, "MMIO-REG-WIDTH" */
	const char *section; /* spec section the sentence is in */
	const char *text; /* the spec sentence */
};

const struct devsim_rule_info *devsim_rule_info(enum devsim_rule rule);
/* The rule with stable id @id, or DEVSIM_RULE_COUNT. */
enum devsim_rule devsim_rule_by_id(const char *id);

/* One field of the device-specific configuration space. */
struct devsim_cfg_field {
	const char *name;
	uint16_t off; /* from the start of the configuration space */
	uint8_t size; /* field width: 1, 2, 4 or 8 */
	uint8_t count; /* array elements of @size (mac[6] = size 1, count 6) */
	int feature; /* -1: always present; else the bit that makes it exist */
	int feature_alt; /* -1, or a second bit that also makes it exist */
};

enum devsim_personality {
	DEVSIM_NET, /* virtio-net: DeviceID 1 */
	DEVSIM_BLK, /* virtio-blk: DeviceID 2 (a config layout with a 64-bit field) */
};

struct devsim_shm_region {
	uint32_t id;
	uint64_t base;
	uint64_t len;
};

/* Who services the rings (devsim_vq.h). */
enum devsim_backend {
	DEVSIM_BACKEND_NONE, /* nobody: buffers stay available (control-plane tests) */
	/* net: each transmitted packet (queue 2k+1) comes back on the receive
	 * queue of the pair (2k), with a virtio-net header, for the pairs in
	 * use; a transmit buffer waits until receive buffers are there
	 * (nothing is dropped); the controlq is serviced (devsim_net.h) */
	DEVSIM_BACKEND_LOOPBACK,
	/* every available buffer is used at once with length 0, on any queue
	 * but a net controlq (vmmio-perf --mode ring: the cost of the ring
	 * protocol alone) */
	DEVSIM_BACKEND_SINK,
	/* the test takes and uses buffers itself (devsim_vq_take/use) */
	DEVSIM_BACKEND_MANUAL,
	/* net: LOOPBACK (the same pairs, offloads, mergeable buffers and
	 * controlq; a transmit buffer waits for receive buffers, nothing is
	 * dropped for want of them), but the frame comes back as from a peer
	 * running testpmd's macswap: in each packet received (each TCP segment
	 * when the device cuts them) the Ethernet destination and source
	 * addresses, its first 6 and next 6 bytes, are swapped. A packet
	 * shorter than those 12 bytes comes back unchanged, counted in its
	 * receive queue's unswapped (devsim_vq_stats) */
	DEVSIM_BACKEND_FORWARD,
};

struct devsim_config {
	enum devsim_personality personality;
	enum devsim_backend backend; /* net: LOOPBACK by default; blk: NONE */
	uint32_t magic; /* MagicValue presented (0x74726976) */
	uint32_t version; /* 2 modern, 1 legacy; anything else to test a bad Version */
	uint32_t device_id; /* DeviceID presented; 0 = hotplug placeholder */
	uint32_t vendor_id;
	struct vmmio_features features; /* offered */
	uint16_t num_queues;
	uint16_t queue_num_max[DEVSIM_MAX_QUEUES];
	uint8_t config[DEVSIM_CONFIG_MAX]; /* initial configuration space contents */
	uint16_t config_size;
	struct devsim_cfg_field fields[DEVSIM_MAX_CFG_FIELDS];
	unsigned n_fields;
	struct devsim_shm_region shm[DEVSIM_MAX_SHM];
	unsigned n_shm;
	/* FEATURES_OK does not stick when the driver accepted any of these bits. */
	struct vmmio_features refuse;
	bool refuse_all; /* ... or whatever the driver accepted */
	/* Status reads non-zero this many times after a reset write. */
	unsigned reset_delay_reads;
	/* QueueReset / QueueReady (stop) read 1 this many times before 0. */
	unsigned queue_reset_delay_reads;
	/* Whether the driver under test expects shared memory (MMIO-SHM-UNEXPECTED). */
	bool driver_expects_shm;
	/* Print each violation to stderr as it happens. */
	bool verbose;
};

/*
 * A default device of @personality: modern (Version 2) unless @legacy;
 * features offered: for net VERSION_1 (modern only), MAC, STATUS, MTU,
 * MRG_RXBUF, CSUM, GUEST_CSUM, CTRL_VQ, CTRL_RX, CTRL_MAC_ADDR, MQ,
 * HOST_TSO4, HOST_TSO6, GUEST_TSO4, GUEST_TSO6, SPEED_DUPLEX (modern
 * only), and the ring bits
 * INDIRECT_DESC, EVENT_IDX, RING_PACKED, IN_ORDER, NOTIFICATION_DATA,
 * RING_RESET (ANY_LAYOUT and NOTIFY_ON_EMPTY instead of the bits >= 32 on
 * legacy); 3 queues (rx, tx, ctrl) of 256; MAC 52:54:00:12:34:56, link up,
 * MTU 1500, 1 queue pair. For blk: capacity 2048 sectors (64-bit field),
 * blk_size 512, 1 queue of 128. No SHM regions.
 */
void devsim_config_default(struct devsim_config *c, enum devsim_personality p, bool legacy);

struct devsim;

struct devsim *devsim_create(const struct devsim_config *c);
void devsim_destroy(struct devsim *s);

/*
 * The register window through which a driver reaches this model. Its
 * irq_fd (an eventfd) is readable while an interrupt waits to be taken; its
 * irq_unmask is logged (DEVSIM_IRQ_UNMASK), the line is never masked; its
 * close destroys the model (as devsim_destroy(): one or the other).
 */
struct vmmio_regwin devsim_regwin(struct devsim *s);

/* --- device-side events -------------------------------------------------- */

/* Hotplug: DeviceID becomes @device_id and the interrupt fires. With
 * @after_ms > 0, that happens when the virtual clock has advanced that far
 * (inside the driver's interrupt waits). */
void devsim_hotplug(struct devsim *s, uint32_t device_id, unsigned after_ms);

/* Enter an error state: set DEVICE_NEEDS_RESET and, if DRIVER_OK is set,
 * send a configuration change notification. */
void devsim_set_needs_reset(struct devsim *s);

/* Change @len bytes of the configuration space at @off, bump
 * ConfigGeneration and send a configuration change notification (if
 * DRIVER_OK is set). */
void devsim_config_change(struct devsim *s, uint16_t off, const void *data, size_t len);

/* For the next @n configuration-space reads, each read changes the
 * configuration (ConfigGeneration bumps after it): a driver that brackets
 * its reads must retry. UINT32_MAX: forever. */
void devsim_config_churn(struct devsim *s, uint32_t n);

/* Set InterruptStatus bits (may include undefined ones, to test the driver)
 * and fire the interrupt. */
void devsim_raise_irq(struct devsim *s, uint32_t isr_bits);

/* --- inspection ---------------------------------------------------------- */

uint8_t devsim_status(const struct devsim *s);
uint32_t devsim_isr(const struct devsim *s);
uint32_t devsim_config_generation(const struct devsim *s);
void devsim_driver_features(const struct devsim *s, struct vmmio_features *out);

struct devsim_queue_state {
	bool ready; /* QueueReady (modern) or QueuePFN != 0 (legacy) */
	uint16_t num;
	uint64_t desc, driver, device; /* modern addresses */
	uint32_t pfn, align; /* legacy */
	bool resetting; /* QueueReset still presents 1 */
	unsigned notifies; /* QueueNotify writes naming this queue */
	uint32_t last_notify; /* the last value written to QueueNotify for it */
};
int devsim_queue_state(const struct devsim *s, uint16_t q, struct devsim_queue_state *out);
uint32_t devsim_guest_page_size(const struct devsim *s);
unsigned devsim_resets(const struct devsim *s); /* device resets (Status = 0) */

/* --- the access log ------------------------------------------------------ */

/* DEVSIM_IRQ_UNMASK: the driver re-enabled the line (the window's
 * irq_unmask), which a UIO bus needs after each interrupt. */
enum devsim_access_kind { DEVSIM_READ, DEVSIM_WRITE, DEVSIM_IRQ_WAIT, DEVSIM_IRQ_UNMASK };

struct devsim_access {
	uint64_t seq;
	enum devsim_access_kind kind;
	uint32_t off; /* DEVSIM_IRQ_WAIT: the timeout in ms */
	uint8_t size;
	uint32_t value; /* read: value returned; write: value written; wait: result */
};

/* A register access (read or write), not an interrupt wait or unmask. */
static inline bool devsim_access_is_reg(const struct devsim_access *a)
{
	return a->kind == DEVSIM_READ || a->kind == DEVSIM_WRITE;
}

size_t devsim_log_count(const struct devsim *s);
const struct devsim_access *devsim_log_entry(const struct devsim *s, size_t i);
void devsim_log_clear(struct devsim *s);
/* The register's name at @off for this device's layout ("QueueReady", "config+0x6"). */
const char *devsim_reg_name(const struct devsim *s, uint32_t off, char *buf, size_t len);
void devsim_log_dump(const struct devsim *s, FILE *f);

/* --- the checker --------------------------------------------------------- */

struct devsim_violation {
	enum devsim_rule rule;
	uint64_t seq; /* the access that broke it */
	char detail[160]; /* what was seen: "wrote 0x2 to MagicValue (read-only)" */
};

size_t devsim_violation_count(const struct devsim *s);
const struct devsim_violation *devsim_violation(const struct devsim *s, size_t i);
bool devsim_violated(const struct devsim *s, enum devsim_rule rule);
void devsim_clear_violations(struct devsim *s);
/* One line per violation: "ID: detail (spec sentence)". */
void devsim_dump_violations(const struct devsim *s, FILE *f);

#endif /* DEVSIM_H */
