/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The net cases: ARP round trips with the peer behind a virtio-net device,
 * one request in flight at a time so that every reply is matched to the
 * request that caused it and checked field by field. Receive queue 0 is
 * kept full of buffers; transmit queue 1 carries the requests.
 *
 * Phases: traffic; with --reset, QueueReset of both queues (where the
 * device offers VIRTIO_F_RING_RESET) and traffic again; then a full device
 * reset and re-initialisation and traffic again. In interrupt mode the
 * driver sleeps on the bus's interrupt (the UIO fd) for every reply.
 */
#include <errno.h>
#include <string.h>

#include "arp.h"
#include "guest.h"
#include "vmmio_features.h"
#include "vmmio_net.h"

#define RXQ 0
#define TXQ 1
#define QMAX 256u
/* Slots 0..QMAX-1 receive, the rest transmit. */
#define TX_SLOTS 16u
#define SLOTS (QMAX + TX_SLOTS)

/* virtio-net header ("Device Operation"): 12 bytes with VERSION_1 or
 * MRG_RXBUF (num_buffers present), 10 on a legacy device without them. */
#define NET_HDR_LEN 12u
#define NET_HDR_LEN_LEGACY 10u
#define NET_HDR_NUM_BUFFERS 10u /* le16, with MRG_RXBUF */

struct net_run {
	struct guest_dev g;
	uint8_t mac[6];
	unsigned hdr_len;
	bool mrg_rxbuf;
	unsigned tx_next;
	/* totals over every phase */
	uint64_t round_trips, irqs, waits, other_frames;
};

/* Cookies are slot numbers + 1 (a cookie is never NULL). */
static void *slot_cookie(unsigned slot)
{
	return (void *)(uintptr_t)(slot + 1u);
}

static unsigned cookie_slot(void *cookie)
{
	return (unsigned)((uintptr_t)cookie - 1u);
}

/*
 * Give receive slot @slot to the device: the header and the frame as two
 * segments, which every device accepts (a legacy device without
 * ANY_LAYOUT needs the header in a descriptor of its own).
 */
static int rx_add(struct net_run *n, unsigned slot)
{
	const uint64_t iova = guest_slot_iova(&n->g, slot);
	const struct vmmio_seg seg[2] = {
		{ iova, n->hdr_len },
		{ iova + GUEST_HDR_SLOT, GUEST_SLOT - GUEST_HDR_SLOT },
	};
	const struct vmmio_buf b = { seg, 0, 2, slot_cookie(slot) };

	if (vmmio_vq_add(n->g.vq[RXQ], &b, 1) != 1)
		return guest_fail("receive queue: buffer %u not added: %s", slot,
				  vmmio_vq_error(n->g.vq[RXQ]));
	return 0;
}

/* As many receive buffers as the ring takes (a buffer is one descriptor
 * when indirect, else two). */
static int rx_fill(struct net_run *n)
{
	for (unsigned s = 0; s < n->g.qsize[RXQ] && vmmio_vq_room(n->g.vq[RXQ]) >= 2; s++)
		if (rx_add(n, s))
			return -1;
	return vmmio_vq_kick(n->g.vq[RXQ], &n->g.dev) < 0 ? guest_fail("receive kick: %s",
						vmmio_dev_error(&n->g.dev)) : 0;
}

