/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the feature table means for a driver: the set it may accept on a
 * given device type and MMIO version ("Feature Bits": a driver "MUST NOT
 * accept any feature bit that is not described in this specification,
 * marked as reserved, not supported for the specific transport, not
 * defined for the device type"), the requirement checks ("MUST NOT accept
 * a feature which requires another feature which was not accepted"), and
 * names for humans.
 */
#include <stdio.h>
#include <string.h>

#include "feature_table.h"
#include "vmmio_features.h"
#include "vmmio_regs.h"

const char *vmmio_feature_name(uint32_t device_id, unsigned bit)
{
	static _Thread_local char unknown[sizeof("bit 4294967295")];
	const struct vmmio_feature_info *info = vmmio_feature_info(device_id, bit);

	if (info)
		return info->name;
	snprintf(unknown, sizeof(unknown), "bit %u", bit);
	return unknown;
}

/* Append @s at *pos of @buf (capacity @len), counting what does not fit. */
static void append(char *buf, size_t len, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (*pos < len) {
		size_t room = len - *pos;
		size_t copy = n < room ? n : room;

		memcpy(buf + *pos, s, copy);
	}
	*pos += n;
}

size_t vmmio_features_format(uint32_t device_id, const struct vmmio_features *f, const char *sep,
			     char *buf, size_t len)
{
	size_t pos = 0;
	bool first = true;

	for (unsigned bit = 0; bit < VMMIO_FEATURE_BITS; bit++) {
		if (!vmmio_feat_has(f, bit))
			continue;
		if (!first)
			append(buf, len, &pos, sep);
		append(buf, len, &pos, vmmio_feature_name(device_id, bit));
		first = false;
	}
	if (len == 0)
		return pos;
	if (pos < len) {
		buf[pos] = '\0';
	} else {
		/* Truncated: end with as much of "..." as fits before the NUL. */
		size_t dots = len - 1 < 3 ? len - 1 : 3;

		memset(buf + len - 1 - dots, '.', dots);
		buf[len - 1] = '\0';
	}
	return pos;
}

/* "Legacy Interface: A Note on Feature Bits" and the MMIO legacy register
 * layout: a Version 1 device has a single 32-bit HostFeatures word. */
static bool valid_on_version(const struct vmmio_feature_info *e, uint32_t version)
{
	if (e->not_on_mmio)
		return false;
	if (e->bit == VMMIO_F_UNUSED_30) /* "SHOULD NOT be negotiated" */
		return false;
	if (version == VMMIO_VERSION_LEGACY)
		return e->bit < 32;
	return !e->legacy_only;
}

void vmmio_features_valid(uint32_t device_id, uint32_t version, struct vmmio_features *out)
{
	size_t n;
	const struct vmmio_feature_info *table = vmmio_feature_table(&n);

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		const struct vmmio_feature_info *e = &table[i];

		if (e->device_id != 0 && e->device_id != device_id)
			continue;
		if (valid_on_version(e, version))
			vmmio_feat_set(out, e->bit);
	}
}

static bool requirements_met(const struct vmmio_feature_info *e, const struct vmmio_features *f)
{
	bool any_listed = false;
	bool any_met = false;

	for (unsigned i = 0; i < VMMIO_FEATURE_MAX_REQ && e->requires_all[i] >= 0; i++)
		if (!vmmio_feat_has(f, (unsigned)e->requires_all[i]))
			return false;
	for (unsigned i = 0; i < VMMIO_FEATURE_MAX_REQ && e->requires_any[i] >= 0; i++) {
		any_listed = true;
		if (vmmio_feat_has(f, (unsigned)e->requires_any[i]))
			any_met = true;
	}
	return !any_listed || any_met;
}

static bool bit_ok(uint32_t device_id, const struct vmmio_features *f, unsigned bit)
{
	const struct vmmio_feature_info *e = vmmio_feature_info(device_id, bit);

	return !e || requirements_met(e, f);
}

bool vmmio_features_deps_ok(uint32_t device_id, const struct vmmio_features *f, unsigned *bit)
{
	for (unsigned b = 0; b < VMMIO_FEATURE_BITS; b++) {
		if (vmmio_feat_has(f, b) && !bit_ok(device_id, f, b)) {
			if (bit)
				*bit = b;
			return false;
		}
	}
	return true;
}

void vmmio_features_drop_unmet(uint32_t device_id, struct vmmio_features *f)
{
	bool changed;

	/* Dropping one bit can break the requirement of another (GUEST_CSUM
	 * gone takes GUEST_TSO4, which takes GUEST_UDP_TUNNEL_GSO, which
	 * takes its _CSUM): repeat until a pass drops nothing. */
	do {
		changed = false;
		for (unsigned b = 0; b < VMMIO_FEATURE_BITS; b++) {
			if (vmmio_feat_has(f, b) && !bit_ok(device_id, f, b)) {
				vmmio_feat_clear(f, b);
				changed = true;
			}
		}
	} while (changed);
}
