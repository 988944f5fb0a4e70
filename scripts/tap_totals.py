#!/usr/bin/env python3
"""Total the TAP results of meson test runs.

Reads <builddir>/meson-logs/testlog.json of each build named on the command
line, counts every "ok"/"not ok" line a test printed (a test that failed
without printing a failing line counts as one failure, a build without a log
as one failure), prints a per-suite table, then alone on the last line the
plain totals "N passed, N failed". Exit status 1 when anything failed.
"""
import json
import re
import sys
from collections import defaultdict

TAP = re.compile(r"^(not ok|ok)\b")


def main(builds):
    per_suite = defaultdict(lambda: [0, 0])
    passed = failed = 0
    for build in builds:
        try:
            with open(f"{build}/meson-logs/testlog.json") as f:
                lines = [json.loads(line) for line in f if line.strip()]
        except OSError:
            print(f"{build}: no test log (the build failed)")
            failed += 1
            continue
        for t in lines:
            ok = bad = 0
            for line in (t.get("stdout") or "").splitlines():
                m = TAP.match(line)
                if m:
                    if m.group(1) == "ok":
                        ok += 1
                    else:
                        bad += 1
            passed_run = t.get("result") in ("OK", "EXPECTEDFAIL", "SKIP")
            if not passed_run and bad == 0:
                bad = 1
            elif passed_run and ok == 0 and bad == 0:
                ok = 1  # an exit-code test, e.g. a libFuzzer run
            # meson names a test "<project>:<suite> / <test>".
            suite = t.get("name", "-").split(" / ")[0].split(":")[-1]
            key = f"{build}/{suite}"
            per_suite[key][0] += ok
            per_suite[key][1] += bad
            passed += ok
            failed += bad
    for key in sorted(per_suite):
        ok, bad = per_suite[key]
        print(f"  {key:32s} {ok:5d} passed {bad:5d} failed")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
