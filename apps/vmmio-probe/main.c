/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmmio-probe: look at one virtio-mmio device. Probe it, walk it through
 * the status handshake accepting every feature the transport allows, and
 * print what it shows on the way: identity, features, queues, the
 * device's configuration, shared memory regions and the final status.
 * The device is reset before exit.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmmio_bus.h"
#include "vmmio_bus_sim.h"
#include "devsim.h"
#include "vmmio_dev.h"
#include "vmmio_features.h"
#include "vmmio_net.h"

#define MAX_QUEUES 16u
#define MAX_SHM_ID 255u
#define WRAP_COLUMNS 78

static const char *prog = "vmmio-probe";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s --device <bus>:<device>[,option...] [--hotplug-wait MS] [--no-shm]\n"
		"\n"
		"Probe one virtio-mmio device, negotiate every feature the transport\n"
		"allows, print what the device shows, set DRIVER_OK, then reset it.\n"
		"\n"
		"  --device ARG        the device, on one of the buses this build has (%s):\n"
		"                      uio:/dev/uioN or uio:NAME (a platform device bound to\n"
		"                      a UIO driver, e.g. uio:LNRO0005:00); mem:BASE[,size=N]\n"
		"                      (a window by physical address through /dev/mem, poll\n"
		"                      only); sim:net or sim:blk (devsim) with options legacy,\n"
		"                      hotplug=MS, queues=N, qsize=N, refuse=FEATURE,\n"
		"                      shm=ID:BASE:LEN, backend=sink, sleep=N (idle rounds\n"
		"                      before the device thread sleeps, for what starts one:\n"
		"                      the PMD), and for sim:net pairs=N, mtu=N and\n"
		"                      backend=loopback|forward (forward: MACs swapped)\n"
		"  --hotplug-wait MS   if DeviceID is 0 (a placeholder), wait up to MS\n"
		"                      milliseconds for the device to appear\n"
		"  --no-shm            do not enumerate shared memory regions\n"
		"  --help              this text\n",
		prog, vmmio_bus_names());
}

struct probe_args {
	const char *device;
	bool hotplug_wait;
	int hotplug_ms;
	bool shm;
};

/* 0 on success, 2 on a usage error (message printed), 1 for --help done. */
static int parse_args(int argc, char **argv, struct probe_args *a)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "hotplug-wait", required_argument, NULL, 'w' },
		{ "no-shm", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*a = (struct probe_args){ .shm = true };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:w:nh", longopts, NULL)) != -1) {
		char *end;
		long v;

		switch (c) {
		case 'd':
			a->device = optarg;
			break;
		case 'w':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 0 || v > INT_MAX) {
				fprintf(stderr, "%s: --hotplug-wait \"%s\": expected milliseconds 0..%d\n",
					prog, optarg, INT_MAX);
				return 2;
			}
			a->hotplug_wait = true;
			a->hotplug_ms = (int)v;
			break;
		case 'n':
			a->shm = false;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case ':':
			fprintf(stderr, "%s: %s needs an argument\n", prog, argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "%s: unknown option \"%s\"\n", prog, argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument \"%s\"\n", prog, argv[optind]);
		return 2;
	}
	if (!a->device) {
		fprintf(stderr, "%s: --device is required\n", prog);
		return 2;
	}
	return 0;
}

/* @step failed: say which device and which step, with the transport's
 * words (which start with the device's name). */
static int step_failed(const struct vmmio_dev *d, const char *device, const char *step, int rc)
{
	const char *why = vmmio_dev_error(d);

	fflush(stdout);
	if (why[0])
		fprintf(stderr, "%s: %s failed: %s\n", prog, step, why);
	else
		fprintf(stderr, "%s: %s: %s failed: %s\n", prog, device, step, strerror(-rc));
	return 1;
}

static void print_identity(const struct vmmio_dev *d)
{
	unsigned char v[4];
	bool printable = true;

	for (unsigned i = 0; i < 4; i++) {
		v[i] = (unsigned char)(d->vendor_id >> (8 * i));
		printable = printable && isprint(v[i]);
	}
	printf("Device\n");
	printf("  Version    %u (%s)\n", d->version,
	       d->version == VMMIO_VERSION_LEGACY ? "legacy" : "modern");
	printf("  DeviceID   %u (%s)\n", d->device_id, vmmio_device_type_name(d->device_id));
	/* VendorID is often four ASCII characters, little endian ("QEMU"). */
	if (printable)
		printf("  VendorID   0x%08x (\"%c%c%c%c\")\n", d->vendor_id, v[0], v[1], v[2], v[3]);
	else
		printf("  VendorID   0x%08x\n", d->vendor_id);
}

