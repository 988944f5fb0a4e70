#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""TAP test of the PMD plugin in Debian's dpdk-testpmd, on devsim.

Each case runs one testpmd (`-i`, commands written to its stdin) with the
plugin loaded by -d and a net_virtio_mmio0 port on `dev=sim:net` (or
`dev=[sim:net,pairs=2]`), an in-process virtio-net device whose thread loops
transmitqN back to receiveqN.

Traffic cases (io and mac forwarding; split and packed rings; one and two
queue pairs): `start tx_first` puts one burst in flight per queue, which then
circulates; after `stop`, `set fwd rxonly` and `start` take in what was still
in flight, so at the end every packet sent has been received: port-level
RX-packets == TX-packets > 0 and RX-bytes == TX-bytes, the per-queue xstats
add up to the port's counters, no queue counted an error or broke, testpmd's
forwarding dropped nothing (io), and with two pairs both queues carried
traffic. Also on a legacy (Version 1) device, on devices that sleep on idle
queues until notified (sleep=64: traffic flows only if the PMD kicks when
asked, and tx_q0_kicks > 0; a polling device gets no kick at all), and on
the device that forwards frames back with their MACs swapped
(backend=forward).

The vhost bus (`dev=vhost:<socket>`, split and packed rings): the plugin's
port against DPDK's own vhost-user backend, a second testpmd with a net_vhost
port that io-forwards every frame back (lcores on CPU 0; the frontend's on CPU
1); counted as above, and the backend's own port counters (RX == our TX, TX ==
our RX, its forwarding dropped nothing).

Refusal cases: devargs the PMD must refuse at probe, with the exact message
it logs (pmd/pmd_args.c, pmd/vmmio_probe.c), and testpmd left without a port.

Nothing here waits on a guess of how long a command takes: testpmd prints
its prompt when a command has finished, so each command is written once the
previous prompt is out, and its output is what comes between the two
prompts. The only timed wait is how long traffic flows (FORWARD_S); the drain
polls the port counters until they meet. Every case has a deadline
(CASE_S), after which testpmd is killed and the case fails with its output.

usage: test_testpmd.py PATH/TO/librte_net_virtio_mmio.so
"""
import os
import re
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from taplib import Tap  # noqa: E402
import testpmd as tpmd  # noqa: E402
from testpmd import TESTPMD, Timeout, fwd_stats, kill_live, port_stats, xstats  # noqa: E402

CASE_S = 10.0  # a case's deadline, start to exit
FORWARD_S = 0.5  # how long the loop forwards
QUIT_S = 3.0  # at most this of the deadline is kept for the exit
PMD = "net_virtio_mmio: net_virtio_mmio0: "
KEYS = "dev, queues, queue_size, packed, in_order, event_idx, mrg_rxbuf, hotplug_wait, intr"
DEV_TAKES = ("a --device argument such as sim:net, uio:/dev/uio0 or mem:0xfeb02e00; one "
             "with a ',' in brackets: dev=[sim:net,legacy]")


class Testpmd(tpmd.Testpmd):
    """One testpmd with a port @vdev: our plugin's (by -d) or, @plugin None,
    one of DPDK's own (a vhost backend)."""
    serial = 0

    def __init__(self, plugin, vdev, app_args=(), lcores=None, case_s=CASE_S):
        """@lcores: an EAL --lcores map instead of -l 0-1 (main lcore 0
        waits on stdin and shares CPU 0 with the device thread, which
        inherits the main lcore's affinity at probe; lcore 1 forwards)."""
        Testpmd.serial += 1
        env = dict(os.environ)
        eal = [*(["--lcores", lcores] if lcores else ["-l", "0-1"]),
               "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
               *tpmd.plugin_args(plugin, env), "--vdev", vdev,
               "--log-level=pmd.net.virtio_mmio:info"]
        super().__init__(eal, ["--total-num-mbufs=4096", *app_args],
                         f"vmmio-tpmd-{os.getpid()}-{Testpmd.serial}", case_s, env)


