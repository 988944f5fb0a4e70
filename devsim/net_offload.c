/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transmit offloads of the loopback ("Packet Transmission" and
 * "Processing of Incoming Packets"): what the transmitted virtio_net_hdr
 * asks for becomes either the receive header's fields (the driver handles
 * it on receive: VIRTIO_NET_F_GUEST_CSUM, VIRTIO_NET_F_GUEST_TSO4/6) or
 * work the device does on a copy of the packet: the checksum filled in,
 * the TCP segments cut (net_tso.c). A request devsim cannot honour safely
 * (offsets outside the packet, a GSO type not negotiated, a frame that is
 * not TCP) drops the packet, counted in the transmit queue's dropped.
 */
#include <stdlib.h>

#include "devsim_internal.h"

/* The largest frame devsim copies: 14 bytes of Ethernet, a VLAN tag, 40 of
 * IPv6 and 65535 of IPv6 payload ("Setting Up Receive Buffers"), rounded;
 * and the most the segments of one may take. */
#define NET_LIN_MAX 65600u
#define NET_OUT_MAX (4u << 20)

bool devsim_net_has(const struct devsim *s, unsigned bit)
{
	return vmmio_feat_has(&s->driver_features, bit);
}

/* "The header is 12 bytes long if VIRTIO_F_VERSION_1 or
 * VIRTIO_NET_F_MRG_RXBUF was negotiated; else 10 (legacy, without
 * num_buffers)." */
uint32_t devsim_net_hdr_len(const struct devsim *s)
{
	return devsim_net_has(s, VMMIO_F_VERSION_1) || devsim_net_has(s, VMMIO_NET_F_MRG_RXBUF) ?
		       VMMIO_NET_HDR_LEN :
		       VMMIO_NET_HDR_LEN_LEGACY;
}

uint32_t devsim_net_csum_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
	uint64_t acc = sum;
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		acc += (uint32_t)p[len - 1] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

uint16_t devsim_net_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* @buf holds at least @len bytes (at most @max). */
static bool room(uint8_t **buf, uint32_t *cap, uint32_t len, uint32_t max)
{
	uint8_t *p;

	if (len <= *cap)
		return true;
	if (len > max || !(p = realloc(*buf, len)))
		return false;
	*buf = p;
	*cap = len;
	return true;
}

/* From now on @t delivers @len bytes of @buf. */
static void deliver_from(struct net_tx *t, uint8_t *buf, uint32_t len)
{
	t->seg = (struct devsim_seg){ .addr = (uintptr_t)buf, .len = len };
	t->src = net_cursor(&t->seg, 1, false);
}

/* The @len bytes of the packet, copied to t->lin. */
static bool linearize(struct net_tx *t, uint32_t len)
{
	return room(&t->lin, &t->lin_cap, len, NET_LIN_MAX) &&
	       devsim_net_read(&t->src, t->lin, len) == len;
}

/* csum_start and csum_offset inside the packet: the checksum's two bytes
 * at csum_start + csum_offset. */
static bool csum_fits(const struct vmmio_net_hdr *h, uint32_t len)
{
	return (uint32_t)h->csum_start + h->csum_offset + 2u <= len;
}

/* "calculating a ones' complement checksum from csum_start up until the
 * end of the packet and storing the result at offset csum_offset from
 * csum_start will result in a fully checksummed packet": the field holds
 * the pseudo-header sum, which the sum takes in. A result of 0 is stored
 * as 0xffff, its other form, which UDP needs (RFC 768). */
static enum net_plan csum_fill(struct net_tx *t, const struct vmmio_net_hdr *h, uint32_t len)
{
	uint8_t *at;
	uint16_t c;

	if (!linearize(t, len))
		return NET_DROP;
	c = devsim_net_csum_fold(
		devsim_net_csum_add(0, t->lin + h->csum_start, len - h->csum_start));
	if (!c)
		c = 0xffff;
	at = t->lin + h->csum_start + h->csum_offset;
	at[0] = (uint8_t)(c >> 8);
	at[1] = (uint8_t)c;
	deliver_from(t, t->lin, len);
	return NET_DELIVER;
}

/* gso_type @type may be asked (HOST_TSOx, @guest false) or passed to the
 * driver (GUEST_TSOx with the GUEST_CSUM they require, @guest true). */
static bool tso_negotiated(const struct devsim *s, uint8_t type, bool guest)
{
	unsigned v4 = guest ? VMMIO_NET_F_GUEST_TSO4 : VMMIO_NET_F_HOST_TSO4;
	unsigned v6 = guest ? VMMIO_NET_F_GUEST_TSO6 : VMMIO_NET_F_HOST_TSO6;

	if (guest && !devsim_net_has(s, VMMIO_NET_F_GUEST_CSUM))
		return false;
	return (type == VMMIO_NET_HDR_GSO_TCPV4 && devsim_net_has(s, v4)) ||
	       (type == VMMIO_NET_HDR_GSO_TCPV6 && devsim_net_has(s, v6));
}

