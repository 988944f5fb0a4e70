#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The tests inside the QEMU guest (busybox sh), run by the guest's /init
# after the kernel's virtio-mmio driver has bound every device. Prints TAP
# on stdout. VMMIO_VARIANT is legacy or modern (QEMU's force-legacy).
#
# The devices (tests/qemu/run_guest.py puts them there), found by the MAC
# address or disk serial the kernel's drivers show:
#   52:54:00:00:00:01  user network, split ring
#   52:54:00:00:00:02  user network, packed ring (modern only)
#   52:54:00:00:00:03  vhost-user to the host's testpmd (icmpecho), split
#   52:54:00:00:00:04  vhost-user, packed (modern only)
#   52:54:00:00:00:05  user network, driven through /dev/mem (poll only)
#   vmmio-blk-test     a disk whose sector 0 is /vmmio/expected-sector0.bin
# vmmio-devbind moves each to uio_vmmio (or unbinds it for /dev/mem) before
# vmmio-guest drives it.
set -u
variant=${VMMIO_VARIANT:-legacy}
count=${VMMIO_COUNT:-10000}
n=0
failed=0

# run DESCRIPTION COMMAND...: one test point; the command's output becomes
# TAP comments.
run() {
	desc=$1
	shift
	n=$((n + 1))
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed -e 's/^# //' -e 's/^/# /'
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - $variant: $desc"
	else
		echo "not ok $n - $variant: $desc (exit $rc)"
		failed=$((failed + 1))
	fi
}

# The platform device whose kernel view has the value $2 in the sysfs file
# matched by $1 (under a platform device's virtioN): a net MAC or a blk serial.
dev_by() {
	for f in /sys/bus/platform/devices/*/virtio*/$1; do
		[ -e "$f" ] || continue
		if [ "$(cat "$f")" = "$2" ]; then
			echo "$f" | cut -d/ -f6
			return 0
		fi
	done
	return 1
}
dev_by_mac() { dev_by 'net/*/address' "$1"; }
dev_by_serial() { dev_by 'block/*/serial' "$1"; }
# The physical base of platform device $1's window, from /proc/iomem.
window_base() {
	grep " : $1\$" /proc/iomem | head -n1 | sed -e 's/^ *//' -e 's/-.*//'
}

netA=$(dev_by_mac 52:54:00:00:00:01)
netC=$(dev_by_mac 52:54:00:00:00:03)
netE=$(dev_by_mac 52:54:00:00:00:05)
blkT=$(dev_by_serial vmmio-blk-test)
if [ "$variant" = modern ]; then
	version=2
	netB=$(dev_by_mac 52:54:00:00:00:02)
	netD=$(dev_by_mac 52:54:00:00:00:04)
else
	version=1
	netB=
	netD=
fi

# Devices found: each must be there.
for v in netA netC netE blkT; do
	eval d=\$$v
	run "device $v found ($d)" test -n "$d"
done
if [ "$variant" = modern ]; then
	run "device netB found ($netB)" test -n "$netB"
	run "device netD found ($netD)" test -n "$netD"
fi

run "vmmio-devbind --status" vmmio-devbind --status

# net: bind to uio_vmmio, then poll mode, interrupt mode, resets.
net_cases() { # platform device, ring, peer description
	d=$1
	ring=$2
	what=$3
	[ -n "$d" ] || return 0
	run "bind $d ($what) to uio_vmmio" vmmio-devbind --bind uio_vmmio "$d"
	run "$what, $ring ring: $count ARP round trips, poll mode" \
		vmmio-guest net --device "uio:$d" --ring "$ring" --count "$count" \
		--version "$version"
	run "$what, $ring ring: interrupt mode" \
		vmmio-guest net --device "uio:$d" --ring "$ring" --count 2000 --irq \
		--version "$version"
	run "$what, $ring ring: queue reset and device reset with traffic after" \
		vmmio-guest net --device "uio:$d" --ring "$ring" --count 1000 --reset \
		--version "$version"
	# The app a user runs: vmmio-perf's echo mode, 8 requests per round.
	run "$what, $ring ring: vmmio-perf --mode echo" \
		vmmio-perf --device "uio:$d" --mode echo --ring "$ring" --burst 8 \
		--duration 1 --rtt-samples 1000 --json /tmp/echo.json
}

net_cases "$netA" split "user network"
net_cases "$netB" packed "user network"
net_cases "$netC" split "vhost-user"
net_cases "$netD" packed "vhost-user"

# The same device through vmmio-probe (the app, not the test program).
if [ -n "$netA" ]; then
	run "vmmio-probe --device uio:$netA" vmmio-probe --device "uio:$netA"
	run "bind $netA back to virtio-mmio" vmmio-devbind --bind virtio-mmio "$netA"
	run "the kernel's virtio-net is back on $netA" dev_by_mac 52:54:00:00:00:01
fi

# /dev/mem: poll only, on an unbound device.
if [ -n "$netE" ]; then
	base=$(window_base "$netE")
	run "unbind $netE" vmmio-devbind --unbind "$netE"
	run "/dev/mem (mem:0x$base), split ring: $count ARP round trips, poll only" \
		vmmio-guest net --device "mem:0x$base" --count "$count" --version "$version"
fi

# blk: sector 0, byte for byte.
if [ -n "$blkT" ]; then
	run "bind $blkT (blk) to uio_vmmio" vmmio-devbind --bind uio_vmmio "$blkT"
	run "blk: read sector 0, split ring" \
		vmmio-guest blk --device "uio:$blkT" --expect /vmmio/expected-sector0.bin \
		--version "$version"
	if [ "$variant" = modern ]; then
		run "blk: read sector 0, packed ring" \
			vmmio-guest blk --device "uio:$blkT" --ring packed \
			--expect /vmmio/expected-sector0.bin --version "$version"
	fi
fi

echo "1..$n"
[ "$failed" -eq 0 ]
