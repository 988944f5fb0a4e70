/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmmio-perf: throughput (Mpps, ns/packet) and round-trip latency of the
 * virtqueue datapath, with the notifications each way per packet, against
 * a device on another core. See --help, and perf.h for the parts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "perf.h"

int main(int argc, char **argv)
{
	struct perf_opts o;
	struct perf_result r = { .irqs = -1, .device_sleeps = -1 };
	uint64_t irqs, sleeps;
	struct perf_ctx c;
	FILE *json = NULL;
	int rc = perf_parse_args(argc, argv, &o);

	if (rc)
		return rc == 1 ? 0 : 2;
	/* Before the run: a file that cannot be written is a bad argument,
	 * better said now than after minutes of measuring. */
	if (o.json && !(json = fopen(o.json, "w"))) {
		fprintf(stderr, "%s: --json %s: cannot write: %s\n", PERF_PROG, o.json,
			strerror(errno));
		return 2;
	}
	if (perf_setup(&c, &o))
		goto failed;
	switch (o.mode) {
	case PERF_MODE_RING:
		rc = perf_run_ring(&c, &r);
		break;
	case PERF_MODE_ECHO:
		rc = perf_run_echo(&c, &r);
		break;
	default:
		rc = perf_run_loopback(&c, &r);
	}
	if (rc)
		goto failed;
	perf_device_stop(&c);
	r.kicks = perf_driver_kicks(&c);
	if (perf_device_counts(&c, &irqs, &sleeps)) {
		r.irqs = (int64_t)irqs;
		r.device_sleeps = (int64_t)sleeps;
	}
	perf_report_human(stdout, &c, &r);
	if (json) {
		rc = perf_report_json(json, o.json, &c, &r);
		json = NULL; /* closed */
		if (rc)
			goto failed;
	}
	perf_teardown(&c);
	return 0;
failed:
	fflush(stdout);
	fprintf(stderr, "%s: %s\n", PERF_PROG, c.err);
	perf_teardown(&c);
	/* No half-written or empty figures left behind. */
	if (json)
		fclose(json);
	if (o.json)
		unlink(o.json);
	return 1;
}
