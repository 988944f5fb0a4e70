/* SPDX-License-Identifier: BSD-3-Clause */
/* Round-trip percentiles of the ping-pong phase. */
#include <stdlib.h>

#include "perf.h"

static int cmp_u64(const void *a, const void *b)
{
	const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest rank: the smallest sample with at least @permille of the
 * samples at or below it. */
static uint64_t rank(const uint64_t *sorted, unsigned n, unsigned permille)
{
	unsigned long long k = ((unsigned long long)n * permille + 999u) / 1000u;

	return sorted[k ? k - 1 : 0];
}

void perf_rtt_summarise(uint64_t *samples, unsigned n, struct perf_rtt *out)
{
	*out = (struct perf_rtt){ .samples = n };
	if (!n)
		return;
	qsort(samples, n, sizeof(*samples), cmp_u64);
	out->p50 = rank(samples, n, 500);
	out->p99 = rank(samples, n, 990);
	out->p999 = rank(samples, n, 999);
	out->max = samples[n - 1];
}
