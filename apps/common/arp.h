/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP requests and the check of their replies, for the apps and tests that
 * exchange traffic with a real peer (vmmio-perf's echo mode, the QEMU
 * guest's vmmio-guest). Addresses are IPv4 in host order.
 */
#ifndef VMMIO_APP_ARP_H
#define VMMIO_APP_ARP_H

#include <stdint.h>

#define APP_ARP_FRAME_LEN 60u /* the minimum Ethernet frame, without FCS */
#define APP_ETHERTYPE_OFF 12u /* where an Ethernet frame's type is */

/* An ARP request "who has @tpa, tell @spa" from @mac into @buf
 * (APP_ARP_FRAME_LEN bytes, broadcast). */
void app_arp_request(uint8_t *buf, const uint8_t mac[6], uint32_t spa, uint32_t tpa);

/* 0 when @frame (@len bytes) is the reply to that request, else -1 with the
 * field at fault in @why. */
int app_arp_check_reply(const uint8_t *frame, uint32_t len, const uint8_t mac[6], uint32_t spa,
			uint32_t tpa, char *why, unsigned whylen);

/* True when @frame is ARP at all (a frame that is not may be the peer
 * saying something else, to be counted and ignored). */
static inline int app_arp_is_arp(const uint8_t *frame, uint32_t len)
{
	return len >= APP_ETHERTYPE_OFF + 2 && frame[APP_ETHERTYPE_OFF] == 0x08 &&
	       frame[APP_ETHERTYPE_OFF + 1] == 0x06;
}

/* Dotted-quad IPv4 @s into *@out (host order): 0, or -1 when it is not one. */
int app_ipv4_parse(const char *s, uint32_t *out);

#endif /* VMMIO_APP_ARP_H */
