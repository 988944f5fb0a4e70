/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The register window of a mapped device, shared by the uio and mem buses:
 * volatile loads and stores of exactly the width asked at base + off, with
 * off checked against the window (an access outside it is a driver bug: it
 * is refused and reported, and nothing outside the window is touched),
 * values converted from the registers' little endian ("All register values
 * are organized as Little Endian", MMIO Device Register Layout), and the
 * ordering vmmio_regwin.h promises (Linux's writel/readl).
 */
#include <endian.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "mmio_win.h"
#include "vmmio_regs.h"

/*
 * Ordering of one register access against the caller's accesses to ring
 * memory (vmmio_regwin.h): a write after every earlier store (QueueNotify
 * never overtakes the descriptors it announces), a read before every later
 * load (what InterruptStatus announces is there to read).
 *
 * x86: the window is mapped uncached (UIO maps physical memory
 * pgprot_noncached; /dev/mem opened O_SYNC maps it UC). Stores are not
 * reordered with other stores, loads not with other loads, and UC accesses
 * are strongly ordered: they are not reordered with any earlier or later
 * access (Intel SDM vol. 3A, "Memory Ordering in P6 and More Recent
 * Processor Families" and "Methods of Caching Available"). The CPU thus
 * keeps the order by itself; only the compiler could break it, by moving a
 * ring access across the volatile one, which the "memory" clobber forbids.
 * Linux's writel/readl on x86 are the same: a mov with a memory clobber.
 *
 * arm64: Device memory is ordered with the Normal memory of the rings only
 * by a barrier over the outer-shareable domain, where the device observes
 * (what Linux's __iowmb and __iormb use): DMB OSHST before a write, DMB
 * OSHLD after a read. RISC-V: FENCE W,O before a write, FENCE I,R after a
 * read (I/O is ordered only by fences that name it). Elsewhere a full fence,
 * which is at least as strong as what the architecture needs for ordinary
 * memory and, on the architectures we know, orders device accesses too.
 */
static inline void io_before_write(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("" ::: "memory");
#elif defined(__aarch64__)
	__asm__ __volatile__("dmb oshst" ::: "memory");
#elif defined(__riscv)
	__asm__ __volatile__("fence w,o" ::: "memory");
#else
	atomic_thread_fence(memory_order_seq_cst);
#endif
}

static inline void io_after_read(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("" ::: "memory");
#elif defined(__aarch64__)
	__asm__ __volatile__("dmb oshld" ::: "memory");
#elif defined(__riscv)
	__asm__ __volatile__("fence i,r" ::: "memory");
#else
	atomic_thread_fence(memory_order_seq_cst);
#endif
}

void vmmio_mmio_win_init(struct vmmio_mmio_win *w, const char *name)
{
	memset(w, 0, sizeof(*w));
	w->map = MAP_FAILED;
	w->name = name;
}

void vmmio_mmio_win_set(struct vmmio_mmio_win *w, void *map, size_t map_len, size_t off,
			uint32_t size)
{
	w->map = map;
	w->map_len = map_len;
	w->base = (volatile uint8_t *)map + off;
	w->size = size;
}

void vmmio_mmio_win_unmap(struct vmmio_mmio_win *w)
{
	if (w->map != MAP_FAILED)
		munmap(w->map, w->map_len);
	w->map = MAP_FAILED;
	w->base = NULL;
	w->size = 0;
}

/*
 * Whether the access may go to the device. The spec allows only aligned
 * 8/16/32-bit accesses ("MMIO Device Register Layout", driver
 * requirements); anything else, or an offset past the window, is a bug of
 * the driver: refused here and said so, never let through to memory the
 * window does not own (a neighbouring device's window may share the page).
 */
static bool access_ok(struct vmmio_mmio_win *w, uint32_t off, unsigned size, const char *what)
{
	const char *why;

	if (size != 1 && size != 2 && size != 4)
		why = "the width is not 1, 2 or 4";
	else if (w->map == MAP_FAILED)
		why = "the window is not mapped";
	else if (off >= w->size || size > w->size - off)
		why = "outside the window";
	else if (off % size)
		why = "not aligned to its width";
	else
		return true;
	w->refused++;
	fprintf(stderr,
		"vmmio: %s: refused a %u-byte %s at offset 0x%x of the 0x%x-byte register "
		"window: %s (a driver bug)\n",
		w->name ? w->name : "?", size, what, off, w->size, why);
	return false;
}

uint32_t vmmio_mmio_win_read(void *ctx, uint32_t off, unsigned size)
{
	struct vmmio_mmio_win *w = ctx;
	volatile uint8_t *p;
	uint32_t v;

	/* All ones: what a read of nothing returns on a real bus. */
	if (!access_ok(w, off, size, "read"))
		return UINT32_MAX;
	p = w->base + off;
	if (size == 4)
		v = le32toh(*(volatile uint32_t *)p);
	else if (size == 2)
		v = le16toh(*(volatile uint16_t *)p);
	else
		v = *p;
	io_after_read();
	return v;
}

void vmmio_mmio_win_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
	struct vmmio_mmio_win *w = ctx;
	volatile uint8_t *p;

	if (!access_ok(w, off, size, "write"))
		return;
	p = w->base + off;
	io_before_write();
	if (size == 4)
		*(volatile uint32_t *)p = htole32(val);
	else if (size == 2)
		*(volatile uint16_t *)p = htole16((uint16_t)val);
	else
		*p = (uint8_t)val;
}

int vmmio_mmio_win_check_magic(struct vmmio_mmio_win *w, const char *arg, const char *where,
			       char *err, size_t errlen)
{
	uint32_t magic = vmmio_mmio_win_read(w, VMMIO_REG_MAGIC_VALUE, 4);

	if (magic == VMMIO_MAGIC_VALUE)
		return 0;
	snprintf(err, errlen,
		 "--device \"%s\": %s is not a virtio-mmio device: MagicValue reads 0x%08x, not "
		 "0x%08x (\"virt\")",
		 arg, where, magic, VMMIO_MAGIC_VALUE);
	return -ENODEV;
}
