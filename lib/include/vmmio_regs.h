/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-mmio register map, from the spec tables "MMIO Device Register Layout"
 * (Version 2) and "MMIO Device Legacy Register Layout" (Version 1), plus the
 * device status and interrupt status bits. Offsets are from the window base;
 * every register is 32 bits wide and little endian.
 */
#ifndef VMMIO_REGS_H
#define VMMIO_REGS_H

#define VMMIO_MAGIC_VALUE 0x74726976u /* "virt" little endian */
#define VMMIO_VERSION_LEGACY 1u
#define VMMIO_VERSION_MODERN 2u

/* Registers common to both layouts. */
#define VMMIO_REG_MAGIC_VALUE 0x000
#define VMMIO_REG_VERSION 0x004
#define VMMIO_REG_DEVICE_ID 0x008
#define VMMIO_REG_VENDOR_ID 0x00c
#define VMMIO_REG_DEVICE_FEATURES 0x010 /* legacy: HostFeatures */
#define VMMIO_REG_DEVICE_FEATURES_SEL 0x014 /* legacy: HostFeaturesSel */
#define VMMIO_REG_DRIVER_FEATURES 0x020 /* legacy: GuestFeatures */
#define VMMIO_REG_DRIVER_FEATURES_SEL 0x024 /* legacy: GuestFeaturesSel */
#define VMMIO_REG_QUEUE_SEL 0x030
#define VMMIO_REG_QUEUE_NUM_MAX 0x034 /* QueueSizeMax */
#define VMMIO_REG_QUEUE_NUM 0x038 /* QueueSize */
#define VMMIO_REG_QUEUE_NOTIFY 0x050
#define VMMIO_REG_INTERRUPT_STATUS 0x060
#define VMMIO_REG_INTERRUPT_ACK 0x064
#define VMMIO_REG_STATUS 0x070

/* Version 1 (legacy) only. */
#define VMMIO_REG_LEGACY_GUEST_PAGE_SIZE 0x028
#define VMMIO_REG_LEGACY_QUEUE_ALIGN 0x03c
#define VMMIO_REG_LEGACY_QUEUE_PFN 0x040

/* Version 2 (modern) only. */
#define VMMIO_REG_QUEUE_READY 0x044
#define VMMIO_REG_QUEUE_DESC_LOW 0x080
#define VMMIO_REG_QUEUE_DESC_HIGH 0x084
#define VMMIO_REG_QUEUE_DRIVER_LOW 0x090
#define VMMIO_REG_QUEUE_DRIVER_HIGH 0x094
#define VMMIO_REG_QUEUE_DEVICE_LOW 0x0a0
#define VMMIO_REG_QUEUE_DEVICE_HIGH 0x0a4
#define VMMIO_REG_SHM_SEL 0x0ac
#define VMMIO_REG_SHM_LEN_LOW 0x0b0
#define VMMIO_REG_SHM_LEN_HIGH 0x0b4
#define VMMIO_REG_SHM_BASE_LOW 0x0b8
#define VMMIO_REG_SHM_BASE_HIGH 0x0bc
#define VMMIO_REG_QUEUE_RESET 0x0c0
#define VMMIO_REG_CONFIG_GENERATION 0x0fc

/* Device-specific configuration space starts here (both layouts). */
#define VMMIO_REG_CONFIG 0x100

/* Device status bits ("Device Status Field"). */
#define VMMIO_STATUS_ACKNOWLEDGE 0x01u
#define VMMIO_STATUS_DRIVER 0x02u
#define VMMIO_STATUS_DRIVER_OK 0x04u
#define VMMIO_STATUS_FEATURES_OK 0x08u
#define VMMIO_STATUS_SUSPEND 0x10u
#define VMMIO_STATUS_DEVICE_NEEDS_RESET 0x40u
#define VMMIO_STATUS_FAILED 0x80u

/* InterruptStatus / InterruptACK bits; every other bit is undefined. */
#define VMMIO_ISR_USED_BUFFER 0x1u
#define VMMIO_ISR_CONFIG_CHANGE 0x2u
#define VMMIO_ISR_DEFINED (VMMIO_ISR_USED_BUFFER | VMMIO_ISR_CONFIG_CHANGE)

/* SHM region absent: "a length of -1" and "a base address of 0xffffffffffffffff". */
#define VMMIO_SHM_ABSENT UINT64_MAX

#endif /* VMMIO_REGS_H */
