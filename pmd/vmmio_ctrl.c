/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control virtqueue (VIRTIO_NET_F_CTRL_VQ, "Control Virtqueue"): Rx
 * mode, MAC filter tables, the MAC address and the number of queue pairs.
 * One command at a time, synchronously: header and data out, one ack byte
 * in, polled for up to a second. Settings made while the port is stopped
 * are kept (ethdev's data) and sent at start, as after every reset.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>

#include "vmmio_pmd.h"

#define CTRL_BUF_LEN 4096u
#define CTRL_ACK_OFF 2048u /* the device-writable ack byte, apart from the command */
#define CTRL_QUEUE_SIZE 64u
#define CTRL_TIMEOUT_US 1000000u
#define CTRL_POLL_US 10u

_Static_assert(2 + 2 * (4 + VMMIO_PMD_MAX_MAC * RTE_ETHER_ADDR_LEN) <= CTRL_ACK_OFF,
	       "a full MAC table set fits before the ack");

int vmmio_ctrl_setup(struct vmmio_port *p)
{
	struct vmmio_dma_req req = { .len = CTRL_BUF_LEN, .align = 64, .node = VMMIO_NUMA_ANY };
	struct vmmio_vq_params prm;
	uint16_t max, num;
	uint16_t idx = (uint16_t)(2 * (p->cfg.has_max_virtqueue_pairs &&
						       vmmio_feat_has(&p->dev.driver_features,
								      VMMIO_NET_F_MQ) ?
					       p->cfg.max_virtqueue_pairs :
					       1));
	char err[VMMIO_VQ_ERR_LEN];

	if (!vmmio_feat_has(&p->dev.driver_features, VMMIO_NET_F_CTRL_VQ))
		return 0;
	if (p->cvq) {
		/* The same device, the same negotiated ring format: reuse. */
		if (vmmio_vq_index(p->cvq) == idx)
			return 0;
		vmmio_ctrl_release(p);
	}
	if (vmmio_queue_max(&p->dev, idx, &max) || !max) {
		PMD_LOG(ERR, "%s: the control queue (virtqueue %u) is missing: %s", p->name, idx,
			vmmio_dev_error(&p->dev));
		return -ENODEV;
	}
	num = (uint16_t)RTE_MIN((unsigned)max, CTRL_QUEUE_SIZE);
	if (!vmmio_feat_has(&p->dev.driver_features, VMMIO_F_RING_PACKED))
		num = (uint16_t)rte_align32prevpow2(num);
	vmmio_vq_params_from_dev(&prm, &p->dev, idx, num);
	prm.numa_node = p->eth->data->numa_node;
	p->cvq = vmmio_vq_create(&prm, &p->dma, err, sizeof(err));
	if (!p->cvq || vmmio_dma_alloc(&p->dma, &req, &p->cbuf, err, sizeof(err))) {
		PMD_LOG(ERR, "%s: control queue: %s", p->name, err);
		vmmio_ctrl_release(p);
		return -ENOMEM;
	}
	return 0;
}

void vmmio_ctrl_release(struct vmmio_port *p)
{
	if (p->cvq) {
		vmmio_vq_reclaim(p->cvq, NULL, NULL);
		vmmio_vq_destroy(p->cvq);
		p->cvq = NULL;
	}
	vmmio_dma_free(&p->dma, &p->cbuf);
}

/* Send one command and wait for its ack. -EIO when the device answered
 * VIRTIO_NET_ERR, -ETIMEDOUT when it did not answer. */
static int ctrl_send(struct vmmio_port *p, uint8_t class, uint8_t cmd, const void *data,
		     size_t len)
{
	uint8_t *b = p->cbuf.va;
	volatile uint8_t *ack = b + CTRL_ACK_OFF;
	struct vmmio_seg seg[2] = { { p->cbuf.iova, (uint32_t)(2 + len) },
				    { p->cbuf.iova + CTRL_ACK_OFF, 1 } };
	struct vmmio_buf buf = { .seg = seg, .n_out = 1, .n_in = 1, .cookie = p };
	struct vmmio_used u;
	uint64_t deadline;
	int r = 0;

	if (!p->cvq || !p->live)
		return -ENOTSUP;
	rte_spinlock_lock(&p->clock);
	b[0] = class;
	b[1] = cmd;
	memcpy(b + 2, data, len);
	*ack = 0xff;
	if (vmmio_vq_add(p->cvq, &buf, 1) != 1 || vmmio_vq_kick(p->cvq, &p->dev) < 0) {
		PMD_LOG(ERR, "%s: control queue: %s", p->name,
			vmmio_vq_broken(p->cvq) ? vmmio_vq_error(p->cvq) : "cannot add a command");
		r = -EIO;
		goto out;
	}
	deadline = rte_get_timer_cycles() + rte_get_timer_hz() * CTRL_TIMEOUT_US / 1000000u;
	while (vmmio_vq_reap(p->cvq, &u, 1) == 0) {
		if (vmmio_vq_broken(p->cvq) || rte_get_timer_cycles() > deadline) {
			/* The buffer is the device's until a reset: no more
			 * commands before one (vmmio_vq_reclaim() at stop). */
			PMD_LOG(ERR, "%s: control queue: class %u command %u: %s", p->name, class,
				cmd,
				vmmio_vq_broken(p->cvq) ? vmmio_vq_error(p->cvq) :
							  "no answer within 1 s");
			r = -ETIMEDOUT;
			goto out;
		}
		rte_delay_us_block(CTRL_POLL_US);
	}
	if (*ack != VMMIO_NET_OK) {
		PMD_LOG(ERR, "%s: control queue: the device refused class %u command %u (ack %u)",
			p->name, class, cmd, *ack);
		r = -EIO;
	}
out:
	rte_spinlock_unlock(&p->clock);
	return r;
}

int vmmio_ctrl_rx_mode(struct vmmio_port *p, uint8_t cmd, bool on)
{
	uint8_t v = on;

	return ctrl_send(p, VMMIO_NET_CTRL_RX, cmd, &v, 1);
}

int vmmio_ctrl_mac_addr(struct vmmio_port *p, const uint8_t mac[6])
{
	return ctrl_send(p, VMMIO_NET_CTRL_MAC, VMMIO_NET_CTRL_MAC_ADDR_SET, mac,
			 RTE_ETHER_ADDR_LEN);
}

int vmmio_ctrl_pairs(struct vmmio_port *p, uint16_t pairs)
{
	uint16_t v = rte_cpu_to_le_16(pairs);

	return ctrl_send(p, VMMIO_NET_CTRL_MQ, VMMIO_NET_CTRL_MQ_VQ_PAIRS_SET, &v, sizeof(v));
}

/* struct virtio_net_ctrl_mac: le32 entries, then the addresses. */
static size_t put_table(uint8_t *d, const struct rte_ether_addr *a, uint32_t n)
{
	uint32_t le = rte_cpu_to_le_32(n);

	memcpy(d, &le, 4);
	memcpy(d + 4, a, (size_t)n * RTE_ETHER_ADDR_LEN);
	return 4 + (size_t)n * RTE_ETHER_ADDR_LEN;
}

/* The MAC filter: the unicast addresses besides the primary (ethdev's
 * mac_addrs[1..], zero entries skipped) and the multicast list. */
int vmmio_ctrl_mac_tables(struct rte_eth_dev *dev)
{
	struct vmmio_port *p = vmmio_port_of(dev);
	struct rte_ether_addr uc[VMMIO_PMD_MAX_MAC];
	uint8_t data[2 * (4 + VMMIO_PMD_MAX_MAC * RTE_ETHER_ADDR_LEN)];
	uint32_t nuc = 0;
	size_t len;

	for (unsigned i = 1; i < VMMIO_PMD_MAX_MAC; i++)
		if (!rte_is_zero_ether_addr(&dev->data->mac_addrs[i]))
			uc[nuc++] = dev->data->mac_addrs[i];
	len = put_table(data, uc, nuc);
	len += put_table(data + len, p->mc, p->nb_mc);
	return ctrl_send(p, VMMIO_NET_CTRL_MAC, VMMIO_NET_CTRL_MAC_TABLE_SET, data, len);
}

/* --- ethdev ops ------------------------------------------------------------------------ */

static int needs_ctrl_rx(struct vmmio_port *p, const char *what)
{
	if (vmmio_feat_has(&p->dev.device_features, VMMIO_NET_F_CTRL_VQ) &&
	    vmmio_feat_has(&p->dev.device_features, VMMIO_NET_F_CTRL_RX))
		return 0;
	PMD_LOG(INFO, "%s: %s: the device does not offer VIRTIO_NET_F_CTRL_RX", p->name, what);
	return -ENOTSUP;
}

/* Applied now when the port runs, else at start (replayed from ethdev's
 * promiscuous/all_multicast flags, which ethdev sets on success). */
static int rx_mode(struct rte_eth_dev *dev, uint8_t cmd, bool on, const char *what)
{
	struct vmmio_port *p = vmmio_port_of(dev);
	int r = needs_ctrl_rx(p, what);

	if (r || !p->live)
		return r;
	return vmmio_ctrl_rx_mode(p, cmd, on);
}

int vmmio_promiscuous_enable(struct rte_eth_dev *dev)
{
	return rx_mode(dev, VMMIO_NET_CTRL_RX_PROMISC, true, "promiscuous mode");
}

int vmmio_promiscuous_disable(struct rte_eth_dev *dev)
{
	return rx_mode(dev, VMMIO_NET_CTRL_RX_PROMISC, false, "promiscuous mode");
}

int vmmio_allmulticast_enable(struct rte_eth_dev *dev)
{
	return rx_mode(dev, VMMIO_NET_CTRL_RX_ALLMULTI, true, "all-multicast mode");
}

int vmmio_allmulticast_disable(struct rte_eth_dev *dev)
{
	return rx_mode(dev, VMMIO_NET_CTRL_RX_ALLMULTI, false, "all-multicast mode");
}

/* ethdev stores the address in mac_addrs[index] after this returns 0, so
 * the table sent must include it now. */
int vmmio_mac_addr_add(struct rte_eth_dev *dev, struct rte_ether_addr *mac, uint32_t index,
		       uint32_t vmdq)
{
	struct vmmio_port *p = vmmio_port_of(dev);
	struct rte_ether_addr old;
	int r;

	(void)vmdq;
	r = needs_ctrl_rx(p, "MAC filter");
	if (r || !p->live)
		return r;
	old = dev->data->mac_addrs[index];
	dev->data->mac_addrs[index] = *mac;
	r = vmmio_ctrl_mac_tables(dev);
	dev->data->mac_addrs[index] = old;
	return r;
}

void vmmio_mac_addr_remove(struct rte_eth_dev *dev, uint32_t index)
{
	struct vmmio_port *p = vmmio_port_of(dev);
	struct rte_ether_addr old = dev->data->mac_addrs[index];

	if (needs_ctrl_rx(p, "MAC filter") || !p->live)
		return;
	memset(&dev->data->mac_addrs[index], 0, sizeof(old));
	vmmio_ctrl_mac_tables(dev);
	dev->data->mac_addrs[index] = old; /* ethdev clears it itself */
}

int vmmio_set_mc_addr_list(struct rte_eth_dev *dev, struct rte_ether_addr *mc, uint32_t n)
{
	struct vmmio_port *p = vmmio_port_of(dev);
	int r = needs_ctrl_rx(p, "multicast filter");

	if (r)
		return r;
	if (n > VMMIO_PMD_MAX_MC) {
		PMD_LOG(ERR, "%s: %u multicast addresses: at most %u", p->name, n,
			VMMIO_PMD_MAX_MC);
		return -EINVAL;
	}
	if (n) /* a flush passes NULL, 0 */
		memcpy(p->mc, mc, (size_t)n * sizeof(*mc));
	p->nb_mc = n;
	return p->live ? vmmio_ctrl_mac_tables(dev) : 0;
}

/* The primary address: VIRTIO_NET_CTRL_MAC_ADDR_SET, or on a legacy device
 * without it the mac field, which legacy drivers write ("Legacy Interface:
 * Device configuration layout"); a modern device's is read-only. */
int vmmio_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *mac)
{
	struct vmmio_port *p = vmmio_port_of(dev);

	/* Always sent: p->cfg.mac is the address at probe, not the one the
	 * device holds now (an earlier MAC_ADDR_SET, kept or not by a reset). */
	if (vmmio_feat_has(&p->dev.device_features, VMMIO_NET_F_CTRL_MAC_ADDR) &&
	    vmmio_feat_has(&p->dev.device_features, VMMIO_NET_F_CTRL_VQ))
		return p->live ? vmmio_ctrl_mac_addr(p, mac->addr_bytes) : 0;
	if (p->dev.version == VMMIO_VERSION_LEGACY) {
		for (unsigned i = 0; i < RTE_ETHER_ADDR_LEN; i++)
			if (vmmio_cfg_write(&p->dev, VMMIO_NET_CFG_MAC + i, 1, mac->addr_bytes[i]))
				return -EIO;
		return 0;
	}
	/* ethdev restores the primary address at every start. */
	if (p->cfg.has_mac && !memcmp(mac->addr_bytes, p->cfg.mac, RTE_ETHER_ADDR_LEN))
		return 0;
	PMD_LOG(ERR, "%s: the MAC address is the device's: it offers no "
		     "VIRTIO_NET_F_CTRL_MAC_ADDR",
		p->name);
	return -ENOTSUP;
}