static int tx_request(struct net_run *n)
{
	const unsigned slot = QMAX + n->tx_next++ % TX_SLOTS;
	uint8_t *p = guest_slot(&n->g, slot);
	const uint64_t iova = guest_slot_iova(&n->g, slot);
	const struct vmmio_seg seg[2] = {
		{ iova, n->hdr_len },
		{ iova + GUEST_HDR_SLOT, APP_ARP_FRAME_LEN },
	};
	const struct vmmio_buf b = { seg, 2, 0, slot_cookie(slot) };
	struct vmmio_used u[TX_SLOTS];

	/* Take back what the device has sent, so a slot is never reused
	 * while the device may still read it. */
	vmmio_vq_reap(n->g.vq[TXQ], u, TX_SLOTS);
	if (vmmio_vq_outstanding(n->g.vq[TXQ]) >= TX_SLOTS - 1u)
		return guest_fail("transmit queue: the device has not used %u requests",
				  vmmio_vq_outstanding(n->g.vq[TXQ]));
	memset(p, 0, n->hdr_len); /* no offloads: flags 0, gso_type NONE */
	app_arp_request(p + GUEST_HDR_SLOT, n->mac, n->g.o->own_ip, n->g.o->peer_ip);
	if (vmmio_vq_add(n->g.vq[TXQ], &b, 1) != 1)
		return guest_fail("transmit queue: request not added: %s",
				  vmmio_vq_error(n->g.vq[TXQ]));
	if (vmmio_vq_kick(n->g.vq[TXQ], &n->g.dev) < 0)
		return guest_fail("transmit kick: %s", vmmio_dev_error(&n->g.dev));
	return 0;
}

/* Check one received buffer; 1 when it is the reply, 0 for another frame,
 * -1 when it is a wrong reply. Gives the buffer back to the device. */
static int rx_check(struct net_run *n, const struct vmmio_used *u, unsigned trip)
{
	const unsigned slot = cookie_slot(u->cookie);
	const uint8_t *p = guest_slot(&n->g, slot);
	char why[160];
	int r;

	if (slot >= n->g.qsize[RXQ])
		return guest_fail("round trip %u: receive cookie %u is no receive slot", trip, slot);
	if (u->len < n->hdr_len)
		return guest_fail("round trip %u: used length %u, shorter than the %u-byte header",
				  trip, u->len, n->hdr_len);
	if (n->mrg_rxbuf && (p[NET_HDR_NUM_BUFFERS] | p[NET_HDR_NUM_BUFFERS + 1] << 8) != 1)
		return guest_fail("round trip %u: num_buffers %u for a small frame", trip,
				  p[NET_HDR_NUM_BUFFERS] | p[NET_HDR_NUM_BUFFERS + 1] << 8);
	r = app_arp_check_reply(p + GUEST_HDR_SLOT, u->len - n->hdr_len, n->mac,
				  n->g.o->own_ip, n->g.o->peer_ip, why, sizeof(why));
	if (r && !app_arp_is_arp(p + GUEST_HDR_SLOT, u->len - n->hdr_len)) {
		/* Not ARP at all: the peer may say other things; count them. */
		n->other_frames++;
		r = 0;
	} else if (r) {
		return guest_fail("round trip %u: wrong reply: %s", trip, why);
	} else {
		r = 1;
	}
	return rx_add(n, slot) ? -1 : r;
}

/* Interrupt mode: sleep until the device's interrupt (the UIO fd), take
 * it (InterruptStatus, ACK, unmask) and say so in *woken. */
static int irq_sleep(struct net_run *n, int timeout_ms, bool *woken)
{
	int r;

	n->waits++;
	r = vmmio_irq_wait(&n->g.dev, timeout_ms);
	if (r < 0)
		return guest_fail("waiting for the interrupt: %s", strerror(-r));
	if (r == 1 && (vmmio_irq_handle(&n->g.dev) & VMMIO_EV_USED)) {
		n->irqs++;
		*woken = true;
	}
	return 0;
}

/* Take what the receive queue holds; *answered when the reply was there. */
static int rx_poll(struct net_run *n, unsigned trip, bool *answered)
{
	struct vmmio_used u[32];
	unsigned got = vmmio_vq_reap(n->g.vq[RXQ], u, 32);

	for (unsigned i = 0; i < got; i++) {
		int r = rx_check(n, &u[i], trip);

		if (r < 0)
			return -1;
		if (r && *answered)
			return guest_fail("round trip %u: two replies to one request", trip);
		*answered |= r == 1;
	}
	if (got && vmmio_vq_kick(n->g.vq[RXQ], &n->g.dev) < 0)
		return guest_fail("receive kick: %s", vmmio_dev_error(&n->g.dev));
	return 0;
}