def traffic(tp, mode, res):
    """Forward in @mode for FORWARD_S from `start tx_first`, then take in what
    was in flight at the stop (rxonly: the device, or the backend, still
    sends it back) until every packet sent has been received or the
    deadline nears; the outputs into @res."""
    res["startup"] = tp.prompt("start-up")
    if mode != "io":
        tp.cmd(f"set fwd {mode}")
    res["start"] = tp.cmd("start tx_first")
    time.sleep(FORWARD_S)
    res["stop"] = tp.cmd("stop")
    tp.cmd("set fwd rxonly")
    tp.cmd("start")
    while True:
        st = port_stats(tp.cmd("show port stats 0"))
        if st is None or st["rx"] >= st["tx"] or time.monotonic() > tp.deadline - QUIT_S:
            break
        time.sleep(0.02)
    res["drain"] = tp.cmd("stop")
    res["stats"] = tp.cmd("show port stats 0")
    res["xstats"] = tp.cmd("show port xstats 0")


# --- the cases ----------------------------------------------------------------------------

def forwarding(t, plugin, mode, packed, pairs, sim=()):
    """One run; @sim: more options of the sim device (legacy, sleep=N, backend=...)."""
    what = f"{mode} forwarding, {'packed' if packed else 'split'} rings, {pairs} pair" + (
        "s" if pairs > 1 else "") + "".join(f", {o}" for o in sim)
    opts = ([f"pairs={pairs}"] if pairs > 1 else []) + list(sim)
    dev = f"[sim:net,{','.join(opts)}]" if opts else "sim:net"
    vdev = f"net_virtio_mmio0,dev={dev},packed={packed}"
    app = [f"--rxq={pairs}", f"--txq={pairs}"] if pairs > 1 else []
    tp = Testpmd(plugin, vdev, app)
    res = {}
    err = None
    try:
        traffic(tp, mode, res)
    except Timeout as e:
        err = str(e)
    rc = tp.quit()
    diag = f"$ {tp.command_line()}\n{tp.text}"
    t.ok(err is None and rc == 0, f"{what}: testpmd runs the commands and exits 0",
         f"{err or ''} (exit status {rc})\n{diag}")
    if err is not None:
        return None
    ring = "packed" if packed else "split"
    version = 1 if "legacy" in sim else 2
    probe = f"{PMD}{dev.strip('[]')}, Version {version}, {ring} ring, "
    t.ok(probe in res["startup"] and f", {pairs} queue pair" in res["startup"]
         and "Port 0: " in res["startup"] and "Fail to start" not in res["startup"],
         f"{what}: port 0 probed ({ring} ring, {pairs} queue pairs) and started",
         f"expected '{probe}...'\n{diag}")

    fs = fwd_stats(res["stop"])
    t.ok(fs is not None and fs["rx"] > 0 and fs["tx"] > 0,
         f"{what}: forwarding statistics show traffic", diag)
    if mode == "io":
        t.ok(fs is not None and fs["tx_dropped"] == 0, f"{what}: TX-dropped 0", diag)

    st = port_stats(res["stats"])
    t.ok(st is not None and st["tx"] > 0 and st["rx"] == st["tx"],
         f"{what}: port RX-packets == TX-packets > 0", f"{st}\n{diag}")
    t.ok(st is not None and st["rx_bytes"] == st["tx_bytes"] and st["rx_bytes"] >= 60 * st["rx"],
         f"{what}: port RX-bytes == TX-bytes", f"{st}\n{diag}")
    t.ok(st is not None and st["rx_errors"] == 0 and st["tx_errors"] == 0,
         f"{what}: port RX-errors and TX-errors 0", f"{st}\n{diag}")

    xs = xstats(res["xstats"])
    queues = sorted({int(m.group(2)) for k in xs
                     if (m := re.fullmatch(r"(rx|tx)_q(\d+)_packets", k))})
    t.ok(queues == list(range(pairs)), f"{what}: xstats for queues 0..{pairs - 1}",
         f"queues {queues}\n{diag}")
    if st is not None:
        sums = {f"{d}{s}": sum(xs.get(f"{d}_q{q}_{f}", 0) for q in range(pairs))
                for d in ("rx", "tx") for s, f in (("", "packets"), ("_bytes", "bytes"))}
        t.ok(all(sums[k] == st[k] for k in sums),
             f"{what}: per-queue xstats packets and bytes add up to the port's",
             f"sums {sums}, port {st}\n{diag}")
    bad = {k: v for k, v in xs.items()
           if re.fullmatch(r"(rx|tx)_q\d+_(errors|broken)", k) and v}
    t.ok(not bad and any(re.fullmatch(r"rx_q\d+_broken", k) for k in xs),
         f"{what}: no queue counted an error or broke", f"{bad}\n{diag}")
    if pairs > 1:
        idle = [k for q in range(pairs) for k in (f"rx_q{q}_packets", f"tx_q{q}_packets")
                if not xs.get(k)]
        t.ok(not idle, f"{what}: packets flowed on every queue", f"idle: {idle}\n{diag}")
    if any(o.startswith("sleep=") for o in sim):
        # A device that sleeps on idle queues until notified: traffic went on
        # only because the PMD kicked whenever the device asked.
        t.ok(xs.get("tx_q0_kicks", 0) > 0,
             f"{what}: the PMD notified the sleeping device (tx_q0_kicks > 0)",
             f"{ {k: v for k, v in xs.items() if 'kicks' in k} }\n{diag}")
    else:
        t.ok(xs.get("tx_q0_kicks", -1) == 0,
             f"{what}: a polling device is never notified (tx_q0_kicks == 0)",
             f"{ {k: v for k, v in xs.items() if 'kicks' in k} }\n{diag}")
    return {"what": what, "command": tp.command_line(), "port": st, "fwd": fs,
            "queues": {k: v for k, v in xs.items() if re.fullmatch(r"(rx|tx)_q\d+_packets", k)}}


