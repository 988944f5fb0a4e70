#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run the guest tests on real virtio-mmio devices: QEMU microvm with Debian's kernel.

  run_guest.py [options] EXECUTABLE...

Fetches and caches the kernel and builds kmod/ (guest-kit.sh), builds an initramfs (busybox,
our /init, the kernel modules, uio_vmmio.ko, the EXECUTABLEs with their shared libraries under
/vmmio/bin, the guest test script as /vmmio/guest-tests.sh), then boots it once per variant
(legacy: QEMU's default Version 1 transport; modern: Version 2), each with its virtio-net and
virtio-blk devices, a dpdk-testpmd on the host as the vhost-user peer.

With --pmd (the net_virtio_mmio plugin, pmd/), the guest also gets Debian's dpdk-testpmd with
its shared libraries and the plugin, and runs testpmd on one of its NICs (net F) with the
PMD, in icmpecho mode, while vmmio-guest drives the other NIC on the same QEMU hub (net G).

A variant passes only if QEMU ended through isa-debug-exit with "all passed" AND the result
record the guest wrote on the results disk says so. Prints TAP on stdout: the guest's test
points prefixed with the variant, plus 'exit status' and 'result file' per variant.
"""

import argparse
import atexit
import hashlib
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC_ROOT = os.path.dirname(os.path.dirname(HERE))

# The guest kernel modules, in load order (dependencies first); uio_vmmio comes last.
MODULES = [
    'drivers/virtio/virtio_ring',
    'drivers/virtio/virtio',
    'drivers/virtio/virtio_mmio',
    'net/core/failover',
    'drivers/net/net_failover',
    'drivers/net/virtio_net',
    'drivers/block/virtio_blk',
    'drivers/uio/uio',
]

# The device /init borrows, before the tests, to check uio_vmmio's interrupt handling: the
# runner flips its link through the QEMU monitor when /init asks (a configuration interrupt).
KMOD_CHECK_MAC = '52:54:00:00:00:05'
# Net F (testpmd's, on hub 1): the modern variant's last testpmd run (the PMD's intr=interrupt)
# asks the same way for link flips, for testpmd's link state change events.
PMD_NET_MAC = '52:54:00:00:00:06'

BLK_TEST_SERIAL = 'vmmio-blk-test'
BLK_RESULTS_SERIAL = 'vmmio-results'
BLK_TEST_SIZE = 1 << 20
BLK_RESULTS_SIZE = 4 << 20
SECTOR = 512


def mac(n):
    return '52:54:00:00:00:%02x' % n


# The devices of each variant, in QEMU command-line order. Identities are fixed: the guest
# script finds its devices by MAC address and blk serial.
#   ('user', mac, packed) | ('vhost', mac, packed, port) | ('hub', mac, packed, hubid)
#   | ('blk', serial, image, packed)
# packed=on only offers VIRTIO_F_RING_PACKED (Version 2 only): the driver still chooses.
# Nets F and G share QEMU hub 1 and nothing else: testpmd with net_virtio_mmio drives F (in
# the modern variant with and without the packed ring), vmmio-guest drives G.
def devices(variant):
    modern = variant == 'modern'
    devs = [('user', mac(1), False)]                       # net A
    if modern:
        devs.append(('user', mac(2), True))                # net B
    devs.append(('vhost', mac(3), False, 0))               # net C
    if modern:
        devs.append(('vhost', mac(4), True, 1))            # net D
    devs.append(('user', mac(5), False))                   # net E: /dev/mem, poll only
    devs.append(('hub', mac(6), modern, 1))                # net F: testpmd, our PMD
    devs.append(('hub', mac(7), False, 1))                 # net G: vmmio-guest, F's peer
    devs.append(('blk', BLK_TEST_SERIAL, 'test', modern))  # blk T (packed offered: modern)
    devs.append(('blk', BLK_RESULTS_SERIAL, 'results', False))  # blk R
    return devs


# --- TAP output -------------------------------------------------------------------------------

class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0
        print('TAP version 13', flush=True)

    def point(self, ok, desc):
        self.n += 1
        if not ok:
            self.failed += 1
        print('%s %d - %s' % ('ok' if ok else 'not ok', self.n, desc), flush=True)

    def raw_point(self, ok, desc_with_directive):
        self.n += 1
        if not ok:
            self.failed += 1
        print('%s %d %s' % ('ok' if ok else 'not ok', self.n, desc_with_directive), flush=True)

    @staticmethod
    def comment(text):
        for line in str(text).splitlines() or ['']:
            print('# ' + line, flush=True)

    def plan(self):
        print('1..%d' % self.n, flush=True)


def progress(msg):
    print('run_guest: ' + msg, file=sys.stderr, flush=True)


# --- processes we start, and their end whatever happens -----------------------------------

CHILDREN = []


def stop(proc, sig=signal.SIGTERM, grace=5.0):
    """End a child we started (its own process group), politely first."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def stop_all():
    while CHILDREN:
        stop(CHILDREN.pop())


def on_signal(signum, _frame):
    stop_all()
    sys.exit(128 + signum)


# --- the kit ------------------------------------------------------------------------------

def run_kit(args, work):
    out = os.path.join(work, 'kit.env')
    cmd = ['bash', os.path.join(HERE, 'guest-kit.sh'), '--out', out,
           '--kmod', os.path.join(SRC_ROOT, 'kmod')]
    if args.cache:
        cmd += ['--cache', args.cache]
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=sys.stderr, stderr=subprocess.PIPE,
                       text=True)
    sys.stderr.write(r.stderr)
    if r.returncode != 0:
        errs = [l for l in r.stderr.splitlines() if 'error' in l] or r.stderr.splitlines()[-5:]
        raise RuntimeError('guest-kit.sh failed: ' + ' / '.join(errs))
    kit = {}
    with open(out) as f:
        for line in f:
            k, _, v = line.rstrip('\n').partition('=')
            kit[k] = v
    return kit


