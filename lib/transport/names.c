/* SPDX-License-Identifier: BSD-3-Clause */
/* Human-readable names of status bits and device types. */
#include <stdio.h>

#include "transport.h"

const char *vmmio_status_format(uint8_t status, char *buf, size_t len)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} names[] = {
		{ VMMIO_STATUS_ACKNOWLEDGE, "ACKNOWLEDGE" },
		{ VMMIO_STATUS_DRIVER, "DRIVER" },
		{ VMMIO_STATUS_FEATURES_OK, "FEATURES_OK" },
		{ VMMIO_STATUS_DRIVER_OK, "DRIVER_OK" },
		{ VMMIO_STATUS_SUSPEND, "SUSPEND" },
		{ VMMIO_STATUS_DEVICE_NEEDS_RESET, "DEVICE_NEEDS_RESET" },
		{ VMMIO_STATUS_FAILED, "FAILED" },
	};
	size_t used = 0;
	uint8_t rest = status;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(status & names[i].bit))
			continue;
		rest &= (uint8_t)~names[i].bit;
		int n = snprintf(buf + used, len - used, "%s%s", used ? "|" : "", names[i].name);
		if (n < 0 || (size_t)n >= len - used)
			return buf;
		used += (size_t)n;
	}
	if (rest)
		snprintf(buf + used, len - used, "%s0x%02x", used ? "|" : "", rest);
	else if (!status)
		snprintf(buf, len, "0");
	return buf;
}

const char *vmmio_device_type_name(uint32_t device_id)
{
	/* "Device Types": the IDs this project may meet on an MMIO bus. */
	static const char *const names[] = {
		[0] = "placeholder (reserved)",
		[1] = "network device",
		[2] = "block device",
		[3] = "console",
		[4] = "entropy source",
		[5] = "memory ballooning (traditional)",
		[8] = "SCSI host",
		[9] = "9P transport",
		[16] = "GPU device",
		[18] = "input device",
		[19] = "socket device",
		[20] = "crypto device",
		[23] = "IOMMU device",
		[24] = "memory device",
		[25] = "sound device",
		[26] = "file system device",
		[27] = "PMEM device",
		[34] = "I2C adapter",
		[41] = "GPIO device",
	};

	if (device_id < sizeof(names) / sizeof(names[0]) && names[device_id])
		return names[device_id];
	return "unknown device type";
}
