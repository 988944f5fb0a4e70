// SPDX-License-Identifier: BSD-3-Clause
// Control-plane microbenchmarks: the cost of libvmmio's slow path against
// devsim (register accesses are direct calls, so this is the driver's own
// work plus the model's). Run with --benchmark_format=json for JSON output.
#include <benchmark/benchmark.h>

#include "control_shim.h"

namespace {

void BM_Init(benchmark::State &state)
{
	ctl_bench *b = ctl_bench_open(static_cast<int>(state.range(0)));
	if (!b) {
		state.SkipWithError("devsim device could not be opened");
		return;
	}
	for (auto _ : state) {
		if (ctl_bench_init(b)) {
			state.SkipWithError("vmmio_init failed");
			break;
		}
	}
	state.counters["reg_accesses"] = static_cast<double>(ctl_bench_accesses(b));
	state.SetLabel(state.range(0) ? "legacy" : "modern");
	ctl_bench_close(b);
}
BENCHMARK(BM_Init)->Arg(0)->Arg(1);

void BM_NetConfigSnapshot(benchmark::State &state)
{
	ctl_bench *b = ctl_bench_open(static_cast<int>(state.range(0)));
	if (!b || ctl_bench_init(b)) {
		state.SkipWithError("device set-up failed");
		ctl_bench_close(b);
		return;
	}
	for (auto _ : state) {
		if (ctl_bench_read_net_config(b)) {
			state.SkipWithError("config read failed");
			break;
		}
	}
	state.counters["reg_accesses"] = static_cast<double>(ctl_bench_accesses(b));
	state.SetLabel(state.range(0) ? "legacy" : "modern");
	ctl_bench_close(b);
}
BENCHMARK(BM_NetConfigSnapshot)->Arg(0)->Arg(1);

void BM_IrqHandle(benchmark::State &state)
{
	ctl_bench *b = ctl_bench_open(0);
	if (!b || ctl_bench_init(b)) {
		state.SkipWithError("device set-up failed");
		ctl_bench_close(b);
		return;
	}
	for (auto _ : state) {
		if (ctl_bench_irq(b)) {
			state.SkipWithError("interrupt not handled");
			break;
		}
	}
	state.counters["reg_accesses"] = static_cast<double>(ctl_bench_accesses(b));
	ctl_bench_close(b);
}
BENCHMARK(BM_IrqHandle);

} // namespace

BENCHMARK_MAIN();
