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
#   52:54:00:00:00:06  net F, on QEMU hub 1 with G only: dpdk-testpmd with our PMD
#                      (net_virtio_mmio, /vmmio/pmd/) in icmpecho mode; packed
#                      offered (modern only); the modern variant's last run takes its
#                      interrupt line (intr=interrupt) and has the runner flip its link
#   52:54:00:00:00:07  net G, on hub 1: vmmio-guest's ARP round trips, which F answers
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
netF=$(dev_by_mac 52:54:00:00:00:06)
netG=$(dev_by_mac 52:54:00:00:00:07)

# Devices found: each must be there.
for v in netA netC netE blkT; do
	eval d=\$$v
	run "device $v found ($d)" test -n "$d"
done
for v in netF netG; do
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

# point RC DESCRIPTION: a test point from a status computed here.
point() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $variant: $2"
	else
		echo "not ok $n - $variant: $2"
		failed=$((failed + 1))
	fi
}
note() { printf '%s\n' "$@" | sed -e 's/^# //' -e 's/^/# /'; }

# dpdk-testpmd (Debian's: the runner puts it into the initramfs with its libraries when it
# is given the plugin) with our PMD on net F, in icmpecho mode, which answers every ARP
# request whatever address it asks about. vmmio-guest's ARP round trips go out of net G, which
# shares QEMU's hub 1 with F and nothing else: F sees G's requests only, G F's replies only.
# The guest has one CPU: testpmd's forwarding lcore spins on it next to its main lcore (which
# sleeps on its stdin, a FIFO the commands go through) and vmmio-guest, which sleeps on G's
# interrupt until each reply (--irq), so leaves the CPU to testpmd while it waits (in poll
# mode the two would take turns a scheduler tick at a time).
pmd_so=/vmmio/pmd/librte_net_virtio_mmio.so
pmd_ring_so=/usr/lib/x86_64-linux-gnu/librte_mempool_ring.so.23
pmd_count=${VMMIO_PMD_COUNT:-2000}
tp_fifo=/tmp/testpmd.in
tp_pid=

# Commands to testpmd's stdin (fd 7), one a line. A testpmd that died leaves the FIFO without
# a reader: the write fails (EPIPE) instead of killing this script (SIGPIPE).
tp_send() {
	(
		trap '' PIPE
		printf '%s\n' "$@" >&7
	) 2>/dev/null
}

# Start testpmd on F (ring $1: split or packed; $2: the PMD's intr= devarg, poll when empty)
# and wait until it forwards; fd 7 is its stdin. Sets tp_pid and tp_log; prints what it did
# (TAP comments).
tp_start() {
	tp_log=/tmp/testpmd-$1${2:+-$2}.log
	tp_pid=
	packed=0
	[ "$1" = packed ] && packed=1
	intr=${2:-}
	rm -f "$tp_fifo"
	mkfifo "$tp_fifo" || return 1
	mkdir -p /var/run/dpdk
	set -- /usr/bin/dpdk-testpmd --lcores 0@0,1@0 --in-memory --iova-mode=pa --no-pci \
		--no-telemetry --log-level=pmd.net.virtio_mmio:info \
		-d "$pmd_ring_so" -d "$pmd_so" \
		--vdev "net_virtio_mmio0,dev=uio:$netF,packed=$packed${intr:+,intr=$intr}" \
		-- -i --forward-mode=icmpecho --total-num-mbufs=2048
	note "$*"
	"$@" <"$tp_fifo" >"$tp_log" 2>&1 &
	tp_pid=$!
	exec 7>"$tp_fifo"
	tp_send start
	i=0
	while ! grep -q 'icmpecho packet forwarding' "$tp_log"; do
		if ! kill -0 "$tp_pid" 2>/dev/null; then
			exec 7>&-
			wait "$tp_pid"
			note "testpmd exited ($?) before forwarding"
			tp_pid=
			return 1
		fi
		i=$((i + 1))
		if [ "$i" -gt 900 ]; then
			note "testpmd not forwarding after 90 s"
			return 1
		fi
		sleep 0.1
	done
	note "testpmd forwarding after $((i / 10)).$((i % 10)) s"
}

