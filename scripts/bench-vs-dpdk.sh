#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The race of net_virtio_mmio against DPDK's own virtio PMD (net_virtio_user:
# split, packed in-order, packed vectorized) on one vhost-user backend
# (dpdk-testpmd net_vhost, io forwarding). The driver is bench_vs_dpdk.py;
# Debian's python3 runs it, because the plot needs python3-matplotlib, which
# a python3 earlier in PATH (a pyenv) may lack. `--help` for the options;
# doc/performance.md for what the columns mean.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py=/usr/bin/python3
if [ ! -x "$py" ]; then
	echo "bench-vs-dpdk: $py not found (Debian's python3 is needed)" >&2
	exit 1
fi
exec "$py" "$here/bench_vs_dpdk.py" "$@"
