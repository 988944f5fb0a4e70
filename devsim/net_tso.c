/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP segmentation, for a driver that asked for it (VIRTIO_NET_F_HOST_TSO4
 * or TSO6, "the metadata indicates how to replicate the packet header to
 * cut it into smaller packets") when the receiving driver did not negotiate
 * the matching VIRTIO_NET_F_GUEST_TSO4/6: each segment is the headers and
 * up to gso_size bytes of payload, as a TCP stack would have sent it. Per
 * segment: the IPv4 total length, identification (+1 each) and header
 * checksum, or the IPv6 payload length; the TCP sequence number; FIN and
 * PSH only on the last segment, CWR only on the first (it marks the first
 * packet after a window reduction, RFC 3168); and the TCP checksum over
 * the pseudo-header (RFC 793 3.1, RFC 8200 8.1).
 *
 * The frame is Ethernet (with at most one VLAN tag), IPv4 with options or
 * IPv6 without extension headers, then TCP: the headers devsim finds
 * itself, since "The device MUST NOT rely on hdr_len to be correct".
 */
#include <string.h>

#include "devsim_internal.h"

#define ETH_HLEN 14u
#define VLAN_HLEN 4u
#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86ddu
#define ETHERTYPE_VLAN 0x8100u
#define IPV4_HLEN_MIN 20u
#define IPV6_HLEN 40u
#define PROTO_TCP 6u
#define TCP_HLEN_MIN 20u
#define TCP_FIN 0x01u
#define TCP_PSH 0x08u
#define TCP_CWR 0x80u

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v);
}

/* Where the TCP header starts, after the IP header at @l3; 0 when the IP
 * header is not the one @type names or not whole. */
static uint32_t ip_header(const uint8_t *in, uint32_t len, uint32_t l3, uint16_t ethertype,
			  uint8_t type)
{
	const uint8_t *ip = in + l3;

	if (type == VMMIO_NET_HDR_GSO_TCPV4) {
		if (ethertype != ETHERTYPE_IPV4 || len < l3 + IPV4_HLEN_MIN || ip[0] >> 4 != 4 ||
		    (ip[0] & 15u) * 4u < IPV4_HLEN_MIN || ip[9] != PROTO_TCP)
			return 0;
		return l3 + (ip[0] & 15u) * 4u;
	}
	if (ethertype != ETHERTYPE_IPV6 || len < l3 + IPV6_HLEN || ip[0] >> 4 != 6 ||
	    ip[6] != PROTO_TCP)
		return 0;
	return l3 + IPV6_HLEN;
}

bool devsim_net_tso_parse(const uint8_t *in, uint32_t len, uint8_t type, uint16_t mss,
			  struct net_tso *t)
{
	uint32_t l3 = ETH_HLEN, first;
	uint16_t ethertype;

	if (len < ETH_HLEN || !mss)
		return false;
	ethertype = be16(in + 12);
	if (ethertype == ETHERTYPE_VLAN) {
		if (len < ETH_HLEN + VLAN_HLEN)
			return false;
		l3 += VLAN_HLEN;
		ethertype = be16(in + 16);
	}
	t->v6 = type == VMMIO_NET_HDR_GSO_TCPV6;
	t->l3 = l3;
	t->l4 = ip_header(in, len, l3, ethertype, type);
	if (!t->l4 || len < t->l4 + TCP_HLEN_MIN || (in[t->l4 + 12] >> 4) * 4u < TCP_HLEN_MIN)
		return false;
	t->hlen = t->l4 + (in[t->l4 + 12] >> 4) * 4u;
	if (t->hlen > len)
		return false;
	t->mss = mss;
	t->payload = len - t->hlen;
	t->nseg = t->payload ? (t->payload + mss - 1) / mss : 1;
	/* Each segment's IP length field holds it. */
	first = t->payload < mss ? t->payload : mss;
	return t->hlen - l3 + first <= 0xffffu;
}

/* The IP header of a segment with @n payload bytes, the @i-th. */
static void ip_fix(uint8_t *o, const struct net_tso *t, uint32_t i, uint32_t n, uint16_t id)
{
	uint8_t *ip = o + t->l3;
	uint32_t ip_len = t->hlen - t->l3 + n;

	if (t->v6) {
		put_be16(ip + 4, ip_len - IPV6_HLEN); /* "Payload Length" */
		return;
	}
	put_be16(ip + 2, ip_len); /* "Total Length" */
	put_be16(ip + 4, (uint16_t)(id + i)); /* "Identification" */
	put_be16(ip + 10, 0);
	put_be16(ip + 10, devsim_net_csum_fold(devsim_net_csum_add(0, ip, (ip[0] & 15u) * 4u)));
}

/* The TCP header of the @i-th segment, with @n payload bytes. */
static void tcp_fix(uint8_t *o, const struct net_tso *t, uint32_t i, uint32_t n, uint32_t seq)
{
	uint8_t *th = o + t->l4;
	uint32_t tcp_len = t->hlen - t->l4 + n, sum;

	put_be32(th + 4, seq + i * t->mss);
	if (i + 1 < t->nseg)
		th[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (i > 0)
		th[13] &= (uint8_t)~TCP_CWR;
	put_be16(th + 16, 0);
	/* The pseudo-header: both addresses, the protocol and the TCP length
	 * (16 bits on IPv4, 32 on IPv6: the same sum of 16-bit words). */
	if (t->v6)
		sum = devsim_net_csum_add(0, o + t->l3 + 8, 32);
	else
		sum = devsim_net_csum_add(0, o + t->l3 + 12, 8);
	sum += PROTO_TCP + (tcp_len >> 16) + (tcp_len & 0xffffu);
	put_be16(th + 16, devsim_net_csum_fold(devsim_net_csum_add(sum, th, tcp_len)));
}

void devsim_net_tso_cut(const uint8_t *in, const struct net_tso *t, uint8_t *out)
{
	const uint32_t seq = be32(in + t->l4 + 4);
	const uint16_t id = t->v6 ? 0 : be16(in + t->l3 + 4);

	for (uint32_t i = 0; i < t->nseg; i++) {
		uint32_t off = i * t->mss;
		uint32_t n = t->payload - off < t->mss ? t->payload - off : t->mss;

		memcpy(out, in, t->hlen);
		memcpy(out + t->hlen, in + t->hlen + off, n);
		ip_fix(out, t, i, n, id);
		tcp_fix(out, t, i, n, seq);
		out += t->hlen + n;
	}
}
