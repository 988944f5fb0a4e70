/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The status handshake and feature negotiation ("Device Initialization"),
 * and recovery from DEVICE_NEEDS_RESET (seed 004).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "transport.h"

int vmmio_reset(struct vmmio_dev *d)
{
	uint32_t last;

	/* Writing 0 to Status resets the device; the reset is complete when
	 * Status reads 0 again ("Device Reset", driver requirements). */
	reg_write(d, VMMIO_REG_STATUS, 0);
	d->status = 0;
	d->features_locked = false;
	if (vmmio_reg_poll(d, VMMIO_REG_STATUS, 0xffffffffu, 0, &last))
		return vmmio_dev_set_error(d, -ETIMEDOUT, "Status still reads 0x%02x %u ms after reset",
				     last, d->timeout_ms);
	return 0;
}

/* Number of 32-bit feature words the layout has: the legacy interface has
 * only HostFeatures/GuestFeatures word 0. */
static unsigned feature_words(const struct vmmio_dev *d)
{
	return dev_is_legacy(d) ? 1u : VMMIO_FEATURE_WORDS;
}

/*
 * The DriverFeatures words to write: up to the last one holding an accepted
 * bit (word 0 at least; word 1 on Version 2, for VERSION_1). The words
 * after it are 0 from the reset, so leaving them alone accepts the same
 * set, and spares devices whose DriverFeaturesSel only knows 0 and 1:
 * QEMU 7.2's virtio-mmio takes every non-zero selector as word 1, so
 * writing words 2 and 3 (zero) after word 1 cleared VERSION_1 and
 * RING_PACKED on the device's side (found in the qemu suite: a packed ring
 * the device read as a split one).
 */
static unsigned accepted_words(const struct vmmio_dev *d, const struct vmmio_features *acc)
{
	unsigned n = 1;

	for (unsigned i = 1; i < feature_words(d); i++)
		if (acc->w[i])
			n = i + 1;
	return n;
}

int vmmio_begin(struct vmmio_dev *d)
{
	int r = vmmio_reset(d);

	if (r)
		return r;
	vmmio_status_set(d, VMMIO_STATUS_ACKNOWLEDGE);
	vmmio_status_set(d, VMMIO_STATUS_DRIVER);

	memset(&d->device_features, 0, sizeof(d->device_features));
	memset(&d->driver_features, 0, sizeof(d->driver_features));
	for (unsigned i = 0; i < feature_words(d); i++) {
		/* "Before reading from DeviceFeatures, the driver MUST write a
		 * value to DeviceFeaturesSel." */
		reg_write(d, VMMIO_REG_DEVICE_FEATURES_SEL, i);
		d->device_features.w[i] = reg_read(d, VMMIO_REG_DEVICE_FEATURES);
	}
	return 0;
}

void vmmio_fail(struct vmmio_dev *d)
{
	vmmio_status_set(d, VMMIO_STATUS_FAILED);
}

/* Give up on the device: set FAILED, then report @err with a message. */
static int refuse(struct vmmio_dev *d, const struct vmmio_features *f, const char *why)
{
	char names[384];

	vmmio_features_format(d->device_id, f, ", ", names, sizeof(names));
	vmmio_fail(d);
	return vmmio_dev_set_error(d, -ENOTSUP, "%s: %s; FAILED set", why, names[0] ? names : "(none)");
}

