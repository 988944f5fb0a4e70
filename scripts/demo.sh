#!/usr/bin/env bash
# The main job on the embedded default: probe and initialise the devsim
# virtio-net device (modern, then legacy) and print what was negotiated;
# then measure the datapath against it (devsim's loopback device polled
# from another core), split ring then packed ring, with short runs.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup-deps.sh
if [ ! -f build/build.ninja ]; then
	meson setup build >/dev/null
fi
ninja -C build >/dev/null

for dev in sim:net sim:net,legacy; do
	echo "=== vmmio-probe --device $dev"
	./build/apps/vmmio-probe --device "$dev"
	echo
done

for ring in split packed; do
	echo "=== vmmio-perf --device sim:net --ring $ring"
	./build/apps/vmmio-perf --device sim:net --ring "$ring" --duration 1 --rtt-samples 5000 \
		--quiet
	echo
done
