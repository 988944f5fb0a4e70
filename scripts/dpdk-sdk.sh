#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# DPDK's driver SDK headers for pmd/, fetched from the Debian source package of the DPDK
# that is installed, and cached (never committed).
#
#   scripts/dpdk-sdk.sh [--cache DIR] [--print]
#
# Debian builds DPDK without enable_driver_sdk, so libdpdk-dev lacks the headers an
# out-of-tree PMD needs (ethdev_driver.h, ethdev_vdev.h, bus_vdev_driver.h, dev_driver.h,
# bus_driver.h). They come from `apt-get source dpdk=<installed version>`, through a private
# apt state folder with deb-src lines of its own, so the machine's apt set-up is left alone;
# apt checks the download against the archive's signed index. Only those five headers are
# kept:
#   <cache>/dpdk-sdk/<debian version>/include/*.h
# The cache defaults to ${VMMIO_CACHE:-/var/cache/vmmio}. With --print, nothing is fetched:
# the include folder is printed if it is there, else the script fails (meson uses this).
# Fetching needs root (apt-get into a root-owned cache, as CI runs it) and Debian's mirror.
set -euo pipefail

cache=${VMMIO_CACHE:-/var/cache/vmmio}
print_only=false
HEADERS=(
	lib/ethdev/ethdev_driver.h
	lib/ethdev/ethdev_vdev.h
	drivers/bus/vdev/bus_vdev_driver.h
	lib/eal/include/dev_driver.h
	lib/eal/include/bus_driver.h
)

say() { echo "dpdk-sdk: $*" >&2; }
die() { echo "dpdk-sdk: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--cache) cache=$2; shift 2 ;;
	--print) print_only=true; shift ;;
	-h|--help) sed -n '4,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument: $1 (see --help)" ;;
	esac
done

version=$(dpkg-query -W -f='${Version}' libdpdk-dev 2>/dev/null) ||
	die "libdpdk-dev is not installed (scripts/setup-deps.sh installs it)"
[ -n "$version" ] || die "libdpdk-dev is not installed (scripts/setup-deps.sh installs it)"
dir=$cache/dpdk-sdk/$version
inc=$dir/include

complete() {
	for h in "${HEADERS[@]}"; do
		[ -s "$inc/$(basename "$h")" ] || return 1
	done
}

if complete; then
	echo "$inc"
	exit 0
fi
$print_only && die "no SDK headers for DPDK $version in $inc (run scripts/dpdk-sdk.sh as root)"
[ "$(id -u)" -eq 0 ] || die "must run as root to fetch into $cache (CI runs as root)"

t0=$(date +%s.%N)
work=$(mktemp -d "$cache/.dpdk-sdk.XXXXXX" 2>/dev/null) || {
	mkdir -p "$cache"
	work=$(mktemp -d "$cache/.dpdk-sdk.XXXXXX")
}
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/src"

# Every suite the installed version may come from: a point release, an update, security.
codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
key=/usr/share/keyrings/debian-archive-keyring.gpg
{
	for suite in "$codename" "$codename-updates"; do
		echo "deb-src [signed-by=$key] http://deb.debian.org/debian $suite main"
	done
	echo "deb-src [signed-by=$key] http://deb.debian.org/debian-security $codename-security main"
} >"$work/sources.list"
apt_opts=(
	-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache"
	-o APT::Sandbox::User=root -qq
)
say "fetching the source package of DPDK $version (headers only are kept)"
apt-get "${apt_opts[@]}" update >&2 || die "apt-get update of the deb-src index failed"
(cd "$work/src" && apt-get "${apt_opts[@]}" source --download-only "dpdk=$version" >&2) ||
	die "apt-get source dpdk=$version failed"

orig=$(find "$work/src" -name 'dpdk_*.orig.tar.*' | sort | sed -n 1p)
[ -n "$orig" ] || die "no upstream tarball in the source package of dpdk=$version"
top=$(tar -tf "$orig" | awk -F/ 'NR == 1 { print $1 }')
members=()
for h in "${HEADERS[@]}"; do members+=("$top/$h"); done
tar -xf "$orig" -C "$work" "${members[@]}" || die "$(basename "$orig") lacks the SDK headers"
# Debian's own patches must not touch them, or the headers would not match the libraries.
deb=$(find "$work/src" -name 'dpdk_*.debian.tar.*' | sort | sed -n 1p)
if [ -n "$deb" ]; then
	for h in "${HEADERS[@]}"; do
		if tar -xOf "$deb" --wildcards 'debian/patches/*.patch' 2>/dev/null | grep "^+++ .*/$h" >/dev/null; then
			die "a Debian patch changes $h: taking the upstream copy would not match"
		fi
	done
fi

mkdir -p "$dir.new/include"
for h in "${HEADERS[@]}"; do cp "$work/$top/$h" "$dir.new/include/"; done
rm -rf "$dir"
mv "$dir.new" "$dir"
say "DPDK $version SDK headers in $inc ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s)"
echo "$inc"
