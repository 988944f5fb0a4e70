#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""TAP test of apps/vmmio-perf: short runs of each mode on devsim, their
JSON (every documented field, figures that hang together, the counts a
polling run must have), and the command line's refusals.

No timing is asserted: the figures of a loaded machine are whatever they
are. What is asserted is what does not depend on speed: a polling device
asks for no notification (kicks only in the start-up window, at most one
per publish that can come before the device thread first polls, see
startup_kicks(); no interrupt), a sleeping device is woken by kicks, and
the percentiles are ordered.

usage: test_vmmio_perf.py PATH/TO/vmmio-perf
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from taplib import Tap  # noqa: E402

SHORT = ["--duration", "0.2", "--rtt-samples", "2000", "--quiet"]


def run(perf, *args, timeout=120):
    p = subprocess.run([perf, *args], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def get(doc, dotted):
    for k in dotted.split("."):
        if not isinstance(doc, dict) or k not in doc:
            return KeyError
        doc = doc[k]
    return doc


FIELDS = ["tool", "version", "config.device", "config.mode", "config.ring", "config.burst",
          "config.pkt_size", "config.qsize", "config.event_idx", "config.device_sleep",
          "config.features", "config.cpus.driver", "config.cpus.device", "packets", "seconds",
          "mpps", "ns_per_pkt", "rtt_ns.p50", "rtt_ns.p99", "rtt_ns.p999", "rtt_ns.max",
          "rtt_ns.samples", "kicks_per_pkt", "irqs_per_pkt", "totals.packets", "totals.kicks",
          "totals.irqs", "totals.device_sleeps"]


def measured(t, perf, what, args, check):
    """Run vmmio-perf with @args and --json; check exit 0, every field, the
    figures' coherence, then @check(doc) -> [(cond, what)]."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "out.json")
        rc, out, err = run(perf, *args, *SHORT, "--json", path)
        t.ok(rc == 0, f"{what}: exit 0", f"exit {rc}\n{out}\n{err}")
        if rc:
            return
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            t.ok(False, f"{what}: JSON", str(e))
            return
    missing = [k for k in FIELDS if get(doc, k) is KeyError]
    t.ok(not missing, f"{what}: every field in the JSON", f"missing: {missing}")
    if missing:
        return
    rtt = doc["rtt_ns"]
    t.ok(doc["tool"] == "vmmio-perf" and doc["packets"] > 0 and doc["mpps"] > 0
         and abs(doc["ns_per_pkt"] * doc["mpps"] - 1000) < 1,
         f"{what}: throughput figures hang together", json.dumps(doc))
    t.ok(rtt["samples"] == 2000 and 0 < rtt["p50"] <= rtt["p99"] <= rtt["p999"] <= rtt["max"],
         f"{what}: 2000 round trips, ordered percentiles", json.dumps(rtt))
    tot = doc["totals"]
    t.ok(tot["packets"] >= doc["packets"] + 2000
         and abs(doc["kicks_per_pkt"] - tot["kicks"] / tot["packets"]) < 1e-9,
         f"{what}: per-packet counts are the totals over every packet", json.dumps(tot))
    t.ok("throughput" in out and "round trip" in out and "kicks" in out,
         f"{what}: the human summary", out)
    for cond, desc in check(doc):
        t.ok(cond, f"{what}: {desc}", json.dumps(doc))


def startup_kicks(cfg):
    """The most kicks a correct driver sends a polling device in a run.

    vmmio-perf starts the device thread after DRIVER_OK, and the thread
    writes its suppression state (packed DISABLE, split NO_NOTIFY or a
    parked avail_event) only at its first catch-up. Until then the ring
    memory reads as the driver zeroed it: packed ENABLE, split flags 0
    (avail_event 0 with EVENT_IDX), so every publish before that moment
    may ask for a notification, one each. The thread uses no buffer before
    that catch-up, and a publish that comes after the driver saw a used
    entry reads the new state (the device wrote it before any used entry).
    So the publishes that can kick are those that need no used entry:
      - the transmit queue (the one queue in ring mode): it is filled
        burst by burst until it holds qsize buffers, ceil(qsize / burst)
        publishes;
      - loopback's receive queue: filled once, one publish of qsize
        buffers; a refill needs a packet back, i.e. a used entry.
    Packed burst 1: 256 + 1 = 257, reached whenever the device thread is
    scheduled after the driver filled the transmit ring.
    """
    n = -(-cfg["qsize"] // cfg["burst"])
    return n + 1 if cfg["mode"] == "loopback" else n


def polling(doc):
    tot = doc["totals"]
    bound = startup_kicks(doc["config"])
    return [(tot["irqs"] == 0, "no interrupt in poll mode"),
            (tot["kicks"] <= bound, "a polling device is not kicked (at most the start-up ring)"),
            (tot["device_sleeps"] == 0, "the device never slept")]


def sleeping(doc):
    tot = doc["totals"]
    return [(doc["config"]["device_sleep"] == 1, "device_sleep in the configuration"),
            (tot["device_sleeps"] > 0, "the device slept"),
            (tot["kicks"] > 0, "the driver kicked it awake"),
            (tot["irqs"] == 0, "no interrupt in poll mode")]


def refused(t, perf, what, args, needle):
    rc, out, err = run(perf, *args, timeout=30)
    t.ok(rc == 2 and needle in err, f"refused: {what} (exit 2, says {needle!r})",
         f"exit {rc}\nstderr: {err}")


def main(argv):
    perf = argv[1]
    t = Tap()
    measured(t, perf, "loopback split burst 32", ["--ring", "split", "--burst", "32"], polling)
    measured(t, perf, "loopback packed burst 1", ["--ring", "packed", "--burst", "1"], polling)
    measured(t, perf, "ring mode packed", ["--mode", "ring", "--ring", "packed"], polling)
    measured(t, perf, "legacy device, no EVENT_IDX",
             ["--device", "sim:net,legacy", "--no-event-idx"], polling)
    measured(t, perf, "a device that sleeps when idle",
             ["--ring", "split", "--burst", "1", "--device-sleep", "1"], sleeping)

    rc, out, _ = run(perf, "--help", timeout=30)
    t.ok(rc == 0 and "usage: vmmio-perf" in out and "--device-sleep" in out, "--help", out)
    refused(t, perf, "burst 0", ["--burst", "0"], "--burst")
    refused(t, perf, "a ring format", ["--ring", "ring"], "split or packed")
    refused(t, perf, "a split ring of 100", ["--qsize", "100"], "power of 2")
    refused(t, perf, "a burst above the queue", ["--qsize", "8", "--burst", "9"], "--burst 9")
    refused(t, perf, "a negative sleep", ["--device-sleep", "-1"], "--device-sleep")
    refused(t, perf, "a padded number", ["--burst", " 5"], "--burst")
    refused(t, perf, "an unknown option", ["--fast"], "unknown option")
    refused(t, perf, "an unknown mode", ["--mode", "ping"], "loopback, ring or echo")
    refused(t, perf, "a peer that is no address", ["--mode", "echo", "--peer", "10.0.2"],
            "an IPv4 address")
    # Each mode needs its kind of device: echo a network peer (a real
    # device), loopback and ring devsim's device thread.
    rc, _, err = run(perf, "--mode", "echo", *SHORT, timeout=30)
    t.ok(rc == 1 and "no network peer" in err and "uio:" in err,
         "echo mode refuses a simulated device (exit 1, names uio:)", err)
    rc, _, err = run(perf, "--device", "uio:/dev/uio999", *SHORT, timeout=30)
    t.ok(rc == 1 and "--device \"uio:/dev/uio999\"" in err,
         "loopback mode on a real device's argument fails naming it (exit 1)", err)
    refused(t, perf, "a JSON file that cannot be written",
            ["--json", "/nonexistent-dir/x.json"], "cannot write")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "out.json")
        rc, _, err = run(perf, "--device", "sim:net,legacy", "--ring", "packed", *SHORT,
                         "--json", path)
        t.ok(rc == 1 and "RING_PACKED" in err, "a legacy device has no packed ring (exit 1)",
             err)
        t.ok(not os.path.exists(path), "a failed run leaves no JSON file behind")
    return t.done()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
