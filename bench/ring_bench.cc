// SPDX-License-Identifier: BSD-3-Clause
// Ring microbenchmarks: the driver's datapath operations on one virtqueue,
// split vs packed, with and without EVENT_IDX, per burst size. The device
// (devsim, SINK) runs synchronously in the same thread between the timed
// parts, so each family times one side only:
//
//   BM_AddPublish  add N buffers + publish (manual time: only this part)
//   BM_Reap        reap N used buffers     (manual time: only this part)
//   BM_Cycle       add + publish + device step + reap (all timed; includes
//                  devsim's own work, for the upper bound of one round)
//
// items_per_second counts buffers. A manual timing is two clock reads
// around the part; the cost of the reads themselves (measured once, the
// median of back-to-back pairs) is taken out, so at burst 1 the figures
// are accurate to a few ns only. Run with --benchmark_format=json for JSON
// that scripts/bench-compare reads.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <string>

#include "ring_shim.h"

namespace {

constexpr unsigned kQueueSize = 256;

using Clock = std::chrono::steady_clock;

// Seconds between two back-to-back clock reads: the median of many pairs.
double ClockOverhead()
{
	static const double overhead = [] {
		std::array<double, 1001> d;

		for (auto &x : d) {
			const auto t0 = Clock::now();
			const auto t1 = Clock::now();

			x = std::chrono::duration<double>(t1 - t0).count();
		}
		std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
		return d[d.size() / 2];
	}();
	return overhead;
}

// The time between @t0 and @t1, less the clock's own cost.
double Elapsed(Clock::time_point t0, Clock::time_point t1)
{
	return std::max(0.0, std::chrono::duration<double>(t1 - t0).count() - ClockOverhead());
}

// One queue in the format the arguments name; NULL (and the state skipped) on failure.
ring_bench *Open(benchmark::State &state)
{
	char err[256];
	const int packed = static_cast<int>(state.range(0));
	const int event_idx = static_cast<int>(state.range(1));
	ring_bench *b = ring_bench_open(packed, event_idx, kQueueSize, err, sizeof(err));

	if (!b)
		state.SkipWithError(err);
	state.SetLabel(std::string(packed ? "packed" : "split") +
		       (event_idx ? ", EVENT_IDX" : ", no EVENT_IDX"));
	return b;
}

unsigned Burst(const benchmark::State &state)
{
	return static_cast<unsigned>(state.range(2));
}

// The device uses the @n buffers just published; the driver takes them back.
bool DeviceAndReap(ring_bench *b, unsigned n)
{
	return ring_bench_device_step(b) == n && ring_bench_reap(b, n) == n;
}

void Finish(benchmark::State &state, ring_bench *b)
{
	const double bufs = static_cast<double>(state.iterations()) * Burst(state);

	state.SetItemsProcessed(static_cast<int64_t>(bufs));
	// A polling device never asks for a notification: this stays 0.
	state.counters["kicks_per_buf"] =
		bufs > 0 ? static_cast<double>(ring_bench_kicks(b)) / bufs : 0.0;
	ring_bench_close(b);
}

void BM_AddPublish(benchmark::State &state)
{
	ring_bench *b = Open(state);
	const unsigned n = Burst(state);

	if (!b)
		return;
	for (auto _ : state) {
		const auto t0 = Clock::now();
		const int added = ring_bench_add_publish(b, n);
		const auto t1 = Clock::now();

		if (added != static_cast<int>(n) || !DeviceAndReap(b, n)) {
			state.SkipWithError(ring_bench_error(b));
			break;
		}
		state.SetIterationTime(Elapsed(t0, t1));
	}
	Finish(state, b);
}

void BM_Reap(benchmark::State &state)
{
	ring_bench *b = Open(state);
	const unsigned n = Burst(state);

	if (!b)
		return;
	for (auto _ : state) {
		if (ring_bench_add_publish(b, n) != static_cast<int>(n) ||
		    ring_bench_device_step(b) != n) {
			state.SkipWithError(ring_bench_error(b));
			break;
		}
		const auto t0 = Clock::now();
		const unsigned got = ring_bench_reap(b, n);
		const auto t1 = Clock::now();

		if (got != n) {
			state.SkipWithError(ring_bench_error(b));
			break;
		}
		state.SetIterationTime(Elapsed(t0, t1));
	}
	Finish(state, b);
}

void BM_Cycle(benchmark::State &state)
{
	ring_bench *b = Open(state);
	const unsigned n = Burst(state);

	if (!b)
		return;
	for (auto _ : state) {
		if (ring_bench_add_publish(b, n) != static_cast<int>(n) || !DeviceAndReap(b, n)) {
			state.SkipWithError(ring_bench_error(b));
			break;
		}
	}
	Finish(state, b);
}

// packed 0/1 x event_idx 0/1 x burst 1/8/32/256.
void RingArgs(benchmark::internal::Benchmark *bm)
{
	bm->ArgNames({ "packed", "event_idx", "burst" })
		->ArgsProduct({ { 0, 1 }, { 0, 1 }, { 1, 8, 32, 256 } });
}

BENCHMARK(BM_AddPublish)->Apply(RingArgs)->UseManualTime();
BENCHMARK(BM_Reap)->Apply(RingArgs)->UseManualTime();
BENCHMARK(BM_Cycle)->Apply(RingArgs);

} // namespace

BENCHMARK_MAIN();
