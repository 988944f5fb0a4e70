/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtqueue memory layouts of the spec, shared by the driver's engines
 * (lib/vq) and the device model (devsim): split rings ("Split
 * Virtqueues"), packed rings ("Packed Virtqueues"), their notification
 * suppression fields, and the NOTIFICATION_DATA word ("Driver
 * Notifications").
 *
 * Fields are little-endian in virtio 1.x and guest-native in legacy
 * devices; this driver runs on little-endian hosts only, where both are
 * the CPU's own order, so the structures use plain integer types.
 */
#ifndef VMMIO_RING_H
#define VMMIO_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "vmmio assumes a little-endian host (virtio 1.x rings are little-endian)");

/* --- descriptor flags (both formats) -------------------------------------- */

#define VMMIO_DESC_F_NEXT 1u /* the chain continues (split: in @next) */
#define VMMIO_DESC_F_WRITE 2u /* device-writable */
#define VMMIO_DESC_F_INDIRECT 4u /* the buffer is a table of descriptors */
/* Packed only: the avail and used bits, compared with the wrap counters. */
#define VMMIO_DESC_F_AVAIL (1u << 7)
#define VMMIO_DESC_F_USED (1u << 15)

/* --- split rings ------------------------------------------------------------ */

/* "The Virtqueue Descriptor Table": 16 bytes, 16-byte aligned table. */
struct vmmio_vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* "The Virtqueue Available Ring": flags, idx, ring[num], used_event. */
struct vmmio_vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};
#define VMMIO_AVAIL_F_NO_INTERRUPT 1u

struct vmmio_vring_used_elem {
	uint32_t id; /* head of the used chain */
	uint32_t len; /* bytes written into the device-writable part */
};

/* "The Virtqueue Used Ring": flags, idx, ring[num], avail_event. */
struct vmmio_vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vmmio_vring_used_elem ring[];
};
#define VMMIO_USED_F_NO_NOTIFY 1u

/* Alignment of the three split areas ("Virtqueue Part Alignment"). */
#define VMMIO_SPLIT_DESC_ALIGN 16u
#define VMMIO_SPLIT_AVAIL_ALIGN 2u
#define VMMIO_SPLIT_USED_ALIGN 4u

static inline size_t vmmio_split_desc_size(uint16_t num)
{
	return 16u * (size_t)num;
}

/* flags, idx, ring[num], used_event (always reserved: EVENT_IDX may follow). */
static inline size_t vmmio_split_avail_size(uint16_t num)
{
	return 2u * (3u + (size_t)num);
}

/* flags, idx, ring[num], avail_event. */
static inline size_t vmmio_split_used_size(uint16_t num)
{
	return 6u + 8u * (size_t)num;
}

/* used_event sits after the available ring's num entries ... */
static inline volatile uint16_t *vmmio_split_used_event(struct vmmio_vring_avail *avail,
							uint16_t num)
{
	return (volatile uint16_t *)&avail->ring[num];
}

/* ... and avail_event after the used ring's. */
static inline volatile uint16_t *vmmio_split_avail_event(struct vmmio_vring_used *used,
							 uint16_t num)
{
	return (volatile uint16_t *)&used->ring[num];
}

/*
 * "Notification Suppression" with EVENT_IDX: notify when the index moved
 * from @old to @new_idx past @event, i.e. @event is in [@old, @new_idx).
 * All arithmetic is modulo 2^16, so it holds across index wrap-around.
 */
static inline bool vmmio_need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

/* --- packed rings ------------------------------------------------------------ */

/* "Packed Virtqueues / Descriptor Ring": 16 bytes, 16-byte aligned ring.
 * Indirect tables are arrays of the same structure (only WRITE valid). */
struct vmmio_pdesc {
	uint64_t addr;
	uint32_t len;
	uint16_t id; /* buffer id, returned in the used descriptor */
	uint16_t flags;
};

/* "Event Suppression Structure Format": the Driver Area (driver writes,
 * device reads) and the Device Area (device writes, driver reads). */
struct vmmio_pevent {
	uint16_t off_wrap; /* desc_event_off:15, desc_event_wrap:1 */
	uint16_t flags; /* VMMIO_PEVENT_* in the low 2 bits */
};
#define VMMIO_PEVENT_ENABLE 0u /* notify on every descriptor */
#define VMMIO_PEVENT_DISABLE 1u /* never notify */
#define VMMIO_PEVENT_DESC 2u /* notify at the descriptor off_wrap names */
#define VMMIO_PEVENT_WRAP_SHIFT 15

#define VMMIO_PACKED_DESC_ALIGN 16u
#define VMMIO_PACKED_EVENT_ALIGN 4u

static inline size_t vmmio_packed_desc_size(uint16_t num)
{
	return 16u * (size_t)num;
}

/* --- NOTIFICATION_DATA ("Driver Notifications") ------------------------------ */

/*
 * The 32-bit notification word: vq_index in bits 0..15, next_off in
 * 16..30 and next_wrap in bit 31. Split rings send the full 16-bit
 * available index there (its low 15 bits and its bit 15); packed rings the
 * offset of the next descriptor to be made available and the driver's
 * wrap counter.
 */
static inline uint32_t vmmio_notify_data_split(uint16_t vq_index, uint16_t avail_idx)
{
	return (uint32_t)vq_index | (uint32_t)avail_idx << 16;
}

static inline uint32_t vmmio_notify_data_packed(uint16_t vq_index, uint16_t next_off,
						bool wrap)
{
	return (uint32_t)vq_index | (uint32_t)(next_off & 0x7fffu) << 16 | (uint32_t)wrap << 31;
}

#endif /* VMMIO_RING_H */
