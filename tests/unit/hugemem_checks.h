/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every hugepage DMA range promises, whatever its IOVA source: the
 * checks test_hugemem (a fake source on an ordinary file) and
 * test_hugemem_real (pagemap on real hugepages) share. Each test adds what
 * only its source can show (the IOVA's value).
 */
#ifndef VMMIO_TEST_HUGEMEM_CHECKS_H
#define VMMIO_TEST_HUGEMEM_CHECKS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "hugemem_internal.h"
#include "tap.h"
#include "vmmio_mem.h"

#define HUGE_2M (2u << 20)

static inline bool hm_zeroed(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

/* Length, alignment of both addresses, one hugepage for the CPU, zeroed,
 * on the node it reports, and the fd/offset pair naming the same memory
 * (written with @mark, then dirtied so a reuse must zero it again). */
static inline void hm_check_common(const struct vmmio_dma *m, size_t len, size_t align,
				   uint8_t mark)
{
	const uintptr_t va = (uintptr_t)m->va;
	uint8_t byte = 0;

	CHECK(m->va != NULL);
	CHECK_EQ(m->len, len);
	CHECK_EQ(va % align, 0);
	CHECK_EQ(m->iova % align, 0);
	/* never across a hugepage boundary */
	CHECK_EQ(va / HUGE_2M, (va + len - 1) / HUGE_2M);
	CHECK(hm_zeroed(m->va, len));
	CHECK_EQ(m->node, vmmio_numa_node_of(m->va));
	CHECK(m->fd >= 0);
	((volatile uint8_t *)m->va)[len - 1] = mark;
	CHECK_EQ(pread(m->fd, &byte, 1, (off_t)(m->fd_off + len - 1)), 1);
	CHECK_EQ(byte, mark);
	memset(m->va, 0xee, len);
}

#endif /* VMMIO_TEST_HUGEMEM_CHECKS_H */
