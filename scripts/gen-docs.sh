#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Regenerate the generated docs: doc/conformance.md, from devsim's rule list
# and the conformance test table (tests/conformance/ --markdown).
# Uses the build directory $BUILD_DIR (default: build), set up if missing.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build"
fi
ninja -C "$build" tests/conformance/conformance

tmp=$(mktemp doc/.conformance.md.XXXXXX)
trap 'rm -f "$tmp"' EXIT
"$build/tests/conformance/conformance" --markdown >"$tmp"
mv "$tmp" doc/conformance.md
trap - EXIT
echo "wrote doc/conformance.md"
