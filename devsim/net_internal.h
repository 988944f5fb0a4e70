/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the parts of devsim's virtio-net personality share: the walk over a
 * chain's segments (net_cursor.c), the control virtqueue and its state
 * (net_ctrl.c), the transmit offloads (net_offload.c, net_tso.c) and the
 * loopback's delivery of one transmitted buffer (backend_loopback.c).
 */
#ifndef DEVSIM_NET_INTERNAL_H
#define DEVSIM_NET_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "devsim_net.h"
#include "devsim_vq.h"
#include "vmmio_net.h"

struct devsim;

/* --- a position in a chain's segments (net_cursor.c) ----------------------------- */

/* The device-readable (@write false) or device-writable segments of a chain. */
struct net_cursor {
	const struct devsim_seg *seg;
	uint16_t n, i;
	uint32_t off;
	bool write;
};

static inline struct net_cursor net_cursor(const struct devsim_seg *seg, uint16_t n, bool write)
{
	return (struct net_cursor){ .seg = seg, .n = n, .write = write };
}

/* Copy up to @len bytes from @src to @dst (@dst NULL: skip them); returns
 * the bytes moved. */
uint32_t devsim_net_copy(struct net_cursor *dst, struct net_cursor *src, uint32_t len);
/* Read up to @len bytes from @src into @buf; returns the bytes read. */
uint32_t devsim_net_read(struct net_cursor *src, void *buf, uint32_t len);
/* Write up to @len bytes of @buf to @dst; returns the bytes written. */
uint32_t devsim_net_write(struct net_cursor *dst, const void *buf, uint32_t len);
/* The byte @skip bytes further than @c, or NULL past its end. */
uint8_t *devsim_net_byte_at(struct net_cursor c, uint32_t skip);
/* The next @len bytes of @c when one segment holds them all (@c then moves
 * past them), else NULL: the header of a packet, in the common case. */
uint8_t *devsim_net_span(struct net_cursor *c, uint32_t len);

/* --- the virtio-net header ("Device Operation") ----------------------------------- */

/* Its length: 12 bytes with VIRTIO_F_VERSION_1 or VIRTIO_NET_F_MRG_RXBUF, else 10. */
uint32_t devsim_net_hdr_len(const struct devsim *s);

/* Copy a header of @hlen bytes (a constant size each way: no call). */
static inline void net_hdr_copy(void *dst, const void *src, uint32_t hlen)
{
	if (hlen == VMMIO_NET_HDR_LEN)
		memcpy(dst, src, VMMIO_NET_HDR_LEN);
	else
		memcpy(dst, src, VMMIO_NET_HDR_LEN_LEGACY);
}
bool devsim_net_has(const struct devsim *s, unsigned bit);

/* --- what one transmitted buffer becomes (backend_loopback.c, net_offload.c) ------- */

/* The Ethernet header's destination and source addresses (IEEE 802.3), the
 * first bytes of a packet ("Packet Transmission": the header, then the
 * packet), which the forward backend swaps. */
#define NET_ADDRS_LEN 12u

/* @n_pkts packets after one another in @src: each a receive header @hdr
 * (num_buffers set per packet) and pkt_len bytes (last_len for the last). */
struct net_tx {
	bool busy; /* a transmit buffer taken and not used yet */
	uint64_t tx_gen, rx_gen; /* devsim_vq.gen of both rings when it was taken */
	uint16_t id, ndescs, second; /* its used entry */
	uint32_t in_len;
	uint32_t hlen; /* devsim_net_hdr_len() */
	bool mrg; /* VIRTIO_NET_F_MRG_RXBUF */
	struct vmmio_net_hdr hdr;
	struct net_cursor src;
	uint32_t pkt_len, last_len, n_pkts;
	/* delivery of packet @pkt: bytes written (header included), receive
	 * buffers and descriptors it took, where its num_buffers goes */
	uint32_t pkt, written;
	uint16_t bufs;
	uint32_t descs;
	uint8_t *nb[2];
	bool cut; /* it did not fit: the rest is skipped (truncated) */
	/* DEVSIM_BACKEND_FORWARD: each packet's Ethernet destination and
	 * source, read from @src at its start and written swapped from @mac
	 * before the rest is copied; @mac_left of them still to write */
	bool swap;
	uint8_t mac_left;
	uint8_t mac[NET_ADDRS_LEN];
	/* the packet rewritten by an offload: @lin in, @out cut into segments */
	uint8_t *lin, *out;
	uint32_t lin_cap, out_cap;
	struct devsim_seg seg; /* @src's one segment then */
};

/* Outcome of the transmit header's offload request. */
enum net_plan { NET_DELIVER, NET_DROP };

/*
 * Read the transmitted header (t->hlen bytes) from @t->src and decide, from it and the
 * features negotiated, what is delivered: the packet as it is (with the
 * receive header's offload fields passed through), or rewritten into
 * @t->lin/@t->out (checksum filled in, TCP segments), or nothing.
 */
enum net_plan devsim_net_offload(struct devsim *s, struct net_tx *t, uint32_t out_len);

/* RFC 1071: the ones' complement sum of @len bytes (big-endian words),
 * continuing @sum; devsim_net_csum_fold() gives the checksum to store. */
uint32_t devsim_net_csum_add(uint32_t sum, const uint8_t *p, uint32_t len);
uint16_t devsim_net_csum_fold(uint32_t sum);

/* TCP segmentation (net_tso.c) of the frame @in, @len bytes, for gso_type
 * @type and MSS @mss: the number of segments and the bytes they take, 0
 * when the frame is not TCP over IPv4/IPv6 on Ethernet. */
struct net_tso {
	uint32_t l3, l4, hlen; /* IP header, TCP header, all headers' length */
	uint32_t payload, mss, nseg;
	bool v6;
};
bool devsim_net_tso_parse(const uint8_t *in, uint32_t len, uint8_t type, uint16_t mss,
			  struct net_tso *t);
/* Write the segments into @out (t->payload + t->nseg * t->hlen bytes). */
void devsim_net_tso_cut(const uint8_t *in, const struct net_tso *t, uint8_t *out);

/* --- the device's state (net_ctrl.c) ------------------------------------------------ */

struct devsim_net {
	struct devsim_net_state st; /* written under devsim's lock */
	struct net_tx tx[DEVSIM_MAX_QUEUES / 2]; /* per queue pair, the loopback's */
};

/* Status = 0 (lock held): the defaults of devsim_net_state(). */
void devsim_net_reset(struct devsim *s);
/* devsim_destroy(): the loopback's buffers. */
void devsim_net_free(struct devsim *s);
/* The controlq's index, or -1 when VIRTIO_NET_F_CTRL_VQ was not
 * negotiated or the device has no such queue. */
int devsim_net_ctrl_queue(const struct devsim *s);
/* Service the controlq @q once; returns the buffers used. */
unsigned devsim_net_ctrl_service(struct devsim *s, uint16_t q);
/* Queue pairs the loopback services (VQ_PAIRS_SET; 1 after a reset). */
uint16_t devsim_net_pairs(const struct devsim *s);

#endif /* DEVSIM_NET_INTERNAL_H */