def vhost_forwarding(t, plugin, packed):
    """The port on the vhost bus (dev=vhost:<socket>) against DPDK's own
    vhost-user backend: a second testpmd with a net_vhost port that io-forwards
    every frame back. The frontend's lcores on CPU 1, the backend's on CPU 0;
    the socket in a private folder. Counted as forwarding() counts, and the
    backend's port saw what ours sent and received."""
    ring = "packed" if packed else "split"
    what = f"vhost bus, io forwarding, {ring} rings, against DPDK's vhost backend"
    tmp = tempfile.mkdtemp(prefix="vmmio-tpmd-vhost-")
    sock = os.path.join(tmp, "vhost.sock")
    back = front = None
    res = {}
    err = None
    try:
        back = Testpmd(None, f"net_vhost0,iface={sock},queues=1",
                       ["--forward-mode=io"], lcores="0@0,1@0", case_s=3 * CASE_S)
        res["back_startup"] = back.prompt("the backend's start-up")
        back.cmd("start")
        front = Testpmd(plugin, f"net_virtio_mmio0,dev=vhost:{sock},packed={packed}",
                        lcores="0@1,1@1")
        traffic(front, "io", res)
        res["back_stop"] = back.cmd("stop")
        res["back_stats"] = back.cmd("show port stats 0")
    except Timeout as e:
        err = str(e)
    # The frontend first: its port's close is a clean disconnect.
    rc = front.quit() if front else None
    brc = back.quit() if back else None
    shutil.rmtree(tmp, ignore_errors=True)
    diag = "".join(f"$ {tp.command_line()}\n{tp.text}\n" for tp in (front, back) if tp)
    t.ok(err is None and rc == 0 and brc == 0,
         f"{what}: both testpmds run the commands and exit 0",
         f"{err or ''} (exit status {rc}, the backend's {brc})\n{diag}")
    if err is not None:
        return None
    probe = f"{PMD}vhost:{sock}, Version 2, {ring} ring, "
    t.ok(probe in res["startup"] and "Port 0: " in res["startup"]
         and "Fail to start" not in res["startup"],
         f"{what}: port 0 probed ({ring} ring) and started", f"expected '{probe}...'\n{diag}")
    fs = fwd_stats(res["stop"])
    t.ok(fs is not None and fs["rx"] > 0 and fs["tx"] > 0 and fs["tx_dropped"] == 0,
         f"{what}: forwarding statistics show traffic, TX-dropped 0", f"{fs}\n{diag}")
    st = port_stats(res["stats"])
    t.ok(st is not None and st["tx"] > 0 and st["rx"] == st["tx"]
         and st["rx_bytes"] == st["tx_bytes"] and st["rx_bytes"] >= 60 * st["rx"],
         f"{what}: port RX-packets == TX-packets > 0, RX-bytes == TX-bytes", f"{st}\n{diag}")
    t.ok(st is not None and st["rx_errors"] == 0 and st["tx_errors"] == 0,
         f"{what}: port RX-errors and TX-errors 0", f"{st}\n{diag}")
    xs = xstats(res["xstats"])
    sums = {"rx": xs.get("rx_q0_packets"), "tx": xs.get("tx_q0_packets"),
            "rx_bytes": xs.get("rx_q0_bytes"), "tx_bytes": xs.get("tx_q0_bytes")}
    t.ok(st is not None and all(sums[k] == st[k] for k in sums),
         f"{what}: queue 0's xstats packets and bytes are the port's",
         f"xstats {sums}, port {st}\n{diag}")
    bad = {k: v for k, v in xs.items()
           if re.fullmatch(r"(rx|tx)_q\d+_(errors|broken)", k) and v}
    t.ok(not bad and "rx_q0_broken" in xs, f"{what}: no queue counted an error or broke",
         f"{bad}\n{diag}")
    # The backend's own port: it received what we sent, and sent it all back.
    bs = port_stats(res["back_stats"])
    bfs = fwd_stats(res["back_stop"])
    t.ok(st is not None and bs is not None and bs["rx"] == st["tx"] and bs["tx"] == st["rx"]
         and bs["rx_bytes"] == st["tx_bytes"] and bs["tx_bytes"] == st["rx_bytes"]
         and bfs is not None and bfs["tx_dropped"] == 0,
         f"{what}: the backend's port RX == our TX, its TX == our RX, nothing dropped",
         f"backend {bs}, its forwarding {bfs}, ours {st}\n{diag}")
    return {"what": what, "command": front.command_line(), "backend": back.command_line(),
            "port": st, "fwd": fs,
            "queues": {k: v for k, v in xs.items() if re.fullmatch(r"(rx|tx)_q\d+_packets", k)}}


