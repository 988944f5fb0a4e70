/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The loopback backend of the virtio-net personality: each packet
 * transmitted on transmitqN comes back on receiveqN. The transmit buffer
 * starts with a struct virtio_net_hdr ("Packet Transmission"); the receive
 * buffer gets a zeroed header with num_buffers = 1 and the payload
 * ("Processing of Incoming Packets"), truncated to the receive buffer
 * (counted). A transmit buffer waits until a receive buffer is available:
 * nothing is dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "devsim_internal.h"

/* "The header is 12 bytes long if VIRTIO_F_VERSION_1 or
 * VIRTIO_NET_F_MRG_RXBUF was negotiated; else 10 (legacy, without
 * num_buffers)." */
#define NET_HDR_LEN 12u
#define NET_HDR_LEN_LEGACY 10u
#define NET_HDR_NUM_BUFFERS 10u /* offset of le16 num_buffers */

static uint32_t hdr_len(const struct devsim *s)
{
	return vmmio_feat_has(&s->driver_features, VMMIO_F_VERSION_1) ||
			       vmmio_feat_has(&s->driver_features, VMMIO_NET_F_MRG_RXBUF) ?
		       NET_HDR_LEN :
		       NET_HDR_LEN_LEGACY;
}

/* A position in the segments of one direction (readable or writable). */
struct cursor {
	const struct devsim_seg *seg;
	uint16_t n, i;
	uint32_t off;
	bool write;
};

/* The bytes left in the cursor's segment, at *p; 0 (and *p NULL) at the end. */
static uint32_t peek(struct cursor *c, uint8_t **p)
{
	while (c->i < c->n && (c->seg[c->i].write != c->write || c->off == c->seg[c->i].len)) {
		c->i++;
		c->off = 0;
	}
	if (c->i == c->n) {
		*p = NULL;
		return 0;
	}
	*p = (uint8_t *)vq_ptr(c->seg[c->i].addr) + c->off;
	return c->seg[c->i].len - c->off;
}

static uint32_t min3(uint32_t a, uint32_t b, uint32_t c)
{
	a = a < b ? a : b;
	return a < c ? a : c;
}

/* Copy up to @len bytes from @src to @dst (@dst NULL: skip them); returns
 * the bytes moved. */
static uint32_t copy(struct cursor *dst, struct cursor *src, uint32_t len)
{
	uint32_t done = 0;

	while (done < len) {
		uint8_t *d = NULL, *sp;
		uint32_t m = peek(src, &sp), n = dst ? peek(dst, &d) : m;

		n = min3(n, m, len - done);
		if (!n)
			break;
		if (d) {
			memcpy(d, sp, n);
			dst->off += n;
		}
		src->off += n;
		done += n;
	}
	return done;
}

/* One packet from the transmit chain @tc to the receive chain @rc; returns
 * the bytes written to the receive buffer. */
static uint32_t loop_packet(struct devsim *s, uint16_t rxq, const struct vq_chain *tc,
			    const struct devsim_seg *tseg, const struct vq_chain *rc,
			    const struct devsim_seg *rseg)
{
	uint8_t hdr[NET_HDR_LEN] = { 0 };
	uint32_t hlen = hdr_len(s);
	struct devsim_seg hseg = { .addr = (uintptr_t)hdr, .len = hlen };
	struct cursor h = { .seg = &hseg, .n = 1 };
	struct cursor src = { .seg = tseg, .n = tc->n_seg };
	struct cursor dst = { .seg = rseg, .n = rc->n_seg, .write = true };
	uint32_t payload = tc->out_len > hlen ? tc->out_len - hlen : 0;
	uint32_t w, p;

	if (hlen == NET_HDR_LEN)
		hdr[NET_HDR_NUM_BUFFERS] = 1; /* le16 num_buffers = 1 */
	copy(NULL, &src, hlen); /* the transmitted header: nothing in it to honour */
	w = copy(&dst, &h, hlen);
	p = copy(&dst, &src, payload);
	if (w < hlen || p < payload)
		vq_stat_add(&s->vqc[rxq].st.truncated, 1);
	return w + p;
}

/* Segment arrays for chains of up to QueueSize descriptors plus an
 * indirect table of up to QueueSize entries. */
static bool segs_ready(struct devsim_vq *vq)
{
	if (!vq->seg)
		vq->seg = malloc(2u * vq->num * sizeof(*vq->seg));
	return vq->seg != NULL;
}

unsigned devsim_ring_loopback_service(struct devsim *s, uint16_t rxq, uint16_t txq)
{
	struct devsim_vq *rx = &s->vq[rxq], *tx = &s->vq[txq];
	unsigned budget = rx->num < tx->num ? rx->num : tx->num;
	unsigned ntx = 0, nrx = 0;
	bool dry = false;

	if (!segs_ready(rx) || !segs_ready(tx))
		return 0;
	while (ntx < budget) {
		struct vq_chain tc, rc;
		int r;

		if (!devsim_ring_has_avail(s, txq)) {
			dry = true;
			break;
		}
		if (!devsim_ring_has_avail(s, rxq) ||
		    devsim_ring_take(s, txq, &tc, tx->seg, 2u * tx->num) != 1)
			break;
		r = devsim_ring_take(s, rxq, &rc, rx->seg, 2u * rx->num);
		tx->done[ntx++] = (struct vq_done){
			.id = tc.id, .ndescs = tc.ndescs, .second = tc.second, .in_len = tc.in_len
		};
		/* A broken receive ring: the packet taken is dropped. */
		if (r != 1)
			break;
		rx->done[nrx++] = (struct vq_done){ .id = rc.id,
						    .ndescs = rc.ndescs,
						    .second = rc.second,
						    .len = loop_packet(s, rxq, &tc, tx->seg, &rc, rx->seg),
						    .in_len = rc.in_len };
	}
	/* The receive side first: the packet is there before the driver
	 * learns its transmit buffer is free. */
	devsim_ring_used_add(s, rxq, rx->done, nrx, false);
	devsim_ring_flush(s, rxq);
	devsim_ring_used_add(s, txq, tx->done, ntx, false);
	devsim_ring_flush(s, txq);
	if (dry && !s->thread_running)
		s->vqc[txq].notified = false;
	devsim_ring_kick_tick(s, rxq);
	devsim_ring_kick_tick(s, txq);
	return ntx + nrx;
}
