#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The race: net_virtio_mmio against DPDK's own virtio PMD on one vhost-user backend.

usage: bench-vs-dpdk.sh [--rounds N] [--seconds S] [--json FILE] [--plot FILE.png]
                        [--build DIR] [--no-ours] [--memory nohuge|huge] [...]

The backend is Debian's dpdk-testpmd with a net_vhost port (a vhost-user server
socket in a private 0700 folder) io-forwarding on CPU 0. A fresh backend is
started for every run, so every frontend meets the same, newly started backend.
The frontend is another dpdk-testpmd on CPU 1, io-forwarding 64-byte frames
(`start tx_first 32`: 32 bursts of 32 in flight), with port 0 one of:

  ours split          -d BUILD/pmd/librte_net_virtio_mmio.so
                      --vdev net_virtio_mmio0,dev=vhost:SOCK,packed=0
  ours packed         the same with packed=1
  ours packed_inorder the same with packed=1,in_order=1,mrg_rxbuf=0
  dpdk split          --vdev net_virtio_user0,path=SOCK,queues=1
  dpdk packed_inorder ...,packed_vq=1,in_order=1,mrg_rxbuf=0
  dpdk packed_vec     ...,packed_vq=1,in_order=1,mrg_rxbuf=0,vectorized=1
                      with EAL --force-max-simd-bitwidth=512

Frontends are interleaved round by round (and the order rotates each round, so
no configuration always runs first or last). Per run: one warm-up second, then
`clear fwd stats all` and S seconds later `show fwd stats all`: Mpps is the
forward RX-packets over that window, cycles/pkt testpmd's --record-core-cycles
figure for the forwarding lcore over the same window (testpmd 22.11 counts the
cycles of the loop iterations that received something). Ours also gives its
notification counts (`show port xstats 0`: *_kicks, *_interrupts); for every
frontend the counters of its eventfds are read from /proc/PID/fdinfo
(eventfd-count: virtio-user's kick and call eventfds are read by no one in poll
mode, so the count is the number of writes; ours, the kicks), which costs the
run nothing. Each forwarding lcore's share of its CPU (schedstat) flags a run
another task disturbed; such a run is repeated (--retries).

Latency: bench/dpdk_rtt (one 64-byte frame in flight, busy-polled back through
the same backend) for every configuration, every round.