/* Why the driver may not accept an offered @bit, or NULL if it may. */
static const char *not_valid_why(const struct vmmio_dev *d, unsigned bit,
				 const struct vmmio_features *valid)
{
	const struct vmmio_feature_info *e = vmmio_feature_info(d->device_id, bit);

	if (vmmio_feat_has(valid, bit))
		return NULL;
	if (!e)
		return "not defined for this device type";
	if (e->not_on_mmio)
		return "not supported on MMIO";
	if (e->bit == VMMIO_F_UNUSED_30)
		return "must not be negotiated";
	if (e->legacy_only)
		return "legacy interface only";
	return "not valid here";
}

static void print_offered(const struct vmmio_dev *d, const struct vmmio_features *valid)
{
	unsigned n = 0;

	for (unsigned bit = 0; bit < VMMIO_FEATURE_BITS; bit++)
		n += vmmio_feat_has(&d->device_features, bit);
	printf("\nOffered features (%u)\n", n);
	for (unsigned bit = 0; bit < VMMIO_FEATURE_BITS; bit++) {
		const char *why;

		if (!vmmio_feat_has(&d->device_features, bit))
			continue;
		why = not_valid_why(d, bit, valid);
		printf("  %3u  %s%s%s%s\n", bit, vmmio_feature_name(d->device_id, bit),
		       why ? "  (" : "", why ? why : "", why ? ")" : "");
	}
}

/* Feature names separated by ", ", wrapped at WRAP_COLUMNS. */
static void print_wrapped(uint32_t device_id, const struct vmmio_features *f)
{
	unsigned col = 0;

	for (unsigned bit = 0; bit < VMMIO_FEATURE_BITS; bit++) {
		const char *name;
		unsigned len;

		if (!vmmio_feat_has(f, bit))
			continue;
		name = vmmio_feature_name(device_id, bit);
		len = (unsigned)strlen(name);
		if (col == 0) {
			printf("  %s", name);
			col = 2 + len;
		} else if (col + 2 + len > WRAP_COLUMNS) {
			printf(",\n  %s", name);
			col = 2 + len;
		} else {
			printf(", %s", name);
			col += 2 + len;
		}
	}
	printf(col ? "\n" : "  (none)\n");
}

static void print_negotiated(const struct vmmio_dev *d)
{
	unsigned n = 0;

	for (unsigned bit = 0; bit < VMMIO_FEATURE_BITS; bit++)
		n += vmmio_feat_has(&d->driver_features, bit);
	printf("\nNegotiated features (%u)\n", n);
	print_wrapped(d->device_id, &d->driver_features);
}

static int print_queues(struct vmmio_dev *d, const char *device)
{
	printf("\nQueues\n");
	for (uint16_t q = 0; q < MAX_QUEUES; q++) {
		uint16_t max;
		int rc = vmmio_queue_max(d, q, &max);

		if (rc < 0) {
			char step[32];

			snprintf(step, sizeof(step), "discovery of queue %u", q);
			return step_failed(d, device, step, rc);
		}
		if (max == 0) {
			if (q == 0)
				printf("  (none)\n");
			return 0;
		}
		printf("  %2u  QueueSizeMax %u\n", q, max);
	}
	printf("  (looked at queues 0..%u only)\n", MAX_QUEUES - 1);
	return 0;
}

static const char *duplex_name(uint8_t duplex)
{
	switch (duplex) {
	case VMMIO_NET_DUPLEX_FULL:
		return "full duplex";
	case VMMIO_NET_DUPLEX_HALF:
		return "half duplex";
	case VMMIO_NET_DUPLEX_UNKNOWN:
		return "duplex unknown";
	default:
		return "duplex invalid";
	}
}

static int print_net_config(struct vmmio_dev *d, const char *device)
{
	struct vmmio_net_config c;
	int rc = vmmio_net_config_read(d, &c);

	if (rc < 0)
		return step_failed(d, device, "reading the network configuration", rc);
	printf("\nNetwork configuration\n");
	if (c.has_mac)
		printf("  mac                  %02x:%02x:%02x:%02x:%02x:%02x\n", c.mac[0], c.mac[1],
		       c.mac[2], c.mac[3], c.mac[4], c.mac[5]);
	if (c.has_status)
		printf("  status               0x%04x (%s)\n", c.status,
		       vmmio_net_status_format(c.status));
	if (c.has_max_virtqueue_pairs)
		printf("  max_virtqueue_pairs  %u\n", c.max_virtqueue_pairs);
	if (c.has_mtu)
		printf("  mtu                  %u\n", c.mtu);
	if (c.has_speed_duplex) {
		if (c.speed == VMMIO_NET_SPEED_UNKNOWN)
			printf("  speed                unknown, %s (0x%02x)\n", duplex_name(c.duplex),
			       c.duplex);
		else
			printf("  speed                %u Mbit/s, %s (0x%02x)\n", c.speed,
			       duplex_name(c.duplex), c.duplex);
	}
	if (!c.has_mac && !c.has_status && !c.has_max_virtqueue_pairs && !c.has_mtu &&
	    !c.has_speed_duplex)
		printf("  (no fields: the device offers none of their features)\n");
	return 0;
}

