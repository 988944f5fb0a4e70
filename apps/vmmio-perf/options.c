/* SPDX-License-Identifier: BSD-3-Clause */
/* vmmio-perf's command line: defaults, parsing, and the help text. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arp.h"
#include "perf.h"

#define BURST_MAX 32768u
#define PKT_SIZE_MIN 16u /* a sequence number at each end of the payload */
#define PKT_SIZE_MAX 9000u /* a jumbo frame */
#define DURATION_MAX 3600.0
#define RTT_SAMPLES_MAX 100000000u
#define DEVICE_SLEEP_MAX 1000000000u

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PERF_PROG " [--device ARG] [--mode loopback|ring|echo] [--ring split|packed]\n"
		"                  [--burst N] [--pkt-size BYTES] [--qsize N] [--duration SECONDS]\n"
		"                  [--rtt-samples N] [--no-event-idx] [--driver-cpu N]\n"
		"                  [--device-cpu N] [--device-sleep N] [--peer IP] [--ip IP]\n"
		"                  [--json FILE] [--quiet]\n"
		"\n"
		"Measure the virtqueue datapath: the driver runs on one core, the device's\n"
		"thread on another. Two phases: throughput (keep the ring fed in\n"
		"bursts for --duration seconds) and ping-pong (one buffer at a time,\n"
		"--rtt-samples round trips). Interrupts are disabled (poll mode); with\n"
		"notification suppression both kicks and interrupts per packet stay near 0.\n"
		"By default the device polls for ever and never asks for a notification;\n"
		"with --device-sleep it sleeps when idle and must be kicked awake, so the\n"
		"kick figure shows how often the driver had to notify it.\n"
		"\n"
		"Modes:\n"
		"  loopback   virtio-net: packets sent on queue 1 come back on queue 0; every\n"
		"             received packet's sequence number and length are checked (a\n"
		"             lost, duplicated or corrupted packet ends the run with status 1).\n"
		"             On sim:net devsim's device thread sends them back; on\n"
		"             vhost:SOCKET the vhost-user backend does (dpdk-testpmd with\n"
		"             net_vhost and --forward-mode=io), with no more packets in flight\n"
		"             than the receive queue holds; no device thread, the device\n"
		"             options do not apply and device figures are n/a\n"
		"  ring       one queue (0), a device that uses each buffer at once: buffers\n"
		"             of one zero-length device-writable segment, the cost of the\n"
		"             ring protocol between two cores\n"
		"  echo       a real virtio-net device (uio:, mem:): --burst ARP requests\n"
		"             for --peer per round, each reply checked field by field (a\n"
		"             missing or wrong reply ends the run with status 1); packets\n"
		"             count answered round trips; the device thread options do\n"
		"             not apply\n"
		"\n"
		"Options:\n"
		"  --device ARG         the device (default sim:net). Loopback and ring modes:\n"
		"                       sim:net or sim:blk with options legacy, qsize=N,\n"
		"                       queues=N, refuse=FEATURE, pairs=N and mtu=N (net),\n"
		"                       backend= the mode's (loopback or sink), sleep=N\n"
		"                       (not used: --device-sleep sets the device thread's);\n"
		"                       loopback also vhost:SOCKET[,server][,wait=MS] (a\n"
		"                       vhost-user backend that sends every frame back);\n"
		"                       echo: uio:/dev/uioN, uio:NAME or mem:BASE[,size=N]\n"
		"  --mode MODE          loopback (default), ring or echo\n"
		"  --ring FORMAT        split (default) or packed; the device must offer\n"
		"                       VIRTIO_F_RING_PACKED for packed\n"
		"  --burst N            buffers per add/kick/reap round, 1..%u (default 32)\n"
		"  --pkt-size BYTES     payload per packet without the virtio-net header,\n"
		"                       %u..%u (default 64; loopback mode)\n"
		"  --qsize N            entries per queue, 1..32768, a power of 2 for split\n"
		"                       (default 256)\n"
		"  --duration SECONDS   length of the throughput phase, fractions allowed\n"
		"                       (default 2; 0 skips it)\n"
		"  --rtt-samples N      ping-pong round trips (default 20000; 0 skips them)\n"
		"  --no-event-idx       do not negotiate VIRTIO_F_EVENT_IDX\n"
		"  --driver-cpu N       pin the driver to CPU N (-1: do not pin)\n"
		"  --device-cpu N       pin the device thread to CPU N (-1: do not pin);\n"
		"                       defaults 0 and 1 on a machine with 2 or more CPUs\n"
		"  --device-sleep N     the device sleeps on a queue that gave nothing for N\n"
		"                       polls in a row: it asks for a notification and waits\n"
		"                       for one, as QEMU's devices do (default 0: it never\n"
		"                       sleeps, as a polling vhost backend does)\n"
		"  --peer IP            echo: the address asked about (default 10.0.2.2, QEMU's\n"
		"                       user-network gateway)\n"
		"  --ip IP              echo: this end's address (default 10.0.2.15)\n"
		"  --json FILE          also write the figures as JSON to FILE\n"
		"  --quiet              no progress line on stderr\n"
		"  --help               this text\n"
		"\n"
		"Figures: mpps and ns_per_pkt (throughput phase), rtt_ns p50/p99/p99.9/max\n"
		"(ping-pong, from adding the buffer to reaping it: on the receive queue in\n"
		"loopback mode), kicks_per_pkt (driver notifications / packets) and\n"
		"irqs_per_pkt (device notifications / packets), both over the whole run;\n"
		"device_sleeps (times the device went to sleep, with --device-sleep).\n"
		"\n"
		"Exit status: 0 done, 1 the run failed, 2 bad arguments.\n",
		BURST_MAX, PKT_SIZE_MIN, PKT_SIZE_MAX);
}

