#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""TAP test of vmmio-perf's loopback mode on the vhost bus, against DPDK's
vhost library in Debian's dpdk-testpmd.

The backend is one dpdk-testpmd (`-i`, commands written to its stdin) with
a net_vhost0 port listening on a socket in a private temporary directory,
io-forwarding: every frame it takes from the driver's transmitq1 it puts
back on the same port, i.e. on the driver's receiveq1. vmmio-perf then runs
`--device vhost:SOCK --mode loopback` for about a second per ring format
(split, packed), and checks each received frame itself: its length, the
sequence number at the start of the payload and its complement at the end
(a lost, duplicated, reordered, truncated or corrupted frame, or a ring the
backend broke, ends the run with exit status 1 and the reason on stderr).

Asserted per run: exit 0, no vhost error on stderr, the JSON's mode, ring
format (RING_PACKED negotiated or not), frames both ways (throughput phase
and ping-pong), device-side figures absent (null). Over both runs, testpmd's
own counters: every frame it received it sent back (RX-packets ==
TX-packets == the frames vmmio-perf sent and received, nothing dropped,
no error, 64 bytes each). And two refusals: ring mode on a vhost: device,
and loopback against a socket nobody listens at.

testpmd runs on CPU 0 (main and forwarding lcores), vmmio-perf's driver on
CPU 1. testpmd is killed at the end whatever happened (also when the test
is interrupted: a signal handler, and PR_SET_PDEATHSIG in the child).

usage: test_vhost_perf.py PATH/TO/vmmio-perf
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from taplib import Tap  # noqa: E402
import testpmd as tpmd  # noqa: E402
from testpmd import TESTPMD, Timeout, fwd_stats, kill_live, port_stats  # noqa: E402

START_S = 60.0  # testpmd's start-up (EAL, the port) and each command, generous under load
PERF_S = 120.0  # one vmmio-perf run (1 s of traffic plus the ping-pong; ASan, load)
LIFE_S = 600.0  # the backend's deadline: start-up, the runs, the exit
PKT = 64  # vmmio-perf's default payload; testpmd counts frames without the virtio-net header


def backend(sock):
    """dpdk-testpmd with a net_vhost port at @sock, io forwarding, on CPU 0."""
    return tpmd.Testpmd(["--lcores", "0@0,1@0", "--no-huge", "-m", "256", "--no-pci",
                         "--no-telemetry", "--vdev", f"net_vhost0,iface={sock},queues=1"],
                        ["--forward-mode=io", "--total-num-mbufs=4096"],
                        f"vmmio-vhost-perf-{os.getpid()}", LIFE_S)