"ours" is our best configuration by median Mpps, "dpdk" DPDK's best; the ratio
is ours/dpdk. Figures, not verdicts: on a 2-CPU machine the noise is +-20-30%
(doc/performance.md).
"""
import argparse
import atexit
import glob
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

# The dpdk-testpmd driver the pmd and vhost suites use.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "harness"))
from testpmd import (TESTPMD, Child, Timeout, live, plugin_args, runtime_dir,  # noqa: E402
                     xstats)

PROG = "bench-vs-dpdk"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HUGE_SYSFS = "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
HUGE_FREE = "/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"
BACKEND_LCORES = "0@0,1@0"
FRONTEND_LCORES = "0@1,1@1"
CHILD_S = 300.0  # the longest a child may live: every wait on it ends by then
MBUFS = 8192  # per testpmd: 4 rings of 256 and 1024 in flight, with room to spare
WARMUP_S = 1.0

DPDK_CONFIGS = {
    "split": ("", []),
    "packed_inorder": (",packed_vq=1,in_order=1,mrg_rxbuf=0", []),
    "packed_vec": (",packed_vq=1,in_order=1,mrg_rxbuf=0,vectorized=1",
                   ["--force-max-simd-bitwidth=512"]),
}
# packed= explicit both ways: left out, the PMD takes packed rings when offered.
# split and packed are the PMD's defaults otherwise (IN_ORDER, EVENT_IDX and
# MRG_RXBUF when the backend offers them); packed_inorder asks for what DPDK's
# packed_inorder runs with (in order, no mergeable buffers), like for like.
OURS_CONFIGS = {"split": ",packed=0", "packed": ",packed=1",
                "packed_inorder": ",packed=1,in_order=1,mrg_rxbuf=0"}

state = {"tmp": None, "huge_restore": None, "huge_raised": None, "serial": 0}


class RunError(Exception):
    pass


def log(msg):
    print(f"{PROG}: {msg}", file=sys.stderr, flush=True)


# --- children -----------------------------------------------------------------------------

def kill_all():
    for p in list(live):
        if p.poll() is None:
            p.kill()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        live.remove(p)


def cleanup():
    kill_all()
    restore, state["huge_restore"] = state["huge_restore"], None
    if restore is not None:
        try:
            with open(HUGE_SYSFS) as f:
                now = int(f.read())
            if now != state["huge_raised"]:
                # Someone else changed it meanwhile: theirs now, left alone.
                log(f"hugepages: nr_hugepages is {now}, not the {state['huge_raised']} set "
                    "here: left as it is")
            else:
                with open(HUGE_SYSFS, "w") as f:
                    f.write(str(restore))
                log(f"hugepages: nr_hugepages set back to {restore}")
        except (OSError, ValueError) as e:
            log(f"hugepages: could not set nr_hugepages back to {restore}: {e}")
    if state["tmp"]:
        shutil.rmtree(state["tmp"], ignore_errors=True)
        state["tmp"] = None
    # EAL's runtime folders of every process of ours, also those killed.
    for d in glob.glob(runtime_dir(f"vmmio-bvd-{os.getpid()}-*")):
        shutil.rmtree(d, ignore_errors=True)


def on_signal(signum, frame):
    log(f"signal {signum}: stopping every testpmd")
    cleanup()
    os._exit(128 + signum)


# --- EAL and the processes ------------------------------------------------------------------

def next_prefix(role):
    state["serial"] += 1
    return f"vmmio-bvd-{os.getpid()}-{state['serial']}-{role}"


def eal_memory(opts):
    """EAL arguments of the memory mode, the same for every process."""
    if opts.memory == "huge":
        # --iova-mode=va: our PMD's vhost bus hands the backend virtual
        # addresses; DPDK's virtio-user does the same (it always uses VA).
        return ["--in-memory", "--single-file-segments", "--iova-mode=va",
                "-m", str(opts.mem_mb)]
    return ["--no-huge", "-m", str(opts.mem_mb), "--no-shconf"]


def testpmd_argv(opts, lcores, prefix, vdev, eal_extra=(), app_extra=()):
    return ["stdbuf", "-oL", TESTPMD, "--lcores", lcores, *eal_memory(opts), "--no-pci",
            "--no-telemetry", f"--file-prefix={prefix}", *eal_extra, "--vdev", vdev,
            "--", "-i", "--nb-cores=1", "--forward-mode=io", f"--total-num-mbufs={MBUFS}",
            "--record-core-cycles", *app_extra]


def start_backend(opts, sock):
    prefix = next_prefix("vhost")
    argv = testpmd_argv(opts, BACKEND_LCORES, prefix, f"net_vhost0,iface={sock},queues=1")
    b = Child(argv, "backend", deadline_s=CHILD_S, prefix=prefix)
    b.prompt("start-up", 30)
    b.cmd("start")
    return b


def frontend_spec(opts, side, name, sock):
    """(vdev, extra EAL arguments, env) of a frontend."""
    env = dict(os.environ)
    if side == "dpdk":
        devargs, eal = DPDK_CONFIGS[name]
        return f"net_virtio_user0,path={sock},queues=1{devargs}", list(eal), env
    # Log level info: the probe line (ring, the device's offer) goes into the JSON.
    return (f"net_virtio_mmio0,dev=vhost:{sock}{OURS_CONFIGS[name]}",
            [*plugin_args(opts.plugin, env), "--log-level=pmd.net.virtio_mmio:info"], env)


def stop_backend(b, result):
    try:
        out = b.cmd("show fwd stats all")
        result["backend_cycles_per_pkt"] = cycles_per_pkt(out)
        b.cmd("stop")
    except (RunError, Timeout):
        pass
    b.quit(grace_s=10.0)
    shutil.rmtree(runtime_dir(b.prefix), ignore_errors=True)


# --- parsing -----------------------------------------------------------------------------------

def fwd_rx(text):
    m = re.search(r"Forward statistics for port 0\s*-+\s*RX-packets:\s*(\d+)", text)
    return int(m.group(1)) if m else None


def cycles_per_pkt(text):
    m = re.search(r"CPU cycles/packet=([\d.]+)", text)
    return float(m.group(1)) if m else None


def tsc_mhz(text):
    m = re.search(r"CPU cycles/packet=.* at (\d+) MHz Clock", text)
    return int(m.group(1)) if m else None


def port_stats(text):
    out = {}
    for key, pat in (("rx", r"RX-packets:\s*(\d+)"), ("tx", r"TX-packets:\s*(\d+)"),
                     ("rx_pps", r"Rx-pps:\s*(\d+)"), ("rx_missed", r"RX-missed:\s*(\d+)"),
                     ("rx_nombuf", r"RX-nombuf:\s*(\d+)")):
        m = re.search(pat, text)
        out[key] = int(m.group(1)) if m else None
    return out


def eventfd_counts(pid):
    """fd -> eventfd-count of every eventfd of process @pid ({} if unreadable)."""
    out = {}
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return out
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") != "anon_inode:[eventfd]":
                continue
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                m = re.search(r"eventfd-count:\s*([0-9a-fA-F]+)", f.read())
            if m:
                # The kernel prints the count in hex ("%16llx").
                out[int(fd)] = int(m.group(1), 16)
        except (OSError, ValueError):
            continue
    return out


def run_ns(pid):
    """tid -> nanoseconds on a CPU (/proc/PID/task/TID/schedstat), {} if unreadable."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                out[tid] = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return out


def cpu_share(before, after, window_s):
    """The busiest thread's share of the window on its CPU: a forwarding lcore
    busy-polls, so anything under 1.0 is time another task took from it."""
    if not before or not after or window_s <= 0:
        return None
    d = max((after[t] - before.get(t, after[t]) for t in after), default=0)
    return d / (window_s * 1e9)


def cpu_idle(sample_s=1.0):
    """Idle fraction of CPU 0 and CPU 1 over @sample_s (/proc/stat), or None."""
    def snap():
        out = {}
        with open("/proc/stat") as f:
            for line in f:
                v = line.split()
                if v[0] in ("cpu0", "cpu1"):
                    n = [int(x) for x in v[1:9]]
                    out[v[0]] = (n[3] + n[4], sum(n))  # idle + iowait, all
        return out
    try:
        a = snap()
        time.sleep(sample_s)
        b = snap()
        return [(b[c][0] - a[c][0]) / max(1, b[c][1] - a[c][1]) for c in ("cpu0", "cpu1")]
    except (OSError, KeyError, ValueError):
        return None


def wait_quiet(opts):
    """--quiet-wait: before a run, wait (at most that long) until both CPUs are
    85% idle over a second, so that runs land in the machine's quiet spells."""
    if opts.quiet_wait <= 0:
        return None
    until = time.monotonic() + opts.quiet_wait
    while True:
        idle = cpu_idle()
        if idle is None or min(idle) >= 0.85 or time.monotonic() >= until:
            return idle


def testpmd_pid(proc):
    """testpmd's pid: stdbuf execs it, so it is the child's own pid."""
    return proc.p.pid


# --- one run -----------------------------------------------------------------------------------