/*
 * One request, and wait for its reply: poll the ring, or in interrupt mode
 * sleep until the interrupt first. There, notifications are asked for
 * before the request goes out (the receive ring is empty: the last reply
 * was reaped), so the device owes an interrupt for the reply however fast
 * it comes ("Used Buffer Notification Suppression"), and a reply without
 * one is a device or suppression bug. An interrupt that comes before the
 * reply (the device's first transmit completion, or the last reply's
 * interrupt taken late) sends the driver back to sleep, never into a busy
 * wait: the peer may be a process on this CPU (testpmd in the guest).
 */
static int round_trip(struct net_run *n, unsigned trip)
{
	const uint64_t deadline = guest_now_ms() + n->g.o->timeout_ms;
	const bool irq = n->g.o->irq;
	bool answered = false, woken = false;

	if (irq && !vmmio_vq_intr_enable(n->g.vq[RXQ]))
		return guest_fail("round trip %u: a frame arrived before the request", trip);
	if (tx_request(n))
		return -1;
	while (!answered || (irq && !woken)) {
		if (irq && irq_sleep(n, (int)(deadline - guest_now_ms()) + 1, &woken))
			return -1;
		if (rx_poll(n, trip, &answered))
			return -1;
		if (vmmio_vq_broken(n->g.vq[RXQ]) || vmmio_vq_broken(n->g.vq[TXQ]))
			return guest_faults(&n->g);
		if ((!answered || (irq && !woken)) && guest_now_ms() > deadline) {
			guest_fail("round trip %u: %s within %u ms", trip,
				   answered ? "the reply came, but no interrupt" : "no reply",
				   n->g.o->timeout_ms);
			guest_dump_queues(&n->g);
			return -1;
		}
	}
	n->round_trips++;
	return 0;
}

static int phase(struct net_run *n, const char *name)
{
	struct vmmio_vq_stats rx0, tx0, rx1, tx1;
	const uint64_t irqs0 = n->irqs, t0 = guest_now_ms();
	uint64_t ms;

	vmmio_vq_stats(n->g.vq[RXQ], &rx0);
	vmmio_vq_stats(n->g.vq[TXQ], &tx0);
	for (unsigned i = 0; i < n->g.o->count; i++)
		if (round_trip(n, i))
			return -1;
	ms = guest_now_ms() - t0;
	vmmio_vq_stats(n->g.vq[RXQ], &rx1);
	vmmio_vq_stats(n->g.vq[TXQ], &tx1);
	{
		const double pkts = 2.0 * n->g.o->count;
		const double kicks = (double)(rx1.kicks - rx0.kicks + tx1.kicks - tx0.kicks);

		guest_log("%s: %u round trips answered and checked in %llu ms (%.0f/s); "
			  "kicks/pkt %.3f, irqs/pkt %.3f",
			  name, n->g.o->count, (unsigned long long)ms,
			  ms ? n->g.o->count * 1000.0 / (double)ms : 0.0, kicks / pkts,
			  (double)(n->irqs - irqs0) / pkts);
	}
	if (n->g.o->irq && n->irqs == irqs0)
		return guest_fail("%s: interrupt mode took no interrupt", name);
	return guest_faults(&n->g);
}

/* QueueReset of both queues, then the same traffic again. */
static int queue_reset_phase(struct net_run *n)
{
	if (!vmmio_feat_has(&n->g.dev.driver_features, VMMIO_F_RING_RESET)) {
		guest_log("queue reset: the device does not offer VIRTIO_F_RING_RESET; skipped");
		return 0;
	}
	for (unsigned q = 0; q < 2; q++) {
		const unsigned held = vmmio_vq_outstanding(n->g.vq[q]);
		int r = vmmio_vq_reset(n->g.vq[q], &n->g.dev, NULL, NULL);

		if (r == -EIO && q == 0) {
			/*
			 * QueueReset read back 0 but QueueReady still reads 1: the
			 * device offered VIRTIO_F_RING_RESET without resetting the
			 * queue (QEMU 7.2's virtio-mmio has no QueueReset register,
			 * while its virtio-net offers the feature). The driver must
			 * not take the ring back: check it did not, and that the
			 * untouched queue still carries traffic; the device reset
			 * that follows is the way out.
			 */
			guest_log("queue reset: refused by the driver: %s",
				  vmmio_dev_error(&n->g.dev));
			if (vmmio_vq_outstanding(n->g.vq[q]) != held)
				return guest_fail("queue reset: %u buffers taken back from a queue "
						  "the device did not reset",
						  held - vmmio_vq_outstanding(n->g.vq[q]));
			return phase(n, "after the refused queue reset");
		}
		if (r)
			return guest_fail("QueueReset of queue %u: %s", q,
					  vmmio_dev_error(&n->g.dev));
		if (vmmio_vq_enable(n->g.vq[q], &n->g.dev))
			return guest_fail("re-enabling queue %u: %s", q, vmmio_dev_error(&n->g.dev));
	}
	guest_log("queue reset: both queues reset (QueueReset) and enabled again");
	return rx_fill(n) ? -1 : phase(n, "after queue reset");
}