static int print_shm(struct vmmio_dev *d, const char *device)
{
	static struct vmmio_shm regions[MAX_SHM_ID + 1];
	int n = vmmio_shm_list(d, MAX_SHM_ID, regions, MAX_SHM_ID + 1);

	if (n < 0)
		return step_failed(d, device, "listing shared memory regions", n);
	printf("\nShared memory regions (ids 0..%u)\n", MAX_SHM_ID);
	if (n == 0)
		printf("  (none)\n");
	for (int i = 0; i < n; i++)
		printf("  %3u  base 0x%016llx  length 0x%llx\n", regions[i].id,
		       (unsigned long long)regions[i].base, (unsigned long long)regions[i].len);
	return 0;
}

static void print_status(const char *what, uint8_t status)
{
	char buf[128];

	printf("\n%-20s %s\n", what, vmmio_status_format(status, buf, sizeof(buf)));
}

/* Everything from vmmio_begin() to DRIVER_OK; the caller resets after. */
static int inspect(struct vmmio_dev *d, const struct probe_args *a)
{
	struct vmmio_features valid;
	int rc;

	rc = vmmio_begin(d);
	if (rc < 0)
		return step_failed(d, a->device, "reset and ACKNOWLEDGE|DRIVER", rc);
	vmmio_features_valid(d->device_id, d->version, &valid);
	print_offered(d, &valid);

	/* Ask for everything the spec lets a driver accept here: the probe
	 * shows what the transport would negotiate. */
	rc = vmmio_negotiate(d, &valid);
	if (rc < 0) /* the message names the refused set */
		return step_failed(d, a->device, "feature negotiation", rc);
	print_negotiated(d);

	rc = print_queues(d, a->device);
	if (rc)
		return rc;
	if (d->device_id == VMMIO_DEVICE_ID_NET) {
		rc = print_net_config(d, a->device);
		if (rc)
			return rc;
	}
	/* Shared memory regions exist only in the Version 2 layout. */
	if (d->version == VMMIO_VERSION_LEGACY) {
		printf("\nShared memory regions\n  (none in the Version 1 layout)\n");
	} else if (!a->shm) {
		printf("\nShared memory regions\n  (not enumerated: --no-shm)\n");
	} else {
		rc = print_shm(d, a->device);
		if (rc)
			return rc;
	}
	rc = vmmio_driver_ok(d);
	if (rc < 0)
		return step_failed(d, a->device, "setting DRIVER_OK", rc);
	print_status("Status", d->status);
	return 0;
}

/* A simulated device also checks the driver: report any rule this run broke. */
static int report_violations(const struct vmmio_bus_dev *bd)
{
	const struct devsim *sim = vmmio_bus_sim_model(bd);
	size_t n;

	if (!sim)
		return 0;
	n = devsim_violation_count(sim);
	if (n == 0)
		return 0;
	fprintf(stderr, "%s: %s: the device model saw %zu driver-rule violation%s:\n", prog,
		bd->win.name, n, n == 1 ? "" : "s");
	devsim_dump_violations(sim, stderr);
	return 1;
}

int main(int argc, char **argv)
{
	struct probe_args a;
	struct vmmio_bus_dev bd;
	struct vmmio_bus_opts bo = { 0 };
	struct vmmio_probe_opts po = { 0 };
	struct vmmio_dev d;
	char err[512];
	int rc, status;

	rc = parse_args(argc, argv, &a);
	if (rc == 1)
		return 0;
	if (rc) {
		usage(stderr);
		return 2;
	}

	bo.sim.driver_expects_shm = a.shm; /* the probe enumerates regions on purpose */
	bo.hw.no_dma = true; /* no queue is created: a machine without hugepages may probe */
	rc = vmmio_bus_open(a.device, &bo, &bd, err, sizeof(err));
	if (rc == -EINVAL) {
		fprintf(stderr, "%s: %s\n\n", prog, err);
		usage(stderr);
		return 2;
	}
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}

	printf("%s: %s\n\n", prog, a.device);
	po.hotplug_wait = a.hotplug_wait;
	po.hotplug_timeout_ms = a.hotplug_ms;
	rc = vmmio_probe(&d, &bd.win, &po);
	if (rc == VMMIO_PROBE_PLACEHOLDER) {
		printf("placeholder (DeviceID 0): no device\n");
		status = report_violations(&bd);
		vmmio_bus_close(&bd);
		return status;
	}
	if (rc < 0) {
		status = step_failed(&d, a.device, "probe", rc);
		report_violations(&bd);
		vmmio_bus_close(&bd);
		return status;
	}
	print_identity(&d);

	status = inspect(&d, &a);
	rc = vmmio_reset(&d);
	if (rc < 0)
		status = step_failed(&d, a.device, "the reset at exit", rc);
	else if (status == 0)
		printf("%-20s done (Status 0)\n", "Reset");
	if (report_violations(&bd))
		status = 1;
	vmmio_bus_close(&bd);
	return status;
}
