/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared memory regions over MMIO (SHMSel, SHMLen, SHMBase; Version 2). */
#include <errno.h>

#include "transport.h"

static uint64_t reg_read64(struct vmmio_dev *d, uint32_t lo_off)
{
	uint64_t lo = reg_read(d, lo_off);

	return lo | (uint64_t)reg_read(d, lo_off + 4) << 32;
}

int vmmio_shm_get(struct vmmio_dev *d, uint32_t id, struct vmmio_shm *out)
{
	if (dev_is_legacy(d))
		return vmmio_dev_set_error(d, -ENOTSUP, "shared memory regions need a Version 2 device");
	reg_write(d, VMMIO_REG_SHM_SEL, id);
	out->id = id;
	out->len = reg_read64(d, VMMIO_REG_SHM_LEN_LOW);
	out->base = reg_read64(d, VMMIO_REG_SHM_BASE_LOW);
	/* A non-existent region reads length -1 and base 0xffffffffffffffff. */
	if (out->len == VMMIO_SHM_ABSENT || out->base == VMMIO_SHM_ABSENT)
		return -ENOENT;
	if (out->base + out->len < out->base)
		return vmmio_dev_set_error(d, -EINVAL, "SHM region %u: base 0x%llx + length 0x%llx wraps",
				     id, (unsigned long long)out->base,
				     (unsigned long long)out->len);
	return 0;
}

int vmmio_shm_list(struct vmmio_dev *d, uint32_t max_id, struct vmmio_shm *out, unsigned n)
{
	unsigned found = 0;

	for (uint32_t id = 0; id <= max_id; id++) {
		struct vmmio_shm r;
		int err = vmmio_shm_get(d, id, &r);

		if (err == -ENOENT)
			continue;
		if (err)
			return err;
		if (found < n)
			out[found] = r;
		found++;
		if (id == UINT32_MAX)
			break;
	}
	return (int)found;
}