# --- the initramfs (newc cpio, written here: device nodes need no root, no cpio binary) ------

class Cpio:
    def __init__(self, path):
        self.f = open(path, 'wb')
        self.ino = 1
        self.names = set()

    def _entry(self, name, mode, data=b'', rdev=(0, 0)):
        name = name.lstrip('/')
        if name in self.names:
            return
        self.names.add(name)
        nb = name.encode() + b'\0'
        hdr = '070701' + ''.join('%08x' % v for v in (
            self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(nb), 0))
        self.ino += 1
        self.f.write(hdr.encode() + nb)
        self.f.write(b'\0' * (-(110 + len(nb)) % 4))
        self.f.write(data)
        self.f.write(b'\0' * (-len(data) % 4))

    def dir(self, name):
        parts = name.strip('/').split('/')
        for i in range(1, len(parts) + 1):
            self._entry('/'.join(parts[:i]), stat.S_IFDIR | 0o755)

    def file(self, name, data, mode=0o644):
        self.dir(os.path.dirname(name.strip('/')) or '.')
        self._entry(name, stat.S_IFREG | mode, data)

    def copy(self, name, src, mode=None):
        with open(src, 'rb') as f:
            data = f.read()
        if mode is None:
            mode = 0o755 if os.access(src, os.X_OK) else 0o644
        self.file(name, data, mode)

    def symlink(self, name, target):
        self.dir(os.path.dirname(name.strip('/')) or '.')
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def chardev(self, name, major, minor):
        self._entry(name, stat.S_IFCHR | 0o600, rdev=(major, minor))

    def close(self):
        self._entry('TRAILER!!!', 0)
        self.f.close()


