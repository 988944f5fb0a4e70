/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IOVA source for devices with no IOMMU in front of them (UIO,
 * /dev/mem): the physical address, from /proc/self/pagemap. One 64-bit
 * entry per base page: bit 63 present, bit 62 swapped, bits 0-54 the frame
 * number. Since Linux 4.2 the frame number reads 0 without CAP_SYS_ADMIN,
 * which is the "run as root" case and not an address.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hugemem_internal.h"

#define PM_PRESENT (1ull << 63)
#define PM_SWAPPED (1ull << 62)
#define PM_PFN_MASK ((1ull << 55) - 1)

int vmmio_pagemap_lookup(int fd, const void *va, size_t len, uint64_t *iova, char *err,
			 size_t errlen)
{
	const uint64_t psz = (uint64_t)sysconf(_SC_PAGESIZE);
	const uint64_t start = (uint64_t)(uintptr_t)va;
	const uint64_t first = start / psz, last = (start + (len ? len : 1) - 1) / psz;
	uint64_t ent[512], pfn0 = 0;

	/* Every page of the range, in batches: a hugepage is 512 entries. */
	for (uint64_t p = first; p <= last;) {
		const size_t n = (size_t)(last - p + 1 < 512 ? last - p + 1 : 512);
		const ssize_t got = pread(fd, ent, n * sizeof(ent[0]), (off_t)(p * sizeof(ent[0])));

		if (got != (ssize_t)(n * sizeof(ent[0]))) {
			snprintf(err, errlen, "pagemap: cannot read the entry of %p: %s",
				 (void *)(uintptr_t)(p * psz),
				 got < 0 ? strerror(errno) : "short read");
			return got < 0 ? -errno : -EIO;
		}
		for (size_t i = 0; i < n; i++, p++) {
			const uint64_t pfn = ent[i] & PM_PFN_MASK;

			if (!(ent[i] & PM_PRESENT) || (ent[i] & PM_SWAPPED)) {
				snprintf(err, errlen,
					 "pagemap: the page at %p is not in memory (it must be touched and locked before its address is asked)",
					 (void *)(uintptr_t)(p * psz));
				return -EFAULT;
			}
			if (!pfn) {
				snprintf(err, errlen,
					 "pagemap: no physical frame numbers (reading them needs CAP_SYS_ADMIN): run as root");
				return -EPERM;
			}
			if (p == first) {
				pfn0 = pfn;
			} else if (pfn != pfn0 + (p - first)) {
				snprintf(err, errlen,
					 "pagemap: %zu bytes at %p are not physically contiguous (frame 0x%llx where 0x%llx was due): not one hugepage",
					 len, va, (unsigned long long)pfn,
					 (unsigned long long)(pfn0 + (p - first)));
				return -EINVAL;
			}
		}
	}
	*iova = pfn0 * psz + start % psz;
	return 0;
}

static int pagemap_iova(void *ctx, const void *va, size_t len, uint64_t *iova, char *err,
			size_t errlen)
{
	/* Opened per call: this is the allocation path, and /proc/self must be
	 * the caller's process even after a fork. */
	const int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	int r;

	(void)ctx;
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "pagemap: cannot open /proc/self/pagemap: %s", strerror(-r));
		return r;
	}
	r = vmmio_pagemap_lookup(fd, va, len, iova, err, errlen);
	close(fd);
	return r;
}

static const struct vmmio_iova_source pagemap_source = {
	.iova = pagemap_iova,
	.name = "pagemap",
};

const struct vmmio_iova_source *vmmio_iova_pagemap(void)
{
	return &pagemap_source;
}