/* vmmio_recover()'s setup step: the device let go of the rings at the
 * reset, so what they held comes back (and is dropped: receive buffers are
 * given again, the requests were answered or are lost), then the same rings
 * go to the device again. */
static int setup_again(struct vmmio_dev *d, void *arg)
{
	struct net_run *n = arg;

	for (unsigned q = 0; q < 2; q++) {
		vmmio_vq_reclaim(n->g.vq[q], NULL, NULL);
		if (vmmio_vq_enable(n->g.vq[q], d))
			return -EIO;
	}
	return 0;
}

/* A full device reset and re-initialisation, then the same traffic. */
static int reinit_phase(struct net_run *n)
{
	if (vmmio_recover(&n->g.dev, setup_again, n))
		return guest_fail("device reset and re-initialisation: %s",
				  vmmio_dev_error(&n->g.dev));
	guest_log("device reset: reset, re-initialised with the same features, DRIVER_OK");
	return rx_fill(n) ? -1 : phase(n, "after device reset");
}

int guest_net(const struct guest_opts *o)
{
	struct net_run n = { 0 };
	struct vmmio_features want;
	struct vmmio_net_config cfg;
	int rc = -1;

	if (guest_open(&n.g, o, VMMIO_DEVICE_ID_NET))
		goto out;
	vmmio_net_driver_features(&want);
	if (!o->packed)
		vmmio_feat_clear(&want, VMMIO_F_RING_PACKED);
	if (guest_init(&n.g, &want, 2, QMAX, SLOTS))
		goto out;
	if (vmmio_net_config_read(&n.g.dev, &cfg) || !cfg.has_mac) {
		guest_fail("no MAC address in the configuration space: %s",
			   vmmio_dev_error(&n.g.dev));
		goto out;
	}
	memcpy(n.mac, cfg.mac, sizeof(n.mac));
	n.mrg_rxbuf = vmmio_feat_has(&n.g.dev.driver_features, VMMIO_NET_F_MRG_RXBUF);
	n.hdr_len = vmmio_feat_has(&n.g.dev.driver_features, VMMIO_F_VERSION_1) || n.mrg_rxbuf ?
			    NET_HDR_LEN : NET_HDR_LEN_LEGACY;
	guest_log("MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s, header %u bytes", n.mac[0],
		  n.mac[1], n.mac[2], n.mac[3], n.mac[4], n.mac[5],
		  cfg.has_status ? vmmio_net_status_format(cfg.status) : "(no status)", n.hdr_len);
	/* Poll mode on transmit always; receive interrupts only when asked. */
	vmmio_vq_intr_disable(n.g.vq[TXQ]);
	vmmio_vq_intr_disable(n.g.vq[RXQ]);
	if (rx_fill(&n) || phase(&n, o->irq ? "interrupt mode" : "poll mode"))
		goto out;
	if (o->reset && (queue_reset_phase(&n) || reinit_phase(&n)))
		goto out;
	guest_log("total: %llu round trips, %llu interrupts taken (%llu sleeps), "
		  "%llu other frames ignored",
		  (unsigned long long)n.round_trips, (unsigned long long)n.irqs,
		  (unsigned long long)n.waits, (unsigned long long)n.other_frames);
	rc = guest_faults(&n.g);
out:
	guest_close(&n.g);
	return rc;
}
