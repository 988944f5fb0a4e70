/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-net tests' driver, played by hand on split rings (hand_ring.h):
 * a device with the net features a test accepts, commands on the controlq
 * ("Control Virtqueue": class, command, data device-readable, then the ack
 * device-writable), packets on a transmitq (a struct virtio_net_hdr, then
 * the packet) and buffers on a receiveq.
 */
#ifndef VMMIO_TEST_NET_RING_H
#define VMMIO_TEST_NET_RING_H

#include "devsim_net.h"
#include "hand_ring.h"
#include "vmmio_net.h"

#define F_NEXT VMMIO_DESC_F_NEXT
#define F_WRITE VMMIO_DESC_F_WRITE

/* No ack: the device did not use the command's buffer. */
#define NR_UNUSED (-1)

static inline struct devsim_net_state nr_state(struct hr *h)
{
	struct devsim_net_state st;

	CHECK_EQ(devsim_net_state(h->s, &st), 0);
	return st;
}

static inline struct devsim_vq_stats nr_stats(struct hr *h, uint16_t q)
{
	struct devsim_vq_stats st;

	CHECK_EQ(devsim_vq_stats(h->s, q, &st), 0);
	return st;
}

/* A virtio-net device with @backend (LOOPBACK or FORWARD), VERSION_1 and
 * the @n features @feat accepted, its configuration changed by @edit (may
 * be NULL), split queues 0..nq-1 of @num entries, up to DRIVER_OK. */
static inline void nr_open_backend(struct hr *h, enum devsim_backend backend,
				   const unsigned *feat, unsigned n,
				   void (*edit)(struct devsim_config *c), unsigned nq, uint16_t num)
{
	const struct hr_net net = { .feat = feat, .n_feat = n, .edit = edit };

	hr_open_net(h, backend, 0, &net, nq, num);
}

/* nr_open_backend() of a LOOPBACK device. */
static inline void nr_open(struct hr *h, const unsigned *feat, unsigned n,
			   void (*edit)(struct devsim_config *c), unsigned nq, uint16_t num)
{
	nr_open_backend(h, DEVSIM_BACKEND_LOOPBACK, feat, n, edit, nq, num);
}

/*
 * One command on the controlq @r: the header in a descriptor of its own,
 * @data in descriptors of @chunk bytes (0: one), then a @ack_len-byte ack
 * (0: none). The device is stepped once. Returns the ack, or NR_UNUSED;
 * *used_len: the length the device reported.
 */
static inline int nr_ctrl_ex(struct hr *h, struct hr_ring *r, uint8_t class, uint8_t cmd,
			     const void *data, uint32_t len, uint32_t chunk, uint32_t ack_len,
			     uint32_t *used_len)
{
	static struct vmmio_net_ctrl_hdr hdr;
	static uint8_t copy[1024], ack[8];
	uint16_t d = 0, before = sp_used_idx(r);

	if (len > sizeof(copy) || ack_len > sizeof(ack))
		abort(); /* the test's own mistake */
	hdr = (struct vmmio_net_ctrl_hdr){ .class = class, .cmd = cmd };
	if (len)
		memcpy(copy, data, len);
	memset(ack, 0xee, sizeof(ack));
	sp_desc(r, d, &hdr, sizeof(hdr), F_NEXT, (uint16_t)(d + 1));
	d++;
	for (uint32_t off = 0; off < len; d++) {
		uint32_t n = chunk && len - off > chunk ? chunk : len - off;

		sp_desc(r, d, copy + off, n, F_NEXT, (uint16_t)(d + 1));
		off += n;
	}
	if (ack_len)
		sp_desc(r, d, ack, ack_len, F_WRITE, 0);
	else
		r->desc[d - 1].flags &= (uint16_t)~F_NEXT;
	sp_add(r, 0);
	sp_publish(r);
	hr_notify(h, r->q);
	devsim_step(h->s);
	if (sp_used_idx(r) == before)
		return NR_UNUSED;
	CHECK_EQ(sp_used_at(r, before).id, 0);
	*used_len = sp_used_at(r, before).len;
	return ack_len ? ack[0] : NR_UNUSED;
}

/* A command with its data in one descriptor and a one-byte ack, used with
 * length 1. */
static inline int nr_ctrl(struct hr *h, struct hr_ring *r, uint8_t class, uint8_t cmd,
			  const void *data, uint32_t len)
{
	uint32_t used = 0;
	int ack = nr_ctrl_ex(h, r, class, cmd, data, len, 0, 1, &used);

	if (ack != NR_UNUSED)
		CHECK_EQ(used, 1);
	return ack;
}

/* Transmit @hdr and @len bytes of @pkt at descriptors @d and @d + 1. */
static inline void nr_tx(struct hr_ring *tx, uint16_t d, const struct vmmio_net_hdr *hdr,
			 const void *pkt, uint32_t len)
{
	sp_desc(tx, d, hdr, sizeof(*hdr), F_NEXT, (uint16_t)(d + 1));
	sp_desc(tx, (uint16_t)(d + 1), pkt, len, 0, 0);
	sp_add(tx, d);
	sp_publish(tx);
}

/* A receive buffer of @len bytes at descriptor @d. */
static inline void nr_rx(struct hr_ring *rx, uint16_t d, void *buf, uint32_t len)
{
	sp_desc(rx, d, buf, len, F_WRITE, 0);
	sp_add(rx, d);
	sp_publish(rx);
}

#endif /* VMMIO_TEST_NET_RING_H */