# devargs -> the PMD's exact message (pmd_args.c; vmmio_probe.c for what
# only the device can tell); the parser's are followed by the list of keys.
def parser(msg):
    return f"{PMD}{msg} (devargs: {KEYS})"


REFUSED = [
    ("", parser(f"dev= is required (dev= takes {DEV_TAKES})")),
    ("queues=1", parser(f"dev= is required (dev= takes {DEV_TAKES})")),
    ("dev=", parser(f'devarg "dev=": empty value (dev= takes {DEV_TAKES}) (at offset 0)')),
    ("dev=sim:net,queues=0",
     parser('devarg "queues=0": out of range (queues= takes 1..128) (at offset 12)')),
    ("dev=sim:net,packed=2",
     parser('devarg "packed=2": not a flag (packed= takes 0 or 1) (at offset 12)')),
    ("dev=sim:net,intr=sometimes",
     parser('devarg "intr=sometimes": unknown mode (intr= takes poll or interrupt) '
            '(at offset 12)')),
    ("dev=sim:net,queue_size=100000",
     parser('devarg "queue_size=100000": out of range (queue_size= takes 1..32768) '
            '(at offset 12)')),
    ("dev=sim:nett",
     parser('devarg "dev=sim:nett": --device "sim:nett": unknown device type "nett" '
            '(expected net or blk)')),
    ("dev=sim:net,legacy",
     parser(f'unknown devarg "legacy" (valid keys: {KEYS}; if it belongs to dev=, bracket '
            'the value: dev=[sim:net,legacy]) (at offset 12)')),
    ("dev=sim:net,queues=1,queues=1",
     parser('devarg "queues=1": queues= given twice (at offset 21)')),
    ("dev=sim:blk", f"{PMD}sim:blk is a block device (DeviceID 2), not a network device"),
    ("dev=[sim:net,legacy],packed=1",
     f"{PMD}packed=1: the device does not offer VIRTIO_F_RING_PACKED"),
    ("dev=sim:net,queues=4",
     f"{PMD}queues=4: the device has 1 queue pair (max_virtqueue_pairs)"),
    ("dev=[sim:net,pairs=2],queues=3",
     f"{PMD}queues=3: the device has 2 queue pairs (max_virtqueue_pairs)"),
    ("dev=[sim:net,qsize=1024],packed=0,queue_size=300",
     f"{PMD}queue_size=300: the device takes up to 1024, a power of 2 (split rings)"),
    ("dev=sim:net,packed=0,queue_size=200",
     f"{PMD}queue_size=200: the device takes up to 256, a power of 2 (split rings)"),
    ("dev=sim:net,packed=1,queue_size=300", f"{PMD}queue_size=300: the device takes up to 256"),
]


