/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmmio-perf: throughput (Mpps, ns/packet) and round-trip latency of the
 * virtqueue datapath, with the notifications each way per packet, against
 * a device polled from another core. See --help, and perf.h for the parts.
 */
#include <stdlib.h>

#include "perf.h"

int main(int argc, char **argv)
{
	struct perf_opts o;
	struct perf_result r = { .irqs = -1, .device_sleeps = -1 };
	uint64_t irqs, sleeps;
	struct perf_ctx c;
	int rc = perf_parse_args(argc, argv, &o);

	if (rc)
		return rc == 1 ? 0 : 2;
	if (perf_setup(&c, &o))
		goto failed;
	if ((o.mode == PERF_MODE_RING ? perf_run_ring : perf_run_loopback)(&c, &r))
		goto failed;
	perf_device_stop(&c);
	r.kicks = perf_driver_kicks(&c);
	if (perf_device_counts(&c, &irqs, &sleeps)) {
		r.irqs = (int64_t)irqs;
		r.device_sleeps = (int64_t)sleeps;
	}
	perf_report_human(stdout, &c, &r);
	if (o.json && perf_report_json(o.json, &c, &r))
		goto failed;
	perf_teardown(&c);
	return 0;
failed:
	fflush(stdout);
	fprintf(stderr, "%s: %s\n", PERF_PROG, c.err);
	perf_teardown(&c);
	return 1;
}
