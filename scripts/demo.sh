#!/usr/bin/env bash
# The main job on the embedded default: probe and initialise the devsim
# virtio-net device (modern, then legacy) and print what was negotiated.
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
