#!/usr/bin/env python3
"""The fast path is inline in a PMD-like shared object.

usage: test_inline.py OBJDUMP OBJECT.so [FUNCTION...]

Disassembles the burst functions of tests/abi/pmd_like.c (built as its own
shared object with libvmmio.a, as net_virtio_mmio is), or the FUNCTIONs
named (net_virtio_mmio's own burst functions; a name with a leading '?' is
checked only when the compiler kept it out of line), and fails when one of
them calls or jumps to a function of the library's burst path: add,
publish, kick, reap, has_used or an engine helper (vmmio_vq_split_*,
vmmio_vq_packed_*), or to a local copy the compiler split off one of them
(name.part.N, .isra, .constprop). Calls that may remain: QueueNotify
(vmmio_vq_notify, a register write) and the cold reports of a lying device
(vmmio_vq_pvt_*, vmmio_vq_split_pvt_*, vmmio_vq_packed_pvt_*), plus the
sanitizer runtime in a sanitizer build.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from taplib import Tap  # noqa: E402

FUNCS = ["pmdlike_tx_burst", "pmdlike_rx_burst", "pmdlike_rx_refill"]
# call/jmp <target>: a direct branch to a named symbol
BRANCH = re.compile(r"\b(call|jmp)\w*\s+[0-9a-f]+ <([^>+]+)(\+0x[0-9a-f]+)?>")
FORBIDDEN = re.compile(r"^vmmio_vq_(add|publish|kick|reap|has_used|room|outstanding|"
                       r"notify_value|check_buf|ind_|seg_flags|split_|packed_)")
ALLOWED = re.compile(r"^(vmmio_vq_notify|vmmio_vq_pvt_|vmmio_vq_split_pvt_|"
                     r"vmmio_vq_packed_pvt_|__asan|__ubsan|__sanitizer)")


def functions(objdump, path):
    """{name: [instruction lines]} for every symbol in .text."""
    out = subprocess.run([objdump, "-d", "--no-show-raw-insn", path], check=True,
                         capture_output=True, text=True).stdout
    funcs, cur = {}, None
    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <([^>]+)>:$", line)
        if m:
            cur = m.group(1)
            funcs[cur] = []
        elif cur and line.strip():
            funcs[cur].append(line)
    return funcs


def main(objdump, path, names):
    t = Tap()
    funcs = functions(objdump, path)
    for f in names or FUNCS:
        if f.startswith("?"):
            f = f[1:]
            if f not in funcs:
                print(f"# {f}: inlined into its callers")
                continue
        # the function and the parts gcc split off it (f.cold)
        body = [line for name, lines in funcs.items()
                if name == f or name.startswith(f + ".") for line in lines]
        t.ok(bool(body), f"{f} is in {path}")
        targets = sorted({m.group(2) for line in body
                          for m in [BRANCH.search(line)] if m})
        own = {f} | {n for n in funcs if n.startswith(f + ".")}
        bad = [x for x in targets if x not in own and
               (FORBIDDEN.match(x) or
                (x.startswith("vmmio_") and re.search(r"\.(part|isra|constprop)\.", x))) and
               not ALLOWED.match(x)]
        t.ok(not bad, f"{f}: no call to the library's burst path",
             f"branches to: {', '.join(bad)}")
        print(f"# {f}: {len(body)} instructions, branches to {', '.join(targets) or 'nothing'}")
    return t.done()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