def shared_libs(exe):
    """The shared libraries and loader an executable needs, as absolute paths (ldd)."""
    r = subprocess.run(['ldd', exe], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:   # static, or a script: nothing to add
        return []
    libs = []
    for line in r.stdout.splitlines():
        m = re.search(r'=>\s*(/\S+)', line) or re.match(r'\s*(/\S+)\s+\(', line)
        if m:
            libs.append(m.group(1))
        elif 'not found' in line:
            raise RuntimeError('%s: shared library %s' % (exe, line.strip()))
    return libs


def blk_pattern(seed):
    """Sector 0 of the test disk: 512 bytes derived from the seed (a SHA-256 chain)."""
    out = b''
    i = 0
    while len(out) < SECTOR:
        out += hashlib.sha256(('vmmio-blk:%s:%d' % (seed, i)).encode()).digest()
        i += 1
    return out[:SECTOR]


# Where the guest finds the PMD plugin (not under a world-writable folder: EAL refuses that).
GUEST_PMD = 'vmmio/pmd/librte_net_virtio_mmio.so'
# testpmd's mempools take their ops ("ring_mp_mc") from this driver, a plugin EAL loads from
# its plugin folder on the host. In the guest that folder holds only the libraries testpmd
# links (through its RUNPATH), under names EAL's folder scan skips (*.so.23; it loads *.so and
# *.so.23.0), so EAL loads no plugin by itself: the guest passes this one with -d.
MEMPOOL_RING = 'librte_mempool_ring.so.23'


def dpdk_lib(name, near):
    """A DPDK library by file name: in the folder of a DPDK library ldd found, or next to
    it in the plugin folder (Debian: /usr/lib/<triplet>/dpdk/pmds-<abi>)."""
    dirs = []
    for lib in near:
        if os.path.basename(lib).startswith('librte_'):
            d = os.path.dirname(lib)
            dirs += [d, os.path.dirname(os.path.realpath(lib))]
    for d in dict.fromkeys(dirs):
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    raise RuntimeError('%s not found next to %s' % (name, ', '.join(sorted(set(dirs))) or
                                                    'any DPDK library'))


def add_with_libs(cp, guest_path, src, libs):
    """One executable or plugin at guest_path, its shared libraries into libs."""
    if not os.path.isfile(src):
        raise RuntimeError('not found: ' + src)
    cp.copy(guest_path, src, 0o755)
    found = shared_libs(src)
    libs.update(found)
    return found


def build_initramfs(path, kit, executables, guest_script, sector0, pmd=None, testpmd=None):
    cp = Cpio(path)
    for d in ('bin', 'sbin', 'usr/bin', 'usr/sbin', 'dev', 'proc', 'sys', 'tmp', 'run', 'root',
              'etc', 'lib/modules', 'vmmio/bin'):
        cp.dir(d)
    # The kernel opens /dev/console for init's stdio before anything mounts devtmpfs.
    cp.chardev('dev/console', 5, 1)
    cp.chardev('dev/null', 1, 3)

    busybox = shutil.which('busybox') or '/bin/busybox'
    r = subprocess.run([busybox, '--list-full'], stdout=subprocess.PIPE, text=True, check=True)
    if 'bin/sh' not in r.stdout.split():
        raise RuntimeError(busybox + ' is not a full busybox (install busybox-static)')
    if subprocess.run(['ldd', busybox], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode == 0:
        raise RuntimeError(busybox + ' is dynamically linked (install busybox-static)')
    cp.copy('bin/busybox', busybox, 0o755)
    for applet in r.stdout.split():
        if applet != 'bin/busybox':
            cp.symlink(applet, '/bin/busybox')

    cp.copy('init', os.path.join(HERE, 'guest', 'init'), 0o755)

    names = []
    for m in MODULES:
        base = os.path.join(kit['KIT_MODULES'], 'kernel', m)
        if os.path.exists(base + '.ko'):
            cp.copy('lib/modules/%s.ko' % os.path.basename(m), base + '.ko', 0o644)
        elif os.path.exists(base + '.ko.xz'):
            # busybox insmod takes plain modules only: decompress here.
            import lzma
            with open(base + '.ko.xz', 'rb') as f:
                cp.file('lib/modules/%s.ko' % os.path.basename(m), lzma.decompress(f.read()))
        else:
            raise RuntimeError('kernel module %s not in %s' % (m, kit['KIT_MODULES']))
        names.append(os.path.basename(m))
    cp.copy('lib/modules/uio_vmmio.ko', kit['KIT_UIO_VMMIO'], 0o644)
    names.append('uio_vmmio')
    cp.file('vmmio/modules', ('\n'.join(names) + '\n').encode())

    libs = set()
    for exe in executables:
        if not os.path.isfile(exe):
            raise RuntimeError('executable not found: ' + exe)
        cp.copy('vmmio/bin/' + os.path.basename(exe), exe, 0o755)
        libs.update(shared_libs(exe))
    if pmd:
        # Debian's testpmd at its own path (its RUNPATH names the plugin folder, where some
        # of the libraries it links live), the plugin, the mempool driver.
        tp_libs = add_with_libs(cp, '/usr/bin/dpdk-testpmd', testpmd, libs)
        add_with_libs(cp, GUEST_PMD, pmd, libs)
        ring = dpdk_lib(MEMPOOL_RING, tp_libs)
        add_with_libs(cp, '/usr/lib/x86_64-linux-gnu/' + MEMPOOL_RING, ring, libs)
        cp.dir('var/run')
    for lib in sorted(libs):
        # Each at the path ldd resolved (the loader's path is in the executables' PT_INTERP),
        # with the contents of the file the symlinks lead to.
        cp.copy(lib, os.path.realpath(lib), 0o755)

    cp.copy('vmmio/guest-tests.sh', guest_script, 0o755)
    cp.file('vmmio/expected-sector0.bin', sector0)
    cp.close()


# --- one boot -----------------------------------------------------------------------------

def host_tsc_khz():
    """The guest under TCG sees the host's TSC; without its rate the boot hangs calibrating."""
    try:
        dmesg = subprocess.run(['dmesg'], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True).stdout
    except OSError:
        dmesg = ''
    for pat in (r'tsc: Refined TSC clocksource calibration: ([0-9.]+) MHz',
                r'tsc: Detected ([0-9.]+) MHz'):
        m = re.findall(pat, dmesg)
        if m:
            return int(float(m[-1]) * 1000)
    with open('/proc/cpuinfo') as f:
        m = re.search(r'cpu MHz\s*:\s*([0-9.]+)', f.read())
    if m:
        return int(float(m.group(1)) * 1000)
    raise RuntimeError('cannot tell the host TSC rate (dmesg, /proc/cpuinfo)')


def sock_dir(work):
    """A private directory for the vhost-user sockets; AF_UNIX paths are limited to 107 bytes."""
    d = tempfile.mkdtemp(prefix='vu-', dir=work)
    if len(os.path.join(d, 'sock0')) > 100:
        shutil.rmtree(d)
        d = tempfile.mkdtemp(prefix='vmmio-vu-')
    return d


def testpmd_cmd(args, socks, prefix):
    cpu = sorted(os.sched_getaffinity(0))[-1]
    cmd = [args.testpmd, '--lcores', '0@%d,1@%d' % (cpu, cpu), '--no-pci', '--no-huge',
           '-m', '512', '--no-shconf', '--no-telemetry', '--file-prefix=' + prefix]
    # (--in-memory would be the natural choice, but EAL refuses it with --no-huge.)
    for i, s in enumerate(socks):
        cmd += ['--vdev', 'net_vhost%d,iface=%s,client=1' % (i, s)]
    # Non-interactive testpmd forwards until its stdin gives a line or EOF: stdin is a pipe
    # held open until the end of the boot.
    cmd += ['--', '--forward-mode=icmpecho', '--total-num-mbufs=8192', '--auto-start']
    return cmd


def user_netdev(mac_addr):
    """The id of a user netdev: u and its MAC's last byte (u5 for net E)."""
    return 'u%d' % int(mac_addr.split(':')[-1], 16)


def hub_netdev(mac_addr):
    """The id of a hubport netdev: h and its MAC's last byte (h6 for net F)."""
    return 'h%d' % int(mac_addr.split(':')[-1], 16)


def qemu_cmd(args, variant, kernel, initrd, images, socks, monitor, tsc_khz):
    devs = devices(variant)
    nets = sum(1 for d in devs if d[0] != 'blk')
    blks = sum(1 for d in devs if d[0] == 'blk')
    append = ('console=ttyS0 tsc_early_khz=%d iomem=relaxed panic=-1 quiet '
              'vmmio.variant=%s vmmio.nets=%d vmmio.blks=%d vmmio.kmodcheck=%s'
              % (tsc_khz, variant, nets, blks, KMOD_CHECK_MAC))
    cmd = [args.qemu,
           '-M', 'microvm,acpi=on,memory-backend=mem',
           '-object', 'memory-backend-memfd,id=mem,size=1G,share=on', '-m', '1G',
           '-accel', 'tcg', '-cpu', 'max', '-smp', '1',
           '-nographic', '-no-reboot',
           '-kernel', kernel, '-initrd', initrd, '-append', append,
           '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04']
    if variant == 'modern':
        cmd += ['-global', 'virtio-mmio.force-legacy=false']
    cmd += args.qemu_arg
    cmd += ['-monitor', 'unix:%s,server=on,wait=off' % monitor]
    for d in devs:
        if d[0] == 'user':
            nid = user_netdev(d[1])
            cmd += ['-netdev', 'user,id=' + nid,
                    '-device', 'virtio-net-device,netdev=%s,mac=%s%s'
                    % (nid, d[1], ',packed=on' if d[2] else '')]
        elif d[0] == 'hub':
            nid = hub_netdev(d[1])
            cmd += ['-netdev', 'hubport,id=%s,hubid=%d' % (nid, d[3]),
                    '-device', 'virtio-net-device,netdev=%s,mac=%s%s'
                    % (nid, d[1], ',packed=on' if d[2] else '')]
        elif d[0] == 'vhost':
            port = d[3]
            cmd += ['-chardev', 'socket,id=c%d,path=%s,server=on' % (port, socks[port]),
                    '-netdev', 'vhost-user,id=v%d,chardev=c%d' % (port, port),
                    '-device', 'virtio-net-device,netdev=v%d,mac=%s%s'
                    % (port, d[1], ',packed=on' if d[2] else '')]
        else:
            cmd += ['-drive', 'file=%s,format=raw,if=none,id=%s' % (images[d[2]], d[2]),
                    '-device', 'virtio-blk-device,drive=%s,serial=%s%s'
                    % (d[2], d[1], ',packed=on' if d[3] else '')]
    return cmd


STAMPED = re.compile(r'^(?:(?:not )?ok \d+|vmmio-init: (?:started|modules|running|finishing))')


def monitor_command(path, command):
    """One human-monitor command to QEMU (its banner read first, the answer waited for)."""
    try:
        with socket.socket(socket.AF_UNIX) as m:
            m.settimeout(5)
            m.connect(path)
            m.recv(4096)
            m.sendall(command.encode() + b'\n')
            time.sleep(0.2)
            m.recv(4096)
    except OSError as e:
        progress('monitor command %r failed: %s' % (command, e))


def copy_console(pipe, log, t0, stamps, monitor):
    """The serial console into the log, as it comes; the wall time of each test point and of
    init's milestones into stamps; /init's requests for a link flip to the monitor."""
    with open(log, 'wb') as out:
        for line in pipe:
            out.write(line)
            out.flush()
            text = line.decode('utf-8', 'replace').strip()
            if STAMPED.match(text):
                stamps.append((time.monotonic() - t0, text[:90]))
            m = re.match(r'^vmmio-init: kmod-check: link (on|off)$', text)
            if m:
                threading.Thread(target=monitor_command, daemon=True,
                                 args=(monitor, 'set_link %s %s'
                                       % (user_netdev(KMOD_CHECK_MAC), m.group(1)))).start()
            m = re.match(r'^vmmio-tests: testpmd-lsc: link (on|off)$', text)
            if m:
                threading.Thread(target=monitor_command, daemon=True,
                                 args=(monitor, 'set_link %s %s'
                                       % (hub_netdev(PMD_NET_MAC), m.group(1)))).start()


def tail(path, n=60):
    try:
        with open(path, 'rb') as f:
            lines = f.read().decode('utf-8', 'replace').splitlines()
    except OSError as e:
        return ['(%s)' % e]
    return lines[-n:]


def boot(args, tap, variant, kit, kernel, initrd, sector0, work, tsc_khz):
    vwork = os.path.join(work, variant)
    shutil.rmtree(vwork, ignore_errors=True)
    os.makedirs(vwork)
    log = os.path.join(args.log_dir, 'guest-%s.log' % variant)
    qemu_err = os.path.join(args.log_dir, 'guest-%s.qemu-stderr.log' % variant)
    pmd_log = os.path.join(args.log_dir, 'guest-%s.testpmd.log' % variant)

    images = {'test': os.path.join(vwork, 'blk-test.img'),
              'results': os.path.join(vwork, 'blk-results.img')}
    with open(images['test'], 'wb') as f:
        f.write(sector0)
        f.truncate(BLK_TEST_SIZE)
    with open(images['results'], 'wb') as f:
        f.truncate(BLK_RESULTS_SIZE)

    nports = sum(1 for d in devices(variant) if d[0] == 'vhost')
    sdir = sock_dir(vwork)
    socks = [os.path.join(sdir, 'sock%d' % i) for i in range(nports)]

    monitor = os.path.join(sdir, 'monitor')
    qcmd = qemu_cmd(args, variant, kernel, initrd, images, socks, monitor, tsc_khz)
    progress('%s: %s' % (variant, ' '.join(qcmd)))
    t0 = time.monotonic()
    qemu = pmd = pmd_died = console = None
    stamps = []
    timed_out = False
    try:
        with open(qemu_err, 'wb') as err:
            qemu = subprocess.Popen(qcmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=err, start_new_session=True)
        CHILDREN.append(qemu)
        console = threading.Thread(target=copy_console,
                                   args=(qemu.stdout, log, t0, stamps, monitor), daemon=True)
        console.start()
        if nports:
            # QEMU (server=on) creates the first socket and waits for the backend; testpmd's
            # vhost client connects to it, and retries every second for the later ones.
            deadline = time.monotonic() + 20
            while not os.path.exists(socks[0]) and qemu.poll() is None:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            progress('%s: vhost-user socket up after %.1f s' % (variant, time.monotonic() - t0))
            pcmd = testpmd_cmd(args, socks, 'vmmio-%d-%s' % (os.getpid(), variant))
            progress('%s: %s' % (variant, ' '.join(pcmd)))
            with open(pmd_log, 'wb') as plog:
                # testpmd's forwarding lcore polls without pause; at nice 19 it takes only
                # the cycles QEMU leaves (a TCG vCPU sharing its CPU at equal weight ran at a
                # third of its speed).
                pmd = subprocess.Popen(pcmd, stdin=subprocess.PIPE, stdout=plog,
                                       stderr=subprocess.STDOUT, start_new_session=True,
                                       preexec_fn=lambda: os.nice(19))
            CHILDREN.append(pmd)
        # QEMU waits for its vhost-user backend forever: a testpmd that died ends the boot.
        deadline = t0 + args.timeout
        rc = None
        while True:
            rc = qemu.poll()
            if rc is not None:
                progress('%s: QEMU exited (%d) after %.1f s' % (variant, rc, time.monotonic() - t0))
                break
            if pmd is not None and pmd.poll() is not None:
                pmd_died = pmd.returncode
                stop(qemu, signal.SIGKILL)
                rc = None
                break
            if time.monotonic() > deadline:
                timed_out = True
                stop(qemu, signal.SIGKILL)
                break
            time.sleep(0.1)
    finally:
        for p in (qemu, pmd):
            if p is not None:
                # testpmd ends cleanly on SIGINT (its force_quit), QEMU on SIGTERM.
                stop(p, signal.SIGINT if p is pmd else signal.SIGTERM)
                if p in CHILDREN:
                    CHILDREN.remove(p)
        if not sdir.startswith(vwork):
            shutil.rmtree(sdir, ignore_errors=True)
    console.join(timeout=5)
    elapsed = time.monotonic() - t0
    tap.comment('time %s boot: %.1f s' % (variant, elapsed))
    # Where the boot's time went, from when lines reached the console.
    prev = None
    for t, what in stamps:
        tap.comment('time %s %6.1f s (+%.1f s) %s'
                    % (variant, t, t - prev if prev is not None else t, what))
        prev = t

    # The result record and the guest's TAP stream, from the results disk.
    with open(images['results'], 'rb') as f:
        disk = f.read(BLK_RESULTS_SIZE)
    rec_line = disk[:SECTOR].split(b'\0', 1)[0].decode('ascii', 'replace').strip()
    rec = {}
    if rec_line.startswith('VMMIO-RESULT '):
        rec = dict(kv.split('=', 1) for kv in rec_line.split()[1:] if '=' in kv)
    guest_tap = disk[SECTOR:].split(b'\0', 1)[0].decode('utf-8', 'replace')
    source = 'results disk'
    if not rec:
        # No record: take what the console shows, for diagnosis (the variant fails anyway).
        source = 'console log'
        guest_tap = '\n'.join(tail(log, 100000))

    points = 0
    for line in guest_tap.splitlines():
        line = line.rstrip('\r')
        m = re.match(r'^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*)$', line)
        if m:
            points += 1
            desc = m.group(3)
            ok = m.group(1) == 'ok'
            if desc.startswith('#'):
                tap.raw_point(ok, '- %s: %s %s' % (variant, m.group(2) or '', desc))
            elif desc.startswith(variant + ':'):   # the guest named the variant already
                tap.point(ok, desc)
            else:
                tap.point(ok, '%s: %s' % (variant, desc))
        elif line.startswith('#'):
            tap.comment('%s: %s' % (variant, line[1:].strip()))
    if not rec:
        tap.comment('%s: %d test points read from the %s' % (variant, points, source))

    if pmd_died is not None:
        why = 'testpmd (the vhost-user peer) exited with %d during the boot: QEMU killed' % pmd_died
    elif timed_out:
        why = 'timed out after %d s: killed' % args.timeout
    elif rc == 1:
        why = 'all passed (isa-debug-exit 0)'
    elif rc == 3:
        why = 'the guest reported a failure (isa-debug-exit 1)'
    elif rc == 0:
        why = 'the guest reset or panicked (QEMU exit 0, no isa-debug-exit)'
    else:
        why = 'QEMU exit status %s' % rc
    exit_ok = rc == 1 and not timed_out
    tap.point(exit_ok, '%s: exit status: %s' % (variant, why))

    try:
        planned, passed, failed = (int(rec.get(k, '-1')) for k in ('planned', 'passed', 'failed'))
    except ValueError:
        planned = passed = failed = -1
    rec_ok = (bool(rec) and rec.get('variant') == variant and rec.get('why') == 'ok' and
              rec.get('kmod') == 'ok' and
              failed == 0 and planned > 0 and passed == planned)
    tap.point(rec.get('kmod') == 'ok',
              '%s: uio_vmmio: refuses a non-virtio device, masks the line until unmasked, rebinds '
              '(kmod=%s)' % (variant, rec.get('kmod', 'no record')))
    tap.point(rec_ok, '%s: result file: %s' % (variant, rec_line or 'no record on the disk'))

    if not (exit_ok and rec_ok):
        tap.comment('%s: tail of %s:' % (variant, log))
        for line in tail(log):
            tap.comment('  ' + line)
        if os.path.getsize(qemu_err):
            tap.comment('%s: QEMU stderr (%s):' % (variant, qemu_err))
            for line in tail(qemu_err, 30):
                tap.comment('  ' + line)
        if nports and (rc not in (1, 3) or timed_out or pmd_died is not None):
            tap.comment('%s: testpmd output (%s):' % (variant, pmd_log))
            for line in tail(pmd_log, 30):
                tap.comment('  ' + line)
    return exit_ok and rec_ok


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('executables', nargs='*', help='host programs to copy into /vmmio/bin')
    ap.add_argument('--guest-script', default=os.path.join(HERE, 'guest', 'guest-tests.sh'),
                    help='the TAP-printing script the guest runs (default: %(default)s)')
    ap.add_argument('--log-dir', default='.', help='where guest-<variant>.log go')
    ap.add_argument('--work-dir', help='initramfs, disk images, sockets (default: LOG_DIR/work)')
    ap.add_argument('--variants', default='legacy,modern', help='default: %(default)s')
    # Two boots and the kit must stay under 10 minutes (and meson's 900 s).
    ap.add_argument('--timeout', type=int, default=280, help='per boot, seconds')
    ap.add_argument('--seed', help='for the test disk pattern (default: from the time)')
    ap.add_argument('--cache', help='the kit cache (default: $VMMIO_CACHE or /var/cache/vmmio)')
    ap.add_argument('--bzimage', action='store_true', help='boot the bzImage, not the vmlinux')
    ap.add_argument('--qemu', default='qemu-system-x86_64')
    ap.add_argument('--qemu-arg', action='append', default=[], metavar='ARG',
                    help='one more QEMU argument, for debugging (e.g. a -monitor)')
    ap.add_argument('--testpmd', default='dpdk-testpmd',
                    help='the host\'s vhost-user peer, and with --pmd the guest\'s testpmd')
    ap.add_argument('--pmd', metavar='SO',
                    help='the net_virtio_mmio plugin (librte_net_virtio_mmio.so): the guest '
                    'runs testpmd with it (without: those cases are skipped)')
    args = ap.parse_args()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    atexit.register(stop_all)

    tap = Tap()
    args.log_dir = os.path.abspath(args.log_dir)
    os.makedirs(args.log_dir, exist_ok=True)
    work = os.path.abspath(args.work_dir or os.path.join(args.log_dir, 'work'))
    os.makedirs(work, exist_ok=True)
    variants = [v for v in args.variants.split(',') if v]
    bad = [v for v in variants if v not in ('legacy', 'modern')]

    try:
        if bad:
            raise RuntimeError('unknown variant(s): ' + ','.join(bad))
        if not os.path.isfile(args.guest_script):
            raise RuntimeError('guest script not found: ' + args.guest_script)
        for tool in (args.qemu, args.testpmd):
            if not shutil.which(tool):
                raise RuntimeError(tool + ' not found (scripts/setup-deps.sh installs it)')
        kit = run_kit(args, work)
        tap.comment('kernel %s (Debian %s)' % (kit['KIT_ABI'], kit['KIT_VERSION']))
        tap.comment('time kernel download/cache: %s s' % kit.get('KIT_TIME_KERNEL', '?'))
        tap.comment('time module build/cache: %s s' % kit.get('KIT_TIME_KMOD', '?'))

        seed = args.seed or str(time.time_ns())
        tap.comment('test disk seed: %s (--seed to repeat)' % seed)
        sector0 = blk_pattern(seed)
        t0 = time.monotonic()
        initrd = os.path.join(work, 'initramfs.cpio')
        pmd = testpmd = None
        if args.pmd:
            pmd = os.path.abspath(args.pmd)
            testpmd = os.path.realpath(shutil.which(args.testpmd))
            tap.comment('guest testpmd: %s with -d %s' % (testpmd, pmd))
        build_initramfs(initrd, kit, [os.path.abspath(e) for e in args.executables],
                        args.guest_script, sector0, pmd, testpmd)
        tap.comment('time initramfs: %.1f s (%d KiB)'
                    % (time.monotonic() - t0, os.path.getsize(initrd) // 1024))
        kernel = kit['KIT_VMLINUZ'] if args.bzimage else kit.get('KIT_VMLINUX',
                                                                  kit['KIT_VMLINUZ'])
        tsc_khz = host_tsc_khz()
    except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
        tap.point(False, 'setup: %s' % e)
        tap.plan()
        return 1

    for v in variants:
        try:
            boot(args, tap, v, kit, kernel, initrd, sector0, work, tsc_khz)
        except (RuntimeError, OSError) as e:
            tap.point(False, '%s: boot: %s' % (v, e))
    tap.plan()
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main())
