/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to libvmmio: the raw feature table, for code that must walk
 * every entry (lookup by name in the --device parser, the valid sets).
 * Everyone else goes through vmmio_feature_info().
 */
#ifndef VMMIO_FEATURE_TABLE_H
#define VMMIO_FEATURE_TABLE_H

#include <stddef.h>

#include "vmmio_features.h"

/* Every bit the spec defines, device-independent ones (device_id 0) first;
 * *n receives the number of entries. */
const struct vmmio_feature_info *vmmio_feature_table(size_t *n);

#endif /* VMMIO_FEATURE_TABLE_H */