def refused(t, plugin, devargs, message):
    vdev = "net_virtio_mmio0" + ("," + devargs if devargs else "")
    tp = Testpmd(plugin, vdev)
    err = None
    try:
        tp.prompt("start-up")
    except Timeout as e:
        err = str(e)
    rc = tp.quit()
    out = tp.text
    lines = out.splitlines()
    t.ok(err is None and rc == 0 and message in lines
         and "testpmd: No probed ethernet devices" in lines and "Port 0: " not in out
         and "Configuring Port" not in out,
         f"devargs '{devargs}' refused: {message[len(PMD):].replace(f' (devargs: {KEYS})', '')}",
         f"{err or ''} (exit status {rc})\nexpected the line:\n{message}\n"
         f"$ {tp.command_line()}\n{out}")


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    plugin = os.path.abspath(argv[1])
    if not os.access(TESTPMD, os.X_OK) or not shutil.which("stdbuf"):
        print(f"1..0 # SKIP {TESTPMD} or stdbuf not found")
        return 0
    if not os.path.exists(plugin):
        print(f"Bail out! no plugin {plugin}")
        return 1
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, kill_live)
    t = Tap()
    start = time.monotonic()
    try:
        runs = [(mode, packed, pairs, ()) for pairs in (1, 2) for packed in (0, 1)
                for mode in ("io", "mac")]
        # A legacy (Version 1) device; devices that sleep until notified;
        # the device that forwards frames back with their MACs swapped.
        runs += [("io", 0, 1, ("legacy",)), ("io", 0, 1, ("sleep=64",)),
                 ("io", 1, 1, ("sleep=64",)), ("io", 0, 1, ("legacy", "sleep=64")),
                 ("mac", 1, 1, ("backend=forward",))]
        for mode, packed, pairs, sim in runs:
            c0 = time.monotonic()
            r = forwarding(t, plugin, mode, packed, pairs, sim)
            if r:
                q = " ".join(f"{k}={v}" for k, v in sorted(r["queues"].items()))
                print(f"# {r['what']}: {time.monotonic() - c0:.1f} s, "
                      f"port RX {r['port']['rx']} TX {r['port']['tx']} packets, "
                      f"RX {r['port']['rx_bytes']} TX {r['port']['tx_bytes']} bytes; "
                      f"{q}; fwd TX-dropped {r['fwd']['tx_dropped']}")
                print(f"#   $ {r['command']}")
        for packed in (0, 1):
            c0 = time.monotonic()
            r = vhost_forwarding(t, plugin, packed)
            if r:
                q = " ".join(f"{k}={v}" for k, v in sorted(r["queues"].items()))
                print(f"# {r['what']}: {time.monotonic() - c0:.1f} s, "
                      f"port RX {r['port']['rx']} TX {r['port']['tx']} packets, "
                      f"RX {r['port']['rx_bytes']} TX {r['port']['tx_bytes']} bytes; "
                      f"{q}; fwd TX-dropped {r['fwd']['tx_dropped']}")
                print(f"#   $ {r['command']}")
                print(f"#   backend $ {r['backend']}")
        slowest = 0.0
        r0 = time.monotonic()
        for devargs, message in REFUSED:
            c0 = time.monotonic()
            refused(t, plugin, devargs, message)
            slowest = max(slowest, time.monotonic() - c0)
        print(f"# {len(REFUSED)} refusals: {time.monotonic() - r0:.1f} s, "
              f"the slowest {slowest:.1f} s")
    finally:
        kill_live()
    print(f"# {time.monotonic() - start:.1f} s in all")
    return t.done()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
