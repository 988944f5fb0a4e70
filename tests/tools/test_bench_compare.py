#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""TAP test of scripts/bench-compare against the fixtures next to this file.

usage: test_bench_compare.py PATH/TO/bench-compare
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from taplib import Tap  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures")


def fixture(name):
    return os.path.join(FIX, name)


def run(tool, *args):
    p = subprocess.run([sys.executable, tool, *args], capture_output=True, text=True,
                       timeout=30)
    return p.returncode, p.stdout, p.stderr


def row(out, metric):
    """The table row of @metric in bench-compare's output, or ""."""
    for line in out.splitlines():
        if line.split() and line.split()[0] == metric:
            return line
    return ""


def check(t, tool, what, args, rc, stdout_has=(), stderr_has=(), rows=()):
    """Run bench-compare with @args; expect exit status @rc, the strings in
    @stdout_has / @stderr_has, and (metric, verdict) pairs in @rows."""
    got, out, err = run(tool, *args)
    detail = f"exit {got}\nstdout:\n{out}\nstderr:\n{err}"
    t.ok(got == rc, f"{what}: exit status {rc}", detail)
    for s in stdout_has:
        t.ok(s in out, f"{what}: stdout says {s!r}", detail)
    for s in stderr_has:
        t.ok(s in err, f"{what}: stderr says {s!r}", detail)
    for metric, verdict in rows:
        r = row(out, metric)
        t.ok(r.endswith(verdict), f"{what}: {metric} is {verdict}", detail)


def variant(tmp, name, **changes):
    """perf_base.json with top-level figures changed, written to @tmp/@name."""
    with open(fixture("perf_base.json")) as f:
        d = json.load(f)
    d.update(changes)
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        json.dump(d, f)
    return path


def main():
    tool = sys.argv[1]
    t = Tap()
    base, gb = fixture("perf_base.json"), fixture("gb_base.json")

    check(t, tool, "equal runs", [base, base], 0,
          stdout_has=["no regression beyond 10%"],
          rows=[("mpps", "same"), ("ns_per_pkt", "same"), ("rtt_ns.p99", "same"),
                ("kicks_per_pkt", "same"), ("irqs_per_pkt", "same")])
    check(t, tool, "20% mpps drop", [base, fixture("perf_drop20.json")], 1,
          stdout_has=["REGRESSED beyond 10%", "0.800", "-20.0%"],
          rows=[("mpps", "REGRESSED"), ("ns_per_pkt", "REGRESSED"), ("rtt_ns.p50", "same")])
    check(t, tool, "20% drop under --threshold 25",
          [base, fixture("perf_drop20.json"), "--threshold", "25"], 0,
          rows=[("mpps", "worse")])
    check(t, tool, "improvement", [base, fixture("perf_better.json")], 0,
          rows=[("mpps", "better"), ("ns_per_pkt", "better"), ("rtt_ns.p999", "better")])
    check(t, tool, "the same run compared backwards",
          [fixture("perf_better.json"), base], 1, rows=[("mpps", "REGRESSED")])
    check(t, tool, "--metric selects", [base, fixture("perf_drop20.json"), "--metric",
                                        "rtt_ns.p99", "rtt_ns.max"], 0,
          rows=[("rtt_ns.p99", "same"), ("rtt_ns.max", "same")])
    _, out, _ = run(tool, base, fixture("perf_drop20.json"), "--metric", "rtt_ns.p99")
    t.ok(row(out, "mpps") == "", "--metric leaves the other metrics out", out)

    with tempfile.TemporaryDirectory() as tmp:
        small = variant(tmp, "kicks_small.json", kicks_per_pkt=0.0005)
        big = variant(tmp, "irqs_big.json", irqs_per_pkt=0.01)
        check(t, tool, "kicks 0 -> 0.0005 (absolute tolerance)", [base, small], 0,
              rows=[("kicks_per_pkt", "same")])
        check(t, tool, "irqs 0 -> 0.01", [base, big], 1,
              rows=[("irqs_per_pkt", "REGRESSED")])
        nulls = variant(tmp, "no_rtt.json", rtt_ns={"p50": None, "p99": None, "p999": None,
                                                     "max": None, "samples": 0})
        check(t, tool, "null figures are missing, not regressions", [base, nulls], 0,
              rows=[("rtt_ns.p50", "missing"), ("mpps", "same")])

    check(t, tool, "bad: missing file", [base, fixture("no_such_file.json")], 2,
          stderr_has=["no_such_file.json: cannot read"])
    check(t, tool, "bad: truncated JSON", [fixture("bad_truncated.json"), base], 2,
          stderr_has=["bad_truncated.json: not JSON"])
    check(t, tool, "bad: unknown shape", [base, fixture("bad_shape.json")], 2,
          stderr_has=["bad_shape.json: neither vmmio-perf JSON"])
    check(t, tool, "bad: a figure that is not a number", [base, fixture("bad_type.json")], 2,
          stderr_has=['bad_type.json: mpps is "fast", not a number'])
    check(t, tool, "bad: two kinds", [base, gb], 2,
          stderr_has=["is vmmio-perf JSON but", "is Google Benchmark JSON"])
    check(t, tool, "bad: unknown --metric", [base, base, "--metric", "speed"], 2,
          stderr_has=["--metric speed: unknown metric"])
    check(t, tool, "bad: negative --threshold", [base, base, "--threshold", "-5"], 2,
          stderr_has=["--threshold"])

    add = "BM_AddPublish/packed:0/event_idx:1/burst:32"
    reap = "BM_Reap/packed:1/event_idx:1/burst:32"
    check(t, tool, "GB: equal runs", [gb, gb], 0, stdout_has=[add, reap])
    check(t, tool, "GB: 25% slower", [gb, fixture("gb_slower.json")], 1,
          stdout_has=[f"REGRESSED beyond 10%: {add} real_time, {add} items_per_second"])
    check(t, tool, "GB: faster", [fixture("gb_slower.json"), gb], 0,
          stdout_has=["better"])
    check(t, tool, "GB: us and ns compare as time", [gb, fixture("gb_same_us.json"),
                                                      "--metric", "real_time", "cpu_time"],
          0, stdout_has=["no regression beyond 10% (4 metrics)"])
    check(t, tool, "GB: a user counter", [gb, gb, "--metric", "kicks_per_buf"], 0,
          stdout_has=[f"{add} kicks_per_buf"])

    got, out, _ = run(tool, "--help")
    t.ok(got == 0 and "exit status" in out and "REGRESSED" in out,
         "--help describes verdicts and exit status", out)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
