/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ethernet frames carrying ARP (RFC 826) over IPv4: the one protocol a
 * network peer answers without any set-up (QEMU's user network for its
 * gateway, testpmd's icmpecho for any address), so every reply can be
 * checked field by field against the request that caused it.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "arp.h"

#define ETH_ALEN 6
#define ETHERTYPE_ARP 0x0806
#define ARP_HTYPE_ETHER 1
#define ARP_PTYPE_IPV4 0x0800
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

/* Offsets inside the frame. */
#define OFF_DST 0
#define OFF_SRC 6
#define OFF_TYPE 12
#define OFF_ARP 14
#define OFF_HTYPE (OFF_ARP + 0)
#define OFF_PTYPE (OFF_ARP + 2)
#define OFF_HLEN (OFF_ARP + 4)
#define OFF_PLEN (OFF_ARP + 5)
#define OFF_OP (OFF_ARP + 6)
#define OFF_SHA (OFF_ARP + 8)
#define OFF_SPA (OFF_ARP + 14)
#define OFF_THA (OFF_ARP + 18)
#define OFF_TPA (OFF_ARP + 24)
#define ARP_END (OFF_ARP + 28)

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

void app_arp_request(uint8_t *buf, const uint8_t mac[6], uint32_t spa, uint32_t tpa)
{
	memset(buf, 0, APP_ARP_FRAME_LEN);
	memset(buf + OFF_DST, 0xff, ETH_ALEN); /* broadcast */
	memcpy(buf + OFF_SRC, mac, ETH_ALEN);
	put16(buf + OFF_TYPE, ETHERTYPE_ARP);
	put16(buf + OFF_HTYPE, ARP_HTYPE_ETHER);
	put16(buf + OFF_PTYPE, ARP_PTYPE_IPV4);
	buf[OFF_HLEN] = ETH_ALEN;
	buf[OFF_PLEN] = 4;
	put16(buf + OFF_OP, ARP_OP_REQUEST);
	memcpy(buf + OFF_SHA, mac, ETH_ALEN);
	put32(buf + OFF_SPA, spa);
	put32(buf + OFF_TPA, tpa); /* THA stays zero: unknown */
}

static void fmt_mac(const uint8_t *m, char *out, size_t len)
{
	snprintf(out, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

int app_arp_check_reply(const uint8_t *frame, uint32_t len, const uint8_t mac[6],
			  uint32_t spa, uint32_t tpa, char *why, unsigned whylen)
{
	char a[24];

	if (len < ARP_END) {
		snprintf(why, whylen, "a %u-byte frame, shorter than Ethernet + ARP (%u)", len,
			 ARP_END);
		return -1;
	}
	if (get16(frame + OFF_TYPE) != ETHERTYPE_ARP) {
		snprintf(why, whylen, "ethertype 0x%04x, not ARP", get16(frame + OFF_TYPE));
		return -1;
	}
	if (memcmp(frame + OFF_DST, mac, ETH_ALEN)) {
		fmt_mac(frame + OFF_DST, a, sizeof(a));
		snprintf(why, whylen, "Ethernet destination %s, not this device", a);
		return -1;
	}
	if (get16(frame + OFF_HTYPE) != ARP_HTYPE_ETHER || get16(frame + OFF_PTYPE) != ARP_PTYPE_IPV4 ||
	    frame[OFF_HLEN] != ETH_ALEN || frame[OFF_PLEN] != 4) {
		snprintf(why, whylen, "ARP for hardware %u protocol 0x%04x, not Ethernet/IPv4",
			 get16(frame + OFF_HTYPE), get16(frame + OFF_PTYPE));
		return -1;
	}
	if (get16(frame + OFF_OP) != ARP_OP_REPLY) {
		snprintf(why, whylen, "ARP operation %u, not a reply", get16(frame + OFF_OP));
		return -1;
	}
	/* The reply swaps the roles: the peer tells us where the address we
	 * asked about is. */
	if (get32(frame + OFF_SPA) != tpa) {
		snprintf(why, whylen, "the reply is for 0x%08x, not the address asked about 0x%08x",
			 get32(frame + OFF_SPA), tpa);
		return -1;
	}
	if (get32(frame + OFF_TPA) != spa || memcmp(frame + OFF_THA, mac, ETH_ALEN)) {
		fmt_mac(frame + OFF_THA, a, sizeof(a));
		snprintf(why, whylen, "the reply goes to %s / 0x%08x, not to the asker", a,
			 get32(frame + OFF_TPA));
		return -1;
	}
	return 0;
}

int app_ipv4_parse(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}
