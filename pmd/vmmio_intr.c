/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device's one interrupt line, link state and DEVICE_NEEDS_RESET.
 *
 * intr=interrupt: the bus's interrupt fd (the UIO device, devsim's
 * eventfd) is registered with EAL's interrupt thread. Each interrupt is
 * taken, InterruptStatus read and ACKed and the line unmasked
 * (vmmio_irq_handle()); a used buffer notification wakes the Rx queues
 * whose interrupts the app enabled, through one eventfd per queue that the
 * app's epoll waits on (rte_eth_dev_rx_intr_ctl_q()); a configuration
 * change notification re-reads the link (RTE_ETH_EVENT_INTR_LSC) and
 * Status (DEVICE_NEEDS_RESET: RTE_ETH_EVENT_INTR_RESET).
 *
 * intr=poll: an EAL alarm reads the link and Status every
 * VMMIO_PMD_POLL_US instead; nothing else changes for the app.
 */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_alarm.h>
#include <rte_interrupts.h>

#include "vmmio_pmd.h"

/* --- link -------------------------------------------------------------------------------- */

bool vmmio_link_refresh(struct rte_eth_dev *dev)
{
	struct vmmio_port *p = vmmio_port_of(dev);
	struct rte_eth_link link = { 0 };
	struct vmmio_net_config cfg;

	if (!p->live) {
		link.link_status = RTE_ETH_LINK_DOWN;
	} else if (vmmio_feat_has(&p->dev.driver_features, VMMIO_NET_F_STATUS)) {
		if (vmmio_net_config_read(&p->dev, &cfg))
			return false; /* the error is in vmmio_dev_error() */
		p->cfg.status = cfg.status;
		p->cfg.speed = cfg.speed;
		p->cfg.duplex = cfg.duplex;
		link.link_status = (cfg.status & VMMIO_NET_S_LINK_UP) ? RTE_ETH_LINK_UP :
									RTE_ETH_LINK_DOWN;
	} else {
		/* "If the driver does not negotiate VIRTIO_NET_F_STATUS, it
		 * SHOULD assume the link is active." */
		link.link_status = RTE_ETH_LINK_UP;
	}
	link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	link.link_speed = RTE_ETH_SPEED_NUM_UNKNOWN;
	if (vmmio_feat_has(&p->dev.driver_features, VMMIO_NET_F_SPEED_DUPLEX)) {
		if (p->cfg.speed != VMMIO_NET_SPEED_UNKNOWN)
			link.link_speed = p->cfg.speed;
		if (p->cfg.duplex == VMMIO_NET_DUPLEX_HALF)
			link.link_duplex = RTE_ETH_LINK_HALF_DUPLEX;
	}
	link.link_autoneg = RTE_ETH_LINK_FIXED;
	/* rte_eth_linkstatus_set() returns 0 when the status changed. */
	return rte_eth_linkstatus_set(dev, &link) == 0;
}

int vmmio_link_update(struct rte_eth_dev *dev, int wait)
{
	(void)wait; /* the configuration space answers at once */
	vmmio_link_refresh(dev);
	return 0;
}

/* Link and Status, after a configuration change or at a poll. */
static void port_events(struct rte_eth_dev *dev, bool needs_reset)
{
	struct vmmio_port *p = vmmio_port_of(dev);

	if (needs_reset && !p->reset_reported) {
		p->reset_reported = true;
		PMD_LOG(ERR, "%s: the device set DEVICE_NEEDS_RESET: rte_eth_dev_reset() "
			     "recovers the port",
			p->name);
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_RESET, NULL);
		return;
	}
	if (vmmio_link_refresh(dev) && dev->data->dev_conf.intr_conf.lsc)
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

/* --- the interrupt line -------------------------------------------------------------------- */