def throughput_run(opts, side, name):
    """One frontend against a fresh backend: a dict of figures (or raises RunError)."""
    sock = os.path.join(state["tmp"], f"vh-{state['serial'] + 1}.sock")
    b = start_backend(opts, sock)
    f = None
    res = {}
    try:
        vdev, eal, env = frontend_spec(opts, side, name, sock)
        prefix = next_prefix("front")
        f = Child(testpmd_argv(opts, FRONTEND_LCORES, prefix, vdev, eal), f"{side} {name}",
                  env=env, deadline_s=CHILD_S, prefix=prefix)
        res["command"] = f.command_line()
        res["backend_command"] = b.command_line()
        startup = f.prompt("start-up", 30)
        if "Port 0: " not in startup or "No probed ethernet devices" in startup:
            raise RunError(f"{side} {name}: port 0 not probed:\n" + tail(startup, 25))
        res["probe_log"] = [ln for ln in startup.splitlines()
                            if ln.startswith(("net_virtio_mmio: ", "virtio_user", "VIRTIO"))]
        if side == "ours":
            # The ring the PMD reports at probe must be the one asked for.
            ring = re.search(r", (split|packed) ring, ", startup)
            if not ring or ring.group(1) != name.split("_")[0]:
                raise RunError(f"ours {name}: the PMD reports "
                               f"{ring.group(1) + ' ring' if ring else 'no ring'} at probe:\n"
                               + "\n".join(res["probe_log"]))
        f.cmd("start tx_first 32")
        time.sleep(WARMUP_S)
        ev0 = eventfd_counts(testpmd_pid(f))
        rf0, rb0 = run_ns(testpmd_pid(f)), run_ns(testpmd_pid(b))
        # Both testpmds count from here.
        b.cmd("clear fwd stats all")
        f.cmd("clear fwd stats all")
        f.cmd("show port stats 0")  # the Rx-pps window starts here
        t0 = time.monotonic()
        time.sleep(opts.seconds)
        fwd = f.cmd("show fwd stats all")
        t1 = time.monotonic()
        rf1, rb1 = run_ns(testpmd_pid(f)), run_ns(testpmd_pid(b))
        ps = port_stats(f.cmd("show port stats 0"))
        ev1 = eventfd_counts(testpmd_pid(f))
        xs = xstats(f.cmd("show port xstats 0"))
        f.cmd("stop")
        rx = fwd_rx(fwd)
        cyc = cycles_per_pkt(fwd)
        if not rx or cyc is None:
            raise RunError(f"{side} {name}: no traffic (forward statistics):\n" + tail(fwd, 20))
        res.update({"mpps": rx / (t1 - t0) / 1e6, "cycles_per_pkt": cyc,
                    "rx_packets": rx, "seconds": t1 - t0, "tsc_mhz": tsc_mhz(fwd),
                    "rx_pps": ps["rx_pps"], "port_rx": ps["rx"], "port_tx": ps["tx"],
                    "frontend_cpu_share": cpu_share(rf0, rf1, t1 - t0),
                    "backend_cpu_share": cpu_share(rb0, rb1, t1 - t0)})
        total = ps["rx"] or 0
        # Every eventfd of the frontend's process, over the window: virtio-user's
        # kick and call eventfds, which no one reads in poll mode, so that
        # eventfd-count grows by one per write: a count of notifications both
        # ways that costs the run nothing. For ours: the kicks (the vhost bus's
        # thread reads the call eventfds; interrupts are in the xstats).
        if ev0 and ev1 and rx:
            res["eventfd_writes_per_pkt"] = sum(
                ev1.get(fd, 0) - ev0.get(fd, 0) for fd in ev1) / rx
            res["eventfds"] = len(ev1)
        if side == "ours":
            # The PMD's own counts (xstats, over the whole run).
            kicks = {k: v for k, v in xs.items() if k.endswith("_kicks")}
            irqs = {k: v for k, v in xs.items() if k.endswith("_interrupts")}
            res["xstats_notify"] = {**kicks, **irqs}
            if total:
                res["kicks_per_pkt"] = sum(kicks.values()) / total if kicks else None
                res["irqs_per_pkt"] = sum(irqs.values()) / total if irqs else None
    except (RunError, Timeout) as e:
        if f is not None:
            f.close()
            e.args = (str(e) + f"\n$ {f.command_line()}\n" + tail(f.text, 30),)
        stop_backend(b, {})
        raise
    f.quit(grace_s=10.0)
    shutil.rmtree(runtime_dir(prefix), ignore_errors=True)
    stop_backend(b, res)
    res["frontend_busy"], res["backend_busy"] = busy(res)
    return res


