/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_virtio_mmio's own API, for applications linked with the PMD's static
 * library (a plugin loaded with -d exports nothing).
 */
#ifndef RTE_PMD_VMMIO_H
#define RTE_PMD_VMMIO_H

#include <stdint.h>

struct devsim;

/*
 * The simulated device behind port @port_id (dev=sim:...), for tests that
 * make it misbehave (devsim.h, devsim_vq.h: link changes, DEVICE_NEEDS_RESET,
 * lying used entries); NULL when the port is not net_virtio_mmio on the
 * sim bus.
 */
struct devsim *rte_pmd_vmmio_sim_model(uint16_t port_id);

#endif /* RTE_PMD_VMMIO_H */