static void wake_rx(struct rte_eth_dev *dev)
{
	static const uint64_t one = 1;

	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vmmio_rxq *rxq = dev->data->rx_queues[q];

		if (rxq && rxq->intr_on && rxq->efd >= 0) {
			rxq->st.interrupts++;
			if (write(rxq->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
				PMD_LOG(ERR, "%s: Rx queue %u: eventfd: %s", rxq->port->name, q,
					strerror(errno));
		}
	}
}

static void line_interrupt(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct vmmio_port *p = vmmio_port_of(dev);
	unsigned ev;

	/* Take the interrupt from the fd (UIO's count, devsim's eventfd). */
	if (vmmio_irq_wait(&p->dev, 0) <= 0)
		return;
	p->line_irqs++;
	ev = vmmio_irq_handle(&p->dev);
	if (ev & VMMIO_EV_USED)
		wake_rx(dev);
	if (ev & VMMIO_EV_CONFIG)
		port_events(dev, ev & VMMIO_EV_NEEDS_RESET);
}

static void poll_alarm(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct vmmio_port *p = vmmio_port_of(dev);

	if (!p->alarm_set)
		return;
	port_events(dev, vmmio_needs_reset(&p->dev));
	if (rte_eal_alarm_set(VMMIO_PMD_POLL_US, poll_alarm, dev))
		p->alarm_set = false;
}

int vmmio_intr_start(struct rte_eth_dev *dev)
{
	struct vmmio_port *p = vmmio_port_of(dev);
	int r;

	if (p->args.intr == VMMIO_PMD_INTR_POLL) {
		p->alarm_set = true;
		r = rte_eal_alarm_set(VMMIO_PMD_POLL_US, poll_alarm, dev);
		if (r) {
			p->alarm_set = false;
			PMD_LOG(ERR, "%s: link poll alarm: %s", p->name, rte_strerror(-r));
		}
		return r;
	}
	if (!p->line) {
		p->line = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_SHARED);
		if (!p->line)
			return -ENOMEM;
		/* EXT: EAL does not read the fd; line_interrupt() does. */
		if (rte_intr_type_set(p->line, RTE_INTR_HANDLE_EXT) ||
		    rte_intr_fd_set(p->line, p->bus.win.irq_fd))
			return -EINVAL;
	}
	/* An interrupt from before DRIVER_OK (or from another process that
	 * left the line masked) must not hold the line. */
	while (vmmio_irq_wait(&p->dev, 0) > 0)
		vmmio_irq_handle(&p->dev);
	vmmio_regwin_unmask(&p->bus.win);
	r = rte_intr_callback_register(p->line, line_interrupt, dev);
	if (r) {
		PMD_LOG(ERR, "%s: interrupt fd %d: %s", p->name, p->bus.win.irq_fd,
			rte_strerror(-r));
		return r;
	}
	p->line_registered = true;
	return 0;
}

void vmmio_intr_stop(struct rte_eth_dev *dev)
{
	struct vmmio_port *p = vmmio_port_of(dev);

	if (p->alarm_set) {
		p->alarm_set = false;
		rte_eal_alarm_cancel(poll_alarm, dev);
	}
	if (p->line_registered) {
		rte_intr_callback_unregister_sync(p->line, line_interrupt, dev);
		p->line_registered = false;
	}
	rte_intr_instance_free(p->line);
	p->line = NULL;
}

/* --- Rx interrupts ------------------------------------------------------------------------- */

int vmmio_rx_intr_setup(struct rte_eth_dev *dev)
{
	struct vmmio_port *p = vmmio_port_of(dev);
	uint16_t n = dev->data->nb_rx_queues;
	struct rte_intr_handle *h;

	vmmio_rx_intr_release(dev);
	h = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_SHARED);
	if (!h)
		return -ENOMEM;
	/* VDEV: EAL's Rx epoll reads efd_counter_size bytes, an eventfd's 8. */
	if (rte_intr_type_set(h, RTE_INTR_HANDLE_VDEV) ||
	    rte_intr_efd_counter_size_set(h, sizeof(uint64_t)) ||
	    rte_intr_vec_list_alloc(h, "vmmio_rx_intr", n))
		goto fail;
	for (uint16_t q = 0; q < n; q++) {
		struct vmmio_rxq *rxq = dev->data->rx_queues[q];
		int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

		if (fd < 0 || rte_intr_efds_index_set(h, q, fd) ||
		    rte_intr_vec_list_index_set(h, q, RTE_INTR_VEC_RXTX_OFFSET + q)) {
			if (fd >= 0)
				close(fd);
			goto fail;
		}
		rxq->efd = fd;
	}
	if (rte_intr_nb_efd_set(h, n) || rte_intr_max_intr_set(h, n + 1))
		goto fail;
	dev->intr_handle = h;
	return 0;
fail:
	PMD_LOG(ERR, "%s: Rx interrupt set-up failed", p->name);
	dev->intr_handle = h;
	vmmio_rx_intr_release(dev);
	return -ENOMEM;
}

void vmmio_rx_intr_release(struct rte_eth_dev *dev)
{
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vmmio_rxq *rxq = dev->data->rx_queues[q];

		if (rxq && rxq->efd >= 0) {
			close(rxq->efd);
			rxq->efd = -1;
			rxq->intr_on = false;
		}
	}
	if (dev->intr_handle) {
		rte_intr_vec_list_free(dev->intr_handle);
		rte_intr_instance_free(dev->intr_handle);
		dev->intr_handle = NULL;
	}
}

int vmmio_rx_queue_intr_enable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct vmmio_rxq *rxq = dev->data->rx_queues[qid];
	static const uint64_t one = 1;

	if (rxq->efd < 0)
		return -ENOTSUP;
	rxq->intr_on = true;
	/* A buffer used before the device saw the request may never
	 * interrupt: wake the app for it ourselves. */
	if (!vmmio_vq_intr_enable(rxq->vq) && write(rxq->efd, &one, sizeof(one)) < 0 &&
	    errno != EAGAIN)
		return -errno;
	return 0;
}

int vmmio_rx_queue_intr_disable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct vmmio_rxq *rxq = dev->data->rx_queues[qid];

	rxq->intr_on = false;
	vmmio_vq_intr_disable(rxq->vq);
	return 0;
}