static int bad_value(const char *opt, const char *val, const char *expected)
{
	fprintf(stderr, "%s: %s \"%s\": expected %s\n", PERF_PROG, opt, val, expected);
	return 2;
}

/* An unsigned decimal in @min..@max; false if not. */
static bool parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	unsigned long v;
	char *end;

	/* digits only: strtoul() would take leading blanks and a sign */
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = (unsigned)v;
	return true;
}

/* A CPU number below @ncpu, or -1. */
static bool parse_cpu(const char *s, long ncpu, int *out)
{
	unsigned v;

	if (!strcmp(s, "-1")) {
		*out = -1;
		return true;
	}
	if (!parse_uint(s, 0, (unsigned)ncpu - 1, &v))
		return false;
	*out = (int)v;
	return true;
}

static void set_defaults(struct perf_opts *o, long ncpu)
{
	*o = (struct perf_opts){
		.device = "sim:net",
		.mode = PERF_MODE_LOOPBACK,
		.burst = 32,
		.pkt_size = 64,
		.qsize = 256,
		.duration = 2.0,
		.rtt_samples = 20000,
		.event_idx = true,
		.driver_cpu = ncpu >= 2 ? 0 : -1,
		.device_cpu = ncpu >= 2 ? 1 : -1,
		.peer_ip = 0x0a000202, /* 10.0.2.2 */
		.own_ip = 0x0a00020f, /* 10.0.2.15 */
	};
}