/*
 * A GSO packet: "If VIRTIO_NET_F_HOST_TSO4 is negotiated, the driver MAY
 * set gso_type to VIRTIO_NET_HDR_GSO_TCPV4 [...] otherwise the driver MUST
 * NOT" (TSO6 likewise; ECN, UFO and USO are not offered), and "If gso_type
 * differs from VIRTIO_NET_HDR_GSO_NONE, then the driver MUST also set the
 * VIRTIO_NET_HDR_F_NEEDS_CSUM bit". With the driver's GUEST_TSOx the
 * packet goes as it is ("gso_size field indicates the desired MSS");
 * otherwise the device cuts it.
 */
static enum net_plan gso(struct devsim *s, struct net_tx *t, const struct vmmio_net_hdr *h,
			 uint32_t len)
{
	struct net_tso tso;
	uint32_t out;

	if (!(h->flags & VMMIO_NET_HDR_F_NEEDS_CSUM) || !tso_negotiated(s, h->gso_type, false) ||
	    !csum_fits(h, len))
		return NET_DROP;
	if (tso_negotiated(s, h->gso_type, true)) {
		t->hdr.flags = VMMIO_NET_HDR_F_NEEDS_CSUM;
		t->hdr.gso_type = h->gso_type;
		t->hdr.hdr_len = h->hdr_len;
		t->hdr.gso_size = h->gso_size;
		t->hdr.csum_start = h->csum_start;
		t->hdr.csum_offset = h->csum_offset;
		return NET_DELIVER;
	}
	if (!linearize(t, len) ||
	    !devsim_net_tso_parse(t->lin, len, h->gso_type, h->gso_size, &tso))
		return NET_DROP;
	out = tso.payload + tso.nseg * tso.hlen;
	if (!room(&t->out, &t->out_cap, out, NET_OUT_MAX))
		return NET_DROP;
	devsim_net_tso_cut(t->lin, &tso, t->out);
	deliver_from(t, t->out, out);
	t->n_pkts = tso.nseg;
	t->pkt_len = tso.hlen + tso.mss;
	t->last_len = out - (tso.nseg - 1) * t->pkt_len;
	return NET_DELIVER;
}

enum net_plan devsim_net_offload(struct devsim *s, struct net_tx *t, uint32_t out_len)
{
	const uint32_t hlen = t->hlen;
	struct vmmio_net_hdr h = { 0 };
	uint32_t len = out_len > hlen ? out_len - hlen : 0;

	const uint8_t *p = devsim_net_span(&t->src, hlen);

	if (p)
		net_hdr_copy(&h, p, hlen);
	else
		devsim_net_read(&t->src, &h, hlen);
	/* "If VIRTIO_NET_F_MRG_RXBUF has not been negotiated, the device MUST
	 * set num_buffers to 1"; with it, delivery sets it. */
	t->hdr = (struct vmmio_net_hdr){ .num_buffers = 1 };
	t->n_pkts = 1;
	t->pkt_len = t->last_len = len;
	/* "If none of the VIRTIO_NET_F_HOST_TSO4, TSO6, USO or UFO options have
	 * been negotiated, the driver MUST set gso_type to
	 * VIRTIO_NET_HDR_GSO_NONE"; "If VIRTIO_NET_F_CSUM is not negotiated,
	 * the driver MUST set flags to zero". No checker rule covers the
	 * header, so a driver that does not is not recorded: the fields are
	 * ignored, as "The device MUST ignore flag bits that it does not
	 * recognize". */
	if (h.gso_type != VMMIO_NET_HDR_GSO_NONE &&
	    (devsim_net_has(s, VMMIO_NET_F_HOST_TSO4) || devsim_net_has(s, VMMIO_NET_F_HOST_TSO6)))
		return gso(s, t, &h, len);
	if (!devsim_net_has(s, VMMIO_NET_F_CSUM) || !(h.flags & VMMIO_NET_HDR_F_NEEDS_CSUM))
		return NET_DELIVER;
	if (!csum_fits(&h, len))
		return NET_DROP;
	/* "If the VIRTIO_NET_F_GUEST_CSUM feature was negotiated, the
	 * VIRTIO_NET_HDR_F_NEEDS_CSUM bit in flags can be set": the driver
	 * fills the checksum in; else "the device MUST set flags to zero and
	 * SHOULD supply a fully checksummed packet". */
	if (devsim_net_has(s, VMMIO_NET_F_GUEST_CSUM)) {
		t->hdr.flags = VMMIO_NET_HDR_F_NEEDS_CSUM;
		t->hdr.csum_start = h.csum_start;
		t->hdr.csum_offset = h.csum_offset;
		return NET_DELIVER;
	}
	return csum_fill(t, &h, len);
}

void devsim_net_free(struct devsim *s)
{
	for (unsigned i = 0; i < DEVSIM_MAX_QUEUES / 2; i++) {
		free(s->net.tx[i].lin);
		free(s->net.tx[i].out);
	}
}
