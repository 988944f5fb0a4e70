/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The timed throughput phase: when it ends, the progress line once a
 * second, and the watchdog that turns a device which stopped moving into
 * an error instead of a hang.
 */
#include "perf.h"

#define NS_PER_S 1000000000ull
/* A progress line only for phases this long: a shorter one is over
 * before the first line would say anything. */
#define PROGRESS_MIN_S 2.0
/* Clock reads in a spin wait: one every this many calls. */
#define SPIN_CHECK_MASK 4095u

void perf_phase_start(struct perf_phase *ph, double seconds, bool progress)
{
	ph->start = perf_now_ns();
	ph->now = ph->start;
	ph->deadline = ph->start + (uint64_t)(seconds * (double)NS_PER_S);
	ph->next_report = progress && seconds >= PROGRESS_MIN_S ? ph->start + NS_PER_S : 0;
	ph->last_packets = 0;
	ph->last_move = ph->start;
}

enum perf_tick perf_phase_tick(struct perf_phase *ph, uint64_t packets)
{
	const uint64_t now = perf_now_ns();

	ph->now = now;
	if (packets != ph->last_packets) {
		ph->last_packets = packets;
		ph->last_move = now;
	} else if (now - ph->last_move > PERF_STALL_NS) {
		return PERF_TICK_STALLED;
	}
	if (ph->next_report && now >= ph->next_report) {
		const double s = (double)(now - ph->start) / (double)NS_PER_S;

		fprintf(stderr, "%s: %5.1f s  %12llu packets  %8.3f Mpps\n", PERF_PROG, s,
			(unsigned long long)packets, (double)packets / s / 1e6);
		ph->next_report += NS_PER_S;
	}
	return now >= ph->deadline ? PERF_TICK_DONE : PERF_TICK_GO;
}

bool perf_spin_expired(uint64_t since, unsigned *spins)
{
	if ((++*spins & SPIN_CHECK_MASK) != 0)
		return false;
	return perf_now_ns() - since > PERF_STALL_NS;
}