def perf_run(perf, args, timeout=PERF_S):
    try:
        p = subprocess.run([perf, *args], capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        return None, str(e.stdout or ""), f"killed after {timeout:g} s: {e.stderr or ''}"


def loopback(t, perf, sock, d, ring, cpu):
    """One vmmio-perf loopback run; the frames it moved (0 when it failed)."""
    what = f"vmmio-perf loopback, {ring} ring, through testpmd"
    path = os.path.join(d, f"{ring}.json")
    args = ["--device", f"vhost:{sock}", "--mode", "loopback", "--ring", ring,
            "--duration", "1", "--rtt-samples", "2000", "--driver-cpu", str(cpu),
            "--quiet", "--json", path]
    rc, out, err = perf_run(perf, args)
    diag = f"$ {perf} {' '.join(args)}\nexit {rc}\n{out}\n{err}"
    t.ok(rc == 0, f"{what}: exit 0 (every frame came back in order, intact, ring not broken)",
         diag)
    t.ok("vmmio: vhost:" not in err and "error" not in err.lower(),
         f"{what}: no vhost error on stderr", diag)
    if rc != 0:
        return 0
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        t.ok(False, f"{what}: the JSON reads", f"{e}\n{diag}")
        return 0
    cfg = doc.get("config", {})
    packed = "VIRTIO_F_RING_PACKED" in cfg.get("features", [])
    t.ok(cfg.get("mode") == "loopback" and cfg.get("ring") == ring and packed == (ring == "packed")
         and cfg.get("device") == f"vhost:{sock}",
         f"{what}: JSON names the device, mode and ring; RING_PACKED negotiated as asked",
         json.dumps(cfg))
    tot = doc.get("totals", {})
    t.ok(doc.get("packets", 0) > 0 and tot.get("packets", 0) > doc["packets"]
         and doc.get("rtt_ns", {}).get("samples") == 2000,
         f"{what}: frames went out and came back (throughput phase and 2000 round trips)",
         json.dumps(doc))
    t.ok(tot.get("irqs", 0) is None and tot.get("device_sleeps", 0) is None
         and cfg.get("cpus", {}).get("device") == -1 and "device n/a" in out,
         f"{what}: device-side figures n/a (null), no device CPU", f"{json.dumps(doc)}\n{out}")
    return tot.get("packets", 0)


def main(argv):
    perf = argv[1]
    t = Tap()
    if not os.access(TESTPMD, os.X_OK):
        print(f"1..0 # SKIP {TESTPMD} is not installed (scripts/setup-deps.sh installs it)")
        return 0
    signal.signal(signal.SIGTERM, kill_live)
    signal.signal(signal.SIGINT, kill_live)
    cpu = 1 if (os.cpu_count() or 1) >= 2 else -1
    d = tempfile.mkdtemp(prefix="vmmio-vhost-perf-")
    sock = os.path.join(d, "vhost.sock")
    be = None
    try:
        # Refusals first: they need no backend.
        rc, _, err = perf_run(perf, ["--device", f"vhost:{sock},wait=200", "--quiet"], 60)
        t.ok(rc == 1 and "cannot connect to the vhost-user backend" in err and sock in err,
             "loopback against a socket nobody listens at: exit 1, says so", f"exit {rc}\n{err}")

        be = backend(sock)
        try:
            be.prompt("start-up", START_S)
            started = be.cmd("start", START_S)
            ok = "io packet forwarding" in started
        except Timeout as e:
            ok, started = False, str(e)
        t.ok(ok, "testpmd with net_vhost0 starts io forwarding",
             f"$ {be.command_line()}\n{started}\n{be.text}")
        if not ok:
            return t.done()

        rc, _, err = perf_run(perf, ["--device", f"vhost:{sock}", "--mode", "ring", "--quiet"],
                              60)
        t.ok(rc == 1 and "ring mode needs a sim device" in err and "vhost-user backend" in err,
             "ring mode on a vhost: device is refused (exit 1), pointing to loopback",
             f"exit {rc}\n{err}")

        frames = sum(loopback(t, perf, sock, d, ring, cpu) for ring in ("split", "packed"))

        try:
            fwd = fwd_stats(be.cmd("stop", START_S))
            st = port_stats(be.cmd("show port stats 0", START_S))
        except Timeout as e:
            fwd = st = None
            t.ok(False, "testpmd answers stop and show port stats", f"{e}\n{be.text}")
        t.ok(st is not None and st["rx"] == st["tx"] == frames > 0,
             "testpmd sent back every frame it received: RX-packets == TX-packets == "
             "vmmio-perf's frames", f"port {st}, vmmio-perf {frames}\n{be.text[-3000:]}")
        t.ok(st is not None and st["rx_bytes"] == st["tx_bytes"] == PKT * st["rx"],
             f"testpmd: RX-bytes == TX-bytes == {PKT} per frame", f"{st}")
        t.ok(st is not None and st["rx_errors"] == st["tx_errors"] == st["rx_missed"]
             == st["rx_nombuf"] == 0, "testpmd: no error, miss or lack of mbufs", f"{st}")
        t.ok(fwd is not None and fwd["rx_dropped"] == fwd["tx_dropped"] == 0
             and fwd["rx"] == fwd["tx"] == frames,
             "testpmd's forwarding dropped nothing", f"{fwd}")
    finally:
        if be is not None:
            be.quit(grace_s=5.0)
            t.ok(be.p.returncode is not None, "testpmd is gone at the end",
                 f"status {be.p.returncode}")
        kill_live()
        shutil.rmtree(d, ignore_errors=True)
    return t.done()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
