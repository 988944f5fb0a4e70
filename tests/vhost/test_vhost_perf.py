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
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from taplib import Tap  # noqa: E402

TESTPMD = os.environ.get("VMMIO_TESTPMD", "/usr/bin/dpdk-testpmd")
PROMPT = b"testpmd> "
START_S = 60.0  # testpmd's start-up (EAL, the port) and each command, generous under load
PERF_S = 120.0  # one vmmio-perf run (1 s of traffic plus the ping-pong; ASan, load)
PKT = 64  # vmmio-perf's default payload; testpmd counts frames without the virtio-net header

live = []


def set_pdeathsig():
    """In the child before exec: die with the test."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 -- best effort; the handlers also kill
        pass


def runtime_dir(prefix):
    """Where EAL puts the files of --file-prefix @prefix."""
    base = "/var/run" if os.geteuid() == 0 else os.environ.get("XDG_RUNTIME_DIR", "/tmp")
    return os.path.join(base, "dpdk", prefix)


class Backend:
    """dpdk-testpmd with a net_vhost port at @sock, io forwarding, driven
    prompt by prompt."""

    def __init__(self, sock):
        self.prefix = f"vmmio-vhost-perf-{os.getpid()}"
        self.buf = b""
        self.mark = 0
        self.argv = ["stdbuf", "-oL", TESTPMD, "--lcores", "0@0,1@0", "--no-huge", "-m", "256",
                     "--no-pci", f"--file-prefix={self.prefix}", "--no-telemetry",
                     "--vdev", f"net_vhost0,iface={sock},queues=1",
                     "--", "-i", "--forward-mode=io", "--total-num-mbufs=4096"]
        self.p = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, cwd="/", preexec_fn=set_pdeathsig)
        live.append(self.p)
        os.set_blocking(self.p.stdout.fileno(), False)

    @property
    def text(self):
        return self.buf.decode("utf-8", "replace")

    def prompt(self, what, timeout=START_S):
        """The output up to the next prompt."""
        until = time.monotonic() + timeout
        while True:
            i = self.buf.find(PROMPT, self.mark)
            if i >= 0:
                out = self.buf[self.mark:i].decode("utf-8", "replace")
                self.mark = i + len(PROMPT)
                return out
            left = until - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"testpmd: no prompt after {what} within {timeout:g} s")
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if r:
                chunk = os.read(self.p.stdout.fileno(), 65536)
                if not chunk:
                    raise RuntimeError(f"testpmd exited (status {self.p.wait()}) after {what}")
                self.buf += chunk

    def cmd(self, line):
        self.p.stdin.write((line + "\n").encode())
        self.p.stdin.flush()
        return self.prompt(f"'{line}'")

    def kill(self):
        """quit, and kill it if it does not go within a few seconds."""
        if self.p.poll() is None:
            try:
                self.p.stdin.write(b"quit\n")
                self.p.stdin.close()
            except (BrokenPipeError, ValueError, OSError):
                pass
            try:
                self.p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        try:
            while True:
                chunk = os.read(self.p.stdout.fileno(), 65536)
                if not chunk:
                    break
                self.buf += chunk
        except (BlockingIOError, OSError, ValueError):
            pass
        for f in (self.p.stdin, self.p.stdout):
            try:
                f.close()
            except (OSError, ValueError):
                pass
        if self.p in live:
            live.remove(self.p)
        shutil.rmtree(runtime_dir(self.prefix), ignore_errors=True)


def kill_live(signum=None, frame=None):
    for p in list(live):
        if p.poll() is None:
            p.kill()
            p.wait()
    if signum is not None:
        sys.exit(128 + signum)


def port_stats(text):
    m = re.search(r"RX-packets:\s*(\d+)\s+RX-missed:\s*(\d+)\s+RX-bytes:\s*(\d+)\s+"
                  r"RX-errors:\s*(\d+)\s+RX-nombuf:\s*(\d+)\s+"
                  r"TX-packets:\s*(\d+)\s+TX-errors:\s*(\d+)\s+TX-bytes:\s*(\d+)", text)
    if not m:
        return None
    return dict(zip(["rx", "rx_missed", "rx_bytes", "rx_errors", "rx_nombuf", "tx",
                     "tx_errors", "tx_bytes"], map(int, m.groups())))


def fwd_stats(text):
    m = re.search(r"Forward statistics for port 0\s*-+\s*"
                  r"RX-packets:\s*(\d+)\s+RX-dropped:\s*(\d+)\s+RX-total:\s*(\d+)\s+"
                  r"TX-packets:\s*(\d+)\s+TX-dropped:\s*(\d+)\s+TX-total:\s*(\d+)", text)
    if not m:
        return None
    return dict(zip(["rx", "rx_dropped", "rx_total", "tx", "tx_dropped", "tx_total"],
                    map(int, m.groups())))


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

        be = Backend(sock)
        try:
            be.prompt("start-up")
            started = be.cmd("start")
            ok = "io packet forwarding" in started
        except RuntimeError as e:
            ok, started = False, str(e)
        t.ok(ok, "testpmd with net_vhost0 starts io forwarding",
             f"$ {' '.join(be.argv)}\n{started}\n{be.text}")
        if not ok:
            return t.done()

        rc, _, err = perf_run(perf, ["--device", f"vhost:{sock}", "--mode", "ring", "--quiet"],
                              60)
        t.ok(rc == 1 and "ring mode needs a sim device" in err and "vhost-user backend" in err,
             "ring mode on a vhost: device is refused (exit 1), pointing to loopback",
             f"exit {rc}\n{err}")

        frames = sum(loopback(t, perf, sock, d, ring, cpu) for ring in ("split", "packed"))

        try:
            fwd = fwd_stats(be.cmd("stop"))
            st = port_stats(be.cmd("show port stats 0"))
        except RuntimeError as e:
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
            be.kill()
            t.ok(be.p.returncode is not None, "testpmd is gone at the end",
                 f"status {be.p.returncode}")
        kill_live()
        shutil.rmtree(d, ignore_errors=True)
    return t.done()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
