/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmmio-devbind: dpdk-devbind for virtio-mmio. Lists the machine's
 * virtio-mmio devices with their binding, moves them between the kernel's
 * virtio-mmio driver and uio_vmmio (vmmio's UIO driver), and reserves
 * hugepages. Plain C and libc: it runs in a busybox guest.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "devbind.h"

#ifndef VMMIO_VERSION_STRING
#define VMMIO_VERSION_STRING "unknown"
#endif

#define HUGEPAGES_MAX 1048576ul /* 2 TiB of 2 MiB pages */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " DEVBIND_PROG " --status [--json]\n"
		"       " DEVBIND_PROG " --bind uio_vmmio|virtio-mmio [--module PATH] [--force] "
		"DEVICE...\n"
		"       " DEVBIND_PROG " --unbind [--pin] [--force] DEVICE...\n"
		"       " DEVBIND_PROG " --setup-hugepages N\n"
		"\n"
		"Show and change which driver has the machine's virtio-mmio devices: ACPI\n"
		"(LNRO0005:NN), device tree (compatible \"virtio,mmio\") and kernel command\n"
		"line (virtio_mmio.device=, named virtio-mmio.N) platform devices, and any\n"
		"platform device bound to virtio-mmio or uio_vmmio.\n"
		"\n"
		"  -s, --status         list the devices by binding: window, irq, device type\n"
		"                       (DeviceID), Version, VendorID, driver, /dev/uioN\n"
		"      --json           with --status: the same as JSON on stdout\n"
		"  -b, --bind DRIVER    move each DEVICE to DRIVER (uio_vmmio or virtio-mmio):\n"
		"                       unbind, write driver_override, drivers_probe, check;\n"
		"                       loads the driver's module when needed; a failed move\n"
		"                       restores the previous binding\n"
		"  -u, --unbind         unbind each DEVICE and clear its driver_override; the\n"
		"                       device stays unbound until something probes it\n"
		"                       (drivers_probe, loading virtio_mmio binds it again)\n"
		"      --pin            with --unbind: set driver_override to \"none\" instead,\n"
		"                       so that no probe binds it until the next --bind\n"
		"      --module PATH    uio_vmmio.ko to insmod when uio_vmmio is not loaded\n"
		"                       (default: modprobe uio_vmmio, else uio_vmmio.ko in\n"
		"                       this program's directory)\n"
		"      --force          move a device even if it is in use (its /dev/uioN\n"
		"                       open, its interface up, its disk mounted)\n"
		"      --setup-hugepages N  reserve N 2 MiB hugepages (hugeadm if installed,\n"
		"                       else nr_hugepages), check how many the kernel gave,\n"
		"                       mount hugetlbfs at /dev/hugepages if none is mounted\n"
		"  -h, --help           this text\n"
		"      --version        the version\n"
		"\n"
		"DEVICE is a platform device name (LNRO0005:17, virtio-mmio.0) or the base\n"
		"address of its register window (0xfeb02e00).\n"
		"\n"
		"The device type is read the safe way for each binding: from the kernel's\n"
		"virtio device (virtio-mmio), through /dev/uioN (UIO), through /dev/mem\n"
		"(unbound; the kernel may refuse, e.g. IO_STRICT_DEVMEM while a device in\n"
		"the same page has a driver, and the line says so). Only MagicValue,\n"
		"Version, DeviceID and VendorID are read. Changing bindings needs root.\n"
		"\n"
		"Examples:\n"
		"  " DEVBIND_PROG " --status\n"
		"  " DEVBIND_PROG " --bind uio_vmmio LNRO0005:17\n"
		"  " DEVBIND_PROG " --bind virtio-mmio 0xfeb02e00\n"
		"  " DEVBIND_PROG " --setup-hugepages 64\n"
		"\n"
		"Exit status: 0 done; 1 failed (each device not moved is as it was: its old\n"
		"binding restored; or fewer hugepages than asked); 2 bad arguments; 3 a move\n"
		"failed and the old binding could not be restored (the message says what\n"
		"the device is left with).\n");
}

enum action { A_NONE, A_BIND, A_UNBIND, A_HUGEPAGES };

struct args {
	bool status, json;
	enum action action;
	const char *driver;
	unsigned long hugepages;
	struct bind_opts bind;
};

static int set_action(struct args *a, enum action act, const char *opt)
{
	if (a->action != A_NONE && a->action != act) {
		fprintf(stderr, "%s: %s: only one of --bind, --unbind, --setup-hugepages\n",
			DEVBIND_PROG, opt);
		return -1;
	}
	a->action = act;
	return 0;
}

