/* SPDX-License-Identifier: BSD-3-Clause */
/* vmmio-guest: the command line (see guest.h for what it tests). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arp.h"
#include "guest.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " GUEST_PROG " net --device ARG [--ring split|packed] [--count N]\n"
		"                   [--peer IP] [--ip IP] [--irq] [--reset] [--version 1|2]\n"
		"       " GUEST_PROG " blk --device ARG --expect FILE [--ring split|packed]\n"
		"\n"
		"Test one real virtio-mmio device through libvmmio (inside the QEMU guest\n"
		"of the qemu suite). Prints TAP comments; exit status 0 passed, 1 failed.\n"
		"\n"
		"  net          ARP round trips with the peer, each reply checked\n"
		"  blk          read sector 0, compare it with --expect\n"
		"  --device ARG uio:/dev/uioN, uio:LNRO0005:NN or mem:BASE[,size=N]\n"
		"  --ring R     split (default) or packed\n"
		"  --count N    round trips per phase (default 1000)\n"
		"  --peer IP    the address asked about (default 10.0.2.2)\n"
		"  --ip IP      this end's address (default 10.0.2.15)\n"
		"  --irq        interrupt mode: sleep on the interrupt for each reply\n"
		"  --reset      then QueueReset (where offered) and a device reset, each\n"
		"               followed by the same traffic\n"
		"  --version V  fail unless the device is Version V (1 legacy, 2 modern)\n"
		"  --timeout MS per round trip or request (default 2000)\n"
		"  --drop BIT   do not ask for feature BIT (a number); may repeat\n");
}

static int parse_ip(const char *opt, const char *s, uint32_t *out)
{
	if (app_ipv4_parse(s, out)) {
		fprintf(stderr, GUEST_PROG ": %s \"%s\": not an IPv4 address\n", opt, s);
		return -1;
	}
	return 0;
}

static int parse_uint(const char *opt, const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (end == s || *end || v < lo || v > hi) {
		fprintf(stderr, GUEST_PROG ": %s \"%s\": expected %u..%u\n", opt, s, lo, hi);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' }, { "ring", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'c' },  { "peer", required_argument, NULL, 'p' },
		{ "ip", required_argument, NULL, 'i' },	    { "irq", no_argument, NULL, 'q' },
		{ "reset", no_argument, NULL, 'R' },	    { "version", required_argument, NULL, 'v' },
		{ "expect", required_argument, NULL, 'e' }, { "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },	    { "drop", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	struct guest_opts o = { .count = 1000, .peer_ip = 0x0a000202, .own_ip = 0x0a00020f,
				.timeout_ms = 2000 };
	int c, bad = 0;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[1], "net") && strcmp(argv[1], "blk"))) {
		usage(stderr);
		return 2;
	}
	o.cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o.device = optarg; break;
		case 'r':
			if (strcmp(optarg, "split") && strcmp(optarg, "packed")) {
				fprintf(stderr, GUEST_PROG ": --ring \"%s\": split or packed\n", optarg);
				bad = 1;
			}
			o.packed = !strcmp(optarg, "packed");
			break;
		case 'c': bad |= parse_uint("--count", optarg, 1, 10000000, &o.count) != 0; break;
		case 'p': bad |= parse_ip("--peer", optarg, &o.peer_ip) != 0; break;
		case 'i': bad |= parse_ip("--ip", optarg, &o.own_ip) != 0; break;
		case 'q': o.irq = true; break;
		case 'R': o.reset = true; break;
		case 'v': bad |= parse_uint("--version", optarg, 1, 2, &o.expect_version) != 0; break;
		case 'e': o.expect_file = optarg; break;
		case 't': bad |= parse_uint("--timeout", optarg, 1, 600000, &o.timeout_ms) != 0; break;
		case 'D': {
			unsigned bit;

			bad |= parse_uint("--drop", optarg, 0, VMMIO_FEATURE_BITS - 1, &bit) != 0;
			if (!bad)
				vmmio_feat_set(&o.drop, bit);
			break;
		}
		case 'h': usage(stdout); return 0;
		default: bad = 1;
		}
	}
	if (!bad && (!o.device || optind != argc)) {
		fprintf(stderr, GUEST_PROG ": %s\n",
			!o.device ? "--device is required" : "unexpected argument");
		bad = 1;
	}
	if (!bad && !strcmp(o.cmd, "blk") && !o.expect_file) {
		fprintf(stderr, GUEST_PROG ": blk needs --expect FILE\n");
		bad = 1;
	}
	if (bad)
		return 2;
	return (strcmp(o.cmd, "net") ? guest_blk(&o) : guest_net(&o)) ? 1 : 0;
}