int vmmio_negotiate(struct vmmio_dev *d, const struct vmmio_features *wanted)
{
	struct vmmio_features valid, acc;

	if (d->features_locked)
		return vmmio_dev_set_error(d, -EPERM,
				     "features are locked after FEATURES_OK: reset first");

	/* Accept only what the device offers and the spec defines for this
	 * device type and transport ("Feature Bits", driver requirements). */
	vmmio_features_valid(d->device_id, d->version, &valid);
	vmmio_feat_and(&acc, wanted, &d->device_features);
	vmmio_feat_and(&acc, &acc, &valid);

	if (!dev_is_legacy(d)) {
		/* "A driver MUST accept VIRTIO_F_VERSION_1 if it is offered";
		 * a Version 2 device without it is not one we can drive. */
		if (!vmmio_feat_has(&d->device_features, VMMIO_F_VERSION_1)) {
			struct vmmio_features v1 = { { 0 } };

			vmmio_feat_set(&v1, VMMIO_F_VERSION_1);
			return refuse(d, &v1, "Version 2 device does not offer");
		}
		vmmio_feat_set(&acc, VMMIO_F_VERSION_1);
	}
	/* "MUST NOT accept a feature which requires another feature which was
	 * not accepted." */
	vmmio_features_drop_unmet(d->device_id, &acc);

	for (unsigned i = 0; i < accepted_words(d, &acc); i++) {
		reg_write(d, VMMIO_REG_DRIVER_FEATURES_SEL, i);
		reg_write(d, VMMIO_REG_DRIVER_FEATURES, acc.w[i]);
	}
	d->driver_features = acc;

	if (dev_is_legacy(d)) {
		/* The legacy interface has no FEATURES_OK ("Legacy Interface:
		 * Device Initialization"); the guest page size goes in before
		 * any queue is configured ("Legacy interface"). */
		reg_write(d, VMMIO_REG_LEGACY_GUEST_PAGE_SIZE, VMMIO_LEGACY_PAGE_SIZE);
		d->features_locked = true;
		return 0;
	}

	vmmio_status_set(d, VMMIO_STATUS_FEATURES_OK);
	d->features_locked = true;
	/* Re-read: a device that cannot support this subset leaves
	 * FEATURES_OK clear, and the device is unusable. */
	if (!(reg_read(d, VMMIO_REG_STATUS) & VMMIO_STATUS_FEATURES_OK)) {
		d->status &= (uint8_t)~VMMIO_STATUS_FEATURES_OK;
		return refuse(d, &acc, "device refused the feature set (FEATURES_OK did not stick)");
	}
	return 0;
}

int vmmio_driver_ok(struct vmmio_dev *d)
{
	if (!d->features_locked)
		return vmmio_dev_set_error(d, -EPERM, "DRIVER_OK before feature negotiation completed");
	vmmio_status_set(d, VMMIO_STATUS_DRIVER_OK);
	return 0;
}

/*
 * Negotiation through DRIVER_OK, shared by first initialisation and
 * recovery. With @exact, the accepted set must be all of @wanted (recovery:
 * the queues will be rebuilt for those features).
 */
static int bring_up(struct vmmio_dev *d, const struct vmmio_features *wanted, bool exact,
		    vmmio_setup_fn setup, void *arg)
{
	int r = vmmio_begin(d);

	if (r)
		return r;
	r = vmmio_negotiate(d, wanted);
	if (r)
		return r; /* FAILED is already set */
	if (exact && !vmmio_feat_equal(&d->driver_features, wanted)) {
		struct vmmio_features lost;
		char names[384];

		vmmio_feat_andnot(&lost, wanted, &d->driver_features);
		vmmio_features_format(d->device_id, &lost, ", ", names, sizeof(names));
		vmmio_fail(d);
		return vmmio_dev_set_error(d, -EPROTO,
				     "after reset the device no longer offers: %s; FAILED set",
				     names);
	}
	if (setup) {
		r = setup(d, arg);
		if (r) {
			char msg[VMMIO_ERR_LEN];

			/* Keep the setup's own message; mark the device failed. */
			snprintf(msg, sizeof(msg), "%s", d->err);
			vmmio_fail(d);
			if (msg[0])
				snprintf(d->err, sizeof(d->err), "%s", msg);
			else
				vmmio_dev_set_error(d, r, "device-specific setup failed (%s)",
					      strerror(-r));
			return r;
		}
	}
	return vmmio_driver_ok(d);
}

int vmmio_init(struct vmmio_dev *d, const struct vmmio_features *wanted, vmmio_setup_fn setup,
	       void *arg)
{
	d->err[0] = '\0';
	return bring_up(d, wanted, false, setup, arg);
}

bool vmmio_needs_reset(struct vmmio_dev *d)
{
	return reg_read(d, VMMIO_REG_STATUS) & VMMIO_STATUS_DEVICE_NEEDS_RESET;
}

int vmmio_recover(struct vmmio_dev *d, vmmio_setup_fn setup, void *arg)
{
	const struct vmmio_features before = d->driver_features;
	int r;

	/* "A good implementation will try to recover by issuing a reset":
	 * the same features again, then the caller rebuilds its queues. */
	d->err[0] = '\0';
	if (vmmio_feat_empty(&before))
		return vmmio_dev_set_error(d, -EINVAL,
				     "recovery needs a device that was initialised before");
	r = bring_up(d, &before, true, setup, arg);
	if (r)
		return r;
	d->recoveries++;
	return 0;
}