/* 0: go on; 1: done (--help, --version); 2: usage error, message printed. */
static int parse_args(int argc, char **argv, struct args *a)
{
	enum { O_JSON = 256, O_PIN, O_MODULE, O_FORCE, O_HUGE, O_VERSION };
	static const struct option longopts[] = {
		{ "status", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, O_JSON },
		{ "bind", required_argument, NULL, 'b' },
		{ "unbind", no_argument, NULL, 'u' },
		{ "pin", no_argument, NULL, O_PIN },
		{ "module", required_argument, NULL, O_MODULE },
		{ "force", no_argument, NULL, O_FORCE },
		{ "setup-hugepages", required_argument, NULL, O_HUGE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":sb:uh", longopts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 's':
			a->status = true;
			break;
		case O_JSON:
			a->json = true;
			break;
		case 'b':
			if (set_action(a, A_BIND, "--bind"))
				return 2;
			if (strcmp(optarg, DRV_UIO) && strcmp(optarg, DRV_VIRTIO)) {
				fprintf(stderr, "%s: --bind \"%s\": expected %s or %s\n",
					DEVBIND_PROG, optarg, DRV_UIO, DRV_VIRTIO);
				return 2;
			}
			a->driver = optarg;
			break;
		case 'u':
			if (set_action(a, A_UNBIND, "--unbind"))
				return 2;
			break;
		case O_PIN:
			a->bind.pin = true;
			break;
		case O_MODULE:
			a->bind.module = optarg;
			break;
		case O_FORCE:
			a->bind.force = true;
			break;
		case O_HUGE:
			if (set_action(a, A_HUGEPAGES, "--setup-hugepages"))
				return 2;
			errno = 0;
			a->hugepages = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] < '0' || optarg[0] > '9' ||
			    a->hugepages > HUGEPAGES_MAX) {
				fprintf(stderr, "%s: --setup-hugepages \"%s\": expected a count "
						"0..%lu\n",
					DEVBIND_PROG, optarg, HUGEPAGES_MAX);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 1;
		case O_VERSION:
			printf("%s %s\n", DEVBIND_PROG, VMMIO_VERSION_STRING);
			return 1;
		case ':':
			fprintf(stderr, "%s: %s needs an argument\n", DEVBIND_PROG,
				argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "%s: unknown option \"%s\"\n", DEVBIND_PROG,
				argv[optind - 1]);
			return 2;
		}
	}
	if (a->action == A_NONE && !a->status) {
		fprintf(stderr, "%s: nothing to do: --status, --bind, --unbind or "
				"--setup-hugepages\n",
			DEVBIND_PROG);
		return 2;
	}
	if ((a->action == A_BIND || a->action == A_UNBIND) && optind == argc) {
		fprintf(stderr, "%s: no DEVICE to %s\n", DEVBIND_PROG,
			a->action == A_BIND ? "bind" : "unbind");
		return 2;
	}
	if (a->action != A_BIND && a->action != A_UNBIND && optind < argc) {
		fprintf(stderr, "%s: unexpected argument \"%s\"\n", DEVBIND_PROG, argv[optind]);
		return 2;
	}
	if (a->json && (!a->status || a->action != A_NONE)) {
		fprintf(stderr, "%s: --json goes with --status alone\n", DEVBIND_PROG);
		return 2;
	}
	if (a->bind.pin && a->action != A_UNBIND) {
		fprintf(stderr, "%s: --pin goes with --unbind\n", DEVBIND_PROG);
		return 2;
	}
	if (a->bind.module && a->action != A_BIND) {
		fprintf(stderr, "%s: --module goes with --bind\n", DEVBIND_PROG);
		return 2;
	}
	return 0;
}

static int status(bool json)
{
	struct vdev_list l;
	int rc = scan_devices(&l);

	if (rc < 0) {
		fprintf(stderr, "%s: reading /sys/bus/platform/devices: %s\n", DEVBIND_PROG,
			strerror(-rc));
		vdev_list_free(&l);
		return EXIT_FAILED;
	}
	if (json)
		print_status_json(&l, stdout);
	else
		print_status(&l, stdout);
	vdev_list_free(&l);
	return EXIT_DONE;
}

int main(int argc, char **argv)
{
	struct args a;
	int rc = parse_args(argc, argv, &a), st;

	if (rc == 1)
		return EXIT_DONE;
	if (rc) {
		fprintf(stderr, "(%s --help for the usage)\n", DEVBIND_PROG);
		return EXIT_USAGE;
	}
	/* Output lines must not interleave with modprobe's in a log. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	switch (a.action) {
	case A_BIND:
		rc = do_bind(a.driver, argv + optind, argc - optind, &a.bind);
		break;
	case A_UNBIND:
		rc = do_unbind(argv + optind, argc - optind, &a.bind);
		break;
	case A_HUGEPAGES:
		rc = setup_hugepages(a.hugepages);
		break;
	default:
		rc = EXIT_DONE;
		break;
	}
	if (a.status) {
		st = status(a.json);
		if (st > rc)
			rc = st;
	}
	return rc;
}