def latency_run(opts, side, name):
    sock = os.path.join(state["tmp"], f"vh-{state['serial'] + 1}.sock")
    b = start_backend(opts, sock)
    try:
        vdev, eal, env = frontend_spec(opts, side, name, sock)
        if side == "ours":
            eal = []  # dpdk_rtt has the PMD linked in: no -d
        prefix = next_prefix("rtt")
        argv = [opts.rtt_bin, "--lcores", "0@1", *eal_memory(opts), "--no-pci", "--no-telemetry",
                f"--file-prefix={prefix}", *eal, "--vdev", vdev, "--", "--count",
                str(opts.rtt_count), "--warmup", str(opts.rtt_count // 10), "--json"]
        r = Child(argv, f"dpdk_rtt {side} {name}", env=env, stdin=False, prefix=prefix)
        rc = r.wait_exit(60)
        r.close()
        shutil.rmtree(runtime_dir(prefix), ignore_errors=True)
        m = re.search(r"^\{.*\}$", r.text, re.M)
        if rc != 0 or not m:
            raise RunError(f"dpdk_rtt {side} {name}: exit status {rc}:\n"
                           f"$ {r.command_line()}\n{tail(r.text, 20)}")
        res = json.loads(m.group(0))
        res["command"] = r.command_line()
        return res
    finally:
        stop_backend(b, {})


def tail(text, n):
    return "\n".join(text.rstrip().splitlines()[-n:])


# --- memory ------------------------------------------------------------------------------------

def setup_hugepages(opts):
    """--memory huge: make sure enough 2 MiB pages are free for the two testpmds."""
    need = opts.hugepages
    try:
        with open(HUGE_SYSFS) as f:
            nr = int(f.read())
        with open(HUGE_FREE) as f:
            free = int(f.read())
    except OSError as e:
        sys.exit(f"{PROG}: --memory huge: {e}")
    if free >= need:
        log(f"hugepages: {free} free 2 MiB pages (of {nr}), {need} needed: left as they are")
        return
    want = nr + (need - free)
    log(f"hugepages: raising nr_hugepages from {nr} to {want} ({HUGE_SYSFS}); set back at the "
        "end")
    try:
        with open(HUGE_SYSFS, "w") as f:
            f.write(str(want))
        state["huge_restore"] = nr
        state["huge_raised"] = want
        with open(HUGE_FREE) as f:
            free = int(f.read())
    except OSError as e:
        sys.exit(f"{PROG}: could not raise nr_hugepages (root needed): {e}")
    if free < need:
        sys.exit(f"{PROG}: only {free} free hugepages after raising nr_hugepages to {want}")


# --- summaries -----------------------------------------------------------------------------------

def summary(values):
    vals = [v for v in values if v is not None]
    if not vals:
        return {"median": None, "min": None, "max": None, "rounds": values}
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals),
            "rounds": values}


def config_summary(runs, lat, config):
    s = {"config": config,
         "mpps": summary([r.get("mpps") if r else None for r in runs]),
         "cycles_per_pkt": summary([r.get("cycles_per_pkt") if r else None for r in runs]),
         "backend_cycles_per_pkt": summary([r.get("backend_cycles_per_pkt") if r else None
                                            for r in runs])}
    for k in ("kicks_per_pkt", "irqs_per_pkt", "eventfd_writes_per_pkt", "frontend_cpu_share",
              "backend_cpu_share"):
        vals = [r.get(k) for r in runs if r and r.get(k) is not None]
        if vals:
            s[k] = summary([r.get(k) if r else None for r in runs])
    if lat is not None:
        s["latency_ns"] = {k: summary([x.get(k) if x else None for x in lat])
                           for k in ("p50_ns", "p99_ns", "p99_9_ns", "max_ns")}
        s["latency_ns"]["lost"] = [x.get("lost") if x else None for x in lat]
    s["runs"] = [{k: v for k, v in r.items() if k not in ("command", "backend_command")}
                 if r else None for r in runs]
    s["commands"] = {"throughput": next((r["command"] for r in runs if r), None),
                     "backend": next((r["backend_command"] for r in runs if r), None),
                     "latency": next((x["command"] for x in (lat or []) if x), None)}
    return s


def disturbed(x, opts):
    """Whether another task took more than --min-cpu-share of a forwarding lcore's time."""
    shares = [x.get("frontend_cpu_share"), x.get("backend_cpu_share")]
    return any(v is not None and v < opts.min_cpu_share for v in shares)


def busy(x):
    """(frontend, backend): the share of the window each forwarding lcore spent
    on packets (cycles/pkt x packets / TSC cycles); about 1.0 is the bottleneck."""
    if not x.get("tsc_mhz") or not x.get("mpps"):
        return (None, None)
    per_s = x["mpps"] * 1e6 / (x["tsc_mhz"] * 1e6)
    return tuple(x[k] * per_s if x.get(k) is not None else None
                 for k in ("cycles_per_pkt", "backend_cycles_per_pkt"))


def undisturbed(x):
    """The smaller CPU share of the two forwarding lcores (1.0 if unknown)."""
    shares = [v for v in (x.get("frontend_cpu_share"), x.get("backend_cpu_share"))
              if v is not None]
    return min(shares, default=1.0)


def run_details(x):
    """The rest of a run's progress line."""
    out = f" (backend {fmt(x.get('backend_cycles_per_pkt'), 0)} cycles/pkt"
    if x.get("kicks_per_pkt") is not None or x.get("irqs_per_pkt") is not None:
        out += (f"; {fmt(x.get('kicks_per_pkt'))} kicks/pkt, "
                f"{fmt(x.get('irqs_per_pkt'))} irqs/pkt")
    if x.get("eventfd_writes_per_pkt") is not None:
        out += f"; {fmt(x['eventfd_writes_per_pkt'])} eventfd writes/pkt"
    fs, bs = x.get("frontend_cpu_share"), x.get("backend_cpu_share")
    if fs is not None and bs is not None:
        out += f"; lcores on CPU {fs:.0%}/{bs:.0%}"
    return out + ")"


def best(configs):
    """Name of the configuration with the highest median Mpps."""
    ok = {n: s for n, s in configs.items() if s["mpps"]["median"] is not None}
    return max(ok, key=lambda n: ok[n]["mpps"]["median"]) if ok else None


def fmt(v, digits=2):
    if v is None:
        return "-"
    if isinstance(v, float) and v != 0 and abs(v) < 0.01:
        return f"{v:.1e}"
    return f"{v:.{digits}f}"


def loadavg():
    try:
        return open("/proc/loadavg").read().split()[:3]
    except OSError:
        return None


