# SPDX-License-Identifier: BSD-3-Clause
"""Driving Debian's dpdk-testpmd from Python: one process in interactive mode
(`-i`), commands written to its stdin once the previous prompt is out, each
command's output what comes between two prompts, everything within a
deadline; and the parsers of what testpmd prints. Used by the pmd and vhost
suites and by scripts/bench_vs_dpdk.py.

Every process started here is registered in `live` and dies with the caller
(PR_SET_PDEATHSIG); kill_live() is the signal handler's.
"""
import os
import re
import select
import shutil
import signal
import stat
import subprocess
import sys
import time

TESTPMD = os.environ.get("VMMIO_TESTPMD", "/usr/bin/dpdk-testpmd")
PROMPT = b"testpmd> "

live = []  # the Popen of every testpmd running, for kill_live()


class Timeout(Exception):
    pass


def insecure_path(path):
    """Whether EAL would refuse to load @path: it refuses a plugin below a
    world-writable directory (eal_common_options.c, verify_perms())."""
    d = os.path.dirname(os.path.realpath(path))
    while True:
        try:
            if os.stat(d).st_mode & stat.S_IWOTH:
                return True
        except OSError:
            return True
        if d == "/":
            return False
        d = os.path.dirname(d)


def plugin_args(plugin, env):
    """The -d arguments that load @plugin (None: none), adding to @env what
    a plugin below a world-writable directory needs: EAL then loads a bare
    name through the dynamic loader's LD_LIBRARY_PATH."""
    if plugin is None:
        return []
    if insecure_path(plugin):
        env["LD_LIBRARY_PATH"] = os.path.dirname(os.path.realpath(plugin)) + (
            ":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
        plugin = os.path.basename(plugin)
    return ["-d", plugin]


def runtime_dir(prefix):
    """Where EAL puts the files of --file-prefix @prefix (eal_create_runtime_dir())."""
    base = "/var/run" if os.geteuid() == 0 else os.environ.get("XDG_RUNTIME_DIR", "/tmp")
    return os.path.join(base, "dpdk", prefix)


def set_pdeathsig():
    """In the child before exec: die with the caller (no testpmd left behind
    if the caller itself is killed)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 -- best effort; kill_live() also kills
        pass


class Child:
    """A child process whose output is collected without blocking (stdout and
    stderr together), named @name in messages; a testpmd is driven prompt by
    prompt. @deadline_s: how long it may live, start to exit (None: no
    limit, each wait then has its own timeout); @prefix: its EAL
    --file-prefix, whose runtime files go at close."""

    def __init__(self, argv, name="testpmd", env=None, stdin=True, deadline_s=None,
                 prefix=None):
        self.argv = argv
        self.name = name
        self.prefix = prefix
        self.deadline_s = deadline_s
        self.deadline = float("inf") if deadline_s is None else time.monotonic() + deadline_s
        self.buf = b""
        self.mark = 0  # where the output after the last prompt seen starts
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                                  cwd="/", preexec_fn=set_pdeathsig)
        live.append(self.p)
        os.set_blocking(self.p.stdout.fileno(), False)

    @property
    def text(self):
        return self.buf.decode("utf-8", "replace")

    @property
    def pid(self):
        return self.p.pid

    def command_line(self):
        return " ".join(a if re.fullmatch(r"[\w=,./:@+-]+", a) else f"'{a}'" for a in self.argv)

    def read(self, until):
        """Take what the child wrote, waiting at most until @until; False at EOF."""
        fd = self.p.stdout.fileno()
        r, _, _ = select.select([fd], [], [], max(0.0, until - time.monotonic()))
        if not r:
            return True
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return True
        if not chunk:
            return False
        self.buf += chunk
        return True

    def prompt(self, what, timeout=None):
        """Wait for the next prompt (at most @timeout s, and never past the
        deadline); return the output before it."""
        until = self.deadline if timeout is None else min(self.deadline,
                                                          time.monotonic() + timeout)
        while True:
            i = self.buf.find(PROMPT, self.mark)
            if i >= 0:
                out = self.buf[self.mark:i].decode("utf-8", "replace")
                self.mark = i + len(PROMPT)
                return out
            if time.monotonic() >= until:
                raise Timeout(f"{self.name}: no prompt after {what} "
                              + (f"before its deadline ({self.deadline_s:g} s from the start)"
                                 if timeout is None else f"within {timeout:g} s"))
            if not self.read(until) and self.p.poll() is not None:
                raise Timeout(f"{self.name}: exited (status {self.p.returncode}) after {what}")

    def cmd(self, line, timeout=None):
        """Run one command; its output (after the echo of the command)."""
        try:
            self.p.stdin.write((line + "\n").encode())
            self.p.stdin.flush()
        except (BrokenPipeError, ValueError):
            raise Timeout(f"{self.name}: exited before '{line}'") from None
        out = self.prompt(f"'{line}'", timeout)
        return out.split("\n", 1)[1] if out.startswith(line) and "\n" in out else out

    def wait_exit(self, timeout):
        """Collect the output until the child exits, at most @timeout s; its
        status, None while it still runs."""
        until = time.monotonic() + timeout
        while self.read(until) and time.monotonic() < until:
            pass
        try:
            self.p.wait(timeout=max(0.0, until - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        while self.read(time.monotonic()) and select.select([self.p.stdout], [], [], 0)[0]:
            pass  # what is left in the pipe
        return self.p.poll()

    def quit(self, grace_s=None):
        """`quit` (or EOF), then wait for the exit: until the deadline, and
        at least a second even when it has passed; with @grace_s, at most
        that long. Killed after that. Its status."""
        if grace_s is not None:
            self.deadline = min(self.deadline, time.monotonic() + grace_s)
        if self.p.stdin:
            try:
                self.p.stdin.write(b"quit\n")
                self.p.stdin.close()
            except (BrokenPipeError, ValueError, OSError):
                pass
        until = max(self.deadline, time.monotonic() + 1.0)
        if self.wait_exit(until - time.monotonic()) is None:
            self.buf += f"\n[{self.name} killed at its deadline]\n".encode()
        self.close()
        return self.p.returncode

    def close(self):
        """Kill it if it still runs, collect it, remove its runtime files."""
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        if self.p in live:
            live.remove(self.p)
        for f in (self.p.stdin, self.p.stdout):
            try:
                if f:
                    f.close()
            except (OSError, ValueError):
                pass
        if self.prefix:
            shutil.rmtree(runtime_dir(self.prefix), ignore_errors=True)


class Testpmd(Child):
    """`stdbuf -oL dpdk-testpmd <eal> --file-prefix=<prefix> -- -i <app>`.
    stdbuf -oL: testpmd's printf output goes out a line at a time, so the
    prompts (written straight to the fd) fall between lines."""

    def __init__(self, eal, app, prefix, deadline_s, env=None, name="testpmd"):
        super().__init__(["stdbuf", "-oL", TESTPMD, *eal, f"--file-prefix={prefix}",
                          "--", "-i", *app], name, env, True, deadline_s, prefix)


def kill_live(signum=None, frame=None):
    """Kill every testpmd still running; from a signal handler, exit 128+signum."""
    for p in list(live):
        if p.poll() is None:
            p.kill()
            p.wait()
    if signum is not None:
        sys.exit(128 + signum)


# --- what testpmd prints ---------------------------------------------------------------

def num(pattern, text):
    m = re.search(pattern, text)
    return int(m.group(1)) if m else None


def port_stats(text):
    """`show port stats 0`: the NIC counters, or None."""
    m = re.search(r"NIC statistics for port 0.*?"
                  r"RX-packets:\s*(\d+)\s+RX-missed:\s*(\d+)\s+RX-bytes:\s*(\d+)\s+"
                  r"RX-errors:\s*(\d+)\s+RX-nombuf:\s*(\d+)\s+"
                  r"TX-packets:\s*(\d+)\s+TX-errors:\s*(\d+)\s+TX-bytes:\s*(\d+)", text, re.S)
    if not m:
        return None
    keys = ["rx", "rx_missed", "rx_bytes", "rx_errors", "rx_nombuf", "tx", "tx_errors",
            "tx_bytes"]
    return dict(zip(keys, map(int, m.groups())))


def fwd_stats(text):
    """The `Forward statistics for port 0` block of a `stop`, or None."""
    m = re.search(r"Forward statistics for port 0\s*-+\s*"
                  r"RX-packets:\s*(\d+)\s+RX-dropped:\s*(\d+)\s+RX-total:\s*(\d+)\s+"
                  r"TX-packets:\s*(\d+)\s+TX-dropped:\s*(\d+)\s+TX-total:\s*(\d+)", text)
    if not m:
        return None
    return dict(zip(["rx", "rx_dropped", "rx_total", "tx", "tx_dropped", "tx_total"],
                    map(int, m.groups())))


def xstats(text):
    """`show port xstats 0`: name -> value."""
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"^(\w+): (\d+)$", text, re.M)}
