#!/usr/bin/env python3
"""libvmmio's symbols: one prefix each, nothing else exported.

usage: test_symbols.py NM libvmmio.so libvmmio.a libdevsim.a

- libvmmio.so exports only vmmio_ names (nm -D --defined-only), and among
  them the API of every layer (so a build that hid everything fails too);
  devsim, bundled for the sim bus, exports nothing.
- The static archives, linked whole into an application next to DPDK's
  drivers, define no global without the project's prefixes: vmmio_ (and
  devsim_ for the model bundled into libvmmio.a), devsim_ in libdevsim.a.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from taplib import Tap  # noqa: E402

# One function of each layer's public header that must be exported.
API = ["vmmio_probe", "vmmio_init", "vmmio_irq_handle", "vmmio_cfg_read", "vmmio_vq_create",
       "vmmio_vq_reclaim", "vmmio_vq_notify", "vmmio_vq_pvt_break", "vmmio_heap_allocator",
       "vmmio_dma_alloc", "vmmio_bus_open", "vmmio_devarg_parse", "vmmio_feature_name",
       "vmmio_net_config_read"]


def defined(nm, args, path):
    """Names of the defined symbols nm lists (the version node excluded)."""
    out = subprocess.run([nm, *args, path], check=True, capture_output=True, text=True).stdout
    names = []
    for line in out.splitlines():
        parts = line.split()
        # "addr type name"; archives also print "member.o:" headers
        if len(parts) == 3 and parts[1] != "A":
            names.append(parts[2].split("@")[0])
    return names


def main(nm, so, lib_a, devsim_a):
    t = Tap()
    exported = defined(nm, ["-D", "--defined-only"], so)
    bad = [n for n in exported if not n.startswith("vmmio_")]
    t.ok(exported and not bad, f"{os.path.basename(so)} exports only vmmio_ names",
         "\n".join(bad))
    missing = [n for n in API if n not in exported]
    t.ok(not missing, f"{os.path.basename(so)} exports the API of every layer",
         "missing: " + ", ".join(missing))
    print(f"# {len(exported)} symbols exported")
    for path, prefixes in ((lib_a, ("vmmio_", "devsim_")), (devsim_a, ("devsim_",))):
        names = defined(nm, ["-g", "--defined-only"], path)
        bad = sorted({n for n in names if not n.startswith(prefixes)})
        t.ok(names and not bad,
             f"{os.path.basename(path)}: every global starts with {' or '.join(prefixes)}",
             "\n".join(bad))
    return t.done()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