def git_commit():
    """The commit measured (read-only: no git command, the HEAD file)."""
    try:
        head = open(os.path.join(ROOT, ".git", "HEAD")).read().strip()
        if head.startswith("ref: "):
            ref = head[5:]
            p = os.path.join(ROOT, ".git", ref)
            if os.path.exists(p):
                return open(p).read().strip()[:12]
            for line in open(os.path.join(ROOT, ".git", "packed-refs")):
                if line.strip().endswith(ref):
                    return line.split()[0][:12]
        return head[:12]
    except OSError:
        return None


def dpdk_version():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "dpdk"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
        return out or None
    except (OSError, subprocess.TimeoutExpired):
        return None


def print_table(opts, names, runs, sums, lat_sums, result):
    cols = [f"{side} {n}" for side, n in names]
    print(f"\n## Throughput: Mpps / frontend cycles per packet ({opts.rounds} rounds of "
          f"{opts.seconds:g} s, 64-byte frames, io forwarding)\n")
    print("| round | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for r in range(opts.rounds):
        cells = []
        for key in names:
            x = runs[key][r]
            mark = "*" if x and disturbed(x, opts) else ""
            cells.append(f"{fmt(x['mpps'])} / {fmt(x['cycles_per_pkt'], 0)}{mark}" if x
                         else "failed")
        print(f"| {r + 1} | " + " | ".join(cells) + " |")
    for label, stat_ in (("median", "median"), ("min", "min"), ("max", "max")):
        cells = []
        for key in names:
            s = sums[key]
            cells.append(f"{fmt(s['mpps'][stat_])} / {fmt(s['cycles_per_pkt'][stat_], 0)}")
        print(f"| **{label}** | " + " | ".join(cells) + " |")
    if any(x and disturbed(x, opts) for key in names for x in runs[key]):
        cells = []
        for key in names:
            ok = [x for x in runs[key] if x and not disturbed(x, opts)]
            m = summary([x["mpps"] for x in ok])["median"]
            c = summary([x["cycles_per_pkt"] for x in ok])["median"]
            cells.append(f"{fmt(m)} / {fmt(c, 0)} ({len(ok)})")
        print("| median of undisturbed runs (how many) | " + " | ".join(cells) + " |")
    cells = [fmt(sums[key]["backend_cycles_per_pkt"]["median"], 0) for key in names]
    print("| backend cycles/pkt (median) | " + " | ".join(cells) + " |")
    cells = []
    for key in names:
        fb = [busy(x) for x in runs[key] if x]
        f_ = summary([v[0] for v in fb if v[0] is not None])["median"]
        b_ = summary([v[1] for v in fb if v[1] is not None])["median"]
        cells.append(f"{fmt(f_)} / {fmt(b_)}")
    print("| busy frontend / backend (median) | " + " | ".join(cells) + " |")
    cells = []
    for key in names:
        s = sums[key]
        k, i = s.get("kicks_per_pkt"), s.get("irqs_per_pkt")
        cells.append(f"{fmt(k['median']) if k else 'n/a'} / {fmt(i['median']) if i else 'n/a'}")
    print("| PMD kicks / irqs per pkt (xstats, median) | " + " | ".join(cells) + " |")
    cells = []
    for key in names:
        n = sums[key].get("eventfd_writes_per_pkt")
        cells.append(fmt(n["median"]) if n else "n/a")
    print("| eventfd writes per pkt (median) | " + " | ".join(cells) + " |")
    if any(x and disturbed(x, opts) for key in names for x in runs[key]):
        print(f"\n\\* disturbed: a forwarding lcore had less than {opts.min_cpu_share:.0%} of "
              "its CPU over the window (another task ran there); the least disturbed of "
              f"up to {opts.retries + 1} attempts is shown")
    if lat_sums:
        print(f"\n## Round trip, one frame in flight (ns; median over rounds of each "
              f"run's percentile, {opts.rtt_count} frames a run)\n")
        print("| frontend | p50 | p99 | p99.9 | max |")
        print("|---|---|---|---|---|")
        for key in names:
            ls = lat_sums.get(key)
            if not ls:
                continue
            print(f"| {key[0]} {key[1]} | " + " | ".join(
                fmt(ls[k]["median"], 0) for k in ("p50_ns", "p99_ns", "p99_9_ns", "max_ns"))
                + " |")
    o, d = result.get("ours"), result["dpdk"]
    print()
    if o:
        ra = result["ratio"]
        print(f"ours = {o['config']} ({fmt(o['mpps']['median'])} Mpps, "
              f"{fmt(o['cycles_per_pkt']['median'], 0)} cycles/pkt), dpdk = {d['config']} "
              f"({fmt(d['mpps']['median'])} Mpps, {fmt(d['cycles_per_pkt']['median'], 0)} "
              f"cycles/pkt): ratio ours/dpdk Mpps {fmt(ra['mpps'])}, cycles/pkt "
              f"{fmt(ra['cycles_per_pkt'])}"
              + (f", RTT p50 {fmt(ra['rtt_p50'])}" if ra.get("rtt_p50") else ""))
    else:
        print(f"ours: {result.get('ours_unavailable', 'not measured')}; dpdk = {d['config']} "
              f"({fmt(d['mpps']['median'])} Mpps, {fmt(d['cycles_per_pkt']['median'], 0)} "
              "cycles/pkt)")


def plot(path, opts, names, runs):
    code = r"""
import json, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
d = json.load(sys.stdin)
fig, (a1, a2) = plt.subplots(2, 1, figsize=(8, 7), sharex=True)
for s in d["series"]:
    style = "-o" if s["side"] == "ours" else "--s"
    x = [i + 1 for i, v in enumerate(s["mpps"]) if v is not None]
    l1, = a1.plot(x, [v for v in s["mpps"] if v is not None], style, label=s["label"])
    a2.plot(x, [v for v in s["cyc"] if v is not None], style, color=l1.get_color())
    # Disturbed runs (another task on a forwarding lcore's CPU): hollow markers.
    bad = [i for i, d in enumerate(s["disturbed"]) if d and s["mpps"][i] is not None]
    for a, key in ((a1, "mpps"), (a2, "cyc")):
        a.plot([i + 1 for i in bad], [s[key][i] for i in bad], style[-1], color=l1.get_color(),
               markerfacecolor="white", linestyle="none")
a1.set_ylabel("Mpps (64 B, io fwd)")
a2.set_ylabel("frontend cycles / packet")
a2.set_xlabel("round")
a1.set_ylim(bottom=0)
a2.set_ylim(bottom=0)
a2.set_xticks(range(1, d["rounds"] + 1))
a1.legend(fontsize=8, loc="best")
if any(any(s["disturbed"]) for s in d["series"]):
    a2.annotate("hollow: a disturbed run", (0.01, 0.02), xycoords="axes fraction", fontsize=8)
a1.set_title(d["title"], fontsize=10)
for a in (a1, a2):
    a.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(d["path"], dpi=110)
"""
    series = [{"side": side, "label": f"{side} {n}",
               "mpps": [r["mpps"] if r else None for r in runs[(side, n)]],
               "cyc": [r["cycles_per_pkt"] if r else None for r in runs[(side, n)]],
               "disturbed": [bool(r and disturbed(r, opts)) for r in runs[(side, n)]]}
              for side, n in names]
    data = {"series": series, "rounds": opts.rounds, "path": os.path.abspath(path),
            "title": f"net_virtio_mmio vs DPDK virtio-user on one vhost-user backend "
                     f"({opts.seconds:g} s runs, {opts.memory})"}
    p = subprocess.run([opts.python_plot, "-c", code], input=json.dumps(data), text=True,
                       capture_output=True)
    if p.returncode != 0:
        log(f"plot failed ({opts.python_plot}):\n{p.stderr}")
        return False
    log(f"plot: {path}")
    return True


# --- main ----------------------------------------------------------------------------------------

def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="bench-vs-dpdk.sh",
        description="net_virtio_mmio against DPDK's virtio PMD (net_virtio_user: split, packed "
                    "in-order, packed vectorized) on one vhost-user backend (dpdk-testpmd "
                    "net_vhost, io forwarding, CPU 0); frontends on CPU 1, interleaved "
                    "round by round. Prints progress on stderr and a table on stdout.",
        epilog="Without --no-ours the run fails (exit 1) when net_virtio_mmio cannot probe "
               "dev=vhost:SOCK. Exit status: 0 done, 1 a frontend or the backend failed, "
               "2 usage.")
    ap.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    ap.add_argument("--seconds", type=float, default=5.0,
                    help="measured seconds per run, after 1 s of warm-up (default 5)")
    ap.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    ap.add_argument("--plot", metavar="FILE.png", help="plot Mpps and cycles/pkt per round")
    ap.add_argument("--build", metavar="DIR", default=os.path.join(ROOT, "build"),
                    help="the build folder with pmd/librte_net_virtio_mmio.so and "
                         "bench/dpdk_rtt (default: build)")
    ap.add_argument("--no-ours", action="store_true",
                    help="DPDK's configurations only (our PMD absent)")
    ap.add_argument("--ours", default="split,packed,packed_inorder",
                    help="our configurations (default all three: split, packed, "
                         "packed_inorder)")
    ap.add_argument("--dpdk", default="split,packed_inorder,packed_vec",
                    help="DPDK's configurations (default all three)")
    ap.add_argument("--memory", choices=("huge", "nohuge"), default="huge",
                    help="EAL memory for every process: huge (2 MiB hugepages, --in-memory "
                         "--single-file-segments --iova-mode=va; the default) or nohuge "
                         "(--no-huge -m MB: 4 KiB pages, IOVA as VA)")
    ap.add_argument("--mem-mb", type=int,
                    help="EAL -m per process (default 256 with hugepages, 512 without)")
    ap.add_argument("--hugepages", type=int, default=300,
                    help="--memory huge: free 2 MiB pages needed; nr_hugepages is raised "
                         "(and set back at the end) when fewer are free (default 300)")
    ap.add_argument("--rtt-count", type=int, default=200000,
                    help="round trips measured per latency run (default 200000)")
    ap.add_argument("--no-latency", action="store_true", help="skip the latency runs")
    ap.add_argument("--min-cpu-share", type=float, default=0.9,
                    help="a run whose frontend or backend forwarding lcore got less of its "
                         "CPU than this (another task ran there) is disturbed (default 0.9)")
    ap.add_argument("--retries", type=int, default=1,
                    help="times a disturbed run is repeated, the least disturbed attempt "
                         "kept (default 1); at most ROUNDS repeats in all, which keeps a "
                         "busy machine's run within about 1.3 times a quiet one's")
    ap.add_argument("--quiet-wait", type=float, default=0, metavar="S",
                    help="before each run, wait up to S seconds for both CPUs to be 85%% "
                         "idle (a shared machine's quiet spells; default 0: no wait)")
    ap.add_argument("--from-json", metavar="FILE",
                    help="print the table (and --plot) of an earlier run's --json; run nothing")
    ap.add_argument("--python-plot", default="/usr/bin/python3",
                    help="python with matplotlib (default /usr/bin/python3)")
    opts = ap.parse_args(argv)
    if opts.rounds < 1 or opts.seconds <= 0:
        ap.error("--rounds and --seconds must be positive")
    opts.ours_list = [] if opts.no_ours else [c for c in opts.ours.split(",") if c]
    opts.dpdk_list = [c for c in opts.dpdk.split(",") if c]
    for c in opts.ours_list:
        if c not in OURS_CONFIGS:
            ap.error(f"--ours: unknown configuration {c} ({', '.join(OURS_CONFIGS)})")
    for c in opts.dpdk_list:
        if c not in DPDK_CONFIGS:
            ap.error(f"--dpdk: unknown configuration {c} ({', '.join(DPDK_CONFIGS)})")
    if not opts.dpdk_list:
        ap.error("--dpdk: at least one configuration")
    if not opts.no_ours and not opts.ours_list:
        ap.error("--ours: at least one configuration (or --no-ours)")
    if opts.mem_mb is None:
        opts.mem_mb = 256 if opts.memory == "huge" else 512
    opts.build = os.path.abspath(opts.build)
    opts.plugin = os.path.join(opts.build, "pmd", "librte_net_virtio_mmio.so")
    opts.rtt_bin = os.path.join(opts.build, "bench", "dpdk_rtt")
    return opts


