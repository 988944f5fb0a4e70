#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""TAP test of apps/vmmio-devbind against fake sysfs/procfs/dev trees.

Each case builds a tree in a temporary directory (VMMIO_DEVBIND_ROOT): ACPI,
device tree and command-line virtio-mmio devices, bound to virtio-mmio, to
uio_vmmio, or to nothing, with /proc/iomem, /proc/interrupts, /proc/cmdline
and a sparse /dev/mem holding register windows. A fake tree's files do
nothing when written, so this same file also plays the kernel
(VMMIO_DEVBIND_KERNEL runs "fake-kernel write PATH VALUE"): it logs each
write, applies what the kernel would (unbind removes the driver link,
drivers_probe binds by driver_override or the ACPI id, a driver's bind file
returns the probe's errno), and fails writes or probes on request. modprobe,
insmod and hugeadm are fakes on PATH that log too. The cases check the
listing, the writes and their order, restore after a failed bind, and the
errors.

usage: test_vmmio_devbind.py PATH/TO/vmmio-devbind
       test_vmmio_devbind.py fake-kernel|fake-prog ...   (called by the tool)
"""
import json
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))
from taplib import Tap  # noqa: E402

FIXTURES = os.path.join(HERE, "fixtures", "devbind")
MAGIC = 0x74726976
QEMU = 0x554D4551
DEVS = "sys/bus/platform/devices"
DRVS = "sys/bus/platform/drivers"


# --- the fake kernel: runs inside the tool's hook and fake programs -------

def state(root, name, default):
    try:
        with open(os.path.join(root, ".fake", name)) as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def log(root, *entry):
    with open(os.path.join(root, ".fake", "log"), "a") as f:
        f.write(json.dumps(list(entry)) + "\n")


def put(path, text, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(text)


def regs(version, device_id, vendor=QEMU, magic=MAGIC):
    return struct.pack("<4I", magic, version, device_id, vendor)


def driver_of(root, dev):
    link = os.path.join(root, DEVS, dev, "driver")
    return os.path.basename(os.readlink(link)) if os.path.islink(link) else ""


def attach(root, dev, drv):
    """What a successful probe leaves in sysfs."""
    d = os.path.join(root, DEVS, dev)
    os.symlink(f"../../../bus/platform/drivers/{drv}", os.path.join(d, "driver"))
    device_id, version = state(root, "ids.json", {}).get(dev, [1, 2])
    if drv == "virtio-mmio":
        n = 0
        while any(os.path.exists(os.path.join(root, DEVS, x, f"virtio{n}"))
                  for x in os.listdir(os.path.join(root, DEVS))):
            n += 1
        v = os.path.join(d, f"virtio{n}")
        put(os.path.join(v, "device"), f"0x{device_id:04x}\n")
        put(os.path.join(v, "vendor"), f"0x{QEMU:08x}\n")
        feats = ["0"] * 64
        feats[32] = "1" if version == 2 else "0"
        put(os.path.join(v, "features"), "".join(feats) + "\n")
        os.symlink("../../../../bus/virtio/drivers/virtio_net", os.path.join(v, "driver"))
    elif drv == "uio_vmmio":
        n = 0
        while os.path.exists(os.path.join(root, "dev", f"uio{n}")):
            n += 1
        base = state(root, "bases.json", {})[dev]
        m = os.path.join(d, "uio", f"uio{n}", "maps", "map0")
        put(os.path.join(m, "addr"), f"0x{base & ~0xfff:016x}\n")
        put(os.path.join(m, "size"), "0x0000000000000200\n")
        put(os.path.join(m, "offset"), f"0x{base & 0xfff:x}\n")
        put(os.path.join(d, "uio", f"uio{n}", "name"), "uio_vmmio\n")
        with open(os.path.join(root, "dev", f"uio{n}"), "wb") as f:
            f.seek(base & 0xfff)
            f.write(regs(version, device_id))
            f.truncate(4096)


def detach(root, dev):
    d = os.path.join(root, DEVS, dev)
    os.unlink(os.path.join(d, "driver"))
    for x in os.listdir(d):
        if x.startswith("virtio"):
            shutil.rmtree(os.path.join(d, x))
    if os.path.isdir(os.path.join(d, "uio")):
        for u in os.listdir(os.path.join(d, "uio")):
            os.unlink(os.path.join(root, "dev", u))
        shutil.rmtree(os.path.join(d, "uio"))


def override_of(root, dev):
    with open(os.path.join(root, DEVS, dev, "driver_override")) as f:
        v = f.read().strip()
    return "" if v == "(null)" else v


def probe(root, dev, drv):
    """0 when @drv took @dev, else the errno its probe returned."""
    err = state(root, "refuse.json", {}).get(f"{drv}/{dev}")
    if err:
        return err
    attach(root, dev, drv)
    return 0


def fake_kernel(argv):
    root = os.environ["VMMIO_DEVBIND_ROOT"]
    op = argv[0]
    log(root, op, *argv[1:])
    if op == "mount":
        fstype, target, opts = argv[1:4]
        put(os.path.join(root, "proc/mounts"), f"nodev {target} {fstype} rw,{opts} 0 0\n", "a")
        return 0
    path, value = argv[1], argv[2]
    err = state(root, "fail.json", {}).get(path)
    if err:
        return err
    rel = path.lstrip("/")
    parts = rel.split("/")
    dev = value.strip()
    if rel.startswith(DRVS + "/") and parts[-1] in ("unbind", "bind"):
        drv = parts[-2]
        if not os.path.isdir(os.path.join(root, DEVS, dev)):
            return 19
        if parts[-1] == "unbind":
            if driver_of(root, dev) != drv:
                return 19
            detach(root, dev)
            return 0
        if driver_of(root, dev):
            return 16
        ov = override_of(root, dev)
        if ov and ov != drv:
            return 19
        return probe(root, dev, drv)
    if rel == "sys/bus/platform/drivers_probe":
        if not os.path.isdir(os.path.join(root, DEVS, dev)):
            return 19
        if driver_of(root, dev):
            return 0
        drv = override_of(root, dev) or "virtio-mmio"  # the ACPI id matches virtio-mmio
        if os.path.isdir(os.path.join(root, DRVS, drv)):
            probe(root, dev, drv)  # drivers_probe swallows probe errors
        return 0
    if rel.endswith("/driver_override"):
        v = value.split("\n")[0]
        put(os.path.join(root, rel), (v or "(null)") + "\n")
        return 0
    if rel.endswith("/nr_hugepages"):
        have = min(int(value), state(root, "hugepages_max.json", 1 << 20))
        put(os.path.join(root, rel), f"{have}\n")
        return 0
    put(os.path.join(root, rel), value)
    return 0


MODULE_DRIVERS = {"uio_vmmio": DRVS + "/uio_vmmio", "virtio_mmio": DRVS + "/virtio-mmio",
                  "uio": "sys/module/uio"}


def fake_prog(argv):
    root = os.environ["VMMIO_DEVBIND_ROOT"]
    prog, args = argv[0], argv[1:]
    log(root, prog, *args)
    if prog == "modprobe":
        mod = args[-1]
        if mod not in state(root, "modules.json", []):
            if "-q" not in args:
                print(f"modprobe: FATAL: Module {mod} not found", file=sys.stderr)
            return 1
        os.makedirs(os.path.join(root, MODULE_DRIVERS[mod]), exist_ok=True)
        return 0
    if prog == "insmod":
        mod = os.path.basename(args[0]).removesuffix(".ko")
        if not os.path.isdir(os.path.join(root, "sys/module/uio")):
            print("insmod: ERROR: Unknown symbol in module", file=sys.stderr)
            return 1
        os.makedirs(os.path.join(root, MODULE_DRIVERS[mod]), exist_ok=True)
        return 0
    if prog == "hugeadm":
        n = int(args[1].split(":")[1])
        return fake_kernel(["write", "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages",
                            str(n)])
    return 127


# --- building trees --------------------------------------------------------

class Tree:
    """A fake machine: devices, drivers, procfs, /dev/mem."""

    def __init__(self, tmp, hugeadm=True):
        self.root = os.path.join(tmp, "root")
        self.bin = os.path.join(tmp, "bin")
        os.makedirs(os.path.join(self.root, ".fake"))
        os.makedirs(os.path.join(self.root, DRVS, "virtio-mmio"))
        os.makedirs(os.path.join(self.root, DEVS))
        os.makedirs(os.path.join(self.root, "dev"))
        os.makedirs(self.bin)
        put(os.path.join(self.root, "sys/bus/platform/drivers_probe"), "")
        put(os.path.join(self.root, ".fake/log"), "")
        os.makedirs(os.path.join(self.root, "proc"))
        for name in ["iomem", "interrupts", "cmdline"]:
            shutil.copy(os.path.join(FIXTURES, name), os.path.join(self.root, "proc", name))
        put(os.path.join(self.root, "proc/mounts"), "proc /proc proc rw 0 0\n")
        hp = os.path.join(self.root, "sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages")
        put(hp, "0\n")
        self.bases, self.ids = {}, {}
        self.mem = os.path.join(self.root, "dev/mem")
        open(self.mem, "wb").close()
        me = os.path.abspath(__file__)
        self.hook = self._script("fake-kernel", f'exec "{sys.executable}" "{me}" fake-kernel "$@"')
        for prog in ["modprobe", "insmod"] + (["hugeadm"] if hugeadm else []):
            self._script(prog, f'exec "{sys.executable}" "{me}" fake-prog {prog} "$@"',
                         self.bin)

    def _script(self, name, body, where=None):
        path = os.path.join(where or os.path.dirname(self.root), name)
        put(path, f"#!/bin/sh\n{body}\n")
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        return path

    def fake(self, name, value):
        put(os.path.join(self.root, ".fake", name), json.dumps(value))

    def device(self, name, fw, base, device_id=1, version=2, driver="", magic=MAGIC):
        d = os.path.join(self.root, DEVS, name)
        os.makedirs(d)
        put(os.path.join(d, "driver_override"), "(null)\n")
        if fw == "acpi":
            put(os.path.join(d, "modalias"), "acpi:LNRO0005:\n")
            fn = os.path.join(self.root, "sys/devices/LNXSYSTM:00/LNXSYBUS:00", name)
            put(os.path.join(fn, "hid"), "LNRO0005\n")
            os.symlink(fn, os.path.join(d, "firmware_node"))
        elif fw == "dt":
            node = os.path.join(self.root, "sys/firmware/devicetree/base",
                                f"virtio_mmio@{base:x}")
            put(os.path.join(node, "compatible"), "virtio,mmio\0")
            os.symlink(node, os.path.join(d, "of_node"))
            put(os.path.join(d, "modalias"), "of:Nvirtio_mmioT(null)Cvirtio,mmio\n")
        else:
            put(os.path.join(d, "modalias"), "platform:virtio-mmio\n")
        self.bases[name] = base
        self.ids[name] = [device_id, version]
        self.fake("bases.json", self.bases)
        self.fake("ids.json", self.ids)
        with open(self.mem, "r+b") as f:
            f.seek(base)
            f.write(regs(version, device_id, magic=magic))
            f.seek(0, 2)
            if f.tell() < (base | 0xfff) + 1:
                f.truncate((base | 0xfff) + 1)
        if driver:
            os.makedirs(os.path.join(self.root, DRVS, driver), exist_ok=True)
            attach(self.root, name, driver)
            if driver == "uio_vmmio":  # bound through driver_override
                put(os.path.join(d, "driver_override"), "uio_vmmio\n")
        return d

    def other(self, name):
        d = os.path.join(self.root, DEVS, name)
        put(os.path.join(d, "modalias"), f"platform:{name}\n")
        put(os.path.join(d, "driver_override"), "(null)\n")

    def run(self, tool, *args, hook=True):
        env = {"PATH": self.bin, "VMMIO_DEVBIND_ROOT": self.root}
        if hook:
            env["VMMIO_DEVBIND_KERNEL"] = self.hook
        p = subprocess.run([tool, *args], capture_output=True, text=True, env=env, timeout=60)
        return p.returncode, p.stdout, p.stderr

    def log(self):
        with open(os.path.join(self.root, ".fake/log")) as f:
            return [json.loads(line) for line in f if line.strip()]

    def writes(self):
        return [(e[1], e[2]) for e in self.log() if e[0] == "write"]

    def driver(self, dev):
        return driver_of(self.root, dev)

    def override(self, dev):
        return override_of(self.root, dev)


def machine(tmp, **kw):
    """The standard fake machine (see fixtures/devbind/iomem)."""
    t = Tree(tmp, **kw)
    t.device("LNRO0005:17", "acpi", 0xFEB02E00, device_id=1, version=2, driver="virtio-mmio")
    t.device("LNRO0005:16", "acpi", 0xFEB02C00, device_id=2, version=1, driver="uio_vmmio")
    t.device("LNRO0005:00", "acpi", 0xFEB00000, device_id=3, version=2)
    t.device("LNRO0005:01", "acpi", 0xFEB00200, magic=0xDEADBEEF)
    t.device("a000000.virtio_mmio", "dt", 0xA000000, device_id=4, version=1)
    t.device("virtio-mmio.0", "cmdline", 0xD0000000, device_id=0)
    t.other("serial8250")
    return t


def line_of(out, name):
    for line in out.splitlines():
        if line.startswith(name + " "):
            return line
    return ""


def section_of(out, name):
    section = ""
    for line in out.splitlines():
        if line.startswith("Devices "):
            section = line
        elif line.startswith(name + " "):
            return section
    return ""


# --- the cases ---------------------------------------------------------------

def case_status(t, tool):
    with tempfile.TemporaryDirectory() as tmp:
        m = machine(tmp)
        rc, out, err = m.run(tool, "--status")
        t.ok(rc == 0, "status: exit 0", f"exit {rc}\n{out}\n{err}")
        exp = {
            "LNRO0005:17": ("Devices using the kernel driver",
                            ["'net' id=1", "version=2 (modern)", "vendor=QEMU",
                             "window=0xfeb02e00+0x200", "irq=49", "drv=virtio-mmio",
                             "virtio=virtio0", "fw=acpi"]),
            "LNRO0005:16": ("Devices using a UIO driver",
                            ["'blk' id=2", "version=1 (legacy)", "window=0xfeb02c00+0x200",
                             "irq=48", "drv=uio_vmmio", "uio=/dev/uio0", "fw=acpi"]),
            "LNRO0005:00": ("Devices with no driver",
                            ["'console' id=3", "version=2 (modern)",
                             "window=0xfeb00000+0x200", "irq=?", "fw=acpi"]),
            "LNRO0005:01": ("Devices with no driver",
                            ["'?'", "MagicValue 0xdeadbeef", "window=0xfeb00200+0x200"]),
            "a000000.virtio_mmio": ("Devices with no driver",
                                    ["'rng' id=4", "version=1 (legacy)",
                                     "window=0xa000000+0x200", "fw=dt"]),
            "virtio-mmio.0": ("Devices with no driver",
                              ["'empty' id=0", "window=0xd0000000+0x1000", "irq=5",
                               "fw=cmdline"]),
        }
        for name, (section, words) in exp.items():
            line = line_of(out, name)
            missing = [w for w in words if w not in line]
            t.ok(line and not missing and section_of(out, name) == section,
                 f"status: {name} under \"{section}\" with {', '.join(words[:2])}",
                 f"missing {missing} in {line!r}, section {section_of(out, name)!r}\n{out}")
        t.ok("serial8250" not in out, "status: other platform devices are not listed", out)
        t.ok(m.writes() == [], "status: writes nothing", str(m.log()))

        rc, out, err = m.run(tool, "--status", "--json")
        try:
            doc = {d["name"]: d for d in json.loads(out)["devices"]}
        except (ValueError, KeyError) as e:
            t.ok(False, "status --json: parses", f"{e}\n{out}\n{err}")
            return
        net, blk, bad = doc["LNRO0005:17"], doc["LNRO0005:16"], doc["LNRO0005:01"]
        t.ok(rc == 0 and len(doc) == 6 and net["type"] == "net" and net["version"] == 2
             and net["irq"] == 49 and net["base"] == "0xfeb02e00" and net["size"] == 512
             and blk["uio"] == "/dev/uio0" and blk["driver"] == "uio_vmmio"
             and blk["version"] == 1 and bad["device_id"] is None and "MagicValue" in bad["error"]
             and doc["virtio-mmio.0"]["firmware"] == "cmdline",
             "status --json: every device with its fields", out)


def case_devmem_refused(t, tool):
    with tempfile.TemporaryDirectory() as tmp:
        m = machine(tmp)
        os.unlink(m.mem)
        os.mkdir(m.mem)  # mmap refuses, as the kernel does under IO_STRICT_DEVMEM
        rc, out, err = m.run(tool, "--status")
        line = line_of(out, "LNRO0005:00")
        t.ok(rc == 0 and "'?'" in line and "/dev/mem" in line and "type unknown" in line
             and "'net'" in line_of(out, "LNRO0005:17") and "'blk'" in line_of(out, "LNRO0005:16"),
             "status: a /dev/mem refusal is said in the line, the listing goes on",
             f"exit {rc}\n{out}\n{err}")


def case_bind(t, tool):
    with tempfile.TemporaryDirectory() as tmp:
        m = machine(tmp)
        rc, out, err = m.run(tool, "--bind", "uio_vmmio", "LNRO0005:17")
        exp = [("/sys/bus/platform/drivers/virtio-mmio/unbind", "LNRO0005:17"),
               ("/sys/bus/platform/devices/LNRO0005:17/driver_override", "uio_vmmio"),
               ("/sys/bus/platform/drivers_probe", "LNRO0005:17")]
        t.ok(rc == 0 and m.driver("LNRO0005:17") == "uio_vmmio" and "/dev/uio1" in out,
             "bind virtio-mmio -> uio_vmmio: bound, /dev/uio1 named",
             f"exit {rc}\n{out}\n{err}")
        t.ok(m.writes() == exp, "bind: unbind, driver_override, drivers_probe, in that order",
             f"{m.writes()}")
        t.ok(m.override("LNRO0005:17") == "uio_vmmio",
             "bind uio_vmmio: driver_override stays uio_vmmio")

    with tempfile.TemporaryDirectory() as tmp:
        m = machine(tmp)
        rc, out, err = m.run(tool, "--bind", "virtio-mmio", "LNRO0005:16")
        exp = [("/sys/bus/platform/drivers/uio_vmmio/unbind", "LNRO0005:16"),
               ("/sys/bus/platform/devices/LNRO0005:16/driver_override", "virtio-mmio"),
               ("/sys/bus/platform/drivers_probe", "LNRO0005:16"),
               ("/sys/bus/platform/devices/LNRO0005:16/driver_override", "\n")]
        t.ok(rc == 0 and m.driver("LNRO0005:16") == "virtio-mmio" and m.writes() == exp
             and m.override("LNRO0005:16") == "",
             "bind uio_vmmio -> virtio-mmio: the same steps, then driver_override cleared",
             f"exit {rc}\n{out}\n{err}\n{m.writes()}")
        rc, out, err = m.run(tool, "--status")
        t.ok("drv=virtio-mmio" in line_of(out, "LNRO0005:16")
             and section_of(out, "LNRO0005:16") == "Devices using the kernel driver"
             and not os.path.exists(os.path.join(m.root, "dev/uio0")),
             "bind virtio-mmio: status shows it under the kernel driver", out)

    with tempfile.TemporaryDirectory() as tmp:
        m = machine(tmp)
        rc, out, err = m.run(tool, "--bind", "uio_vmmio", "0xfeb00000")
        exp = [("/sys/bus/platform/devices/LNRO0005:00/driver_override", "uio_vmmio"),
               ("/sys/bus/platform/drivers_probe", "LNRO0005:00")]
        t.ok(rc == 0 and m.driver("LNRO0005:00") == "uio_vmmio" and m.writes() == exp,
             "bind by window base 0xfeb00000: an unbound device, no unbind write",
             f"exit {rc}\n{out}\n{err}\n{m.writes()}")
        rc, out, err = m.run(tool, "--status")
        t.ok("'console' id=3" in line_of(out, "LNRO0005:00")
             and "uio=/dev/uio1" in line_of(out, "LNRO0005:00"),
             "bind by base: status reads its type through the new /dev/uio1", out)

    with tempfile.TemporaryDirectory() as tmp:
        m = machine(tmp)
        rc, out, err = m.run(tool, "--bind", "virtio-mmio", "LNRO0005:17")
        t.ok(rc == 0 and "already bound" in out and m.writes() == [],
             "bind to the current driver: says so, writes nothing", f"exit {rc}\n{out}\n{err}")


def case_restore(t, tool):
    with tempfile.TemporaryDirectory() as tmp:
        m = machine(tmp)
        m.fake("refuse.json", {"uio_vmmio/LNRO0005:17": 16})
        rc, out, err = m.run(tool, "--bind", "uio_vmmio", "LNRO0005:17")
        w = m.writes()
        exp_tail = [("/sys/bus/platform/devices/LNRO0005:17/driver_override", "virtio-mmio"),
                    ("/sys/bus/platform/drivers_probe", "LNRO0005:17"),
                    ("/sys/bus/platform/devices/LNRO0005:17/driver_override", "\n")]
        t.ok(rc == 1 and m.driver("LNRO0005:17") == "virtio-mmio"
             and m.override("LNRO0005:17") == "",
             "failed bind: exit 1, back on virtio-mmio, driver_override as before (none)",
             f"exit {rc}\n{out}\n{err}\n{w}")
        t.ok(("/sys/bus/platform/drivers/uio_vmmio/bind", "LNRO0005:17") in w
             and w[-3:] == exp_tail,
             "failed bind: asks the driver's bind file why, then rebinds the old driver", str(w))
        t.ok("LNRO0005:17" in err and "Device or resource busy" in err and "restored" in err,
             "failed bind: says which device, the probe's errno, and the restore", err)

    with tempfile.TemporaryDirectory() as tmp:
        m = machine(tmp)
        m.fake("refuse.json", {"uio_vmmio/LNRO0005:17": 16, "virtio-mmio/LNRO0005:17": 12})
        rc, out, err = m.run(tool, "--bind", "uio_vmmio", "LNRO0005:17")
        t.ok(rc == 3 and "could not restore" in err and "unbound" in err
             and m.override("LNRO0005:17") == "",
             "failed bind and failed restore: exit 3, says what the device is left with",
             f"exit {rc}\n{out}\n{err}")

    with tempfile.TemporaryDirectory() as tmp:
        m = machine(tmp)
        m.fake("fail.json", {"/sys/bus/platform/devices/LNRO0005:16/driver_override": 13})
        rc, out, err = m.run(tool, "--bind", "virtio-mmio", "LNRO0005:16")
        t.ok(rc == 3 and "Permission denied" in err and "driver_override" in err,
             "driver_override refused after the unbind: cannot restore either, exit 3",
             f"exit {rc}\n{out}\n{err}")


def case_errors(t, tool):
    with tempfile.TemporaryDirectory() as tmp:
        m = machine(tmp)
        m.fake("fail.json", {"/sys/bus/platform/drivers/virtio-mmio/unbind": 13})
        rc, out, err = m.run(tool, "--bind", "uio_vmmio", "LNRO0005:17")
        t.ok(rc == 1 and "LNRO0005:17" in err and "Permission denied" in err
             and "not root" in err and "/sys/bus/platform/drivers/virtio-mmio/unbind" in err
             and m.driver("LNRO0005:17") == "virtio-mmio"
             and not any(p.endswith("driver_override") and v == "uio_vmmio"
                         for p, v in m.writes()),
             "not root: exit 1, names device, file and errno; nothing changed",
             f"exit {rc}\n{out}\n{err}\n{m.writes()}")

        rc, out, err = m.run(tool, "--bind", "uio_vmmio", "LNRO0005:99")
        t.ok(rc == 1 and "LNRO0005:99" in err and "no such virtio-mmio device" in err,
             "missing device: exit 1, says so", f"exit {rc}\n{err}")
        rc, out, err = m.run(tool, "--unbind", "0x12345000")
        t.ok(rc == 1 and "0x12345000" in err and "no such" in err,
             "unknown window base: exit 1, says so", f"exit {rc}\n{err}")
        rc, out, err = m.run(tool, "--bind", "uio_vmmio", "serial8250")
        t.ok(rc == 1 and "not a virtio-mmio device" in err,
             "a platform device that is not virtio-mmio is refused", f"exit {rc}\n{err}")

    with tempfile.TemporaryDirectory() as tmp:
        m = machine(tmp)
        shutil.rmtree(os.path.join(m.root, DRVS, "uio_vmmio"))
        os.unlink(os.path.join(m.root, DEVS, "LNRO0005:16", "driver"))
        shutil.rmtree(os.path.join(m.root, DEVS, "LNRO0005:16", "uio"))
        rc, out, err = m.run(tool, "--bind", "uio_vmmio", "LNRO0005:17")
        t.ok(rc == 1 and "uio_vmmio" in err and "--module" in err
             and m.driver("LNRO0005:17") == "virtio-mmio" and m.writes() == []
             and ["modprobe", "-q", "uio_vmmio"] in m.log(),
             "missing module: exit 1, tried modprobe, suggests --module, device untouched",
             f"exit {rc}\n{out}\n{err}\n{m.log()}")

        m.fake("modules.json", ["uio_vmmio", "uio"])
        rc, out, err = m.run(tool, "--bind", "uio_vmmio", "LNRO0005:17")
        t.ok(rc == 0 and m.driver("LNRO0005:17") == "uio_vmmio" and "modprobe" in out,
             "driver not loaded: modprobe uio_vmmio loads it, then the bind",
             f"exit {rc}\n{out}\n{err}")

    with tempfile.TemporaryDirectory() as tmp:
        m = machine(tmp)
        shutil.rmtree(os.path.join(m.root, DRVS, "uio_vmmio"))
        m.fake("modules.json", ["uio"])
        ko = os.path.join(tmp, "uio_vmmio.ko")
        put(ko, "not really a module")
        rc, out, err = m.run(tool, "--bind", "uio_vmmio", "--module", ko, "LNRO0005:00")
        progs = [e for e in m.log() if e[0] in ("modprobe", "insmod")]
        t.ok(rc == 0 and m.driver("LNRO0005:00") == "uio_vmmio"
             and progs == [["modprobe", "uio"], ["insmod", ko]],
             "--module PATH: modprobe uio (insmod resolves nothing), insmod PATH, bind",
             f"exit {rc}\n{out}\n{err}\n{progs}")
        rc, out, err = m.run(tool, "--bind", "uio_vmmio", "--module", "/nonexistent/x.ko",
                             "LNRO0005:17")
        t.ok(rc == 0 and m.driver("LNRO0005:17") == "uio_vmmio",
             "--module is only used when the driver is missing", f"exit {rc}\n{err}")

    with tempfile.TemporaryDirectory() as tmp:
        m = machine(tmp)
        shutil.rmtree(os.path.join(m.root, DRVS, "virtio-mmio"))
        rc, out, err = m.run(tool, "--bind", "virtio-mmio", "LNRO0005:00")
        t.ok(rc == 1 and "modprobe virtio_mmio" in err and m.writes() == [],
             "virtio_mmio not loadable: exit 1, says modprobe failed, nothing written",
             f"exit {rc}\n{err}")


def case_unbind(t, tool):
    with tempfile.TemporaryDirectory() as tmp:
        m = machine(tmp)
        rc, out, err = m.run(tool, "--unbind", "LNRO0005:16")
        exp = [("/sys/bus/platform/drivers/uio_vmmio/unbind", "LNRO0005:16"),
               ("/sys/bus/platform/devices/LNRO0005:16/driver_override", "\n")]
        t.ok(rc == 0 and m.driver("LNRO0005:16") == "" and m.writes() == exp
             and m.override("LNRO0005:16") == "" and "virtio-mmio again" in out,
             "unbind: unbind, clear driver_override, explain a later probe rebinds",
             f"exit {rc}\n{out}\n{err}\n{m.writes()}")
        rc, out, err = m.run(tool, "--status")
        t.ok("'blk' id=2" in line_of(out, "LNRO0005:16")
             and section_of(out, "LNRO0005:16") == "Devices with no driver",
             "unbind: status reads it through /dev/mem, under no driver", out)

    with tempfile.TemporaryDirectory() as tmp:
        m = machine(tmp)
        rc, out, err = m.run(tool, "--unbind", "--pin", "LNRO0005:17")
        t.ok(rc == 0 and m.driver("LNRO0005:17") == "" and m.override("LNRO0005:17") == "none",
             "unbind --pin: driver_override \"none\" keeps probes off", f"exit {rc}\n{out}\n{err}")
        rc, out, err = m.run(tool, "--bind", "virtio-mmio", "LNRO0005:17")
        t.ok(rc == 0 and m.driver("LNRO0005:17") == "virtio-mmio"
             and m.override("LNRO0005:17") == "",
             "a pinned device binds again with --bind", f"exit {rc}\n{out}\n{err}")

    with tempfile.TemporaryDirectory() as tmp:
        m = machine(tmp)
        fd = os.path.join(m.root, "proc", "4242", "fd")
        os.makedirs(fd)
        os.symlink("/dev/uio0", os.path.join(fd, "7"))
        rc, out, err = m.run(tool, "--unbind", "LNRO0005:16")
        t.ok(rc == 1 and "in use" in err and "4242" in err and m.writes() == []
             and m.driver("LNRO0005:16") == "uio_vmmio",
             "busy: /dev/uio0 open in a process, not unbound (EBUSY)", f"exit {rc}\n{err}")
        rc, out, err = m.run(tool, "--unbind", "--force", "LNRO0005:16")
        t.ok(rc == 0 and m.driver("LNRO0005:16") == "",
             "busy with --force: unbound", f"exit {rc}\n{err}")


def case_hugepages(t, tool):
    nr = "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
    with tempfile.TemporaryDirectory() as tmp:
        m = Tree(tmp)
        rc, out, err = m.run(tool, "--setup-hugepages", "64")
        log = m.log()
        t.ok(rc == 0 and ["hugeadm", "--pool-pages-min", "2MB:64"] in log
             and ["mount", "hugetlbfs", "/dev/hugepages", "pagesize=2M"] in log
             and "64 2 MiB hugepages reserved" in out,
             "hugepages with hugeadm: pool set, hugetlbfs mounted",
             f"exit {rc}\n{out}\n{err}\n{log}")
        rc, out, err = m.run(tool, "--setup-hugepages", "64")
        t.ok(rc == 0 and "already mounted at /dev/hugepages" in out
             and sum(e[0] == "mount" for e in m.log()) == 1,
             "hugepages again: the existing mount is kept", f"exit {rc}\n{out}\n{err}")

    with tempfile.TemporaryDirectory() as tmp:
        m = Tree(tmp, hugeadm=False)
        m.fake("hugepages_max.json", 10)
        rc, out, err = m.run(tool, "--setup-hugepages", "64")
        t.ok(rc == 1 and ("write", nr, "64") in [tuple(e) for e in m.log()]
             and "only 10 of 64" in err and ["mount", "hugetlbfs", "/dev/hugepages",
                                             "pagesize=2M"] in m.log(),
             "hugepages without hugeadm: nr_hugepages written, a short count said, exit 1",
             f"exit {rc}\n{out}\n{err}\n{m.log()}")

    with tempfile.TemporaryDirectory() as tmp:
        m = Tree(tmp, hugeadm=False)
        put(os.path.join(m.root, "proc/mounts"), "nodev /mnt/huge hugetlbfs rw,relatime 0 0\n")
        rc, out, err = m.run(tool, "--setup-hugepages", "8")
        t.ok(rc == 0 and "already mounted at /mnt/huge" in out
             and not any(e[0] == "mount" for e in m.log()),
             "hugepages: an existing hugetlbfs mount is used", f"exit {rc}\n{out}\n{err}")


def case_usage(t, tool):
    with tempfile.TemporaryDirectory() as tmp:
        m = Tree(tmp)
        rc, out, err = m.run(tool, "--help")
        t.ok(rc == 0 and "usage: vmmio-devbind" in out and "Exit status" in out
             and "--setup-hugepages" in out, "--help", out)
        rc, out, err = m.run(tool, "--version")
        t.ok(rc == 0 and out.startswith("vmmio-devbind "), "--version", out)
        for args, needle in [((), "nothing to do"),
                             (("--bind", "vfio-platform", "LNRO0005:00"), "expected uio_vmmio"),
                             (("--bind", "uio_vmmio"), "no DEVICE"),
                             (("--unbind", "--bind", "uio_vmmio", "X"), "only one of"),
                             (("--status", "extra"), "unexpected argument"),
                             (("--setup-hugepages", "-1"), "--setup-hugepages"),
                             (("--setup-hugepages", "lots"), "--setup-hugepages"),
                             (("--pin", "--status"), "--pin goes with --unbind"),
                             (("--fast",), "unknown option")]:
            rc, out, err = m.run(tool, *args)
            t.ok(rc == 2 and needle in err, f"refused: {' '.join(args) or '(no arguments)'}",
                 f"exit {rc}\n{err}")
        rc, out, err = m.run(tool, "--status")
        t.ok(rc == 0 and "No virtio-mmio devices found" in out, "status of an empty machine", out)


def main(argv):
    if len(argv) > 1 and argv[1] == "fake-kernel":
        return fake_kernel(argv[2:])
    if len(argv) > 1 and argv[1] == "fake-prog":
        return fake_prog(argv[2:])
    tool = os.path.abspath(argv[1])
    t = Tap()
    for case in [case_status, case_devmem_refused, case_bind, case_restore, case_errors,
                 case_unbind, case_hugepages, case_usage]:
        case(t, tool)
    return t.done()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
