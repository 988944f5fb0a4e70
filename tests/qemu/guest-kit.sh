#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The guest kit for the QEMU tests: Debian's current kernel (image, modules, headers), unpacked
# without installing it, and our kmod/ built against it, both cached.
#
#   tests/qemu/guest-kit.sh [--cache DIR] [--kmod DIR] [--out FILE]
#
# Layout of the cache (default ${VMMIO_CACHE:-/var/cache/vmmio}):
#   kernel/<abi>_<pkgversion>/debs/*.deb        what apt-get download fetched
#   kernel/<abi>_<pkgversion>/root/             the four packages dpkg -x'ed into one tree
#   kernel/<abi>_<pkgversion>/kmod/<hash>/      uio_vmmio.ko built from kmod/ sources of <hash>
# The kernel is keyed by ABI and package version, the module by the hash of kmod/'s sources, so
# a new Debian kernel or an edit of kmod/ rebuilds only what changed.
#
# Progress goes to stderr; on success stdout (or --out FILE) gets shell-style KEY=VALUE lines
# (KIT_ABI, KIT_VERSION, KIT_ROOT, KIT_VMLINUZ, KIT_VMLINUX, KIT_MODULES, KIT_KDIR,
# KIT_UIO_VMMIO, KIT_TIME_*) that run_guest.py reads. Needs root (apt-get download into a
# root-owned cache, as CI runs it) and Debian's mirror unless everything is cached already.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${VMMIO_CACHE:-/var/cache/vmmio}
kmod_src=$(cd "$here/../../kmod" 2>/dev/null && pwd || true)
out=

say() { echo "guest-kit: $*" >&2; }
die() { echo "guest-kit: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--cache) cache=$2; shift 2 ;;
	--kmod) kmod_src=$(cd "$2" && pwd); shift 2 ;;
	--out) out=$2; shift 2 ;;
	-h|--help) sed -n '4,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument: $1 (see --help)" ;;
	esac
done

[ "$(id -u)" -eq 0 ] || die "must run as root (apt-get download into $cache; CI runs as root)"
[ -n "$kmod_src" ] && [ -f "$kmod_src/uio_vmmio.c" ] || die "kmod sources not found (--kmod DIR)"
for t in apt-get apt-cache dpkg dpkg-deb make gcc sha256sum python3 flock; do
	command -v "$t" >/dev/null || die "$t not found (see scripts/setup-deps.sh)"
done

# 'apt-get update' at most once per run, and only when the lists are missing or stale (a
# package the lists name is gone from the mirror after a point release).
updated=0
apt_update() {
	[ "$updated" -eq 0 ] || return 1
	updated=1
	say "apt-get update (package lists missing or stale)"
	apt-get update -qq >&2 || die "apt-get update failed: no network to Debian's mirror?"
}

# The ABI of Debian's current kernel is in the name of the package linux-image-amd64 depends on.
resolve_abi() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -n1
}
abi=$(resolve_abi || true)
if [ -z "$abi" ]; then
	apt_update || true
	abi=$(resolve_abi || true)
fi
[ -n "$abi" ] || die "cannot resolve the kernel ABI from linux-image-amd64's dependencies"
abi_common=${abi%-amd64}
kver=$(apt-cache show --no-all-versions "linux-image-$abi" 2>/dev/null |
	sed -n 's/^Version: //p' | head -n1)
[ -n "$kver" ] || die "no version for linux-image-$abi in the package lists"
kbuild=$(apt-cache depends "linux-headers-$abi" 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-kbuild-[0-9.]*\)$/\1/p' | head -n1)
kbuild=${kbuild:-linux-kbuild-6.1}

kdir_cache="$cache/kernel/${abi}_${kver}"
root="$kdir_cache/root"
pkgs=("linux-image-$abi" "linux-headers-$abi" "linux-headers-$abi_common-common" "$kbuild")
say "kernel $abi (package version $kver), cache $kdir_cache"

# One kit run at a time per cache: two builds testing at once must not unpack over each other.
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

t0=$(date +%s.%N)
if [ -f "$kdir_cache/.complete" ]; then
	say "kernel cached"