def check_ours(opts):
    """Which of our configurations probe on dev=vhost:SOCK; a message if none does."""
    if not os.path.exists(opts.plugin):
        return [], (f"no {opts.plugin}: build the PMD (meson setup BUILD -Dpmd=enabled; "
                    "ninja -C BUILD) and pass --build BUILD")
    ok, why = [], []
    for name in opts.ours_list:
        sock = os.path.join(state["tmp"], f"probe-{name}.sock")
        b = start_backend(opts, sock)
        vdev, eal, env = frontend_spec(opts, "ours", name, sock)
        prefix = next_prefix("probe")
        f = Child(testpmd_argv(opts, FRONTEND_LCORES, prefix, vdev, eal), f"ours {name}",
                  env=env, deadline_s=CHILD_S, prefix=prefix)
        try:
            startup = f.prompt("start-up", 30)
            if "Port 0: " in startup and "No probed ethernet devices" not in startup:
                ok.append(name)
            else:
                lines = [ln for ln in startup.splitlines()
                         if "virtio_mmio" in ln or "vhost" in ln.lower() or "EAL: " in ln
                         and "Detected" not in ln]
                why.append(f"ours {name} ({vdev}): port 0 not probed:\n  "
                           + "\n  ".join(lines[-8:] or [tail(startup, 8)]))
        except (RunError, Timeout) as e:
            why.append(f"ours {name}: {e}\n{tail(f.text, 10)}")
        f.quit(grace_s=10.0)
        shutil.rmtree(runtime_dir(prefix), ignore_errors=True)
        stop_backend(b, {})
    return ok, "\n".join(why)


