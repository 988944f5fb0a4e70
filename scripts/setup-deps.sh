#!/usr/bin/env bash
# Install, from Debian's packages, whatever the build, tests and benchmarks need and the
# machine lacks. Idempotent: a machine that has everything is not touched.
set -euo pipefail

# Each entry: a Debian package. Build: meson/ninja/C and C++ compilers/pkg-config.
# Sanitizers and fuzzing: clang with its runtime (libFuzzer, ASan, UBSan).
# Design card: DPDK 22.11, libnuma, Google Benchmark, hugetlbfs tools.
# The qemu suite: QEMU, a static busybox for the guest, make for kmod/, and dpdk-dev for
# dpdk-testpmd (the vhost-user peer; the dpdk package has only the Python tools).
# scripts/bench-vs-dpdk.sh plots with matplotlib.
PKGS=(
  meson ninja-build pkg-config gcc g++ python3
  clang libclang-rt-dev
  libdpdk-dev dpdk libnuma-dev libbenchmark-dev libhugetlbfs-bin
  qemu-system-x86 busybox-static make dpdk-dev
  python3-matplotlib
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

fetch_sdk() {
  # DPDK's driver SDK headers for pmd/ (not in libdpdk-dev), from the matching Debian source
  # package, cached: scripts/dpdk-sdk.sh. As a user without root, meson finds them if cached.
  if [ "$(id -u)" -eq 0 ] || "$(dirname "$0")/dpdk-sdk.sh" --print >/dev/null 2>&1; then
    "$(dirname "$0")/dpdk-sdk.sh" >/dev/null
  fi
}

if [ "${#missing[@]}" -eq 0 ]; then
  fetch_sdk
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-deps: missing Debian packages: ${missing[*]}" >&2
  echo "setup-deps: run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi

echo "setup-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fetch_sdk
