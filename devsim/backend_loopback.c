/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The loopback backend of the virtio-net personality: each packet
 * transmitted on transmitqN comes back on receiveqN, for the queue pairs
 * in use (vq_service.c). The transmit buffer starts with a struct
 * virtio_net_hdr ("Packet Transmission"), whose offload requests
 * net_offload.c honours; the receive buffer gets a header and the packet
 * ("Processing of Incoming Packets").
 *
 * Without VIRTIO_NET_F_MRG_RXBUF a packet goes into one receive buffer
 * ("The device MUST use only a single descriptor if VIRTIO_NET_F_MRG_RXBUF
 * was not negotiated"), cut to it (counted as truncated). With it, a packet
 * larger than a buffer is spread over as many as it needs: "the device
 * MUST use all buffers but the last [...] completely up to the full length
 * of each buffer", num_buffers in the first one's header says how many,
 * each is used for the bytes written into it, and "all buffers used by a
 * single receive packet together".
 *
 * A transmit buffer is taken only when a receive buffer is there, and is
 * used once its packet was delivered: nothing is dropped. A packet that
 * needs more receive buffers than are available holds the ones it took and
 * waits for more across rounds; only when it holds the whole receive ring,
 * so that no buffer can ever come, is it cut.
 *
 * The forward backend (DEVSIM_BACKEND_FORWARD) is this path with one flag,
 * net_tx.swap: each packet's first 12 bytes, the Ethernet destination and
 * source addresses, are read ahead from the transmit buffer and written to
 * the receive buffer swapped (testpmd's macswap), then the rest is copied
 * as the loopback copies it. The swap is done in the copy, never in the
 * transmit buffer: "A device MUST NOT write to a device-readable buffer"
 * ("The Virtqueue Descriptor Table"). A packet shorter than the two
 * addresses is delivered unchanged (counted as unswapped). The loopback
 * pays a flag test per packet and per receive buffer.
 */
#include <stddef.h>
#include <string.h>

#include "devsim_internal.h"

enum step { STEP_DONE, STEP_WAIT, STEP_BROKEN };

/* Bytes of the packet being delivered, header excluded. */
static uint32_t pkt_bytes(const struct net_tx *t)
{
	return t->pkt + 1 < t->n_pkts ? t->pkt_len : t->last_len;
}

/* Take the next transmit buffer of @txq: 1 to deliver, 0 dropped (its
 * offload request), -1 none (the ring broke). */
static int tx_start(struct devsim *s, struct net_tx *t, uint16_t txq, uint16_t rxq)
{
	struct devsim_vq *tx = &s->vq[txq];
	struct vq_chain c;

	if (devsim_ring_take(s, txq, &c, tx->seg, 2u * tx->num) != 1)
		return -1;
	t->busy = true;
	t->tx_gen = tx->gen;
	t->rx_gen = s->vq[rxq].gen;
	t->id = c.id;
	t->ndescs = c.ndescs;
	t->second = c.second;
	t->in_len = c.in_len;
	t->hlen = devsim_net_hdr_len(s);
	t->mrg = devsim_net_has(s, VMMIO_NET_F_MRG_RXBUF);
	t->src = net_cursor(tx->seg, c.n_seg, false);
	t->pkt = t->written = t->descs = 0;
	t->bufs = 0;
	t->cut = false;
	t->swap = s->cfg.backend == DEVSIM_BACKEND_FORWARD;
	t->mac_left = 0;
	return devsim_net_offload(s, t, c.out_len) == NET_DELIVER;
}

static void tx_used(struct devsim_vq *tx, struct net_tx *t, unsigned *ntx)
{
	tx->done[(*ntx)++] = (struct vq_done){
		.id = t->id, .ndescs = t->ndescs, .second = t->second, .in_len = t->in_len
	};
	t->busy = false;
}

/* Write the receive header at the start of the packet's first buffer and
 * find where its num_buffers is; returns the bytes written. */
static uint32_t put_header(struct net_tx *t, struct net_cursor *dst)
{
	const uint32_t nb = offsetof(struct vmmio_net_hdr, num_buffers);
	const bool has_nb = t->hlen > nb;
	struct net_cursor at = *dst;
	uint8_t *p = devsim_net_span(dst, t->hlen);
	uint32_t w;

	if (p) { /* in one descriptor */
		net_hdr_copy(p, &t->hdr, t->hlen);
		t->nb[0] = has_nb ? p + nb : NULL;
		t->nb[1] = has_nb ? p + nb + 1 : NULL;
		return t->hlen;
	}
	w = devsim_net_write(dst, &t->hdr, t->hlen);
	t->nb[0] = t->nb[1] = NULL;
	if (w == t->hlen && has_nb) {
		t->nb[0] = devsim_net_byte_at(at, nb);
		t->nb[1] = devsim_net_byte_at(at, nb + 1);
	}
	return w;
}

/* Forward: read the packet's destination and source addresses ahead from
 * the transmit buffer and keep them swapped, to be written first. A packet
 * shorter than both comes back as it is. */
static void stage_addrs(struct devsim *s, struct net_tx *t, uint16_t rxq)
{
	uint8_t a[NET_ADDRS_LEN];
	uint32_t n;

	if (pkt_bytes(t) < NET_ADDRS_LEN) {
		vq_stat_add(&s->vqc[rxq].st.unswapped, 1);
		return;
	}
	n = devsim_net_read(&t->src, a, NET_ADDRS_LEN);
	if (n == NET_ADDRS_LEN) {
		memcpy(t->mac, a + NET_ADDRS_LEN / 2, NET_ADDRS_LEN / 2);
		memcpy(t->mac + NET_ADDRS_LEN / 2, a, NET_ADDRS_LEN / 2);
	} else { /* not seen: @src holds pkt_bytes(); what there was, as it was */
		memcpy(t->mac, a, n);
	}
	t->mac_left = (uint8_t)n;
}

/* Forward: write what is left of the swapped addresses; returns the bytes
 * written (fewer when the buffer is full). */
static uint32_t put_addrs(struct net_tx *t, struct net_cursor *dst)
{
	uint32_t n = devsim_net_write(dst, t->mac + NET_ADDRS_LEN - t->mac_left, t->mac_left);

	t->mac_left = (uint8_t)(t->mac_left - n);
	t->written += n;
	return n;
}

/* Fill one more receive buffer with the packet; false when the receive
 * ring broke. */
static bool fill_one(struct devsim *s, struct net_tx *t, uint16_t rxq, unsigned *nrx,
		     uint32_t total)
{
	struct devsim_vq *rx = &s->vq[rxq];
	struct net_cursor dst;
	struct vq_chain c;
	uint32_t len = 0, n;

	if (devsim_ring_take(s, rxq, &c, rx->seg, 2u * rx->num) != 1)
		return false;
	t->bufs++;
	t->descs += c.ndescs;
	dst = net_cursor(rx->seg, c.n_seg, true);
	if (t->written == 0) {
		len = t->written = put_header(t, &dst);
		/* "The other buffers will not begin with a struct virtio_net_hdr":
		 * the header has to fit in the first one. */
		t->cut = len < t->hlen;
		if (t->swap && !t->cut)
			stage_addrs(s, t, rxq);
	}
	if (!t->cut) {
		if (t->mac_left)
			len += put_addrs(t, &dst);
		/* All of the rest, or until the buffer is full. */
		n = devsim_net_copy(&dst, &t->src, total - t->written);
		len += n;
		t->written += n;
	}
	rx->done[(*nrx)++] = (struct vq_done){
		.id = c.id, .ndescs = c.ndescs, .second = c.second, .len = len, .in_len = c.in_len
	};
	return true;
}

/* The packet is in its buffers (or cut): skip what was not written and
 * say how many buffers it took. The transmit buffer was read up to what
 * was written and the swapped addresses not written yet (forward). */
static void finish_packet(struct devsim *s, struct net_tx *t, uint16_t rxq, uint32_t total)
{
	uint32_t copied = t->written > t->hlen ? t->written - t->hlen : 0;

	if (t->written < total) {
		devsim_net_copy(NULL, &t->src, pkt_bytes(t) - copied - t->mac_left);
		t->mac_left = 0;
		vq_stat_add(&s->vqc[rxq].st.truncated, 1);
	}
	if (t->nb[0] && t->nb[1]) {
		*t->nb[0] = (uint8_t)t->bufs;
		*t->nb[1] = (uint8_t)(t->bufs >> 8);
	}
	t->pkt++;
	t->written = t->descs = 0;
	t->bufs = 0;
	t->cut = false;
	t->nb[0] = t->nb[1] = NULL;
}

/* Deliver the packets of @t into receive buffers of @rxq, taken into
 * rx->done from *nrx on; *complete: the buffers of packets delivered. */
static enum step deliver(struct devsim *s, struct net_tx *t, uint16_t rxq, unsigned *nrx,
			 unsigned *complete)
{
	const uint32_t num = s->vq[rxq].num;

	while (t->pkt < t->n_pkts) {
		const uint32_t total = t->hlen + pkt_bytes(t);

		while (t->written < total && !t->cut && (t->mrg || !t->bufs)) {
			if (!devsim_ring_has_avail(s, rxq)) {
				if (t->descs < num)
					return STEP_WAIT;
				break; /* it holds the whole ring: none can come */
			}
			if (!fill_one(s, t, rxq, nrx, total))
				return STEP_BROKEN;
		}
		finish_packet(s, t, rxq, total);
		*complete = *nrx;
	}
	return STEP_DONE;
}

/* The loopback's pending packet, if its rings started over: a transmit
 * ring that did forgets it (the buffer is not ours any more); a receive
 * ring that did drops it ("If all receive queues are being reset, the
 * device MUST drop the packet"). Returns the receive buffers it holds. */
static unsigned pending(struct devsim *s, struct net_tx *t, uint16_t rxq, uint16_t txq,
			unsigned *ntx)
{
	if (!t->busy)
		return 0;
	if (t->tx_gen != s->vq[txq].gen) {
		t->busy = false;
		return 0;
	}
	if (t->rx_gen == s->vq[rxq].gen)
		return t->bufs;
	vq_stat_add(&s->vqc[txq].st.dropped, 1);
	tx_used(&s->vq[txq], t, ntx);
	return 0;
}

unsigned devsim_ring_loopback_service(struct devsim *s, uint16_t rxq, uint16_t txq)
{
	struct devsim_vq *rx = &s->vq[rxq], *tx = &s->vq[txq];
	struct net_tx *t = &s->net.tx[txq / 2];
	unsigned ntx = 0, nrx, complete = 0;
	bool dry = false;

	if (!devsim_ring_segs_ready(rx) || !devsim_ring_segs_ready(tx))
		return 0;
	nrx = pending(s, t, rxq, txq, &ntx);
	for (;;) {
		enum step st;

		if (!t->busy) {
			int r;

			if (ntx == tx->num)
				break;
			if (!devsim_ring_has_avail(s, txq)) {
				dry = true;
				break;
			}
			if (!devsim_ring_has_avail(s, rxq))
				break;
			r = tx_start(s, t, txq, rxq);
			if (r < 0)
				break;
			if (r == 0) {
				vq_stat_add(&s->vqc[txq].st.dropped, 1);
				tx_used(tx, t, &ntx);
				continue;
			}
		}
		st = deliver(s, t, rxq, &nrx, &complete);
		if (st == STEP_WAIT)
			break;
		/* Delivered, or the receive ring broke: the packet is dropped. */
		tx_used(tx, t, &ntx);
		if (st == STEP_BROKEN) {
			nrx = complete;
			break;
		}
	}
	/* The receive side first: the packet is there before the driver
	 * learns its transmit buffer is free. The buffers of a packet still
	 * waiting stay taken, at the front of rx->done. */
	devsim_ring_used_add(s, rxq, rx->done, complete, false);
	devsim_ring_flush(s, rxq);
	for (unsigned i = complete; i < nrx; i++)
		rx->done[i - complete] = rx->done[i];
	devsim_ring_used_add(s, txq, tx->done, ntx, false);
	devsim_ring_flush(s, txq);
	if (dry && !s->thread_running)
		s->vqc[txq].notified = false;
	devsim_ring_kick_tick(s, rxq);
	devsim_ring_kick_tick(s, txq);
	return ntx + complete;
}
