/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device under test: open it through the bus layer, negotiate, create
 * and enable the queues, take packet buffers from the bus's DMA memory,
 * and take it all down again. Only libvmmio's public API is used.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "guest.h"
#include "vmmio_features.h"

void guest_log(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

int guest_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("# FAIL: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	return -1;
}

uint64_t guest_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int guest_open(struct guest_dev *g, const struct guest_opts *o, uint32_t device_id)
{
	char err[VMMIO_ERR_LEN];
	int r;

	memset(g, 0, sizeof(*g));
	g->o = o;
	if (vmmio_bus_open(o->device, NULL, &g->bus, err, sizeof(err)))
		return guest_fail("%s", err);
	g->opened = true;
	r = vmmio_probe(&g->dev, &g->bus.win, NULL);
	if (r == VMMIO_PROBE_PLACEHOLDER)
		return guest_fail("%s: DeviceID 0, a placeholder", o->device);
	if (r)
		return guest_fail("%s", vmmio_dev_error(&g->dev));
	g->probed = true;
	guest_log("%s: %s, Version %u (%s), VendorID 0x%08x, interrupt %s", o->device,
		  vmmio_device_type_name(g->dev.device_id), g->dev.version,
		  g->dev.version == VMMIO_VERSION_LEGACY ? "legacy" : "modern", g->dev.vendor_id,
		  g->bus.win.irq_fd >= 0 ? "by fd" : "none (poll only)");
	if (g->dev.device_id != device_id)
		return guest_fail("%s is a %s, not a %s", o->device,
				  vmmio_device_type_name(g->dev.device_id),
				  vmmio_device_type_name(device_id));
	if (o->expect_version && g->dev.version != o->expect_version)
		return guest_fail("%s: Version %u, expected %u", o->device, g->dev.version,
				  o->expect_version);
	return 0;
}

struct setup_arg {
	struct guest_dev *g;
	uint16_t qmax;
	char err[VMMIO_VQ_ERR_LEN];
};

static int queue_create(struct guest_dev *g, uint16_t idx, uint16_t qmax, char *err, size_t len)
{
	struct vmmio_vq_params p;
	uint16_t max, num;

	if (vmmio_queue_max(&g->dev, idx, &max))
		return snprintf(err, len, "%s", vmmio_dev_error(&g->dev)), -1;
	if (!max)
		return snprintf(err, len, "queue %u does not exist", idx), -1;
	/* A split ring's size is a power of 2 ("Queue Size"). */
	num = max < qmax ? max : qmax;
	while (!g->o->packed && (num & (num - 1)))
		num &= (uint16_t)(num - 1);
	vmmio_vq_params_from_dev(&p, &g->dev, idx, num);
	g->vq[idx] = vmmio_vq_create(&p, g->bus.dma, err, len);
	if (!g->vq[idx])
		return -1;
	g->qsize[idx] = num;
	return 0;
}

/* vmmio_init()'s step between FEATURES_OK and DRIVER_OK: create and
 * enable the queues. */
static int setup_queues(struct vmmio_dev *d, void *arg)
{
	struct setup_arg *s = arg;
	struct guest_dev *g = s->g;

	if (g->o->packed && !vmmio_feat_has(&d->driver_features, VMMIO_F_RING_PACKED)) {
		snprintf(s->err, sizeof(s->err), "--ring packed: the device does not offer "
			 "VIRTIO_F_RING_PACKED");
		return -1;
	}
	for (uint16_t q = 0; q < g->nq; q++) {
		if (queue_create(g, q, s->qmax, s->err, sizeof(s->err)))
			return -1;
		if (vmmio_vq_enable(g->vq[q], d)) {
			snprintf(s->err, sizeof(s->err), "%s", vmmio_dev_error(d));
			return -1;
		}
	}
	return 0;
}

static void print_features(struct guest_dev *g)
{
	const struct vmmio_features *off = &g->dev.device_features;
	const struct vmmio_features *acc = &g->dev.driver_features;
	char names[1024];

	vmmio_features_format(g->dev.device_id, acc, " ", names, sizeof(names));
	guest_log("features offered 0x%08x_%08x, negotiated 0x%08x_%08x: %s",
		  off->w[1], off->w[0], acc->w[1], acc->w[0], names);
}

int guest_init(struct guest_dev *g, const struct vmmio_features *want, unsigned nq,
	       uint16_t qmax, unsigned slots)
{
	struct setup_arg s = { .g = g, .qmax = qmax };
	const struct vmmio_dma_req req = {
		.len = (size_t)slots * GUEST_SLOT, .align = 4096, .node = VMMIO_NUMA_ANY
	};
	char err[VMMIO_ERR_LEN];

	struct vmmio_features w = *want;

	for (unsigned i = 0; i < VMMIO_FEATURE_WORDS; i++)
		w.w[i] &= ~g->o->drop.w[i];
	g->nq = nq;
	if (vmmio_init(&g->dev, &w, setup_queues, &s))
		return guest_fail("initialisation: %s", s.err[0] ? s.err : vmmio_dev_error(&g->dev));
	print_features(g);
	for (unsigned q = 0; q < nq; q++)
		guest_log("queue %u: %u entries, %s ring", q, g->qsize[q],
			  vmmio_vq_is_packed(g->vq[q]) ? "packed" : "split");
	if (vmmio_dma_alloc(g->bus.dma, &req, &g->pool, err, sizeof(err)))
		return guest_fail("packet buffers (%u x %u bytes) from %s: %s", slots, GUEST_SLOT,
				  g->bus.dma->name, err);
	g->slots = slots;
	guest_log("DMA memory from %s: packet buffers at IOVA 0x%llx, NUMA node %d",
		  g->bus.dma->name, (unsigned long long)g->pool.iova, g->pool.node);
	return 0;
}

int guest_faults(struct guest_dev *g)
{
	int bad = 0;

	for (unsigned q = 0; q < g->nq; q++)
		if (g->vq[q] && vmmio_vq_broken(g->vq[q]))
			bad = guest_fail("device fault: %s", vmmio_vq_error(g->vq[q]));
	if (g->probed && vmmio_needs_reset(&g->dev))
		bad = guest_fail("device fault: Status has DEVICE_NEEDS_RESET");
	if (!bad)
		guest_log("device faults: 0");
	return bad;
}

void guest_close(struct guest_dev *g)
{
	/* The device lets go of the rings before their memory goes. */
	if (g->probed)
		vmmio_reset(&g->dev);
	for (unsigned q = 0; q < GUEST_MAX_QUEUES; q++) {
		vmmio_vq_destroy(g->vq[q]);
		g->vq[q] = NULL;
	}
	if (g->opened) {
		vmmio_dma_free(g->bus.dma, &g->pool);
		vmmio_bus_close(&g->bus);
	}
	g->opened = g->probed = false;
}