# Stop forwarding, show the port's stats, quit; wait for testpmd's end (30 s, then it is
# killed). Sets tp_rc.
tp_quit() {
	tp_rc=255
	[ -n "$tp_pid" ] || return 1
	tp_send stop 'show port stats 0' 'show port xstats 0' quit
	exec 7>&-
	i=0
	while kill -0 "$tp_pid" 2>/dev/null && [ "$i" -lt 300 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	if kill -0 "$tp_pid" 2>/dev/null; then
		note "testpmd still running 30 s after quit: killed"
		kill -9 "$tp_pid"
	fi
	wait "$tp_pid"
	tp_rc=$?
	tp_pid=
	return "$tp_rc"
}

# The number after "KEY:" in testpmd's last block titled "TITLE for port 0" (NIC statistics,
# Forward statistics); empty when missing.
tp_stat() { # title key
	awk -v title="$1 for port 0" -v key="$2:" '
		index($0, title) { inblk = 1; next }
		inblk && /^ *[#+-]+ *$/ { inblk = 0 }
		inblk { for (i = 1; i < NF; i++) if ($i == key) v = $(i + 1) }
		END { print v }' "$tp_log"
}
# The lines of that block, as they are.
tp_block() { # title
	awk -v title="$1 for port 0" '
		index($0, title) { inblk = 1; out = ""; next }
		inblk && /^ *[#+-]+ *$/ { inblk = 0 }
		inblk && NF { out = out $0 "\n" }
		END { printf "%s", out }' "$tp_log"
}

# Lines of testpmd's output matching the extended regex $1 so far.
tp_count() { grep -c -E "$1" "$tp_log"; }

# Wait (up to $2 tenths of a second) until testpmd's output has more than $3 lines matching
# $1. Sets waited (tenths).
tp_wait() { # regex tenths count
	waited=0
	while [ "$(tp_count "$1")" -le "$3" ]; do
		[ "$waited" -ge "$2" ] && return 1
		waited=$((waited + 1))
		sleep 0.1
	done
}

# The number of testpmd's prompts so far: cmdline writes one (unbuffered) when a command is
# done. (testpmd's own output is stdio's, block-buffered into the file: it comes out at
# testpmd's next fflush, which each event it prints and each EAL log line does, or at exit.)
tp_prompts() { grep -o 'testpmd> ' "$tp_log" | wc -l; }

# The guest's uptime in tenths of a second.
uptime_ds() { awk '{ printf "%d", $1 * 10 }' /proc/uptime; }

# intr=interrupt: testpmd registered F's interrupt line (the UIO fd) with EAL's interrupt
# thread, and enabled link state change interrupts (the PMD offers them with
# VIRTIO_NET_F_STATUS). The marker on the console (stderr: not a test point) has the runner
# set F's link through QEMU's monitor (set_link): the device's configuration change
# interrupt makes the PMD re-read the link and raise RTE_ETH_EVENT_INTR_LSC, which testpmd
# prints ("Port 0: link state change event", flushed at once). After each event, show port
# info 0 (done when its prompt comes); its output (block-buffered) is checked after quit
# (tp_lsc_status).
tp_lsc() {
	lsc='Port 0: link state change event'
	lsc_failed=0
	for link in off on; do
		before=$(tp_count "$lsc")
		t0=$(uptime_ds)
		echo "vmmio-tests: testpmd-lsc: link $link" >&2
		tp_wait "$lsc" 100 "$before"
		rc=$?
		dt=$(($(uptime_ds) - t0))
		point $rc "$what: set_link $link (QEMU monitor): testpmd's link state change event for port 0 within 10 s ($((dt / 10)).$((dt % 10)) s)"
		[ $rc -eq 0 ] || lsc_failed=1
		prompts=$(tp_prompts)
		tp_send 'show port info 0'
		i=0
		while [ "$(tp_prompts)" -le "$prompts" ] && [ "$i" -lt 100 ]; do
			i=$((i + 1))
			sleep 0.1
		done
		[ "$i" -lt 100 ] || note "show port info 0 after set_link $link: no prompt in 10 s"
	done
}

# After quit, testpmd's output in its order: the link status show port info 0 gave after the
# set_link off event must be down, after the set_link on event up.
tp_lsc_status() {
	seq=$(grep -o -E 'Port 0: link state change event|Link status: *[a-z]+' "$tp_log" |
		sed -e 's/^Port 0: link state change event$/event/' -e 's/^Link status: *//' |
		tail -n 4 | tr '\n' ' ')
	note "testpmd's last link state change events and link statuses, in order: $seq"
	set -- $seq
	rc=1
	[ $# -eq 4 ] && [ "$1" = event ] && [ "$2" = down ] && rc=0
	point $rc "$what: show port info 0 after set_link off's event: link status ${2:-?} (expected down)"
	[ $rc -eq 0 ] || lsc_failed=1
	rc=1
	[ $# -eq 4 ] && [ "$3" = event ] && [ "$4" = up ] && rc=0
	point $rc "$what: show port info 0 after set_link on's event: link status ${4:-?} (expected up)"
	[ $rc -eq 0 ] || lsc_failed=1
}

# One run: testpmd with the PMD on F ($1 ring, $2 intr= devarg: poll when empty), vmmio-guest's
# round trips through G.
tp_case() { # ring [intr]
	ring=$1
	what="testpmd, net_virtio_mmio on $netF ($ring ring${2:+, intr=$2})"
	tp_start "$ring" "${2:-}"
	rc=$?
	point $rc "$what: started, icmpecho forwarding"
	if [ $rc -ne 0 ]; then
		note "tail of testpmd's output:"
		tail -n 40 "$tp_log" | sed "s/^/# /"
		tp_quit >/dev/null 2>&1
		return
	fi
	# The PMD's probe line (log level info) names the ring it drives.
	probe=$(grep 'ring, offers' "$tp_log" | head -n1)
	note "$probe"
	case $probe in
	*", $ring ring, "*) rc=0 ;;
	*) rc=1 ;;
	esac
	point $rc "$what: the PMD drives the $ring ring"

	out=$(vmmio-guest net --device "uio:$netG" --count "$pmd_count" --irq \
		--ip 10.0.3.2 --peer 10.0.3.1 --version "$version" 2>&1)
	grc=$?
	note "$out"
	answered=$(printf '%s\n' "$out" | sed -n 's/.*total: \([0-9]*\) round trips.*/\1/p' | tail -n1)
	[ -n "$answered" ] ||
		answered=$(printf '%s\n' "$out" | sed -n 's/.*round trip \([0-9]*\): .*/\1/p' | tail -n1)
	point $grc "$what: $pmd_count ARP round trips from $netG (vmmio-guest, interrupt mode), each answered by testpmd"
	[ "${2:-}" = interrupt ] && tp_lsc

	tp_quit
	qrc=$?
	point $qrc "$what: testpmd stopped and quit (exit status $tp_rc)"
	if [ "${2:-}" = interrupt ]; then
		tp_lsc_status
		if [ "$lsc_failed" -ne 0 ]; then
			note "tail of testpmd's output:"
			tail -n 60 "$tp_log" | sed "s/^/# /"
		fi
	fi
	note "testpmd's forward statistics (stop):" "$(tp_block 'Forward statistics')" \
		"testpmd's show port stats 0:" "$(tp_block 'NIC statistics')" \
		"the PMD's xstats: $(grep -E '^[rt]x_q0_(kicks|kicks_suppressed|interrupts|broken|errors|nombuf):' "$tp_log" | tr '\n' ' ')"
	rx=$(tp_stat 'NIC statistics' RX-packets)
	tx=$(tp_stat 'NIC statistics' TX-packets)
	rxerr=$(tp_stat 'NIC statistics' RX-errors)
	missed=$(tp_stat 'NIC statistics' RX-missed)
	nombuf=$(tp_stat 'NIC statistics' RX-nombuf)
	txerr=$(tp_stat 'NIC statistics' TX-errors)
	dropped=$(tp_stat 'Forward statistics' TX-dropped)
	rc=1
	if [ -n "$rx" ] && [ -n "$tx" ] && [ -n "$rxerr" ] && [ -n "$answered" ] &&
		[ "$rx" -ge "$pmd_count" ] && [ "$tx" -eq "$answered" ] && [ "$rxerr" -eq 0 ]; then
		rc=0
	fi
	point $rc "$what: port stats: RX-packets ${rx:-?} (>= $pmd_count sent), TX-packets ${tx:-?} (= ${answered:-?} answered), RX-errors ${rxerr:-?}, RX-missed ${missed:-?}, RX-nombuf ${nombuf:-?}, TX-errors ${txerr:-?}, forwarding TX-dropped ${dropped:-?}"
	if [ "${2:-}" = interrupt ]; then
		# The PMD's per-queue xstats after the link flips: no errors, no broken rings.
		bad=$(grep -E '^[rt]x_q0_(errors|nombuf|broken):' "$tp_log" | awk '$2 != 0' | tr '\n' ' ')
		nx=$(grep -c -E '^[rt]x_q0_(errors|nombuf|broken):' "$tp_log")
		rc=1
		[ "$nx" -eq 6 ] && [ -z "$bad" ] && rc=0
		point $rc "$what: the PMD's xstats after the link flips: [rt]x_q0_errors, _nombuf, _broken all 0 ($nx found${bad:+; not 0: $bad})"
	fi
	if [ $rc -ne 0 ] || [ $qrc -ne 0 ]; then
		note "tail of testpmd's output:"
		tail -n 60 "$tp_log" | sed "s/^/# /"
	fi
}

if [ ! -f "$pmd_so" ]; then
	n=$((n + 1))
	echo "ok $n - $variant: testpmd with net_virtio_mmio on net F # SKIP the PMD was not built (run_guest.py had no --pmd)"
elif [ -n "$netF" ] && [ -n "$netG" ]; then
	run "bind $netF (net F, testpmd's) to uio_vmmio" vmmio-devbind --bind uio_vmmio "$netF"
	run "bind $netG (net G, vmmio-guest's) to uio_vmmio" vmmio-devbind --bind uio_vmmio "$netG"
	if [ "$variant" = modern ]; then
		tp_case packed
		# The last run takes F's interrupt line and checks link state change events.
		tp_case split interrupt
	else
		tp_case split
	fi
fi

echo "1..$n"
[ "$failed" -eq 0 ]