def from_json(opts):
    """--from-json: the table (and --plot) of an earlier run's JSON; nothing runs."""
    with open(opts.from_json) as f:
        result = json.load(f)
    c = result["config"]
    opts.rounds, opts.seconds = c["rounds"], c["seconds"]
    opts.rtt_count = c.get("rtt_count")
    opts.memory = c.get("memory_mode", opts.memory)
    opts.min_cpu_share = c.get("min_cpu_share", opts.min_cpu_share)
    opts.retries = c.get("retries", opts.retries)
    names = ([("ours", n) for n in result["ours_configs"]]
             + [("dpdk", n) for n in result["dpdk_configs"]])
    sums = {k: result[f"{k[0]}_configs"][k[1]] for k in names}
    runs = {k: sums[k]["runs"] for k in names}
    lat_sums = {k: sums[k]["latency_ns"] for k in names if sums[k].get("latency_ns")}
    print_table(opts, names, runs, sums, lat_sums, result)
    if opts.plot:
        plot(opts.plot, opts, names, runs)
    return 0


def main(argv):
    opts = parse_args(argv)
    if opts.from_json:
        return from_json(opts)
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)
    atexit.register(cleanup)
    if not os.access(TESTPMD, os.X_OK) or not shutil.which("stdbuf"):
        sys.exit(f"{PROG}: {TESTPMD} or stdbuf not found (scripts/setup-deps.sh installs them)")
    if os.cpu_count() < 2:
        sys.exit(f"{PROG}: needs 2 CPUs (backend on CPU 0, frontend on CPU 1)")
    if not opts.no_latency and not os.access(opts.rtt_bin, os.X_OK):
        sys.exit(f"{PROG}: no {opts.rtt_bin} (built with -Dpmd=enabled); or --no-latency")
    # Sockets and EAL's files in a private 0700 folder (not world-writable /tmp).
    state["tmp"] = tempfile.mkdtemp(prefix="vmmio-bench-vs-dpdk.")
    if opts.memory == "huge":
        setup_hugepages(opts)
    mem_desc = ("--no-huge -m %d (4 KiB pages, memfd-backed so vhost-user can map it; IOVA as "
                "VA)" % opts.mem_mb if opts.memory == "nohuge" else
                "2 MiB hugepages, --in-memory --single-file-segments --iova-mode=va -m %d"
                % opts.mem_mb)
    log(f"memory: {mem_desc}, the same for the backend and every frontend")

    ours_unavailable = None
    ours_ok = []
    if not opts.no_ours:
        ours_ok, why = check_ours(opts)
        if not ours_ok:
            log(f"ours unavailable: {why}")
            if "no such bus" in why:
                log(f"the vhost bus is not built in: meson configure {opts.build} "
                    "-Dbuses=sim,uio,mem,vhost; ninja -C " + opts.build)
            log("net_virtio_mmio cannot run on dev=vhost: here; rerun with --no-ours for "
                "DPDK's figures alone")
            return 1
        if why:
            log(f"ours: skipped what does not probe: {why}")
            ours_unavailable = why
        log(f"ours: {', '.join(ours_ok)} probe on dev=vhost:")
    names = [("ours", n) for n in ours_ok] + [("dpdk", n) for n in opts.dpdk_list]
    runs = {k: [None] * opts.rounds for k in names}
    lats = {k: [None] * opts.rounds for k in names}
    failures = []
    load_before = loadavg()
    retries_left = opts.rounds
    start = time.monotonic()
    for r in range(opts.rounds):
        # Rotate the order: no configuration always first (or last) in a round.
        order = names[r % len(names):] + names[:r % len(names)]
        for key in order:
            side, name = key
            for attempt in range(opts.retries + 1):
                idle = wait_quiet(opts)
                try:
                    x = throughput_run(opts, side, name)
                except (RunError, Timeout) as e:
                    failures.append(f"round {r + 1} {side} {name}: {e}")
                    log(f"round {r + 1}/{opts.rounds}: {side} {name} FAILED: {e}")
                    break
                x["attempt"] = attempt + 1
                if idle is not None:
                    x["cpu_idle_before"] = idle
                log(f"round {r + 1}/{opts.rounds}: {side} {name} {x['mpps']:.2f} Mpps "
                    f"{x['cycles_per_pkt']:.0f} cycles/pkt" + run_details(x))
                if runs[key][r] is None or undisturbed(x) > undisturbed(runs[key][r]):
                    runs[key][r] = x
                if not disturbed(x, opts):
                    break
                if attempt < opts.retries and retries_left > 0:
                    retries_left -= 1
                    log(f"round {r + 1}/{opts.rounds}: {side} {name}: disturbed (another task "
                        f"took CPU time from a forwarding lcore): again")
                else:
                    break
        if not opts.no_latency:
            for key in order:
                side, name = key
                try:
                    x = latency_run(opts, side, name)
                    lats[key][r] = x
                    log(f"round {r + 1}/{opts.rounds}: {side} {name} round trip p50 "
                        f"{x['p50_ns']:.0f} ns, p99 {x['p99_ns']:.0f}, p99.9 "
                        f"{x['p99_9_ns']:.0f}, max {x['max_ns']:.0f}")
                except (RunError, Timeout) as e:
                    failures.append(f"round {r + 1} {side} {name} latency: {e}")
                    log(f"round {r + 1}/{opts.rounds}: {side} {name} latency FAILED: {e}")
    elapsed = time.monotonic() - start

    sums = {k: config_summary(runs[k], None if opts.no_latency else lats[k], k[1])
            for k in names}
    lat_sums = {k: sums[k]["latency_ns"] for k in names if "latency_ns" in sums[k]}
    ours_configs = {n: sums[("ours", n)] for n in ours_ok}
    dpdk_configs = {n: sums[("dpdk", n)] for n in opts.dpdk_list}
    tsc = next((x["tsc_mhz"] for k in names for x in runs[k] if x and x.get("tsc_mhz")), None)
    result = {
        "dpdk_configs": dpdk_configs,
        "ours_configs": ours_configs,
        "config": {
            "rounds": opts.rounds, "seconds": opts.seconds, "warmup_seconds": WARMUP_S,
            "cpus": {"backend": "CPU 0 (--lcores " + BACKEND_LCORES + ")",
                     "frontend": "CPU 1 (--lcores " + FRONTEND_LCORES + ")"},
            "memory": mem_desc, "memory_mode": opts.memory,
            "frame_bytes": 64, "in_flight": "start tx_first 32 (32 bursts of 32)",
            "mbufs_per_process": MBUFS, "tsc_mhz": tsc,
            "dpdk_version": dpdk_version(), "commit": git_commit(),
            "build": opts.build, "rtt_count": None if opts.no_latency else opts.rtt_count,
            "elapsed_s": round(elapsed, 1),
            "min_cpu_share": opts.min_cpu_share, "retries": opts.retries,
            "quiet_wait_s": opts.quiet_wait,
            # Other work on the machine moves every figure: what was running.
            "loadavg_before": load_before, "loadavg_after": loadavg(),
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
        "failures": failures,
    }
    db = best(dpdk_configs)
    result["dpdk"] = dpdk_configs[db] if db else None
    ob = best(ours_configs)
    result["ours"] = ours_configs[ob] if ob else None
    if ours_unavailable:
        result["ours_unavailable"] = ours_unavailable
    if opts.no_ours:
        result["ours_unavailable"] = "not measured (--no-ours)"
    if result["ours"] and result["dpdk"]:
        o, d = result["ours"], result["dpdk"]
        ratio = {"mpps": o["mpps"]["median"] / d["mpps"]["median"],
                 "cycles_per_pkt": o["cycles_per_pkt"]["median"] / d["cycles_per_pkt"]["median"]}
        if o.get("latency_ns") and d.get("latency_ns") and o["latency_ns"]["p50_ns"]["median"] \
                and d["latency_ns"]["p50_ns"]["median"]:
            ratio["rtt_p50"] = (o["latency_ns"]["p50_ns"]["median"]
                                / d["latency_ns"]["p50_ns"]["median"])
        result["ratio"] = ratio
    else:
        result["ratio"] = None
    # Latency of every configuration, and of the two best.
    result["latency"] = {f"{side} {n}": lat_sums[(side, n)] for side, n in names
                         if (side, n) in lat_sums}
    if result["dpdk"] is None:
        log("no DPDK configuration produced a figure")
        for f_ in failures:
            log(f_)
        if opts.json:
            with open(opts.json, "w") as f:
                json.dump(result, f, indent=2)
        return 1
    print_table(opts, names, runs, sums, lat_sums, result)
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
        log(f"json: {opts.json}")
    if opts.plot:
        plot(opts.plot, opts, names, runs)
    log(f"{elapsed:.0f} s")
    if failures:
        log(f"{len(failures)} run(s) failed:")
        for f_ in failures:
            log(f_.splitlines()[0])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
