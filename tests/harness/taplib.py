# SPDX-License-Identifier: BSD-3-Clause
"""A TAP producer for the tools suite's Python tests."""


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what, detail=""):
        self.n += 1
        if not cond:
            self.failed += 1
        print(f"{'ok' if cond else 'not ok'} {self.n} - {what}")
        if not cond and detail:
            for line in detail.splitlines():
                print(f"#   {line}")

    def done(self):
        print(f"1..{self.n}")
        return 1 if self.failed else 0