else
	mkdir -p "$kdir_cache/debs"
	rm -rf "$root" "$kdir_cache/kmod"
	# apt-get download writes into the current directory; as root it drops privileges to _apt,
	# which must be able to write there.
	chown _apt "$kdir_cache/debs" 2>/dev/null || true
	dl() { (cd "$kdir_cache/debs" && apt-get download -qq "${pkgs[@]}" >&2); }
	have=1
	for p in "${pkgs[@]}"; do
		ls "$kdir_cache/debs/${p}_"*.deb >/dev/null 2>&1 || have=0
	done
	if [ "$have" -eq 1 ]; then
		say "packages already downloaded"
	else
		say "downloading ${pkgs[*]} (about 85 MB)"
	fi
	if [ "$have" -eq 0 ] && ! dl; then
		apt_update || die "apt-get download failed even after apt-get update"
		dl || die "apt-get download failed: no network to Debian's mirror? (${pkgs[*]})"
	fi
	mkdir -p "$root"
	for p in "${pkgs[@]}"; do
		deb=$(ls "$kdir_cache/debs/${p}_"*.deb 2>/dev/null | head -n1)
		[ -n "$deb" ] || die "downloaded package $p not found in $kdir_cache/debs"
		say "unpacking $(basename "$deb")"
		dpkg -x "$deb" "$root"
	done
	# The headers' Makefile includes the common tree by its absolute /usr/src path; point it
	# into the unpacked tree so modules build out of tree without installing anything.
	mk="$root/usr/src/linux-headers-$abi/Makefile"
	[ -f "$mk" ] || die "headers Makefile missing: $mk"
	sed -i "s|/usr/src/linux-headers-|$root/usr/src/linux-headers-|g" "$mk"
	# An uncompressed vmlinux boots through its PVH entry, about 3 s sooner under TCG than
	# the bzImage that decompresses itself. The bzImage's payload is one xz stream.
	say "extracting vmlinux from the bzImage"
	python3 - "$root/boot/vmlinuz-$abi" "$root/boot/vmlinux-$abi" <<'PY' ||
import lzma, sys
data = open(sys.argv[1], "rb").read()
at = data.find(b"\xfd7zXZ\x00")
if at < 0:
    sys.exit("no xz stream in the bzImage")
elf = lzma.LZMADecompressor(lzma.FORMAT_XZ).decompress(data[at:])
if elf[:4] != b"\x7fELF":
    sys.exit("the xz stream is not an ELF image")
open(sys.argv[2], "wb").write(elf)
PY
		say "no vmlinux (the runner boots the bzImage)"
	touch "$kdir_cache/.complete"
	# Older kernels are dead weight (about 500 MB each unpacked): Debian's current one is all
	# the tests boot.
	for old in "$cache"/kernel/*; do
		[ "$old" = "$kdir_cache" ] || [ ! -d "$old" ] || { say "removing $old"; rm -rf "$old"; }
	done
fi
t1=$(date +%s.%N)

vmlinuz="$root/boot/vmlinuz-$abi"
moddir="$root/lib/modules/$abi"
kdir="$root/usr/src/linux-headers-$abi"
[ -f "$vmlinuz" ] || die "kernel image missing: $vmlinuz (remove $kdir_cache to refetch)"

# The module: keyed by the hash of every file in kmod/ (names and contents).
hash=$(cd "$kmod_src" && find . -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' -o \
	-name Kbuild -o -name Makefile \) -print0 | sort -z | xargs -0 sha256sum | sha256sum |
	cut -c1-16)
kmod_out="$kdir_cache/kmod/$hash"
if [ -f "$kmod_out/uio_vmmio.ko" ]; then
	say "uio_vmmio.ko cached ($hash)"
else
	say "building uio_vmmio.ko against $abi ($hash)"
	rm -rf "$kmod_out.tmp"
	mkdir -p "$kmod_out.tmp"
	cp "$kmod_src"/uio_vmmio.c "$kmod_src"/Kbuild "$kmod_out.tmp/"
	if ! make -C "$kdir" M="$kmod_out.tmp" modules >"$kmod_out.tmp/build.log" 2>&1; then
		cat "$kmod_out.tmp/build.log" >&2
		die "module build failed"
	fi
	rm -rf "$kmod_out"
	mv "$kmod_out.tmp" "$kmod_out"
fi
t2=$(date +%s.%N)

result() {
	echo "KIT_ABI=$abi"
	echo "KIT_VERSION=$kver"
	echo "KIT_ROOT=$root"
	echo "KIT_VMLINUZ=$vmlinuz"
	[ -f "$root/boot/vmlinux-$abi" ] && echo "KIT_VMLINUX=$root/boot/vmlinux-$abi"
	echo "KIT_MODULES=$moddir"
	echo "KIT_KDIR=$kdir"
	echo "KIT_UIO_VMMIO=$kmod_out/uio_vmmio.ko"
	awk -v a="$t0" -v b="$t1" -v c="$t2" \
		'BEGIN { printf "KIT_TIME_KERNEL=%.1f\nKIT_TIME_KMOD=%.1f\n", b - a, c - b }'
}
if [ -n "$out" ]; then
	result >"$out"
else
	result
fi