/* One option with its value; 0 or 2 (message printed). */
static int apply(struct perf_opts *o, int c, const char *opt, const char *val, long ncpu)
{
	char expected[64];
	char *end;

	switch (c) {
	case 'd':
		o->device = val;
		return 0;
	case 'm':
		if (!strcmp(val, "loopback"))
			o->mode = PERF_MODE_LOOPBACK;
		else if (!strcmp(val, "ring"))
			o->mode = PERF_MODE_RING;
		else if (!strcmp(val, "echo"))
			o->mode = PERF_MODE_ECHO;
		else
			return bad_value(opt, val, "loopback, ring or echo");
		return 0;
	case 'r':
		if (!strcmp(val, "split"))
			o->packed = false;
		else if (!strcmp(val, "packed"))
			o->packed = true;
		else
			return bad_value(opt, val, "split or packed");
		return 0;
	case 'b':
		snprintf(expected, sizeof(expected), "buffers 1..%u", BURST_MAX);
		return parse_uint(val, 1, BURST_MAX, &o->burst) ? 0 : bad_value(opt, val, expected);
	case 's':
		snprintf(expected, sizeof(expected), "bytes %u..%u", PKT_SIZE_MIN, PKT_SIZE_MAX);
		return parse_uint(val, PKT_SIZE_MIN, PKT_SIZE_MAX, &o->pkt_size) ?
			       0 :
			       bad_value(opt, val, expected);
	case 'q':
		return parse_uint(val, 1, VMMIO_QUEUE_SIZE_MAX, &o->qsize) ?
			       0 :
			       bad_value(opt, val, "entries 1..32768");
	case 't':
		errno = 0;
		o->duration = strtod(val, &end);
		if (errno || end == val || *end || !isfinite(o->duration) || o->duration < 0 ||
		    o->duration > DURATION_MAX)
			return bad_value(opt, val, "seconds 0..3600 (fractions allowed)");
		return 0;
	case 'n':
		snprintf(expected, sizeof(expected), "round trips 0..%u", RTT_SAMPLES_MAX);
		return parse_uint(val, 0, RTT_SAMPLES_MAX, &o->rtt_samples) ?
			       0 :
			       bad_value(opt, val, expected);
	case 'C':
	case 'D':
		snprintf(expected, sizeof(expected), "a CPU 0..%ld or -1 (not pinned)", ncpu - 1);
		return parse_cpu(val, ncpu, c == 'C' ? &o->driver_cpu : &o->device_cpu) ?
			       0 :
			       bad_value(opt, val, expected);
	case 'z':
		snprintf(expected, sizeof(expected), "polls 0..%u", DEVICE_SLEEP_MAX);
		return parse_uint(val, 0, DEVICE_SLEEP_MAX, &o->device_sleep) ?
			       0 :
			       bad_value(opt, val, expected);
	case 'j':
		o->json = val;
		return 0;
	case 'P':
	case 'I':
		return app_ipv4_parse(val, c == 'P' ? &o->peer_ip : &o->own_ip) ?
			       bad_value(opt, val, "an IPv4 address") :
			       0;
	}
	return 2;
}

/* Checks across options, once all are known. */
static int check(const struct perf_opts *o)
{
	if (!o->packed && (o->qsize & (o->qsize - 1))) {
		fprintf(stderr, "%s: --qsize %u: a split ring's size must be a power of 2\n",
			PERF_PROG, o->qsize);
		return 2;
	}
	if (o->burst > o->qsize) {
		fprintf(stderr, "%s: --burst %u: more than the queue holds (--qsize %u)\n",
			PERF_PROG, o->burst, o->qsize);
		return 2;
	}
	/* A vhost: device has no device thread here (the backend's process
	 * services the rings), so --device-cpu pins nothing. */
	if (o->driver_cpu >= 0 && o->driver_cpu == o->device_cpu &&
	    strncmp(o->device, "vhost:", 6) != 0)
		fprintf(stderr,
			"%s: warning: driver and device both pinned to CPU %d: they take turns, the figures measure the scheduler\n",
			PERF_PROG, o->driver_cpu);
	return 0;
}

int perf_parse_args(int argc, char **argv, struct perf_opts *o)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "mode", required_argument, NULL, 'm' },
		{ "ring", required_argument, NULL, 'r' },
		{ "burst", required_argument, NULL, 'b' },
		{ "pkt-size", required_argument, NULL, 's' },
		{ "qsize", required_argument, NULL, 'q' },
		{ "duration", required_argument, NULL, 't' },
		{ "rtt-samples", required_argument, NULL, 'n' },
		{ "no-event-idx", no_argument, NULL, 'E' },
		{ "driver-cpu", required_argument, NULL, 'C' },
		{ "device-cpu", required_argument, NULL, 'D' },
		{ "device-sleep", required_argument, NULL, 'z' },
		{ "json", required_argument, NULL, 'j' },
		{ "peer", required_argument, NULL, 'P' },
		{ "ip", required_argument, NULL, 'I' },
		{ "quiet", no_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char opt[32];
	int c, r, idx;

	if (ncpu < 1)
		ncpu = 1;
	set_defaults(o, ncpu);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, &idx)) != -1) {
		switch (c) {
		case 'E':
			o->event_idx = false;
			break;
		case 'Q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case ':':
			fprintf(stderr, "%s: %s needs an argument\n", PERF_PROG, argv[optind - 1]);
			return 2;
		case '?':
			fprintf(stderr, "%s: unknown option \"%s\" (see --help)\n", PERF_PROG,
				argv[optind - 1]);
			return 2;
		default:
			snprintf(opt, sizeof(opt), "--%s", longopts[idx].name);
			r = apply(o, c, opt, optarg, ncpu);
			if (r)
				return r;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument \"%s\"\n", PERF_PROG, argv[optind]);
		return 2;
	}
	return check(o);
}
