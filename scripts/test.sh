#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds three times (gcc
# debugoptimized; gcc release, -O3, as users build it, whose optimiser warns
# about what -O2 does not see; clang with ASan+UBSan and libFuzzer), runs every
# meson suite in each, and ends with the totals over everything on its last
# line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

./scripts/setup-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

status=0

# As root, reserve and mount a few 2 MiB hugepages with our own tool, so the
# hugepage allocator's test (unit-hugemem-real) runs on real pages, and must
# (VMMIO_TEST_HUGEPAGES=1 turns its skip into a failure), in every build.
real_hugepages() { # the build with apps/vmmio-devbind
	[ "$(id -u)" -eq 0 ] || return 0
	if "$1/apps/vmmio-devbind" --setup-hugepages 16; then
		export VMMIO_TEST_HUGEPAGES=1
	else
		echo "test.sh: no hugepages: unit-hugemem-real will skip"
	fi
}

run_build() { # dir, [--no-suite NAME]..., then meson setup arguments
	local dir=$1; shift
	local skip=()
	while [ "${1:-}" = --no-suite ]; do skip+=("$1" "$2"); shift 2; done
	echo "=== build $dir: $*"
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
	fi
	ninja -C "$dir" >"$dir.ninja.log" 2>&1 || { tail -50 "$dir.ninja.log"; return 1; }
	[ "$dir" = build ] && real_hugepages "$dir"
	echo "=== test $dir"
	meson test -C "$dir" --print-errorlogs --num-processes 2 "${skip[@]}"
}

# pmd=enabled: the DPDK PMD must build (setup-deps.sh fetched its SDK headers), not be skipped.
run_build build -Dpmd=enabled || status=1
# The qemu suite (a QEMU guest on real virtio-mmio devices) runs in the gcc build only.
run_build build-release --no-suite qemu -Dbuildtype=release -Dpmd=enabled || status=1
CC=clang CXX=clang++ run_build build-asan --no-suite qemu -Dpmd=enabled \
	-Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true \
	-Dc_args=-fno-sanitize-recover=all -Dcpp_args=-fno-sanitize-recover=all || status=1

# Totals over every suite and build (a build that failed counts as a failure).
python3 scripts/tap_totals.py build build-release build-asan || status=1
exit "$status"
