/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_virtio_mmio's probe and remove: a vdev whose devargs name a
 * virtio-mmio virtio-net device on one of libvmmio's buses (dev=sim:net,
 * uio:/dev/uio0, mem:0x...). Probe opens the device, waits for a hotplug
 * slot to fill if asked, reads its features, configuration and queue
 * limits, checks the devargs against them and leaves the device reset
 * until the app configures the port (vmmio_ethdev.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_ether.h>
#include <rte_malloc.h>

#include "rte_pmd_vmmio.h"
#include "vmmio_bus_sim.h"
#include "vmmio_pmd.h"

#ifdef VMMIO_BUS_SIM
#include "devsim_vq.h"
#endif

RTE_LOG_REGISTER(vmmio_pmd_logtype, pmd.net.virtio_mmio, NOTICE);

/* Largest MTU with mergeable buffers when the device gives none (DPDK's
 * virtio PMD: 9728-byte frames). */
#define VMMIO_PMD_MAX_MTU_MRG (9728u - VMMIO_PMD_L2_OVERHEAD)
/* Without MRG_RXBUF or VIRTIO_NET_F_MTU: "buffers of at least 1526 bytes"
 * (net-device-operation, "Setting Up Receive Buffers"), a 1500-byte MTU. */
#define VMMIO_PMD_MTU_DEFAULT 1500u

/* The device reads buffers where mbufs say they are: an in-process device
 * and a vhost-user backend (through its memory table, which maps our
 * addresses 1:1) by virtual address, a real one (no IOMMU on these buses)
 * by physical. */
static int check_iova_mode(struct vmmio_port *p)
{
	enum rte_iova_mode mode = rte_eal_iova_mode();
	const bool by_va = p->bus.arg.bus == VMMIO_DEVARG_BUS_SIM ||
			   p->bus.arg.bus == VMMIO_DEVARG_BUS_VHOST;

	if (by_va && mode != RTE_IOVA_VA) {
		PMD_LOG(ERR, "%s: dev=%s: the %s reads buffers by virtual address, but EAL chose "
			     "IOVA as PA: run with --iova-mode=va or --no-huge",
			p->name, p->args.dev,
			p->bus.arg.bus == VMMIO_DEVARG_BUS_SIM ? "in-process device" :
								 "vhost-user backend");
		return -EINVAL;
	}
	if (!by_va && mode != RTE_IOVA_PA) {
		PMD_LOG(ERR, "%s: dev=%s: the device reaches memory by physical address (no "
			     "IOMMU), but EAL chose IOVA as VA: run with --iova-mode=pa and "
			     "hugepages, as root",
			p->name, p->args.dev);
		return -EINVAL;
	}
	return 0;
}

static int check_devargs(struct vmmio_port *p)
{
	static const struct {
		const char *key;
		size_t off;
		unsigned bit;
		const char *name;
	} tri[] = {
		{ "packed", offsetof(struct vmmio_pmd_args, packed), VMMIO_F_RING_PACKED,
		  "VIRTIO_F_RING_PACKED" },
		{ "in_order", offsetof(struct vmmio_pmd_args, in_order), VMMIO_F_IN_ORDER,
		  "VIRTIO_F_IN_ORDER" },
		{ "event_idx", offsetof(struct vmmio_pmd_args, event_idx), VMMIO_F_EVENT_IDX,
		  "VIRTIO_F_EVENT_IDX" },
		{ "mrg_rxbuf", offsetof(struct vmmio_pmd_args, mrg_rxbuf), VMMIO_NET_F_MRG_RXBUF,
		  "VIRTIO_NET_F_MRG_RXBUF" },
	};

	for (size_t i = 0; i < RTE_DIM(tri); i++) {
		int8_t v = *((const int8_t *)&p->args + tri[i].off);

		if (v == VMMIO_PMD_ON && !vmmio_port_offers(p, tri[i].bit)) {
			PMD_LOG(ERR, "%s: %s=1: the device does not offer %s", p->name, tri[i].key,
				tri[i].name);
			return -ENOTSUP;
		}
	}
	/* The header shares a descriptor with the frame (Rx, and Tx from the
	 * headroom), which a legacy device allows only with ANY_LAYOUT
	 * ("Legacy Interface: Message Framing"). */
	if (p->dev.version == VMMIO_VERSION_LEGACY && !vmmio_port_offers(p, VMMIO_F_ANY_LAYOUT)) {
		PMD_LOG(ERR, "%s: a legacy device without VIRTIO_F_ANY_LAYOUT is not supported",
			p->name);
		return -ENOTSUP;
	}
	if (p->args.intr == VMMIO_PMD_INTR_INTERRUPT && p->bus.win.irq_fd < 0) {
		PMD_LOG(ERR, "%s: intr=interrupt: dev=%s has no interrupt line (poll only)",
			p->name, p->args.dev);
		return -ENOTSUP;
	}
	if (p->args.queues > p->max_pairs) {
		PMD_LOG(ERR, "%s: queues=%u: the device has %u queue pair%s%s", p->name,
			p->args.queues, p->max_pairs, p->max_pairs == 1 ? "" : "s",
			vmmio_port_offers(p, VMMIO_NET_F_MQ) ? " (max_virtqueue_pairs)" :
						     " (no VIRTIO_NET_F_MQ)");
		return -EINVAL;
	}
	if (p->args.queues)
		p->max_pairs = p->args.queues;
	return 0;
}

/* Features, configuration and queue limits, read once at probe. */
static int read_device(struct vmmio_port *p)
{
	bool packed;
	int r;

	/* Queues are discovered after FEATURES_OK ("Device Initialization",
	 * step 7): negotiate what the devargs allow, then reset again. */
	r = vmmio_begin(&p->dev);
	if (!r)
		r = vmmio_net_config_read(&p->dev, &p->cfg);
	vmmio_port_wanted(p, NULL, &p->wanted);
	if (!r)
		r = vmmio_negotiate(&p->dev, &p->wanted);
	if (!r)
		r = vmmio_queue_max(&p->dev, 0, &p->ring_max[0]);
	if (!r)
		r = vmmio_queue_max(&p->dev, 1, &p->ring_max[1]);
	if (r) {
		PMD_LOG(ERR, "%s: %s", p->name, vmmio_dev_error(&p->dev));
		return r;
	}
	if (!p->ring_max[0] || !p->ring_max[1]) {
		PMD_LOG(ERR, "%s: receiveq1 or transmitq1 is missing (QueueSizeMax 0)", p->name);
		return -ENODEV;
	}
	p->max_pairs = 1;
	if (vmmio_port_offers(p, VMMIO_NET_F_MQ) && p->cfg.max_virtqueue_pairs > 1)
		p->max_pairs = RTE_MIN(p->cfg.max_virtqueue_pairs, (uint16_t)RTE_MAX_QUEUES_PER_PORT);
	r = check_devargs(p);
	if (r)
		return r;
	/* Split rings are a power of 2 in size; a packed one may be any. */
	packed = p->args.packed != VMMIO_PMD_OFF && vmmio_port_offers(p, VMMIO_F_RING_PACKED);
	p->ring_default = p->args.queue_size ? p->args.queue_size : VMMIO_PMD_RING_DEFAULT;
	if (p->args.queue_size && (p->args.queue_size > RTE_MIN(p->ring_max[0], p->ring_max[1]) ||
				   (!packed && !rte_is_power_of_2(p->args.queue_size)))) {
		PMD_LOG(ERR, "%s: queue_size=%u: the device takes up to %u%s", p->name,
			p->args.queue_size, RTE_MIN(p->ring_max[0], p->ring_max[1]),
			packed ? "" : ", a power of 2 (split rings)");
		return -EINVAL;
	}
	p->ring_default = RTE_MIN(p->ring_default, RTE_MIN(p->ring_max[0], p->ring_max[1]));
	if (vmmio_port_offers(p, VMMIO_NET_F_MTU) && p->cfg.has_mtu)
		p->max_mtu = p->cfg.mtu;
	else if (vmmio_port_offers(p, VMMIO_NET_F_MRG_RXBUF) && p->args.mrg_rxbuf != VMMIO_PMD_OFF)
		p->max_mtu = VMMIO_PMD_MAX_MTU_MRG;
	else
		p->max_mtu = VMMIO_PMD_MTU_DEFAULT;
	return vmmio_reset(&p->dev);
}

static int open_device(struct vmmio_port *p)
{
	struct vmmio_bus_opts opts = { 0 };
	struct vmmio_probe_opts popts = { .hotplug_wait = p->args.hotplug_wait > 0,
					  .hotplug_timeout_ms = (int)p->args.hotplug_wait * 1000 };
	char err[VMMIO_ERR_LEN];
	int r;

	/* Rings and buffers come from DPDK's memory, not the bus's hugepages;
	 * a vhost-user backend maps all of it. */
	opts.hw.no_dma = true;
	opts.vhost.mem_regions = vmmio_pmd_mem_regions;
	opts.vhost.mem_ctx = p;
	r = vmmio_bus_open(p->args.dev, &opts, &p->bus, err, sizeof(err));
	if (r) {
		PMD_LOG(ERR, "%s: %s", p->name, err);
		return r;
	}
	r = check_iova_mode(p);
	if (r)
		return r;
	if (p->args.hotplug_wait)
		PMD_LOG(INFO, "%s: waiting up to %u s for the device behind %s", p->name,
			p->args.hotplug_wait, p->args.dev);
	r = vmmio_probe(&p->dev, &p->bus.win, &popts);
	if (r == VMMIO_PROBE_PLACEHOLDER) {
		PMD_LOG(ERR, "%s: %s: DeviceID 0, an empty slot (hotplug_wait=<seconds> waits "
			     "for a device)",
			p->name, p->args.dev);
		return -ENODEV;
	}
	if (r) {
		PMD_LOG(ERR, "%s: %s", p->name, vmmio_dev_error(&p->dev));
		return r;
	}
	if (p->dev.device_id != VMMIO_DEVICE_ID_NET) {
		PMD_LOG(ERR, "%s: %s is a %s (DeviceID %u), not a network device", p->name,
			p->args.dev, vmmio_device_type_name(p->dev.device_id), p->dev.device_id);
		return -ENODEV;
	}
#ifdef VMMIO_BUS_SIM
	/* Once the slot holds a device (a hotplug wait runs on devsim's
	 * virtual clock, which only a device without its thread keeps), the
	 * in-process device services its rings on a thread of its own, as a
	 * device beside the CPU would: by default polling them as DPDK's
	 * vhost does (it asks for no notifications); with the sim option
	 * sleep=N it sleeps on a queue idle for N rounds until notified, as
	 * QEMU's device does, so every kick the PMD owes matters. */
	if (vmmio_bus_sim_model(&p->bus)) {
		const struct vmmio_devarg_sim *a = &p->bus.arg.sim;

		r = devsim_thread_start(vmmio_bus_sim_model(&p->bus),
					&(struct devsim_thread_opts){
						.cpu = -1, .sleep_after = a->sleep_set ? a->sleep : 0 });
		if (r) {
			PMD_LOG(ERR, "%s: the simulated device's thread: %s", p->name, strerror(-r));
			return r;
		}
	}
#endif
	return read_device(p);
}

static int vmmio_probe_vdev(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct rte_eth_dev *eth;
	struct vmmio_port *p;
	char err[256];
	int r;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		PMD_LOG(ERR, "%s: secondary processes are not supported", name);
		return -ENOTSUP;
	}
	eth = rte_eth_vdev_allocate(vdev, sizeof(*p));
	if (!eth)
		return -ENOMEM;
	p = eth->data->dev_private;
	p->eth = eth;
	p->bus.win.irq_fd = -1;
	rte_spinlock_init(&p->clock);
	snprintf(p->name, sizeof(p->name), "%s", name);
	r = vmmio_pmd_args_parse(rte_vdev_device_args(vdev), &p->args, err, sizeof(err));
	if (r) {
		PMD_LOG(ERR, "%s: %s (devargs: %s)", name, err, vmmio_pmd_args_keys());
		goto fail;
	}
	vmmio_pmd_dma_init(p);
	r = open_device(p);
	if (r)
		goto fail;

	eth->data->mac_addrs = rte_zmalloc_socket(name, RTE_ETHER_ADDR_LEN * VMMIO_PMD_MAX_MAC, 0,
						  eth->data->numa_node);
	if (!eth->data->mac_addrs) {
		r = -ENOMEM;
		goto fail;
	}
	if (p->cfg.has_mac)
		memcpy(eth->data->mac_addrs[0].addr_bytes, p->cfg.mac, RTE_ETHER_ADDR_LEN);
	else
		rte_eth_random_addr(eth->data->mac_addrs[0].addr_bytes);
	if (p->bus.numa_node != VMMIO_NUMA_ANY)
		eth->data->numa_node = p->bus.numa_node;
	eth->dev_ops = &vmmio_ops;
	if (vmmio_port_offers(p, VMMIO_NET_F_STATUS))
		eth->data->dev_flags |= RTE_ETH_DEV_INTR_LSC;
	eth->data->mtu = RTE_MIN((uint16_t)RTE_ETHER_MTU, p->max_mtu);
	rte_eth_dev_probing_finish(eth);
	PMD_LOG(INFO, "%s: %s, Version %u, %s ring, offers 0x%x_%08x, %u queue pair%s", name,
		p->args.dev, p->dev.version,
		p->args.packed != VMMIO_PMD_OFF && vmmio_port_offers(p, VMMIO_F_RING_PACKED) ? "packed" :
										       "split",
		p->dev.device_features.w[1], p->dev.device_features.w[0], p->max_pairs,
		p->max_pairs == 1 ? "" : "s");
	return 0;
fail:
#ifdef VMMIO_BUS_SIM
	if (vmmio_bus_sim_model(&p->bus))
		devsim_thread_stop(vmmio_bus_sim_model(&p->bus));
#endif
	if (p->bus.win.ops)
		vmmio_reset(&p->dev);
	vmmio_bus_close(&p->bus);
	rte_eth_dev_release_port(eth);
	return r;
}

static int vmmio_remove_vdev(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *eth = rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	if (!eth)
		return 0; /* closed already */
	vmmio_port_close(eth);
	return rte_eth_dev_release_port(eth);
}

struct devsim *rte_pmd_vmmio_sim_model(uint16_t port_id)
{
	struct rte_eth_dev *eth;

	if (!rte_eth_dev_is_valid_port(port_id))
		return NULL;
	eth = &rte_eth_devices[port_id];
	if (eth->dev_ops != &vmmio_ops)
		return NULL;
	return vmmio_bus_sim_model(&vmmio_port_of(eth)->bus);
}

static struct rte_vdev_driver vmmio_vdev_driver = {
	.probe = vmmio_probe_vdev,
	.remove = vmmio_remove_vdev,
};

RTE_PMD_REGISTER_VDEV(net_virtio_mmio, vmmio_vdev_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_virtio_mmio,
			      "dev=<sim:net|uio:/dev/uioN|uio:NAME|mem:BASE> "
			      "queues=<1..128> queue_size=<1..32768> packed=<0|1> "
			      "in_order=<0|1> event_idx=<0|1> mrg_rxbuf=<0|1> "
			      "hotplug_wait=<seconds> intr=<poll|interrupt>");
